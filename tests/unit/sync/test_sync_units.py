"""The kiosk's sync pieces without a server: backoff, credentials, wire schemas, the outbox store,
applying changes, and the engine against a scripted HTTP transport."""

from __future__ import annotations

import datetime as dt
import json
import random
import stat
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import select, text

from central.bank import parse
from kiosk.counter import Counter
from kiosk.domain.workflow import Actor, CaseState, Role
from kiosk.sync.client import CentralClient, SyncError
from kiosk.sync.credentials import Credential, CredentialError, check_url, load_credential, save_credential
from kiosk.sync.store import SyncStore
from kiosk.sync.worker import SyncEngine, SyncWorker, full_jitter
from kiosk.wire import (
    PushResponse,
    PushResult,
    PushStatus,
    WireCaseSnapshot,
    WireChange,
    WireEvent,
    WireInvoice,
    WireInvoiceLine,
)
from tests.unit.sync.conftest import SOMSRI

STAFF = Actor(Role.STAFF, "staff.a")
NOW = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)


def _submit(counter: Counter, n: int = 1) -> list[str]:
    code = next(iter(counter.catalog)).code
    return [counter.cases.submit(code, SOMSRI, {}, STAFF, now=NOW).number for _ in range(n)]


# --- backoff and credentials --------------------------------------------------------------------


def test_full_jitter_stays_under_a_growing_capped_ceiling() -> None:
    rng = random.Random(3)
    for attempt in range(1, 40):
        ceiling = min(60.0, 0.5 * 2 ** (attempt - 1))
        samples = [full_jitter(attempt, 0.5, 60.0, rng) for _ in range(200)]
        assert all(0.0 <= s <= ceiling for s in samples)
        assert max(samples) > ceiling * 0.8  # spread over the whole range, not clustered
    assert full_jitter(10**6, 1.0, 5.0, rng) <= 5.0


def test_credentials_are_owner_only_and_never_shown(tmp_path: Path) -> None:
    path = save_credential(tmp_path, Credential("https://central.example", "K01", "s3cret-token"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    loaded = load_credential(tmp_path)
    assert loaded is not None and loaded.token == "s3cret-token"  # noqa: S105
    assert "s3cret" not in repr(loaded)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CredentialError):
        load_credential(tmp_path)


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://central.example.go.th", True),
        ("http://127.0.0.1:8765", True),
        ("http://localhost:8765/", True),
        ("http://central.example.go.th", False),
        ("ftp://x", False),
    ],
)
def test_plain_http_only_on_loopback(url: str, ok: bool) -> None:
    if ok:
        assert check_url(url) == url.rstrip("/")
    else:
        with pytest.raises(CredentialError):
            check_url(url)


# --- wire ---------------------------------------------------------------------------------------


def test_every_outbox_payload_is_a_wire_event(counter: Counter) -> None:
    [number] = _submit(counter)
    counter.cases.transition(number, CaseState.COMPLETE, STAFF, now=NOW)
    batch = SyncStore(counter.db).next_batch(100)
    assert [e.kind.value for e in batch.events] == ["created", "transition", "transition"]
    created = batch.events[0]
    # The applicant travels with the created event only, read from the applicant row.
    assert created.applicant is not None and created.applicant.citizen_id == SOMSRI.citizen_id
    assert all(e.applicant is None for e in batch.events[1:])
    with counter.db.session() as s:
        raw = s.execute(text("SELECT payload FROM outbox")).scalars().all()
    assert all("1101700230708" not in str(p) for p in raw)  # the outbox itself holds no citizen ID


@pytest.mark.parametrize(
    "change",
    [
        {"reason": "bad\x00byte"},
        {"unexpected": 1},
        {"case_number": "K01-2569-1"},
        {"at": "2026-11-20T03:00:00"},  # naive time
        {"seq": -1},
    ],
)
def test_hostile_events_do_not_validate(change: dict[str, Any]) -> None:
    base = {
        "event_id": str(uuid.uuid4()),
        "case_id": str(uuid.uuid4()),
        "case_number": "K01-2569-00001",
        "seq": 1,
        "kind": "note",
        "actor_role": "staff",
        "kiosk_id": "K01",
        "at": NOW.isoformat(),
    }
    WireEvent.model_validate(base)
    with pytest.raises(ValidationError):
        WireEvent.model_validate(base | change)


