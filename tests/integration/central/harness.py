"""Real processes on loopback for the central server and sync tests.

- a fresh PostgreSQL database per test session (dropped at the end);
- `kiosk-central serve` as a subprocess on a free port, which tests may kill and restart;
- kiosks as data directories with their own `kiosk.toml`, enrolled for real;
- a small fault-injecting HTTP proxy (500s, slow answers, connections closed before or after the
  server saw the request, truncated answers);
- `converged(...)`: every case on the server exactly once, every status back at the kiosk, outbox empty.

Nothing here talks to anything but 127.0.0.1 and the local PostgreSQL socket.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import secrets
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import func, select

from central.app import build_service
from central.db import Database as CentralDatabase
from central.db import upgrade
from central.models import Case as ServerCase
from central.models import Event as ServerEvent
from central.schemas import ActionRequest
from central.service import CentralService
from kiosk.counter import Counter
from kiosk.demo import citizen_id
from kiosk.domain.workflow import Actor, CaseState, Role
from kiosk.storage.cases import ApplicantInfo
from kiosk.storage.models import Case as KioskCase
from kiosk.storage.models import Event as KioskEvent
from kiosk.storage.models import Invoice as KioskInvoice
from kiosk.storage.models import OutboxItem
from kiosk.sync.client import CentralClient
from kiosk.sync.credentials import Credential, save_credential
from kiosk.sync.store import SyncStore
from kiosk.sync.worker import SyncEngine

ROOT = Path(__file__).resolve().parents[3]
PG_SOCKET = "/var/run/postgresql"
STAFF = Actor(Role.STAFF, "staff.test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def fresh_postgres(prefix: str = "kc_test") -> Iterator[str]:
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(f"host={PG_SOCKET} dbname=postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://@/{name}?host={PG_SOCKET}"
    try:
        db = CentralDatabase(url)
        upgrade(db.engine)
        db.close()
        yield url
    finally:
        with psycopg.connect(f"host={PG_SOCKET} dbname=postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


class Server:
    """`kiosk-central serve` in a child process; `kill()` is SIGKILL, as a crash or power cut."""

    def __init__(self, database_url: str, port: int | None = None, log_dir: Path | None = None) -> None:
        self.database_url = database_url
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_dir = log_dir

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, wait: bool = True) -> Server:
        log = open(self.log_dir / f"server-{self.port}.log", "ab") if self.log_dir else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "central.cli",
                "--database-url",
                self.database_url,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--quiet",
            ],
            cwd=ROOT,
            env=child_env(),
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"central server exited with {self.proc.returncode}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("central server did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.proc = None


_services: dict[str, CentralService] = {}


def service(database_url: str) -> CentralService:
    """The server's rules in this process, on the same database: for the administrator's steps."""
    if database_url not in _services:
        _services[database_url] = build_service(database_url)
    return _services[database_url]


def new_kiosk_id() -> str:
    return "T" + "".join(random.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(3))  # noqa: S311


@dataclass
class Kiosk:
    data_dir: Path
    kiosk_id: str
    counter: Counter = field(init=False)

    def __post_init__(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "kiosk.toml").write_text(f'[kiosk]\nid = "{self.kiosk_id}"\n', encoding="utf-8")
        self.counter = Counter.open(self.data_dir)
        self.store = SyncStore(self.counter.db)

    def enrol(self, database_url: str, server_url: str) -> None:
        code = service(database_url).enrolment_code(self.kiosk_id)
        answer = CentralClient.enrol(server_url, code)
        save_credential(self.data_dir, Credential(server_url, answer.kiosk_id, answer.token))
        self.token = answer.token

    def client(self, url: str, *, timeout: float = 5.0) -> CentralClient:
        return CentralClient(url, self.token, timeout=timeout)

    def submit(self, count: int, *, seed: int = 0) -> list[str]:
        rng = random.Random(seed)  # noqa: S311
        codes = [s.code for s in self.counter.catalog]
        numbers = []
        for _ in range(count):
            person = ApplicantInfo(citizen_id(rng), "นางสาวทดสอบ ระบบซิงค์", address="1 หมู่ที่ 1")
            case = self.counter.cases.submit(rng.choice(codes), person, {"note": "ทดสอบ"}, STAFF)
            numbers.append(case.number)
        return numbers

    def sync_once(self, url: str, *, batch: int = 200, timeout: float = 5.0) -> None:
        with self.client(url, timeout=timeout) as client:
            SyncEngine(self.store, batch_size=batch).run_once(client)

    def close(self) -> None:
        self.counter.close()


def officer_moves(database_url: str, kiosk_id: str, *, limit: int = 30) -> dict[str, str]:
    """Officers take some of a kiosk's cases further: complete, review, approve with a fee, reject."""
    svc = service(database_url)
    moved: dict[str, str] = {}
    cases = svc.cases(kiosk_id=kiosk_id, state=CaseState.SUBMITTED, limit=limit)
    for i, case in enumerate(cases):
        svc.act(case.number, ActionRequest(action="complete"), "officer.test")
        if i % 3 == 0:
            moved[case.number] = CaseState.COMPLETE.value
            continue
        svc.act(case.number, ActionRequest(action="consider"), "officer.test")
        if i % 3 == 1:
            fee = {"key": "permit", "label_th": "ค่าธรรมเนียม", "amount_satang": 10_000 + i}
            svc.act(case.number, ActionRequest.model_validate({"action": "approve", "fees": [fee]}), "o")
            moved[case.number] = CaseState.AWAITING_PAYMENT.value
        else:
            svc.act(case.number, ActionRequest(action="reject", reason="ขาดคุณสมบัติ"), "officer.test")
            moved[case.number] = CaseState.REJECTED.value
    return moved


