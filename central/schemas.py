"""JSON bodies of the back-office API (officers and their web page; kiosks never call it).

The kiosk ↔ server protocol is in `kiosk.wire`; these are the server's own, for officers.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from kiosk.domain.workflow import CaseState
from kiosk.wire import Text


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class Action(StrEnum):
    COMPLETE = "complete"  # documents verified complete: the legal clock starts
    REQUEST_FIX = "request_fix"  # list what is missing, with a deadline
    CONSIDER = "consider"  # under review (site visit, interview)
    APPROVE = "approve"  # with fee lines: an invoice, the case waits for payment
    REJECT = "reject"
    CONFIRM_PAYMENT = "confirm_payment"  # paid at the office's cashier or by e-Payment
    ISSUE = "issue"
    PICKED_UP = "picked_up"
    EXTEND = "extend_sla"


class FeeIn(_In):
    key: Text = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    label_th: Text = Field(min_length=1, max_length=500)
    label_en: Text = Field(default="", max_length=500)
    amount_satang: int = Field(ge=0, le=10**10)


class ActionRequest(_In):
    action: Action
    reason: Text = Field(default="", max_length=4000)
    items: list[Text] = Field(default_factory=list, max_length=50)
    fees: list[FeeIn] = Field(default_factory=list, max_length=50)
    fix_days: int = Field(default=7, ge=1, le=90)
    pay_within_days: int = Field(default=15, ge=1, le=90)
    channel: Literal["counter", "e_payment"] = "counter"
    reference: Text = Field(default="", max_length=64)
    expected_state: CaseState | None = Field(
        default=None, description="Refuse (409) if the case is no longer in this state"
    )


class InvoiceOut(_Out):
    id: str
    ref1: str
    ref2: str
    total_satang: int
    status: str
    due_date: AwareDatetime | None
    lines: list[tuple[str, str, int]]
    payments: list[tuple[int, str, str, AwareDatetime]]


class EventOut(_Out):
    id: str
    origin: str
    kiosk_id: str
    kind: str
    from_state: str | None
    to_state: str | None
    actor_role: str
    actor_id: str
    at: AwareDatetime
    reason: str
    status: str


class CaseOut(_Out):
    id: str
    number: str
    kiosk_id: str
    service_code: str
    state: CaseState
    state_th: str
    created_at: AwareDatetime
    updated_at: AwareDatetime
    sla_due_at: AwareDatetime | None
    overdue: bool
    amount_due_satang: int


class CaseDetailOut(CaseOut):
    applicant: dict[str, Any] | None
    form: dict[str, Any]
    documents: dict[str, Any]
    fix_deadline: AwareDatetime | None
    sla_started_at: AwareDatetime | None
    sla_stopped_at: AwareDatetime | None
    sla_extensions: int
    invoices: list[InvoiceOut]
    events: list[EventOut]


class DashboardRow(_Out):
    service_code: str
    name_th: str
    total: int
    finished: int
    unfinished: int
    overdue: int


class Dashboard(_Out):
    rows: list[DashboardRow]
    total: int
    finished: int
    unfinished: int
    overdue: int


class BankLineOut(_Out):
    line_no: int
    paid_on: str
    ref1: str
    ref2: str
    amount_satang: int
    channel: str
    status: str
    reason: str
    case_number: str | None


class BankImportReport(_Out):
    import_id: str
    already_imported: bool
    lines: int
    matched: int
    mismatched: int
    skipped: int = Field(description="Lines already imported from another file")
    mismatches: list[BankLineOut]


class KioskOut(_Out):
    id: str
    name: str
    enrolled: bool
    revoked: bool
    last_seen_at: AwareDatetime | None
