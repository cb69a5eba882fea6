"""Sync through failures, over real processes on loopback with PostgreSQL behind the server.

After each scenario: every case on the server exactly once, every event once, every status (and
invoice) back at the kiosk, the outbox empty (`converged`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kiosk.sync.client import ServerUnavailable
from kiosk.sync.worker import SyncWorker
from kiosk.wire import PushStatus
from tests.integration.central.harness import (
    ROOT,
    FaultProxy,
    Kiosk,
    Server,
    child_env,
    converged,
    free_port,
    new_kiosk_id,
    officer_moves,
    server_case_count,
    wait_for,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def kiosk(tmp_path: Path, server: Server, pg_url: str) -> Kiosk:
    k = Kiosk(tmp_path / "kiosk", new_kiosk_id())
    k.enrol(pg_url, server.url)
    yield k  # type: ignore[misc]
    k.close()


def test_server_down_when_the_kiosk_starts(tmp_path: Path, pg_url: str, server: Server) -> None:
    kiosk = Kiosk(tmp_path / "k", new_kiosk_id())
    kiosk.enrol(pg_url, server.url)
    kiosk.submit(40)
    nowhere = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ServerUnavailable):
        kiosk.sync_once(nowhere)
    # The worker on a dead server: offline, queue intact, counter unaffected.
    states = []
    worker = SyncWorker(
        kiosk.store,
        lambda: kiosk.client(nowhere, timeout=1.0),
        base_delay=0.05,
        max_delay=0.2,
        on_status=states.append,
    )
    worker.start()
    assert wait_for(lambda: worker.status().online is False, 10)
    kiosk.submit(5, seed=1)
    worker.stop()
    status = worker.status()
    assert status.offline_since is not None and status.queued >= 80 and status.last_error
    assert kiosk.store.queued() == 90
    # The server comes up on that address: everything arrives once.
    late = Server(pg_url, port=int(nowhere.rsplit(":", 1)[1])).start()
    try:
        kiosk.sync_once(late.url)
        officer_moves(pg_url, kiosk.kiosk_id, limit=9)
        kiosk.sync_once(late.url)
        converged(pg_url, kiosk)
    finally:
        late.stop()
        kiosk.close()


def test_server_killed_in_the_middle_of_a_batch(tmp_path: Path, pg_url: str) -> None:
    server = Server(pg_url).start()
    kiosk = Kiosk(tmp_path / "k", new_kiosk_id())
    try:
        kiosk.enrol(pg_url, server.url)
        kiosk.submit(1500)
        worker = SyncWorker(
            kiosk.store,
            lambda: kiosk.client(server.url, timeout=3.0),
            batch_size=100,
            base_delay=0.05,
            max_delay=0.5,
            interval=0.2,
        )
        worker.start()
        assert wait_for(lambda: server_case_count(pg_url, kiosk.kiosk_id) > 100, 60)
        server.kill()
        assert wait_for(lambda: worker.status().online is False, 20)
        server.start()
        assert wait_for(lambda: kiosk.store.queued() == 0, 120)
        worker.stop()
        officer_moves(pg_url, kiosk.kiosk_id, limit=12)
        kiosk.sync_once(server.url)
        converged(pg_url, kiosk)
    finally:
        server.stop()
        kiosk.close()


def test_500s_slow_answers_and_closed_connections(kiosk: Kiosk, server: Server, pg_url: str) -> None:
    kiosk.submit(300)
    faults = ["500", "drop_before", "pass", "drop_after", "slow", "truncate", "500", "drop_after", "pass"]
    with FaultProxy(server.port, faults, slow_seconds=3.0) as proxy:
        failures = 0
        for _ in range(40):
            try:
                kiosk.sync_once(proxy.url, batch=50, timeout=1.5)
            except ServerUnavailable:
                failures += 1
                continue
            if kiosk.store.queued() == 0:
                break
        assert failures >= 5 and {"drop_after", "truncate", "slow", "500"} <= set(proxy.seen)
        officer_moves(pg_url, kiosk.kiosk_id, limit=9)
        proxy.faults = ["500", "drop_after", "truncate"]
        for _ in range(10):
            try:
                kiosk.sync_once(proxy.url, batch=50, timeout=1.5)
                break
            except ServerUnavailable:
                continue
    converged(pg_url, kiosk)


def test_the_same_batch_twice_and_at_once(kiosk: Kiosk, server: Server, pg_url: str) -> None:
    kiosk.submit(100)
    batch = kiosk.store.next_batch(500)
    with kiosk.client(server.url) as client:
        first = client.push(batch.events)
        again = client.push(batch.events)
    assert {r.status for r in first.results} == {PushStatus.APPLIED}
    assert {r.status for r in again.results} == {PushStatus.DUPLICATE}
    # Two deliveries racing on two connections: each event applied by exactly one of them.
    more = Kiosk(kiosk.data_dir.parent / "second", new_kiosk_id())
    more.enrol(pg_url, server.url)
    more.submit(200, seed=7)
    twin = more.store.next_batch(500)
    answers: list[list[PushStatus]] = []

    def deliver() -> None:
        with more.client(server.url, timeout=30) as client:
            answers.append([r.status for r in client.push(twin.events).results])

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 2
    for a, b in zip(*answers, strict=True):
        assert {a, b} == {PushStatus.APPLIED, PushStatus.DUPLICATE}
    kiosk.sync_once(server.url)
    more.sync_once(server.url)
    converged(pg_url, kiosk)
    converged(pg_url, more)
    more.close()


def test_kiosk_killed_in_the_middle_of_a_sync(tmp_path: Path, server: Server, pg_url: str) -> None:
    kiosk = Kiosk(tmp_path / "k", new_kiosk_id())
    kiosk.enrol(pg_url, server.url)
    kiosk.submit(1200)
    officer_moves(pg_url, kiosk.kiosk_id)  # nothing on the server yet: no-op
    command = [
        sys.executable,
        "-m",
        "kiosk.sync.commands",
        "--data-dir",
        str(kiosk.data_dir),
        "sync",
        "run",
        "--once",
        "--batch",
        "20",
    ]
    for _ in range(3):
        before = server_case_count(pg_url, kiosk.kiosk_id)
        proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env=child_env(),
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda b=before: server_case_count(pg_url, kiosk.kiosk_id) > b + 50, 60)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    assert 0 < server_case_count(pg_url, kiosk.kiosk_id) < 1200
    officer_moves(pg_url, kiosk.kiosk_id, limit=15)
    done = subprocess.run(command, cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    kiosk.sync_once(server.url)  # the kiosk's view of the officers' moves
    converged(pg_url, kiosk)
    kiosk.close()


def test_two_kiosks_syncing_at_once(tmp_path: Path, server: Server, pg_url: str) -> None:
    kiosks = [Kiosk(tmp_path / f"k{i}", new_kiosk_id()) for i in range(2)]
    for i, k in enumerate(kiosks):
        k.enrol(pg_url, server.url)
        k.submit(600, seed=i)
    workers = [
        SyncWorker(k.store, lambda k=k: k.client(server.url), batch_size=100, interval=0.1, base_delay=0.05)
        for k in kiosks
    ]
    for w in workers:
        w.start()
    assert wait_for(lambda: all(k.store.queued() == 0 for k in kiosks), 120)
    for k in kiosks:
        officer_moves(pg_url, k.kiosk_id, limit=12)
    assert wait_for(
        lambda: all(w.passes >= 3 for w in workers), 30
    )  # a few more passes pull the officers' moves
    for w in workers:
        w.stop()
    for k in kiosks:
        k.sync_once(server.url)
        converged(pg_url, k)
        k.close()


def test_a_long_offline_period_with_thousands_of_cases(tmp_path: Path, server: Server, pg_url: str) -> None:
    kiosk = Kiosk(tmp_path / "k", new_kiosk_id())
    kiosk.enrol(pg_url, server.url)
    kiosk.submit(2500)
    assert kiosk.store.queued() == 5000
    kiosk.sync_once(server.url, batch=500, timeout=30)
    moved = officer_moves(pg_url, kiosk.kiosk_id, limit=300)
    kiosk.sync_once(server.url, batch=500, timeout=30)
    converged(pg_url, kiosk)
    sample = next(n for n, s in moved.items() if s == "awaiting_payment")
    shown = kiosk.counter.cases.get(sample)
    assert shown.state.value == "awaiting_payment" and shown.invoices and shown.invoices[0].ref2 == "01"
    kiosk.close()
