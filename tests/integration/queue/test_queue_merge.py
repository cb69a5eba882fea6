"""The office queue across devices, over real HTTP on loopback with PostgreSQL behind the server.

Two ticket kiosks (slots 1 and 2 of `kiosks = 2`) and counter stations, each its own data directory
with its own SQLite database and enrolment. Issuing and calling go on while a device is offline;
after sync the server and every device hold the same tickets, no number twice, none lost, and a
ticket two counters called while apart is the first caller's everywhere.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from central.db import Database as CentralDatabase
from central.models import QueueCounter as ServerCounter
from central.models import QueueEvent as ServerEvent
from central.models import QueueTicket as ServerTicket
from kiosk.counter import Counter
from kiosk.domain.queue import service_date
from kiosk.storage.models import QueueEvent, QueueTicket
from kiosk.storage.queue import QueueStore, TicketView
from kiosk.sync.client import CentralClient, ServerUnavailable
from kiosk.sync.credentials import Credential, save_credential
from kiosk.sync.queue_sync import QueueClaimer, QueueSync
from kiosk.sync.store import SyncStore
from kiosk.sync.worker import SyncEngine, SyncWorker
from tests.integration.central.harness import (
    FaultProxy,
    Server,
    free_port,
    fresh_postgres,
    new_kiosk_id,
    service,
    wait_for,
)

pytestmark = pytest.mark.integration

GROUPS = ("A", "B", "C")


class Device:
    """A kiosk or counter station: its data directory, database, queue and enrolment."""

    def __init__(self, data_dir: Path, *, slot: int = 0, kiosks: int = 2) -> None:
        self.kiosk_id = new_kiosk_id()
        data_dir.mkdir(parents=True)
        (data_dir / "kiosk.toml").write_text(
            f'[kiosk]\nid = "{self.kiosk_id}"\n\n[queue]\nkiosks = {kiosks}\nslot = {slot}\n',
            encoding="utf-8",
        )
        self.data_dir = data_dir
        self.counter = Counter.open(data_dir)
        self.queue = QueueStore(self.counter.db, self.counter.config, kiosk_id=self.kiosk_id)
        self.sync = QueueSync(self.queue, self.counter.db)
        self.token = ""

    def enrol(self, pg_url: str, server_url: str) -> Device:
        answer = CentralClient.enrol(server_url, service(pg_url).enrolment_code(self.kiosk_id))
        save_credential(self.data_dir, Credential(server_url, answer.kiosk_id, answer.token))
        self.token = answer.token
        return self

    def client(self, url: str, timeout: float = 10.0) -> CentralClient:
        return CentralClient(url, self.token, timeout=timeout)

    def sync_once(self, url: str) -> None:
        """A whole sync pass, cases and queue, as the kiosk's worker runs it."""
        with self.client(url) as client:
            SyncEngine(SyncStore(self.counter.db), queue=self.sync).run_once(client)

    def claimer(self, url: str, staff_id: str, *, timeout: float = 3.0) -> QueueClaimer:
        return QueueClaimer(
            self.queue, lambda: self.client(url, timeout), kiosk_id=self.kiosk_id, staff_id=staff_id
        )

    def issue(self, count: int, *, batch: int = 250, groups: tuple[str, ...] = GROUPS) -> list[str]:
        """`count` tickets over the groups, `batch` per transaction (a busy morning, quickly)."""
        ids: list[str] = []
        for start in range(0, count, batch):
            with self.counter.db.unit_of_work() as s, s.begin():
                for i in range(start, min(count, start + batch)):
                    now = dt.datetime.now(dt.UTC)
                    ids.append(self.queue.issue_in(s, groups[i % len(groups)], now=now).id)
        return ids

    def tickets(self) -> dict[str, tuple[str, str, str, str]]:
        with self.counter.db.session() as s:
            return {
                t.id: (t.number, t.state, t.counter, t.kiosk_id)
                for t in s.scalars(select(QueueTicket).where(QueueTicket.service_date == today()))
            }

    def unsynced(self) -> int:
        with self.counter.db.session() as s:
            return (
                s.scalar(select(func.count()).select_from(QueueEvent).where(QueueEvent.synced_at.is_(None)))
                or 0
            )

    def close(self) -> None:
        self.counter.close()


