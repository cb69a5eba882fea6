"""The office queue's rules, with no database: numbering, the projection of a ticket from its events,
the calling rule, the waiting estimate and the statistics arithmetic. docs/queue.md explains each.

`kiosk.storage.queue` applies these to stored tickets; keeping them pure lets the tests check the
rules directly and lets the central server fold the same events the same way.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kiosk.domain.sla import BANGKOK
from kiosk.errors import KnownError


class QueueError(KnownError):
    """A queue action that cannot be done now (a counter on a break, no ticket called, ...)."""


class TicketState(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    MISSED = "missed"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


FINAL_STATES = frozenset({TicketState.DONE, TicketState.NO_SHOW, TicketState.CANCELLED})
HELD_STATES = frozenset({TicketState.CALLED, TicketState.SERVING})


class EventKind(StrEnum):
    ISSUED = "issued"
    CALLED = "called"
    RECALLED = "recalled"
    MISSED = "missed"
    RETURNED = "returned"
    NO_SHOW = "no_show"
    STARTED = "started"
    FINISHED = "finished"
    TRANSFERRED = "transferred"
    PRIORITY_SET = "priority_set"
    CASE_LINKED = "case_linked"
    CANCELLED = "cancelled"
    COUNTER_OPEN = "counter_open"
    COUNTER_BREAK = "counter_break"
    COUNTER_RESUME = "counter_resume"
    COUNTER_CLOSED = "counter_closed"


COUNTER_EVENTS = frozenset(
    {EventKind.COUNTER_OPEN, EventKind.COUNTER_BREAK, EventKind.COUNTER_RESUME, EventKind.COUNTER_CLOSED}
)
COUNTER_STATE_AFTER = {
    EventKind.COUNTER_OPEN: "open",
    EventKind.COUNTER_RESUME: "open",
    EventKind.COUNTER_BREAK: "break",
    EventKind.COUNTER_CLOSED: "closed",
}

# --- numbering ----------------------------------------------------------------------------------

_DIGITS = re.compile(r"\d+")


def service_date(moment: dt.datetime) -> dt.date:
    """The office day a moment belongs to: the local (Asia/Bangkok) calendar date."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: queue times are aware")
    return moment.astimezone(BANGKOK).date()


def kiosk_slot(kiosk_id: str, slot: int, kiosks: int) -> int:
    """This kiosk's residue class among the office's `kiosks` ticket issuers, 1..kiosks.

    With one kiosk the slot is 1 whatever its id, so numbers run 001, 002, ...
    """
    if kiosks <= 1:
        return 1
    if slot == 0:
        digits = _DIGITS.findall(kiosk_id)
        slot = int(digits[-1]) if digits else 0
    if not 1 <= slot <= kiosks:
        raise QueueError(
            "ตั้งค่าลำดับตู้ออกบัตรคิวไม่ถูกต้อง (queue.slot)",
            f"Kiosk {kiosk_id} has no queue slot in 1..{kiosks}: set queue.slot in kiosk.toml",
        )
    return slot


def ticket_value(slot: int, kiosks: int, n: int) -> int:
    """The n-th ticket (n >= 1) a kiosk in `slot` issues for a group on a day: slot + (n-1) * kiosks."""
    if n < 1 or not 1 <= slot <= max(kiosks, 1):
        raise ValueError("n >= 1 and 1 <= slot <= kiosks")
    return slot + (n - 1) * kiosks


def format_number(prefix: str, value: int) -> str:
    return f"{prefix}{value:03d}"


def ticket_number(prefix: str, slot: int, kiosks: int, n: int) -> str:
    return format_number(prefix, ticket_value(slot, kiosks, n))


def sequence_name(day: dt.date, prefix: str, slot: int) -> str:
    return f"queue:{day.isoformat()}:{prefix}:{slot}"


