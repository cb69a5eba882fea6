"""Personal data on the central server (PDPA): a person's access request and rectification.

- An **access request** exports everything the server holds on one citizen ID as JSON: the
  applicant block of each case, the cases with their form, documents, events, invoices, payments
  and bank lines, queue tickets linked to them, and earlier requests and corrections.
- A **rectification** corrects one value (an applicant field or a form field) in the person's
  cases, after an officer checked the evidence; the old value stays in `rectifications`.

Every request is recorded first (who, when, why, how many cases) in `privacy_requests`, whose rows
the database refuses to change or delete. The citizen ID is never logged; lists show it masked.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from central.models import (
    BankLine,
    Case,
    Event,
    Invoice,
    PrivacyRequest,
    QueueEvent,
    QueueTicket,
    Rectification,
    new_id,
    utcnow,
)
from central.service import CentralService, ConflictError
from kiosk.domain.thai import is_valid_citizen_id, mask_citizen_id
from kiosk.errors import KnownError, NotFoundError
from kiosk.wire import CASE_NUMBER_PATTERN, Text, WireApplicant

log = logging.getLogger(__name__)


class PrivacyError(KnownError):
    """A correction that cannot be made as asked (answered 400)."""


APPLICANT_FIELDS = ("citizen_id", "name_th", "name_en", "birth_date", "address", "phone")
FIELD_PATTERN = r"^(citizen_id|name_th|name_en|birth_date|address|phone|form\.[A-Za-z0-9_]{1,40})$"


def _citizen_id(value: str) -> str:
    if not is_valid_citizen_id(value):
        raise ValueError("not a valid citizen ID (13 digits with a check digit)")
    return value


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AccessRequestIn(_In):
    citizen_id: Text = Field(pattern=r"^\d{13}$", description="The person asking: their 13-digit ID")
    reason: Text = Field(min_length=3, max_length=2000, description="Why, e.g. the request's reference")

    _valid = field_validator("citizen_id")(_citizen_id)


class RectificationIn(_In):
    citizen_id: Text = Field(pattern=r"^\d{13}$")
    field: Text = Field(
        pattern=FIELD_PATTERN, description="An applicant field, or `form.<key>` for a field of the form"
    )
    new_value: Text = Field(max_length=1000)
    old_value: Text | None = Field(
        default=None, max_length=1000, description="Refuse (409) if a case holds another value"
    )
    case_number: Text | None = Field(default=None, pattern=CASE_NUMBER_PATTERN, description="Only this case")
    reason: Text = Field(min_length=3, max_length=2000, description="The evidence seen, e.g. a document")

    _valid = field_validator("citizen_id")(_citizen_id)


class PrivacyRequestOut(BaseModel):
    id: str
    kind: str
    citizen_id: str = Field(description="Masked in lists; in full only in the person's own export")
    officer: str
    reason: str
    at: AwareDatetime
    cases: int


class RectificationOut(BaseModel):
    case_number: str
    field: str
    old_value: str
    new_value: str
    officer: str
    reason: str
    at: AwareDatetime


class RectificationResult(BaseModel):
    request: PrivacyRequestOut
    changed: list[RectificationOut]


class AccessExport(BaseModel):
    """Everything the server holds on one person, as of `request.at`."""

    request: PrivacyRequestOut
    citizen_id: str
    applicants: list[dict[str, Any]] = Field(description="Each distinct applicant record of the cases")
    cases: list[dict[str, Any]]
    queue_tickets: list[dict[str, Any]]
    rectifications: list[RectificationOut]
    earlier_requests: list[PrivacyRequestOut]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _row(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every column of a row: an export must not miss a field someone adds to a table later."""
    return {c.key: _plain(getattr(obj, c.key)) for c in obj.__table__.columns if c.key not in skip}


def _request_out(row: PrivacyRequest, *, full: bool = False) -> PrivacyRequestOut:
    return PrivacyRequestOut(
        id=row.id,
        kind=row.kind,
        citizen_id=row.citizen_id if full else mask_citizen_id(row.citizen_id),
        officer=row.officer,
        reason=row.reason,
        at=row.at,
        cases=row.cases,
    )


