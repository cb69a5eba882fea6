"""Several devices, one office queue: numbering across kiosks that cannot reach each other, and the
merge of their events (idempotent, order-independent, the first call wins)."""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections import Counter as Tally
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kiosk.config import Config, Queue
from kiosk.domain.sla import BANGKOK
from kiosk.storage.db import Database
from kiosk.storage.models import QueueEvent, QueueTicket
from kiosk.storage.queue import QueueStore

DAY = dt.datetime(2026, 11, 23, 8, 0, tzinfo=BANGKOK)
STAFF = "S001"


def at(minutes: float) -> dt.datetime:
    return DAY + dt.timedelta(minutes=minutes)


def device(path: Path, kiosk_id: str, **settings: Any) -> QueueStore:
    return QueueStore(Database(path), Config(queue=Queue(**settings)), kiosk_id=kiosk_id)


def exchange(*devices: QueueStore) -> None:
    """What the central server does, done directly: every device gets every other device's events."""
    outgoing = {id(d): d.unsynced_events(limit=1_000_000) for d in devices}
    for d in devices:
        for other in devices:
            if other is not d:
                d.apply_remote(outgoing[id(other)])
    for d in devices:
        d.mark_synced([e["id"] for e in outgoing[id(d)]])


def snapshot(q: QueueStore) -> list[tuple[Any, ...]]:
    with q.db.session() as s:
        rows = s.scalars(select(QueueTicket).order_by(QueueTicket.id))
        return [
            (
                r.id,
                r.service_date,
                r.number,
                r.group,
                r.priority,
                r.state,
                r.kiosk_id,
                r.issued_at,
                r.line_at,
                r.counter,
                r.target_counter,
                r.first_called_at,
                r.called_at,
                r.started_at,
                r.finished_at,
                r.calls,
                r.misses,
            )
            for r in rows
        ]


def all_events(q: QueueStore) -> list[dict[str, Any]]:
    with q.db.session() as s:
        rows = list(s.scalars(select(QueueEvent).order_by(QueueEvent.seq)))
    return [
        {
            "id": r.id,
            "ticket_id": r.ticket_id,
            "service_date": r.service_date,
            "kind": r.kind,
            "at": r.at.isoformat(),
            "counter": r.counter,
            "staff_id": r.staff_id,
            "kiosk_id": r.kiosk_id,
            "data": r.data,
        }
        for r in rows
    ]


def _issue_batch(q: QueueStore, groups: str, start: float) -> None:
    """Several tickets in one unit of work: the same number allocation as `issue`, fewer fsyncs."""
    with q.db.unit_of_work() as s, s.begin():
        for i, g in enumerate(groups):
            q.issue_in(s, g, now=at(start + i * 0.001))


@pytest.mark.slow
@pytest.mark.parametrize("online", [False, True], ids=["offline", "online"])
def test_two_kiosks_issue_thousands_of_tickets_without_a_duplicate(tmp_path: Path, online: bool) -> None:
    k1 = device(tmp_path / "k1", "K01", kiosks=2, slot=1)
    k2 = device(tmp_path / "k2", "K02", kiosks=2)  # slot 0: from the id, K02 -> 2
    rng = random.Random(7 if online else 8)
    issued: dict[str, list[str]] = {"K01": [], "K02": []}
    clock = 0.0
    for round_ in range(52):
        for q in rng.sample([k1, k2], 2):
            groups = "".join(rng.choice("AABC") for _ in range(rng.randint(10, 30)))
            _issue_batch(q, groups, clock)
            clock += 0.05
        # the real path too: one ticket per transaction, with its estimate
        for q in (k1, k2):
            issued[q.kiosk_id].append(
                q.issue(
                    rng.choice("ABC"), priority=rng.choice(["", "", "elderly"]), now=at(clock)
                ).ticket.number
            )
            clock += 0.01
        if online and round_ % 3 == 0:
            exchange(k1, k2)
    exchange(k1, k2)
    one, two = snapshot(k1), snapshot(k2)
    assert one == two, "both kiosks see the same office queue"
    total = len(one)
    assert total > 2000
    tally = Tally((r[1], r[2]) for r in one)
    assert max(tally.values()) == 1, "a number was issued twice on one day"
    assert not any("/" in r[2] for r in one), "a clash was patched up: the scheme failed"
    # each kiosk's numbers are its own residue class, without gaps
    for kiosk, slot in (("K01", 1), ("K02", 2)):
        mine = [r for r in one if r[6] == kiosk]
        for group in "ABC":
            values = sorted(int(r[2][1:]) for r in mine if r[3] == group)
            assert values == [slot + 2 * n for n in range(len(values))]
    assert all(int(n[1:]) % 2 == 1 for n in issued["K01"]) and all(int(n[1:]) % 2 == 0 for n in issued["K02"])
    assert k1.unsynced_events() == [] and k2.unsynced_events() == []