def age_on(birth_date: str, today: dt.date) -> int | None:
    """Whole years from an ISO birth date (a card may give only YYYY-MM or YYYY: the earliest day)."""
    parts = birth_date.split("-") if birth_date else []
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 and int(parts[1]) else 1
        day = int(parts[2]) if len(parts) > 2 and int(parts[2]) else 1
    except (ValueError, IndexError):
        return None
    return today.year - year - ((today.month, today.day) < (month, day))


def is_elderly(birth_date: str, today: dt.date, elderly_age: int) -> bool:
    age = age_on(birth_date, today)
    return age is not None and age >= elderly_age


# --- events and the ticket projection -----------------------------------------------------------


@dataclass(frozen=True)
class QueueEventData:
    """One queue event as the fold sees it (a stored row or a wire dict from another kiosk)."""

    id: str
    kind: str
    at: dt.datetime
    ticket_id: str | None = None
    counter: str = ""
    staff_id: str = ""
    kiosk_id: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def order(self) -> tuple[dt.datetime, str]:
        return (self.at, self.id)


@dataclass
class Ticket:
    """A ticket's state, the fold of its events; the stored projection mirrors these fields."""

    id: str
    number: str
    group: str
    priority: str
    state: TicketState
    kiosk_id: str
    service_date: dt.date
    issued_at: dt.datetime
    service_code: str = ""
    case_id: str | None = None
    line_at: dt.datetime | None = None
    counter: str = ""
    target_counter: str = ""
    staff_id: str = ""
    first_called_at: dt.datetime | None = None
    called_at: dt.datetime | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    calls: int = 0
    misses: int = 0
    updated_at: dt.datetime | None = None


def ticket_from_issued(event: QueueEventData) -> Ticket:
    d = event.data
    issued_at = dt.datetime.fromisoformat(d["issued_at"]) if d.get("issued_at") else event.at
    assert event.ticket_id is not None
    return Ticket(
        id=event.ticket_id,
        number=str(d["number"]),
        group=str(d["group"]),
        priority=str(d.get("priority", "")),
        state=TicketState.WAITING,
        kiosk_id=event.kiosk_id,
        service_date=service_date(issued_at),
        issued_at=issued_at,
        service_code=str(d.get("service_code", "")),
        case_id=d.get("case_id"),
        line_at=issued_at,
        updated_at=event.at,
    )


def apply_event(t: Ticket, e: QueueEventData) -> bool:
    """Apply one event to a ticket in place; False when the event does not apply and is ignored.

    Ignored, by design: a call of a ticket another counter already holds (first call wins on merge),
    and a counter's actions on a ticket it does not hold (the loser of such a conflict).
    """
    kind = e.kind
    state = t.state
    holds = state in HELD_STATES and t.counter == e.counter
    if kind == EventKind.CALLED:
        if state not in (TicketState.WAITING, TicketState.MISSED):
            return False
        t.state, t.counter, t.staff_id, t.called_at = TicketState.CALLED, e.counter, e.staff_id, e.at
        t.first_called_at = t.first_called_at or e.at
        t.calls += 1
    elif kind == EventKind.RECALLED:
        if not (holds and state is TicketState.CALLED):
            return False
        t.calls += 1
        t.called_at = e.at
    elif kind in (EventKind.MISSED, EventKind.NO_SHOW):
        if not (holds and state is TicketState.CALLED):
            return False
        t.misses += 1
        final = kind == EventKind.NO_SHOW or t.misses >= 2
        t.state = TicketState.NO_SHOW if final else TicketState.MISSED
    elif kind == EventKind.RETURNED:
        if state is not TicketState.NO_SHOW:
            return False
        t.state, t.line_at, t.misses, t.counter = TicketState.WAITING, e.at, 0, ""
    elif kind == EventKind.STARTED:
        if not (holds and state is TicketState.CALLED):
            return False
        t.state, t.started_at, t.staff_id = TicketState.SERVING, e.at, e.staff_id
    elif kind == EventKind.FINISHED:
        if not (holds and state is TicketState.SERVING):
            return False
        t.state, t.finished_at = TicketState.DONE, e.at
    elif kind == EventKind.TRANSFERRED:
        if not holds:
            return False
        t.state = TicketState.WAITING
        t.group = str(e.data.get("group") or t.group)
        t.target_counter = str(e.data.get("to_counter") or "")
        # The applicant already waited: they join the new line at the place their ticket gave them.
        t.line_at = t.issued_at
        t.counter, t.started_at = "", None
    elif kind == EventKind.PRIORITY_SET:
        t.priority = str(e.data.get("priority", ""))
    elif kind == EventKind.CASE_LINKED:
        t.case_id = e.data.get("case_id")
    elif kind == EventKind.CANCELLED:
        if state in FINAL_STATES:
            return False
        t.state = TicketState.CANCELLED
    else:
        return False
    t.updated_at = e.at
    return True


