"""The queue's pure rules: numbering, the fold of events, the calling rule, the estimate, statistics."""

import datetime as dt
import itertools
import random

import pytest

from kiosk.domain.queue import (
    Candidate,
    EventKind,
    QueueError,
    QueueEventData,
    TicketState,
    TicketTimes,
    age_on,
    ahead_of_priority,
    ahead_of_regular,
    average_minutes,
    called_event_id,
    calling_order,
    choose,
    fold,
    is_elderly,
    kiosk_slot,
    regular_since_priority,
    service_date,
    stat_rows,
    ticket_number,
    ticket_value,
    wait_minutes,
)
from kiosk.domain.sla import BANGKOK

T0 = dt.datetime(2026, 11, 23, 8, 0, tzinfo=BANGKOK)


def _at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


# --- numbering ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kiosks", range(1, 10))
def test_numbers_of_different_slots_never_meet(kiosks: int) -> None:
    seen: dict[int, int] = {}
    for slot in range(1, kiosks + 1):
        for n in range(1, 2000):
            value = ticket_value(slot, kiosks, n)
            assert value % kiosks == slot % kiosks
            assert seen.setdefault(value, slot) == slot, f"{value} issued by slots {seen[value]} and {slot}"


def test_one_kiosk_counts_001_002_and_past_999_to_four_digits() -> None:
    assert [ticket_number("A", 1, 1, n) for n in (1, 2, 3)] == ["A001", "A002", "A003"]
    assert ticket_number("B", 1, 1, 999) == "B999"
    assert ticket_number("B", 1, 1, 1000) == "B1000"
    assert [ticket_number("C", 2, 2, n) for n in (1, 2, 3)] == ["C002", "C004", "C006"]


def test_slot_comes_from_the_kiosk_id_or_the_config() -> None:
    assert kiosk_slot("K02", 0, 1) == 1  # one kiosk: always slot 1, numbers start at 001
    assert kiosk_slot("K02", 0, 2) == 2
    assert kiosk_slot("K07", 3, 4) == 3
    with pytest.raises(QueueError):
        kiosk_slot("K05", 0, 2)  # no slot 5 among 2 kiosks: refused, never a silent collision
    with pytest.raises(QueueError):
        kiosk_slot("KX", 0, 3)


def test_the_service_date_is_the_bangkok_date() -> None:
    late_utc = dt.datetime(2026, 11, 23, 17, 30, tzinfo=dt.UTC)  # 00:30 on the 24th in Bangkok
    assert service_date(late_utc) == dt.date(2026, 11, 24)
    assert service_date(dt.datetime(2026, 11, 23, 16, 59, tzinfo=dt.UTC)) == dt.date(2026, 11, 23)
    with pytest.raises(ValueError):
        service_date(dt.datetime(2026, 11, 23, 9, 0))


def test_age_from_partial_card_dates() -> None:
    today = dt.date(2026, 11, 23)
    assert age_on("1966-11-23", today) == 60
    assert age_on("1966-11-24", today) == 59
    assert age_on("1966", today) == 60
    assert age_on("", today) is None
    assert is_elderly("1960-01-01", today, 60) and not is_elderly("1990-01-01", today, 60)


# --- the fold -----------------------------------------------------------------------------------

_ids = itertools.count()


def _ev(kind: EventKind, minutes: float, counter: str = "", **data: object) -> QueueEventData:
    return QueueEventData(
        id=f"e{next(_ids):05d}",
        kind=kind.value,
        at=_at(minutes),
        ticket_id="t1",
        counter=counter,
        data=dict(data),
    )


def _issued(minutes: float = 0, priority: str = "") -> QueueEventData:
    return _ev(
        EventKind.ISSUED,
        minutes,
        number="A001",
        group="A",
        priority=priority,
        issued_at=_at(minutes).isoformat(),
    )


