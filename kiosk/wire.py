"""The kiosk ↔ central server protocol: every JSON body both sides exchange, in one module.

The server (`central`) declares its endpoints with these models and the kiosk's sync client
(`kiosk.sync`) parses answers with them, so the two cannot drift apart; a change here is a change of
the protocol and shows up in the OpenAPI description and its contract tests.

Endpoints (all under ``/api/v1``, every one but ``enrol`` with ``Authorization: Bearer <token>``):

- ``POST /enrol`` — a one-time code from ``kiosk-central enrol-kiosk`` for the kiosk's own token.
- ``POST /events`` — a batch of outbox events; each answered on its own (`PushResult`).
- ``GET /changes?after=N`` — what the back office and the bank did to this kiosk's cases, in order.

Inputs are bounded (lengths, counts, ranges) because the server reads them from the network.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from kiosk.domain.workflow import CaseState, EventKind, Role

API_PREFIX = "/api/v1"
PROTOCOL_VERSION = 1
MAX_BATCH = 1000
KIOSK_ID_PATTERN = r"^[A-Z][A-Z0-9]{1,3}$"
CASE_NUMBER_PATTERN = r"^[A-Z][A-Z0-9]{1,3}-(25|26)\d\d-\d{5,8}$"
# Events the back office writes carry no kiosk: they happened at the office, not at a counter.
ORIGIN_PATTERN = r"^([A-Z][A-Z0-9]{1,3})?$"


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it at the door rather than fail inside a transaction.
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- enrolment ------------------------------------------------------------------------------


class EnrolRequest(_Wire):
    code: Text = Field(
        min_length=8, max_length=64, description="One-time code from `kiosk-central enrol-kiosk`"
    )


class EnrolResponse(_Wire):
    kiosk_id: Text = Field(pattern=KIOSK_ID_PATTERN)
    token: Text = Field(description="The kiosk's credential; the server keeps only its hash")
    server_time: AwareDatetime


class WhoAmI(_Wire):
    kiosk_id: Text
    server_time: AwareDatetime
    protocol: int = PROTOCOL_VERSION
    versions: dict[str, str] = Field(default_factory=dict)


# --- push -----------------------------------------------------------------------------------


class WireApplicant(_Wire):
    """The person behind a case, sent once with the case's `created` event.

    It is read from the kiosk's applicant row when the batch is sent, never copied into the outbox,
    so purging personal data at the kiosk after the server confirms a case leaves no copy behind.
    """

    citizen_id: Text = Field(pattern=r"^\d{13}$")
    name_th: Text = Field(max_length=200)
    name_en: Text = Field(default="", max_length=200)
    birth_date: Text = Field(default="", max_length=10)
    address: Text = Field(default="", max_length=1000)
    phone: Text = Field(default="", max_length=40)


class WireEvent(_Wire):
    """One fact in a case's history, as the kiosk's outbox holds it (`OutboxItem.payload`)."""

    event_id: uuid.UUID = Field(description="Idempotency key: an event is applied once, ever")
    case_id: uuid.UUID
    case_number: Text = Field(pattern=CASE_NUMBER_PATTERN)
    seq: int = Field(ge=0, le=10_000_000, description="Order within the case at its origin")
    kind: EventKind
    from_state: CaseState | None = None
    to_state: CaseState | None = None
    actor_role: Role
    actor_id: Text = Field(default="", max_length=64)
    kiosk_id: Text = Field(pattern=ORIGIN_PATTERN)
    at: AwareDatetime
    reason: Text = Field(default="", max_length=4000)
    data: dict[str, Any] = Field(default_factory=dict)
    applicant: WireApplicant | None = None


class PushRequest(_Wire):
    events: list[WireEvent] = Field(min_length=1, max_length=MAX_BATCH)


class PushStatus(StrEnum):
    APPLIED = "applied"  # stored and applied to the case
    DUPLICATE = "duplicate"  # the server already had this event id: nothing changed
    CONFLICT = "conflict"  # stored, but the case had moved on; the server's state comes back by pull
    RETRY = "retry"  # not stored yet (its case is not known yet): send it again later
    REJECTED = "rejected"  # never acceptable (not this kiosk's case, impossible data): do not resend


DONE = frozenset({PushStatus.APPLIED, PushStatus.DUPLICATE, PushStatus.CONFLICT})


class PushResult(_Wire):
    event_id: uuid.UUID
    status: PushStatus
    detail: Text = ""


class PushResponse(_Wire):
    results: list[PushResult]
    server_time: AwareDatetime


# --- pull -----------------------------------------------------------------------------------


class WireInvoiceLine(_Wire):
    key: Text = Field(max_length=40)
    label_th: Text = Field(max_length=500)
    label_en: Text = Field(default="", max_length=500)
    amount_satang: int = Field(ge=0, le=10**12)


class WirePayment(_Wire):
    id: uuid.UUID
    amount_satang: int = Field(ge=0, le=10**12)
    channel: Text = Field(max_length=16)
    reference: Text = Field(default="", max_length=64)
    paid_at: AwareDatetime


class WireInvoice(_Wire):
    id: uuid.UUID
    ref1: Text = Field(pattern=r"^[0-9A-Z]{1,18}$")
    ref2: Text = Field(pattern=r"^[0-9A-Z]{0,18}$")
    total_satang: int = Field(ge=0, le=10**12)
    status: Literal["open", "paid", "cancelled"]
    due_date: AwareDatetime | None = None
    created_at: AwareDatetime
    lines: list[WireInvoiceLine] = Field(default_factory=list)
    payments: list[WirePayment] = Field(default_factory=list)


class WireCaseSnapshot(_Wire):
    """What the server holds as true for a case after a change: the kiosk copies it."""

    case_id: uuid.UUID
    number: Text = Field(pattern=CASE_NUMBER_PATTERN)
    state: CaseState
    updated_at: AwareDatetime
    sla_started_at: AwareDatetime | None = None
    sla_due_at: AwareDatetime | None = None
    sla_stopped_at: AwareDatetime | None = None
    sla_extensions: int = 0
    fix_deadline: AwareDatetime | None = None
    invoices: list[WireInvoice] = Field(default_factory=list)


class ChangeType(StrEnum):
    CASE = "case"  # a case changed away from the kiosk (officer, bank) or a kiosk event conflicted
    VERSIONS = "versions"  # catalog or configuration published at the office


class WireChange(_Wire):
    id: int = Field(ge=1, description="The cursor: changes come in increasing id")
    type: ChangeType
    at: AwareDatetime
    case: WireCaseSnapshot | None = None
    events: list[WireEvent] = Field(default_factory=list, description="Events written at the office")
    versions: dict[str, str] = Field(default_factory=dict)


class PullResponse(_Wire):
    changes: list[WireChange]
    cursor: int = Field(ge=0, description="Pass as `after` next time")
    more: bool = Field(description="True when the server has more changes after `cursor` right now")
    versions: dict[str, str] = Field(default_factory=dict, description="Catalog and workflow versions")
    server_time: AwareDatetime


class ErrorBody(_Wire):
    detail: Text
    detail_th: Text = ""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- the office queue (docs/sync.md "Queue") ------------------------------------------------------
#
# ``POST /queue/events`` pushes a device's queue events, ``GET /queue/events?after=N`` pulls the
# office's, ``POST /queue/claim`` asks before calling a ticket. Events are facts recorded at one
# device (`kiosk_id`); the server stores each id once and numbers them (`n`) for the pull cursor.

QUEUE_KINDS = (
    "issued",
    "called",
    "recalled",
    "missed",
    "returned",
    "no_show",
    "started",
    "finished",
    "transferred",
    "priority_set",
    "case_linked",
    "cancelled",
    "counter_open",
    "counter_break",
    "counter_resume",
    "counter_closed",
)
SERVICE_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


class WireQueueEvent(_Wire):
    """One queue event as `QueueStore.unsynced_events` gives it and `QueueStore.apply_remote` takes it.

    `kind` is checked against a pattern, not the list above, so a newer kiosk's kind passes through
    an older server (which stores it and leaves it out of its projection).
    """

    id: uuid.UUID = Field(description="Idempotency key: stored once, ever")
    ticket_id: uuid.UUID | None = Field(default=None, description="None for counter events")
    service_date: Text = Field(pattern=SERVICE_DATE_PATTERN, description="Local (office) date")
    kind: Text = Field(pattern=r"^[a-z_]{1,24}$", description="One of QUEUE_KINDS")
    at: AwareDatetime
    counter: Text = Field(default="", max_length=4)
    staff_id: Text = Field(default="", max_length=64)
    kiosk_id: Text = Field(pattern=r"^[A-Z][A-Z0-9]{1,7}$", description="The device that recorded it")
    data: dict[str, Any] = Field(default_factory=dict)


class QueuePushRequest(_Wire):
    events: list[WireQueueEvent] = Field(min_length=1, max_length=MAX_BATCH)


class QueuePushStatus(StrEnum):
    APPLIED = "applied"  # stored (and folded into the office's projection)
    DUPLICATE = "duplicate"  # the server already had this id
    REJECTED = "rejected"  # never acceptable (another device's event, a ticket without a number)


class QueuePushResult(_Wire):
    id: uuid.UUID
    status: QueuePushStatus
    detail: Text = ""


class QueuePushResponse(_Wire):
    results: list[QueuePushResult]
    server_time: AwareDatetime


class PulledQueueEvent(WireQueueEvent):
    n: int = Field(ge=1, description="The server's sequence: the pull cursor")


class QueuePullResponse(_Wire):
    events: list[PulledQueueEvent]
    cursor: int = Field(ge=0, description="Pass as `after` next time")
    more: bool = Field(description="True when the server has more events after `cursor` right now")
    server_time: AwareDatetime


class QueueClaimRequest(_Wire):
    event: WireQueueEvent = Field(description="The `called` event the counter is about to record")


class QueueClaimResponse(_Wire):
    granted: Literal[True] = True
    duplicate: bool = Field(default=False, description="The server had this event already")
    server_time: AwareDatetime


class QueueClaimRefused(_Wire):
    """409: the ticket is held (called, being served or finished) by another counter."""

    detail: Text
    detail_th: Text = ""
    counter: Text = Field(default="", max_length=4, description="The counter holding the ticket")
    state: Text = Field(default="", max_length=16)
    number: Text = Field(default="", max_length=16)
    events: list[PulledQueueEvent] = Field(
        default_factory=list, description="The ticket's events at the server: apply them, then call another"
    )
