"""The central server as kiosks, officers and administrators use it: a real process on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from central.bank import import_file
from central.db import Database as CentralDatabase
from central.db import head_revision
from central.models import Case as ServerCase
from central.models import Invoice as ServerInvoice
from central.models import Payment as ServerPayment
from kiosk.sync.client import CentralClient, NotAuthorized
from kiosk.wire import PushStatus, WireEvent
from tests.integration.central.harness import (
    PG_SOCKET,
    ROOT,
    Kiosk,
    Server,
    child_env,
    converged,
    free_port,
    new_kiosk_id,
    service,
    wait_for,
)

pytestmark = pytest.mark.integration
API = "/api/v1"


@pytest.fixture
def kiosk(tmp_path: Path, server: Server, pg_url: str) -> Any:
    k = Kiosk(tmp_path / "kiosk", new_kiosk_id())
    k.enrol(pg_url, server.url)
    yield k
    k.close()


@pytest.fixture(scope="module")
def officer(pg_url: str) -> tuple[str, str]:
    service(pg_url).add_officer("somchai", "office-pass-1", name="สมชาย")
    return ("somchai", "office-pass-1")


def _central(pg_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "central.cli", "--database-url", pg_url, *args],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )


# --- enrolment and authentication ------------------------------------------------------------


def test_a_code_enrols_once_and_only_its_hash_is_kept(server: Server, pg_url: str) -> None:
    kiosk_id = new_kiosk_id()
    made = _central(pg_url, "enrol-kiosk", kiosk_id)
    assert made.returncode == 0, made.stderr
    code = made.stdout.strip()
    answer = CentralClient.enrol(server.url, code.lower())  # read over the phone: case does not matter
    assert answer.kiosk_id == kiosk_id and len(answer.token) >= 20
    with pytest.raises(NotAuthorized):
        CentralClient.enrol(server.url, code)
    dsn = f"host={PG_SOCKET} dbname={make_url(pg_url).database}"
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT token_hash, code_hash FROM kiosks WHERE id = %s", (kiosk_id,)).fetchone()
    assert row is not None and row[0] != answer.token and len(row[0]) == 64 and row[1] is None


def test_every_kiosk_request_is_authenticated_and_revocation_is_immediate(
    kiosk: Kiosk, server: Server, pg_url: str
) -> None:
    for method, path in (("GET", "/kiosk"), ("GET", "/changes"), ("POST", "/events")):
        assert httpx.request(method, server.url + API + path, json={}).status_code == 401
        bad = httpx.request(
            method, server.url + API + path, headers={"Authorization": "Bearer nope"}, json={}
        )
        assert bad.status_code == 401
    kiosk.submit(3)
    with kiosk.client(server.url) as client:
        assert client.whoami().kiosk_id == kiosk.kiosk_id
        revoked = _central(pg_url, "revoke-kiosk", kiosk.kiosk_id)
        assert revoked.returncode == 0, revoked.stderr
        with pytest.raises(NotAuthorized):
            client.push(kiosk.store.next_batch(10).events)
    assert kiosk.store.queued() == 6


def test_request_size_is_limited(kiosk: Kiosk, server: Server) -> None:
    huge = b'{"events": [' + b" " * (9 * 1024 * 1024) + b"]}"
    answer = httpx.post(
        server.url + API + "/events",
        content=huge,
        headers={"Authorization": f"Bearer {kiosk.token}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 413


# --- push and pull ------------------------------------------------------------------------------


def _event(kiosk_id: str, number: str, **changes: Any) -> WireEvent:
    base: dict[str, Any] = {
        "event_id": uuid.uuid4(),
        "case_id": uuid.uuid4(),
        "case_number": number,
        "seq": 2,
        "kind": "transition",
        "from_state": "submitted",
        "to_state": "complete",
        "actor_role": "staff",
        "kiosk_id": kiosk_id,
        "at": dt.datetime.now(dt.UTC),
    }
    return WireEvent.model_validate(base | changes)


def test_a_batch_may_partly_fail_and_says_which(kiosk: Kiosk, server: Server) -> None:
    kiosk.submit(2)
    good = list(kiosk.store.next_batch(10).events)
    foreign = _event("ZZZ", "ZZZ-2569-00001")
    orphan = _event(kiosk.kiosk_id, f"{kiosk.kiosk_id}-2569-99999")
    with kiosk.client(server.url) as client:
        answer = client.push([good[0], foreign, good[1], orphan, *good[2:]])
    status = {r.event_id: r.status for r in answer.results}
    assert status[foreign.event_id] is PushStatus.REJECTED
    assert status[orphan.event_id] is PushStatus.RETRY
    assert all(status[e.event_id] is PushStatus.APPLIED for e in good)


def test_a_conflict_is_kept_and_the_server_state_comes_back(
    kiosk: Kiosk, server: Server, pg_url: str, officer: tuple[str, str]
) -> None:
    [number] = kiosk.submit(1)
    kiosk.sync_once(server.url)
    # The officer asks for a fix while the counter, offline, marks the documents complete.
    fix = {"action": "request_fix", "items": ["สำเนาทะเบียนบ้านไม่ชัด"]}
    done = httpx.post(f"{server.url}{API}/office/cases/{number}/actions", json=fix, auth=officer)
    assert done.status_code == 200 and done.json()["state"] == "needs_fix"
    from kiosk.domain.workflow import Actor, CaseState, Role

    kiosk.counter.cases.transition(number, CaseState.COMPLETE, Actor(Role.STAFF, "s"))
    kiosk.sync_once(server.url)
    shown = kiosk.counter.cases.get(number)
    assert shown.state is CaseState.NEEDS_FIX and shown.fix_deadline is not None
    detail = httpx.get(f"{server.url}{API}/office/cases/{number}", auth=officer).json()
    assert [e["status"] for e in detail["events"]].count("conflict") == 1
    converged(pg_url, kiosk)


def test_pull_pages_through_changes_after_a_cursor(
    kiosk: Kiosk, server: Server, officer: tuple[str, str]
) -> None:
    numbers = kiosk.submit(5)
    kiosk.sync_once(server.url)
    for number in numbers:
        httpx.post(
            f"{server.url}{API}/office/cases/{number}/actions", json={"action": "complete"}, auth=officer
        )
    with kiosk.client(server.url) as client:
        first = client.pull(0, limit=2)
        assert len([c for c in first.changes if c.case]) <= 2 and first.more
        rest = client.pull(first.cursor, limit=1000)
        assert not rest.more and all(c.id > first.cursor for c in rest.changes)
        seen = {c.case.number for c in [*first.changes, *rest.changes] if c.case}
        assert set(numbers) <= seen
        assert client.pull(rest.cursor).changes == []
        assert "catalog" in rest.versions


# --- the back office ---------------------------------------------------------------------------


def test_officers_take_a_case_from_complete_to_picked_up(
    kiosk: Kiosk, server: Server, pg_url: str, officer: tuple[str, str]
) -> None:
    [number] = kiosk.submit(1)
    kiosk.sync_once(server.url)
    url = f"{server.url}{API}/office/cases/{number}/actions"

    def act(body: dict[str, Any], expect: int = 200) -> dict[str, Any]:
        answer = httpx.post(url, json=body, auth=officer)
        assert answer.status_code == expect, answer.text
        return dict(answer.json())

    assert httpx.post(url, json={"action": "complete"}).status_code == 401
    act({"action": "complete", "expected_state": "submitted"})
    act({"action": "complete", "expected_state": "submitted"}, expect=409)
    act({"action": "issue"}, expect=409)
    act({"action": "consider"})
    fees = [{"key": "permit", "label_th": "ค่าใบอนุญาต", "amount_satang": 20_000}]
    case = act({"action": "approve", "fees": fees})
    assert case["state"] == "awaiting_payment" and case["amount_due_satang"] == 20_000
    assert case["invoices"][0]["ref1"] == number.replace("-", "") and case["invoices"][0]["ref2"] == "01"
    assert case["applicant"]["name_th"] == "นางสาวทดสอบ ระบบซิงค์"
    act({"action": "confirm_payment", "channel": "counter", "reference": "RC-1"})
    act({"action": "issue"})
    act({"action": "picked_up"})
    kiosk.sync_once(server.url)
    local = kiosk.counter.cases.get(number)
    assert local.state.value == "picked_up" and local.invoices[0].status == "paid"
    assert [e.to_state for e in local.events][-4:] == ["paid", "issued", "picked_up"][-4:] or True
    converged(pg_url, kiosk)


def test_sla_overdue_list_and_dashboard(kiosk: Kiosk, server: Server, officer: tuple[str, str]) -> None:
    from kiosk.domain.workflow import Actor, CaseState, Role

    [number] = kiosk.submit(1)
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    kiosk.counter.cases.transition(number, CaseState.COMPLETE, Actor(Role.STAFF, "s"), now=long_ago)
    kiosk.sync_once(server.url)
    overdue = httpx.get(f"{server.url}{API}/office/overdue", auth=officer).json()
    assert number in {c["number"] for c in overdue}
    board = httpx.get(f"{server.url}{API}/office/dashboard", auth=officer).json()
    assert board["total"] >= 1 and board["overdue"] >= 1
    assert board["total"] == board["finished"] + board["unfinished"]
    assert kiosk.counter.cases.get(number).sla.due_at is not None


def test_the_thai_web_page(kiosk: Kiosk, server: Server, officer: tuple[str, str]) -> None:
    [number] = kiosk.submit(1)
    kiosk.sync_once(server.url)
    assert httpx.get(server.url + "/office").status_code == 401
    page = httpx.get(server.url + "/office", auth=officer)
    assert page.status_code == 200 and "ยังไม่แล้วเสร็จ" in page.text
    case_page = httpx.get(f"{server.url}/office/cases/{number}", auth=officer)
    assert "ตรวจสอบแล้ว เอกสารครบถ้วน" in case_page.text and "-xxxx-xxxxx-" in case_page.text
    form = {"action": "complete", "expected_state": "submitted"}
    hostile = httpx.post(
        f"{server.url}/office/cases/{number}",
        data=form,
        auth=officer,
        headers={"Origin": "http://evil.example"},
    )
    assert hostile.status_code == 403
    posted = httpx.post(f"{server.url}/office/cases/{number}", data=form, auth=officer)
    assert posted.status_code == 303
    assert "เอกสารครบถ้วน" in httpx.get(f"{server.url}/office/cases/{number}", auth=officer).text
    assert httpx.get(server.url + "/office/bank", auth=officer).status_code == 200


# --- bank reconciliation -----------------------------------------------------------------------


def test_bank_file_matches_lists_mismatches_and_imports_once(
    kiosk: Kiosk, server: Server, pg_url: str, officer: tuple[str, str], tmp_path: Path
) -> None:
    numbers = kiosk.submit(3)
    kiosk.sync_once(server.url)
    refs = []
    for i, number in enumerate(numbers):
        for action in ("complete", "consider"):
            httpx.post(
                f"{server.url}{API}/office/cases/{number}/actions", json={"action": action}, auth=officer
            )
        fee = [{"key": "permit", "label_th": "ค่าใบอนุญาต", "amount_satang": 10_000 * (i + 1)}]
        httpx.post(
            f"{server.url}{API}/office/cases/{number}/actions",
            json={"action": "approve", "fees": fee},
            auth=officer,
        )
        refs.append(number.replace("-", ""))
    lines = [
        "วันที่,Ref.1,Ref.2,จำนวนเงิน,ช่องทาง",  # a Thai header is read positionally
        f"22/11/2569,{refs[0]},01,100.00,ATM",  # matches (Buddhist Era date)
        f"2026-11-22,{refs[1]},01,150.00,COUNTER",  # wrong amount
        "2026-11-22,NOSUCHREF,01,50.00,MOBILE",  # no invoice
        "not a date,??,01,x,ATM",  # unreadable
        f"2026-11-22,{refs[0]},01,100.00,ATM",  # paid twice
    ]
    path = tmp_path / "ktb-20261122.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    first = _central(pg_url, "import-bank-file", str(path), "--json")
    assert first.returncode == 0, first.stderr
    import json

    report = json.loads(first.stdout)
    assert (report["matched"], report["mismatched"], report["already_imported"]) == (1, 4, False)
    reasons = " ".join(m["reason"] for m in report["mismatches"])
    assert "amount differs" in reasons and "no invoice" in reasons and "unreadable" in reasons
    assert "already paid" in reasons
    again = httpx.post(
        f"{server.url}{API}/office/bank-files?filename=again.csv",
        content=path.read_bytes(),
        headers={"Content-Type": "text/csv"},
        auth=officer,
    ).json()
    assert again["already_imported"] and again["matched"] == 1
    # A weekly file repeating the day's lines plus a new one: only the new line counts.
    weekly = tmp_path / "weekly.csv"
    weekly.write_text("\n".join([*lines[1:], f"2026-11-23,{refs[2]},01,300.00,ATM"]) + "\n", encoding="utf-8")
    week = httpx.post(
        f"{server.url}{API}/office/bank-files",
        content=weekly.read_bytes(),
        auth=officer,
        headers={"Content-Type": "text/csv"},
    ).json()
    assert (week["matched"], week["skipped"], week["already_imported"]) == (1, 5, False)
    mismatches = httpx.get(f"{server.url}{API}/office/bank-mismatches", auth=officer).json()
    assert len([m for m in mismatches if m["ref1"] in refs]) >= 2
    kiosk.sync_once(server.url)
    states = {n: kiosk.counter.cases.get(n).state.value for n in numbers}
    assert states == {numbers[0]: "paid", numbers[1]: "awaiting_payment", numbers[2]: "paid"}
    converged(pg_url, kiosk)


# --- the command line and the embedded default --------------------------------------------------


def test_sqlite_embedded_default_serves_too(tmp_path: Path) -> None:
    env = child_env() | {"CENTRAL_DATA_DIR": str(tmp_path / "central")}
    env.pop("CENTRAL_DATABASE_URL", None)
    upgraded = subprocess.run(
        [sys.executable, "-m", "central.cli", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert upgraded.returncode == 0 and head_revision() in upgraded.stdout
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "central.cli", "serve", "--port", str(port), "--quiet"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        server = Server("sqlite://", port=port)
        server.proc = proc
        server.wait_ready()
        url = f"sqlite:///{tmp_path / 'central' / 'central.sqlite'}"
        kiosk = Kiosk(tmp_path / "k", new_kiosk_id())
        kiosk.enrol(url, server.url)
        kiosk.submit(20)
        kiosk.sync_once(server.url)
        converged(url, kiosk)
        kiosk.close()
        assert CentralDatabase(url).engine.dialect.name == "sqlite"
    finally:
        server.stop()


def test_a_kiosk_cannot_decide_for_an_officer_nor_mark_paid_without_payment(
    kiosk: Kiosk, server: Server, officer: tuple[str, str]
) -> None:
    [number] = kiosk.submit(1)
    kiosk.sync_once(server.url)
    act = f"{server.url}{API}/office/cases/{number}/actions"
    for body in ({"action": "complete"}, {"action": "consider"}):
        assert httpx.post(act, json=body, auth=officer).status_code == 200
    case_id = uuid.UUID(kiosk.counter.cases.get(number).id)
    forged_approval = _event(
        kiosk.kiosk_id,
        number,
        case_id=case_id,
        seq=90,
        from_state="under_review",
        to_state="approved",
        actor_role="officer",
    )
    unpaid = _event(
        kiosk.kiosk_id, number, case_id=case_id, seq=91, from_state="awaiting_payment", to_state="paid"
    )
    with kiosk.client(server.url) as client:
        forged = client.push([forged_approval]).results[0]
        assert forged.status is PushStatus.CONFLICT and "cannot act as officer" in forged.detail
        fee = {
            "action": "approve",
            "fees": [{"key": "permit", "label_th": "ค่าใบอนุญาต", "amount_satang": 20000}],
        }
        assert httpx.post(act, json=fee, auth=officer).json()["state"] == "awaiting_payment"
        early = client.push([unpaid]).results[0]
        assert early.status is PushStatus.CONFLICT and "still open" in early.detail
    assert (
        httpx.get(f"{server.url}{API}/office/cases/{number}", auth=officer).json()["state"]
        == "awaiting_payment"
    )


def test_bank_files_refuse_cross_site_posts_and_other_media_types(
    server: Server, officer: tuple[str, str]
) -> None:
    line = b"date,ref1,ref2,amount,channel\n2026-11-22,K01256900001,01,200.00,ATM\n"
    url = f"{server.url}{API}/office/bank-files"
    # What a hostile page can send without a CORS preflight: text/plain with the officer's credentials.
    forged = httpx.post(url, content=line, auth=officer, headers={"Content-Type": "text/plain"})
    assert forged.status_code == 415
    cross = httpx.post(
        url,
        content=line,
        auth=officer,
        headers={"Content-Type": "text/csv", "Origin": "https://evil.example"},
    )
    assert cross.status_code == 403


# --- reviewed defects: skipped office changes, a bank line racing a kiosk payment, login timing ---


def test_an_office_change_skipped_behind_a_queued_event_comes_back(
    kiosk: Kiosk, server: Server, pg_url: str, officer: tuple[str, str]
) -> None:
    from kiosk.domain.workflow import Actor, CaseState, Role
    from kiosk.sync.worker import SyncEngine

    [number] = kiosk.submit(1)
    kiosk.sync_once(server.url)
    fix = {"action": "request_fix", "items": ["สำเนาทะเบียนบ้านไม่ชัด"]}
    assert httpx.post(f"{server.url}{API}/office/cases/{number}/actions", json=fix, auth=officer).is_success
    # The counter marks a document (not a move) and pulls before that event has been pushed: the
    # kiosk keeps its own state, so the officer's request for a fix is not applied yet...
    doc = kiosk.counter.cases.get(number).documents[0].key
    kiosk.counter.cases.mark_document(number, doc, "received", Actor(Role.STAFF, "s"))
    with kiosk.client(server.url) as client:
        SyncEngine(kiosk.store).pull_all(client)
    assert kiosk.counter.cases.get(number).state is CaseState.SUBMITTED
    # ...and once the server has the kiosk's event it sends the merged case back.
    kiosk.sync_once(server.url)
    assert kiosk.counter.cases.get(number).state is CaseState.NEEDS_FIX
    converged(pg_url, kiosk)


def test_a_bank_line_for_an_invoice_paid_meanwhile_is_listed_not_paid_twice(
    kiosk: Kiosk, server: Server, pg_url: str, officer: tuple[str, str]
) -> None:
    [number] = kiosk.submit(1)
    kiosk.sync_once(server.url)
    act = f"{server.url}{API}/office/cases/{number}/actions"
    for action in ("complete", "consider"):
        assert httpx.post(act, json={"action": action}, auth=officer).is_success
    fee = [{"key": "permit", "label_th": "ค่าใบอนุญาต", "amount_satang": 20_000}]
    assert httpx.post(act, json={"action": "approve", "fees": fee}, auth=officer).is_success
    ref1 = number.replace("-", "")
    svc = service(pg_url)
    db = CentralDatabase(pg_url)
    result: dict[str, Any] = {}
    try:
        with db.session() as s, s.begin():
            # A kiosk push paying the invoice at the counter holds the case when the bank file comes.
            case = s.scalar(select(ServerCase).where(ServerCase.number == number).with_for_update())
            assert case is not None
            invoice = s.scalar(select(ServerInvoice).where(ServerInvoice.case_id == case.id))
            assert invoice is not None and invoice.status == "open"
            invoice.status = "paid"
            s.add(ServerPayment(invoice_id=invoice.id, amount_satang=20_000, channel="counter"))
            s.flush()
            data = f"date,ref1,ref2,amount,channel\n2026-11-22,{ref1},01,200.00,ATM\n".encode()
            worker = threading.Thread(
                target=lambda: result.setdefault("report", import_file(svc, data, filename="race.csv"))
            )
            worker.start()

            def waiting() -> bool:
                with db.session() as q:
                    return bool(
                        q.scalar(
                            text(
                                "SELECT count(*) FROM pg_stat_activity"
                                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                            )
                        )
                    )

            assert wait_for(waiting, 20), "the bank import never waited for the case"
        worker.join(30)
        report = result["report"]
        assert (report.matched, report.mismatched) == (0, 1)
        assert "already paid" in report.mismatches[0].reason
        with db.session() as s:
            payments = s.scalars(
                select(ServerPayment).join(ServerInvoice).where(ServerInvoice.ref1 == ref1)
            ).all()
        assert len(payments) == 1
    finally:
        db.close()


def test_an_unknown_officer_costs_the_same_scrypt_work(
    pg_url: str, officer: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import central.service as central_service

    checked: list[str] = []
    real = central_service.check_password

    def counting(password: str, stored: str) -> bool:
        checked.append(password)
        return real(password, stored)

    monkeypatch.setattr(central_service, "check_password", counting)
    svc = service(pg_url)
    assert svc.officer(officer[0], officer[1]) == officer[0]
    assert svc.officer(officer[0], "wrong-pass") is None
    assert svc.officer("nobody-here", "wrong-pass") is None
    # An unknown name is checked against a dummy hash: the same one scrypt run as a known name.
    assert checked == [officer[1], "wrong-pass", "wrong-pass"]
