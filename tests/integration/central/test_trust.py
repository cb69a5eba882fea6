"""Device trust over real HTTP(S) on loopback and real PostgreSQL: one-time enrolment codes, per-kiosk
credentials, revocation on the next request, TLS verification on the kiosk, rate limits and lockout,
and oversize bodies refused before they are read.

Limits are tested on their own server processes (two workers, a fresh database) started with small
limits, so the counts of other tests cannot interfere; clients are told apart by X-Forwarded-For,
which uvicorn honours from loopback peers only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import ipaddress
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from sqlalchemy import select, update

from central.db import Database as CentralDatabase
from central.models import Case as ServerCase
from central.models import Kiosk as ServerKiosk
from central.models import RateCounter
from central.schemas import ActionRequest
from kiosk.config import load_config
from kiosk.errors import ConfigError
from kiosk.sync.client import CentralClient, NotAuthorized, ServerUnavailable, ServerUntrusted, retry_after
from kiosk.wire import PushRequest, PushStatus, WireEvent
from tests.integration.central.harness import (
    ROOT,
    Kiosk,
    Server,
    child_env,
    free_port,
    fresh_postgres,
    new_kiosk_id,
    service,
)

pytestmark = pytest.mark.integration
API = "/api/v1"


@contextlib.contextmanager
def serving(database_url: str, *extra: str, log: Path | None = None) -> Iterator[Server]:
    """`kiosk-central serve` with extra options, on a free port, stopped at the end."""
    port = free_port()
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
    command = [sys.executable, "-m", "central.cli", "--database-url", database_url, "serve"]
    proc = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port), "--quiet", *extra],
        cwd=ROOT,
        env=child_env(),
        stdout=out,
        stderr=out,
        start_new_session=True,
    )
    server = Server(database_url, port=port)
    server.proc = proc
    try:
        yield server
    finally:
        server.stop()
        if log:
            out.close()  # type: ignore[union-attr]


def _kiosk_row(database_url: str, kiosk_id: str) -> ServerKiosk:
    db = CentralDatabase(database_url)
    try:
        with db.session() as s:
            row = s.get(ServerKiosk, kiosk_id)
            assert row is not None
            return row
    finally:
        db.close()


# --- enrolment codes ----------------------------------------------------------------------------


def _enrol(server: Server, code: str, address: str) -> httpx.Response:
    # From an address of its own: failed enrolments are limited per address, and the other tests
    # of the session fail enough of them from 127.0.0.1.
    return httpx.post(server.url + API + "/enrol", json={"code": code}, headers=_as(address), timeout=30)


def test_two_kiosks_racing_with_one_code_only_one_enrols(server: Server, pg_url: str) -> None:
    """Four clients send the same code at the same moment, eight times over: one wins each time."""
    for round_ in range(8):
        kiosk_id = new_kiosk_id()
        code = service(pg_url).enrolment_code(kiosk_id)
        start = threading.Barrier(4)
        address = f"10.8.{round_}.1"

        def attempt(
            _: int, code: str = code, start: threading.Barrier = start, address: str = address
        ) -> httpx.Response:
            start.wait()
            return _enrol(server, code, address)

        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(attempt, range(4)))
        assert sorted(a.status_code for a in answers) == [200, 401, 401, 401]
        assert _enrol(server, code, address).status_code == 401  # and never again
        token = next(a.json()["token"] for a in answers if a.status_code == 200)
        with CentralClient(server.url, token) as client:
            assert client.whoami().kiosk_id == kiosk_id


def test_a_code_expires_and_a_new_code_replaces_the_old_one(server: Server, pg_url: str) -> None:
    kiosk_id, address = new_kiosk_id(), "10.9.0.1"
    first = service(pg_url).enrolment_code(kiosk_id)
    second = service(pg_url).enrolment_code(kiosk_id)
    assert _enrol(server, first, address).status_code == 401  # replaced by the second before use
    expiring = service(pg_url).enrolment_code(kiosk_id)
    db = CentralDatabase(pg_url)
    try:
        with db.session() as s, s.begin():
            past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
            s.execute(update(ServerKiosk).where(ServerKiosk.id == kiosk_id).values(code_expires_at=past))
    finally:
        db.close()
    for code in (second, expiring):
        assert _enrol(server, code, address).status_code == 401
    assert _kiosk_row(pg_url, kiosk_id).token_hash is None  # nothing was ever granted
    fresh = service(pg_url).enrolment_code(kiosk_id, valid_hours=1)
    assert CentralClient.enrol(server.url, fresh).kiosk_id == kiosk_id


# --- per-kiosk credentials and revocation ----------------------------------------------------------


def _forged(kiosk_id: str, number: str, case_id: str, **changes: Any) -> WireEvent:
    base: dict[str, Any] = {
        "event_id": uuid.uuid4(),
        "case_id": case_id,
        "case_number": number,
        "seq": 50,
        "kind": "transition",
        "from_state": "submitted",
        "to_state": "withdrawn",
        "actor_role": "applicant",
        "reason": "forged",
        "kiosk_id": kiosk_id,
        "at": dt.datetime.now(dt.UTC),
    }
    return WireEvent.model_validate(base | changes)


def test_a_kiosk_token_reaches_only_its_own_cases(server: Server, pg_url: str, tmp_path: Path) -> None:
    a = Kiosk(tmp_path / "a", new_kiosk_id())
    b = Kiosk(tmp_path / "b", new_kiosk_id())
    try:
        for k in (a, b):
            k.enrol(pg_url, server.url)
        [number_a] = a.submit(1, seed=1)
        [number_b] = b.submit(1, seed=2)
        for k in (a, b):
            k.sync_once(server.url)
        case_b = b.counter.cases.get(number_b).id
        # An office change to B's case puts it in the feed, where only B may read it.
        service(pg_url).act(number_b, ActionRequest(action="complete"), "officer.test")
        with a.client(server.url) as client:
            attempts = [
                _forged(b.kiosk_id, number_b, case_b),  # B's case, claiming to be B
                _forged(a.kiosk_id, number_b, case_b),  # B's case under A's name
                _forged(a.kiosk_id, number_a.replace(a.kiosk_id, b.kiosk_id), case_b),
                _forged(a.kiosk_id, number_a, case_b),  # A's number on B's case id
                _forged(a.kiosk_id, number_a, case_b, kind="created", from_state=None, to_state="submitted"),
            ]
            results = client.push(attempts).results
            assert [r.status for r in results] == [PushStatus.REJECTED] * len(attempts), results
            changes = client.pull(0, 1000).changes
        seen = {c.case.number for c in changes if c.case is not None}
        assert number_b not in seen
        with b.client(server.url) as client:
            assert number_b in {c.case.number for c in client.pull(0, 1000).changes if c.case is not None}
        db = CentralDatabase(pg_url)
        try:
            with db.session() as s:
                state = s.scalar(select(ServerCase.state).where(ServerCase.number == number_b))
        finally:
            db.close()
        assert state == "complete"
        # A kiosk's token opens nothing of the back office either.
        office = httpx.get(f"{server.url}{API}/office/cases", headers={"Authorization": f"Bearer {a.token}"})
        assert office.status_code == 401
    finally:
        a.close()
        b.close()


def test_a_staff_void_from_a_kiosk_needs_a_named_approver(
    server: Server, pg_url: str, tmp_path: Path
) -> None:
    """A kiosk (or a stolen token) cannot withdraw a case as staff without naming the supervisor who
    approved it, another account than the clerk's: refused as a conflict, the case unchanged."""
    kiosk = Kiosk(tmp_path / "k", new_kiosk_id())
    try:
        kiosk.enrol(pg_url, server.url)
        [number] = kiosk.submit(1, seed=3)
        kiosk.sync_once(server.url)
        case_id = kiosk.counter.cases.get(number).id
        staff = {"actor_role": "staff", "actor_id": "S001", "reason": "ผู้ยื่นขอยกเลิก"}
        refused = [
            _forged(kiosk.kiosk_id, number, case_id, **staff),
            _forged(kiosk.kiosk_id, number, case_id, **staff, data={"void": True}),
            _forged(kiosk.kiosk_id, number, case_id, **staff, data={"void": True, "approved_by": "S001"}),
        ]
        with kiosk.client(server.url) as client:
            answers = [client.push([e]).results[0] for e in refused]
            assert [a.status for a in answers] == [PushStatus.CONFLICT] * 3, answers
            assert all("approval" in a.detail for a in answers)
            assert _case_state(pg_url, number) == "submitted"
            approved = _forged(
                kiosk.kiosk_id,
                number,
                case_id,
                **staff,
                data={
                    "void": True,
                    "requested_by": "S001",
                    "approved_by": "S002",
                    "approver_role": "supervisor",
                },
            )
            assert client.push([approved]).results[0].status is PushStatus.APPLIED
        assert _case_state(pg_url, number) == "withdrawn"
    finally:
        kiosk.close()


