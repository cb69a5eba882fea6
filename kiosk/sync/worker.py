"""Draining the outbox and pulling changes: one pass (`SyncEngine`) and the thread that repeats it.

The counter never waits for the network: the worker has its own thread, its own short database
sessions and its own HTTP client. After a failure it sleeps a random time between zero and an
exponentially growing ceiling ("full jitter"), so a room of kiosks coming back after an outage does
not hammer the server in step. The UI reads `SyncWorker.status()` or passes `on_status`, which is
called on the worker thread (wrap it in a Qt signal to reach widgets).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from kiosk.sync.client import BatchRefused, CentralClient, NotAuthorized, ServerUnavailable, SyncError
from kiosk.sync.queue_sync import QueueReport, QueueSync
from kiosk.sync.store import SyncStore
from kiosk.wire import MAX_BATCH, PushStatus

try:  # POSIX only; on Windows the lock is a no-op (run one sync process per kiosk there)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)


def full_jitter(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry number `attempt` (1, 2, ...): uniform in [0, min(cap, base·2^(n-1))]."""
    ceiling = min(cap, base * (2 ** max(0, min(attempt - 1, 30))))
    return (rng or random).uniform(0.0, ceiling)


@dataclass(frozen=True)
class PassReport:
    pushed: int = 0
    duplicates: int = 0
    conflicts: int = 0
    refused: int = 0
    retry: int = 0
    pulled: int = 0
    seconds: float = 0.0
    queue: QueueReport | None = None  # the office queue's part of the pass, when synced


@dataclass(frozen=True)
class SyncStatus:
    """What the counter's indicator shows. Safe to hand to any thread."""

    enrolled: bool = False
    online: bool | None = None  # None: not tried yet
    offline_since: dt.datetime | None = None
    queued: int = 0
    refused: int = 0
    last_error: str = ""
    last_success_at: dt.datetime | None = None
    next_attempt_at: dt.datetime | None = None
    versions: dict[str, str] = field(default_factory=dict)


