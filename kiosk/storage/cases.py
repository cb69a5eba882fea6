"""Cases as units of work: each operation is one transaction that changes the case, appends its
events and writes one outbox row per event, or changes nothing at all.

The workflow rules live in `kiosk.domain.workflow`; this module applies them to stored cases and
keeps the SLA fields in step.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kiosk.domain.catalog import Catalog
from kiosk.domain.fees import FeeLine
from kiosk.domain.money import from_satang, to_satang
from kiosk.domain.numbering import CaseNumber, sequence_name
from kiosk.domain.services import ServiceDefinition
from kiosk.domain.sla import BANGKOK, SlaStatus, WorkingCalendar, due_at, end_of_day_after, extend
from kiosk.domain.thai import be_year, is_valid_citizen_id
from kiosk.domain.workflow import (
    SLA_START,
    SLA_STOP,
    Actor,
    CaseState,
    EventKind,
    Role,
    check_transition,
)
from kiosk.errors import KnownError, NotFoundError
from kiosk.storage.crypto import event_aad, outbox_aad
from kiosk.storage.db import Database
from kiosk.storage.models import (
    Applicant,
    Case,
    CaseDocument,
    Event,
    Invoice,
    InvoiceLine,
    OutboxItem,
    Payment,
)
from kiosk.storage.models import (
    Sequence as SequenceRow,
)
from kiosk.storage.privacy import REMOVED_TH, Vault, split_personal

if TYPE_CHECKING:
    from kiosk.storage.queue import QueueStore

log = logging.getLogger(__name__)

SYSTEM = Actor(Role.SYSTEM)


class CaseError(KnownError):
    pass


@dataclass(frozen=True)
class ApplicantInfo:
    citizen_id: str
    name_th: str
    name_en: str = ""
    birth_date: str = ""
    address: str = ""
    phone: str = ""


PRIORITIES = frozenset({"", "elderly", "disabled", "pregnant", "monk"})


@dataclass(frozen=True)
class StaffAction:
    """Something staff did during a visit before the case existed; written as its own event at submit."""

    kind: EventKind
    actor: Actor
    at: dt.datetime
    reason: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EventView:
    id: str
    seq: int
    kind: str
    from_state: str | None
    to_state: str | None
    actor_role: str
    actor_id: str
    kiosk_id: str
    at: dt.datetime
    reason: str
    data: dict[str, Any]


@dataclass(frozen=True)
class DocumentView:
    key: str
    name_th: str
    required: bool
    status: str
    note: str


@dataclass(frozen=True)
class InvoiceView:
    id: str
    ref1: str
    ref2: str
    total_satang: int
    status: str
    due_date: dt.datetime | None
    lines: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class CaseView:
    """A snapshot of a case, detached from any session, safe to hand to any thread."""

    id: str
    number: str
    service_code: str
    state: CaseState
    applicant_name: str
    citizen_id: str | None
    form_data: dict[str, Any]
    priority: str
    kiosk_id: str
    created_at: dt.datetime
    updated_at: dt.datetime
    sla: SlaStatus
    fix_deadline: dt.datetime | None
    documents: tuple[DocumentView, ...] = ()
    invoices: tuple[InvoiceView, ...] = ()
    events: tuple[EventView, ...] = ()
    # The applicant's personal data was removed under the retention rule: `applicant_name` says so,
    # `citizen_id` is None and `form_data` is empty.
    personal_removed: bool = False
    # The queue ticket issued with the case (`submit(ticket_group=...)`), e.g. "A042"; "" = none.
    ticket_number: str = ""

    @property
    def amount_due_satang(self) -> int:
        return sum(i.total_satang for i in self.invoices if i.status == "open")


def _view(case: Case, vault: Vault, *, detail: bool = False) -> CaseView:
    """Snapshot a case inside its session. Lists load invoices eagerly; `detail` adds checklist and history."""
    person = case.applicant
    fields = vault.applicant(person)
    form = vault.form(case, person) if fields is not None else None
    view = CaseView(
        id=case.id,
        number=case.number,
        service_code=case.service_code,
        state=CaseState(case.state),
        applicant_name=fields["name_th"] if fields is not None else REMOVED_TH,
        citizen_id=(fields["citizen_id"] or None) if fields is not None else None,
        form_data=form or {},
        personal_removed=fields is None,
        priority=case.priority,
        kiosk_id=case.kiosk_id,
        created_at=case.created_at,
        updated_at=case.updated_at,
        sla=SlaStatus(case.sla_started_at, case.sla_due_at, case.sla_stopped_at, case.sla_extensions),
        fix_deadline=case.fix_deadline,
        invoices=tuple(
            InvoiceView(
                i.id,
                i.ref1,
                i.ref2,
                i.total_satang,
                i.status,
                i.due_date,
                tuple((line.label_th, line.amount_satang) for line in i.lines),
            )
            for i in case.invoices
        ),
    )
    if not detail:
        return view
    return replace(
        view,
        documents=tuple(
            DocumentView(d.doc_key, d.name_th, d.required, d.status, d.note) for d in case.documents
        ),
        events=tuple(
            EventView(
                e.id,
                e.seq,
                e.kind,
                e.from_state,
                e.to_state,
                e.actor_role,
                e.actor_id,
                e.kiosk_id,
                e.at,
                e.reason,
                vault.event_data(e, person),
            )
            for e in case.events
        ),
    )


_LIST_LOADS = (selectinload(Case.applicant), selectinload(Case.invoices).selectinload(Invoice.lines))

DOCUMENT_STATUSES = frozenset({"pending", "received", "missing", "not_applicable"})


class CaseStore:
    """The kiosk's cases. One instance per process; every method opens its own short session."""

    # Issues the queue ticket of `submit(ticket_group=...)` in the case's transaction (set by the owner).
    queue: QueueStore | None = None

    def __init__(
        self,
        db: Database,
        catalog: Catalog,
        *,
        kiosk_id: str,
        calendar: WorkingCalendar,
        lookup_key: bytes,
    ) -> None:
        self.db = db
        self.catalog = catalog
        self.kiosk_id = kiosk_id
        self.calendar = calendar
        self._lookup_key = lookup_key

    # --- identities -------------------------------------------------------------------------

    def citizen_ref(self, citizen_id: str) -> str:
        """Keyed hash of a citizen ID: lets the kiosk find a person's cases without a clear index."""
        return hmac.new(self._lookup_key, citizen_id.encode("ascii"), hashlib.sha256).hexdigest()

    def _service(self, code: str) -> ServiceDefinition:
        service = self.catalog.get(code)
        if service is None:
            raise NotFoundError(f"ไม่พบบริการรหัส {code}", f"No service with code {code!r} in the catalog")
        return service

    # --- writing ----------------------------------------------------------------------------

    def submit(
        self,
        service_code: str,
        applicant: ApplicantInfo,
        form: Mapping[str, Any],
        actor: Actor,
        *,
        now: dt.datetime | None = None,
        documents: Mapping[str, str] | None = None,
        priority: str = "",
        staff_actions: Sequence[StaffAction] = (),
        ticket_group: str | None = None,
    ) -> CaseView:
        """Write a new case as submitted: the case, its checklist, its events and their outbox rows.

        `staff_actions` (take-over, corrections with their reasons) become events of their own between
        the case's creation and its submission, so the history says who did what at the counter.
        `ticket_group` issues the queue ticket in the same transaction ("" = the service's group);
        the view's `ticket_number` names it.
        """
        service = self._service(service_code)
        if ticket_group is not None and self.queue is None:
            raise CaseError("ระบบคิวยังไม่พร้อม", "No queue to issue a ticket with (CaseStore.queue)")
        if not is_valid_citizen_id(applicant.citizen_id):
            raise CaseError("เลขประจำตัวประชาชนไม่ถูกต้อง", "The citizen ID is not valid")
        check_transition(CaseState.DRAFT, CaseState.SUBMITTED, actor.role)
        now = now or dt.datetime.now(dt.UTC)
        marks = dict(documents or {})
        unknown = set(marks) - {d.key for d in service.documents}
        if unknown or not set(marks.values()) <= DOCUMENT_STATUSES:
            raise CaseError("รายการเอกสารไม่ถูกต้อง", f"Unknown documents or statuses: {sorted(unknown)}")
        _check_priority(priority)
        with self.db.unit_of_work() as s, s.begin():
            vault = self._vault(s)
            person = self._applicant(s, vault, applicant, now)
            number = self._next_number(s, now)
            case = Case(
                id=str(uuid.uuid4()),
                number=str(number),
                service_code=service.code,
                service_version=service.version,
                applicant=person,
                state=CaseState.DRAFT.value,
                priority=priority,
                kiosk_id=self.kiosk_id,
                created_at=now,
                updated_at=now,
            )
            vault.seal_form(case, person, form)
            s.add(case)
            for position, doc in enumerate(service.documents):
                s.add(
                    CaseDocument(
                        case=case,
                        doc_key=doc.key,
                        position=position,
                        name_th=doc.name_th,
                        required=not doc.conditional,
                        status=marks.get(doc.key, "pending"),
                    )
                )
            snapshot = {
                "number": case.number,
                "service_code": service.code,
                "service_version": service.version,
                "form": dict(form),
                "priority": priority,
                "documents": marks,
            }
            self._append(s, case, EventKind.CREATED, actor, now, to_state=CaseState.DRAFT, data=snapshot)
            for action in staff_actions:
                self._append(
                    s, case, action.kind, action.actor, action.at, reason=action.reason, data=action.data
                )
            self._move(s, case, CaseState.SUBMITTED, actor, now)
            s.flush()
            if ticket_group is not None and self.queue is not None:
                group = ticket_group or self.queue.group_for(service.code, service.category.value)
                ticket = self.queue.issue_in(
                    s, group, priority=priority, service_code=service.code, case_id=case.id, now=now
                )
                return replace(_view(case, vault), ticket_number=ticket.number)
            return _view(case, vault)

    def transition(
        self,
        number: str,
        target: CaseState,
        actor: Actor,
        *,
        reason: str = "",
        now: dt.datetime | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> CaseView:
        now = now or dt.datetime.now(dt.UTC)
        with self.db.unit_of_work() as s, s.begin():
            case = self._load(s, number)
            self._move(s, case, target, actor, now, reason=reason, data=data)
            if target is CaseState.WITHDRAWN and self.queue is not None:
                # A withdrawn (voided) case needs no counter: its ticket leaves the line with it.
                self.queue.cancel_for_case_in(s, case.id, actor.id, reason or "withdrawn", now)
            return _view(case, self._vault(s))

    def record_deficiency(
        self,
        number: str,
        items: Sequence[str],
        actor: Actor,
        *,
        fix_days: int = 7,
        now: dt.datetime | None = None,
    ) -> CaseView:
        """Record what is missing or wrong, once, with the deadline to fix it (form นส.๒/๑)."""
        if not items or not all(i.strip() for i in items):
            raise CaseError("กรุณาระบุรายการที่ต้องแก้ไข", "List what is missing or wrong")
        now = now or dt.datetime.now(dt.UTC)
        deadline = end_of_day_after(now, fix_days)
        with self.db.unit_of_work() as s, s.begin():
            case = self._load(s, number)
            reason = "; ".join(i.strip() for i in items)
            self._move(
                s,
                case,
                CaseState.NEEDS_FIX,
                actor,
                now,
                reason=reason,
                data={"items": list(items), "fix_deadline": deadline.isoformat()},
            )
            case.fix_deadline = deadline
            return _view(case, self._vault(s))

    def mark_document(
        self,
        number: str,
        key: str,
        status: str,
        actor: Actor,
        *,
        note: str = "",
        now: dt.datetime | None = None,
    ) -> CaseView:
        if status not in DOCUMENT_STATUSES:
            raise CaseError("สถานะเอกสารไม่ถูกต้อง", f"Unknown document status {status!r}")
        now = now or dt.datetime.now(dt.UTC)
        with self.db.unit_of_work() as s, s.begin():
            case = self._load(s, number)
            doc = next((d for d in case.documents if d.doc_key == key), None)
            if doc is None:
                raise NotFoundError("ไม่พบเอกสารนี้ในรายการ", f"Case {number} has no document {key!r}")
            doc.status, doc.note = status, note
            case.updated_at = now
            self._append(
                s, case, EventKind.DOCUMENT_MARKED, actor, now, data={"document": key, "status": status}
            )
            return _view(case, self._vault(s))

    def approve(
        self,
        number: str,
        actor: Actor,
        fees: Sequence[FeeLine] = (),
        *,
        pay_within_days: int = 15,
        now: dt.datetime | None = None,
    ) -> CaseView:
        """The officer approves; with a fee the case waits for payment under a new invoice."""
        now = now or dt.datetime.now(dt.UTC)
        total = sum(to_satang(f.amount) for f in fees)
        with self.db.unit_of_work() as s, s.begin():
            case = self._load(s, number)
            self._move(s, case, CaseState.APPROVED, actor, now, data={"fee_satang": total})
            if total > 0:
                due = end_of_day_after(now, pay_within_days)
                invoice = Invoice(
                    case=case,
                    ref1=CaseNumber.parse(case.number).compact,
                    ref2=f"{len(case.invoices) + 1:02d}",
                    total_satang=total,
                    due_date=due,
                    created_at=now,
                )
                for position, line in enumerate(fees):
                    invoice.lines.append(
                        InvoiceLine(
                            position=position,
                            fee_key=line.key,
                            label_th=line.label_th,
                            label_en=line.label_en,
                            amount_satang=to_satang(line.amount),
                        )
                    )
                s.add(invoice)
                s.flush()
                self._append(
                    s,
                    case,
                    EventKind.FEE_SET,
                    actor,
                    now,
                    data={
                        "invoice_id": invoice.id,
                        "ref1": invoice.ref1,
                        "ref2": invoice.ref2,
                        "total_satang": total,
                        "lines": [[f.key, f.label_th, to_satang(f.amount)] for f in fees],
                        "due_date": due.isoformat(),
                    },
                )
                self._move(s, case, CaseState.AWAITING_PAYMENT, SYSTEM, now)
            s.flush()
            return _view(case, self._vault(s), detail=True)

    def record_payment(
        self,
        number: str,
        amount_satang: int,
        channel: str,
        actor: Actor,
        *,
        reference: str = "",
        now: dt.datetime | None = None,
    ) -> CaseView:
        """A payment for the open invoice; the exact amount pays it and moves the case to paid."""
        now = now or dt.datetime.now(dt.UTC)
        with self.db.unit_of_work() as s, s.begin():
            case = self._load(s, number)
            invoice = next((i for i in case.invoices if i.status == "open"), None)
            if invoice is None:
                raise CaseError("คำขอนี้ไม่มีรายการค้างชำระ", f"Case {number} has nothing to pay")
            if amount_satang != invoice.total_satang:
                raise CaseError(
                    "จำนวนเงินไม่ตรงกับยอดที่ต้องชำระ",
                    f"Paid {from_satang(amount_satang)} but {from_satang(invoice.total_satang)} is due",
                )
            payment = Payment(
                invoice=invoice,
                amount_satang=amount_satang,
                channel=channel,
                reference=reference,
                paid_at=now,
            )
            s.add(payment)
            invoice.status = "paid"
            s.flush()
            self._append(
                s,
                case,
                EventKind.PAYMENT_RECORDED,
                actor,
                now,
                data={
                    "payment_id": payment.id,
                    "invoice_id": invoice.id,
                    "amount_satang": amount_satang,
                    "channel": channel,
                },
            )
            self._move(s, case, CaseState.PAID, actor, now)
            return _view(case, self._vault(s))

    def set_priority(
        self, number: str, priority: str, actor: Actor, *, reason: str, now: dt.datetime | None = None
    ) -> CaseView:
        """Staff set or clear a priority (elderly, disabled, pregnant, monk), always with a reason."""
        _check_priority(priority)
        if actor.role not in (Role.STAFF, Role.OFFICER):
            raise CaseError("เฉพาะเจ้าหน้าที่กำหนดลำดับความสำคัญได้", "Only staff may set a priority")
        if not reason.strip():
            raise CaseError("กรุณาระบุเหตุผล", "Setting a priority needs a reason")
        now = now or dt.datetime.now(dt.UTC)
        with self.db.unit_of_work() as s, s.begin():
            case = self._load(s, number)
            previous, case.priority, case.updated_at = case.priority, priority, now
            self._append(
                s,
                case,
                EventKind.PRIORITY_SET,
                actor,
                now,
                reason=reason,
                data={"from": previous, "to": priority},
            )
            return _view(case, self._vault(s))

    def record_action(
        self,
        number: str,
        action: str,
        actor: Actor,
        *,
        reason: str = "",
        data: Mapping[str, Any] | None = None,
        now: dt.datetime | None = None,
    ) -> CaseView:
        """A staff action on an existing case (take over, reprint, open) as an event of its own."""
        if actor.role not in (Role.STAFF, Role.OFFICER):
            raise CaseError("เฉพาะเจ้าหน้าที่", f"A {actor.role.value} does not record staff actions")
        now = now or dt.datetime.now(dt.UTC)
        with self.db.unit_of_work() as s, s.begin():
            case = self._load(s, number)
            case.updated_at = now
            self._append(
                s,
                case,
                EventKind.STAFF_ACTION,
                actor,
                now,
                reason=reason,
                data={"action": action, **(data or {})},
            )
            return _view(case, self._vault(s))

    def record_action_in(
        self,
        s: Session,
        case_id: str,
        action: str,
        actor: Actor,
        *,
        now: dt.datetime,
        reason: str = "",
        data: Mapping[str, Any] | None = None,
    ) -> None:
        """`record_action` inside the caller's open unit of work: the queue writes "service started /
        finished at counter N" into the case with the ticket's own event (kiosk.storage.queue)."""
        if actor.role not in (Role.STAFF, Role.OFFICER):
            raise CaseError("เฉพาะเจ้าหน้าที่", f"A {actor.role.value} does not record staff actions")
        case = s.get(Case, case_id)
        if case is None:
            raise NotFoundError("ไม่พบคำขอ", f"No case with id {case_id}")
        case.updated_at = now
        data = {"action": action, **(data or {})}
        self._append(s, case, EventKind.STAFF_ACTION, actor, now, reason=reason, data=data)

    def extend_sla(
        self, number: str, actor: Actor, reason: str, *, now: dt.datetime | None = None
    ) -> CaseView:
        if actor.role is not Role.OFFICER:
            raise CaseError("เฉพาะเจ้าหน้าที่ผู้พิจารณาขยายระยะเวลาได้", "Only an officer may extend the time limit")
        if not reason.strip():
            raise CaseError("กรุณาระบุเหตุผลในการขยายระยะเวลา", "Extending the time limit needs a reason")
        now = now or dt.datetime.now(dt.UTC)
        with self.db.unit_of_work() as s, s.begin():
            case = self._load(s, number)
            service = self._service(case.service_code)
            status = extend(
                SlaStatus(case.sla_started_at, case.sla_due_at, case.sla_stopped_at, case.sla_extensions),
                service.time_limit,
                self.calendar,
            )
            case.sla_due_at, case.sla_extensions, case.updated_at = status.due_at, status.extensions, now
            assert status.due_at is not None
            self._append(
                s,
                case,
                EventKind.SLA_EXTENDED,
                actor,
                now,
                reason=reason,
                data={"due_at": status.due_at.isoformat(), "extensions": status.extensions},
            )
            return _view(case, self._vault(s))

    # --- reading ----------------------------------------------------------------------------

    def get(self, number: str) -> CaseView:
        with self.db.session() as s:
            case = s.scalar(
                select(Case)
                .where(Case.number == number.strip().upper())
                .options(
                    selectinload(Case.applicant),
                    selectinload(Case.events),
                    selectinload(Case.documents),
                    selectinload(Case.invoices).selectinload(Invoice.lines),
                )
            )
            if case is None:
                raise NotFoundError(f"ไม่พบคำขอเลขที่ {number}", f"No case numbered {number}")
            return _view(case, self._vault(s), detail=True)

    def find(
        self, *, state: CaseState | None = None, service_code: str | None = None, limit: int = 100
    ) -> list[CaseView]:
        query = select(Case).options(*_LIST_LOADS).order_by(Case.created_at.desc()).limit(limit)
        if state is not None:
            query = query.where(Case.state == state.value)
        if service_code is not None:
            query = query.where(Case.service_code == service_code)
        with self.db.session() as s:
            return [_view(c, self._vault(s)) for c in s.scalars(query)]

    def for_citizen(self, citizen_id: str) -> list[CaseView]:
        """Every case of one person, newest first (the status look-up at the kiosk)."""
        ref = self.citizen_ref(citizen_id)
        query = (
            select(Case)
            .join(Case.applicant)
            .where(Applicant.citizen_ref == ref)
            .options(*_LIST_LOADS)
            .order_by(Case.created_at.desc())
        )
        with self.db.session() as s:
            return [_view(c, self._vault(s)) for c in s.scalars(query)]

    def counts_by_state(self) -> dict[CaseState, int]:
        with self.db.session() as s:
            rows = s.execute(select(Case.state, func.count()).group_by(Case.state)).all()
        return {CaseState(state): count for state, count in rows}

    def pending_outbox(self) -> int:
        """Events still waiting for the central server (refused ones wait for no one)."""
        with self.db.session() as s:
            return (
                s.scalar(
                    select(func.count())
                    .select_from(OutboxItem)
                    .where(OutboxItem.sent_at.is_(None), OutboxItem.refused_at.is_(None))
                )
                or 0
            )

    # --- internals --------------------------------------------------------------------------

    def _vault(self, s: Session) -> Vault:
        return Vault.of(s, self.db.keys)

    def _load(self, s: Session, number: str) -> Case:
        case = s.scalar(select(Case).where(Case.number == number.strip().upper()))
        if case is None:
            raise NotFoundError(f"ไม่พบคำขอเลขที่ {number}", f"No case numbered {number}")
        return case

    def _applicant(self, s: Session, vault: Vault, info: ApplicantInfo, now: dt.datetime) -> Applicant:
        ref = self.citizen_ref(info.citizen_id)
        person = s.scalar(
            select(Applicant).where(Applicant.citizen_ref == ref, Applicant.purged_at.is_(None))
        )
        known = vault.applicant(person) if person is not None else None
        if person is None or known is None:
            person = Applicant(id=str(uuid.uuid4()), citizen_ref=ref, created_at=now)
            vault.new_key(person)
            s.add(person)
        # The card read today is the freshest truth (a new address after a move).
        fields = {
            "citizen_id": info.citizen_id,
            "name_th": info.name_th,
            "name_en": info.name_en,
            "birth_date": info.birth_date,
            "address": info.address,
            "phone": info.phone or (known or {}).get("phone", ""),
        }
        if fields != known:
            vault.seal_applicant(person, fields)
        return person

    def _next_number(self, s: Session, now: dt.datetime) -> CaseNumber:
        year = be_year(now.astimezone(BANGKOK).year)
        name = sequence_name(self.kiosk_id, year)
        row = s.get(SequenceRow, name)
        if row is None:
            row = SequenceRow(name=name, value=0)
            s.add(row)
        row.value += 1
        return CaseNumber(self.kiosk_id, year, row.value)

    def _move(
        self,
        s: Session,
        case: Case,
        target: CaseState,
        actor: Actor,
        now: dt.datetime,
        *,
        reason: str = "",
        data: Mapping[str, Any] | None = None,
    ) -> None:
        source = CaseState(case.state)
        fee_due = (
            any(i.status == "open" and i.total_satang > 0 for i in case.invoices)
            if source is CaseState.APPROVED
            else None
        )
        check_transition(
            source, target, actor.role, reason=reason, fee_due=fee_due, actor_id=actor.id, data=data
        )
        if target is SLA_START and case.sla_started_at is None:
            service = self.catalog.get(case.service_code)
            case.sla_started_at = now
            if service is None:
                log.warning("service %s is not in the catalog: no SLA due date", case.service_code)
            else:
                case.sla_due_at = due_at(now, service.time_limit, self.calendar)
        if target in SLA_STOP and case.sla_started_at is not None and case.sla_stopped_at is None:
            case.sla_stopped_at = now
        case.state = target.value
        case.updated_at = now
        self._append(
            s,
            case,
            EventKind.TRANSITION,
            actor,
            now,
            from_state=source,
            to_state=target,
            reason=reason,
            data=data,
        )

    def _append(
        self,
        s: Session,
        case: Case,
        kind: EventKind,
        actor: Actor,
        now: dt.datetime,
        *,
        from_state: CaseState | None = None,
        to_state: CaseState | None = None,
        reason: str = "",
        data: Mapping[str, Any] | None = None,
    ) -> Event:
        s.flush()
        seq = (s.scalar(select(func.max(Event.seq)).where(Event.case_id == case.id)) or 0) + 1
        event_id = str(uuid.uuid4())
        # The personal part is sealed now: the event can never be rewritten later (append-only).
        clear, personal = split_personal(kind.value, data or {})
        vault = self._vault(s)
        event = Event(
            id=event_id,
            case_id=case.id,
            seq=seq,
            kind=kind.value,
            from_state=from_state.value if from_state else None,
            to_state=to_state.value if to_state else None,
            actor_role=actor.role.value,
            actor_id=actor.id,
            kiosk_id=self.kiosk_id,
            at=now,
            reason=reason,
            data=clear,
            sealed=vault.seal_part(case.applicant, personal, event_aad(event_id)),
        )
        s.add(event)
        s.add(
            OutboxItem(
                event_id=event.id,
                case_id=case.id,
                kind=kind.value,
                payload={
                    "event_id": event.id,
                    "case_id": case.id,
                    "case_number": case.number,
                    "seq": seq,
                    "kind": kind.value,
                    "from_state": event.from_state,
                    "to_state": event.to_state,
                    "actor_role": actor.role.value,
                    "actor_id": actor.id,
                    "kiosk_id": self.kiosk_id,
                    "at": now.isoformat(),
                    "reason": reason,
                    "data": clear,
                },
                sealed=vault.seal_part(case.applicant, personal, outbox_aad(event_id)),
                created_at=now,
            )
        )
        return event


def _check_priority(priority: str) -> None:
    if priority not in PRIORITIES:
        raise CaseError("ประเภทผู้รับบริการไม่ถูกต้อง", f"Unknown priority {priority!r}")
