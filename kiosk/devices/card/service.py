"""The card service: one worker thread owns every PC/SC call, polls reader state and reports events.

Why not pyscard's `CardMonitor`: its thread dies silently when pcscd restarts. Here the worker polls
with `SCardGetStatusChange` and, when pcscd goes away, drops the context and builds a new one until the
daemon is back. Events go to a callback or a queue; the UI adapts them to Qt signals (this package
imports no Qt). Each event is reported once.

Reading is a separate step from noticing a card. The kiosk (`read_on_insert=False`) is told only
`CardInserted` and asks for the text with `request_read` once the applicant has accepted the PDPA
notice: a card inserted and left, or a visit ended before the notice was accepted, is never read.
The CLI (`kiosk card read/watch`) and the default keep reading at insertion. After a pcscd restart a
card read before is re-read quietly and compared (the same card is not news); a card never read is
reported removed and inserted again, since telling it from another card would mean reading it.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.devices.card.errors import (
    CardKnownError,
    CardNotPresentError,
    CardReadError,
    CardRemovedError,
    NoCardError,
    PcscServiceError,
    PcscUnavailableError,
    TransportError,
)
from kiosk.devices.card.parser import CardRecord
from kiosk.devices.card.pcsc import STATE_UNAWARE, PcscContext, ReaderState
from kiosk.devices.card.reader import (
    REMOVAL_GRACE,
    connect_with_retry,
    read_from_transport,
    read_photo_from_transport,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReaderAdded:
    reader: str


@dataclass(frozen=True)
class ReaderRemoved:
    reader: str


@dataclass(frozen=True)
class CardInserted:
    reader: str
    atr: bytes


@dataclass(frozen=True)
class CardRead:
    reader: str
    record: CardRecord
    transmits: int = 0


@dataclass(frozen=True)
class CardRemoved:
    reader: str


@dataclass(frozen=True)
class CardError:
    reader: str  # "" when the PC/SC service itself failed
    kind: str
    message_th: str
    message_en: str

    @classmethod
    def from_error(cls, reader: str, exc: CardKnownError) -> CardError:
        return cls(reader, exc.kind, exc.message_th, exc.message_en)


@dataclass(frozen=True, repr=False)
class PhotoRead:
    reader: str
    photo: bytes | None

    def __repr__(self) -> str:
        size = len(self.photo) if self.photo else 0
        return f"PhotoRead(reader={self.reader!r}, {size} bytes)"


CardEvent = ReaderAdded | ReaderRemoved | CardInserted | CardRead | CardRemoved | CardError | PhotoRead
EventSink = Callable[[CardEvent], None] | queue.Queue[CardEvent]


@dataclass
class _Track:
    """What the worker believes about one reader."""

    known_state: int = STATE_UNAWARE
    event_count: int = -1
    card: bool = False  # CardInserted was reported and CardRemoved not yet
    record: CardRecord | None = None
    stale: bool = False  # the context was rebuilt since the card was seen: re-check it quietly


class CardService:
    def __init__(
        self,
        sink: EventSink,
        *,
        reader: str | None = None,
        with_photo: bool = False,
        read_on_insert: bool = True,
        poll_interval: float = 0.25,
        retry_interval: float = 0.5,
        context_factory: Callable[[], PcscContext] = PcscContext,
    ) -> None:
        self._sink = sink
        self._reader_filter = reader
        self._with_photo = with_photo
        self._read_on_insert = read_on_insert
        self._poll_interval = poll_interval
        self._retry_interval = retry_interval
        self._context_factory = context_factory
        self._stop = threading.Event()
        # ("read" | "photo", reader or None for the one card in a reader), served on the worker.
        self._requests: queue.Queue[tuple[str, str | None]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._tracks: dict[str, _Track] = {}
        self.context_builds = 0

    # -- any thread --------------------------------------------------------------------------------

    def start(self) -> CardService:
        if self._thread is not None:
            raise RuntimeError("CardService already started")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="card-worker", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.error("card worker did not stop within %.1f s", timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def request_read(self, reader: str | None = None) -> None:
        """Ask for the text of the card in `reader` (or the one card inserted); answered by `CardRead`
        or `CardError` (NoCardError when no card is in the reader by then)."""
        self._requests.put(("read", reader))

    def request_photo(self, reader: str | None = None) -> None:
        """Ask for the photo of the card in `reader` (or the one card read); answered by `PhotoRead`."""
        self._requests.put(("photo", reader))

    def __enter__(self) -> CardService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- worker thread -----------------------------------------------------------------------------

    def _emit(self, event: CardEvent) -> None:
        log.debug("card event %r", event)
        try:
            if isinstance(self._sink, queue.Queue):
                self._sink.put(event)
            else:
                self._sink(event)
        except Exception:
            log.exception("card event handler failed")

    def _run(self) -> None:
        ctx: PcscContext | None = None
        outage_reported = False
        try:
            while not self._stop.is_set():
                if ctx is None:
                    try:
                        ctx = self._context_factory()
                        self.context_builds += 1
                    except TransportError as exc:
                        if not outage_reported:
                            log.warning("PC/SC unavailable: %s", exc)
                            self._emit(CardError.from_error("", PcscServiceError(detail=str(exc))))
                            outage_reported = True
                        self._stop.wait(self._retry_interval)
                        continue
                    if outage_reported:
                        log.info("PC/SC available again")
                        outage_reported = False
                try:
                    self._poll(ctx)
                    self._serve_requests(ctx)
                except PcscUnavailableError as exc:
                    log.warning("PC/SC service lost (%s); rebuilding the context", exc)
                    ctx.release()
                    ctx = None
                    for track in self._tracks.values():
                        track.known_state = STATE_UNAWARE
                        track.stale = True
                except Exception:
                    # A bug must not kill the only thread that watches the reader.
                    log.exception("card worker error")
                    self._stop.wait(self._retry_interval)
        finally:
            if ctx is not None:
                ctx.release()

    def _poll(self, ctx: PcscContext) -> None:
        readers = ctx.list_readers()
        if self._reader_filter is not None:
            readers = [r for r in readers if r == self._reader_filter]
        for reader in readers:
            if reader not in self._tracks:
                self._tracks[reader] = _Track()
                self._emit(ReaderAdded(reader))
        for reader in [r for r in self._tracks if r not in readers]:
            if self._tracks.pop(reader).card:
                self._emit(CardRemoved(reader))
            self._emit(ReaderRemoved(reader))
        if not self._tracks:
            self._stop.wait(self._poll_interval)
            return
        try:
            states = ctx.get_status_change(
                {r: t.known_state for r, t in self._tracks.items()}, self._poll_interval
            )
        except CardNotPresentError:
            # A reader vanished between listing and polling; the next listing reports it.
            return
        for state in states or ():
            track = self._tracks.get(state.reader)
            if track is not None and not self._stop.is_set():
                self._update(ctx, state, track)

    def _update(self, ctx: PcscContext, state: ReaderState, track: _Track) -> None:
        reader = state.reader
        track.known_state = state.current
        if state.gone:
            return
        swapped = (
            track.card
            and not track.stale
            and track.event_count >= 0
            and state.event_count != track.event_count
        )
        track.event_count = state.event_count
        if not state.present or swapped:
            if track.card:
                track.card, track.record, track.stale = False, None, False
                self._emit(CardRemoved(reader))
            if not state.present:
                return
        if track.card and not track.stale:
            return
        if track.card and track.stale:
            self._recheck(ctx, state, track)
            return
        track.card = True
        self._emit(CardInserted(reader, state.atr))
        if state.mute:
            self._emit(CardError.from_error(reader, CardReadError(detail="card mute")))
            return
        if self._read_on_insert:
            self._read(ctx, reader, track, announce=True)

    def _recheck(self, ctx: PcscContext, state: ReaderState, track: _Track) -> None:
        """After a context rebuild: the same card still in the reader is not news; another card is."""
        track.stale = False
        previous = track.record
        if previous is None and not self._read_on_insert:
            # Never read, and not to be read unasked: report it as taken out and put back.
            self._emit(CardRemoved(state.reader))
            self._emit(CardInserted(state.reader, state.atr))
            return
        record = self._read(ctx, state.reader, track, announce=False)
        if record is not None and record == previous:
            log.info("card in %s unchanged after the PC/SC restart", state.reader)
            return
        self._emit(CardRemoved(state.reader))
        self._emit(CardInserted(state.reader, state.atr))
        if record is not None:
            self._emit(CardRead(state.reader, record))
        else:
            self._emit(CardError.from_error(state.reader, CardReadError()))

    def _read(self, ctx: PcscContext, reader: str, track: _Track, *, announce: bool) -> CardRecord | None:
        try:
            conn = connect_with_retry(ctx, reader)
        except CardNotPresentError:
            error: CardKnownError = CardRemovedError()
            if announce:
                self._emit(CardError.from_error(reader, error))
            track.record = None
            return None
        except CardKnownError as exc:
            if announce:
                self._emit(CardError.from_error(reader, exc))
            track.record = None
            return None
        try:
            result = read_from_transport(
                conn,
                conn.atr,
                with_photo=self._with_photo,
                card_gone=lambda: ctx.wait_card_absent(reader, REMOVAL_GRACE),
            )
        except PcscServiceError as exc:
            raise PcscUnavailableError(exc.detail) from exc
        except CardKnownError as exc:
            log.info("card read in %s failed: %s (%s)", reader, exc.kind, exc.detail)
            track.record = None
            if announce:
                self._emit(CardError.from_error(reader, exc))
            return None
        finally:
            conn.close()
        track.record = result.record
        if announce:
            self._emit(CardRead(reader, result.record, result.transmits))
        return result.record

    def _serve_requests(self, ctx: PcscContext) -> None:
        while True:
            try:
                kind, wanted = self._requests.get_nowait()
            except queue.Empty:
                return
            if kind == "read":
                reader = wanted or next((r for r, t in self._tracks.items() if t.card), None)
            else:
                reader = wanted or next((r for r, t in self._tracks.items() if t.record is not None), None)
            track = self._tracks.get(reader) if reader else None
            if reader is None or track is None or not track.card:
                self._emit(CardError.from_error(reader or "", NoCardError()))
                continue
            if kind == "read":
                self._read(ctx, reader, track, announce=True)
                continue
            try:
                photo = self._read_photo(ctx, reader)
            except PcscServiceError as exc:
                raise PcscUnavailableError(exc.detail) from exc
            except CardNotPresentError:
                self._emit(CardError.from_error(reader, CardRemovedError()))
                continue
            except CardKnownError as exc:
                self._emit(CardError.from_error(reader, exc))
                continue
            self._emit(PhotoRead(reader, photo))

    def _read_photo(self, ctx: PcscContext, reader: str) -> bytes | None:
        conn = connect_with_retry(ctx, reader)
        try:
            return read_photo_from_transport(
                conn, conn.atr, card_gone=lambda: ctx.wait_card_absent(reader, REMOVAL_GRACE)
            )
        finally:
            conn.close()
