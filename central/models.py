"""The central server's tables. All state lives here, so server processes hold none of their own.

Ids of cases, events, invoices and payments are the kiosks' own UUIDs (the idempotency keys); events
the back office writes get new UUIDs. Money is whole satang. The `changes` table is the feed kiosks
pull: its ids are the cursor and are committed in increasing order (see `central.cases.emit`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from kiosk.storage.sqltypes import NAMING, UTCDateTime, utcnow

# SQLite only numbers rows by itself for INTEGER PRIMARY KEY; PostgreSQL wants 64 bits for a feed.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Kiosk(Base):
    __tablename__ = "kiosks"

    id: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    # SHA-256 of the kiosk's token and of its one-time code: a stolen database opens no kiosk.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    code_expires_at: Mapped[dt.datetime | None]
    enrolled_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    last_seen_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Officer(Base):
    __tablename__ = "officers"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[dt.datetime | None]


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    kiosk_id: Mapped[str] = mapped_column(String(4), index=True)
    service_code: Mapped[str] = mapped_column(String(48), index=True)
    service_version: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(24), index=True)
    form: Mapped[dict[str, Any]] = mapped_column(default=dict)
    documents: Mapped[dict[str, Any]] = mapped_column(default=dict)
    priority: Mapped[str] = mapped_column(String(16), default="")
    # Personal data of the applicant, from the kiosk's card read; shown to officers, never logged.
    applicant: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sla_started_at: Mapped[dt.datetime | None]
    sla_due_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    sla_stopped_at: Mapped[dt.datetime | None]
    sla_extensions: Mapped[int] = mapped_column(Integer, default=0)
    fix_deadline: Mapped[dt.datetime | None]
    # Highest kiosk event seq seen for the case, applied or not.
    kiosk_seq: Mapped[int] = mapped_column(Integer, default=0)

    invoices: Mapped[list[Invoice]] = relationship(back_populates="case", order_by="Invoice.created_at")


class Event(Base):
    """Every event the server ever accepted, from kiosks and from the office; never changed."""

    __tablename__ = "events"

    n: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    origin: Mapped[str] = mapped_column(String(8))  # kiosk / office / bank
    kiosk_id: Mapped[str] = mapped_column(String(4), default="")
    seq: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str | None] = mapped_column(String(24))
    actor_role: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[dt.datetime]
    reason: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="applied")  # applied / conflict
    note: Mapped[str] = mapped_column(Text, default="")


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (UniqueConstraint("ref1", "ref2"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    ref1: Mapped[str] = mapped_column(String(18))
    ref2: Mapped[str] = mapped_column(String(18), default="")
    total_satang: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open/paid/cancelled
    due_date: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="invoices")
    lines: Mapped[list[InvoiceLine]] = relationship(order_by="InvoiceLine.position")
    payments: Mapped[list[Payment]] = relationship(order_by="Payment.paid_at")


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    fee_key: Mapped[str] = mapped_column(String(40))
    label_th: Mapped[str] = mapped_column(Text)
    label_en: Mapped[str] = mapped_column(Text, default="")
    amount_satang: Mapped[int] = mapped_column(BigInteger)


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount_satang: Mapped[int] = mapped_column(BigInteger)
    channel: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(64), default="")
    paid_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Change(Base):
    """The feed kiosks pull: one row per change made away from the kiosk that owns the case."""

    __tablename__ = "changes"
    __table_args__ = (Index("ix_changes_kiosk_id_id", "kiosk_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kiosk_id: Mapped[str | None] = mapped_column(String(4))  # None: every kiosk
    type: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[str | None] = mapped_column(String(36))
    event_ids: Mapped[list[Any]] = mapped_column(default=list)
    versions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Setting(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)


class BankImport(Base):
    __tablename__ = "bank_imports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    file_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    officer: Mapped[str] = mapped_column(String(64), default="")
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    lines: Mapped[int] = mapped_column(Integer, default=0)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    mismatched: Mapped[int] = mapped_column(Integer, default=0)


class BankLine(Base):
    """One transaction line of a Bill Payment file, matched to an invoice or listed for an officer."""

    __tablename__ = "bank_lines"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    import_id: Mapped[str] = mapped_column(ForeignKey("bank_imports.id"), index=True)
    # Same line in any later file (a weekly file repeating daily ones) is recognised and skipped.
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    line_no: Mapped[int] = mapped_column(Integer)
    paid_on: Mapped[str] = mapped_column(String(10))
    ref1: Mapped[str] = mapped_column(String(18))
    ref2: Mapped[str] = mapped_column(String(18), default="")
    amount_satang: Mapped[int] = mapped_column(BigInteger)
    channel: Mapped[str] = mapped_column(String(16), default="")
    status: Mapped[str] = mapped_column(String(12), index=True)  # matched / mismatch
    reason: Mapped[str] = mapped_column(Text, default="")
    invoice_id: Mapped[str | None] = mapped_column(String(36))
    case_number: Mapped[str | None] = mapped_column(String(32))


# --- device trust and personal data (migration 0003) ---------------------------------------------


class RateCounter(Base):
    """Hits per key (a kiosk, a client address, an officer name) in a window that opens with the
    first hit. Kept in the database so that every server process counts the same hits."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    window_ms: Mapped[int] = mapped_column(BigInteger)  # start of the window, ms since the epoch
    hits: Mapped[int] = mapped_column(Integer, default=0)


