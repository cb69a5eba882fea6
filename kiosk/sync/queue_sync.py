"""The office queue across devices: push this device's queue events, pull the office's, and ask the
server before calling a ticket.

Every device (ticket kiosk or counter station) records queue events in its own database first
(`kiosk.storage.queue.QueueStore`), so issuing and calling never wait for the network. A sync pass
(`QueueSync.run_once`, part of `SyncEngine`'s pass) pushes the events not yet at the server, then
pulls every office event after the device's cursor and folds them in with `QueueStore.apply_remote`
(idempotent by event id, so a page applied twice changes nothing). The cursor is the `sequences` row
`sync:queue`, moved after the page is applied: a device killed in between applies the page again.

Online, `QueueClaimer` is the `claim` a counter hands to `QueueStore.call_next`: the server records
the call unless another counter holds the ticket; then the server's events for that ticket are
applied here and the counter moves on to its next candidate. Offline (or when the server fails) the
claim says yes at once, the call is local, and the merge later keeps the first call (docs/sync.md).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from kiosk.config import Config
from kiosk.domain.queue import EventKind, called_event_id
from kiosk.domain.sla import BANGKOK
from kiosk.storage.db import Database
from kiosk.storage.models import Sequence as SequenceRow
from kiosk.storage.queue import QueueStore, TicketView
from kiosk.sync.client import BatchRefused, CentralClient, SyncError
from kiosk.wire import MAX_BATCH, QueuePushStatus, WireQueueEvent

log = logging.getLogger(__name__)

CURSOR_ROW = "sync:queue"
FIELDS = tuple(WireQueueEvent.model_fields)


@dataclass(frozen=True)
class QueueReport:
    pushed: int = 0
    duplicates: int = 0
    rejected: int = 0
    pulled: int = 0
    applied: int = 0
    seconds: float = 0.0


def wire_event(row: dict[str, Any]) -> WireQueueEvent:
    """A `QueueStore.unsynced_events` dict as the protocol's event (fields it does not carry dropped)."""
    return WireQueueEvent.model_validate({k: row[k] for k in FIELDS if k in row})


class QueueSync:
    """One device's queue sync; used by one thread at a time (the sync worker's)."""

    def __init__(
        self,
        queue: QueueStore,
        db: Database,
        *,
        batch_size: int = 500,
        pull_limit: int = 500,
        history_days: int = 7,
    ) -> None:
        self.queue = queue
        self.db = db
        self.batch_size = max(1, min(batch_size, MAX_BATCH))
        self.pull_limit = max(1, min(pull_limit, MAX_BATCH))
        self.history_days = history_days

    @classmethod
    def for_device(cls, db: Database, config: Config) -> QueueSync:
        """Queue sync for the device whose database and configuration these are."""
        return cls(QueueStore(db, config, kiosk_id=config.kiosk.id), db)

    # --- cursor -----------------------------------------------------------------------------

    def cursor(self) -> int:
        with self.db.session() as s:
            return s.scalar(select(SequenceRow.value).where(SequenceRow.name == CURSOR_ROW)) or 0

    def _save_cursor(self, value: int) -> None:
        with self.db.unit_of_work() as s, s.begin():
            row = s.get(SequenceRow, CURSOR_ROW)
            if row is None:
                s.add(SequenceRow(name=CURSOR_ROW, value=value))
            elif value > row.value:
                row.value = value

    # --- push -------------------------------------------------------------------------------

    def push_all(self, client: CentralClient) -> QueueReport:
        pushed = duplicates = rejected = 0
        while True:
            rows = self.queue.unsynced_events(self.batch_size)
            if not rows:
                break
            events: list[WireQueueEvent] = []
            unsendable: list[str] = []
            for row in rows:
                try:
                    events.append(wire_event(row))
                except (ValidationError, KeyError) as exc:
                    # The server's schema would refuse it too: it must not hold the queue back.
                    log.warning("queue event %s cannot be sent: %s", row.get("id"), exc)
                    unsendable.append(str(row.get("id")))
            done = list(unsendable)
            if events:
                try:
                    response = client.push_queue(events)
                except BatchRefused as exc:
                    named = sorted(i for i in exc.bad_indexes if i < len(events))
                    if not named:
                        raise
                    log.warning("server refused %d queue event(s): %s", len(named), exc.message_en)
                    self.queue.mark_synced([str(events[i].id) for i in named])
                    rejected += len(named)
                    continue
                for result in response.results:
                    done.append(str(result.id))
                    if result.status is QueuePushStatus.APPLIED:
                        pushed += 1
                    elif result.status is QueuePushStatus.DUPLICATE:
                        duplicates += 1
                    else:
                        # Never acceptable (another device's event...): kept here, not resent.
                        rejected += 1
                        log.warning("queue event %s refused by the server: %s", result.id, result.detail)
            rejected += len(unsendable)
            if not done:
                break
            self.queue.mark_synced(done)
            if len(rows) < self.batch_size:
                break
        return QueueReport(pushed=pushed, duplicates=duplicates, rejected=rejected)

    # --- pull -------------------------------------------------------------------------------

    def since(self, now: dt.datetime | None = None) -> str:
        """The oldest service day pulled: older days do not change what a counter calls."""
        today = (now or dt.datetime.now(dt.UTC)).astimezone(BANGKOK).date()
        return (today - dt.timedelta(days=self.history_days)).isoformat()

    def pull_all(self, client: CentralClient) -> tuple[int, int]:
        """Pull and apply everything new; (events received, events that changed something)."""
        received = applied = 0
        since = self.since()
        while True:
            after = self.cursor()
            page = client.pull_queue(after, self.pull_limit, since=since)
            if page.events:
                received += len(page.events)
                applied += self.queue.apply_remote(
                    [e.model_dump(mode="json", exclude={"n"}) for e in page.events]
                )
            if page.cursor > after:
                self._save_cursor(page.cursor)
            if not page.more or page.cursor <= after:
                return received, applied

    def run_once(self, client: CentralClient) -> QueueReport:
        started = time.monotonic()
        report = self.push_all(client)
        received, applied = self.pull_all(client)
        return QueueReport(
            pushed=report.pushed,
            duplicates=report.duplicates,
            rejected=report.rejected,
            pulled=received,
            applied=applied,
            seconds=time.monotonic() - started,
        )


