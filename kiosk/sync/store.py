"""The kiosk's side of sync in its database: outbox batches out, server changes in, the cursor.

Every method is one short transaction so the counter's own writes never wait long behind sync: a
batch is read in one, its results written in another, and the network call happens in between with
no transaction open.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from kiosk.domain.workflow import EventKind
from kiosk.storage.crypto import event_aad, outbox_aad
from kiosk.storage.db import Database
from kiosk.storage.models import (
    Applicant,
    Case,
    Event,
    Invoice,
    InvoiceLine,
    OutboxItem,
    Payment,
    SyncState,
)
from kiosk.storage.privacy import REMOVED_KEY, Vault, purge_expired, split_personal
from kiosk.wire import (
    DONE,
    ChangeType,
    PushResult,
    PushStatus,
    WireApplicant,
    WireCaseSnapshot,
    WireChange,
    WireEvent,
    WireInvoice,
)

log = logging.getLogger(__name__)

STATE_ROW = 1


@dataclass(frozen=True)
class OutgoingBatch:
    """Events ready to send, and the outbox rows they came from (event id → outbox id)."""

    events: tuple[WireEvent, ...]
    rows: dict[str, int]
    refused_locally: int = 0


@dataclass(frozen=True)
class StoredStatus:
    cursor: int
    versions: dict[str, str]
    queued: int
    refused: int
    last_attempt_at: dt.datetime | None
    last_success_at: dt.datetime | None
    offline_since: dt.datetime | None
    last_error: str


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _pending() -> Any:
    return (OutboxItem.sent_at.is_(None), OutboxItem.refused_at.is_(None))


class SyncStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- outbox -----------------------------------------------------------------------------

    def next_batch(self, limit: int, *, after: int = 0) -> OutgoingBatch:
        """The oldest waiting events after outbox row `after`, in the order they were written."""
        with self.db.session() as s:
            vault = Vault.of(s, self.db.keys)
            rows = s.execute(
                select(
                    OutboxItem.id,
                    OutboxItem.event_id,
                    OutboxItem.payload,
                    OutboxItem.sealed,
                    Applicant.id,
                    Applicant.wrapped_key,
                )
                .outerjoin(Case, Case.id == OutboxItem.case_id)
                .outerjoin(Applicant, Applicant.id == Case.applicant_id)
                .where(*_pending(), OutboxItem.id > after)
                .order_by(OutboxItem.id)
                .limit(limit)
            ).all()
            created = {r.payload["case_id"] for r in rows if r.payload.get("kind") == EventKind.CREATED.value}
            people = self._applicants(s, vault, created)
            # The server needs the personal part; a purged applicant's is gone and is not sent.
            bodies = []
            for row_id, event_id, payload, sealed, applicant_id, wrapped in rows:
                body = dict(payload)
                data = vault.merge(
                    body.get("data") or {}, sealed, applicant_id or "", wrapped, outbox_aad(event_id)
                )
                data.pop(REMOVED_KEY, None)
                body["data"] = data
                bodies.append((row_id, event_id, body))
        events: list[WireEvent] = []
        ids: dict[str, int] = {}
        bad: list[tuple[int, str]] = []
        for row_id, event_id, body in bodies:
            if body.get("kind") == EventKind.CREATED.value and body.get("case_id") in people:
                body["applicant"] = people[body["case_id"]]
            try:
                event = WireEvent.model_validate(body)
            except ValidationError as exc:
                # Same schema as the server's: it would refuse this too, so it must not hold the queue.
                bad.append((row_id, f"invalid event: {exc.errors()[0]['msg']}"[:500]))
                continue
            events.append(event)
            ids[event_id] = row_id
        if bad:
            self._refuse(bad)
        return OutgoingBatch(tuple(events), ids, len(bad))

    def _applicants(self, s: Session, vault: Vault, case_ids: set[str]) -> dict[str, WireApplicant]:
        if not case_ids:
            return {}
        found: dict[str, WireApplicant] = {}
        query = (
            select(Case.id, Applicant)
            .join(Case.applicant)
            .where(Case.id.in_(case_ids), Applicant.purged_at.is_(None))
        )
        for case_id, person in s.execute(query):
            fields = vault.applicant(person)
            if fields is None or not fields["citizen_id"]:
                continue
            try:
                found[case_id] = WireApplicant(**fields)
            except ValidationError:
                log.warning(
                    "case %s: applicant record does not fit the wire schema; sent without it", case_id
                )
        return found

    def _refuse(self, rows: Sequence[tuple[int, str]]) -> None:
        now = _utcnow()
        with self.db.unit_of_work() as s, s.begin():
            for row_id, reason in rows:
                s.execute(
                    update(OutboxItem)
                    .where(OutboxItem.id == row_id)
                    .values(refused_at=now, last_error=reason, attempts=OutboxItem.attempts + 1)
                )

    def record_results(self, batch: OutgoingBatch, results: Iterable[PushResult]) -> dict[PushStatus, int]:
        """Write what the server said about each event; an event it did not mention stays queued."""
        now = _utcnow()
        counts = dict.fromkeys(PushStatus, 0)
        done: list[int] = []
        refused: list[tuple[int, str]] = []
        retry: list[tuple[int, str]] = []
        for result in results:
            row = batch.rows.get(str(result.event_id))
            if row is None:
                continue
            counts[result.status] += 1
            if result.status in DONE:
                done.append(row)
            elif result.status is PushStatus.REJECTED:
                refused.append((row, result.detail[:500]))
            else:
                retry.append((row, result.detail[:500]))
        done_rows = set(done)
        confirmed = {
            str(e.case_id)
            for e in batch.events
            if e.kind is EventKind.CREATED and batch.rows.get(str(e.event_id)) in done_rows
        }
        with self.db.unit_of_work() as s, s.begin():
            for chunk in _chunks(done, 500):
                # The server holds the event now: the outbox's copy of its personal part goes.
                s.execute(
                    update(OutboxItem)
                    .where(OutboxItem.id.in_(chunk))
                    .values(sent_at=now, attempts=OutboxItem.attempts + 1, last_error="", sealed=None)
                )
            for row, reason in refused:
                s.execute(
                    update(OutboxItem)
                    .where(OutboxItem.id == row)
                    .values(refused_at=now, last_error=reason, attempts=OutboxItem.attempts + 1)
                )
            for row, reason in retry:
                s.execute(
                    update(OutboxItem)
                    .where(OutboxItem.id == row)
                    .values(last_error=reason, attempts=OutboxItem.attempts + 1)
                )
            for chunk in _chunks(sorted(confirmed), 500):
                # The retention clock of the applicant's data starts when the server holds the case.
                s.execute(
                    update(Case)
                    .where(Case.id.in_(chunk), Case.server_confirmed_at.is_(None))
                    .values(server_confirmed_at=now)
                )
        return counts

    def refuse_rows(self, rows: Sequence[tuple[int, str]]) -> None:
        self._refuse(rows)

    def requeue_refused(self) -> int:
        """Put refused events back in the queue (after the server or the kiosk was fixed)."""
        with self.db.unit_of_work() as s, s.begin():
            result = s.execute(
                update(OutboxItem).where(OutboxItem.refused_at.is_not(None)).values(refused_at=None)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def note_batch_error(self, batch: OutgoingBatch, error: str) -> None:
        with self.db.unit_of_work() as s, s.begin():
            for chunk in _chunks(list(batch.rows.values()), 500):
                s.execute(
                    update(OutboxItem)
                    .where(OutboxItem.id.in_(chunk))
                    .values(attempts=OutboxItem.attempts + 1, last_error=error[:500])
                )

    # --- changes from the server ------------------------------------------------------------

    def cursor(self) -> int:
        with self.db.session() as s:
            row = s.get(SyncState, STATE_ROW)
            return row.cursor if row else 0

    def apply_changes(self, changes: Sequence[WireChange], cursor: int, versions: dict[str, str]) -> int:
        """Apply a page of changes and move the cursor past them, all in one transaction."""
        applied = 0
        with self.db.unit_of_work() as s, s.begin():
            state = self._state(s)
            if cursor < state.cursor:
                # A page older than what is already applied (two syncs racing): nothing new in it.
                return 0
            merged = dict(state.versions)
            for change in changes:
                if change.id <= state.cursor:
                    continue
                if change.type is ChangeType.VERSIONS:
                    merged.update(change.versions)
                elif change.case is not None and self._apply_case(s, change.case, change.events):
                    applied += 1
            merged.update(versions)
            state.cursor = cursor
            state.versions = merged
        return applied

    def _apply_case(self, s: Session, snap: WireCaseSnapshot, events: Sequence[WireEvent]) -> bool:
        case = s.get(Case, str(snap.case_id))
        if case is None:
            # Not a case of this kiosk's database (purged, or written before a re-install).
            log.info("change for case %s not held here; skipped", snap.number)
            return False
        known = set(s.scalars(select(Event.id).where(Event.case_id == case.id)))
        seq = s.scalar(select(func.max(Event.seq)).where(Event.case_id == case.id)) or 0
        vault = Vault.of(s, self.db.keys)
        for event in events:
            if str(event.event_id) in known:
                continue
            seq += 1
            # A personal part in an event from the server is sealed as the kiosk's own are, or dropped
            # when this applicant's data was already removed: never stored in clear.
            clear, personal = split_personal(event.kind.value, event.data)
            s.add(
                Event(
                    id=str(event.event_id),
                    case_id=case.id,
                    seq=seq,
                    kind=event.kind.value,
                    from_state=event.from_state.value if event.from_state else None,
                    to_state=event.to_state.value if event.to_state else None,
                    actor_role=event.actor_role.value,
                    actor_id=event.actor_id,
                    kiosk_id=event.kiosk_id,
                    at=event.at,
                    reason=event.reason,
                    data=clear,
                    sealed=vault.seal_part(case.applicant, personal, event_aad(str(event.event_id))),
                )
            )
        waiting = s.scalar(
            select(func.count()).select_from(OutboxItem).where(OutboxItem.case_id == case.id, *_pending())
        )
        if waiting:
            # Something written here (a move, a fee, a payment, a document mark…) is still on its way
            # and the snapshot does not hold it: keep the local state. Once the server has the event it
            # puts the merged case in the feed again (or answers a conflict with its own snapshot).
            return True
        case.state = snap.state.value
        case.updated_at = max(case.updated_at, snap.updated_at)
        case.sla_started_at = snap.sla_started_at
        case.sla_due_at = snap.sla_due_at
        case.sla_stopped_at = snap.sla_stopped_at
        case.sla_extensions = snap.sla_extensions
        case.fix_deadline = snap.fix_deadline
        self._apply_invoices(s, case, snap.invoices)
        return True

    def _apply_invoices(self, s: Session, case: Case, invoices: Sequence[WireInvoice]) -> None:
        local = {i.id: i for i in s.scalars(select(Invoice).where(Invoice.case_id == case.id))}
        wanted = {str(i.id) for i in invoices}
        for inv in local.values():
            if inv.id not in wanted and inv.status == "open":
                inv.status = "cancelled"
        for wire in invoices:
            inv_id = str(wire.id)
            row = local.get(inv_id)
            if row is None:
                clash = s.scalar(select(Invoice).where(Invoice.ref1 == wire.ref1, Invoice.ref2 == wire.ref2))
                if clash is not None:
                    self._set_aside(s, case, clash)
                row = Invoice(
                    id=inv_id, case_id=case.id, ref1=wire.ref1, ref2=wire.ref2, created_at=wire.created_at
                )
                s.add(row)
            row.total_satang = wire.total_satang
            row.status = wire.status
            row.due_date = wire.due_date
            lines = [(ln.key, ln.label_th, ln.label_en, ln.amount_satang) for ln in wire.lines]
            have = [
                (ln.fee_key, ln.label_th, ln.label_en, ln.amount_satang)
                for ln in s.scalars(
                    select(InvoiceLine).where(InvoiceLine.invoice_id == inv_id).order_by(InvoiceLine.position)
                )
            ]
            if have != lines:
                s.execute(delete(InvoiceLine).where(InvoiceLine.invoice_id == inv_id))
                for position, (key, label_th, label_en, amount) in enumerate(lines):
                    s.add(
                        InvoiceLine(
                            invoice_id=inv_id,
                            position=position,
                            fee_key=key,
                            label_th=label_th,
                            label_en=label_en,
                            amount_satang=amount,
                        )
                    )
            paid = set(s.scalars(select(Payment.id).where(Payment.invoice_id == inv_id)))
            for pay in wire.payments:
                if str(pay.id) in paid or s.get(Payment, str(pay.id)) is not None:
                    continue
                s.add(
                    Payment(
                        id=str(pay.id),
                        invoice_id=inv_id,
                        amount_satang=pay.amount_satang,
                        channel=pay.channel,
                        reference=pay.reference,
                        paid_at=pay.paid_at,
                    )
                )
        s.flush()

    @staticmethod
    def _set_aside(s: Session, case: Case, clash: Invoice) -> None:
        """The kiosk wrote an invoice the server never accepted under the refs the server now uses.

        Its payments may be the only record of cash taken at the counter, so nothing is deleted: the
        invoice is cancelled and moved off the refs (which are unique) for the server's invoice, and
        staff are told through the log (case number, invoice id and amounts only, no personal data).
        """
        paid = sum(p.amount_satang for p in clash.payments)
        old_ref2 = clash.ref2
        clash.status = "cancelled"
        clash.ref2 = ("X" + clash.id.replace("-", "").upper())[:18]
        s.flush()
        log.warning(
            "case %s: kiosk invoice %s (Ref.2 %s, %d satang, %d satang paid in %d payment(s)) was never "
            "accepted by the server and clashes with the server's invoice: cancelled, payments kept; "
            "staff must check and refund or re-record them",
            case.number,
            clash.id,
            old_ref2,
            clash.total_satang,
            paid,
            len(clash.payments),
        )

    # --- the outcome of the last attempt ----------------------------------------------------

    def _state(self, s: Session) -> SyncState:
        row = s.get(SyncState, STATE_ROW)
        if row is None:
            row = SyncState(id=STATE_ROW, cursor=0, versions={}, last_error="")
            s.add(row)
            s.flush()
        return row

    def note_attempt(self, *, ok: bool, error: str = "", now: dt.datetime | None = None) -> None:
        now = now or _utcnow()
        with self.db.unit_of_work() as s, s.begin():
            state = self._state(s)
            state.last_attempt_at = now
            if ok:
                state.last_success_at, state.offline_since, state.last_error = now, None, ""
            else:
                state.last_error = error[:500]
                if state.offline_since is None:
                    state.offline_since = now

    def status(self) -> StoredStatus:
        with self.db.session() as s:
            row = s.get(SyncState, STATE_ROW)
            queued = s.scalar(select(func.count()).select_from(OutboxItem).where(*_pending())) or 0
            refused = (
                s.scalar(
                    select(func.count()).select_from(OutboxItem).where(OutboxItem.refused_at.is_not(None))
                )
                or 0
            )
        if row is None:
            return StoredStatus(0, {}, queued, refused, None, None, None, "")
        return StoredStatus(
            row.cursor,
            {str(k): str(v) for k, v in row.versions.items()},
            queued,
            refused,
            row.last_attempt_at,
            row.last_success_at,
            row.offline_since,
            row.last_error,
        )

    def queued(self) -> int:
        with self.db.session() as s:
            return s.scalar(select(func.count()).select_from(OutboxItem).where(*_pending())) or 0

    def after_pass(self) -> None:
        """After a successful pass: cases the server just confirmed may start or end their retention."""
        purge_expired(self.db)


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
