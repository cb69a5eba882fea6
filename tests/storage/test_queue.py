"""The office queue on a real SQLite database: issuing, every counter action, the priority rule,
the estimate over a scripted day, the board, statistics and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from kiosk.config import Config, Queue
from kiosk.counter import Counter
from kiosk.domain.queue import QueueError
from kiosk.domain.sla import BANGKOK
from kiosk.domain.workflow import Actor, Role
from kiosk.errors import NotFoundError
from kiosk.storage.db import Database
from kiosk.storage.models import Case, QueueEvent, QueueTicket
from kiosk.storage.queue import QueueStore

from .conftest import SOMCHAI

DAY = dt.datetime(2026, 11, 23, 8, 0, tzinfo=BANGKOK)  # a Monday, opening time
STAFF = "S001"


def at(minutes: float) -> dt.datetime:
    return DAY + dt.timedelta(minutes=minutes)


def make_queue(path: Path, kiosk_id: str = "K01", **settings: Any) -> QueueStore:
    config = Config(queue=Queue(**settings)) if settings else Config()
    return QueueStore(Database(path), config, kiosk_id=kiosk_id)


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[QueueStore]:
    q = make_queue(tmp_path)
    yield q
    q.db.close()


def numbers(tickets: list[Any]) -> list[str]:
    return [t.number for t in tickets]


def serve(q: QueueStore, counter: str, start: float, minutes: float) -> str:
    """Call the next ticket at `start`, serve it for `minutes`: returns its number."""
    ticket = q.call_next(counter, STAFF, now=at(start))
    assert ticket is not None
    q.start(counter, STAFF, now=at(start + 0.5))
    q.finish(counter, STAFF, now=at(start + 0.5 + minutes))
    return ticket.number


# --- issuing and numbering ----------------------------------------------------------------------


def test_issue_numbers_per_group_and_restarts_each_day(queue: QueueStore) -> None:
    issued = [queue.issue(g, now=at(i)).ticket.number for i, g in enumerate("AABAC")]
    assert issued == ["A001", "A002", "B001", "A003", "C001"]
    tomorrow = DAY + dt.timedelta(days=1)
    again = [queue.issue(g, now=tomorrow + dt.timedelta(minutes=i)).ticket for i, g in enumerate("AB")]
    assert numbers(again) == ["A001", "B001"]
    assert again[0].service_date == tomorrow.date()
    # yesterday's A001 and today's are two tickets; a counter today sees only today's
    queue.open_counter("1", STAFF, now=tomorrow)
    assert queue.ticket("A001", DAY.date()).id != queue.ticket("A001", tomorrow.date()).id
    called = queue.call_next("1", STAFF, now=tomorrow + dt.timedelta(minutes=5))
    assert called is not None and called.id == again[0].id


def test_the_service_day_turns_at_bangkok_midnight(queue: QueueStore) -> None:
    before = dt.datetime(2026, 11, 23, 16, 59, tzinfo=dt.UTC)  # 23:59 in Bangkok
    after = dt.datetime(2026, 11, 23, 17, 1, tzinfo=dt.UTC)  # 00:01 the next day
    assert queue.issue("A", now=before).ticket.number == "A001"
    second = queue.issue("A", now=after).ticket
    assert (second.number, second.service_date) == ("A001", dt.date(2026, 11, 24))


def test_issue_refuses_unknown_group_priority_and_naive_time(queue: QueueStore) -> None:
    with pytest.raises(QueueError):
        queue.issue("Z", now=at(0))
    with pytest.raises(QueueError):
        queue.issue("A", priority="vip", now=at(0))
    with pytest.raises(ValueError):
        queue.issue("A", now=dt.datetime(2026, 11, 23, 8, 0))
    with queue.db.session() as s:
        assert s.scalar(select(func.count()).select_from(QueueTicket)) == 0


def test_group_for_prefers_services_over_categories(tmp_path: Path) -> None:
    q = make_queue(
        tmp_path,
        groups=[
            {"prefix": "A", "name_th": "ก", "name_en": "A", "categories": ["permit"]},
            {"prefix": "B", "name_th": "ข", "name_en": "B", "categories": ["tax"], "services": ["x-permit"]},
        ],
        counters=[{"id": "1", "name_th": "ช่อง 1", "name_en": "Counter 1", "groups": ["A", "B"]}],
    )
    assert q.group_for("y-permit", "permit") == "A"
    assert q.group_for("x-permit", "permit") == "B"
    assert q.group_for("z", "welfare") == "A"


# --- counter actions ----------------------------------------------------------------------------


def test_call_next_needs_an_open_counter_and_refuses_on_a_break(queue: QueueStore) -> None:
    queue.issue("A", now=at(0))
    with pytest.raises(QueueError) as closed:
        queue.call_next("1", STAFF, now=at(1))
    assert closed.value.message_th and closed.value.message_en
    view = queue.open_counter("1", STAFF, now=at(1))
    assert (view.state, view.staff_id, view.current) == ("open", STAFF, None)
    assert queue.set_break("1", True, STAFF, now=at(2)).state == "break"
    with pytest.raises(QueueError, match="break"):
        queue.call_next("1", STAFF, now=at(3))
    assert queue.set_break("1", False, STAFF, now=at(4)).state == "open"
    called = queue.call_next("1", STAFF, now=at(5))
    assert called is not None and called.number == "A001" and called.state == "called"
    with pytest.raises(QueueError):  # cannot leave with an applicant called
        queue.set_break("1", True, STAFF, now=at(6))
    with pytest.raises(QueueError):
        queue.close_counter("1", STAFF, now=at(6))
    queue.open_counter("2", STAFF, now=at(6))
    assert queue.call_next("2", STAFF, now=at(6)) is None  # A001 is counter 1's: nobody else waits


def test_call_next_with_nobody_waiting_returns_none(queue: QueueStore) -> None:
    queue.open_counter("1", STAFF, now=at(0))
    assert queue.call_next("1", STAFF, now=at(1)) is None
    assert queue.next_candidate("1", now=at(1)) is None


def test_call_next_finishes_the_served_ticket_but_not_an_unstarted_one(queue: QueueStore) -> None:
    for i in range(3):
        queue.issue("A", now=at(i))
    queue.open_counter("1", STAFF, now=at(5))
    queue.call_next("1", STAFF, now=at(6))
    with pytest.raises(QueueError, match="start"):
        queue.call_next("1", STAFF, now=at(7))
    queue.start("1", STAFF, now=at(7))
    second = queue.call_next("1", STAFF, now=at(15))
    assert second is not None and second.number == "A002"
    first = queue.ticket("A001", DAY.date())
    assert (first.state, first.finished_at) == ("done", at(15))


def test_recall_counts_and_chimes_again(queue: QueueStore) -> None:
    queue.issue("B", now=at(0))
    queue.open_counter("2", STAFF, now=at(1))
    called = queue.call_next("2", STAFF, now=at(2))
    again = queue.recall("2", STAFF, now=at(3))
    assert called is not None and again.id == called.id and again.calls == 2 and again.called_at == at(3)
    calls = queue.board(now=at(4)).calls
    assert [(c.number, c.counter, c.recall) for c in calls] == [("B001", "2", True), ("B001", "2", False)]
    queue.start("2", STAFF, now=at(4))
    with pytest.raises(QueueError):
        queue.recall("2", STAFF, now=at(5))  # being served: nothing to call


def test_miss_comes_back_after_the_grace_then_a_second_miss_is_a_no_show(tmp_path: Path) -> None:
    q = make_queue(tmp_path, grace_calls=2)
    for i in range(5):
        q.issue("A", now=at(i))
    q.open_counter("1", STAFF, now=at(10))
    q.open_counter("2", STAFF, now=at(10))
    assert q.call_next("1", STAFF, now=at(11)).number == "A001"  # type: ignore[union-attr]
    missed = q.miss("1", STAFF, now=at(12))
    assert (missed.state, missed.misses) == ("missed", 1)
    assert q.counter_view("1").current is None
    # one other call in the group: still in its grace
    assert serve(q, "2", 13, 2) == "A002"
    assert q.next_candidate("1", now=at(16)).number == "A003"  # type: ignore[union-attr]
    # a second call (at any counter) ends the grace: A001 comes back before A003
    assert serve(q, "1", 16, 2) == "A003"
    back = q.call_next("2", STAFF, now=at(20))
    assert back is not None and back.number == "A001" and back.calls == 2
    gone = q.miss("2", STAFF, now=at(21))
    assert (gone.state, gone.misses) == ("no_show", 2)
    assert q.next_candidate("2", now=at(22)).number == "A004"  # type: ignore[union-attr]
    # a late arrival: staff return it, it joins the end of the line
    with pytest.raises(QueueError):
        q.return_ticket("A004", STAFF, now=at(23))  # only a no-show returns
    returned = q.return_ticket("a001", STAFF, now=at(23))
    assert (returned.state, returned.line_at, returned.misses) == ("waiting", at(23), 0)
    assert numbers(q.waiting(now=at(24))) == ["A004", "A005", "A001"]


def test_missed_ticket_called_by_number_when_the_applicant_comes_back(queue: QueueStore) -> None:
    queue.issue("A", now=at(0))
    queue.issue("A", now=at(1))
    queue.open_counter("1", STAFF, now=at(2))
    queue.call_next("1", STAFF, now=at(3))
    queue.miss("1", STAFF, now=at(4))
    again = queue.call_ticket("1", "A001", STAFF, now=at(5))
    assert (again.state, again.calls) == ("called", 2)
    with pytest.raises(QueueError):
        queue.call_ticket("1", "A002", STAFF, now=at(6))  # A001 is still called here
    with pytest.raises(NotFoundError):
        queue.call_ticket("1", "A999", STAFF, now=at(6))


def test_start_and_finish_a_ticket_linked_to_its_case(tmp_path: Path) -> None:
    counter = Counter.open(tmp_path)
    try:
        q = QueueStore(counter.db, counter.config, kiosk_id="K01")
        counter.cases.queue = q
        case = counter.cases.submit(
            "signboard-tax",
            SOMCHAI,
            {},
            Actor(Role.APPLICANT),
            now=at(0),
            priority="elderly",
            ticket_group="",
        )
        assert case.ticket_number == "B001"  # signboard tax -> the taxes group
        walk_in = q.issue("B", now=at(1)).ticket
        assert walk_in.case_id is None
        q.open_counter("2", STAFF, now=at(2))
        called = q.call_next("2", STAFF, now=at(3))
        assert called is not None and called.case_number == case.number and called.priority == "elderly"
        started = q.start("2", STAFF, now=at(4))
        assert (started.state, started.started_at, started.case_number) == ("serving", at(4), case.number)
        done = q.finish("2", STAFF, now=at(12))
        assert (done.state, done.finished_at) == ("done", at(12))
        assert q.ticket_for_case(case.id).number == "B001"  # type: ignore[union-attr]
        # a walk-in's case written at the counter is linked afterwards
        q.call_next("2", STAFF, now=at(13))
        linked = q.link_case(walk_in.number, case.number, STAFF, now=at(14))
        assert linked.case_number == case.number
        with pytest.raises(QueueError):
            q.finish("2", STAFF, now=at(15))  # called, not started
    finally:
        counter.close()


def test_a_ticket_that_cannot_be_issued_leaves_no_case(tmp_path: Path) -> None:
    counter = Counter.open(tmp_path)
    try:
        counter.cases.queue = QueueStore(counter.db, counter.config, kiosk_id="K01")
        with pytest.raises(QueueError):
            counter.cases.submit(
                "signboard-tax", SOMCHAI, {}, Actor(Role.APPLICANT), now=at(0), ticket_group="Z"
            )
        with counter.db.session() as s:
            assert s.scalar(select(func.count()).select_from(Case)) == 0
            assert s.scalar(select(func.count()).select_from(QueueEvent)) == 0
        assert (
            counter.cases.submit("signboard-tax", SOMCHAI, {}, Actor(Role.APPLICANT), now=at(1)).ticket_number
            == ""
        )
    finally:
        counter.close()


def test_transfer_to_another_group_keeps_the_original_place(queue: QueueStore) -> None:
    queue.issue("B", now=at(0))  # B001
    queue.issue("A", now=at(5))  # A001
    queue.issue("B", now=at(10))  # B002
    queue.open_counter("1", STAFF, now=at(11))
    assert queue.call_next("1", STAFF, now=at(12)).number == "B001"  # type: ignore[union-attr]
    queue.start("1", STAFF, now=at(13))
    queue.finish("1", STAFF, now=at(14))
    assert queue.call_next("1", STAFF, now=at(15)).number == "A001"  # type: ignore[union-attr]
    queue.start("1", STAFF, now=at(16))
    with pytest.raises(QueueError):
        queue.transfer("1", STAFF, now=at(20))  # nowhere
    moved = queue.transfer("1", STAFF, group="B", reason="ภาษีป้ายด้วย", now=at(20))
    assert (moved.state, moved.group, moved.line_at, moved.number) == ("waiting", "B", at(5), "A001")
    assert queue.counter_view("1").current is None
    assert numbers(queue.waiting(["B"], now=at(21))) == ["A001", "B002"]
    event = _last_event(queue, "transferred")
    assert event.data["reason"] == "ภาษีป้ายด้วย" and event.data["group"] == "B"


def test_transfer_to_a_named_counter(queue: QueueStore) -> None:
    queue.issue("A", now=at(0))
    queue.issue("A", now=at(1))
    for c in ("1", "2", "3"):
        queue.open_counter(c, STAFF, now=at(2))
    queue.call_next("1", STAFF, now=at(3))
    moved = queue.transfer("1", STAFF, to_counter="3", reason="หัวหน้างาน", now=at(4))
    assert (moved.target_counter, moved.group) == ("3", "A")
    # counter 2 does not get it, even though it is the oldest A ticket; counter 3 does
    assert queue.next_candidate("2", now=at(5)).number == "A002"  # type: ignore[union-attr]
    assert queue.call_next("3", STAFF, now=at(5)).number == "A001"  # type: ignore[union-attr]


def test_set_priority_needs_a_reason_and_changes_the_order(tmp_path: Path) -> None:
    q = make_queue(tmp_path, priority_every=2)
    for i in range(3):
        q.issue("C", now=at(i))
    with pytest.raises(QueueError):
        q.set_priority("C003", "disabled", STAFF, "  ", now=at(4))
    with pytest.raises(QueueError):
        q.set_priority("C003", "vip", STAFF, "ok", now=at(4))
    marked = q.set_priority("C003", "disabled", STAFF, "ใช้รถเข็น", now=at(4))
    assert marked.priority == "disabled"
    assert numbers(q.waiting(now=at(5))) == ["C001", "C002", "C003"]  # it is the youngest: 2 regular first
    q.set_priority("C002", "pregnant", STAFF, "ตั้งครรภ์", now=at(5))
    assert numbers(q.waiting(now=at(6))) == ["C001", "C002", "C003"]
    q.set_priority("C002", "", STAFF, "บันทึกผิด", now=at(6))
    event = _last_event(q, "priority_set")
    assert event.data == {"priority": "", "from": "pregnant", "reason": "บันทึกผิด"} and event.staff_id == STAFF


def _last_event(q: QueueStore, kind: str) -> QueueEvent:
    with q.db.session() as s:
        event = s.scalar(select(QueueEvent).where(QueueEvent.kind == kind).order_by(QueueEvent.seq.desc()))
        assert event is not None
        return event


# --- the priority rule through the store --------------------------------------------------------


def test_a_priority_ticket_waits_behind_at_most_priority_every_regular_calls(tmp_path: Path) -> None:
    q = make_queue(tmp_path, priority_every=2)
    for i in range(6):
        q.issue("A", now=at(i))  # A001..A006 regular
    q.issue("A", priority="monk", now=at(10))  # A007
    q.issue("A", priority="elderly", now=at(11))  # A008
    q.open_counter("1", STAFF, now=at(12))
    q.open_counter("2", STAFF, now=at(12))
    called = []
    for i in range(8):
        counter = "12"[i % 2]  # two counters: the count is office-wide
        t = q.call_next(counter, STAFF, now=at(13 + i))
        assert t is not None
        called.append(t.number)
        q.start(counter, STAFF, now=at(13.2 + i))
    assert called == ["A001", "A002", "A007", "A003", "A004", "A008", "A005", "A006"]


def test_an_older_priority_ticket_goes_first_and_a_priority_only_queue_runs(tmp_path: Path) -> None:
    q = make_queue(tmp_path, priority_every=3)
    q.issue("A", priority="pregnant", now=at(0))
    q.issue("A", now=at(1))
    q.issue("A", priority="elderly", now=at(2))
    q.issue("A", priority="monk", now=at(3))
    q.open_counter("1", STAFF, now=at(4))
    order = [serve(q, "1", 5 + 3 * i, 1) for i in range(4)]
    # A001 older than the regular head; A003 is younger than A002, so A002 first; then the priority-only line
    assert order == ["A001", "A002", "A003", "A004"]


# --- the estimate -------------------------------------------------------------------------------


def test_the_estimate_follows_a_scripted_day(tmp_path: Path) -> None:
    q = make_queue(
        tmp_path,
        average_of=5,
        groups=[{"prefix": "A", "name_th": "ก", "name_en": "A", "service_minutes": 10}],
        counters=[
            {"id": "1", "name_th": "ช่อง 1", "name_en": "Counter 1", "groups": ["A"]},
            {"id": "2", "name_th": "ช่อง 2", "name_en": "Counter 2", "groups": ["A"]},
        ],
    )
    tickets = [q.issue("A", now=at(i * 0.25)) for i in range(40)]
    # issue-time estimates: people ahead x the configured 10 minutes, one counter assumed
    assert [(t.people_ahead, t.wait_minutes) for t in tickets[:3]] == [(0, 0), (1, 10), (2, 20)]
    last = tickets[-1].ticket.id
    assert q.estimate(last, now=at(10)) == (39, 390)
    q.open_counter("1", STAFF, now=at(10))
    clock = 11.0
    # morning: quick services, 4 minutes each
    for _ in range(2):
        serve(q, "1", clock, 4)
        clock += 5
    assert q.board(now=at(clock)).groups[0].average_minutes == 10  # fewer than 3 done: configured
    serve(q, "1", clock, 4)
    clock += 5
    ahead, wait = q.estimate(last, now=at(clock))
    assert ahead == 36 and wait == 36 * 4
    # mid-day the services get slower: 12 minutes each; the average follows the last 5
    for _ in range(5):
        serve(q, "1", clock, 12)
        clock += 13
    status = q.board(now=at(clock)).groups[0]
    assert status.average_minutes == pytest.approx(12)
    ahead, wait = q.estimate(last, now=at(clock))
    assert (ahead, wait) == (31, 31 * 12)
    # a second counter opens: the wait halves (rounded up)
    q.open_counter("2", STAFF, now=at(clock))
    assert q.estimate(last, now=at(clock)) == (31, math.ceil(31 * 12 / 2))
    # and a counter on a break no longer counts
    q.set_break("2", True, STAFF, now=at(clock + 1))
    assert q.estimate(last, now=at(clock + 1)) == (31, 31 * 12)
    # a called ticket waits no more
    called = q.call_next("1", STAFF, now=at(clock + 2))
    assert called is not None and q.estimate(called.id, now=at(clock + 2)) == (0, 0)


def test_estimate_of_a_priority_ticket_counts_only_what_goes_before_it(tmp_path: Path) -> None:
    q = make_queue(tmp_path, priority_every=2)
    for i in range(10):
        q.issue("C", now=at(i))
    first = q.issue("C", priority="elderly", now=at(20))
    second = q.issue("C", priority="monk", now=at(21))
    # 0 priority ahead, at most 2 regular calls first; then 1 priority ahead + 2 + 2
    assert (first.people_ahead, second.people_ahead) == (2, 5)
    regular = q.issue("C", now=at(22))
    assert regular.people_ahead == 12  # everyone already in line; no younger priority to jump in
    q.open_counter("3", STAFF, now=at(23))
    order = [serve(q, "3", 24 + 2 * i, 1) for i in range(6)]
    assert order.index(first.ticket.number) == first.people_ahead
    assert order.index(second.ticket.number) == second.people_ahead


# --- board and statistics -----------------------------------------------------------------------


def test_board_shows_serving_recent_groups_counters_and_calls(queue: QueueStore) -> None:
    for i, g in enumerate("AABCC"):
        queue.issue(g, priority="monk" if i == 4 else "", now=at(i))
    queue.open_counter("1", STAFF, now=at(5))
    queue.open_counter("3", STAFF, now=at(5))
    serve(queue, "1", 6, 3)  # A001 done
    queue.call_next("1", STAFF, now=at(10))  # A002 called
    # two regular calls since the last priority one: the monk's C002 goes before C001
    queue.call_next("3", STAFF, now=at(11))
    queue.start("3", STAFF, now=at(12))
    board = queue.board(now=at(13), recent=2)
    assert [(t.number, t.counter, t.state) for t in board.now_serving] == [
        ("C002", "3", "serving"),
        ("A002", "1", "called"),
    ]
    assert numbers(board.recent) == ["C002", "A002"]
    assert [(g.prefix, g.waiting, g.priority_waiting) for g in board.groups] == [
        ("A", 0, 0),
        ("B", 1, 0),
        ("C", 1, 0),
    ]
    assert [(c.id, c.state, c.current.number if c.current else None) for c in board.counters] == [
        ("1", "open", "A002"),
        ("2", "closed", None),
        ("3", "open", "C002"),
    ]
    assert [(c.number, c.counter) for c in board.calls] == [("C002", "3"), ("A002", "1"), ("A001", "1")]
    # a counter left open yesterday shows closed today
    tomorrow = queue.board(now=at(24 * 60))
    assert {c.state for c in tomorrow.counters} == {"closed"} and tomorrow.now_serving == []


def test_stats_per_day_group_and_counter_with_no_show_rate_and_csv(tmp_path: Path) -> None:
    q = make_queue(tmp_path, grace_calls=0)
    for day in range(2):
        base = day * 24 * 60
        for i, g in enumerate("AAAB"):
            q.issue(g, now=at(base + i))
        q.open_counter("1", STAFF, now=at(base + 5))
        q.open_counter("2", STAFF, now=at(base + 5))
        serve(q, "1", base + 10, 6)  # A001: waited 10, served 6
        q.call_next("1", STAFF, now=at(base + 20))  # A002: missed twice -> no-show
        q.miss("1", STAFF, now=at(base + 21))
        q.call_ticket("1", "A002", STAFF, now=at(base + 22))
        q.miss("1", STAFF, now=at(base + 23))
        q.call_ticket("2", "B001", STAFF, now=at(base + 30))  # B001: waited 27, served 10
        q.start("2", STAFF, now=at(base + 30.5))
        q.finish("2", STAFF, now=at(base + 40.5))
        # A003 never called
    first, last = DAY.date(), DAY.date() + dt.timedelta(days=1)
    rows = q.stats(first, last)
    assert [(r.day, r.group, r.counter) for r in rows] == [
        (first, "A", "-"),
        (first, "A", "1"),
        (first, "B", "2"),
        (last, "A", "-"),
        (last, "A", "1"),
        (last, "B", "2"),
    ]
    a1 = rows[1]
    assert (a1.tickets, a1.served, a1.no_shows, a1.no_show_rate) == (2, 1, 1, 0.5)
    assert a1.avg_wait_minutes == pytest.approx((10 + 19) / 2)
    assert a1.avg_service_minutes == pytest.approx(6)
    assert rows[2].avg_wait_minutes == pytest.approx(27) and rows[2].avg_service_minutes == pytest.approx(10)
    assert q.stats(first, first) == rows[:3]
    parsed = list(csv.DictReader(io.StringIO(q.stats_csv(first, last))))
    assert len(parsed) == 6
    row = parsed[1]
    assert (row["date"], row["group"], row["counter"], row["tickets"], row["no_shows"]) == (
        "2026-11-23",
        "A",
        "1",
        "2",
        "1",
    )
    assert float(row["no_show_rate"]) == 0.5 and float(row["avg_service_minutes"]) == 6
    assert parsed[0]["avg_wait_minutes"] == ""  # never called: no wait measured


# --- review fixes (issue 7) ---------------------------------------------------------------------


def two_lines(path: Path, **settings: Any) -> QueueStore:
    """Counter 1 serves only A, counter 2 only B."""
    return make_queue(
        path,
        counters=[
            {"id": "1", "name_th": "ช่อง 1", "name_en": "Counter 1", "groups": ["A"]},
            {"id": "2", "name_th": "ช่อง 2", "name_en": "Counter 2", "groups": ["B"]},
        ],
        **settings,
    )


def test_a_missed_ticket_in_a_quiet_line_is_called_again_when_nobody_else_waits(queue: QueueStore) -> None:
    queue.issue("C", now=at(0))
    queue.open_counter("3", STAFF, now=at(1))
    queue.call_next("3", STAFF, now=at(2))
    queue.miss("3", STAFF, now=at(3))
    # grace_calls = 3, but nobody else will ever be called in C: the grace cannot end by calls
    assert queue.next_candidate("3", now=at(63)).number == "C001"  # type: ignore[union-attr]
    back = queue.call_next("3", STAFF, now=at(63))
    assert back is not None and (back.number, back.state, back.calls) == ("C001", "called", 2)


def test_a_missed_ticket_keeps_its_grace_while_the_counter_has_someone_else(queue: QueueStore) -> None:
    queue.issue("C", now=at(0))
    queue.issue("A", now=at(1))
    queue.open_counter("3", STAFF, now=at(2))
    queue.call_next("3", STAFF, now=at(3))  # C001 (counter 3 serves C first, then A, B: one line)
    queue.miss("3", STAFF, now=at(4))
    assert queue.call_next("3", STAFF, now=at(5)).number == "A001"  # type: ignore[union-attr]
    queue.start("3", STAFF, now=at(6))
    assert queue.call_next("3", STAFF, now=at(7)).number == "C001"  # type: ignore[union-attr]


def test_regular_calls_in_another_line_do_not_starve_this_lines_regular_ticket(tmp_path: Path) -> None:
    q = two_lines(tmp_path, priority_every=2)
    q.issue("A", now=at(0))  # A001, regular
    for i in range(3):
        q.issue("A", priority="elderly", now=at(1 + i))  # A002..A004
    for i in range(8):
        q.issue("B", now=at(5 + i))
    q.open_counter("1", STAFF, now=at(15))
    q.open_counter("2", STAFF, now=at(15))
    clock = 20.0
    called = []
    for _ in range(3):
        for _ in range(2):  # counter 2 calls two regular B tickets between counter 1's calls
            serve(q, "2", clock, 1)
            clock += 2
        head = q.waiting(["A"], now=at(clock))[0].number  # the line as counter 1 sees it
        called.append(serve(q, "1", clock, 1))
        assert called[-1] == head
        clock += 2
    assert called == ["A001", "A002", "A003"]


def test_priority_calls_in_another_line_do_not_hold_back_this_lines_priority_ticket(tmp_path: Path) -> None:
    q = two_lines(tmp_path, priority_every=2)
    for i in range(5):
        q.issue("A", now=at(i))  # A001..A005, regular
    monk = q.issue("A", priority="monk", now=at(6)).ticket  # A006
    for i in range(5):
        q.issue("B", priority="elderly", now=at(7 + i))
    q.open_counter("1", STAFF, now=at(15))
    q.open_counter("2", STAFF, now=at(15))
    clock = 20.0
    called = []
    for _ in range(3):
        assert serve(q, "2", clock, 1).startswith("B")  # a priority B ticket
        called.append(serve(q, "1", clock + 2, 1))
        clock += 4
    assert called == ["A001", "A002", monk.number]


def test_a_ticket_sent_to_a_counter_outside_its_line_is_in_that_counters_list(tmp_path: Path) -> None:
    q = two_lines(tmp_path)
    q.issue("A", now=at(0))
    q.issue("A", now=at(0.5))
    b = q.issue("B", now=at(1)).ticket
    q.open_counter("1", STAFF, now=at(2))
    q.open_counter("2", STAFF, now=at(2))
    q.call_next("2", STAFF, now=at(3))
    moved = q.transfer("2", STAFF, to_counter="1", reason="ช่อง 1 ใกล้ประตู", now=at(4))
    assert (moved.group, moved.target_counter) == ("B", "1")
    # counter 1 sees it in its line, at the place its issue time gives it
    assert numbers(q.waiting(counter="1", now=at(5))) == ["A001", "A002", b.number]
    # counter 2 still lists it, as sent elsewhere (its desk marks it "→ counter 1")
    assert [(t.number, t.target_counter) for t in q.waiting(counter="2", now=at(5))] == [(b.number, "1")]
    # the estimate: the two A tickets counter 1 calls first, one counter, B's 8 minutes each
    assert q.estimate(moved.id, now=at(5)) == (2, 16)
    for i in range(2):
        q.call_next("1", STAFF, now=at(6 + i))
        q.start("1", STAFF, now=at(6.5 + i))
    assert q.call_next("1", STAFF, now=at(9)).number == b.number  # type: ignore[union-attr]


def test_cancel_takes_a_ticket_out_of_the_line_with_a_reason(queue: QueueStore) -> None:
    queue.issue("A", now=at(0))
    queue.issue("A", now=at(1))
    queue.open_counter("1", STAFF, now=at(2))
    with pytest.raises(QueueError):
        queue.cancel("A001", STAFF, " ", now=at(3))  # a reason is required
    gone = queue.cancel("a001", STAFF, "ผู้ยื่นขอยกเลิก", now=at(3))
    assert gone.state == "cancelled"
    assert queue.next_candidate("1", now=at(4)).number == "A002"  # type: ignore[union-attr]
    assert numbers(queue.waiting(now=at(4))) == ["A002"]
    with pytest.raises(QueueError):
        queue.cancel("A001", STAFF, "อีกครั้ง", now=at(5))  # over already
    event = _last_event(queue, "cancelled")
    assert event.data["reason"] == "ผู้ยื่นขอยกเลิก" and event.staff_id == STAFF


def test_voiding_a_case_cancels_its_ticket(tmp_path: Path) -> None:
    from kiosk.storage.staff import StaffAccounts, void_case

    counter = Counter.open(tmp_path)
    try:
        q = counter.cases.queue
        assert q is not None
        case = counter.cases.submit(
            "signboard-tax", SOMCHAI, {}, Actor(Role.APPLICANT), now=at(0), ticket_group=""
        )
        q.issue("B", now=at(1))
        accounts = StaffAccounts(counter.db, kiosk_id="K01")
        accounts.add("S001", "สมศรี", "counter", "1234", now=at(0))
        accounts.add("S002", "วิชัย", "supervisor", "2345", now=at(0))
        void_case(
            counter.cases,
            accounts,
            case.number,
            requester=accounts.sign_in("S001", "1234", now=at(2)),
            approver_code="S002",
            approver_pin="2345",
            reason="ผู้ยื่นขอยกเลิกเอง",
            now=at(2),
        )
        ticket = q.ticket(case.ticket_number, DAY.date())
        assert ticket.state == "cancelled"
        q.open_counter("2", STAFF, now=at(3))
        assert q.next_candidate("2", now=at(4)).number == "B002"  # type: ignore[union-attr]
        event = _last_event(q, "cancelled")
        assert event.staff_id == "S001" and event.data["case_number"] == case.number
    finally:
        counter.close()


def test_start_and_finish_are_written_into_the_cases_history(tmp_path: Path) -> None:
    counter = Counter.open(tmp_path)
    try:
        q = QueueStore(counter.db, counter.config, kiosk_id="K01")
        q.cases = counter.cases
        counter.cases.queue = q
        first = counter.cases.submit(
            "signboard-tax", SOMCHAI, {}, Actor(Role.APPLICANT), now=at(0), ticket_group=""
        )
        second = counter.cases.submit(
            "signboard-tax", SOMCHAI, {}, Actor(Role.APPLICANT), now=at(1), ticket_group=""
        )
        q.issue("B", now=at(2))  # a walk-in: no case, nothing to write
        q.open_counter("2", STAFF, now=at(3))
        q.call_next("2", STAFF, now=at(4))
        q.start("2", STAFF, now=at(5))
        q.finish("2", STAFF, now=at(9))
        q.call_next("2", STAFF, now=at(10))
        q.start("2", STAFF, now=at(11))
        q.call_next("2", STAFF, now=at(15))  # "next" finishes the second case's service too
        q.start("2", STAFF, now=at(16))
        q.finish("2", STAFF, now=at(17))

        def served(number: str) -> list[tuple[Any, ...]]:
            return [
                (e.data["action"], e.data["counter"], e.data["ticket"], e.actor_role, e.actor_id, e.at)
                for e in counter.cases.get(number).events
                if e.kind == "staff_action"
            ]

        assert served(first.number) == [
            ("service_started", "2", first.ticket_number, "staff", STAFF, at(5)),
            ("service_finished", "2", first.ticket_number, "staff", STAFF, at(9)),
        ]
        assert served(second.number) == [
            ("service_started", "2", second.ticket_number, "staff", STAFF, at(11)),
            ("service_finished", "2", second.ticket_number, "staff", STAFF, at(15)),
        ]
    finally:
        counter.close()