def fold(events: Iterable[QueueEventData]) -> Ticket | None:
    """A ticket from all its events, in (at, id) order; None until its `issued` event is known."""
    ordered = sorted(events, key=lambda e: e.order)
    issued = next((e for e in ordered if e.kind == EventKind.ISSUED), None)
    if issued is None:
        return None
    ticket = ticket_from_issued(issued)
    for e in ordered:
        if e.kind != EventKind.ISSUED:
            apply_event(ticket, e)
    return ticket


_CALL_IDS = uuid.UUID("6f0f3c1e-5a57-4c44-9d0c-2f7a4b1c0e07")


def called_event_id(ticket_id: str, counter: str, calls: int) -> str:
    """The id of the `called` event a counter records when it calls a ticket that has `calls` calls.

    Deterministic, so the event a counter shows the central server in its claim and the event it
    then records are one event (stored once), not two calls of the same ticket.
    """
    return str(uuid.uuid5(_CALL_IDS, f"called:{ticket_id}:{counter}:{calls}"))


# --- the calling rule ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A ticket a counter could call: its place in its line."""

    id: str
    number: str
    line_at: dt.datetime
    priority: bool
    returning: bool = False  # a missed ticket whose grace has passed: front of its line

    @property
    def key(self) -> tuple[int, dt.datetime, str]:
        return (0 if self.returning else 1, self.line_at, self.number)


def priority_due(
    regular: Candidate | None, priority: Candidate | None, regular_since_priority: int, every: int
) -> bool:
    """Whether the head of the priority line goes before the head of the regular line."""
    if priority is None:
        return False
    if regular is None or regular_since_priority >= every:
        return True
    return priority.line_at < regular.line_at


def choose(
    regular: Candidate | None, priority: Candidate | None, regular_since_priority: int, every: int
) -> Candidate | None:
    """The ticket to call: see docs/queue.md, "The calling rule"."""
    return priority if priority_due(regular, priority, regular_since_priority, every) else regular


def calling_order(
    candidates: Iterable[Candidate], regular_since_priority: int, every: int
) -> list[Candidate]:
    """Every candidate in the order the rule would call them if nobody else arrived."""
    candidates = list(candidates)
    regular = sorted((c for c in candidates if not c.priority), key=lambda c: c.key)
    priority = sorted((c for c in candidates if c.priority), key=lambda c: c.key)
    order: list[Candidate] = []
    i = j = 0
    since = regular_since_priority
    while i < len(regular) or j < len(priority):
        r = regular[i] if i < len(regular) else None
        p = priority[j] if j < len(priority) else None
        if priority_due(r, p, since, every):
            assert p is not None
            order.append(p)
            j += 1
            since = 0
        else:
            assert r is not None
            order.append(r)
            i += 1
            since += 1
    return order


def regular_since_priority(recent_calls: Sequence[bool]) -> int:
    """Regular calls since the last priority call; `recent_calls` newest first, True = priority."""
    count = 0
    for was_priority in recent_calls:
        if was_priority:
            break
        count += 1
    return count


# --- the waiting estimate -----------------------------------------------------------------------