def _cases_of(s: Session, citizen_id: str, *, lock: bool = False) -> list[Case]:
    query = (
        select(Case)
        .where(Case.applicant["citizen_id"].as_string() == citizen_id)
        .order_by(Case.created_at, Case.id)
    )
    if lock:
        # Row locks in id order, as every other writer of cases takes them.
        ids = sorted(s.scalars(select(Case.id).where(Case.applicant["citizen_id"].as_string() == citizen_id)))
        query = select(Case).where(Case.id.in_(ids)).order_by(Case.id).with_for_update()
    return list(s.scalars(query.options(selectinload(Case.invoices).selectinload(Invoice.lines))))


def _rectification_out(r: Rectification, request: PrivacyRequest, number: str) -> RectificationOut:
    return RectificationOut(
        case_number=number,
        field=r.field,
        old_value=r.old_value,
        new_value=r.new_value,
        officer=request.officer,
        reason=request.reason,
        at=request.at,
    )


def access_request(service: CentralService, body: AccessRequestIn, officer: str) -> AccessExport:
    """Record the request and export, in one transaction, so the log and the export agree."""

    def work(s: Session) -> AccessExport:
        cases = _cases_of(s, body.citizen_id)
        earlier = list(
            s.scalars(
                select(PrivacyRequest)
                .where(PrivacyRequest.citizen_id == body.citizen_id)
                .order_by(PrivacyRequest.at, PrivacyRequest.id)
            )
        )
        request = PrivacyRequest(
            id=new_id(),
            kind="access",
            citizen_id=body.citizen_id,
            officer=officer,
            reason=body.reason.strip(),
            at=utcnow(),
            cases=len(cases),
        )
        s.add(request)
        ids = [c.id for c in cases]
        numbers = {c.id: c.number for c in cases}
        events: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        for e in s.scalars(select(Event).where(Event.case_id.in_(ids)).order_by(Event.n)):
            events[e.case_id].append(_row(e, skip=("n", "case_id")))
        bank: dict[str, list[dict[str, Any]]] = {n: [] for n in numbers.values()}
        for line in s.scalars(select(BankLine).where(BankLine.case_number.in_(list(bank)))):
            bank[line.case_number or ""].append(_row(line, skip=("id", "import_id")))
        exported = []
        applicants: list[dict[str, Any]] = []
        for case in cases:
            if case.applicant is not None and case.applicant not in applicants:
                applicants.append(case.applicant)
            invoices = []
            for invoice in case.invoices:
                item = _row(invoice, skip=("case_id",))
                item["lines"] = [_row(ln, skip=("id", "invoice_id")) for ln in invoice.lines]
                item["payments"] = [_row(p, skip=("invoice_id",)) for p in invoice.payments]
                invoices.append(item)
            item = _row(case)
            item.update(invoices=invoices, events=events[case.id], bank_lines=bank[case.number])
            exported.append(item)
        tickets = list(s.scalars(select(QueueTicket).where(QueueTicket.case_id.in_(ids))))
        ticket_ids = [t.id for t in tickets]
        queue_events: dict[str, list[dict[str, Any]]] = {t: [] for t in ticket_ids}
        for qe in s.scalars(
            select(QueueEvent).where(QueueEvent.ticket_id.in_(ticket_ids)).order_by(QueueEvent.n)
        ):
            queue_events[qe.ticket_id or ""].append(_row(qe, skip=("n",)))
        rectified = s.execute(
            select(Rectification, PrivacyRequest)
            .join(PrivacyRequest, Rectification.request_id == PrivacyRequest.id)
            .where(Rectification.case_id.in_(ids))
            .order_by(Rectification.id)
        ).all()
        s.flush()
        return AccessExport(
            request=_request_out(request, full=True),
            citizen_id=body.citizen_id,
            applicants=applicants,
            cases=exported,
            queue_tickets=[_row(t) | {"events": queue_events[t.id]} for t in tickets],
            rectifications=[_rectification_out(r, p, numbers[r.case_id]) for r, p in rectified],
            earlier_requests=[_request_out(r, full=True) for r in earlier],
        )

    export = service._tx(work)
    # The request id and the officer are enough to find it again; the person is not named here.
    log.info("access request %s by %s: %d case(s) exported", export.request.id, officer, len(export.cases))
    return export


