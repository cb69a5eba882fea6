"""The display board: it follows the queue (another process may write it), and reads each call out once.

The announcer plays through a real recording player process and real espeak-ng where installed;
screenshots of the board and the counter window go to docs/screenshots with KIOSK_SCREENSHOTS=1.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel

from kiosk.counter import Counter
from kiosk.storage.queue import QueueStore
from kiosk.ui.announce import Announcer
from kiosk.ui.board import Board, build_board, clock_texts
from kiosk.ui.counter_controller import build_counter
from tests.gui.conftest import WORKER_THREADS
from tests.gui.test_queue_announce import played, recording_player

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def texts(board: Board, role: str) -> list[str]:
    # Labels of earlier reads are taken out of the window at once (clear_layout): what is left is shown.
    return [w.text() for w in board.window.findChildren(QLabel) if w.property("role") == role]


@pytest.fixture
def make_board(qtbot, data_dir: Path, tmp_path: Path) -> Iterator[Callable[..., tuple[Board, QueueStore]]]:  # noqa: ANN001
    made: list[tuple[Board, Counter]] = []

    def make(
        *, announcer: Announcer | None = None, size: tuple[int, int] = (1280, 720)
    ) -> tuple[Board, QueueStore]:
        counter = Counter.open(data_dir)
        board = build_board(counter, announcer=announcer, sound=announcer is not None, poll_ms=100)
        board.window.resize(*size)
        board.window.show()
        qtbot.waitExposed(board.window)
        qtbot.waitUntil(lambda: board.controller.state is not None)
        made.append((board, counter))
        # The writers: a separate database connection pool, as another process (kiosk, counters) is.
        writer = Counter.open(data_dir)
        made.append((None, writer))  # type: ignore[arg-type]
        return board, QueueStore(writer.db, writer.config, kiosk_id=writer.config.kiosk.id)

    yield make
    for board, counter in made:
        if board is not None:
            board.shutdown()
            timers = [t for t in board.controller.findChildren(QTimer) if t.isActive()]
            assert not timers
        counter.close()
    alive = [t.name for t in threading.enumerate() if t.name.startswith(WORKER_THREADS) and t.is_alive()]
    assert not alive, f"threads left running: {alive}"


def test_the_board_shows_calls_and_reads_each_out_exactly_once(make_board, qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    player, log = recording_player(tmp_path)
    announcer = Announcer(player=player, workdir=tmp_path / "audio")
    # A board started while a ticket is already called shows it but does not read it out.
    quiet, queue = make_board(announcer=None)
    queue.open_counter("1", "Q101")
    queue.open_counter("3", "Q103")
    before = queue.issue("A").ticket
    queue.call_next("1", "Q101")
    qtbot.waitUntil(lambda: bool(quiet.controller.state and quiet.controller.state.calls), timeout=5000)
    board, _ = make_board(announcer=announcer)
    c = board.controller
    qtbot.waitUntil(lambda: before.number in texts(board, "servingNumber"))
    calls: list[object] = []
    quiet.controller.announced.connect(calls.append)

    c2 = queue.issue("C").ticket
    with qtbot.waitSignal(c.announced, timeout=5000) as got:
        queue.call_next("3", "Q103")
    assert got.args[0].number == c2.number and got.args[0].counter == "3" and not got.args[0].recall
    qtbot.waitUntil(lambda: c2.number in texts(board, "servingNumber"))
    # Number and counter side by side, in the largest type; the newest call on top, in amber.
    numbers = texts(board, "servingNumber")
    assert numbers[:2] == [c2.number, before.number]
    assert texts(board, "servingCounter")[:2] == ["3", "1"]
    top = next(
        w
        for w in board.window.findChildren(QLabel)
        if w.text() == c2.number and w.property("role") == "servingNumber"
    )
    assert top.property("state") == "called"
    qtbot.waitUntil(lambda: top.isVisible())
    assert top.fontInfo().pixelSize() >= 60

    # Several more polls: still exactly one announcement, of the call made while it ran.
    qtbot.waitUntil(lambda: len(announcer.history()) == 1, timeout=20_000)
    qtbot.wait(600)
    assert [(p.announcement.number, p.announcement.counter) for p in announcer.history()] == [
        (c2.number, "3")
    ]
    # The other board read the new call out too, once (the first call it had already announced).
    assert [call.number for call in calls] == [c2.number]

    # Recall: the same ticket is read out again, as a recall.
    with qtbot.waitSignal(c.announced, timeout=5000) as again:
        queue.recall("3", "Q103")
    assert again.args[0].recall
    qtbot.waitUntil(lambda: len(announcer.history()) == 2, timeout=20_000)
    assert announcer.history()[1].text.startswith("เรียกซ้ำ")
    # What the player got: chime, speech; chime, speech. The speech files are real WAVs.
    files = played(log)
    if announcer.speech_available:
        assert [n for n, _ in files] == ["chime.wav", "call-th.wav"] * 2
        assert all(size > 10_000 for _, size in files)
    else:
        assert [n for n, _ in files] == ["chime.wav"] * 2
    assert board.window.sound.isHidden()


def test_serving_then_done_moves_to_recently_called(make_board, qtbot) -> None:  # noqa: ANN001
    board, queue = make_board()
    queue.open_counter("2", "Q102")
    first = queue.issue("B").ticket
    second = queue.issue("B").ticket
    queue.call_next("2", "Q102")
    queue.start("2", "Q102")
    queue.call_next("2", "Q102")  # finishes the first
    qtbot.waitUntil(lambda: texts(board, "servingNumber")[:1] == [second.number], timeout=5000)
    assert first.number not in texts(board, "servingNumber")
    assert first.number in texts(board, "recent")
    groups = " ".join(texts(board, "group") + texts(board, "groupDetail"))
    assert "ภาษีและค่าธรรมเนียม" in groups and "ไม่มีคิวรอ" in groups


def test_waiting_counts_and_estimates_per_line(make_board, qtbot) -> None:  # noqa: ANN001
    board, queue = make_board()
    queue.open_counter("1", "Q101")
    for _ in range(3):
        queue.issue("A")
    qtbot.waitUntil(lambda: "รอ 3 คิว" in " ".join(texts(board, "groupDetail")), timeout=5000)
    detail = next(t for t in texts(board, "groupDetail") if "รอ 3 คิว" in t)
    estimate = next(g for g in queue.board().groups if g.prefix == "A").wait_minutes
    assert f"ประมาณ {estimate} นาที" in detail and estimate > 0


def test_sound_off_is_shown_without_player_or_voice(make_board, tmp_path: Path) -> None:  # noqa: ANN001
    board, _ = make_board(announcer=Announcer(player=None, espeak=None, detect=False, workdir=tmp_path / "a"))
    assert board.window.sound.isVisible()
    assert board.window.sound.text() == "ปิดเสียง · Sound off"


def test_clock_is_bangkok_time_with_the_buddhist_era_date() -> None:
    moment = dt.datetime(2025, 11, 22, 3, 5, tzinfo=dt.UTC)  # 10:05 in Bangkok, a Saturday
    assert clock_texts(moment) == ("10:05", "วันเสาร์ที่ 22 พฤศจิกายน 2568")


def test_screenshots_of_the_board_and_the_counter(make_board, qtbot, tmp_path: Path, data_dir: Path) -> None:  # noqa: ANN001
    """A busy morning on the wall screen and at counter 1, grabbed offscreen for docs/ui.md."""
    folder = DOCS if os.environ.get("KIOSK_SCREENSHOTS") else tmp_path
    player, _ = recording_player(tmp_path)
    board, queue = make_board(
        size=(1920, 1080),
        announcer=Announcer(player=player, espeak=None, detect=False, workdir=tmp_path / "a"),
    )
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=50)
    services = ("building-construction-permit", "land-and-building-tax", "elderly-allowance-registration")
    for i in range(14):
        group = "ABC"[i % 3]
        queue.issue(
            group,
            priority={4: "elderly", 9: "elderly", 11: "disabled"}.get(i, ""),
            service_code=services[i % 3],
            now=start + dt.timedelta(minutes=3 * i),
        )
    for counter in ("1", "2", "3"):
        queue.open_counter(counter, f"Q10{counter}")
    for counter in ("1", "2", "3", "1", "2"):
        queue.call_next(counter, f"Q10{counter}")
        queue.start(counter, f"Q10{counter}")
        queue.finish(counter, f"Q10{counter}")
    for counter in ("2", "3", "1"):
        queue.call_next(counter, f"Q10{counter}")
    queue.start("2", "Q102")
    qtbot.waitUntil(lambda: len(texts(board, "servingNumber")) == 3, timeout=5000)
    QApplication.processEvents()
    assert board.window.grab().save(str(folder / "queue-board.png"))

    # Counter 1, signed in, with its called ticket and the line.
    desk_counter = Counter.open(data_dir)
    desk = build_counter(desk_counter, "1", authenticate=lambda code, pin: code, refresh_ms=60_000)
    try:
        desk.window.resize(1280, 800)
        desk.window.show()
        qtbot.waitExposed(desk.window)
        desk.window.signin.code.setText("Q101")
        desk.window.signin.pin.setText("0000")
        with qtbot.waitSignal(desk.controller.refreshed, timeout=10_000):
            desk.window.signin.ok.click()
        desk.window.desk.waiting.setCurrentRow(0)
        QApplication.processEvents()
        assert desk.window.grab().save(str(folder / "queue-counter.png"))
        # The big number is big and nothing is clipped in the action grid.
        assert desk.window.desk.number.fontInfo().pixelSize() >= 72
        for b in desk.window.desk.findChildren(type(desk.window.desk.call_next)):
            assert b.height() >= 48 and b.fontMetrics().horizontalAdvance(b.text()) <= b.width()
    finally:
        desk.shutdown()
        desk_counter.close()


def test_a_call_from_a_counter_whose_clock_is_slow_is_read_out(make_board, qtbot) -> None:  # noqa: ANN001
    board, queue = make_board()
    c = board.controller
    heard: list[object] = []
    c.announced.connect(heard.append)
    # The counter PC's clock is 3 minutes behind the board's: its call looks 3 minutes old.
    slow = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=3)
    ticket = queue.issue("A", now=slow - dt.timedelta(minutes=2)).ticket
    queue.open_counter("2", "Q102", now=slow - dt.timedelta(minutes=1))
    with qtbot.waitSignal(c.announced, timeout=5000) as got:
        queue.call_next("2", "Q102", now=slow)
    assert (got.args[0].number, got.args[0].counter) == (ticket.number, "2")
    qtbot.wait(500)  # several more polls: still once
    assert len(heard) == 1


def test_a_catch_up_after_an_outage_reads_out_only_each_counters_newest_call(
    make_board, qtbot, tmp_path: Path
) -> None:  # noqa: ANN001
    board, queue = make_board()
    c = board.controller
    heard: list[object] = []
    c.announced.connect(heard.append)
    # Another station worked offline; its events reach the board's database in one merge.
    away = Counter.open(tmp_path / "away")
    try:
        other = QueueStore(away.db, queue.config, kiosk_id="C09")
        for group in "AABC":
            other.issue(group)
        for counter in ("1", "2", "3"):
            other.open_counter(counter, f"Q10{counter}")
        other.call_next("1", "Q101")
        other.start("1", "Q101")
        second = other.call_next("1", "Q101")  # counter 1's newest call, still waiting for the applicant
        other.call_ticket("2", "B001", "Q102")
        other.recall("2", "Q102")
        other.recall("2", "Q102")  # counter 2's newest: the second recall
        other.call_ticket("3", "C001", "Q103")
        other.start("3", "Q103")  # at the counter already: nothing to read out
        events = other.unsynced_events()
    finally:
        away.close()
    assert second is not None
    queue.apply_remote(events)
    qtbot.waitUntil(lambda: len(heard) >= 2, timeout=5000)
    qtbot.wait(500)
    assert sorted((call.number, call.counter, call.recall) for call in heard) == [  # type: ignore[attr-defined]
        (second.number, "1", False),
        ("B001", "2", True),
    ]
