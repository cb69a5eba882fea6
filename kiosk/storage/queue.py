"""The office queue as units of work: tickets, counters, the board, statistics and queue sync.

Every change is one transaction that appends a `QueueEvent` and updates the ticket (or counter)
projection with the same rule the fold uses (`kiosk.domain.queue.apply_event`), so a ticket rebuilt
from its events after a merge looks exactly like one changed here. The rules themselves (numbering,
calling, the estimate, statistics) are in `kiosk.domain.queue`; docs/queue.md explains them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from kiosk.config import Config, QueueCounter, QueueGroup
from kiosk.domain.queue import (
    COUNTER_EVENTS,
    COUNTER_STATE_AFTER,
    STAT_COLUMNS,
    Candidate,
    EventKind,
    QueueError,
    QueueEventData,
    StatRow,
    Ticket,
    TicketState,
    TicketTimes,
    ahead_of_priority,
    ahead_of_regular,
    apply_event,
    average_minutes,
    called_event_id,
    calling_order,
    choose,
    fold,
    kiosk_slot,
    regular_since_priority,
    sequence_name,
    service_date,
    stat_record,
    stat_rows,
    ticket_from_issued,
    ticket_number,
    wait_minutes,
)
from kiosk.domain.workflow import Actor, Role
from kiosk.errors import NotFoundError
from kiosk.storage.cases import PRIORITIES
from kiosk.storage.db import Database
from kiosk.storage.models import Case, QueueCounterState, QueueEvent, QueueTicket
from kiosk.storage.models import Sequence as SequenceRow

if TYPE_CHECKING:
    from kiosk.storage.cases import CaseStore

__all__ = [
    "BoardState",
    "Call",
    "CounterView",
    "GroupStatus",
    "Issued",
    "QueueError",
    "QueueStore",
    "StatRow",
    "TicketView",
]

log = logging.getLogger(__name__)

WAITING = TicketState.WAITING.value
MISSED = TicketState.MISSED.value
CALLED = TicketState.CALLED.value
SERVING = TicketState.SERVING.value
DONE = TicketState.DONE.value
NO_SHOW = TicketState.NO_SHOW.value
IN_LINE = (WAITING, MISSED)
HELD = (CALLED, SERVING)
MAX_CLAIM_TRIES = 5
_CHUNK = 400  # SQLite host parameters per IN (...)
_CANCELLABLE = (WAITING, MISSED, CALLED)
# The case-history action a counter's service step writes (CaseStore.record_action_in).
_CASE_ACTIONS = {EventKind.STARTED: "service_started", EventKind.FINISHED: "service_finished"}


@dataclass(frozen=True)
class TicketView:
    """A snapshot of a ticket, detached from any session, safe to hand to any thread."""

    id: str
    number: str
    group: str
    priority: str
    state: str
    service_code: str
    case_id: str | None
    case_number: str | None
    kiosk_id: str
    service_date: dt.date
    issued_at: dt.datetime
    line_at: dt.datetime
    counter: str
    target_counter: str
    first_called_at: dt.datetime | None
    called_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    calls: int
    misses: int


@dataclass(frozen=True)
class Issued:
    ticket: TicketView
    people_ahead: int
    wait_minutes: int


@dataclass(frozen=True)
class GroupStatus:
    prefix: str
    name_th: str
    name_en: str
    waiting: int
    priority_waiting: int
    average_minutes: float
    wait_minutes: int  # estimate for a regular ticket issued now


@dataclass(frozen=True)
class CounterView:
    id: str
    name_th: str
    name_en: str
    groups: tuple[str, ...]
    state: str  # open / break / closed
    staff_id: str
    current: TicketView | None  # called or serving at this counter


@dataclass(frozen=True)
class Call:
    """One `called` or `recalled` event: the board chimes and speaks once per Call."""

    event_id: str
    number: str
    counter: str
    at: dt.datetime  # the calling device's clock: not comparable with this one's
    recall: bool
    live: bool = True  # the ticket is still called at that counter (not yet there, not over)


@dataclass(frozen=True)
class BoardState:
    now_serving: list[TicketView]  # called and serving, most recent call first
    recent: list[TicketView]  # the last N called, done and no-show included
    groups: list[GroupStatus]
    counters: list[CounterView]
    calls: list[Call]  # newest first, in the order they reached this database


def _aware(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return dt.datetime.now(dt.UTC)
    if now.tzinfo is None:
        raise ValueError("naive datetime: queue times are aware")
    return now


def _ticket(row: QueueTicket) -> Ticket:
    return Ticket(
        id=row.id,
        number=row.number,
        group=row.group,
        priority=row.priority,
        state=TicketState(row.state),
        kiosk_id=row.kiosk_id,
        service_date=dt.date.fromisoformat(row.service_date),
        issued_at=row.issued_at,
        service_code=row.service_code,
        case_id=row.case_id,
        line_at=row.line_at,
        counter=row.counter,
        target_counter=row.target_counter,
        staff_id=row.staff_id,
        first_called_at=row.first_called_at,
        called_at=row.called_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        calls=row.calls,
        misses=row.misses,
        updated_at=row.updated_at,
    )


def _view(row: QueueTicket, case_number: str | None) -> TicketView:
    return TicketView(
        id=row.id,
        number=row.number,
        group=row.group,
        priority=row.priority,
        state=row.state,
        service_code=row.service_code,
        case_id=row.case_id,
        case_number=case_number,
        kiosk_id=row.kiosk_id,
        service_date=dt.date.fromisoformat(row.service_date),
        issued_at=row.issued_at,
        line_at=row.line_at or row.issued_at,
        counter=row.counter,
        target_counter=row.target_counter,
        first_called_at=row.first_called_at,
        called_at=row.called_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        calls=row.calls,
        misses=row.misses,
    )


def _event_data(row: QueueEvent) -> QueueEventData:
    return QueueEventData(
        id=row.id,
        kind=row.kind,
        at=row.at,
        ticket_id=row.ticket_id,
        counter=row.counter,
        staff_id=row.staff_id,
        kiosk_id=row.kiosk_id,
        data=dict(row.data),
    )


def _wire(row: QueueEvent) -> dict[str, Any]:
    return {
        "id": row.id,
        "ticket_id": row.ticket_id,
        "service_date": row.service_date,
        "kind": row.kind,
        "at": row.at.isoformat(),
        "counter": row.counter,
        "staff_id": row.staff_id,
        "kiosk_id": row.kiosk_id,
        "data": dict(row.data),
    }


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


class QueueStore:
    """The office queue as this device sees it. One instance per process; no Qt; thread-safe as far
    as SQLite is (every method opens its own short session)."""

    # Writes "service started / finished at counter N" into a ticket's case in the same transaction
    # (set by the owner; it must use the same database). None: the case history is not told.
    cases: CaseStore | None = None

    def __init__(self, db: Database, config: Config, *, kiosk_id: str) -> None:
        self.db = db
        self.config = config
        self.kiosk_id = kiosk_id
        self._q = config.queue
        self._groups: dict[str, QueueGroup] = {g.prefix: g for g in self._q.groups}
        self._counters: dict[str, QueueCounter] = {c.id: c for c in self._q.counters}

    # --- configuration look-ups -----------------------------------------------------------------

    def group_for(self, service_code: str, category: str) -> str:
        """The group a service's tickets join: a group naming the service wins over one naming its
        category; with neither, the first group."""
        for g in self._q.groups:
            if service_code in g.services:
                return g.prefix
        for g in self._q.groups:
            if category in g.categories:
                return g.prefix
        return self._q.groups[0].prefix

    def _group(self, prefix: str) -> QueueGroup:
        group = self._groups.get(prefix.strip().upper())
        if group is None:
            raise QueueError(f"ไม่มีกลุ่มบริการ {prefix}", f"No queue group {prefix!r}")
        return group

    def _counter(self, counter: str) -> QueueCounter:
        found = self._counters.get(str(counter).strip().upper())
        if found is None:
            raise QueueError(f"ไม่มีช่องบริการ {counter}", f"No counter {counter!r}")
        return found

    # --- issuing --------------------------------------------------------------------------------

    def issue(
        self,
        group: str,
        *,
        priority: str = "",
        service_code: str = "",
        case_id: str | None = None,
        now: dt.datetime | None = None,
    ) -> Issued:
        """Issue a ticket on its own (no case yet: a walk-in): one transaction."""
        now = _aware(now)
        with self.db.unit_of_work() as s, s.begin():
            view = self.issue_in(
                s, group, priority=priority, service_code=service_code, case_id=case_id, now=now
            )
            ahead, wait = self._estimate(s, s.get_one(QueueTicket, view.id), now)
            return Issued(view, ahead, wait)

    def issue_in(
        self,
        s: Session,
        group: str,
        *,
        priority: str = "",
        service_code: str = "",
        case_id: str | None = None,
        now: dt.datetime,
    ) -> TicketView:
        """Issue a ticket inside the caller's open unit of work (the case and its ticket commit together).

        The number comes from this kiosk's own sequence for the day and group (docs/queue.md,
        "Numbering"), allocated in this transaction: never reused, never skipped by a crash.
        """
        now = _aware(now)
        prefix = self._group(group).prefix
        if priority not in PRIORITIES:
            raise QueueError("ประเภทผู้รับบริการไม่ถูกต้อง", f"Unknown priority {priority!r}")
        case_number = None
        if case_id is not None:
            case_number = s.scalar(select(Case.number).where(Case.id == case_id))
            if case_number is None:
                raise NotFoundError("ไม่พบคำขอสำหรับบัตรคิวนี้", f"No case with id {case_id}")
        day = service_date(now)
        slot = kiosk_slot(self.kiosk_id, self._q.slot, self._q.kiosks)
        seq = s.get(SequenceRow, sequence_name(day, prefix, slot))
        if seq is None:
            seq = SequenceRow(name=sequence_name(day, prefix, slot), value=0)
            s.add(seq)
        while True:
            seq.value += 1
            number = ticket_number(prefix, slot, self._q.kiosks, seq.value)
            # Only a misconfiguration (two kiosks given one slot) can make this true; skip, never clash.
            # (Tickets still unflushed in this session came from this sequence: they cannot clash.)
            with s.no_autoflush:
                taken = s.scalar(
                    select(QueueTicket.id).where(
                        QueueTicket.service_date == day.isoformat(), QueueTicket.number == number
                    )
                )
            if taken is None:
                break
            log.warning(
                "queue number %s is already used today: another kiosk has queue slot %s too; give each "
                "kiosk its own queue.slot (1..queue.kiosks) in kiosk.toml",
                number,
                slot,
            )
        ticket_id = str(uuid.uuid4())
        event = self._record(
            s,
            EventKind.ISSUED,
            now,
            day,
            ticket_id=ticket_id,
            data={
                "number": number,
                "group": prefix,
                "priority": priority,
                "service_code": service_code,
                "case_id": case_id,
                "issued_at": now.isoformat(),
            },
        )
        row = self._store(s, ticket_from_issued(event))
        return _view(row, case_number)

    # --- the estimate ---------------------------------------------------------------------------

    def estimate(self, ticket_id: str, now: dt.datetime | None = None) -> tuple[int, int]:
        """(people ahead, minutes to wait) for a ticket in line; (0, 0) once it is called or over."""
        now = _aware(now)
        with self.db.session() as s:
            row = s.get(QueueTicket, ticket_id)
            if row is None:
                raise NotFoundError("ไม่พบบัตรคิว", f"No ticket {ticket_id}")
            return self._estimate(s, row, now)

    def _estimate(self, s: Session, row: QueueTicket, now: dt.datetime) -> tuple[int, int]:
        if row.state not in IN_LINE:
            return (0, 0)
        line_at = row.line_at or row.issued_at
        day = row.service_date
        target = self._counters.get(row.target_counter) if row.target_counter else None
        if target is not None:
            # Sent to one counter: what that counter calls before it, served by that counter alone.
            line = self._ordered(s, self._line_rows(s, target, day), day, target.groups)
            ahead = next((i for i, r in enumerate(line) if r.id == row.id), len(line))
            return ahead, wait_minutes(ahead, self._average(s, row.group, day), 1)
        in_group = and_(
            QueueTicket.service_date == day,
            QueueTicket.state.in_(IN_LINE),
            QueueTicket.group == row.group,
            QueueTicket.id != row.id,
        )
        before = or_(
            QueueTicket.line_at < line_at,
            and_(QueueTicket.line_at == line_at, QueueTicket.number < row.number),
        )
        is_priority = QueueTicket.priority != ""
        counts = {
            (bool(p), bool(b)): n
            for p, b, n in s.execute(
                select(is_priority, before, func.count()).where(in_group).group_by(is_priority, before)
            )
        }
        since = self._regular_since_priority(s, day, self._sharing([row.group]))
        every = self._q.priority_every
        if row.priority:
            ahead = ahead_of_priority(counts.get((True, True), 0), counts.get((False, True), 0), since, every)
        else:
            ahead = ahead_of_regular(
                counts.get((False, True), 0),
                counts.get((True, True), 0),
                counts.get((True, False), 0),
                since,
                every,
            )
        average = self._average(s, row.group, day)
        return ahead, wait_minutes(ahead, average, self._open_counters(s, row.group, day))

    def _average(self, s: Session, group: str, day: str) -> float:
        rows = s.execute(
            select(QueueTicket.started_at, QueueTicket.finished_at)
            .where(
                QueueTicket.service_date == day,
                QueueTicket.state == DONE,
                QueueTicket.group == group,
                QueueTicket.started_at.is_not(None),
                QueueTicket.finished_at.is_not(None),
            )
            .order_by(QueueTicket.finished_at.desc())
            .limit(self._q.average_of)
        ).all()
        minutes = [(f - st).total_seconds() / 60 for st, f in rows if st is not None and f is not None]
        return average_minutes(minutes, self._group(group).service_minutes)

    def _open_counters(self, s: Session, group: str, day: str) -> int:
        serving = [c.id for c in self._q.counters if group in c.groups]
        states = self._counter_states(s, day)
        return max(1, sum(states.get(c, ("closed", ""))[0] == "open" for c in serving))

    def _counter_states(self, s: Session, day: str) -> dict[str, tuple[str, str]]:
        """Counter -> (state, staff). A counter left open on an earlier day counts as closed."""
        result = {}
        for row in s.scalars(select(QueueCounterState)):
            fresh = row.updated_at is not None and service_date(row.updated_at).isoformat() == day
            result[row.id] = (row.state, row.staff_id) if fresh else ("closed", "")
        return result

    # --- counters -------------------------------------------------------------------------------

    def open_counter(self, counter: str, staff_id: str, now: dt.datetime | None = None) -> CounterView:
        return self._counter_event(counter, EventKind.COUNTER_OPEN, staff_id, now)

    def set_break(self, counter: str, on: bool, staff_id: str, now: dt.datetime | None = None) -> CounterView:
        return self._counter_event(
            counter, EventKind.COUNTER_BREAK if on else EventKind.COUNTER_RESUME, staff_id, now
        )

    def close_counter(self, counter: str, staff_id: str, now: dt.datetime | None = None) -> CounterView:
        return self._counter_event(counter, EventKind.COUNTER_CLOSED, staff_id, now)

    def _counter_event(
        self, counter: str, kind: EventKind, staff_id: str, now: dt.datetime | None
    ) -> CounterView:
        cfg = self._counter(counter)
        now = _aware(now)
        day = service_date(now)
        with self.db.unit_of_work() as s, s.begin():
            state = self._counter_states(s, day.isoformat()).get(cfg.id, ("closed", ""))[0]
            if kind is EventKind.COUNTER_BREAK and state != "open":
                raise QueueError("ช่องบริการยังไม่เปิด", f"Counter {cfg.id} is not open")
            if kind is EventKind.COUNTER_RESUME and state != "break":
                raise QueueError("ช่องบริการไม่ได้พักอยู่", f"Counter {cfg.id} is not on a break")
            if kind in (EventKind.COUNTER_BREAK, EventKind.COUNTER_CLOSED):
                held = self._held(s, cfg.id, day)
                if held is not None:
                    raise QueueError(
                        f"กรุณาจบหรือข้ามคิว {held.number} ก่อน",
                        f"Finish or skip ticket {held.number} first",
                    )
            self._record(s, kind, now, day, counter=cfg.id, staff_id=staff_id)
            self._refold_counter(s, cfg.id)
            return self._counter_view(s, cfg, day)

    def _check_open(self, s: Session, cfg: QueueCounter, day: dt.date) -> None:
        state = self._counter_states(s, day.isoformat()).get(cfg.id, ("closed", ""))[0]
        if state == "break":
            raise QueueError(
                f"{cfg.name_th} พักอยู่: กลับมาให้บริการก่อนเรียกคิว",
                f"{cfg.name_en} is on a break: resume before calling",
            )
        if state != "open":
            raise QueueError(
                f"{cfg.name_th} ยังไม่เปิด: เปิดช่องบริการก่อนเรียกคิว",
                f"{cfg.name_en} is closed: open it before calling",
            )

    def _held(self, s: Session, counter: str, day: dt.date) -> QueueTicket | None:
        return s.scalar(
            select(QueueTicket)
            .where(
                QueueTicket.service_date == day.isoformat(),
                QueueTicket.state.in_(HELD),
                QueueTicket.counter == counter,
            )
            .order_by(QueueTicket.called_at.desc())
            .limit(1)
        )

    def _refold_counter(self, s: Session, counter: str) -> None:
        last = s.scalar(
            select(QueueEvent)
            .where(QueueEvent.counter == counter, QueueEvent.kind.in_([k.value for k in COUNTER_EVENTS]))
            .order_by(QueueEvent.at.desc(), QueueEvent.id.desc())
            .limit(1)
        )
        if last is None:
            return
        row = s.get(QueueCounterState, counter)
        if row is None:
            row = QueueCounterState(id=counter)
            s.add(row)
        row.state = COUNTER_STATE_AFTER[EventKind(last.kind)]
        row.staff_id = last.staff_id if row.state != "closed" else ""
        row.groups = {"served": list(self._counters[counter].groups)} if counter in self._counters else {}
        row.updated_at = last.at

    # --- calling --------------------------------------------------------------------------------

    def next_candidate(self, counter: str, now: dt.datetime | None = None) -> TicketView | None:
        """The ticket `call_next` would call now at this counter (whatever the counter's state)."""
        cfg = self._counter(counter)
        now = _aware(now)
        with self.db.session() as s:
            row = self._choose(s, cfg, service_date(now), ())
            return self._views(s, [row])[0] if row is not None else None

    def call_next(
        self,
        counter: str,
        staff_id: str,
        *,
        now: dt.datetime | None = None,
        claim: Callable[[TicketView, str], bool] | None = None,
    ) -> TicketView | None:
        """Call the next ticket under the calling rule; None when nobody waits for this counter.

        A ticket being served at this counter is finished first (even when nobody else waits); a
        ticket called and not yet started must be started or skipped. `claim(ticket, counter)` (online: ask the central server) runs
        outside the transaction; False means another counter has it and the next candidate is tried.
        """
        cfg = self._counter(counter)
        now = _aware(now)
        day = service_date(now)
        if claim is None:
            with self.db.unit_of_work() as s, s.begin():
                self._before_call(s, cfg, staff_id, now, day)
                row = self._choose(s, cfg, day, ())
                if row is None:
                    return None
                return self._call(s, row, cfg.id, staff_id, now)
        with self.db.unit_of_work() as s, s.begin():
            self._before_call(s, cfg, staff_id, now, day)
        refused: list[str] = []
        for _ in range(MAX_CLAIM_TRIES):
            with self.db.session() as s:
                row = self._choose(s, cfg, day, refused)
                if row is None:
                    return None
                candidate = self._views(s, [row])[0]
            if not claim(candidate, cfg.id):
                refused.append(candidate.id)
                continue
            with self.db.unit_of_work() as s, s.begin():
                self._before_call(s, cfg, staff_id, now, day)
                row = s.get_one(QueueTicket, candidate.id)
                if row.state not in IN_LINE or row.calls != candidate.calls:
                    refused.append(candidate.id)  # changed (a merge) since the claim: try another
                    continue
                return self._call(s, row, cfg.id, staff_id, now)
        return None

    def call_ticket(
        self, counter: str, number: str, staff_id: str, now: dt.datetime | None = None
    ) -> TicketView:
        """Call a given ticket out of turn (a missed applicant who came back, a staff decision)."""
        cfg = self._counter(counter)
        now = _aware(now)
        day = service_date(now)
        with self.db.unit_of_work() as s, s.begin():
            row = self._by_number(s, number, day)
            if row.state not in IN_LINE:
                raise QueueError(
                    f"คิว {row.number} ไม่ได้รอเรียกอยู่", f"Ticket {row.number} is not waiting ({row.state})"
                )
            self._before_call(s, cfg, staff_id, now, day)
            return self._call(s, row, cfg.id, staff_id, now)

    def _before_call(
        self, s: Session, cfg: QueueCounter, staff_id: str, now: dt.datetime, day: dt.date
    ) -> None:
        self._check_open(s, cfg, day)
        held = self._held(s, cfg.id, day)
        if held is None:
            return
        if held.state == CALLED:
            raise QueueError(
                f"คิว {held.number} ยังเรียกอยู่: กดเริ่มให้บริการหรือข้ามคิวก่อน",
                f"Ticket {held.number} is still called: start serving it or skip it first",
            )
        self._act(s, held, EventKind.FINISHED, now, counter=cfg.id, staff_id=staff_id)
        self._note_on_case(s, held, EventKind.FINISHED, cfg.id, staff_id, now)

    def _call(
        self, s: Session, row: QueueTicket, counter: str, staff_id: str, now: dt.datetime
    ) -> TicketView:
        self._act(
            s,
            row,
            EventKind.CALLED,
            now,
            counter=counter,
            staff_id=staff_id,
            data={"number": row.number, "group": row.group, "priority": row.priority},
            event_id=called_event_id(row.id, counter, row.calls),
        )
        return self._views(s, [row])[0]

    def _eligible(self, cfg: QueueCounter) -> ColumnElement[bool]:
        return or_(
            and_(QueueTicket.group.in_(cfg.groups), QueueTicket.target_counter.in_(["", cfg.id])),
            QueueTicket.target_counter == cfg.id,
        )

    def _choose(
        self, s: Session, cfg: QueueCounter, day: dt.date, exclude: Sequence[str]
    ) -> QueueTicket | None:
        """The ticket the calling rule picks for this counter (docs/queue.md, "The calling rule")."""
        iso = day.isoformat()
        heads: dict[bool, Candidate] = {}
        rows: dict[str, QueueTicket] = {}
        for is_priority in (False, True):
            # Walks ix_queue_tickets_line in line order and stops at the first eligible ticket.
            query = (
                select(QueueTicket)
                .where(
                    QueueTicket.service_date == iso,
                    QueueTicket.state == WAITING,
                    self._eligible(cfg),
                    (QueueTicket.priority != "") if is_priority else (QueueTicket.priority == ""),
                )
                .order_by(QueueTicket.line_at, QueueTicket.number)
                .limit(1)
            )
            if exclude:
                query = query.where(QueueTicket.id.not_in(exclude))
            row = s.scalar(query)
            if row is not None:
                rows[row.id] = row
                heads[is_priority] = self._candidate(row, returning=False)
        missed = self._missed(s, cfg, iso, exclude)
        for row, over in missed:
            if not over:
                continue
            c = self._candidate(row, returning=True)
            head = heads.get(c.priority)
            if head is None or c.key < head.key:
                heads[c.priority] = c
                rows[row.id] = row
        if not heads and missed:
            # Nobody else for this counter: in a quiet line the grace would never end by calls, and
            # the applicant would be stranded. The ticket missed first is called again.
            row = min((r for r, _ in missed), key=_missed_order)
            return row
        chosen = choose(
            heads.get(False),
            heads.get(True),
            self._regular_since_priority(s, iso, cfg.groups),
            self._q.priority_every,
        )
        return rows[chosen.id] if chosen is not None else None

    @staticmethod
    def _candidate(row: QueueTicket, *, returning: bool) -> Candidate:
        return Candidate(row.id, row.number, row.line_at or row.issued_at, bool(row.priority), returning)

    def _missed(
        self, s: Session, cfg: QueueCounter, day: str, exclude: Sequence[str] = ()
    ) -> list[tuple[QueueTicket, bool]]:
        """The missed tickets this counter may call, each with whether its grace is over (`grace_calls`
        other calls in its group since its last call). Tickets on their first miss only; a second
        miss is final."""
        query = select(QueueTicket).where(
            QueueTicket.service_date == day, QueueTicket.state == MISSED, self._eligible(cfg)
        )
        return [(row, self._grace_over(s, row)) for row in s.scalars(query) if row.id not in exclude]

    def _grace_over(self, s: Session, row: QueueTicket) -> bool:
        if self._q.grace_calls == 0 or row.called_at is None:
            return True
        calls = s.scalar(
            select(func.count(func.distinct(QueueEvent.ticket_id))).where(
                QueueEvent.service_date == row.service_date,
                QueueEvent.kind == EventKind.CALLED.value,
                QueueEvent.at > row.called_at,
                QueueEvent.ticket_id != row.id,
                QueueEvent.data["group"].as_string() == row.group,
            )
        )
        return (calls or 0) >= self._q.grace_calls

    def _regular_since_priority(self, s: Session, day: str, groups: Iterable[str]) -> int:
        """Regular calls today, of tickets in `groups` (the groups a counter serves), since the last
        priority call of such a ticket: a call in another line neither delays nor hurries this one's
        priority tickets (docs/queue.md, "The calling rule")."""
        every = self._q.priority_every
        rows = s.execute(
            select(QueueEvent.ticket_id, QueueEvent.data["priority"].as_string())
            .where(
                QueueEvent.service_date == day,
                QueueEvent.kind == EventKind.CALLED.value,
                QueueEvent.data["group"].as_string().in_(sorted(set(groups))),
            )
            .order_by(QueueEvent.at.desc())  # the index order: no sort of the day's events
            .limit(every * 2 + 2)
        ).all()
        flags: list[bool] = []
        previous = None
        for ticket_id, priority in rows:
            if ticket_id != previous:  # one call, even if recorded twice
                flags.append(bool(priority))
            previous = ticket_id
        return regular_since_priority(flags)

    def _sharing(self, groups: Iterable[str]) -> tuple[str, ...]:
        """The groups served by the counters that serve any of `groups` (whose calls count for them)."""
        wanted = set(groups)
        shared = {g for c in self._q.counters if wanted & set(c.groups) for g in c.groups}
        return tuple(sorted(shared | wanted))

    # --- actions on the counter's ticket --------------------------------------------------------

    def recall(self, counter: str, staff_id: str, now: dt.datetime | None = None) -> TicketView:
        """Call the counter's ticket again (the board chimes again)."""
        return self._on_held(
            counter, staff_id, now, (CALLED,), EventKind.RECALLED, lambda row: {"number": row.number}
        )

    def miss(self, counter: str, staff_id: str, now: dt.datetime | None = None) -> TicketView:
        """Skip the called ticket: the first time it is called again after the grace, the second time
        it is a no-show."""
        cfg = self._counter(counter)
        now = _aware(now)
        day = service_date(now)
        with self.db.unit_of_work() as s, s.begin():
            row = self._require_held(s, cfg, day, (CALLED,))
            kind = EventKind.MISSED if row.misses == 0 else EventKind.NO_SHOW
            self._act(s, row, kind, now, counter=cfg.id, staff_id=staff_id, data={"number": row.number})
            return self._views(s, [row])[0]

    def start(self, counter: str, staff_id: str, now: dt.datetime | None = None) -> TicketView:
        """The applicant is at the counter: service starts (the ticket's case, if any, is in the view
        and, with `cases` set, its history says so)."""
        return self._on_held(counter, staff_id, now, (CALLED,), EventKind.STARTED, lambda row: {})

    def finish(self, counter: str, staff_id: str, now: dt.datetime | None = None) -> TicketView:
        return self._on_held(counter, staff_id, now, (SERVING,), EventKind.FINISHED, lambda row: {})

    def _note_on_case(
        self, s: Session, row: QueueTicket, kind: EventKind, counter: str, staff_id: str, now: dt.datetime
    ) -> None:
        """Service started or finished at a counter, in the ticket's case history (same transaction)."""
        if self.cases is None or row.case_id is None or kind not in _CASE_ACTIONS:
            return
        if s.get(Case, row.case_id) is None:
            return  # another kiosk's case that has not reached this device
        self.cases.record_action_in(
            s,
            row.case_id,
            _CASE_ACTIONS[kind],
            Actor(Role.STAFF, staff_id),
            now=now,
            reason=f"ช่องบริการ {counter} คิว {row.number}",
            data={"counter": counter, "ticket": row.number},
        )

    def transfer(
        self,
        counter: str,
        staff_id: str,
        *,
        group: str | None = None,
        to_counter: str | None = None,
        reason: str = "",
        now: dt.datetime | None = None,
    ) -> TicketView:
        """Send the counter's ticket to another group and/or a named counter. It keeps its place:
        the new line is entered at the time the ticket was issued."""
        if not group and not to_counter:
            raise QueueError("กรุณาเลือกกลุ่มบริการหรือช่องบริการปลายทาง", "Choose a group or a counter")
        prefix = self._group(group).prefix if group else ""
        target = self._counter(to_counter).id if to_counter else ""
        return self._on_held(
            counter,
            staff_id,
            now,
            HELD,
            EventKind.TRANSFERRED,
            lambda row: {"group": prefix, "to_counter": target, "reason": reason, "number": row.number},
        )

    def _on_held(
        self,
        counter: str,
        staff_id: str,
        now: dt.datetime | None,
        states: Sequence[str],
        kind: EventKind,
        data: Callable[[QueueTicket], dict[str, Any]],
    ) -> TicketView:
        cfg = self._counter(counter)
        now = _aware(now)
        day = service_date(now)
        with self.db.unit_of_work() as s, s.begin():
            row = self._require_held(s, cfg, day, states)
            self._act(s, row, kind, now, counter=cfg.id, staff_id=staff_id, data=data(row))
            self._note_on_case(s, row, kind, cfg.id, staff_id, now)
            return self._views(s, [row])[0]

    def _require_held(
        self, s: Session, cfg: QueueCounter, day: dt.date, states: Sequence[str]
    ) -> QueueTicket:
        row = self._held(s, cfg.id, day)
        if row is None:
            raise QueueError(f"{cfg.name_th} ไม่มีคิวที่เรียกอยู่", f"{cfg.name_en} has no ticket called")
        if row.state not in states:
            if row.state == SERVING:
                raise QueueError(
                    f"คิว {row.number} กำลังรับบริการอยู่", f"Ticket {row.number} is already being served"
                )
            raise QueueError(f"คิว {row.number} ยังไม่ได้เริ่มให้บริการ", f"Ticket {row.number} has not been started")
        return row

    # --- actions on any ticket ------------------------------------------------------------------

    def return_ticket(self, number: str, staff_id: str, now: dt.datetime | None = None) -> TicketView:
        """A no-show applicant came back the same day: back in line, at the end (line time = now)."""
        now = _aware(now)
        with self.db.unit_of_work() as s, s.begin():
            row = self._by_number(s, number, service_date(now))
            if row.state != NO_SHOW:
                raise QueueError(
                    f"คิว {row.number} ไม่ได้ถูกข้ามไป", f"Ticket {row.number} is not a no-show ({row.state})"
                )
            self._act(s, row, EventKind.RETURNED, now, staff_id=staff_id, data={"number": row.number})
            return self._views(s, [row])[0]

    def set_priority(
        self, number: str, priority: str, staff_id: str, reason: str, now: dt.datetime | None = None
    ) -> TicketView:
        """Staff set or clear a ticket's priority, always with a reason."""
        if priority not in PRIORITIES:
            raise QueueError("ประเภทผู้รับบริการไม่ถูกต้อง", f"Unknown priority {priority!r}")
        if not reason.strip():
            raise QueueError("กรุณาระบุเหตุผล", "Setting or clearing a priority needs a reason")
        now = _aware(now)
        with self.db.unit_of_work() as s, s.begin():
            row = self._by_number(s, number, service_date(now))
            if TicketState(row.state) in (TicketState.DONE, TicketState.NO_SHOW, TicketState.CANCELLED):
                raise QueueError(f"คิว {row.number} สิ้นสุดแล้ว", f"Ticket {row.number} is over ({row.state})")
            self._act(
                s,
                row,
                EventKind.PRIORITY_SET,
                now,
                staff_id=staff_id,
                data={"priority": priority, "from": row.priority, "reason": reason.strip()},
            )
            return self._views(s, [row])[0]

    def link_case(
        self, number: str, case_number: str, staff_id: str, now: dt.datetime | None = None
    ) -> TicketView:
        """Attach a case to a walk-in's ticket (the case was written at the counter)."""
        now = _aware(now)
        with self.db.unit_of_work() as s, s.begin():
            row = self._by_number(s, number, service_date(now))
            case_id = s.scalar(select(Case.id).where(Case.number == case_number.strip().upper()))
            if case_id is None:
                raise NotFoundError(f"ไม่พบคำขอเลขที่ {case_number}", f"No case numbered {case_number}")
            self._act(
                s,
                row,
                EventKind.CASE_LINKED,
                now,
                staff_id=staff_id,
                data={"case_id": case_id, "case_number": case_number.strip().upper()},
            )
            return self._views(s, [row])[0]

    def cancel(self, number: str, staff_id: str, reason: str, now: dt.datetime | None = None) -> TicketView:
        """Withdraw today's ticket (the applicant left, or their case was voided): it leaves the line
        for good. A ticket being served is finished at its counter instead."""
        if not reason.strip():
            raise QueueError("กรุณาระบุเหตุผล", "Cancelling a ticket needs a reason")
        now = _aware(now)
        with self.db.unit_of_work() as s, s.begin():
            row = self._by_number(s, number, service_date(now))
            if row.state not in _CANCELLABLE:
                raise QueueError(
                    f"ยกเลิกคิว {row.number} ไม่ได้ ({row.state})",
                    f"Ticket {row.number} cannot be cancelled ({row.state})",
                )
            self._cancel(s, row, staff_id, reason.strip(), now)
            return self._views(s, [row])[0]

    def cancel_for_case_in(
        self, s: Session, case_id: str, staff_id: str, reason: str, now: dt.datetime
    ) -> list[str]:
        """Cancel a case's tickets still in line or called, in the caller's unit of work (the case is
        being withdrawn in it); the numbers cancelled."""
        now = _aware(now)
        rows = s.scalars(
            select(QueueTicket).where(QueueTicket.case_id == case_id, QueueTicket.state.in_(_CANCELLABLE))
        ).all()
        case_number = s.scalar(select(Case.number).where(Case.id == case_id)) or ""
        for row in rows:
            self._cancel(s, row, staff_id, reason, now, case_number=case_number)
        return [r.number for r in rows]

    def _cancel(
        self,
        s: Session,
        row: QueueTicket,
        staff_id: str,
        reason: str,
        now: dt.datetime,
        *,
        case_number: str = "",
    ) -> None:
        data = {"number": row.number, "reason": reason}
        if case_number:
            data["case_number"] = case_number
        self._act(s, row, EventKind.CANCELLED, now, counter=row.counter, staff_id=staff_id, data=data)

    # --- reading --------------------------------------------------------------------------------

    def ticket(self, number: str, service_date: dt.date | None = None) -> TicketView:
        day = service_date or _today()
        with self.db.session() as s:
            return self._views(s, [self._by_number(s, number, day)])[0]

    def ticket_for_case(self, case_id: str) -> TicketView | None:
        """The latest ticket issued for a case, if any."""
        with self.db.session() as s:
            row = s.scalar(
                select(QueueTicket)
                .where(QueueTicket.case_id == case_id)
                .order_by(QueueTicket.issued_at.desc())
                .limit(1)
            )
            return self._views(s, [row])[0] if row is not None else None

    def waiting(
        self,
        groups: Sequence[str] | None = None,
        now: dt.datetime | None = None,
        *,
        counter: str | None = None,
    ) -> list[TicketView]:
        """Today's tickets in line, in the order the calling rule would call them; missed tickets
        still in their grace come last (they return when it is over).

        `counter`: the line a counter's desk shows: its groups (also the tickets of those groups
        sent to another counter) and the tickets sent to it from any group. `groups`: those groups.
        The count of regular calls since a priority call is that of the counters serving them."""
        now = _aware(now)
        day = service_date(now).isoformat()
        with self.db.session() as s:
            query = select(QueueTicket).where(QueueTicket.service_date == day, QueueTicket.state.in_(IN_LINE))
            if counter is not None:
                cfg = self._counter(counter)
                served = tuple(cfg.groups)
                query = query.where(or_(QueueTicket.group.in_(served), QueueTicket.target_counter == cfg.id))
            elif groups is not None:
                served = tuple(self._group(g).prefix for g in groups)
                query = query.where(QueueTicket.group.in_(served))
                served = self._sharing(served)
            else:
                served = tuple(g.prefix for g in self._q.groups)
            return self._views(s, self._ordered(s, list(s.scalars(query)), day, served))

    def _line_rows(self, s: Session, cfg: QueueCounter, day: str) -> list[QueueTicket]:
        """Today's tickets this counter may call, waiting or missed."""
        return list(
            s.scalars(
                select(QueueTicket).where(
                    QueueTicket.service_date == day, QueueTicket.state.in_(IN_LINE), self._eligible(cfg)
                )
            )
        )

    def _ordered(
        self, s: Session, rows: list[QueueTicket], day: str, served: Sequence[str]
    ) -> list[QueueTicket]:
        """Tickets in the order the calling rule takes them (`calling_order`), with the count of the
        counters serving `served`; missed tickets still in their grace last, the first missed first."""
        by_id = {r.id: r for r in rows}
        returning = {r.id for r in rows if r.state == MISSED and self._grace_over(s, r)}
        candidates = [
            self._candidate(r, returning=r.id in returning)
            for r in rows
            if r.state == WAITING or r.id in returning
        ]
        order = calling_order(
            candidates, self._regular_since_priority(s, day, served), self._q.priority_every
        )
        later = sorted((r for r in rows if r.state == MISSED and r.id not in returning), key=_missed_order)
        return [by_id[c.id] for c in order] + later

    def counter_view(self, counter: str) -> CounterView:
        cfg = self._counter(counter)
        with self.db.session() as s:
            return self._counter_view(s, cfg, _today())

    def _counter_view(self, s: Session, cfg: QueueCounter, day: dt.date) -> CounterView:
        state, staff = self._counter_states(s, day.isoformat()).get(cfg.id, ("closed", ""))
        held = self._held(s, cfg.id, day)
        return CounterView(
            cfg.id,
            cfg.name_th,
            cfg.name_en,
            tuple(cfg.groups),
            state,
            staff,
            self._views(s, [held])[0] if held is not None else None,
        )

    def board(self, now: dt.datetime | None = None, recent: int = 6) -> BoardState:
        """Everything the wall screen shows, read in one session."""
        now = _aware(now)
        day = service_date(now)
        iso = day.isoformat()
        with self.db.session() as s:
            serving = list(
                s.scalars(
                    select(QueueTicket)
                    .where(QueueTicket.service_date == iso, QueueTicket.state.in_(HELD))
                    .order_by(QueueTicket.called_at.desc())
                )
            )
            last = list(
                s.scalars(
                    select(QueueTicket)
                    .where(
                        QueueTicket.service_date == iso,
                        QueueTicket.state.in_((CALLED, SERVING, DONE, NO_SHOW, MISSED)),
                        QueueTicket.called_at.is_not(None),
                    )
                    .order_by(QueueTicket.called_at.desc())
                    .limit(recent)
                )
            )
            return BoardState(
                now_serving=self._views(s, serving),
                recent=self._views(s, last),
                groups=[self._group_status(s, g, iso) for g in self._q.groups],
                counters=[self._counter_view(s, c, day) for c in self._q.counters],
                calls=self._calls(s, iso),
            )

    def _group_status(self, s: Session, group: QueueGroup, day: str) -> GroupStatus:
        counts = dict(
            s.execute(
                select(QueueTicket.state, func.count())
                .where(
                    QueueTicket.service_date == day,
                    QueueTicket.state.in_(IN_LINE),
                    QueueTicket.group == group.prefix,
                )
                .group_by(QueueTicket.state)
            ).all()
        )
        priority = (
            s.scalar(
                select(func.count()).where(
                    QueueTicket.service_date == day,
                    QueueTicket.state == WAITING,
                    QueueTicket.group == group.prefix,
                    QueueTicket.priority != "",
                )
            )
            or 0
        )
        average = self._average(s, group.prefix, day)
        in_line = counts.get(WAITING, 0) + counts.get(MISSED, 0)
        return GroupStatus(
            group.prefix,
            group.name_th,
            group.name_en,
            counts.get(WAITING, 0),
            priority,
            average,
            wait_minutes(in_line, average, self._open_counters(s, group.prefix, day)),
        )

    def _calls(self, s: Session, day: str, limit: int = 10) -> list[Call]:
        rows = s.execute(
            select(
                QueueEvent, QueueTicket.number, QueueTicket.counter, QueueTicket.state, QueueTicket.called_at
            )
            .join(QueueTicket, QueueTicket.id == QueueEvent.ticket_id)
            .where(
                QueueEvent.service_date == day,
                QueueEvent.kind.in_((EventKind.CALLED.value, EventKind.RECALLED.value)),
            )
            # The order they reached this database (a device's clock may be minutes off another's).
            .order_by(QueueEvent.seq.desc())
            .limit(limit * 2)
        ).all()
        calls = []
        for event, number, holder, state, called_at in rows:
            if state in HELD and holder != event.counter and called_at is not None and event.at >= called_at:
                continue  # a call that lost to another counter's (merge): the applicant was never called
            live = state == CALLED and holder == event.counter
            calls.append(
                Call(event.id, number, event.counter, event.at, event.kind == EventKind.RECALLED, live)
            )
        return calls[:limit]

    # --- statistics -----------------------------------------------------------------------------

    def stats(self, first: dt.date, last: dt.date) -> list[StatRow]:
        """Per day x group x counter: tickets, served, no-shows, waiting and service times."""
        with self.db.session() as s:
            rows = s.execute(
                select(
                    QueueTicket.service_date,
                    QueueTicket.group,
                    QueueTicket.counter,
                    QueueTicket.state,
                    QueueTicket.issued_at,
                    QueueTicket.first_called_at,
                    QueueTicket.started_at,
                    QueueTicket.finished_at,
                ).where(QueueTicket.service_date.between(first.isoformat(), last.isoformat()))
            ).all()
        return stat_rows(
            TicketTimes(dt.date.fromisoformat(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows
        )

    def stats_csv(self, first: dt.date, last: dt.date) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(STAT_COLUMNS)
        writer.writerows(stat_record(r) for r in self.stats(first, last))
        return out.getvalue()

    # --- sync -----------------------------------------------------------------------------------

    def unsynced_events(self, limit: int = 500) -> list[dict[str, Any]]:
        """Events the central server does not hold yet, oldest first, as wire dicts."""
        with self.db.session() as s:
            rows = s.scalars(
                select(QueueEvent).where(QueueEvent.synced_at.is_(None)).order_by(QueueEvent.seq).limit(limit)
            )
            return [_wire(r) for r in rows]

    def mark_synced(self, event_ids: Sequence[str], now: dt.datetime | None = None) -> None:
        now = _aware(now)
        ids = [str(i) for i in event_ids]
        with self.db.unit_of_work() as s, s.begin():
            for chunk in _chunks(ids):
                s.execute(
                    update(QueueEvent)
                    .where(QueueEvent.id.in_(chunk), QueueEvent.synced_at.is_(None))
                    .values(synced_at=now)
                )

    def apply_remote(self, events: Sequence[dict[str, Any]], now: dt.datetime | None = None) -> int:
        """Store other devices' events (each id once) and rebuild the tickets and counters they touch.

        Idempotent: an event already here is skipped, and a ticket is rebuilt from all its events in
        (at, id) order, so applying a batch twice, or in another order, gives the same projection.
        Returns how many events were new.
        """
        now = _aware(now)
        with self.db.unit_of_work() as s, s.begin():
            ids = [str(e["id"]) for e in events]
            known: set[str] = set()
            for chunk in _chunks(ids):
                known.update(s.scalars(select(QueueEvent.id).where(QueueEvent.id.in_(chunk))))
            tickets: set[str] = set()
            counters: set[str] = set()
            new = 0
            for e in events:
                event_id = str(e["id"])
                if event_id in known:
                    continue
                known.add(event_id)
                at = e["at"] if isinstance(e["at"], dt.datetime) else dt.datetime.fromisoformat(e["at"])
                ticket_id = str(e["ticket_id"]) if e.get("ticket_id") else None
                s.add(
                    QueueEvent(
                        id=event_id,
                        ticket_id=ticket_id,
                        service_date=str(e.get("service_date") or service_date(at).isoformat()),
                        kind=str(e["kind"]),
                        at=_aware(at),
                        counter=str(e.get("counter") or ""),
                        staff_id=str(e.get("staff_id") or ""),
                        kiosk_id=str(e.get("kiosk_id") or ""),
                        data=dict(e.get("data") or {}),
                        synced_at=now,
                    )
                )
                new += 1
                if ticket_id is not None:
                    tickets.add(ticket_id)
                elif e["kind"] in COUNTER_EVENTS and e.get("counter"):
                    counters.add(str(e["counter"]))
            s.flush()
            self._refold(s, tickets)
            for counter in sorted(counters):
                self._refold_counter(s, counter)
            return new

    # --- internals ------------------------------------------------------------------------------

    def _record(
        self,
        s: Session,
        kind: EventKind,
        now: dt.datetime,
        day: dt.date | str,
        *,
        ticket_id: str | None = None,
        counter: str = "",
        staff_id: str = "",
        data: dict[str, Any] | None = None,
        event_id: str | None = None,
    ) -> QueueEventData:
        event = QueueEventData(
            id=event_id or str(uuid.uuid4()),
            kind=kind.value,
            at=now,
            ticket_id=ticket_id,
            counter=counter,
            staff_id=staff_id,
            kiosk_id=self.kiosk_id,
            data=dict(data or {}),
        )
        if event_id is not None and s.scalar(select(QueueEvent.seq).where(QueueEvent.id == event_id)):
            return event  # already here (a claim the server echoed back before we wrote it)
        s.add(
            QueueEvent(
                id=event.id,
                ticket_id=ticket_id,
                service_date=day if isinstance(day, str) else day.isoformat(),
                kind=event.kind,
                at=now,
                counter=counter,
                staff_id=staff_id,
                kiosk_id=self.kiosk_id,
                data=event.data,
            )
        )
        return event

    def _act(
        self,
        s: Session,
        row: QueueTicket,
        kind: EventKind,
        now: dt.datetime,
        *,
        counter: str = "",
        staff_id: str = "",
        data: dict[str, Any] | None = None,
        event_id: str | None = None,
    ) -> None:
        """Record an event of a ticket and bring its projection up to date."""
        latest = s.scalar(select(func.max(QueueEvent.at)).where(QueueEvent.ticket_id == row.id))
        event = self._record(
            s,
            kind,
            now,
            row.service_date,
            ticket_id=row.id,
            counter=counter,
            staff_id=staff_id,
            data=data,
            event_id=event_id,
        )
        if latest is not None and latest >= now:
            # An event from another device sorts after this one (clocks differ): rebuild in order.
            s.flush()
            self._refold(s, [row.id])
            return
        ticket = _ticket(row)
        if not apply_event(ticket, event):
            raise QueueError("สถานะคิวเปลี่ยนไปแล้ว กรุณาลองใหม่", f"Ticket {row.number} changed; try again")
        self._store(s, ticket, row)

    def _refold(self, s: Session, ticket_ids: Iterable[str]) -> None:
        """Rebuild tickets from all their events (after a merge, or a local event that sorts early)."""
        for chunk in _chunks(sorted(set(ticket_ids))):
            events: dict[str, list[QueueEventData]] = {}
            for e in s.scalars(select(QueueEvent).where(QueueEvent.ticket_id.in_(chunk))):
                events.setdefault(str(e.ticket_id), []).append(_event_data(e))
            rows = {r.id: r for r in s.scalars(select(QueueTicket).where(QueueTicket.id.in_(chunk)))}
            tickets = [t for t in (fold(events.get(i, ())) for i in chunk) if t is not None]
            self._tell_apart(s, [t for t in tickets if t.id not in rows])
            wanted = {t.case_id for t in tickets if t.case_id}
            cases = set(s.scalars(select(Case.id).where(Case.id.in_(wanted)))) if wanted else set()
            with s.no_autoflush:
                for t in tickets:
                    if t.case_id is not None and t.case_id not in cases:
                        t.case_id = None  # another kiosk's case that has not reached this one
                    self._store(s, t, rows.get(t.id))
            s.flush()

    def _tell_apart(self, s: Session, new: list[Ticket]) -> None:
        """Number the tickets about to be stored so that a number used twice on a day (two kiosks given
        one slot: a misconfiguration) is told apart the same way on every device, whatever order the
        tickets arrived in: the earliest (issued_at, id) keeps the number, each other one becomes
        `A005/K02` (its kiosk's id). A stored ticket is renamed when an earlier one arrives."""
        if not new:
            return
        arriving: dict[tuple[str, str], list[Ticket]] = {}
        for t in new:
            arriving.setdefault((t.service_date.isoformat(), t.number), []).append(t)
        stored = {
            (day, number)
            for day, number in s.execute(
                select(QueueTicket.service_date, QueueTicket.number).where(
                    QueueTicket.number.in_({t.number for t in new}),
                    QueueTicket.service_date.in_({day for day, _ in arriving}),
                )
            )
        }
        for (day, number), tickets in arriving.items():
            if len(tickets) == 1 and (day, number) not in stored:
                continue
            rows = list(
                s.scalars(
                    select(QueueTicket).where(
                        QueueTicket.service_date == day,
                        or_(QueueTicket.number == number, QueueTicket.number.startswith(number + "/")),
                    )
                )
            )
            members: list[tuple[dt.datetime, str, str, QueueTicket | Ticket]] = [
                (r.issued_at, r.id, r.kiosk_id, r) for r in rows
            ] + [(t.issued_at, t.id, t.kiosk_id, t) for t in tickets]
            members.sort(key=lambda m: (m[0], m[1]))
            names: dict[str, str] = {}
            for i, (_, ticket_id, kiosk_id, _) in enumerate(members):
                name = number if i == 0 else f"{number}/{kiosk_id}"[:16]
                if name in names.values():  # one kiosk id twice as well: the ticket id tells them apart
                    name = f"{number}/{ticket_id[:4]}"[:16]
                names[ticket_id] = name
            kiosks = sorted({m[2] for m in members})
            log.warning(
                "queue number %s was issued %d times on %s, by kiosks %s: they share a queue slot. Give "
                "each kiosk its own queue.slot (1..queue.kiosks) in kiosk.toml; until then the later "
                "tickets are shown with their kiosk's id",
                number,
                len(members),
                day,
                ", ".join(kiosks),
            )
            renamed = False
            for _, ticket_id, _, item in members:
                if isinstance(item, QueueTicket):
                    if item.number != names[ticket_id]:
                        item.number = names[ticket_id]
                        renamed = True
                else:
                    item.number = names[ticket_id]
            if renamed:
                s.flush()  # before the new rows take the freed number (unique per day)

    def _store(self, s: Session, t: Ticket, row: QueueTicket | None = None) -> QueueTicket:
        """Write a ticket's state to its projection row (a new row when `row` is None)."""
        if row is None:
            row = QueueTicket(id=t.id, kiosk_id=t.kiosk_id, number=t.number)
            s.add(row)
        row.case_id = t.case_id
        row.service_date = t.service_date.isoformat()
        row.group = t.group
        row.priority = t.priority
        row.state = t.state.value
        row.kiosk_id = t.kiosk_id
        row.issued_at = t.issued_at
        row.service_code = t.service_code
        row.line_at = t.line_at
        row.counter = t.counter
        row.target_counter = t.target_counter
        row.staff_id = t.staff_id
        row.first_called_at = t.first_called_at
        row.called_at = t.called_at
        row.started_at = t.started_at
        row.finished_at = t.finished_at
        row.calls = t.calls
        row.misses = t.misses
        row.updated_at = t.updated_at
        return row

    def _by_number(self, s: Session, number: str, day: dt.date) -> QueueTicket:
        text = number.strip().upper()
        row = s.scalar(
            select(QueueTicket).where(QueueTicket.service_date == day.isoformat(), QueueTicket.number == text)
        )
        if row is None:
            raise NotFoundError(f"ไม่พบบัตรคิว {text} ของวันนี้", f"No ticket {text} on {day.isoformat()}")
        return row

    def _views(self, s: Session, rows: Sequence[QueueTicket]) -> list[TicketView]:
        case_ids = sorted({r.case_id for r in rows if r.case_id})
        numbers: dict[str, str] = {}
        for chunk in _chunks(case_ids):
            numbers.update(
                {cid: num for cid, num in s.execute(select(Case.id, Case.number).where(Case.id.in_(chunk)))}
            )
        return [_view(r, numbers.get(r.case_id) if r.case_id else None) for r in rows]


def _today() -> dt.date:
    return service_date(dt.datetime.now(dt.UTC))


def _missed_order(row: QueueTicket) -> tuple[dt.datetime, str]:
    """Missed tickets still in their grace: the one missed first comes back first."""
    return (row.called_at or row.issued_at, row.number)
