"""The server's side of the office queue over HTTP on loopback, PostgreSQL behind it: events stored
once and numbered for the pull, claims that let exactly one counter call a ticket, and the ticket
projection keeping the first call."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from central.db import Database as CentralDatabase
from central.db import upgrade
from central.queue import QueueService
from kiosk.sync.client import CentralClient
from kiosk.wire import API_PREFIX, QueuePushStatus, WireQueueEvent
from tests.integration.central.harness import Server, new_kiosk_id, service

pytestmark = pytest.mark.integration

DAY = "2026-11-24"
T0 = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)  # 09:00 in Bangkok


class Device:
    def __init__(self, pg_url: str, server: Server) -> None:
        self.id = new_kiosk_id()
        answer = CentralClient.enrol(server.url, service(pg_url).enrolment_code(self.id))
        self.token = answer.token
        self.client = CentralClient(server.url, answer.token)

    def event(
        self, kind: str, ticket: str | None, at: dt.datetime, *, counter: str = "", **data: Any
    ) -> WireQueueEvent:
        return WireQueueEvent(
            id=uuid.uuid4(),
            ticket_id=uuid.UUID(ticket) if ticket else None,
            service_date=DAY,
            kind=kind,
            at=at,
            counter=counter,
            staff_id=f"S-{counter}" if counter else "",
            kiosk_id=self.id,
            data=data,
        )

    def issue(self, count: int, prefix: str = "A") -> list[tuple[str, WireQueueEvent]]:
        tickets = []
        for n in range(count):
            ticket = str(uuid.uuid4())
            at = T0 + dt.timedelta(seconds=n)
            tickets.append(
                (
                    ticket,
                    self.event(
                        "issued", ticket, at, number=f"{prefix}{n + 1:03d}", group=prefix, priority=""
                    ),
                )
            )
        return tickets


@pytest.fixture
def office(pg_url: str, server: Server) -> Iterator[list[Device]]:
    devices = [Device(pg_url, server) for _ in range(3)]
    yield devices
    for d in devices:
        d.client.close()


@pytest.fixture
def queue_db(pg_url: str) -> Iterator[QueueService]:
    db = CentralDatabase(pg_url)
    yield QueueService(db)
    db.close()


def test_events_are_stored_once_and_pulled_in_order_page_by_page(office: list[Device]) -> None:
    kiosk, counter, _ = office
    start = counter.client.pull_queue(0, 1000).cursor
    tickets = kiosk.issue(30, prefix="P")
    events = [e for _, e in tickets]
    first = kiosk.client.push_queue(events)
    again = kiosk.client.push_queue(events)
    assert {r.status for r in first.results} == {QueuePushStatus.APPLIED}
    assert {r.status for r in again.results} == {QueuePushStatus.DUPLICATE}

    seen: list[int] = []
    ids: list[str] = []
    cursor = start
    while True:
        page = counter.client.pull_queue(cursor, 7)
        seen += [e.n for e in page.events]
        ids += [str(e.id) for e in page.events]
        cursor = page.cursor
        if not page.more:
            break
    assert seen == sorted(seen) and len(set(seen)) == len(seen)
    assert {str(e.id) for e in events} <= set(ids)
    assert counter.client.pull_queue(cursor, 7).events == []


def test_a_device_pushes_only_its_own_well_formed_events(office: list[Device]) -> None:
    kiosk, other, _ = office
    ticket = str(uuid.uuid4())
    forged = other.event("issued", ticket, T0, number="Z001", group="Z")
    spoofed = forged.model_copy(update={"kiosk_id": kiosk.id})
    nameless = kiosk.event("issued", ticket, T0, group="Z")
    too_long = kiosk.event("issued", ticket, T0, number="Z001", group="TOOLONG")
    answer = kiosk.client.push_queue([forged, nameless, too_long])
    assert [r.status for r in answer.results] == [QueuePushStatus.REJECTED] * 3
    # The same event sent by its own device is fine.
    assert other.client.push_queue([spoofed.model_copy(update={"kiosk_id": other.id})]).results[0].status in (
        QueuePushStatus.APPLIED,
        QueuePushStatus.DUPLICATE,
    )


def test_two_counters_claiming_the_same_tickets_at_once_one_gets_each(
    office: list[Device], server: Server, queue_db: QueueService
) -> None:
    kiosk, first, second = office
    tickets = kiosk.issue(20, prefix="C")
    kiosk.client.push_queue([e for _, e in tickets])
    outcomes: dict[str, dict[str, object]] = {t: {} for t, _ in tickets}
    barrier = threading.Barrier(2)

    def counter(device: Device, name: str) -> None:
        # A client per thread: CentralClient is not shared between threads.
        with CentralClient(server.url, device.token) as client:
            barrier.wait()
            for ticket, _ in tickets:
                claim = device.event("called", ticket, T0 + dt.timedelta(minutes=5), counter=name)
                outcomes[ticket][name] = client.claim(claim)

    threads = [threading.Thread(target=counter, args=(d, n)) for d, n in ((first, "1"), (second, "2"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    projection = {t.id: t for t in queue_db.tickets(DAY)}
    for ticket, answers in outcomes.items():
        granted = [name for name, refused in answers.items() if refused is None]
        assert len(granted) == 1, answers
        loser = next(refused for refused in answers.values() if refused is not None)
        assert loser.counter == granted[0] and loser.state == "called"  # type: ignore[attr-defined]
        assert any(e.kind == "called" and e.counter == granted[0] for e in loser.events)  # type: ignore[attr-defined]
        assert projection[ticket].counter == granted[0] and projection[ticket].calls == 1


def test_the_projection_keeps_the_first_call_and_the_log_keeps_both(
    office: list[Device], queue_db: QueueService
) -> None:
    kiosk, online, offline = office
    (late, late_issue), (early, early_issue) = kiosk.issue(2, prefix="F")
    kiosk.client.push_queue([late_issue, early_issue])
    # Online counter 1 calls both at 09:10 (granted); counter 2 was offline and called them too,
    # one at 09:20 (after) and one at 09:05 (before): first call wins, whoever pushed first.
    for ticket in (late, early):
        assert (
            online.client.claim(online.event("called", ticket, T0 + dt.timedelta(minutes=10), counter="1"))
            is None
        )
    offline.client.push_queue(
        [
            offline.event("called", late, T0 + dt.timedelta(minutes=20), counter="2"),
            offline.event("started", late, T0 + dt.timedelta(minutes=21), counter="2"),
            offline.event("called", early, T0 + dt.timedelta(minutes=5), counter="2"),
        ]
    )
    projection = {t.id: t for t in queue_db.tickets(DAY)}
    assert (projection[late].counter, projection[late].state, projection[late].ignored_calls) == (
        "1",
        "called",
        1,
    )
    assert (projection[early].counter, projection[early].ignored_calls) == ("2", 1)
    # Now counter 1's claim for `early` is history: a third counter cannot have it either.
    refused = online.client.claim(online.event("called", early, T0 + dt.timedelta(minutes=30), counter="3"))
    assert refused is not None and refused.counter == "2"
    assert queue_db.duplicates(DAY) == {}


def test_claims_must_be_calls_of_the_callers_own_device(office: list[Device], server: Server) -> None:
    kiosk, other, _ = office
    ticket, issued = kiosk.issue(1, prefix="G")[0]
    kiosk.client.push_queue([issued])
    headers = {"Authorization": f"Bearer {kiosk.token}"}
    not_a_call = kiosk.event("started", ticket, T0, counter="1")
    not_mine = other.event("called", ticket, T0, counter="1")
    for event in (not_a_call, not_mine):
        answer = httpx.post(
            server.url + API_PREFIX + "/queue/claim",
            content=f'{{"event": {event.model_dump_json()}}}',
            headers={**headers, "Content-Type": "application/json"},
        )
        assert answer.status_code == 422
    assert httpx.post(server.url + API_PREFIX + "/queue/claim", json={"event": {}}).status_code == 401


def test_a_pull_leaves_out_days_before_since(office: list[Device]) -> None:
    kiosk, counter, _ = office
    cursor = counter.client.pull_queue(0, 1000).cursor
    old = kiosk.event("issued", str(uuid.uuid4()), T0 - dt.timedelta(days=30), number="O001", group="O")
    old = old.model_copy(update={"service_date": "2026-10-25"})
    new = kiosk.event("issued", str(uuid.uuid4()), T0, number="N001", group="N")
    kiosk.client.push_queue([old, new])
    page = counter.client.pull_queue(cursor, 100, since="2026-11-20")
    assert [str(e.id) for e in page.events] == [str(new.id)]
    assert page.cursor > cursor


def test_the_embedded_sqlite_server_keeps_the_queue_too(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'central.sqlite'}"
    db = CentralDatabase(url)
    upgrade(db.engine)
    db.close()
    running = Server(url, log_dir=tmp_path).start()
    try:
        kiosk, one, two = (Device(url, running) for _ in range(3))
        ticket, issued = kiosk.issue(1, prefix="S")[0]
        assert kiosk.client.push_queue([issued]).results[0].status is QueuePushStatus.APPLIED
        assert (
            one.client.claim(one.event("called", ticket, T0 + dt.timedelta(minutes=1), counter="1")) is None
        )
        refused = two.client.claim(two.event("called", ticket, T0 + dt.timedelta(minutes=2), counter="2"))
        assert refused is not None and refused.counter == "1" and refused.number == "S001"
        page = two.client.pull_queue(0, 100)
        assert [e.kind for e in page.events] == ["issued", "called"] and not page.more
        db = CentralDatabase(url)
        assert QueueService(db).tickets(DAY)[0].counter == "1"
        db.close()
        for d in (kiosk, one, two):
            d.client.close()
    finally:
        running.stop()