def test_apply_remote_is_idempotent_and_order_free(tmp_path: Path) -> None:
    kiosk = device(tmp_path / "kiosk", "K01")
    for i in range(12):
        kiosk.issue("ABC"[i % 3], priority="monk" if i == 7 else "", now=at(i))
    kiosk.open_counter("1", STAFF, now=at(20))
    kiosk.open_counter("3", STAFF, now=at(20))
    for i in range(5):
        counter = "13"[i % 2]
        kiosk.call_next(counter, STAFF, now=at(21 + 3 * i))
        if i == 2:
            kiosk.miss(counter, STAFF, now=at(22 + 3 * i))
            continue
        kiosk.start(counter, STAFF, now=at(22 + 3 * i))
        if i == 3:
            kiosk.transfer(counter, STAFF, group="C", reason="ส่งต่อ", now=at(23 + 3 * i))
        else:
            kiosk.finish(counter, STAFF, now=at(23 + 3 * i))
    kiosk.set_priority("A004", "elderly", STAFF, "อายุ 70", now=at(40))
    events = all_events(kiosk)
    expected = snapshot(kiosk)

    mirror = device(tmp_path / "mirror", "C01")
    assert mirror.apply_remote(events) == len(events)
    assert snapshot(mirror) == expected
    assert mirror.apply_remote(events) == 0  # twice: nothing new, nothing changes
    assert snapshot(mirror) == expected
    assert mirror.board(now=at(41)).counters == kiosk.board(now=at(41)).counters

    shuffled = device(tmp_path / "shuffled", "C02")
    mixed = events[:]
    random.Random(3).shuffle(mixed)
    half = len(mixed) // 2
    # the later half first: calls arrive before the tickets they call
    assert shuffled.apply_remote(mixed[half:]) + shuffled.apply_remote(mixed[:half]) == len(events)
    assert snapshot(shuffled) == expected
    assert shuffled.apply_remote(mixed) == 0
    # remote events are not sent on again
    assert mirror.unsynced_events() == [] and shuffled.unsynced_events() == []


def test_first_call_wins_when_two_offline_counters_call_the_same_ticket(tmp_path: Path) -> None:
    kiosk = device(tmp_path / "kiosk", "K01")
    d1 = device(tmp_path / "d1", "C01")
    d2 = device(tmp_path / "d2", "C02")
    kiosk.issue("A", now=at(0))
    kiosk.issue("A", now=at(1))
    exchange(kiosk, d1, d2)
    d1.open_counter("1", STAFF, now=at(2))
    d2.open_counter("2", "S002", now=at(2))
    # the network is down: both counters see A001 first and call it
    first = d1.call_next("1", STAFF, now=at(3))
    second = d2.call_next("2", "S002", now=at(3.5))
    assert first is not None and second is not None and first.id == second.id
    d2.start("2", "S002", now=at(4))
    exchange(kiosk, d1, d2)
    for q in (kiosk, d1, d2):
        ticket = q.ticket("A001", DAY.date())
        assert (ticket.state, ticket.counter, ticket.calls) == ("called", "1", 1)
        assert q.counter_view("2").current is None if q is not kiosk else True
        assert [(c.number, c.counter) for c in q.board(now=at(5)).calls] == [("A001", "1")]
    assert snapshot(kiosk) == snapshot(d1) == snapshot(d2)
    # the losing counter simply calls again and gets the next ticket
    after = d2.call_next("2", "S002", now=at(5))
    assert after is not None and after.number == "A002"
    # the counters' states travelled too
    assert [c.state for c in kiosk.board(now=at(5)).counters] == ["open", "open", "closed"]


def test_a_claim_refused_online_makes_call_next_try_the_next_ticket(tmp_path: Path) -> None:
    q = device(tmp_path / "d", "C01")
    for i in range(3):
        q.issue("B", now=at(i))
    q.open_counter("2", STAFF, now=at(5))
    asked: list[tuple[str, str]] = []

    def claim(ticket: Any, counter: str) -> bool:
        asked.append((ticket.number, counter))
        return ticket.number != "B001"  # the server says another counter has B001

    called = q.call_next("2", STAFF, now=at(6), claim=claim)
    assert called is not None and called.number == "B002"
    assert asked == [("B001", "2"), ("B002", "2")]
    assert q.ticket("B001", DAY.date()).state == "waiting"
    q.start("2", STAFF, now=at(7))
    assert q.call_next("2", STAFF, now=at(8), claim=lambda t, c: False) is None
    assert q.ticket("B002", DAY.date()).state == "done"  # "next": the served applicant is done


