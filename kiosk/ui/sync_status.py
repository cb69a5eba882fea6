"""Sync with the central server as the counter sees it: a Qt signal in, a small indicator out.

`SyncWorker` (kiosk.sync) runs on its own thread and calls `on_status` there; `SyncEvents.sink` is
that callback and re-emits the status as a Qt signal, which Qt queues to the GUI thread (the worker
never touches a widget). The functions below decide what the header indicator and the staff bar
say; they hold no widgets, so the controller and the tests call them directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from kiosk.counter import Counter
from kiosk.domain.sla import BANGKOK
from kiosk.domain.thai import format_date_short
from kiosk.sync.worker import SyncStatus
from kiosk.ui.i18n import current, tr
from kiosk.ui.qtcompat import emit

ERROR_CHARS = 120  # the staff bar shows the start of the last error; `kiosk sync status` has it all


class SyncEvents(QObject):
    """Sync status from the worker thread, re-emitted as a signal (queued to the GUI thread)."""

    status_changed = Signal(object)  # SyncStatus

    def sink(self, status: SyncStatus) -> None:
        emit(self.status_changed, status)


class SyncSource(Protocol):
    """What the kiosk needs of `SyncWorker`; tests pass a fake that reports statuses they choose."""

    def start(self) -> None: ...
    def wake(self) -> None: ...
    def stop(self) -> object: ...
    def status(self) -> SyncStatus: ...


SyncFactory = Callable[[SyncEvents], SyncSource | None]


def enrolled_worker(counter: Counter) -> SyncFactory:
    """The kiosk's sync worker. It reads the credential before each pass, so enrolling the kiosk
    (or enrolling it again) while it runs needs no restart; until then it reports "not enrolled" and
    the header shows no indicator. It gets its own `SyncStore` over the counter's database."""

    def make(events: SyncEvents) -> SyncSource | None:
        from kiosk.sync.commands import connector
        from kiosk.sync.queue_sync import QueueSync
        from kiosk.sync.store import SyncStore
        from kiosk.sync.worker import SyncWorker

        return SyncWorker(
            SyncStore(counter.db),
            connector(counter.data_dir, counter.config),
            on_status=events.sink,
            queue=QueueSync.for_device(counter.db, counter.config),
        )

    return make


def no_sync(_events: SyncEvents) -> SyncSource | None:
    return None


# --- what the counter reads ------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    state: str  # online, offline, connecting; "" hides the indicator
    text: str


def not_enrolled(status: SyncStatus) -> bool:
    """The worker tried and found no usable enrolment (it rests before trying again)."""
    return not status.enrolled and status.next_attempt_at is not None


def offline(status: SyncStatus) -> bool:
    return status.online is False or (status.online is None and bool(status.last_error))


def clock(moment: dt.datetime, now: dt.datetime | None = None) -> str:
    """`10:42` today, with the day before it otherwise (`3 พ.ค. 69 10:42`), in Bangkok time."""
    local = moment.astimezone(BANGKOK)
    today = (now or dt.datetime.now(dt.UTC)).astimezone(BANGKOK).date()
    time = f"{local.hour:02d}:{local.minute:02d}"
    if local.date() == today:
        return time
    day = format_date_short(local.date()) if current() == "th" else f"{local.day} {local:%b}"
    return f"{day} {time}"


def indicator(status: SyncStatus | None, *, now: dt.datetime | None = None) -> Indicator:
    """The header's dot and words, for everyone at the counter: calm, and only what is useful."""
    if status is None:
        return Indicator("connecting", tr("Connecting…"))
    if not_enrolled(status):
        return Indicator("", "")
    if offline(status):
        text = (
            tr("Offline since {time}").format(time=clock(status.offline_since, now))
            if status.offline_since is not None
            else tr("Offline")
        )
        state = "offline"
    elif status.online:
        text, state = tr("Online"), "online"
    else:
        text, state = tr("Connecting…"), "connecting"
    if status.queued:
        text += "  ·  " + tr("{count} waiting").format(count=status.queued)
    return Indicator(state, text)


def staff_text(
    status: SyncStatus | None,
    *,
    worker: bool,
    server_url: str,
    waiting: int | None,
    now: dt.datetime | None = None,
) -> str:
    """The staff bar's sync part: state, since when, queued, refused and the last error."""
    count = "?" if waiting is None else str(waiting)
    if not worker:
        if server_url:
            return tr("Sync: not enrolled (kiosk enrol URL CODE), {count} waiting").format(count=count)
        return tr("Sync: offline (no server configured), {count} waiting").format(count=count)
    if status is None:
        return tr("Sync: connecting…, {count} waiting").format(count=count)
    count = str(status.queued)
    if not_enrolled(status):
        text = tr("Sync: not enrolled (kiosk enrol URL CODE), {count} waiting").format(count=count)
    elif offline(status):
        if status.offline_since is not None:
            text = tr("Sync: offline since {time}, {count} waiting").format(
                time=clock(status.offline_since, now), count=count
            )
        else:
            text = tr("Sync: offline, {count} waiting").format(count=count)
    elif status.online:
        if status.last_success_at is not None:
            text = tr("Sync: online (last {time}), {count} waiting").format(
                time=clock(status.last_success_at, now), count=count
            )
        else:
            text = tr("Sync: online, {count} waiting").format(count=count)
    else:
        text = tr("Sync: connecting…, {count} waiting").format(count=count)
    if status.refused:
        text += " · " + tr("{count} refused by the server").format(count=status.refused)
    if status.last_error:
        error = status.last_error
        if len(error) > ERROR_CHARS:
            error = error[: ERROR_CHARS - 1] + "…"
        text += " (" + tr("last error: {error}").format(error=error) + ")"
    return text
