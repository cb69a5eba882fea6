"""`kiosk board` and `kiosk counter` as processes of their own on one data directory (SQLite WAL):
the board sees a call written by another process, reads it out, and both stop cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.counter import Counter
from kiosk.storage.queue import QueueStore

pytestmark = pytest.mark.slow


def start(data_dir: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "--data-dir", str(data_dir), "-v", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    try:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, err


def log_has(data_dir: Path, text: str) -> bool:
    path = data_dir / "logs" / "kiosk.log"
    return path.exists() and text in path.read_text(encoding="utf-8")


def test_board_and_counter_processes_follow_the_queue(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    Counter.open(data_dir).close()  # migrated before three processes share it
    board = start(data_dir, "board", "--windowed")
    desk = start(data_dir, "counter", "--counter", "2")
    counter = Counter.open(data_dir)
    try:
        queue = QueueStore(counter.db, counter.config, kiosk_id=counter.config.kiosk.id)
        deadline = time.monotonic() + 30
        # What is called before the board's first read is not read out: wait for that read.
        while not log_has(data_dir, "board ready"):
            assert board.poll() is None, board.communicate()
            assert time.monotonic() < deadline, "the board did not start"
            time.sleep(0.2)
        queue.open_counter("2", "Q102")
        ticket = queue.issue("B").ticket
        queue.call_next("2", "Q102")
        while not log_has(data_dir, f"call {ticket.number} to counter 2"):
            assert board.poll() is None, board.communicate()
            assert time.monotonic() < deadline, "the board process did not see the call"
            time.sleep(0.2)
    finally:
        board_rc, board_err = stop(board)
        desk_rc, desk_err = stop(desk)
        counter.close()
    assert (board_rc, desk_rc) == (0, 0), board_err + desk_err
    assert "Traceback" not in board_err + desk_err
    # Said once, however many times the board read the queue afterwards.
    text = (data_dir / "logs" / "kiosk.log").read_text(encoding="utf-8")
    assert text.count(f"call {ticket.number} to counter 2") == 1


def test_an_unknown_counter_is_refused_in_both_languages(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--data-dir", str(tmp_path), "counter", "--counter", "9"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "ไม่มีช่องบริการ 9" in done.stderr and "No counter 9" in done.stderr
