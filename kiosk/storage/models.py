"""The counter's record of truth until the central server has the case.

Ids are client-generated UUIDs (the idempotency keys of sync); times are stored in UTC; money in
whole satang. Case events are append-only: the database itself refuses to change or delete one
(see the triggers in the first migration).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from kiosk.storage.sqltypes import NAMING, UTCDateTime, utcnow


def _uuid() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: UTCDateTime, dict[str, Any]: JSON}


class Applicant(Base):
    """A person as far as the counter needs to know them. Personal data: kept only while needed."""

    __tablename__ = "applicants"
    # The applicants whose data is still here, in id order: the retention check after every sync pass
    # reads only these, however many were purged before (without relying on ANALYZE statistics).
    __table_args__ = (Index("ix_applicants_held", "id", sqlite_where=text("purged_at IS NULL")),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    # Keyed hash of the citizen ID: finds a person's cases without an index of clear IDs.
    citizen_ref: Mapped[str] = mapped_column(String(64), index=True)  # "" once purged
    # This person's data key (AES-GCM), wrapped by the master key outside the database; None once
    # purged, which leaves everything sealed with it unreadable (kiosk.storage.crypto).
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Citizen ID, Thai and English names, birth date (ISO, or YYYY-MM / YYYY), address and phone,
    # sealed together (kiosk.storage.privacy.Vault); None once purged.
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    purged_at: Mapped[dt.datetime | None]

    cases: Mapped[list[Case]] = relationship(back_populates="applicant")


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    service_code: Mapped[str] = mapped_column(String(48), index=True)
    service_version: Mapped[int] = mapped_column(Integer, default=1)
    applicant_id: Mapped[str] = mapped_column(ForeignKey("applicants.id"), index=True)
    state: Mapped[str] = mapped_column(String(24), index=True)
    # The answers on the form, sealed with the applicant's data key; None once purged.
    sealed_form: Mapped[bytes | None] = mapped_column(LargeBinary)
    priority: Mapped[str] = mapped_column(String(16), default="")
    kiosk_id: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sla_started_at: Mapped[dt.datetime | None]
    sla_due_at: Mapped[dt.datetime | None]
    sla_stopped_at: Mapped[dt.datetime | None]
    sla_extensions: Mapped[int] = mapped_column(Integer, default=0)
    fix_deadline: Mapped[dt.datetime | None]
    # Set when the central server confirms it holds the case; starts the retention clock.
    server_confirmed_at: Mapped[dt.datetime | None]

    applicant: Mapped[Applicant] = relationship(back_populates="cases")
    events: Mapped[list[Event]] = relationship(back_populates="case", order_by="Event.seq")
    documents: Mapped[list[CaseDocument]] = relationship(
        back_populates="case", order_by="CaseDocument.position"
    )
    invoices: Mapped[list[Invoice]] = relationship(back_populates="case")


class Event(Base):
    __tablename__ = "case_events"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str | None] = mapped_column(String(24))
    actor_role: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str] = mapped_column(String(64), default="")
    kiosk_id: Mapped[str] = mapped_column(String(8))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the part that is not personal
    # The personal part of `data` (the form of a `created` event, a corrected field's values), sealed
    # with the applicant's data key when the event is written. The triggers let it be erased, never
    # changed otherwise.
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)

    case: Mapped[Case] = relationship(back_populates="events")


class CaseDocument(Base):
    """One line of a case's document checklist, as staff marked it."""

    __tablename__ = "case_documents"
    __table_args__ = (UniqueConstraint("case_id", "doc_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    doc_key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    name_th: Mapped[str] = mapped_column(Text)
    required: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending/received/missing/n_a
    note: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[Case] = relationship(back_populates="documents")


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (UniqueConstraint("ref1", "ref2"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    ref1: Mapped[str] = mapped_column(String(18))
    ref2: Mapped[str] = mapped_column(String(18), default="")
    total_satang: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open/paid/cancelled
    due_date: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="invoices")
    lines: Mapped[list[InvoiceLine]] = relationship(back_populates="invoice", order_by="InvoiceLine.position")
    payments: Mapped[list[Payment]] = relationship(back_populates="invoice")


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    fee_key: Mapped[str] = mapped_column(String(40))
    label_th: Mapped[str] = mapped_column(Text)
    label_en: Mapped[str] = mapped_column(Text, default="")
    amount_satang: Mapped[int] = mapped_column(Integer)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount_satang: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))  # counter/bill_payment/e_payment
    reference: Mapped[str] = mapped_column(String(64), default="")
    paid_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    invoice: Mapped[Invoice] = relationship(back_populates="payments")


class QueueTicket(Base):
    """A place in the office queue: the projection of its queue events (see `QueueEvent`).

    `number` is unique per service day across every kiosk of the office (docs/queue.md). The row is
    rebuilt from events, so a ticket that reaches this kiosk through sync looks like a local one.
    """

    __tablename__ = "queue_tickets"
    __table_args__ = (
        UniqueConstraint("service_date", "number"),
        Index("ix_queue_tickets_waiting", "service_date", "state", "group"),
        # The head of a line (call next) is the first match walking this index: no sort of the day.
        Index("ix_queue_tickets_line", "service_date", "state", "line_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), index=True)
    service_date: Mapped[str] = mapped_column(String(10))  # ISO local date the ticket belongs to
    number: Mapped[str] = mapped_column(String(16))
    group: Mapped[str] = mapped_column(String(4))
    priority: Mapped[str] = mapped_column(String(16), default="")
    # waiting / called / serving / missed / done / no_show / cancelled
    state: Mapped[str] = mapped_column(String(16), default="waiting")
    kiosk_id: Mapped[str] = mapped_column(String(8))
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    service_code: Mapped[str] = mapped_column(String(48), default="")
    # When the ticket joined the line it waits in now (issue, transfer, or return after a miss).
    line_at: Mapped[dt.datetime | None]
    counter: Mapped[str] = mapped_column(String(4), default="")  # counter calling or serving it
    target_counter: Mapped[str] = mapped_column(String(4), default="")  # transferred to this counter
    staff_id: Mapped[str] = mapped_column(String(64), default="")
    first_called_at: Mapped[dt.datetime | None]
    called_at: Mapped[dt.datetime | None]
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    calls: Mapped[int] = mapped_column(Integer, default=0)
    misses: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime | None]


class QueueEvent(Base):
    """One thing that happened in the queue, append-only; the unit of queue sync (idempotent by id).

    Ticket events carry `ticket_id`; counter events (open, break, close) carry only `counter`.
    `synced_at` is set once the central server holds the event, or when it came from the server.
    """

    __tablename__ = "queue_events"
    __table_args__ = (
        Index("ix_queue_events_unsynced", "synced_at", "seq"),
        Index("ix_queue_events_day", "service_date", "at"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True, default=_uuid)
    ticket_id: Mapped[str | None] = mapped_column(String(36), index=True)
    service_date: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(24))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    counter: Mapped[str] = mapped_column(String(4), default="")
    staff_id: Mapped[str] = mapped_column(String(64), default="")
    kiosk_id: Mapped[str] = mapped_column(String(8))  # the device that recorded it
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    synced_at: Mapped[dt.datetime | None]


class QueueCounterState(Base):
    """Whether a counter is open, on a break or closed, and who is at it (projection of events)."""

    __tablename__ = "queue_counters"

    id: Mapped[str] = mapped_column(String(4), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default="closed")  # open / break / closed
    staff_id: Mapped[str] = mapped_column(String(64), default="")
    groups: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"served": ["A", ...]}
    updated_at: Mapped[dt.datetime | None]


class PrintJob(Base):
    __tablename__ = "print_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    document: Mapped[str] = mapped_column(String(24))  # ticket/receipt/deficiency/slip
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), index=True)
    printer: Mapped[str] = mapped_column(String(120), default="")
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending/printing/done/failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    reprint_of: Mapped[str | None] = mapped_column(ForeignKey("print_jobs.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]


class OutboxItem(Base):
    """An event waiting for the central server. Written in the same transaction as the change."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "sent_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    case_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The personal part of the payload's data, sealed as the event's is; erased once the server has it.
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[dt.datetime | None]
    # The server refused the event for good (not this kiosk's case, impossible data): kept here for
    # staff to see, not resent (until `kiosk sync requeue-refused`), no longer counted as waiting.
    refused_at: Mapped[dt.datetime | None]


class Sequence(Base):
    """Named counters for numbers people read (case numbers per kiosk and year)."""

    __tablename__ = "sequences"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class SyncState(Base):
    """One row: how far this kiosk has read the server's changes, and how the last sync went.

    The cursor is written in the same transaction as the changes it covers, so a kiosk killed in the
    middle of a pull neither skips nor applies a change twice.
    """

    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    versions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_attempt_at: Mapped[dt.datetime | None]
    last_success_at: Mapped[dt.datetime | None]
    offline_since: Mapped[dt.datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")


class StaffAccount(Base):
    """A member of staff who may unlock the kiosk or work a counter. The PIN is a slow hash."""

    __tablename__ = "staff_accounts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # sign-in code, e.g. "S001"
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # counter / supervisor / admin
    pin_hash: Mapped[str] = mapped_column(String(255))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None]
    disabled_at: Mapped[dt.datetime | None]
    pin_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Append-only log of staff and system actions; each entry hashes the one before it.

    The database refuses UPDATE and DELETE (triggers); a change made around them breaks the chain,
    which `kiosk audit verify` finds.
    """

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    staff_id: Mapped[str] = mapped_column(String(32), default="")  # "" = the system itself
    role: Mapped[str] = mapped_column(String(16), default="")
    action: Mapped[str] = mapped_column(String(48))
    target: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)  # never personal data in clear
    kiosk_id: Mapped[str] = mapped_column(String(8))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