def _case_state(pg_url: str, number: str) -> str | None:
    db = CentralDatabase(pg_url)
    try:
        with db.session() as s:
            return s.scalar(select(ServerCase.state).where(ServerCase.number == number))
    finally:
        db.close()


def test_revocation_acts_on_the_next_request_of_an_open_connection(
    server: Server, pg_url: str, tmp_path: Path
) -> None:
    kiosk = Kiosk(tmp_path / "k", new_kiosk_id())
    try:
        kiosk.enrol(pg_url, server.url)
        kiosk.submit(2)
        old_token = kiosk.token
        with kiosk.client(server.url) as client:
            assert client.whoami().kiosk_id == kiosk.kiosk_id
            client.pull(0, 10)
            # Revoked by another process (this one) while the server process holds a warm connection.
            assert service(pg_url).revoke(kiosk.kiosk_id)
            for call in (
                client.whoami,
                lambda: client.pull(0, 10),
                lambda: client.push(kiosk.store.next_batch(5).events),
            ):
                with pytest.raises(NotAuthorized):
                    call()
        assert kiosk.store.queued() == 4  # nothing was marked sent
        # A new code brings the kiosk back with a new token; the old one stays dead.
        kiosk.enrol(pg_url, server.url)
        assert kiosk.token != old_token
        with CentralClient(server.url, old_token) as stale, pytest.raises(NotAuthorized):
            stale.whoami()
        kiosk.sync_once(server.url)
        assert kiosk.store.queued() == 0
    finally:
        kiosk.close()