def today() -> str:
    return service_date(dt.datetime.now(dt.UTC)).isoformat()


def server_tickets(pg_url: str) -> dict[str, tuple[str, str, str, str]]:
    db = CentralDatabase(pg_url)
    try:
        with db.session() as s:
            return {
                t.id: (t.number, t.state, t.counter, t.kiosk_id)
                for t in s.scalars(select(ServerTicket).where(ServerTicket.service_date == today()))
            }
    finally:
        db.close()


def server_ticket(pg_url: str, ticket_id: str) -> ServerTicket:
    db = CentralDatabase(pg_url)
    try:
        with db.session() as s:
            return s.get_one(ServerTicket, ticket_id)
    finally:
        db.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh office per test: one server is one office, and these tests all run "today"."""
    with fresh_postgres("kc_queue_merge") as url:
        yield url


@pytest.fixture
def server(pg_url: str, tmp_path: Path) -> Iterator[Server]:
    running = Server(pg_url, log_dir=tmp_path).start()
    yield running
    running.stop()


@pytest.fixture
def devices(tmp_path: Path, pg_url: str, server: Server) -> Iterator[Callable[..., Device]]:
    made: list[Device] = []

    def make(name: str, slot: int = 0) -> Device:
        device = Device(tmp_path / name, slot=slot).enrol(pg_url, server.url)
        made.append(device)
        return device

    yield make
    for d in made:
        d.close()


def open_counter(device: Device, counter: str, staff: str) -> None:
    device.queue.open_counter(counter, staff)


@pytest.mark.slow
def test_two_kiosks_one_offline_merge_thousands_of_tickets(
    devices: Callable[..., Device], pg_url: str, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    make = devices
    first: Device = make("kiosk1", 1)
    second: Device = make("kiosk2", 2)
    station: Device = make("counter")

    started = time.perf_counter()
    issued_first: list[str] = []
    for _ in range(4):  # online: issues and syncs as it goes
        issued_first += first.issue(250)
        first.sync_once(server.url)
    issued_second = second.issue(1000)  # offline all along
    issuing = time.perf_counter() - started
    assert second.unsynced() == 1000 and first.unsynced() == 0

    started = time.perf_counter()
    second.sync_once(server.url)  # pushes its 1,000, pulls the other 1,000
    merge_offline = time.perf_counter() - started
    started = time.perf_counter()
    first.sync_once(server.url)
    merge_online = time.perf_counter() - started
    started = time.perf_counter()
    station.sync_once(server.url)  # a counter station that never issued: all 2,000 at once
    fresh = time.perf_counter() - started

    expected = set(issued_first) | set(issued_second)
    assert len(expected) == 2000
    at_server = server_tickets(pg_url)
    assert set(at_server) == expected, "tickets lost or invented at the server"
    for device in (first, second, station):
        local = {k: v for k, v in device.tickets().items() if k in expected}
        assert local == at_server, f"{device.kiosk_id} differs from the server"
        assert device.unsynced() == 0
    numbers = [n for n, *_ in at_server.values()]
    assert len(set(numbers)) == len(numbers) == 2000, "a number issued twice"
    # The slots keep the kiosks apart: kiosk 1 odd numbers, kiosk 2 even ones.
    assert {int(n[1:]) % 2 for n, *_, k in at_server.values() if k == first.kiosk_id} == {1}
    assert {int(n[1:]) % 2 for n, *_, k in at_server.values() if k == second.kiosk_id} == {0}
    db = CentralDatabase(pg_url)
    with db.session() as s:
        copies = s.execute(
            select(ServerEvent.ticket_id, func.count())
            .where(ServerEvent.ticket_id.in_(sorted(expected)[:500]))
            .group_by(ServerEvent.ticket_id)
        ).all()
    db.close()
    assert {n for _, n in copies} == {1}, "an issued event stored twice"
    with capsys.disabled():
        print(
            f"\n[queue merge] 2,000 tickets issued in {issuing:.2f}s; offline kiosk's pass (push 1,000, "
            f"pull 1,000) {merge_offline:.2f}s; online kiosk's pass (pull 1,000) {merge_online:.2f}s; "
            f"new counter station's pass (pull 2,000) {fresh:.2f}s"
        )

    # A counter station calls what kiosk 1 issued, once it has synced.
    open_counter(station, "1", "S001")
    claimer = QueueClaimer.for_device(station.queue, station.data_dir, station.counter.config)
    called = station.queue.call_next("1", "S001", claim=claimer.for_staff("S001"))
    claimer.close()
    assert called is not None and called.kiosk_id == first.kiosk_id and called.state == "called"
    # The claim put the call at the server before any sync pass.
    assert claimer.offline_calls == 0 and server_tickets(pg_url)[called.id][1:3] == ("called", "1")
    first.sync_once(server.url)
    station.sync_once(server.url)
    first.sync_once(server.url)
    assert first.tickets()[called.id][1:3] == ("called", "1")
    assert server_tickets(pg_url)[called.id][1:3] == ("called", "1")


def test_two_counters_calling_online_never_get_the_same_ticket(
    devices: Callable[..., Device], pg_url: str, server: Server
) -> None:
    make = devices
    kiosk: Device = make("kiosk", 1)
    one: Device = make("counter1")
    two: Device = make("counter2")
    ids = set(kiosk.issue(30, groups=("A",)))  # one line: both counters want the same ticket
    kiosk.sync_once(server.url)
    for device, counter, staff in ((one, "1", "S001"), (two, "2", "S002")):
        device.sync_once(server.url)
        open_counter(device, counter, staff)
    calls: dict[str, list[TicketView]] = {"1": [], "2": []}
    barrier = threading.Barrier(2)
    refused: dict[str, int] = {}

    def work(device: Device, counter: str, staff: str) -> None:
        claimer = device.claimer(server.url, staff)
        for _ in range(8):
            barrier.wait()
            ticket = device.queue.call_next(counter, staff, claim=claimer.for_staff(staff))
            assert ticket is not None
            calls[counter].append(ticket)
            device.queue.start(counter, staff)
            device.queue.finish(counter, staff)
        refused[counter] = claimer.refused
        claimer.close()

    threads = [
        threading.Thread(target=work, args=(one, "1", "S001")),
        threading.Thread(target=work, args=(two, "2", "S002")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    got_one = {t.id for t in calls["1"]}
    got_two = {t.id for t in calls["2"]}
    assert len(got_one) == len(got_two) == 8
    assert not got_one & got_two, "two counters called the same ticket"
    assert sum(refused.values()) >= 1, "the counters never wanted the same ticket: nothing was tested"
    assert (got_one | got_two) <= ids
    for device in (one, two, kiosk, one, two):
        device.sync_once(server.url)
    at_server = server_tickets(pg_url)
    for device in (kiosk, one, two):
        assert {k: v for k, v in device.tickets().items() if k in ids} == {
            k: v for k, v in at_server.items() if k in ids
        }
    assert {at_server[t][1:3] for t in got_one} == {("done", "1")}
    assert {at_server[t][1:3] for t in got_two} == {("done", "2")}
    assert all(server_ticket(pg_url, t).ignored_calls == 0 for t in got_one | got_two)


def test_an_offline_counter_loses_a_ticket_another_called_first(
    devices: Callable[..., Device], pg_url: str, server: Server
) -> None:
    make = devices
    kiosk: Device = make("kiosk", 1)
    online: Device = make("online")
    offline: Device = make("offline")
    kiosk.issue(3, groups=("A",))
    kiosk.sync_once(server.url)
    for device, counter, staff in ((online, "1", "S001"), (offline, "2", "S002")):
        device.sync_once(server.url)
        open_counter(device, counter, staff)
    first = online.queue.call_next("1", "S001", claim=online.claimer(server.url, "S001").for_staff("S001"))
    assert first is not None
    # The other station lost its network: its claim cannot reach the server, so it calls locally
    # what it can see, the same ticket, a little later.
    nowhere = f"http://127.0.0.1:{free_port()}"
    claimer = offline.claimer(nowhere, "S002", timeout=1.0)
    started = time.perf_counter()
    second = offline.queue.call_next("2", "S002", claim=claimer.for_staff("S002"))
    assert time.perf_counter() - started < 5
    assert second is not None and second.id == first.id and claimer.offline_calls == 1
    assert offline.queue.counter_view("2").current is not None

    offline.sync_once(server.url)
    online.sync_once(server.url)
    kiosk.sync_once(server.url)
    expected = ("called", "1")
    assert server_tickets(pg_url)[first.id][1:3] == expected
    assert server_ticket(pg_url, first.id).ignored_calls == 1
    for device in (kiosk, online, offline):
        assert device.tickets()[first.id][1:3] == expected, device.kiosk_id
    # The losing counter's current ticket is gone on refresh; it calls the next one.
    assert offline.queue.counter_view("2").current is None
    nxt = offline.queue.call_next("2", "S002", claim=offline.claimer(server.url, "S002").for_staff("S002"))
    assert nxt is not None and nxt.id != first.id


def test_a_failing_server_leaves_the_queue_working_and_the_events_waiting(
    devices: Callable[..., Device], pg_url: str, server: Server
) -> None:
    make = devices
    kiosk: Device = make("kiosk", 1)
    kiosk.sync_once(server.url)
    open_counter(kiosk, "3", "S003")
    with FaultProxy(server.port, ["500"] * 6) as proxy:
        kiosk.issue(20)
        with pytest.raises(ServerUnavailable):
            kiosk.sync_once(proxy.url)  # 500 on the queue push
        claimer = kiosk.claimer(proxy.url, "S003")
        called = kiosk.queue.call_next("3", "S003", claim=claimer.for_staff("S003"))
        assert called is not None and claimer.offline_calls == 1  # answered 500: called locally
        kiosk.queue.start("3", "S003")
        kiosk.issue(5)
        waiting = kiosk.unsynced()
        assert waiting >= 20 + 1 + 1 + 1 + 5
        # Not answering at all: the same.
        with pytest.raises(ServerUnavailable):
            kiosk.sync_once(f"http://127.0.0.1:{free_port()}")
        assert kiosk.unsynced() == waiting

        # The worker keeps trying through the proxy (four more 500s) and gets there.
        worker = SyncWorker(
            SyncStore(kiosk.counter.db),
            lambda: kiosk.client(proxy.url),
            queue=kiosk.sync,
            base_delay=0.05,
            max_delay=0.2,
            interval=0.1,
        )
        worker.start()
        try:
            assert wait_for(lambda: kiosk.unsynced() == 0, 30), "queue events never reached the server"
        finally:
            assert worker.stop()
        assert "500" in proxy.seen and proxy.seen.count("500") == 6
    db = CentralDatabase(pg_url)
    with db.session() as s:
        desk = s.get_one(ServerCounter, "3")
        assert (desk.state, desk.staff_id) == ("open", "S003")
    db.close()
    mine = {k: v for k, v in server_tickets(pg_url).items() if v[3] == kiosk.kiosk_id}
    assert len(mine) == 25 and mine[called.id][1:3] == ("serving", "3")
    assert {k: v for k, v in kiosk.tickets().items() if v[3] == kiosk.kiosk_id} == mine