def test_fold_follows_a_ticket_through_its_life() -> None:
    events = [
        _issued(),
        _ev(EventKind.CALLED, 5, "1"),
        _ev(EventKind.RECALLED, 6, "1"),
        _ev(EventKind.STARTED, 7, "1"),
        _ev(EventKind.FINISHED, 17, "1"),
    ]
    t = fold(reversed(events))  # order of arrival does not matter
    assert t is not None
    assert t.state is TicketState.DONE and t.calls == 2 and t.counter == "1"
    assert (t.first_called_at, t.called_at, t.started_at, t.finished_at) == (_at(5), _at(6), _at(7), _at(17))
    assert fold(events[1:]) is None  # nothing without the issue


def test_first_call_wins_and_the_losers_actions_are_ignored() -> None:
    events = [
        _issued(),
        _ev(EventKind.CALLED, 5, "1"),
        _ev(EventKind.CALLED, 5.5, "2"),  # counter 2 was offline and called the same ticket
        _ev(EventKind.STARTED, 6, "2"),
        _ev(EventKind.STARTED, 6.5, "1"),
    ]
    t = fold(events)
    assert t is not None and t.state is TicketState.SERVING and t.counter == "1" and t.calls == 1


def test_miss_twice_is_a_no_show_and_a_return_rejoins_the_line() -> None:
    t = fold([_issued(), _ev(EventKind.CALLED, 5, "1"), _ev(EventKind.MISSED, 6, "1")])
    assert t is not None and t.state is TicketState.MISSED and t.misses == 1
    t = fold(
        [
            _issued(),
            _ev(EventKind.CALLED, 5, "1"),
            _ev(EventKind.MISSED, 6, "1"),
            _ev(EventKind.CALLED, 9, "2"),
            _ev(EventKind.NO_SHOW, 10, "2"),
            _ev(EventKind.RETURNED, 30),
        ]
    )
    assert t is not None and t.state is TicketState.WAITING and t.line_at == _at(30) and t.misses == 0


def test_transfer_keeps_the_place_the_ticket_gave() -> None:
    t = fold(
        [
            _issued(2),
            _ev(EventKind.CALLED, 5, "1"),
            _ev(EventKind.STARTED, 6, "1"),
            _ev(EventKind.TRANSFERRED, 8, "1", group="B", to_counter="3"),
        ]
    )
    assert t is not None
    assert (t.state, t.group, t.target_counter, t.line_at, t.counter) == (
        TicketState.WAITING,
        "B",
        "3",
        _at(2),
        "",
    )


def test_called_event_ids_are_stable_and_distinct() -> None:
    assert called_event_id("t", "1", 0) == called_event_id("t", "1", 0)
    assert len({called_event_id("t", c, n) for c in "12" for n in range(3)}) == 6


# --- the calling rule ---------------------------------------------------------------------------


def _c(name: str, minutes: float, priority: bool = False, returning: bool = False) -> Candidate:
    return Candidate(name, name, _at(minutes), priority, returning)


def test_an_older_priority_ticket_goes_first() -> None:
    assert choose(_c("A002", 2), _c("A001", 1, True), 0, 2) == _c("A001", 1, True)
    assert choose(_c("A001", 1), _c("A002", 2, True), 0, 2) == _c("A001", 1)
    assert choose(_c("A001", 1), _c("A002", 2, True), 2, 2) == _c("A002", 2, True)
    assert choose(None, _c("A002", 2, True), 0, 2) == _c("A002", 2, True)
    assert choose(None, None, 5, 2) is None


