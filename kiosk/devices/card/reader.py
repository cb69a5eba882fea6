"""Reading one card: connect, run the protocol, parse, and turn failures into what people read.

`read_from_transport` is shared by the one-shot CLI read and the card service's worker; `read_once` and
`list_readers` are for the CLI, a short-lived process whose main thread is the only PC/SC caller.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.devices.card import layout
from kiosk.devices.card.errors import (
    ApduError,
    CardDataError,
    CardKnownError,
    CardNotPresentError,
    CardReadError,
    CardRemovedError,
    NoCardError,
    NoReaderError,
    PcscServiceError,
    PcscUnavailableError,
    TransportError,
)
from kiosk.devices.card.parser import CardRecord, parse_record
from kiosk.devices.card.pcsc import PcscConnection, PcscContext
from kiosk.devices.card.protocol import ThaiIdProtocol
from kiosk.devices.card.transport import Transport

log = logging.getLogger(__name__)

# How long to wait for pcscd to notice a pulled card after an exchange failed (it polls every ~0.4 s).
REMOVAL_GRACE = 1.2
# Connecting right after insertion can fail while the reader powers the card up.
CONNECT_RETRY_TIMEOUT = 1.5


@dataclass
class ReadResult:
    record: CardRecord
    transmits: int


def classify(exc: Exception, card_gone: Callable[[], bool]) -> CardKnownError:
    """Map a failure during a read to what the applicant is told; a pulled card wins over any other cause."""
    if isinstance(exc, CardKnownError):
        return exc
    if isinstance(exc, PcscUnavailableError):
        return PcscServiceError(detail=str(exc))
    if isinstance(exc, CardNotPresentError):
        return CardRemovedError(detail=str(exc))
    if isinstance(exc, TransportError | ApduError | CardDataError):
        try:
            gone = card_gone()
        except TransportError:
            gone = False
        if gone:
            return CardRemovedError(detail=str(exc))
        return CardReadError(detail=str(exc))
    raise exc


def read_from_transport(
    transport: Transport,
    atr: bytes,
    *,
    with_photo: bool = False,
    card_gone: Callable[[], bool] = lambda: False,
) -> ReadResult:
    """The whole read or a `CardKnownError`: never a partial record."""
    protocol = ThaiIdProtocol(transport, atr)
    try:
        protocol.select()
        raw = protocol.read_fields(layout.TEXT_FIELDS)
        photo = protocol.read_photo() if with_photo else None
    except Exception as exc:  # classify re-raises what it does not know
        raise classify(exc, card_gone) from exc
    record = parse_record(raw, photo)
    # The masked repr as text: a log record kept by a handler must not keep the card record alive.
    log.info("card read: %s in %d transmits", repr(record), protocol.transmits)
    return ReadResult(record, protocol.transmits)


def read_photo_from_transport(
    transport: Transport, atr: bytes, *, card_gone: Callable[[], bool] = lambda: False
) -> bytes | None:
    protocol = ThaiIdProtocol(transport, atr)
    try:
        protocol.select()
        return protocol.read_photo()
    except Exception as exc:  # classify re-raises what it does not know
        raise classify(exc, card_gone) from exc


def _context() -> PcscContext:
    try:
        return PcscContext()
    except PcscUnavailableError as exc:
        raise PcscServiceError(detail=str(exc)) from exc


def list_readers() -> list[str]:
    with _context() as ctx:
        try:
            return ctx.list_readers()
        except PcscUnavailableError as exc:
            raise PcscServiceError(detail=str(exc)) from exc


def read_once(reader: str | None = None, *, with_photo: bool = False) -> ReadResult:
    """Read the card in `reader`, or in the first reader holding a card."""
    with _context() as ctx:
        try:
            readers = ctx.list_readers()
            if not readers:
                raise NoReaderError()
            if reader is not None:
                if reader not in readers:
                    raise NoReaderError(detail=f"reader {reader!r} not among {readers}")
                candidates = [reader]
            else:
                candidates = readers
            chosen = next((r for r in candidates if ctx.reader_state(r).present), None)
            if chosen is None:
                raise NoCardError()
            conn = connect_with_retry(ctx, chosen)
        except PcscUnavailableError as exc:
            raise PcscServiceError(detail=str(exc)) from exc
        except CardNotPresentError as exc:
            raise NoCardError(detail=str(exc)) from exc
        try:
            return read_from_transport(
                conn,
                conn.atr,
                with_photo=with_photo,
                card_gone=lambda: ctx.wait_card_absent(chosen, REMOVAL_GRACE),
            )
        finally:
            conn.close()


def connect_with_retry(ctx: PcscContext, reader: str) -> PcscConnection:
    deadline = time.monotonic() + CONNECT_RETRY_TIMEOUT
    while True:
        try:
            return ctx.connect(reader)
        except (CardNotPresentError, PcscUnavailableError):
            raise
        except TransportError as exc:
            if time.monotonic() >= deadline:
                raise CardReadError(detail=str(exc)) from exc
            time.sleep(0.05)