# --- the store ----------------------------------------------------------------------------------


def test_results_mark_rows_sent_refused_or_waiting(counter: Counter) -> None:
    _submit(counter, 3)
    store = SyncStore(counter.db)
    batch = store.next_batch(100)
    statuses = [
        PushStatus.APPLIED,
        PushStatus.DUPLICATE,
        PushStatus.CONFLICT,
        PushStatus.REJECTED,
        PushStatus.RETRY,
    ]
    results = [
        PushResult(event_id=e.event_id, status=s) for e, s in zip(batch.events, statuses, strict=False)
    ]
    store.record_results(batch, results)
    status = store.status()
    assert status.queued == 6 - 4 and status.refused == 1
    assert counter.cases.pending_outbox() == 2
    with counter.db.session() as s:
        confirmed = s.execute(
            text("SELECT count(*) FROM cases WHERE server_confirmed_at IS NOT NULL")
        ).scalar()
    # Cases whose created event the server holds (applied, or stored as a conflict); not the others.
    assert confirmed == 2
    assert store.requeue_refused() == 1 and store.queued() == 3


def _snapshot(
    case_id: str, number: str, state: str, invoices: list[WireInvoice] | None = None
) -> WireCaseSnapshot:
    return WireCaseSnapshot(
        case_id=case_id, number=number, state=state, updated_at=NOW, invoices=invoices or []
    )


def test_changes_apply_once_and_move_the_cursor(counter: Counter) -> None:
    [number] = _submit(counter)
    store = SyncStore(counter.db)
    store.record_results(
        batch := store.next_batch(100),
        [PushResult(event_id=e.event_id, status="applied") for e in batch.events],
    )
    case = counter.cases.get(number)
    officer_event = WireEvent(
        event_id=uuid.uuid4(),
        case_id=case.id,
        case_number=number,
        seq=0,
        kind="transition",
        from_state="submitted",
        to_state="complete",
        actor_role="officer",
        actor_id="o1",
        kiosk_id="",
        at=NOW,
    )
    invoice = WireInvoice(
        id=uuid.uuid4(),
        ref1=number.replace("-", ""),
        ref2="01",
        total_satang=20_000,
        status="open",
        created_at=NOW,
        lines=[WireInvoiceLine(key="permit", label_th="ค่าใบอนุญาต", amount_satang=20_000)],
    )
    change = WireChange(
        id=7,
        type="case",
        at=NOW,
        case=_snapshot(case.id, number, "awaiting_payment", [invoice]),
        events=[officer_event],
    )
    for _ in range(2):
        store.apply_changes([change], 7, {"catalog": "abc"})
    shown = counter.cases.get(number)
    assert shown.state is CaseState.AWAITING_PAYMENT
    assert [i.total_satang for i in shown.invoices] == [20_000] and shown.invoices[0].lines[0][1] == 20_000
    assert sum(1 for e in shown.events if e.id == str(officer_event.event_id)) == 1
    assert store.cursor() == 7 and store.status().versions == {"catalog": "abc"}
    # An older page (a slower sync racing) changes nothing.
    stale = WireChange(id=3, type="case", at=NOW, case=_snapshot(case.id, number, "submitted"))
    store.apply_changes([stale], 3, {})
    assert counter.cases.get(number).state is CaseState.AWAITING_PAYMENT and store.cursor() == 7


def test_a_move_still_in_the_outbox_is_not_overwritten(counter: Counter) -> None:
    [number] = _submit(counter)
    store = SyncStore(counter.db)
    batch = store.next_batch(100)
    store.record_results(batch, [PushResult(event_id=e.event_id, status="applied") for e in batch.events])
    counter.cases.transition(number, CaseState.COMPLETE, STAFF, now=NOW)
    case = counter.cases.get(number)
    store.apply_changes(
        [WireChange(id=1, type="case", at=NOW, case=_snapshot(case.id, number, "needs_fix"))], 1, {}
    )
    assert counter.cases.get(number).state is CaseState.COMPLETE