@pytest.mark.parametrize("every", [1, 2, 3, 5])
def test_a_priority_ticket_waits_behind_at_most_every_regular_calls(every: int) -> None:
    rng = random.Random(every)
    regular = [_c(f"R{i:03d}", i) for i in range(60)]
    priority = [_c(f"P{i:03d}", 100 + rng.random() * 50, True) for i in range(12)]  # all younger
    order = calling_order(regular + priority, 0, every)
    assert len(order) == 72
    run = 0
    for c in order:
        if c.priority:
            run = 0
        else:
            run += 1
            pending = [p for p in priority if p not in order[: order.index(c)]]
            assert not pending or run <= every
    # priority tickets among themselves: oldest first
    assert [c for c in order if c.priority] == sorted(priority, key=lambda c: c.line_at)


def test_the_count_since_the_last_priority_call_carries_over() -> None:
    order = calling_order([_c("R1", 1), _c("R2", 2), _c("P1", 3, True)], 1, 2)
    assert [c.id for c in order] == ["R1", "P1", "R2"]
    assert regular_since_priority([False, False, True, False]) == 2
    assert regular_since_priority([]) == 0


def test_a_returning_missed_ticket_comes_first_in_its_line() -> None:
    order = calling_order([_c("R2", 2), _c("R9", 9, returning=True), _c("R1", 1)], 0, 2)
    assert [c.id for c in order] == ["R9", "R1", "R2"]


# --- the estimate -------------------------------------------------------------------------------


def test_average_uses_the_day_once_three_services_are_known() -> None:
    assert average_minutes([], 12) == 12
    assert average_minutes([4, 6], 12) == 12
    assert average_minutes([4, 6, 8], 12) == 6


def test_wait_is_people_ahead_times_average_over_counters_rounded_up() -> None:
    assert wait_minutes(0, 10, 2) == 0
    assert wait_minutes(3, 10, 2) == 15
    assert wait_minutes(3, 7, 2) == 11  # 10.5 -> 11
    assert wait_minutes(4, 5, 0) == 20  # no counter open: as if one


def test_people_ahead_matches_the_simulated_order() -> None:
    # Regular R5 with 4 regulars before it, no older priority, 3 younger ones, rule every 2.
    regular = [_c(f"R{i}", i) for i in range(1, 6)]
    priority = [_c(f"P{i}", 10 + i, True) for i in range(3)]
    order = calling_order(regular + priority, 0, 2)
    assert ahead_of_regular(4, 0, 3, 0, 2) == [c.id for c in order].index("R5")
    # The last priority ticket: 2 priority ahead, every regular older than it.
    assert ahead_of_priority(2, 5, 0, 2) == [c.id for c in order].index("P2")


# --- statistics ---------------------------------------------------------------------------------


def test_stat_rows_per_day_group_and_counter() -> None:
    day = T0.date()

    def times(
        group: str,
        counter: str,
        state: str,
        issued: float,
        called: float | None,
        s: float | None,
        f: float | None,
    ) -> TicketTimes:
        return TicketTimes(
            day,
            group,
            counter,
            state,
            _at(issued),
            _at(called) if called is not None else None,
            _at(s) if s is not None else None,
            _at(f) if f is not None else None,
        )

    rows = stat_rows(
        [
            times("A", "1", "done", 0, 10, 11, 21),
            times("A", "1", "done", 5, 25, 26, 30),
            times("A", "1", "no_show", 6, 30, None, None),
            times("A", "", "waiting", 40, None, None, None),
            times("B", "2", "done", 0, 2, 3, 9),
        ]
    )
    a1 = next(r for r in rows if (r.group, r.counter) == ("A", "1"))
    assert (a1.tickets, a1.served, a1.no_shows) == (3, 2, 1)
    assert a1.avg_wait_minutes == pytest.approx((10 + 20 + 24) / 3)
    assert a1.max_wait_minutes == 24
    assert a1.avg_service_minutes == pytest.approx(7)
    assert a1.no_show_rate == pytest.approx(1 / 3)
    never = next(r for r in rows if r.counter == "-")
    assert (never.tickets, never.avg_wait_minutes) == (1, None)
    assert [(r.group, r.counter) for r in rows] == [("A", "-"), ("A", "1"), ("B", "2")]