# --- TLS on the kiosk -------------------------------------------------------------------------------


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """An office CA and a server certificate it signed for 127.0.0.1 only: (ca, cert, key) PEM files."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test office CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "central.test")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    paths[2].chmod(0o600)
    return paths


@pytest.fixture(scope="module")
def tls_server(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("tls")
    ca, cert, key = _certificates(folder)
    with serving(pg_url, "--tls-cert", str(cert), "--tls-key", str(key)) as server:
        url = f"https://127.0.0.1:{server.port}"
        trusted = ssl.create_default_context(cafile=str(ca))
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url + "/healthz", verify=trusted, timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url, ca


def _code_spent(pg_url: str, kiosk_id: str) -> bool:
    return _kiosk_row(pg_url, kiosk_id).code_hash is None


def test_an_untrusted_certificate_is_refused_and_nothing_is_sent(
    tls_server: tuple[str, Path], pg_url: str, tmp_path: Path
) -> None:
    url, ca = tls_server
    kiosk = Kiosk(tmp_path / "k", new_kiosk_id())
    try:
        code = service(pg_url).enrolment_code(kiosk.kiosk_id)
        with pytest.raises(ServerUntrusted) as refused:
            CentralClient.enrol(url, code)  # verify_tls defaults to true: the public CAs only
        assert "ca_file" in refused.value.message_en and "ไม่ได้ส่งข้อมูล" in refused.value.message_th
        assert "certificate" in refused.value.message_en
        assert not _code_spent(pg_url, kiosk.kiosk_id)  # the enrolment never reached the server
        # With the office CA it enrols; a client without it then refuses to push.
        answer = CentralClient.enrol(url, code, ca_file=ca)
        kiosk.token = answer.token
        kiosk.submit(3)
        with CentralClient(url, answer.token) as client, pytest.raises(ServerUntrusted):
            client.push(kiosk.store.next_batch(10).events)
        assert _kiosk_row(pg_url, kiosk.kiosk_id).last_seen_at is None  # no push arrived
        # The right CA but the wrong name: localhost is not in the certificate.
        port = url.rsplit(":", 1)[1]
        wrong_name = CentralClient(f"https://localhost:{port}", answer.token, ca_file=ca)
        with wrong_name as client, pytest.raises(ServerUntrusted) as mismatch:
            client.whoami()
        assert "localhost" in mismatch.value.message_en or "match" in mismatch.value.message_en
        with CentralClient(url, answer.token, ca_file=ca) as client:
            result = client.push(kiosk.store.next_batch(10).events)
        assert {r.status for r in result.results} == {PushStatus.APPLIED}
        # Turning verification off is possible, and only explicitly.
        with CentralClient(url, answer.token, verify_tls=False) as client:
            assert client.whoami().kiosk_id == kiosk.kiosk_id
    finally:
        kiosk.close()


def test_the_configuration_refuses_plain_http_off_this_machine(tmp_path: Path) -> None:
    def load(body: str) -> Any:
        (tmp_path / "kiosk.toml").write_text(body, encoding="utf-8")
        return load_config(tmp_path)

    for url in ("http://192.168.1.10:8765", "http://central.office.go.th", "ftp://central"):
        with pytest.raises(ConfigError) as refused:
            load(f'[server]\nurl = "{url}"\n')
        assert "server.url" in refused.value.message_th and "https://" in refused.value.message_en
    for url in ("http://127.0.0.1:8765", "http://localhost:8765", "http://[::1]:8765", "https://c.example"):
        assert load(f'[server]\nurl = "{url}"\n').server.verify_tls is True
    pem = tmp_path / "office-ca.pem"
    pem.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    assert load(f'[server]\nurl = "https://c.example"\nca_file = "{pem}"\n').server.ca_file == pem
    for bad in ('ca_file = "office-ca.pem"', f'ca_file = "{tmp_path / "missing.pem"}"'):
        with pytest.raises(ConfigError, match="ca_file"):
            load(f'[server]\nurl = "https://c.example"\n{bad}\n')
    with pytest.raises(ConfigError, match="verify_tls"):
        load(f'[server]\nurl = "https://c.example"\nverify_tls = false\nca_file = "{pem}"\n')


# --- rate limits, lockout, oversize bodies (their own server and database) ---------------------------

LIMITS = ("kiosk=5/5", "kiosk_auth=4/60", "enrol=3/60", "login_ip=6/60", "login_user=3/60")


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    extra = [a for rule in LIMITS for a in ("--rate-limit", rule)]
    with (
        fresh_postgres("kc_limits") as url,
        serving(url, *extra, "--workers", "2", "--max-body", "65536") as server,
    ):
        server.wait_ready(timeout=120)  # two workers starting on a busy machine
        yield server


def _as(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def _hits(database_url: str, key: str) -> int:
    db = CentralDatabase(database_url)
    try:
        with db.session() as s:
            return s.scalar(select(RateCounter.hits).where(RateCounter.key == key)) or 0
    finally:
        db.close()


def test_each_kiosk_has_its_own_request_budget_and_the_client_waits(limited: Server, tmp_path: Path) -> None:
    url = limited.database_url
    a = Kiosk(tmp_path / "a", new_kiosk_id())
    b = Kiosk(tmp_path / "b", new_kiosk_id())
    try:
        a.enrol(url, limited.url)
        b.enrol(url, limited.url)
        bearer = {"Authorization": f"Bearer {a.token}"}
        # Twelve requests at once, spread over two server processes: exactly five get through.
        with ThreadPoolExecutor(12) as pool:
            codes = list(
                pool.map(lambda _: httpx.get(limited.url + API + "/kiosk", headers=bearer), range(12))
            )
        statuses = sorted(r.status_code for r in codes)
        assert statuses == [200] * 5 + [429] * 7
        refused = next(r for r in codes if r.status_code == 429)
        assert 1 <= int(refused.headers["Retry-After"]) <= 5
        assert refused.json()["detail_th"]
        with b.client(limited.url) as client:
            assert client.whoami().kiosk_id == b.kiosk_id  # another kiosk is not slowed down
        # The kiosk's client: 429 is "try later" with the server's delay, and until then it sends
        # nothing at all (the server's count does not move).
        with a.client(limited.url) as client:
            with pytest.raises(ServerUnavailable) as first:
                client.whoami()
            wait = first.value.retry_after
            assert wait is not None and 0 < wait <= 5
            before = _hits(url, f"kiosk:{a.kiosk_id}")
            with pytest.raises(ServerUnavailable) as second:
                client.pull(0, 10)
            assert second.value.retry_after is not None and second.value.retry_after <= wait
            assert _hits(url, f"kiosk:{a.kiosk_id}") == before
            time.sleep(wait + 0.2)
            assert client.whoami().kiosk_id == a.kiosk_id
    finally:
        a.close()
        b.close()


def test_failed_enrolments_are_limited_per_address(limited: Server) -> None:
    url = limited.database_url
    enrol = limited.url + API + "/enrol"
    kiosk_id = new_kiosk_id()
    good = service(url).enrolment_code(kiosk_id)
    attacker, technician = "203.0.113.7", "203.0.113.8"
    for _ in range(3):
        assert httpx.post(enrol, json={"code": "AAAA-BBBB-CCCC"}, headers=_as(attacker)).status_code == 401
    blocked = httpx.post(enrol, json={"code": good}, headers=_as(attacker))
    assert blocked.status_code == 429 and 1 <= int(blocked.headers["Retry-After"]) <= 60
    assert not _code_spent(url, kiosk_id)  # refused before the code was looked at
    # A success is not counted against an address: three more failures are still just 401.
    assert httpx.post(enrol, json={"code": good}, headers=_as(technician)).status_code == 200
    for _ in range(3):
        assert httpx.post(enrol, json={"code": "AAAA-BBBB-CCCC"}, headers=_as(technician)).status_code == 401
    assert httpx.post(enrol, json={"code": "AAAA-BBBB-CCCC"}, headers=_as(technician)).status_code == 429


def test_bad_kiosk_tokens_are_limited_per_address(limited: Server, tmp_path: Path) -> None:
    kiosk = Kiosk(tmp_path / "k", new_kiosk_id())
    try:
        kiosk.enrol(limited.database_url, limited.url)
        whoami = limited.url + API + "/kiosk"
        attacker = "203.0.113.20"

        def ask(address: str, token: str | None) -> httpx.Response:
            auth = {"Authorization": f"Bearer {token}"} if token is not None else {}
            return httpx.get(whoami, headers={**auth, **_as(address)})

        # No token at all costs the server no look-up: plainly 401, not counted.
        assert [ask(attacker, None).status_code for _ in range(6)] == [401] * 6
        assert _hits(limited.database_url, f"kiosk-auth:{attacker}") == 0
        assert [ask(attacker, f"guess-{i}").status_code for i in range(4)] == [401] * 4
        blocked = ask(attacker, "guess-5")
        assert blocked.status_code == 429 and 1 <= int(blocked.headers["Retry-After"]) <= 60
        assert blocked.json()["detail_th"]
        before = _hits(limited.database_url, f"kiosk-auth:{attacker}")
        assert [ask(attacker, "guess-6").status_code, ask(attacker, "guess-7").status_code] == [429, 429]
        assert _hits(limited.database_url, f"kiosk-auth:{attacker}") == before  # refused without a write
        # The enrolled kiosk behind the same address is not held up by the guesses; another address
        # is not limited by them.
        assert ask(attacker, kiosk.token).status_code == 200
        assert ask("203.0.113.21", "guess").status_code == 401
        # Guesses at once over two server processes: exactly the limit get checked and answered 401.
        with ThreadPoolExecutor(10) as pool:
            answers = list(pool.map(lambda i: ask("203.0.113.22", f"burst-{i}").status_code, range(10)))
        assert sorted(answers) == [401] * 4 + [429] * 6
    finally:
        kiosk.close()


def test_the_health_check_costs_no_count_and_says_nothing_of_the_cases(limited: Server) -> None:
    answer = httpx.get(limited.url + "/healthz")
    assert answer.status_code == 200
    body = answer.json()
    assert body["ok"] is True and "cases" not in body


def test_officers_are_locked_out_after_failed_sign_ins(limited: Server) -> None:
    url = limited.database_url
    service(url).add_officer("lockme", "right-pass-1")
    service(url).add_officer("other", "other-pass-1")
    cases = limited.url + API + "/office/cases"
    here = _as("198.51.100.1")
    # A success in between starts the count again: failures in a row are what locks.
    for password in ("wrong-1", "wrong-2", "right-pass-1", "wrong-3", "wrong-4"):
        answer = httpx.get(cases, auth=("lockme", password), headers=here)
        assert answer.status_code == (200 if password.startswith("right") else 401)
    assert httpx.get(cases, auth=("lockme", "wrong-5"), headers=here).status_code == 401
    locked = httpx.get(cases, auth=("lockme", "right-pass-1"), headers=_as("198.51.100.2"))
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert "ระงับ" in locked.json()["detail_th"]
    page = httpx.get(limited.url + "/office", auth=("lockme", "right-pass-1"), headers=_as("198.51.100.3"))
    assert page.status_code == 429  # the web pages too
    # A name that does not exist locks the same way: the answers do not tell which names are real.
    ghost = [
        httpx.get(cases, auth=("nobody", "x"), headers=_as("198.51.100.4")).status_code for _ in range(4)
    ]
    assert ghost == [401, 401, 401, 429]
    assert httpx.get(cases, auth=("other", "other-pass-1"), headers=here).status_code == 200
    unlocked = subprocess.run(
        [sys.executable, "-m", "central.cli", "--database-url", url, "unlock-officer", "lockme"],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert unlocked.returncode == 0, unlocked.stderr
    assert httpx.get(cases, auth=("lockme", "right-pass-1"), headers=here).status_code == 200


def test_parallel_guesses_cannot_pass_the_limit(limited: Server) -> None:
    cases = limited.url + API + "/office/cases"
    name = f"target-{uuid.uuid4().hex[:6]}"
    service(limited.database_url).add_officer(name, "target-pass-1")
    with ThreadPoolExecutor(10) as pool:
        answers = list(
            pool.map(
                lambda i: (
                    httpx.get(cases, auth=(name, f"guess-{i}"), headers=_as(f"192.0.2.{i + 1}")).status_code
                ),
                range(10),
            )
        )
    # Each attempt is counted before its password is checked: three checked, seven refused.
    assert sorted(answers) == [401] * 3 + [429] * 7
    address_guesses = [
        httpx.get(cases, auth=(f"n{i}", "guess"), headers=_as("192.0.2.200")).status_code for i in range(7)
    ]
    assert address_guesses == [401] * 6 + [429]  # one address, many names: the address is limited


def _raw(port: int, head: bytes, chunks: Iterable[bytes] = ()) -> bytes:
    """Send a request by hand (the body may never end) and read what the server answers."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(head)
        with contextlib.suppress(OSError):
            for chunk in chunks:
                conn.sendall(chunk)
        answer = b""
        with contextlib.suppress(OSError):
            while b"\r\n\r\n" not in answer:
                data = conn.recv(65536)
                if not data:
                    break
                answer += data
        return answer