def test_the_claimed_call_is_stored_once(tmp_path: Path) -> None:
    from kiosk.domain.queue import called_event_id

    q = device(tmp_path / "d", "C01")
    ticket = q.issue("C", now=at(0)).ticket
    q.open_counter("3", STAFF, now=at(1))
    server_copy: list[dict[str, Any]] = []

    def claim(t: Any, counter: str) -> bool:
        server_copy.append(
            {
                "id": called_event_id(t.id, counter, t.calls),
                "ticket_id": t.id,
                "service_date": t.service_date.isoformat(),
                "kind": "called",
                "at": at(2).isoformat(),
                "counter": counter,
                "staff_id": STAFF,
                "kiosk_id": "C01",
                "data": {"number": t.number, "group": t.group, "priority": t.priority},
            }
        )
        return True

    q.call_next("3", STAFF, now=at(2), claim=claim)
    pushed = [e for e in q.unsynced_events() if e["kind"] == "called"]
    assert [e["id"] for e in pushed] == [server_copy[0]["id"]]
    assert q.apply_remote(server_copy) == 0  # the pull brings it back: already here
    assert q.ticket(ticket.number, DAY.date()).calls == 1


def test_unsynced_events_and_mark_synced(tmp_path: Path) -> None:
    q = device(tmp_path / "d", "K01")
    q.issue("A", now=at(0))
    q.open_counter("1", STAFF, now=at(1))
    q.call_next("1", STAFF, now=at(2))
    events = q.unsynced_events()
    assert [e["kind"] for e in events] == ["issued", "counter_open", "called"]
    assert events[0]["data"]["number"] == "A001" and events[1]["ticket_id"] is None
    assert dt.datetime.fromisoformat(events[2]["at"]) == at(2)
    q.mark_synced([events[0]["id"], "not-an-event"], now=at(3))
    assert [e["kind"] for e in q.unsynced_events()] == ["counter_open", "called"]
    assert len(q.unsynced_events(limit=1)) == 1


def test_a_local_action_that_sorts_before_a_remote_event_rebuilds_the_ticket(tmp_path: Path) -> None:
    kiosk = device(tmp_path / "kiosk", "K01")
    counter = device(tmp_path / "counter", "C01")
    kiosk.issue("A", now=at(0))
    exchange(kiosk, counter)
    # the kiosk's clock runs ahead: staff there mark the ticket priority "at 10:05"
    kiosk.set_priority("A001", "monk", STAFF, "พระภิกษุ", now=at(125))
    exchange(kiosk, counter)
    counter.open_counter("1", STAFF, now=at(120))
    called = counter.call_next("1", STAFF, now=at(121))  # recorded before the remote event in (at, id)
    assert called is not None and called.priority == "monk" and called.state == "called"
    exchange(kiosk, counter)
    assert snapshot(kiosk) == snapshot(counter)


def test_two_kiosks_given_the_same_slot_lose_no_ticket(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    k1 = device(tmp_path / "k1", "K01", kiosks=2, slot=1)
    k2 = device(tmp_path / "k2", "K02", kiosks=2, slot=1)  # misconfigured: both slot 1
    for i in range(3):
        k1.issue("A", now=at(i))
        k2.issue("A", now=at(i + 0.5))
    with caplog.at_level(logging.WARNING, logger="kiosk.storage.queue"):
        exchange(k1, k2)
    assert snapshot(k1) == snapshot(k2), "both kiosks show the same numbers"
    tickets = snapshot(k1)
    assert len(tickets) == 6
    numbers = sorted(r[2] for r in tickets)
    assert len(set(numbers)) == 6 and sum("/" in n for n in numbers) == 3  # shown apart, none lost
    # the later of each pair (issue time, then id) carries the suffix, whichever device it arrived on
    assert sorted((r[2], r[6]) for r in tickets) == [
        ("A001", "K01"),
        ("A001/K02", "K02"),
        ("A003", "K01"),
        ("A003/K02", "K02"),
        ("A005", "K01"),
        ("A005/K02", "K02"),
    ]
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings and all("queue.slot" in w and "K01" in w and "K02" in w for w in warnings)
    assert k1.issue("A", now=at(10)).ticket.number == "A007"
    exchange(k1, k2)
    assert k2.issue("A", now=at(11)).ticket.number == "A009"  # A007 is used here already: skipped
    exchange(k1, k2)
    assert snapshot(k1) == snapshot(k2)


def test_a_clash_arriving_in_one_batch_is_told_apart_the_same_way(tmp_path: Path) -> None:
    k1 = device(tmp_path / "k1", "K01", kiosks=2, slot=1)
    k2 = device(tmp_path / "k2", "K02", kiosks=2, slot=1)
    k2.issue("B", now=at(0))  # the older B001
    k1.issue("B", now=at(1))
    mirror = device(tmp_path / "mirror", "C01")
    mirror.apply_remote(k1.unsynced_events() + k2.unsynced_events())
    exchange(k1, k2)
    assert snapshot(mirror) == snapshot(k1) == snapshot(k2)
    assert sorted((r[2], r[6]) for r in snapshot(mirror)) == [("B001", "K02"), ("B001/K01", "K01")]