def rectify(service: CentralService, body: RectificationIn, officer: str) -> RectificationResult:
    """Correct one value in the person's cases (or one case of theirs) and keep the old value."""
    if body.field == "citizen_id" and not is_valid_citizen_id(body.new_value):
        raise PrivacyError(
            "เลขประจำตัวประชาชนใหม่ไม่ถูกต้อง", "The new citizen ID is not valid (13 digits with a check digit)"
        )
    form_key = body.field.removeprefix("form.") if body.field.startswith("form.") else None

    def work(s: Session) -> RectificationResult:
        cases = _cases_of(s, body.citizen_id, lock=True)
        if body.case_number is not None:
            cases = [c for c in cases if c.number == body.case_number.strip().upper()]
        if not cases:
            raise NotFoundError(
                "ไม่พบคำขอของบุคคลนี้" + (f" เลขที่ {body.case_number}" if body.case_number else ""),
                "No case of this person" + (f" numbered {body.case_number}" if body.case_number else ""),
            )
        now = utcnow()
        request = PrivacyRequest(
            id=new_id(),
            kind="rectification",
            citizen_id=body.citizen_id,
            officer=officer,
            reason=body.reason.strip(),
            at=now,
            cases=0,
        )
        changes: list[tuple[Case, str]] = []
        for case in cases:
            holder = case.form if form_key is not None else (case.applicant or {})
            key = form_key if form_key is not None else body.field
            if key not in holder and form_key is not None:
                continue  # this case's form has no such field
            old = "" if holder.get(key) is None else str(holder.get(key))
            if body.old_value is not None and old != body.old_value:
                raise ConflictError(
                    f"ข้อมูลในคำขอ {case.number} ไม่ตรงกับค่าเดิมที่ระบุ กรุณาโหลดข้อมูลใหม่",
                    f"Case {case.number} holds another value than old_value",
                )
            if old != body.new_value:
                changes.append((case, old))
        if not changes:
            raise ConflictError("ไม่มีข้อมูลที่ต้องแก้ไข", "Nothing to correct: no case holds another value")
        for case, _ in changes:
            if form_key is not None:
                case.form = {**case.form, form_key: body.new_value}
            else:
                corrected = {**(case.applicant or {}), body.field: body.new_value}
                try:
                    WireApplicant.model_validate(corrected)
                except ValidationError as exc:
                    raise PrivacyError(
                        "ค่าใหม่ไม่ถูกต้องตามรูปแบบข้อมูลผู้ยื่นคำขอ",
                        f"The new value does not fit the applicant record: {exc.errors()[0]['msg']}",
                    ) from exc
                case.applicant = corrected
        request.cases = len(changes)
        s.add(request)
        s.flush()
        written = []
        for case, old in changes:
            row = Rectification(
                request_id=request.id,
                case_id=case.id,
                field=body.field,
                old_value=old,
                new_value=body.new_value,
            )
            s.add(row)
            written.append(_rectification_out(row, request, case.number))
        return RectificationResult(request=_request_out(request), changed=written)

    result = service._tx(work)
    log.info(
        "rectification %s by %s: %s in %d case(s)",
        result.request.id,
        officer,
        body.field,
        len(result.changed),
    )
    return result


def requests(service: CentralService, *, limit: int = 100) -> list[PrivacyRequestOut]:
    """The log of requests, newest first, citizen IDs masked."""
    with service.db.session() as s:
        rows = s.scalars(select(PrivacyRequest).order_by(PrivacyRequest.at.desc()).limit(limit))
        return [_request_out(r) for r in rows]