@contextlib.contextmanager
def pass_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock on `path`, held for one sync pass (waits for another pass)."""
    with open(path, "a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class SyncEngine:
    """One sync pass: push everything waiting, then pull everything new."""

    def __init__(
        self,
        store: SyncStore,
        *,
        batch_size: int = 500,
        pull_limit: int = 500,
        queue: QueueSync | None = None,
    ) -> None:
        self.store = store
        self.queue = queue
        self.batch_size = max(1, min(batch_size, MAX_BATCH))
        self.pull_limit = pull_limit

    def push_all(self, client: CentralClient) -> PassReport:
        report = PassReport()
        size = self.batch_size
        after = 0
        while True:
            batch = self.store.next_batch(size, after=after)
            report = replace(report, refused=report.refused + batch.refused_locally)
            if not batch.events:
                if batch.refused_locally:
                    continue
                return report
            try:
                response = client.push(batch.events)
            except BatchRefused as exc:
                named = sorted(i for i in exc.bad_indexes if i < len(batch.events))
                if named:
                    # Only events the server pointed at are set aside; a refusal that names none
                    # (a bug or a version skew on the server) must not empty the queue into the bin.
                    bad = [(batch.rows[str(batch.events[i].event_id)], exc.message_en) for i in named]
                    self.store.refuse_rows(bad)
                    report = replace(report, refused=report.refused + len(bad))
                    continue
                if exc.too_large and len(batch.events) > 1:
                    size = max(1, len(batch.events) // 2)
                    continue
                self.store.note_batch_error(batch, exc.message_en)
                raise
            except SyncError as exc:
                self.store.note_batch_error(batch, exc.message_en)
                raise
            counts = self.store.record_results(batch, response.results)
            after = max(batch.rows.values())
            report = replace(
                report,
                pushed=report.pushed + counts[PushStatus.APPLIED],
                duplicates=report.duplicates + counts[PushStatus.DUPLICATE],
                conflicts=report.conflicts + counts[PushStatus.CONFLICT],
                refused=report.refused + counts[PushStatus.REJECTED],
                retry=report.retry + counts[PushStatus.RETRY],
            )

    def pull_all(self, client: CentralClient) -> int:
        applied = 0
        while True:
            cursor = self.store.cursor()
            page = client.pull(cursor, self.pull_limit)
            applied += self.store.apply_changes(page.changes, page.cursor, page.versions)
            if not page.more or page.cursor <= cursor:
                return applied

    def run_once(self, client: CentralClient) -> PassReport:
        # One pass at a time per data directory, across processes: a `kiosk sync run --once` beside
        # the running kiosk's worker could otherwise apply a page it fetched before the other pass
        # pushed newer counter events, and take the case back to an older state.
        with pass_lock(self.store.db.path.with_name("sync.lock")):
            return self._run_once(client)

    def _run_once(self, client: CentralClient) -> PassReport:
        started = time.monotonic()
        # The queue first: a ticket issued here is someone standing in the office now.
        queue = self.queue.run_once(client) if self.queue is not None else None
        report = self.push_all(client)
        pulled = self.pull_all(client)
        # Pushing again catches what the counter wrote while we were pulling.
        if self.store.queued():
            second = self.push_all(client)
            report = replace(
                report,
                pushed=report.pushed + second.pushed,
                duplicates=report.duplicates + second.duplicates,
                conflicts=report.conflicts + second.conflicts,
                refused=report.refused + second.refused,
                retry=second.retry,
            )
        self.store.after_pass()  # the retention rule (kiosk.storage.privacy), never raises
        return replace(report, pulled=pulled, seconds=time.monotonic() - started, queue=queue)


class SyncWorker:
    """The sync thread. `connect` returns a client, or None while the kiosk is not enrolled."""

    def __init__(
        self,
        store: SyncStore,
        connect: Callable[[], CentralClient | None],
        *,
        interval: float = 5.0,
        base_delay: float = 1.0,
        max_delay: float = 300.0,
        batch_size: int = 500,
        on_status: Callable[[SyncStatus], None] | None = None,
        rng: random.Random | None = None,
        queue: QueueSync | None = None,
    ) -> None:
        self.store = store
        self.engine = SyncEngine(store, batch_size=batch_size, queue=queue)
        self._connect = connect
        self.interval = interval
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._on_status = on_status
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not a secret
        self._lock = threading.Lock()
        self._status = SyncStatus()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.passes = 0

    # --- control, from any thread ------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="sync-worker", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Something was written: try now instead of at the next tick (no effect during backoff)."""
        self._wake.set()

    def stop(self, timeout: float = 20.0) -> bool:
        """Stop the thread; True if it ended. The default outwaits one HTTP request (15 s)."""
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is None:
            return True
        thread.join(timeout)
        if thread.is_alive():
            log.warning("sync worker still busy after %.0f s; it ends with its current request", timeout)
            return False
        return True

    def status(self) -> SyncStatus:
        with self._lock:
            return self._status

    # --- the thread -------------------------------------------------------------------------

    def _publish(self, **changes: object) -> None:
        with self._lock:
            self._status = replace(self._status, **changes)  # type: ignore[arg-type]
            status = self._status
        if self._on_status is not None:
            try:
                self._on_status(status)
            except Exception:
                log.exception("sync status listener failed")

    def _sleep(self, seconds: float, *, wakeable: bool) -> None:
        self._publish(next_attempt_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds))
        if wakeable:
            self._wake.wait(seconds)
            self._wake.clear()
        else:
            self._stop.wait(seconds)

    def _refresh_counts(self) -> None:
        stored = self.store.status()
        self._publish(queued=stored.queued, refused=stored.refused, versions=stored.versions)

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self._refresh_counts()
                client = self._connect()
            except Exception as exc:
                log.warning("sync cannot start: %s", exc)
                self._publish(enrolled=False, last_error=str(exc)[:300])
                self._sleep(self.max_delay, wakeable=True)
                continue
            if client is None:
                self._publish(enrolled=False, online=None)
                self._sleep(self.interval * 6, wakeable=True)
                continue
            self._publish(enrolled=True)
            try:
                with client:
                    report = self.engine.run_once(client)
            except NotAuthorized as exc:
                failures += 1
                self._failed(exc.message_en)
                self._sleep(
                    full_jitter(failures, self.max_delay / 4, self.max_delay, self._rng), wakeable=False
                )
                continue
            except (ServerUnavailable, SyncError) as exc:
                failures += 1
                self._failed(exc.message_en)
                self._sleep(full_jitter(failures, self.base_delay, self.max_delay, self._rng), wakeable=False)
                continue
            except Exception as exc:
                # A bug must not kill the thread: the counter keeps working and the log has the trace.
                log.exception("sync pass failed")
                failures += 1
                self._failed(f"{type(exc).__name__}")
                self._sleep(full_jitter(failures, self.base_delay, self.max_delay, self._rng), wakeable=False)
                continue
            failures = 0
            self.passes += 1
            self.store.note_attempt(ok=True)
            stored = self.store.status()
            self._publish(
                online=True,
                offline_since=None,
                last_error="",
                last_success_at=stored.last_success_at,
                queued=stored.queued,
                refused=stored.refused,
                versions=stored.versions,
            )
            if report.pushed or report.pulled:
                log.info(
                    "sync: %d pushed, %d duplicate, %d conflict, %d pulled in %.2fs",
                    report.pushed,
                    report.duplicates,
                    report.conflicts,
                    report.pulled,
                    report.seconds,
                )
            progressed = report.pushed + report.duplicates + report.conflicts + report.refused
            # Straight on while the queue drains; otherwise rest, so events the server keeps asking
            # to resend later (`retry`) cannot turn the loop into a busy one.
            if not stored.queued or not progressed:
                self._sleep(self.interval, wakeable=True)

    def _failed(self, error: str) -> None:
        try:
            self.store.note_attempt(ok=False, error=error)
            stored = self.store.status()
            self._publish(
                online=False,
                offline_since=stored.offline_since,
                last_error=error,
                queued=stored.queued,
                refused=stored.refused,
            )
        except Exception:
            log.exception("cannot record the sync failure")
            self._publish(online=False, last_error=error)
        log.info("sync failed: %s", error)