MIN_SAMPLES = 3


def average_minutes(recent_service_minutes: Sequence[float], configured: float) -> float:
    """Mean of today's recent service times; the configured figure until MIN_SAMPLES are known."""
    if len(recent_service_minutes) < MIN_SAMPLES:
        return configured
    return sum(recent_service_minutes) / len(recent_service_minutes)


def wait_minutes(people_ahead: int, average: float, counters: int) -> int:
    return math.ceil(people_ahead * average / max(counters, 1) - 1e-9) if people_ahead > 0 else 0


def ahead_of_regular(
    regular_before: int, priority_older: int, priority_younger: int, since: int, every: int
) -> int:
    """Tickets called before a regular ticket: the regular ones before it, the priority ones older
    than it, and the younger priority ones that jump in, one per `every` regular calls."""
    jumps = min(priority_younger, (regular_before + since) // max(every, 1))
    return regular_before + priority_older + jumps


def ahead_of_priority(priority_before: int, regular_older: int, since: int, every: int) -> int:
    """Tickets called before a priority ticket: the priority ones before it, and at most `every`
    regular calls between two priority calls (fewer already made since the last one)."""
    regular = min(regular_older, max(0, every * (priority_before + 1) - since))
    return priority_before + regular


# --- statistics ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketTimes:
    day: dt.date
    group: str
    counter: str
    state: str
    issued_at: dt.datetime
    first_called_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


@dataclass(frozen=True)
class StatRow:
    """One day x group x counter. Waits run from issue to the first call; service from start to finish.

    `counter` "-" holds the tickets no counter ever called (still waiting at close, cancelled).
    """

    day: dt.date
    group: str
    counter: str
    tickets: int
    served: int
    no_shows: int
    avg_wait_minutes: float | None
    max_wait_minutes: float | None
    avg_service_minutes: float | None

    @property
    def no_show_rate(self) -> float:
        """No-shows per ticket of the row."""
        return self.no_shows / self.tickets if self.tickets else 0.0


STAT_COLUMNS = (
    "date",
    "group",
    "counter",
    "tickets",
    "served",
    "no_shows",
    "no_show_rate",
    "avg_wait_minutes",
    "max_wait_minutes",
    "avg_service_minutes",
)


def _minutes(a: dt.datetime, b: dt.datetime) -> float:
    return (b - a).total_seconds() / 60


def stat_rows(tickets: Iterable[TicketTimes]) -> list[StatRow]:
    buckets: dict[tuple[dt.date, str, str], list[TicketTimes]] = {}
    for t in tickets:
        buckets.setdefault((t.day, t.group, t.counter or "-"), []).append(t)
    rows = []
    for (day, group, counter), items in sorted(buckets.items()):
        waits = [_minutes(t.issued_at, t.first_called_at) for t in items if t.first_called_at]
        services = [
            _minutes(t.started_at, t.finished_at)
            for t in items
            if t.state == TicketState.DONE and t.started_at and t.finished_at
        ]
        rows.append(
            StatRow(
                day=day,
                group=group,
                counter=counter,
                tickets=len(items),
                served=sum(t.state == TicketState.DONE for t in items),
                no_shows=sum(t.state == TicketState.NO_SHOW for t in items),
                avg_wait_minutes=sum(waits) / len(waits) if waits else None,
                max_wait_minutes=max(waits) if waits else None,
                avg_service_minutes=sum(services) / len(services) if services else None,
            )
        )
    return rows


def stat_record(row: StatRow) -> list[str]:
    def num(v: float | None) -> str:
        return "" if v is None else f"{v:.2f}"

    return [
        row.day.isoformat(),
        row.group,
        row.counter,
        str(row.tickets),
        str(row.served),
        str(row.no_shows),
        f"{row.no_show_rate:.4f}",
        num(row.avg_wait_minutes),
        num(row.max_wait_minutes),
        num(row.avg_service_minutes),
    ]
