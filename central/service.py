"""The server's rules: kiosks and their credentials, applying pushed events, the change feed,
officers' workflow steps and the views of the back office.

The workflow is `kiosk.domain.workflow`'s, the same table the kiosks use, and SLA dates come from the
same service definitions and calendar code. Every method is one transaction; concurrent server
processes are kept apart by row locks on the cases they touch (PostgreSQL) or SQLite's write lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Table, func, insert, or_, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, selectinload

from central.db import Database
from central.models import (
    Case,
    Change,
    Event,
    Invoice,
    InvoiceLine,
    Kiosk,
    Officer,
    Payment,
    Setting,
    new_id,
    utcnow,
)
from central.schemas import (
    Action,
    ActionRequest,
    CaseDetailOut,
    CaseOut,
    Dashboard,
    DashboardRow,
    EventOut,
    InvoiceOut,
    KioskOut,
)
from central.security import check_password, digest, hash_password, new_code, new_token, normalise_code
from kiosk.domain.catalog import Catalog
from kiosk.domain.numbering import CaseNumber
from kiosk.domain.sla import SlaStatus, WorkingCalendar, due_at, end_of_day_after, extend
from kiosk.domain.workflow import (
    SLA_START,
    SLA_STOP,
    TRANSITIONS,
    CaseState,
    EventKind,
    Role,
    TransitionError,
    check_transition,
)
from kiosk.errors import KnownError, NotFoundError
from kiosk.wire import (
    ChangeType,
    PullResponse,
    PushResult,
    PushStatus,
    Text,
    WireCaseSnapshot,
    WireChange,
    WireEvent,
    WireInvoice,
    WireInvoiceLine,
    WirePayment,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
FEED_LOCK = 7_410_001  # pg advisory lock id serialising writers of the change feed
FINAL = frozenset({CaseState.PICKED_UP, CaseState.REJECTED, CaseState.WITHDRAWN})


class ConflictError(KnownError):
    exit_code = 9


class _CreatedData(BaseModel):
    model_config = ConfigDict(extra="ignore")

    number: Text = Field(max_length=32)
    service_code: Text = Field(min_length=1, max_length=48)
    service_version: int = Field(default=1, ge=0, le=1_000_000)
    form: dict[str, Any] = Field(default_factory=dict)
    priority: Text = Field(default="", max_length=16)
    documents: dict[Text, Text] = Field(default_factory=dict)


class _FeeSetData(BaseModel):
    model_config = ConfigDict(extra="ignore")

    invoice_id: Text = Field(pattern=r"^[0-9a-f-]{36}$")
    ref1: Text = Field(pattern=r"^[0-9A-Z]{1,18}$")
    ref2: Text = Field(pattern=r"^[0-9A-Z]{0,18}$")
    total_satang: int = Field(ge=0, le=10**12)
    lines: list[tuple[Text, Text, int]] = Field(default_factory=list, max_length=100)
    due_date: dt.datetime | None = None


class _PaymentData(BaseModel):
    model_config = ConfigDict(extra="ignore")

    payment_id: Text = Field(pattern=r"^[0-9a-f-]{36}$")
    invoice_id: Text = Field(pattern=r"^[0-9a-f-]{36}$")
    amount_satang: int = Field(ge=0, le=10**12)
    channel: Text = Field(max_length=16)


def versions_of(catalog: Catalog) -> dict[str, str]:
    """Short fingerprints of what kiosks must agree with: the catalog and the workflow table."""
    services = json.dumps(sorted((s.code, s.version) for s in catalog), ensure_ascii=False)
    workflow = json.dumps([(t.source, t.target, sorted(t.roles), t.needs_reason) for t in TRANSITIONS])
    return {
        "catalog": hashlib.sha256(services.encode()).hexdigest()[:12],
        "workflow": hashlib.sha256(workflow.encode()).hexdigest()[:12],
    }


class CentralService:
    def __init__(self, db: Database, catalog: Catalog, calendar: WorkingCalendar) -> None:
        self.db = db
        self.catalog = catalog
        self.calendar = calendar
        self.versions = versions_of(catalog)

    # --- transactions -----------------------------------------------------------------------

    def _tx(self, work: Callable[[Session], T], *, attempts: int = 4) -> T:
        """Run `work` in one transaction, again from the start if a concurrent writer got there first."""
        for attempt in range(1, attempts + 1):
            try:
                with self.db.session() as s, s.begin():
                    return work(s)
            except (IntegrityError, OperationalError) as exc:
                # Two processes inserting the same event ids, or a deadlock between them: the loser
                # starts over and now sees the winner's rows.
                if attempt == attempts or not _retryable(exc):
                    raise
                log.info("transaction retried after %s", type(exc.orig).__name__ if exc.orig else exc)
        raise AssertionError("unreachable")

    def _lock_cases(self, s: Session, ids: Iterable[str]) -> dict[str, Case]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        query = select(Case).where(Case.id.in_(wanted)).order_by(Case.id).with_for_update()
        return {c.id: c for c in s.scalars(query)}

    def _emit(self, s: Session, kiosk_id: str | None, case_id: str | None, event_ids: Sequence[str]) -> None:
        if self.db.postgres:
            # Feed ids must become visible in increasing order or a kiosk could read past one still
            # being committed; holding this lock to commit makes id order the commit order.
            s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": FEED_LOCK})
        s.add(
            Change(kiosk_id=kiosk_id, type=ChangeType.CASE.value, case_id=case_id, event_ids=list(event_ids))
        )

    # --- kiosks -----------------------------------------------------------------------------

    def enrolment_code(self, kiosk_id: str, *, name: str = "", valid_hours: int = 72) -> str:
        code = new_code()
        now = utcnow()

        def work(s: Session) -> None:
            kiosk = s.get(Kiosk, kiosk_id)
            if kiosk is None:
                kiosk = Kiosk(id=kiosk_id, name=name, created_at=now)
                s.add(kiosk)
            kiosk.name = name or kiosk.name
            kiosk.code_hash = digest(normalise_code(code))
            kiosk.code_expires_at = now + dt.timedelta(hours=valid_hours)
            kiosk.revoked_at = None

        self._tx(work)
        return code

    def enrol(self, code: str) -> tuple[str, str] | None:
        """Trade a one-time code for a new token; the code is spent in the same statement."""
        token = new_token()
        now = utcnow()

        def work(s: Session) -> str | None:
            row = s.execute(
                update(Kiosk)
                .where(
                    Kiosk.code_hash == digest(normalise_code(code)),
                    Kiosk.code_expires_at > now,
                    Kiosk.revoked_at.is_(None),
                )
                .values(token_hash=digest(token), code_hash=None, code_expires_at=None, enrolled_at=now)
                .returning(Kiosk.id)
            ).first()
            return None if row is None else str(row[0])

        kiosk_id = self._tx(work)
        return None if kiosk_id is None else (kiosk_id, token)

    def revoke(self, kiosk_id: str) -> bool:
        def work(s: Session) -> bool:
            kiosk = s.get(Kiosk, kiosk_id)
            if kiosk is None:
                return False
            kiosk.revoked_at, kiosk.token_hash, kiosk.code_hash = utcnow(), None, None
            return True

        return self._tx(work)

    def kiosk_for_token(self, token: str) -> str | None:
        with self.db.session() as s:
            return s.scalar(
                select(Kiosk.id).where(Kiosk.token_hash == digest(token), Kiosk.revoked_at.is_(None))
            )

    def kiosks(self) -> list[KioskOut]:
        with self.db.session() as s:
            return [
                KioskOut(
                    id=k.id,
                    name=k.name,
                    enrolled=k.token_hash is not None,
                    revoked=k.revoked_at is not None,
                    last_seen_at=k.last_seen_at,
                )
                for k in s.scalars(select(Kiosk).order_by(Kiosk.id))
            ]

    # --- officers ---------------------------------------------------------------------------

    def add_officer(self, username: str, password: str, *, name: str = "") -> None:
        def work(s: Session) -> None:
            officer = s.get(Officer, username) or Officer(username=username)
            officer.name, officer.password_hash, officer.disabled_at = (
                name or officer.name or username,
                (hash_password(password)),
                None,
            )
            s.add(officer)

        self._tx(work)

    def officer(self, username: str, password: str) -> str | None:
        with self.db.session() as s:
            officer = s.get(Officer, username)
        if officer is None or officer.disabled_at is not None:
            # The same scrypt work as a real check, so the time taken does not tell which names exist.
            check_password(password, _DUMMY_HASH)
            return None
        return officer.username if check_password(password, officer.password_hash) else None

    # --- push -------------------------------------------------------------------------------

    def push(self, kiosk_id: str, events: Sequence[WireEvent]) -> list[PushResult]:
        return self._tx(lambda s: self._push(s, kiosk_id, events))

    def _push(self, s: Session, kiosk_id: str, events: Sequence[WireEvent]) -> list[PushResult]:
        now = utcnow()
        ids = [str(e.event_id) for e in events]
        cases = self._lock_cases(s, (str(e.case_id) for e in events))
        # One query for the whole batch: a query per new case would also flush the session each time.
        created = [e.case_number for e in events if e.kind is EventKind.CREATED]
        numbers = set(s.scalars(select(Case.number).where(Case.number.in_(created)))) if created else set()
        # Read last: a racing delivery that committed in time for the two reads above committed its
        # events too, so they are duplicates here rather than "case exists" or "retry".
        known = set(s.scalars(select(Event.id).where(Event.id.in_(ids))))
        results: list[PushResult] = []
        rows: list[dict[str, Any]] = []
        conflicted: dict[str, list[str]] = {}
        touched: set[str] = set()
        for event in events:
            event_id = str(event.event_id)
            if event_id in known:
                results.append(PushResult(event_id=event.event_id, status=PushStatus.DUPLICATE))
                continue
            status, detail = self._apply_kiosk_event(s, kiosk_id, event, cases, numbers, rows, now)
            if status in (PushStatus.APPLIED, PushStatus.CONFLICT):
                known.add(event_id)
            if status is PushStatus.CONFLICT:
                conflicted.setdefault(str(event.case_id), []).append(event_id)
            elif status is PushStatus.APPLIED and event.kind is not EventKind.CREATED:
                touched.add(str(event.case_id))
            results.append(PushResult(event_id=event.event_id, status=status, detail=detail))
        if rows:
            # Events are append-only rows: one executemany, not an ORM object each (the hot path).
            s.flush()
            s.execute(insert(cast(Table, Event.__table__)), rows)
        for case_id in conflicted:
            # The kiosk believes something the server does not: send it the server's version.
            self._emit(s, kiosk_id, case_id, [])
        for case_id in sorted(self._merged(s, touched - set(conflicted))):
            # The kiosk keeps its own state while it has events queued, so it may have skipped an
            # office change to this case: send the merged case back now that the server has them.
            self._emit(s, kiosk_id, case_id, [])
        s.execute(update(Kiosk).where(Kiosk.id == kiosk_id).values(last_seen_at=now))
        return results

    @staticmethod
    def _merged(s: Session, case_ids: set[str]) -> set[str]:
        """The cases among these that have been in the feed: changed at the office, by the bank or
        answered with a conflict. The others the kiosk alone has written, so it already agrees."""
        if not case_ids:
            return set()
        query = select(Event.case_id).where(
            Event.case_id.in_(sorted(case_ids)), or_(Event.origin != "kiosk", Event.status == "conflict")
        )
        return set(s.scalars(query.distinct()))

    def _apply_kiosk_event(
        self,
        s: Session,
        kiosk_id: str,
        event: WireEvent,
        cases: dict[str, Case],
        numbers: set[str],
        rows: list[dict[str, Any]],
        now: dt.datetime,
    ) -> tuple[PushStatus, str]:
        case_id = str(event.case_id)
        if event.kiosk_id != kiosk_id or not event.case_number.startswith(kiosk_id + "-"):
            return PushStatus.REJECTED, "not this kiosk's case"
        case = cases.get(case_id)
        if event.kind is EventKind.CREATED:
            if case is not None:
                return PushStatus.REJECTED, "the case already exists"
            try:
                data = _CreatedData.model_validate(event.data)
            except ValidationError as exc:
                return PushStatus.REJECTED, f"bad case data: {exc.errors()[0]['msg']}"
            if data.number != event.case_number or event.to_state is None:
                return PushStatus.REJECTED, "bad case data: number or state"
            if data.number in numbers:
                return PushStatus.REJECTED, "another case has this number"
            numbers.add(data.number)
            case = Case(
                id=case_id,
                number=data.number,
                kiosk_id=kiosk_id,
                service_code=data.service_code,
                service_version=data.service_version,
                state=event.to_state.value,
                form=data.form,
                documents=data.documents,
                priority=data.priority,
                applicant=event.applicant.model_dump() if event.applicant else None,
                created_at=event.at,
                updated_at=event.at,
                received_at=now,
                kiosk_seq=event.seq,
            )
            s.add(case)
            cases[case_id] = case
            rows.append(self._row(case, event, now, "applied"))
            return PushStatus.APPLIED, ""
        if case is None:
            return PushStatus.RETRY, "case not known yet: send its created event first"
        if case.kiosk_id != kiosk_id:
            return PushStatus.REJECTED, "not this kiosk's case"
        case.kiosk_seq = max(case.kiosk_seq, event.seq)
        try:
            self._apply_to_case(s, case, event)
        except (TransitionError, _Conflict, ValidationError) as exc:
            note = exc.message_en if isinstance(exc, KnownError) else str(exc).splitlines()[0]
            rows.append(self._row(case, event, now, "conflict", note=note[:500]))
            return PushStatus.CONFLICT, note[:500]
        rows.append(self._row(case, event, now, "applied"))
        return PushStatus.APPLIED, ""

    def _apply_to_case(self, s: Session, case: Case, event: WireEvent) -> None:
        kind = event.kind
        if kind is EventKind.TRANSITION:
            if event.to_state is None or event.from_state is None:
                raise _Conflict("a transition needs both states")
            if event.from_state.value != case.state:
                raise _Conflict(f"the case is {case.state} here, not {event.from_state.value}")
            if event.actor_role not in KIOSK_ROLES:
                # Officers decide at the office: a kiosk (or a stolen token) cannot claim their role.
                raise _Conflict(f"a kiosk cannot act as {event.actor_role.value}")
            if event.to_state is CaseState.PAID and any(i.status == "open" for i in case.invoices):
                raise _Conflict("paid needs the payment first: the invoice is still open")
            # A kiosk's staff void needs the supervisor named in the event (refused as a conflict).
            self._check(
                case, event.to_state, event.actor_role, event.reason, actor_id=event.actor_id, data=event.data
            )
            self._enter(case, event.to_state, event.at)
            if event.to_state is CaseState.NEEDS_FIX and isinstance(event.data.get("fix_deadline"), str):
                case.fix_deadline = _aware(event.data["fix_deadline"])
        elif kind is EventKind.FEE_SET:
            fee = _FeeSetData.model_validate(event.data)
            if case.state != CaseState.APPROVED.value:
                raise _Conflict("fees can only be set on an approved case")
            taken = s.scalar(
                select(Invoice.id).where(
                    or_(Invoice.id == fee.invoice_id, (Invoice.ref1 == fee.ref1) & (Invoice.ref2 == fee.ref2))
                )
            )
            if taken is not None:
                raise _Conflict("an invoice with this id or these refs exists")
            invoice = Invoice(
                id=fee.invoice_id,
                ref1=fee.ref1,
                ref2=fee.ref2,
                total_satang=fee.total_satang,
                status="open",
                due_date=fee.due_date if fee.due_date and fee.due_date.tzinfo else None,
                created_at=event.at,
            )
            for position, (key, label, amount) in enumerate(fee.lines):
                invoice.lines.append(
                    InvoiceLine(position=position, fee_key=key[:40], label_th=label, amount_satang=amount)
                )
            # Through the relationship, so the next event of this batch sees the open invoice.
            case.invoices.append(invoice)
        elif kind is EventKind.PAYMENT_RECORDED:
            pay = _PaymentData.model_validate(event.data)
            paying = s.get(Invoice, pay.invoice_id)
            if paying is None or paying.case_id != case.id:
                raise _Conflict("no such invoice on this case")
            if paying.status != "open" or pay.amount_satang != paying.total_satang:
                raise _Conflict(f"invoice is {paying.status}, {paying.total_satang} satang")
            s.add(
                Payment(
                    id=pay.payment_id,
                    invoice_id=paying.id,
                    amount_satang=pay.amount_satang,
                    channel=pay.channel,
                    paid_at=event.at,
                )
            )
            paying.status = "paid"
        elif kind is EventKind.DOCUMENT_MARKED:
            doc, mark = event.data.get("document"), event.data.get("status")
            if isinstance(doc, str) and isinstance(mark, str):
                case.documents = {**case.documents, doc[:40]: mark[:16]}
        elif kind is EventKind.SLA_EXTENDED:
            due, extensions = event.data.get("due_at"), event.data.get("extensions")
            if isinstance(due, str) and isinstance(extensions, int):
                case.sla_due_at, case.sla_extensions = _aware(due), extensions
        case.updated_at = max(case.updated_at, event.at)

    def _check(
        self,
        case: Case,
        target: CaseState,
        role: Role,
        reason: str,
        *,
        actor_id: str = "",
        data: Mapping[str, Any] | None = None,
    ) -> None:
        source = CaseState(case.state)
        fee_due = None
        if source is CaseState.APPROVED:
            fee_due = any(i.status == "open" and i.total_satang > 0 for i in case.invoices)
        check_transition(source, target, role, reason=reason, fee_due=fee_due, actor_id=actor_id, data=data)

    def _enter(self, case: Case, target: CaseState, at: dt.datetime) -> None:
        if target is SLA_START and case.sla_started_at is None:
            case.sla_started_at = at
            service = self.catalog.get(case.service_code)
            if service is not None:
                case.sla_due_at = due_at(at, service.time_limit, self.calendar)
        if target in SLA_STOP and case.sla_started_at is not None and case.sla_stopped_at is None:
            case.sla_stopped_at = at
        case.state = target.value
        case.updated_at = max(case.updated_at, at)

    @staticmethod
    def _row(
        case: Case, event: WireEvent, now: dt.datetime, status: str, *, note: str = ""
    ) -> dict[str, Any]:
        return {
            "id": str(event.event_id),
            "case_id": case.id,
            "origin": "kiosk",
            "kiosk_id": event.kiosk_id,
            "seq": event.seq,
            "kind": event.kind.value,
            "from_state": event.from_state.value if event.from_state else None,
            "to_state": event.to_state.value if event.to_state else None,
            "actor_role": event.actor_role.value,
            "actor_id": event.actor_id,
            "at": event.at,
            "reason": event.reason,
            "data": event.data,
            "received_at": now,
            "status": status,
            "note": note,
        }

    # --- pull -------------------------------------------------------------------------------

    def pull(self, kiosk_id: str, after: int, limit: int) -> PullResponse:
        with self.db.session() as s:
            rows = list(
                s.scalars(
                    select(Change)
                    .where(Change.id > after, or_(Change.kiosk_id == kiosk_id, Change.kiosk_id.is_(None)))
                    .order_by(Change.id)
                    .limit(limit + 1)
                )
            )
            more = len(rows) > limit
            rows = rows[:limit]
            case_ids = {r.case_id for r in rows if r.case_id}
            cases = {
                c.id: c
                for c in s.scalars(
                    select(Case)
                    .where(Case.id.in_(case_ids), Case.kiosk_id == kiosk_id)
                    .options(selectinload(Case.invoices).selectinload(Invoice.lines))
                    .options(selectinload(Case.invoices).selectinload(Invoice.payments))
                )
            }
            event_ids = {e for r in rows for e in r.event_ids}
            events = {e.id: e for e in s.scalars(select(Event).where(Event.id.in_(event_ids)))}
            changes: list[WireChange] = []
            for row in rows:
                if row.type == ChangeType.VERSIONS.value:
                    changes.append(
                        WireChange(
                            id=row.id, type=ChangeType.VERSIONS, at=row.created_at, versions=row.versions
                        )
                    )
                    continue
                case = cases.get(row.case_id or "")
                if case is None:
                    continue
                changes.append(
                    WireChange(
                        id=row.id,
                        type=ChangeType.CASE,
                        at=row.created_at,
                        case=snapshot(case),
                        events=[wire_event(events[e], case.number) for e in row.event_ids if e in events],
                    )
                )
            cursor = rows[-1].id if rows else after
        return PullResponse(
            changes=changes, cursor=cursor, more=more, versions=self.versions, server_time=utcnow()
        )

    def publish_versions(self) -> bool:
        """Tell every kiosk when the catalog or workflow this server runs differs from last time."""

        def work(s: Session) -> bool:
            row = s.get(Setting, "versions")
            if row is not None and row.value == self.versions:
                return False
            if row is None:
                row = Setting(key="versions", value={})
                s.add(row)
            row.value = dict(self.versions)
            if self.db.postgres:
                s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": FEED_LOCK})
            s.add(Change(kiosk_id=None, type=ChangeType.VERSIONS.value, versions=dict(self.versions)))
            return True

        return self._tx(work)

    # --- the back office --------------------------------------------------------------------

    def act(self, number: str, request: ActionRequest, officer: str) -> CaseDetailOut:
        self._tx(lambda s: self._act(s, number, request, officer))
        return self.case(number)

    def _act(self, s: Session, number: str, req: ActionRequest, officer: str) -> None:
        case_id = s.scalar(select(Case.id).where(Case.number == number.strip().upper()))
        if case_id is None:
            raise NotFoundError(f"ไม่พบคำขอเลขที่ {number}", f"No case numbered {number}")
        case = self._lock_cases(s, [case_id])[case_id]
        if req.expected_state is not None and case.state != req.expected_state.value:
            raise ConflictError(
                "มีผู้อื่นเปลี่ยนสถานะคำขอนี้ไปแล้ว กรุณาโหลดหน้าใหม่",
                f"The case is now {case.state}, not {req.expected_state.value}",
            )
        now = utcnow()
        written: list[Event] = []

        def move(
            target: CaseState,
            *,
            role: Role = Role.OFFICER,
            reason: str = "",
            data: dict[str, Any] | None = None,
        ) -> None:
            source = CaseState(case.state)
            self._check(case, target, role, reason)
            self._enter(case, target, now)
            actor = "" if role is Role.SYSTEM else officer
            written.append(
                self._office_event(
                    s, case, EventKind.TRANSITION, role, actor, now, source, target, reason, data
                )
            )

        action = req.action
        if action is Action.COMPLETE:
            move(CaseState.COMPLETE)
        elif action is Action.REQUEST_FIX:
            items = [i.strip() for i in req.items if i.strip()]
            reason = "; ".join(items) or req.reason.strip()
            deadline = end_of_day_after(now, req.fix_days)
            move(
                CaseState.NEEDS_FIX,
                reason=reason,
                data={"items": items, "fix_deadline": deadline.isoformat()},
            )
            case.fix_deadline = deadline
        elif action is Action.CONSIDER:
            move(CaseState.UNDER_REVIEW)
        elif action is Action.APPROVE:
            total = sum(f.amount_satang for f in req.fees)
            move(CaseState.APPROVED, data={"fee_satang": total})
            if total > 0:
                due = end_of_day_after(now, req.pay_within_days)
                invoice = Invoice(
                    id=new_id(),
                    ref1=CaseNumber.parse(case.number).compact,
                    ref2=f"{len(case.invoices) + 1:02d}",
                    total_satang=total,
                    status="open",
                    due_date=due,
                    created_at=now,
                )
                for position, fee in enumerate(req.fees):
                    invoice.lines.append(
                        InvoiceLine(
                            position=position,
                            fee_key=fee.key,
                            label_th=fee.label_th,
                            label_en=fee.label_en,
                            amount_satang=fee.amount_satang,
                        )
                    )
                case.invoices.append(invoice)
                s.flush()
                data = {
                    "invoice_id": invoice.id,
                    "ref1": invoice.ref1,
                    "ref2": invoice.ref2,
                    "total_satang": total,
                    "lines": [[f.key, f.label_th, f.amount_satang] for f in req.fees],
                    "due_date": due.isoformat(),
                }
                written.append(
                    self._office_event(s, case, EventKind.FEE_SET, Role.OFFICER, officer, now, data=data)
                )
                move(CaseState.AWAITING_PAYMENT, role=Role.SYSTEM)
        elif action is Action.REJECT:
            move(CaseState.REJECTED, reason=req.reason.strip())
        elif action is Action.CONFIRM_PAYMENT:
            open_invoice = next((i for i in case.invoices if i.status == "open"), None)
            if open_invoice is None:
                raise ConflictError("คำขอนี้ไม่มีรายการค้างชำระ", f"Case {case.number} has nothing to pay")
            written.append(
                self._pay(s, case, open_invoice, req.channel, req.reference, officer, Role.OFFICER, now)
            )
            move(CaseState.PAID)
        elif action is Action.ISSUE:
            move(CaseState.ISSUED)
        elif action is Action.PICKED_UP:
            move(CaseState.PICKED_UP)
        elif action is Action.EXTEND:
            service = self.catalog.get(case.service_code)
            if service is None or not req.reason.strip():
                raise ConflictError("ขยายระยะเวลาไม่ได้", "Extending needs a known service and a reason")
            status = extend(
                SlaStatus(case.sla_started_at, case.sla_due_at, case.sla_stopped_at, case.sla_extensions),
                service.time_limit,
                self.calendar,
            )
            assert status.due_at is not None
            case.sla_due_at, case.sla_extensions, case.updated_at = status.due_at, status.extensions, now
            written.append(
                self._office_event(
                    s,
                    case,
                    EventKind.SLA_EXTENDED,
                    Role.OFFICER,
                    officer,
                    now,
                    reason=req.reason.strip(),
                    data={"due_at": status.due_at.isoformat(), "extensions": status.extensions},
                )
            )
        self._emit(s, case.kiosk_id, case.id, [e.id for e in written])

    def _pay(
        self,
        s: Session,
        case: Case,
        invoice: Invoice,
        channel: str,
        reference: str,
        actor: str,
        role: Role,
        now: dt.datetime,
    ) -> Event:
        payment = Payment(
            id=new_id(),
            invoice_id=invoice.id,
            amount_satang=invoice.total_satang,
            channel=channel,
            reference=reference,
            paid_at=now,
        )
        s.add(payment)
        invoice.status = "paid"
        s.flush()
        data = {
            "payment_id": payment.id,
            "invoice_id": invoice.id,
            "amount_satang": invoice.total_satang,
            "channel": channel,
        }
        return self._office_event(s, case, EventKind.PAYMENT_RECORDED, role, actor, now, data=data)

    def _office_event(
        self,
        s: Session,
        case: Case,
        kind: EventKind,
        role: Role,
        actor: str,
        now: dt.datetime,
        source: CaseState | None = None,
        target: CaseState | None = None,
        reason: str = "",
        data: dict[str, Any] | None = None,
        *,
        origin: str = "office",
    ) -> Event:
        event = Event(
            id=new_id(),
            case_id=case.id,
            origin=origin,
            kiosk_id="",
            seq=0,
            kind=kind.value,
            from_state=source.value if source else None,
            to_state=target.value if target else None,
            actor_role=role.value,
            actor_id=actor,
            at=now,
            reason=reason,
            data=dict(data or {}),
            received_at=now,
            status="applied",
        )
        s.add(event)
        return event

    # --- views ------------------------------------------------------------------------------

    def case(self, number: str) -> CaseDetailOut:
        with self.db.session() as s:
            case = s.scalar(
                select(Case)
                .where(Case.number == number.strip().upper())
                .options(selectinload(Case.invoices).selectinload(Invoice.lines))
                .options(selectinload(Case.invoices).selectinload(Invoice.payments))
            )
            if case is None:
                raise NotFoundError(f"ไม่พบคำขอเลขที่ {number}", f"No case numbered {number}")
            events = list(s.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.n)))
            base = _summary(case, utcnow())
            return CaseDetailOut(
                **base.model_dump(),
                applicant=case.applicant,
                form=case.form,
                documents=case.documents,
                fix_deadline=case.fix_deadline,
                sla_started_at=case.sla_started_at,
                sla_stopped_at=case.sla_stopped_at,
                sla_extensions=case.sla_extensions,
                invoices=[
                    InvoiceOut(
                        id=i.id,
                        ref1=i.ref1,
                        ref2=i.ref2,
                        total_satang=i.total_satang,
                        status=i.status,
                        due_date=i.due_date,
                        lines=[(ln.fee_key, ln.label_th, ln.amount_satang) for ln in i.lines],
                        payments=[(p.amount_satang, p.channel, p.reference, p.paid_at) for p in i.payments],
                    )
                    for i in case.invoices
                ],
                events=[
                    EventOut(
                        id=e.id,
                        origin=e.origin,
                        kiosk_id=e.kiosk_id,
                        kind=e.kind,
                        from_state=e.from_state,
                        to_state=e.to_state,
                        actor_role=e.actor_role,
                        actor_id=e.actor_id,
                        at=e.at,
                        reason=e.reason,
                        status=e.status,
                    )
                    for e in events
                ],
            )

    def cases(
        self,
        *,
        state: CaseState | None = None,
        service_code: str | None = None,
        kiosk_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[CaseOut]:
        query = select(Case).options(selectinload(Case.invoices)).order_by(Case.created_at.desc(), Case.id)
        if state is not None:
            query = query.where(Case.state == state.value)
        if service_code:
            query = query.where(Case.service_code == service_code)
        if kiosk_id:
            query = query.where(Case.kiosk_id == kiosk_id)
        now = utcnow()
        with self.db.session() as s:
            return [_summary(c, now) for c in s.scalars(query.limit(limit).offset(offset))]

    def ping(self) -> None:
        """The database answers (for /healthz): one trivial query, whatever the tables hold."""
        with self.db.session() as s:
            s.execute(text("SELECT 1"))

    def count(self) -> int:
        with self.db.session() as s:
            return s.scalar(select(func.count()).select_from(Case)) or 0

    def overdue(self, *, limit: int = 500) -> list[CaseOut]:
        now = utcnow()
        query = (
            select(Case)
            .options(selectinload(Case.invoices))
            .where(Case.sla_due_at < now, Case.sla_stopped_at.is_(None))
            .order_by(Case.sla_due_at)
            .limit(limit)
        )
        with self.db.session() as s:
            return [_summary(c, now) for c in s.scalars(query)]

    def dashboard(self) -> Dashboard:
        """Finished and unfinished cases per service, as the BMA OSS dashboard shows executives."""
        now = utcnow()
        with self.db.session() as s:
            by_state = s.execute(
                select(Case.service_code, Case.state, func.count()).group_by(Case.service_code, Case.state)
            ).all()
            late = s.execute(
                select(Case.service_code, func.count())
                .where(
                    Case.sla_due_at.is_not(None),
                    or_(
                        (Case.sla_stopped_at.is_(None)) & (Case.sla_due_at < now),
                        Case.sla_stopped_at > Case.sla_due_at,
                    ),
                )
                .group_by(Case.service_code)
            ).all()
        totals: dict[str, list[int]] = {}
        for code, state, n in by_state:
            row = totals.setdefault(code, [0, 0, 0])
            row[0 if CaseState(state) in FINAL else 1] += n
        overdue = {code: n for code, n in late}
        rows = []
        for code in sorted(totals):
            finished, unfinished, _ = totals[code]
            service = self.catalog.get(code)
            rows.append(
                DashboardRow(
                    service_code=code,
                    name_th=service.name_th if service else code,
                    total=finished + unfinished,
                    finished=finished,
                    unfinished=unfinished,
                    overdue=overdue.get(code, 0),
                )
            )
        return Dashboard(
            rows=rows,
            total=sum(r.total for r in rows),
            finished=sum(r.finished for r in rows),
            unfinished=sum(r.unfinished for r in rows),
            overdue=sum(r.overdue for r in rows),
        )


KIOSK_ROLES = frozenset({Role.APPLICANT, Role.STAFF, Role.SYSTEM})


KIOSK_ROLES = frozenset({Role.APPLICANT, Role.STAFF, Role.SYSTEM})


# The scrypt hash of a random password nobody kept: checked against when the officer does not exist
# (the answer is "no" whatever it says), so an unknown name costs the same scrypt work as a real one.
_DUMMY_HASH = "scrypt$vr8IP3Zttk6HscHRB7TfSQ==$yK/flsk4isEDu7pg31YGF2Bd89pdDCSxQ2Wgen8cNUI="


class _Conflict(Exception):
    @property
    def message_en(self) -> str:
        return str(self)


def _retryable(exc: DBAPIError) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    code = getattr(exc.orig, "sqlstate", None)
    return code in {"40001", "40P01"} or "locked" in str(exc.orig)


def _aware(value: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _summary(case: Case, now: dt.datetime) -> CaseOut:
    state = CaseState(case.state)
    sla = SlaStatus(case.sla_started_at, case.sla_due_at, case.sla_stopped_at, case.sla_extensions)
    return CaseOut(
        id=case.id,
        number=case.number,
        kiosk_id=case.kiosk_id,
        service_code=case.service_code,
        state=state,
        state_th=state.label_th,
        created_at=case.created_at,
        updated_at=case.updated_at,
        sla_due_at=case.sla_due_at,
        overdue=sla.overdue(now),
        amount_due_satang=sum(i.total_satang for i in case.invoices if i.status == "open"),
    )


def snapshot(case: Case) -> WireCaseSnapshot:
    return WireCaseSnapshot(
        case_id=case.id,
        number=case.number,
        state=CaseState(case.state),
        updated_at=case.updated_at,
        sla_started_at=case.sla_started_at,
        sla_due_at=case.sla_due_at,
        sla_stopped_at=case.sla_stopped_at,
        sla_extensions=case.sla_extensions,
        fix_deadline=case.fix_deadline,
        invoices=[
            WireInvoice(
                id=i.id,
                ref1=i.ref1,
                ref2=i.ref2,
                total_satang=i.total_satang,
                status=i.status,
                due_date=i.due_date,
                created_at=i.created_at,
                lines=[
                    WireInvoiceLine(
                        key=ln.fee_key,
                        label_th=ln.label_th,
                        label_en=ln.label_en,
                        amount_satang=ln.amount_satang,
                    )
                    for ln in i.lines
                ],
                payments=[
                    WirePayment(
                        id=p.id,
                        amount_satang=p.amount_satang,
                        channel=p.channel,
                        reference=p.reference,
                        paid_at=p.paid_at,
                    )
                    for p in i.payments
                ],
            )
            for i in case.invoices
        ],
    )


def wire_event(event: Event, case_number: str) -> WireEvent:
    return WireEvent(
        event_id=event.id,
        case_id=event.case_id,
        case_number=case_number,
        seq=event.seq,
        kind=EventKind(event.kind),
        from_state=CaseState(event.from_state) if event.from_state else None,
        to_state=CaseState(event.to_state) if event.to_state else None,
        actor_role=Role(event.actor_role),
        actor_id=event.actor_id,
        kiosk_id=event.kiosk_id,
        at=event.at,
        reason=event.reason,
        data=event.data,
    )