def converged(database_url: str, kiosk: Kiosk) -> None:
    """Every case of the kiosk on the server exactly once, with every event once, and the same state,
    invoices included, back at the kiosk; nothing left in the outbox."""
    db = CentralDatabase(database_url)
    try:
        with db.session() as s:
            server_cases = {
                c.id: (c.number, c.state)
                for c in s.scalars(select(ServerCase).where(ServerCase.kiosk_id == kiosk.kiosk_id))
            }
            server_events = s.execute(
                select(ServerEvent.id, func.count())
                .where(ServerEvent.kiosk_id == kiosk.kiosk_id)
                .group_by(ServerEvent.id)
            ).all()
            from central.models import Invoice as ServerInvoice

            server_invoices = {
                (i.ref1, i.ref2): i.status
                for i in s.scalars(
                    select(ServerInvoice).join(ServerCase).where(ServerCase.kiosk_id == kiosk.kiosk_id)
                )
            }
    finally:
        db.close()
    with kiosk.counter.db.session() as s:
        local_cases = {c.id: (c.number, c.state) for c in s.scalars(select(KioskCase))}
        local_events = set(s.scalars(select(OutboxItem.event_id)))
        pending = s.scalar(
            select(func.count())
            .select_from(OutboxItem)
            .where(OutboxItem.sent_at.is_(None) | OutboxItem.refused_at.is_not(None))
        )
        local_invoices = {(i.ref1, i.ref2): i.status for i in s.scalars(select(KioskInvoice))}
        history = s.scalar(select(func.count()).select_from(KioskEvent))
    assert pending == 0, f"{pending} outbox rows not confirmed"
    assert set(server_cases) == set(local_cases), "cases differ between kiosk and server"
    assert len({n for n, _ in server_cases.values()}) == len(server_cases)
    assert all(n == 1 for _, n in server_events)
    assert {e for e, _ in server_events} == local_events, "events differ between kiosk and server"
    wrong = {
        local_cases[c][0]: (local_cases[c][1], server_cases[c][1])
        for c in local_cases
        if local_cases[c] != server_cases[c]
    }
    assert not wrong, f"kiosk/server state differs: {list(wrong.items())[:5]}"
    assert local_invoices == server_invoices
    assert history is not None and history >= len(local_events)


# --- a loopback proxy that misbehaves on purpose -------------------------------------------------


class FaultProxy:
    """HTTP/1.1 proxy in front of the server. `faults` is consumed one per request:

    - "pass": forward;  "500": answer 500 without forwarding;  "slow": wait `slow_seconds` first;
    - "drop_before": close the connection, the server never sees the request;
    - "drop_after": forward, then close without answering (the server did the work, the kiosk
      does not know);  "truncate": forward, send half the answer, close.
    """

    def __init__(
        self, upstream_port: int, faults: list[str] | None = None, *, slow_seconds: float = 8.0
    ) -> None:
        self.upstream_port = upstream_port
        self.faults = list(faults or [])
        self.slow_seconds = slow_seconds
        self.lock = threading.Lock()
        self.seen: list[str] = []
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._serve(self.request)

        class _Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = _Server(("127.0.0.1", 0), Handler)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next_fault(self) -> str:
        with self.lock:
            fault = self.faults.pop(0) if self.faults else "pass"
            self.seen.append(fault)
            return fault

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(30)
        reader = conn.makefile("rb")
        try:
            while True:
                head = _read_head(reader)
                if head is None:
                    return
                length = _content_length(head)
                body = reader.read(length) if length else b""
                fault = self._next_fault()
                if fault == "drop_before":
                    return
                if fault == "500":
                    conn.sendall(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 2\r\n\r\n{}")
                    continue
                if fault == "slow":
                    time.sleep(self.slow_seconds)
                answer = self._forward(head, body)
                if fault == "drop_after":
                    return
                if fault == "truncate":
                    conn.sendall(answer[: len(answer) // 2])
                    return
                conn.sendall(answer)
        except OSError:
            return
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def _forward(self, head: bytes, body: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30) as up:
            lines = head.split(b"\r\n")
            kept = [ln for ln in lines if not ln.lower().startswith(b"connection:")]
            up.sendall(b"\r\n".join(kept[:-2] + [b"Connection: close", b"", b""]) + body)
            chunks = []
            while True:
                chunk = up.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        answer = b"".join(chunks)
        # Keep the kiosk's connection alive: drop the upstream's `Connection: close`.
        end = answer.find(b"\r\n\r\n")
        headers = [h for h in answer[:end].split(b"\r\n") if not h.lower().startswith(b"connection:")]
        return b"\r\n".join(headers) + answer[end:]


def _read_head(reader: object) -> bytes | None:
    lines = []
    while True:
        line = reader.readline(65537)  # type: ignore[attr-defined]
        if not line:
            return None
        lines.append(line)
        if line in (b"\r\n", b"\n"):
            return b"".join(lines).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


def wait_for(predicate: object, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(interval)
    return False


def server_case_count(database_url: str, kiosk_id: str) -> int:
    db = CentralDatabase(database_url)
    try:
        with db.session() as s:
            return (
                s.scalar(select(func.count()).select_from(ServerCase).where(ServerCase.kiosk_id == kiosk_id))
                or 0
            )
    finally:
        db.close()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