class QueueClaimer:
    """The online check before a counter calls a ticket (`QueueStore.call_next(..., claim=...)`).

    `connect` gives a client of its own (one with a short timeout: a counter must not wait long for
    an answer). After a failure the claimer stops asking for `pause` seconds and says yes at once,
    so an office without network calls as fast as one with it.
    """

    def __init__(
        self,
        queue: QueueStore,
        connect: Callable[[], CentralClient | None],
        *,
        kiosk_id: str,
        staff_id: str = "",
        pause: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.queue = queue
        self._connect = connect
        self.kiosk_id = kiosk_id
        self.staff_id = staff_id
        self.pause = pause
        self._clock = clock
        self._client: CentralClient | None = None
        self._failed_at: float | None = None
        self._lock = threading.Lock()
        self.refused = 0
        self.offline_calls = 0

    @classmethod
    def for_device(
        cls, queue: QueueStore, data_dir: Path, config: Config, *, timeout: float = 3.0
    ) -> QueueClaimer:
        """The claimer of an enrolled device, with a client of its own (short timeout)."""
        from kiosk.sync.commands import connector  # that module imports this one

        return cls(queue, connector(data_dir, config, timeout=timeout), kiosk_id=config.kiosk.id)

    def for_staff(self, staff_id: str) -> Callable[[TicketView, str], bool]:
        """The claim for one member of staff at the counter (the id goes into the server's event)."""

        def claim(ticket: TicketView, counter: str) -> bool:
            return self.claim(ticket, counter, staff_id=staff_id)

        return claim

    def __call__(self, ticket: TicketView, counter: str) -> bool:
        return self.claim(ticket, counter, staff_id=self.staff_id)

    def claim(
        self,
        ticket: TicketView,
        counter: str,
        *,
        staff_id: str = "",
        event: dict[str, Any] | None = None,
        now: dt.datetime | None = None,
    ) -> bool:
        """True: call it (the server agreed, or cannot be asked now). False: another counter has it."""
        with self._lock:
            if self._failed_at is not None and self._clock() - self._failed_at < self.pause:
                self.offline_calls += 1
                return True
            wire = wire_event(event) if event is not None else self._event(ticket, counter, staff_id, now)
            try:
                client = self._client or self._connect()
                if client is None:
                    return True  # not enrolled: a stand-alone office
                self._client = client
                refused = client.claim(wire)
            except SyncError as exc:
                self._offline(str(exc.message_en))
                return True
            except Exception:
                # A bug here must not stop the counter from calling: the merge settles it later.
                log.exception("queue claim failed")
                self._offline("error")
                return True
            self._failed_at = None
            if refused is None:
                return True
            self.refused += 1
            log.info("ticket %s is held by counter %s (%s)", refused.number, refused.counter, refused.state)
            if refused.events:
                self.queue.apply_remote([e.model_dump(mode="json", exclude={"n"}) for e in refused.events])
            return False

    def _event(
        self, ticket: TicketView, counter: str, staff_id: str, now: dt.datetime | None
    ) -> WireQueueEvent:
        # The very event `call_next` records next (same deterministic id, same data), so the server
        # and this device hold one call, not two.
        return WireQueueEvent(
            id=uuid.UUID(called_event_id(ticket.id, counter, ticket.calls)),
            ticket_id=uuid.UUID(ticket.id),
            service_date=ticket.service_date.isoformat(),
            kind=EventKind.CALLED.value,
            at=now or dt.datetime.now(dt.UTC),
            counter=counter,
            staff_id=staff_id,
            kiosk_id=self.kiosk_id,
            data={"number": ticket.number, "group": ticket.group, "priority": ticket.priority},
        )

    def _offline(self, why: str) -> None:
        self._failed_at = self._clock()
        self.offline_calls += 1
        if self._client is not None:
            self._client.close()
            self._client = None
        log.info("queue claim offline (%s): calling locally", why)

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
