"""A writer killed with SIGKILL at random points loses no committed case and leaves nothing partial."""

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

WRITER = Path(__file__).with_name("durability_writer.py")
ROOT = Path(__file__).resolve().parents[2]
KILLS = 25


def _run_and_kill(data_dir: Path, rng: random.Random) -> dict[str, int]:
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first.startswith("committed"), proc.stderr.read() if proc.stderr else first
    time.sleep(rng.uniform(0.0, 0.6))
    proc.send_signal(signal.SIGKILL)
    rest, _ = proc.communicate(timeout=30)
    reported: dict[str, int] = {}
    for line in [first, *rest.splitlines()]:
        _, number, events = line.split()
        reported[number] = max(reported.get(number, 0), int(events))
    return reported


@pytest.mark.slow
def test_sigkill_loses_no_committed_case(tmp_path: Path) -> None:
    rng = random.Random(7)
    reported: dict[str, int] = {}
    for _ in range(KILLS):
        reported.update(_run_and_kill(tmp_path, rng))
        db = sqlite3.connect(tmp_path / "kiosk.sqlite")
        try:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            stored = dict(
                db.execute(
                    "SELECT c.number, count(e.id) FROM cases c LEFT JOIN case_events e ON e.case_id = c.id GROUP BY c.id"
                )
            )
            # Every case reported committed is there, with at least the events it had then.
            for number, events in reported.items():
                assert stored.get(number, 0) >= events, number
            # Nothing partial: every case has its two first events, every event its outbox row,
            # every case its checklist, and the number sequence matches the cases written.
            assert all(n >= 2 for n in stored.values())
            orphans = db.execute(
                "SELECT count(*) FROM case_events e LEFT JOIN outbox o ON o.event_id = e.id WHERE o.id IS NULL"
            ).fetchone()[0]
            assert orphans == 0
            assert db.execute("SELECT count(*) FROM outbox").fetchone()[0] == sum(stored.values())
            no_docs = db.execute(
                "SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_documents d WHERE d.case_id = c.id)"
            ).fetchone()[0]
            assert no_docs == 0
            (top,) = db.execute("SELECT max(value) FROM sequences").fetchone()
            assert top == len(stored)
        finally:
            db.close()
    assert len(reported) > KILLS
