"""The card reader as Qt signals, and the demo card for a kiosk with no reader attached.

`CardService` (kiosk.devices.card) owns every PC/SC call on its worker thread and reports events to
a callback; `CardEvents.sink` is that callback and re-emits each event as a Qt signal, which Qt
queues to the GUI thread. Tests and the benchmark feed the same sink with a fake source.

A source reports an inserted card without reading it; the controller asks for the text with
`request_read` once the applicant has accepted the PDPA notice (docs/privacy.md).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from kiosk.devices.card.errors import CardKnownError
from kiosk.devices.card.profile import load_profile
from kiosk.devices.card.reader import read_from_transport, read_photo_from_transport
from kiosk.devices.card.service import (
    CardError,
    CardEvent,
    CardInserted,
    CardRead,
    CardRemoved,
    CardService,
    PhotoRead,
    ReaderAdded,
    ReaderRemoved,
)
from kiosk.devices.card.simulator import VirtualCard, VpcdSimulator
from kiosk.ui.qtcompat import emit

log = logging.getLogger(__name__)

VIRTUAL_READER_PREFIX = "Virtual PCD"
DEMO_READER = "Demo card (no PC/SC)"


class CardEvents(QObject):
    """Card events from any thread, re-emitted as a signal (queued to the GUI thread)."""

    received = Signal(object)

    def sink(self, event: CardEvent) -> None:
        emit(self.received, event)


class CardSource(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...
    def request_read(self, reader: str | None = None) -> None: ...
    def request_photo(self, reader: str | None = None) -> None: ...


class PcscCardSource:
    """The real reader(s) through pcscd."""

    def __init__(self, events: CardEvents, *, reader: str | None = None) -> None:
        # Insertion is reported, never read: the text is read on request, after the notice.
        self._service = CardService(events.sink, reader=reader, with_photo=False, read_on_insert=False)

    def start(self) -> None:
        self._service.start()

    def stop(self) -> None:
        self._service.stop()

    def request_read(self, reader: str | None = None) -> None:
        self._service.request_read(reader)

    def request_photo(self, reader: str | None = None) -> None:
        self._service.request_photo(reader)


class _VirtualTransport:
    """The two-method transport over the project's virtual card, in process."""

    def __init__(self, card: VirtualCard) -> None:
        self._card = card

    def send_and_receive(self, apdu: bytes) -> tuple[bytes, int]:
        reply = self._card.process(apdu)
        return reply[:-2], reply[-2] << 8 | reply[-1]

    def close(self) -> None:
        pass


class DemoCards:
    """Insert and remove a demo card (staff menu of the demo kiosk).

    With pcscd and vsmartcard-vpcd present the card goes into the virtual reader and the real
    CardService reads it, exactly as a real card would be. Without them, the card is read in process
    through the same protocol code and its events are fed to the same sink, on a thread of its own.
    Either way insertion only reports the card; `request_read` reads it (after the notice).
    """

    def __init__(self, events: CardEvents) -> None:
        self._events = events
        self._sim: VpcdSimulator | None = None
        self._thread: threading.Thread | None = None
        self._card: VirtualCard | None = None
        self._inserted = False
        self.virtual_readers: set[str] = set()

    def track(self, event: CardEvent) -> None:
        """Learn from the real source whether a vpcd reader exists."""
        if isinstance(event, ReaderAdded) and event.reader.startswith(VIRTUAL_READER_PREFIX):
            self.virtual_readers.add(event.reader)
        elif isinstance(event, ReaderRemoved):
            self.virtual_readers.discard(event.reader)

    @property
    def inserted(self) -> bool:
        return self._inserted

    def insert(self, profile: str) -> str:
        """Returns how the card was inserted: "vpcd" or "in-process"."""
        self.remove()
        card = VirtualCard(load_profile(profile))
        if self.virtual_readers and sorted(self.virtual_readers)[0].endswith("00 00"):
            self._sim = VpcdSimulator(card, reconnect=False).start()
            self._inserted = True
            return "vpcd"
        self._card = card
        self._inserted = True
        self._run(self._announce, card)
        return "in-process"

    @property
    def card(self) -> VirtualCard | None:
        """The in-process card (its `apdus` count tells what was asked of it)."""
        return self._card

    def _run(self, target: Callable[[VirtualCard], None], card: VirtualCard) -> None:
        if self._thread is not None:
            self._thread.join(5)
        self._thread = threading.Thread(target=target, args=(card,), name="demo-card", daemon=True)
        self._thread.start()

    def _announce(self, card: VirtualCard) -> None:  # demo-card thread
        self._events.sink(CardInserted(DEMO_READER, card.atr))

    def request_read(self) -> None:
        card = self._card
        if card is None or self._sim is not None:
            return
        self._run(self._read, card)

    def _read(self, card: VirtualCard) -> None:  # demo-card thread
        sink = self._events.sink
        try:
            result = read_from_transport(_VirtualTransport(card), card.atr)
        except CardKnownError as exc:
            sink(CardError.from_error(DEMO_READER, exc))
            return
        sink(CardRead(DEMO_READER, result.record, result.transmits))

    def request_photo(self) -> None:
        card = self._card
        if card is None or self._sim is not None:
            return
        self._run(self._photo, card)

    def _photo(self, card: VirtualCard) -> None:  # demo-card thread
        try:
            photo = read_photo_from_transport(_VirtualTransport(card), card.atr)
        except CardKnownError as exc:
            self._events.sink(CardError.from_error(DEMO_READER, exc))
            return
        self._events.sink(PhotoRead(DEMO_READER, photo))

    def remove(self) -> None:
        if self._detach():
            self._events.sink(CardRemoved(DEMO_READER))

    def stop(self) -> None:
        self._detach()

    def _detach(self) -> bool:
        """Take the demo card out; True if one had been read (a removal worth reporting)."""
        if self._sim is not None:
            self._sim.stop()
            self._sim = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        had_card, self._card, self._inserted = self._card is not None, None, False
        return had_card