def test_any_local_event_still_queued_keeps_the_case_from_the_snapshot(counter: Counter) -> None:
    [number] = _submit(counter)
    store = SyncStore(counter.db)
    batch = store.next_batch(100)
    store.record_results(batch, [PushResult(event_id=e.event_id, status="applied") for e in batch.events])
    case = counter.cases.get(number)
    # Not a move: a document marked at the counter, which the server has not seen yet.
    counter.cases.mark_document(number, case.documents[0].key, "received", STAFF, now=NOW)
    store.apply_changes(
        [WireChange(id=1, type="case", at=NOW, case=_snapshot(case.id, number, "needs_fix"))], 1, {}
    )
    assert counter.cases.get(number).state is CaseState.SUBMITTED and store.cursor() == 1


def test_a_clashing_kiosk_invoice_is_cancelled_and_its_payments_kept(
    counter: Counter, caplog: pytest.LogCaptureFixture
) -> None:
    from decimal import Decimal

    from kiosk.domain.fees import FeeLine
    from kiosk.storage.models import Invoice, Payment

    [number] = _submit(counter)
    officer = Actor(Role.OFFICER, "o1")
    for target in (CaseState.COMPLETE, CaseState.UNDER_REVIEW):
        counter.cases.transition(number, target, officer, now=NOW)
    fee = FeeLine("permit", "ค่าใบอนุญาต", "Permit", Decimal("200"))
    counter.cases.approve(number, officer, [fee], now=NOW)
    counter.cases.record_payment(number, 20_000, "counter", STAFF, reference="RC-9", now=NOW)
    store = SyncStore(counter.db)
    # The server stored the kiosk's fee and payment as conflicts: nothing queued for the case now.
    batch = store.next_batch(100)
    store.record_results(batch, [PushResult(event_id=e.event_id, status="conflict") for e in batch.events])
    case = counter.cases.get(number)
    [local] = case.invoices
    theirs = WireInvoice(
        id=uuid.uuid4(),
        ref1=number.replace("-", ""),
        ref2="01",
        total_satang=30_000,
        status="open",
        created_at=NOW,
        lines=[WireInvoiceLine(key="permit", label_th="ค่าใบอนุญาต", amount_satang=30_000)],
    )
    snap = _snapshot(case.id, number, "awaiting_payment", [theirs])
    with caplog.at_level("WARNING", logger="kiosk.sync.store"):
        store.apply_changes([WireChange(id=1, type="case", at=NOW, case=snap)], 1, {})
    with counter.db.session() as s:
        kept = s.get(Invoice, local.id)
        assert kept is not None and kept.status == "cancelled"
        cash = s.scalars(select(Payment).where(Payment.invoice_id == local.id)).all()
        assert [(p.amount_satang, p.reference) for p in cash] == [(20_000, "RC-9")]
    shown = counter.cases.get(number)
    assert {(i.ref2, i.status, i.total_satang) for i in shown.invoices if i.ref2 == "01"} == {
        ("01", "open", 30_000)
    }
    assert number in caplog.text and SOMSRI.citizen_id not in caplog.text
    assert SOMSRI.name_th not in caplog.text


# --- the engine and the worker against a scripted transport -------------------------------------


class Script:
    def __init__(self, answers: list[Any]) -> None:
        self.answers = answers
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if self.answers else "ok"
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        if request.url.path.endswith("/events"):
            events = json.loads(request.content)["events"]
            results = [{"event_id": e["event_id"], "status": "applied"} for e in events]
            return httpx.Response(200, json={"results": results, "server_time": NOW.isoformat()})
        return httpx.Response(
            200, json={"changes": [], "cursor": 0, "more": False, "server_time": NOW.isoformat()}
        )


def _client(script: Script) -> CentralClient:
    return CentralClient("http://127.0.0.1:1", "t", transport=httpx.MockTransport(script))