def test_oversize_bodies_are_refused_before_they_are_read(limited: Server, tmp_path: Path) -> None:
    kiosk = Kiosk(tmp_path / "k", new_kiosk_id())
    try:
        kiosk.enrol(limited.database_url, limited.url)
        auth = f"Authorization: Bearer {kiosk.token}\r\n".encode()
        # Declared too large: answered at once, though not one byte of the body is sent.
        declared = _raw(
            limited.port,
            b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + auth
            + b"Content-Length: 104857600\r\n\r\n",
        )
        assert declared.startswith(b"HTTP/1.1 413"), declared[:100]
        # Streamed (chunked, no length): cut off once past the limit, while the body is still coming.
        streamed = _raw(
            limited.port,
            b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + auth
            + b"Transfer-Encoding: chunked\r\n\r\n",
            (b"4000\r\n" + b" " * 0x4000 + b"\r\n" for _ in range(5)),  # 80 KiB, never terminated
        )
        assert streamed.startswith(b"HTTP/1.1 413"), streamed[:100]
        # Just under the limit is read and applied.
        kiosk.submit(1)
        batch = PushRequest.model_construct(events=list(kiosk.store.next_batch(10).events)).model_dump_json()
        padded = batch[:-1].encode() + b" " * (65_000 - len(batch)) + b"}"
        small = httpx.post(
            limited.url + API + "/events",
            content=padded,
            headers={"Authorization": f"Bearer {kiosk.token}", "Content-Type": "application/json"},
        )
        assert small.status_code == 200 and len(padded) <= 65536
        assert {r["status"] for r in small.json()["results"]} == {"applied"}
    finally:
        kiosk.close()


def test_retry_after_is_read_as_seconds_or_a_date() -> None:
    request = httpx.Request("GET", "https://central.test/api/v1/kiosk")

    def answer(value: str) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": value} if value else {}, request=request)

    assert retry_after(answer("17")) == 17.0
    soon = email.utils.format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30), usegmt=True)
    assert 25 <= (retry_after(answer(soon)) or 0) <= 30
    assert retry_after(answer("")) is None and retry_after(answer("soon")) is None
    assert retry_after(answer("99999999")) == 86_400.0  # a server cannot park a kiosk for ever


def test_bad_limits_stop_the_server_with_a_clear_message(pg_url: str) -> None:
    started = subprocess.run(
        [
            sys.executable,
            "-m",
            "central.cli",
            "--database-url",
            pg_url,
            "serve",
            "--rate-limit",
            "kiosk=lots",
        ],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 2
    assert "ค่าจำกัดอัตราการเรียกไม่ถูกต้อง" in started.stderr and "NAME=COUNT/SECONDS" in started.stderr