class PrivacyRequest(Base):
    """A request about one person's data handled by an officer (PDPA): an access export or a
    rectification. Rows are never changed or deleted (database triggers refuse it)."""

    __tablename__ = "privacy_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))  # access / rectification
    citizen_id: Mapped[str] = mapped_column(String(13), index=True)
    officer: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    cases: Mapped[int] = mapped_column(Integer, default=0)


class Rectification(Base):
    """One corrected value of one case: the case holds the new value, this row the old one."""

    __tablename__ = "rectifications"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("privacy_requests.id"), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    field: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str] = mapped_column(Text)
    new_value: Mapped[str] = mapped_column(Text)


class QueueEvent(Base):
    """One queue event of any kiosk or counter of the office, never changed (idempotent by id).

    `n` is the cursor kiosks pull the office's queue by; it is committed in increasing order
    (`central.queue.QUEUE_LOCK`). `kiosk_id` is the device that recorded the event, `pushed_by`
    the enrolled kiosk that sent it.
    """

    __tablename__ = "queue_events"
    __table_args__ = (Index("ix_queue_events_day", "service_date", "at"),)

    n: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    ticket_id: Mapped[str | None] = mapped_column(String(36), index=True)
    service_date: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(24))
    at: Mapped[dt.datetime]
    counter: Mapped[str] = mapped_column(String(4), default="")
    staff_id: Mapped[str] = mapped_column(String(64), default="")
    kiosk_id: Mapped[str] = mapped_column(String(8))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    pushed_by: Mapped[str] = mapped_column(String(4))
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class QueueTicket(Base):
    """The office's view of a ticket: its queue events folded in (at, id) order, first call wins.

    Numbers are not unique here on purpose: two kiosks set up with the same slot would otherwise
    stop each other's sync; `central.queue.QueueService.duplicates` lists such numbers instead.
    """

    __tablename__ = "queue_tickets"
    __table_args__ = (
        Index("ix_queue_tickets_number", "service_date", "number"),
        Index("ix_queue_tickets_state", "service_date", "state"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str | None] = mapped_column(String(36))
    service_date: Mapped[str] = mapped_column(String(10))
    number: Mapped[str] = mapped_column(String(16), default="")
    group: Mapped[str] = mapped_column(String(4), default="")
    priority: Mapped[str] = mapped_column(String(16), default="")
    state: Mapped[str] = mapped_column(String(16), default="waiting")
    kiosk_id: Mapped[str] = mapped_column(String(8), default="")
    issued_at: Mapped[dt.datetime | None]
    service_code: Mapped[str] = mapped_column(String(48), default="")
    line_at: Mapped[dt.datetime | None]
    counter: Mapped[str] = mapped_column(String(4), default="")
    target_counter: Mapped[str] = mapped_column(String(4), default="")
    staff_id: Mapped[str] = mapped_column(String(64), default="")
    first_called_at: Mapped[dt.datetime | None]
    called_at: Mapped[dt.datetime | None]
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    calls: Mapped[int] = mapped_column(Integer, default=0)
    misses: Mapped[int] = mapped_column(Integer, default=0)
    # `called` events of another counter that lost to the first call (kept in the log).
    ignored_calls: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime | None]


class QueueCounter(Base):
    """A counter's last open / break / close event as the office knows it."""

    __tablename__ = "queue_counters"

    id: Mapped[str] = mapped_column(String(4), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default="closed")
    staff_id: Mapped[str] = mapped_column(String(64), default="")
    groups: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[dt.datetime | None]
    event_id: Mapped[str] = mapped_column(String(36), default="")