def test_a_refusal_naming_events_sets_only_those_aside(counter: Counter) -> None:
    _submit(counter, 2)
    refusal = httpx.Response(422, json={"detail": [{"loc": ["body", "events", 1, "reason"], "msg": "bad"}]})
    script = Script([refusal])
    report = SyncEngine(SyncStore(counter.db), batch_size=10).run_once(_client(script))
    assert report.refused == 1 and report.pushed == 3
    assert SyncStore(counter.db).status().refused == 1


def test_a_refusal_naming_nothing_keeps_the_queue(counter: Counter) -> None:
    _submit(counter, 2)
    script = Script([httpx.Response(422, json={"detail": [{"loc": ["query", "x"], "msg": "?"}]})])
    with pytest.raises(SyncError):
        SyncEngine(SyncStore(counter.db)).run_once(_client(script))
    assert SyncStore(counter.db).queued() == 4 and SyncStore(counter.db).status().refused == 0


def test_the_worker_goes_offline_and_back_with_a_state_to_show(counter: Counter) -> None:
    _submit(counter, 2)
    script = Script([httpx.ConnectError("refused"), httpx.Response(503), httpx.ReadTimeout("slow")])
    seen: list[Any] = []
    worker = SyncWorker(
        SyncStore(counter.db),
        lambda: _client(script),
        base_delay=0.01,
        max_delay=0.05,
        interval=0.05,
        on_status=seen.append,
    )
    worker.start()
    try:
        import time

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (worker.status().online and worker.status().queued == 0):
            time.sleep(0.02)
    finally:
        worker.stop()
    assert any(s.online is False and s.offline_since is not None and s.last_error for s in seen)
    final = worker.status()
    assert final.online and final.queued == 0 and final.offline_since is None and final.last_error == ""


# --- the bank's file ----------------------------------------------------------------------------


def test_bill_payment_lines_are_read_in_every_usual_shape() -> None:
    data = (
        "Date,Ref.1,Ref.2,Amount,Channel\n"
        '2026-11-22,K01256900001,01,"1,250.50",ATM\n'
        "22/11/2569,k01256900002,,100,COUNTER\n"
        "bad,K01,01,12.345,ATM\n"
        "\n"
    ).encode("cp874")
    lines = parse(data)
    assert [(t.paid_on, t.ref1, t.ref2, t.amount_satang) for t in lines[:2]] == [
        ("2026-11-22", "K01256900001", "01", 125_050),
        ("2026-11-22", "K01256900002", "", 10_000),
    ]
    assert lines[2].problem and len(lines) == 3
    _ = PushResponse  # the wire module is shared by both sides


def test_a_nan_amount_is_an_unreadable_line_not_a_failed_file() -> None:
    from central.bank import parse

    rows = parse(
        b"date,ref1,ref2,amount,channel\n2026-11-22,K01256900001,01,NaN,ATM\n2026-11-22,K01256900002,01,10.00,ATM\n"
    )
    assert [bool(r.problem) for r in rows] == [True, False]
    assert "unreadable amount" in rows[0].problem and rows[1].amount_satang == 1000


def test_failed_statements_never_log_their_parameters(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from central.db import make_engine as central_engine
    from kiosk.storage.db import make_engine

    assert make_engine(tmp_path / "k.sqlite").hide_parameters
    assert central_engine(f"sqlite:///{tmp_path / 'c.sqlite'}").hide_parameters


def test_one_sync_pass_at_a_time_per_data_directory(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import threading
    import time

    from kiosk.sync.worker import pass_lock

    lock = tmp_path / "sync.lock"
    order: list[str] = []
    inside = threading.Event()
    release = threading.Event()

    def first() -> None:
        with pass_lock(lock):
            order.append("first in")
            inside.set()
            release.wait(5)
            order.append("first out")

    def second() -> None:
        inside.wait(5)
        with pass_lock(lock):  # a separate open file: flock makes it wait like another process
            order.append("second in")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    inside.wait(5)
    # Give the second pass time to barge in if the lock did not hold it back.
    time.sleep(0.3)
    release.set()
    for t in threads:
        t.join(5)
    assert order == ["first in", "first out", "second in"]
