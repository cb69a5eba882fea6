"""The office queue at the server: every device's queue events, the office's view of each ticket, and
the claim a counter makes before calling a ticket.

Kiosks and counter stations record queue events in their own database first (`kiosk.storage.queue`)
and push them here; the server stores each event id once and numbers it (`n`), and every device pulls
the office's events after its cursor. The ticket projection is the events folded in (at, id) order
with the kiosks' rule: the first call wins, a later `called` of another counter stays in the log but
not in the projection. Online, a counter asks first (`claim`): the server records the call unless
another counter holds the ticket, so two counters online never call the same person.

One server is one office: every enrolled device belongs to it and sees its whole queue. On PostgreSQL
every queue writer takes one transaction-level advisory lock, so the claim's check and its write are
one step and `n` becomes visible in increasing order (a pull never skips an event still committing).
"""

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import Table, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from central.db import Database
from central.models import Kiosk, QueueCounter, QueueEvent, QueueTicket, utcnow
from kiosk.domain.queue import (
    COUNTER_STATE_AFTER,
    HELD_STATES,
    EventKind,
    QueueEventData,
    Ticket,
    TicketState,
    apply_event,
    ticket_from_issued,
)
from kiosk.wire import (
    API_PREFIX,
    MAX_BATCH,
    SERVICE_DATE_PATTERN,
    PulledQueueEvent,
    QueueClaimRefused,
    QueueClaimRequest,
    QueueClaimResponse,
    QueuePullResponse,
    QueuePushRequest,
    QueuePushResponse,
    QueuePushResult,
    QueuePushStatus,
    WireQueueEvent,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
QUEUE_LOCK = 7_410_070  # pg advisory lock id serialising writers of the queue (see module docstring)
COUNTER_STATES: dict[str, str] = {k.value: v for k, v in COUNTER_STATE_AFTER.items()}
CALLABLE = frozenset({TicketState.WAITING.value, TicketState.MISSED.value})
HELD = frozenset(s.value for s in HELD_STATES)


class ClaimRefused(Exception):
    def __init__(self, body: QueueClaimRefused) -> None:
        super().__init__(body.detail)
        self.body = body


# --- the fold -----------------------------------------------------------------------------------


@dataclass
class TicketFold:
    """The office's view of one ticket: `kiosk.domain.queue`'s fold (the kiosks' own rule) plus which
    `called` events lost to an earlier call of another counter."""

    ticket: Ticket | None
    ignored: list[str] = field(default_factory=list)

    def columns(self) -> dict[str, Any]:
        t = self.ticket
        assert t is not None
        return {
            "id": t.id,
            "case_id": t.case_id,
            "service_date": t.service_date.isoformat(),
            "number": t.number,
            "group": t.group,
            "priority": t.priority,
            "state": t.state.value,
            "kiosk_id": t.kiosk_id,
            "issued_at": t.issued_at,
            "service_code": t.service_code,
            "line_at": t.line_at,
            "counter": t.counter,
            "target_counter": t.target_counter,
            "staff_id": t.staff_id,
            "first_called_at": t.first_called_at,
            "called_at": t.called_at,
            "started_at": t.started_at,
            "finished_at": t.finished_at,
            "calls": t.calls,
            "misses": t.misses,
            "ignored_calls": len(self.ignored),
            "updated_at": t.updated_at,
        }


def _data(row: Any) -> QueueEventData:
    return QueueEventData(
        id=row.id,
        kind=row.kind,
        at=_moment(row.at) or row.at,
        ticket_id=row.ticket_id,
        counter=row.counter,
        staff_id=row.staff_id,
        kiosk_id=row.kiosk_id,
        data=row.data if isinstance(row.data, dict) else {},
    )


def fold_ticket(events: Iterable[Any]) -> TicketFold:
    """One ticket from all its events in (at, id) order, as `kiosk.domain.queue.fold` does it; no
    ticket until its `issued` event is known."""
    ordered = sorted((_data(e) for e in events), key=lambda e: e.order)
    issued = next((e for e in ordered if e.kind == EventKind.ISSUED), None)
    if issued is None:
        return TicketFold(None)
    ticket = ticket_from_issued(issued)
    ignored = [
        e.id
        for e in ordered
        if e.kind != EventKind.ISSUED and not apply_event(ticket, e) and e.kind == EventKind.CALLED
    ]
    return TicketFold(ticket, ignored)


def _moment(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
        return moment if moment.tzinfo else None
    return None


# --- the service --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PushOutcome:
    results: list[QueuePushResult]
    applied: int


class QueueService:
    def __init__(self, db: Database, *, history_days: int = 7) -> None:
        self.db = db
        self.history_days = history_days

    def _tx(self, work: Callable[[Session], T], *, attempts: int = 4) -> T:
        for attempt in range(1, attempts + 1):
            try:
                with self.db.session() as s, s.begin():
                    if self.db.postgres:
                        s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": QUEUE_LOCK})
                    return work(s)
            except (IntegrityError, OperationalError) as exc:
                if attempt == attempts or not _retryable(exc):
                    raise
                log.info("queue transaction retried after %s", type(exc.orig).__name__ if exc.orig else exc)
        raise AssertionError("unreachable")

    # --- push -------------------------------------------------------------------------------

    def push(self, kiosk_id: str, events: Sequence[WireQueueEvent]) -> PushOutcome:
        return self._tx(lambda s: self._push(s, kiosk_id, events))

    def _push(self, s: Session, kiosk_id: str, events: Sequence[WireQueueEvent]) -> PushOutcome:
        now = utcnow()
        ids = [str(e.id) for e in events]
        known = set(s.scalars(select(QueueEvent.id).where(QueueEvent.id.in_(ids))))
        results: list[QueuePushResult] = []
        rows: list[dict[str, Any]] = []
        for event in events:
            event_id = str(event.id)
            if event_id in known:
                results.append(QueuePushResult(id=event.id, status=QueuePushStatus.DUPLICATE))
                continue
            problem = _problem(kiosk_id, event)
            if problem:
                results.append(QueuePushResult(id=event.id, status=QueuePushStatus.REJECTED, detail=problem))
                continue
            known.add(event_id)
            rows.append(_row(event, kiosk_id, now))
            results.append(QueuePushResult(id=event.id, status=QueuePushStatus.APPLIED))
        if rows:
            # Append-only rows: one executemany, then the touched tickets and counters refolded.
            s.execute(insert(_table(QueueEvent)), rows)
            self._refold(s, {r["ticket_id"] for r in rows if r["ticket_id"]})
            self._counters(s, [r for r in rows if r["kind"] in COUNTER_STATES])
        s.execute(update(Kiosk).where(Kiosk.id == kiosk_id).values(last_seen_at=now))
        return PushOutcome(results, len(rows))

    def _refold(self, s: Session, ticket_ids: set[str]) -> dict[str, TicketFold]:
        """Fold the tickets again from all their events and write the projection (bulk statements:
        a batch of 500 new tickets is the normal case after a kiosk comes back online)."""
        folded: dict[str, TicketFold] = {}
        wanted = sorted(ticket_ids)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            by_ticket: dict[str, list[Any]] = {t: [] for t in chunk}
            for event in s.execute(select(_table(QueueEvent)).where(QueueEvent.ticket_id.in_(chunk))):
                by_ticket[str(event.ticket_id)].append(event)
            existing = set(s.scalars(select(QueueTicket.id).where(QueueTicket.id.in_(chunk))))
            new: list[dict[str, Any]] = []
            changed: list[dict[str, Any]] = []
            for ticket_id, events in by_ticket.items():
                fold = fold_ticket(events)
                folded[ticket_id] = fold
                if fold.ticket is None:
                    continue  # its `issued` event has not arrived yet
                (changed if ticket_id in existing else new).append(fold.columns())
            if new:
                s.execute(insert(_table(QueueTicket)), new)
            if changed:
                s.execute(update(QueueTicket), changed)  # bulk UPDATE by primary key
        return folded

    @staticmethod
    def _counters(s: Session, rows: Sequence[dict[str, Any]]) -> None:
        for row in sorted(rows, key=lambda r: (r["at"], r["id"])):
            counter = s.get(QueueCounter, row["counter"])
            if counter is not None and (_moment(counter.at) or row["at"], counter.event_id) > (
                row["at"],
                row["id"],
            ):
                continue  # an older event arriving late does not undo a newer state
            if counter is None:
                counter = QueueCounter(id=row["counter"])
                s.add(counter)
            groups = row["data"].get("groups")
            counter.state = COUNTER_STATES[row["kind"]]
            counter.staff_id = row["staff_id"]
            if isinstance(groups, list):
                counter.groups = {"served": [str(g)[:4] for g in groups][:20]}
            elif counter.groups is None:
                counter.groups = {}
            counter.at, counter.event_id = row["at"], row["id"]

    # --- pull -------------------------------------------------------------------------------

    def pull(self, kiosk_id: str, after: int, limit: int, since: str | None = None) -> QueuePullResponse:
        """The office's events after `after`, oldest first, the device's own included (a claim it
        made is an event it does not hold yet; applying an event twice changes nothing)."""
        with self.db.session() as s, s.begin():
            # The highest number first, then rows up to it: an event committed between the two reads
            # lies above `top` and is read next time, never skipped.
            top = s.scalar(select(func.max(QueueEvent.n))) or 0
            query = select(QueueEvent).where(QueueEvent.n > after, QueueEvent.n <= top)
            if since:
                query = query.where(QueueEvent.service_date >= since)
            rows = list(s.scalars(query.order_by(QueueEvent.n).limit(limit)))
        more = len(rows) == limit
        cursor = rows[-1].n if more else max(top, after)
        return QueuePullResponse(
            events=[_pulled(r) for r in rows], cursor=cursor, more=more, server_time=utcnow()
        )

    # --- claim ------------------------------------------------------------------------------

    def claim(self, kiosk_id: str, event: WireQueueEvent) -> QueueClaimResponse:
        """Record a counter's call unless another counter holds the ticket (`ClaimRefused`)."""
        problem = _problem(kiosk_id, event)
        if event.kind != "called" or event.ticket_id is None or not event.counter:
            problem = problem or "a claim is a `called` event of a ticket, at a counter"
        if problem:
            # Shaped like FastAPI's own 422 (the documented body), pointing at the claim's event.
            raise RequestValidationError(
                [{"type": "value_error", "loc": ("body", "event"), "msg": problem, "input": None}]
            )
        return self._tx(lambda s: self._claim(s, kiosk_id, event))

    def _claim(self, s: Session, kiosk_id: str, event: WireQueueEvent) -> QueueClaimResponse:
        now = utcnow()
        if s.scalar(select(QueueEvent.n).where(QueueEvent.id == str(event.id))) is not None:
            return QueueClaimResponse(duplicate=True, server_time=now)
        ticket_id = str(event.ticket_id)
        ticket = s.get(QueueTicket, ticket_id)
        held_here = ticket is not None and ticket.state in HELD and ticket.counter == event.counter
        if ticket is not None and ticket.state not in CALLABLE and not held_here:
            history = s.scalars(
                select(QueueEvent).where(QueueEvent.ticket_id == ticket_id).order_by(QueueEvent.n)
            )
            holder = ticket.counter
            raise ClaimRefused(
                QueueClaimRefused(
                    detail=f"ticket {ticket.number or ticket_id} is {ticket.state}"
                    + (f" at counter {holder}" if holder else ""),
                    detail_th=f"บัตรคิว {ticket.number} ถูกเรียกแล้ว" + (f" ที่ช่อง {holder}" if holder else ""),
                    counter=holder,
                    state=ticket.state,
                    number=ticket.number,
                    events=[_pulled(e) for e in history],
                )
            )
        s.execute(insert(_table(QueueEvent)), [_row(event, kiosk_id, now)])
        self._refold(s, {ticket_id})
        return QueueClaimResponse(server_time=now)

    # --- the office's view ------------------------------------------------------------------

    def tickets(self, service_date: str) -> list[QueueTicket]:
        with self.db.session() as s:
            query = select(QueueTicket).where(QueueTicket.service_date == service_date)
            return list(s.scalars(query.order_by(QueueTicket.issued_at, QueueTicket.id)))

    def duplicates(self, service_date: str) -> dict[str, int]:
        """Numbers issued twice on a day (two kiosks given the same slot): should stay empty."""
        with self.db.session() as s:
            rows = s.execute(
                select(QueueTicket.number, func.count())
                .where(QueueTicket.service_date == service_date, QueueTicket.number != "")
                .group_by(QueueTicket.number)
                .having(func.count() > 1)
            ).all()
        return {str(number): int(count) for number, count in rows}


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


# Data fields the projection copies into columns, with the columns' lengths.
_DATA_LIMITS = {"number": 16, "group": 4, "priority": 16, "service_code": 48, "case_id": 36, "to_counter": 4}


def _problem(kiosk_id: str, event: WireQueueEvent) -> str:
    if event.kiosk_id != kiosk_id:
        return "not this device's event"
    if not _plausible(event.at):
        return "at is not a time of this century"
    for key, limit in _DATA_LIMITS.items():
        value = event.data.get(key)
        if value is not None and not (isinstance(value, str) and len(value) <= limit):
            return f"data.{key} must be text of at most {limit} characters"
    if event.kind == EventKind.ISSUED:
        number, group, issued_at = (event.data.get(k) for k in ("number", "group", "issued_at"))
        if not (isinstance(number, str) and 0 < len(number) <= 16 and isinstance(group, str) and group):
            return "an issued ticket needs a number and a group"
        moment = _moment(issued_at)
        if issued_at is not None and (moment is None or not _plausible(moment)):
            return "issued_at is not an aware ISO date-time of this century"
    if event.kind in COUNTER_STATES and not event.counter:
        return "a counter event needs a counter"
    if event.kind not in COUNTER_STATES and event.ticket_id is None:
        return "a ticket event needs a ticket"
    return ""


def _plausible(moment: dt.datetime) -> bool:
    # Far-off years overflow on conversion to UTC or Bangkok time; no office queue lives there.
    return dt.datetime(2000, 1, 2, tzinfo=dt.UTC) <= moment <= dt.datetime(2999, 12, 30, tzinfo=dt.UTC)


def _row(event: WireQueueEvent, kiosk_id: str, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": str(event.id),
        "ticket_id": str(event.ticket_id) if event.ticket_id else None,
        "service_date": event.service_date,
        "kind": event.kind,
        "at": event.at.astimezone(dt.UTC),
        "counter": event.counter,
        "staff_id": event.staff_id,
        "kiosk_id": event.kiosk_id,
        "data": dict(event.data),
        "pushed_by": kiosk_id,
        "received_at": now,
    }


def _pulled(row: QueueEvent) -> PulledQueueEvent:
    return PulledQueueEvent.model_validate(
        {
            "n": row.n,
            "id": row.id,
            "ticket_id": row.ticket_id,
            "service_date": row.service_date,
            "kind": row.kind,
            "at": _moment(row.at) or row.at,
            "counter": row.counter,
            "staff_id": row.staff_id,
            "kiosk_id": row.kiosk_id,
            "data": row.data,
        }
    )


def _retryable(exc: DBAPIError) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    code = getattr(exc.orig, "sqlstate", None)
    return code in {"40001", "40P01"} or "locked" in str(exc.orig)


# --- HTTP ---------------------------------------------------------------------------------------


def queue_router(
    db: Database, kiosk_auth: Callable[..., str], errors: dict[int | str, dict[str, Any]]
) -> APIRouter:
    """The kiosk API of the queue, authenticated like the rest of the kiosk API (per-kiosk token);
    `errors` are the app's documented error answers (its middleware gives them on every route)."""
    service = QueueService(db)
    router = APIRouter(prefix=f"{API_PREFIX}/queue", tags=["queue"])
    # No `from __future__ import annotations` in this module: FastAPI must see this local alias.
    KioskId = Annotated[str, Depends(kiosk_auth)]

    @router.post("/events", response_model=QueuePushResponse, responses=errors)
    def push_queue(body: QueuePushRequest, kiosk_id: KioskId) -> QueuePushResponse:
        outcome = service.push(kiosk_id, body.events)
        return QueuePushResponse(results=outcome.results, server_time=utcnow())

    @router.get("/events", response_model=QueuePullResponse, responses=errors)
    def pull_queue(
        kiosk_id: KioskId,
        after: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_BATCH)] = 500,
        since: Annotated[str | None, Query(pattern=SERVICE_DATE_PATTERN)] = None,
    ) -> QueuePullResponse:
        return service.pull(kiosk_id, after, limit, since)

    @router.post(
        "/claim",
        response_model=QueueClaimResponse,
        responses={
            **errors,
            409: {"model": QueueClaimRefused, "description": "Another counter holds the ticket"},
        },
    )
    def claim_ticket(body: QueueClaimRequest, kiosk_id: KioskId) -> Any:
        try:
            return service.claim(kiosk_id, body.event)
        except ClaimRefused as refused:
            return JSONResponse(refused.body.model_dump(mode="json"), status_code=409)

    return router


__all__ = ["QUEUE_LOCK", "ClaimRefused", "QueueService", "TicketFold", "fold_ticket", "queue_router"]
