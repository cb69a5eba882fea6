"""PC/SC through pyscard: the only module of the project that imports `smartcard`.

Low-level `smartcard.scard` calls, so that every failure comes back as a return code we classify
ourselves: the service must tell "pcscd went away, rebuild the context" from "the card was pulled".
Not thread-safe by design: the card service's worker thread is the only caller.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from smartcard import scard

from kiosk.devices.card.errors import CardNotPresentError, PcscUnavailableError, TransportError
from kiosk.devices.card.transport import TRAFFIC

log = logging.getLogger(__name__)

_SERVICE_GONE = {
    scard.SCARD_E_NO_SERVICE,
    scard.SCARD_E_SERVICE_STOPPED,
    scard.SCARD_E_INVALID_HANDLE,
    scard.SCARD_F_COMM_ERROR,
    scard.SCARD_E_NO_MEMORY,
}
_CARD_GONE = {
    scard.SCARD_W_REMOVED_CARD,
    scard.SCARD_E_NO_SMARTCARD,
    scard.SCARD_E_READER_UNAVAILABLE,
    scard.SCARD_E_UNKNOWN_READER,
}
_TIMEOUT_CODE = scard.SCARD_E_TIMEOUT
_NO_READERS = scard.SCARD_E_NO_READERS_AVAILABLE

STATE_UNAWARE = scard.SCARD_STATE_UNAWARE


def _code(hresult: int) -> int:
    return hresult & 0xFFFFFFFF


def _fail(hresult: int, what: str) -> TransportError:
    code = _code(hresult)
    message = f"{what}: {scard.SCardGetErrorMessage(hresult)} ({code:08X})"
    if code in {_code(c) for c in _SERVICE_GONE}:
        return PcscUnavailableError(message)
    if code in {_code(c) for c in _CARD_GONE}:
        return CardNotPresentError(message)
    return TransportError(message)


@dataclass(frozen=True)
class ReaderState:
    reader: str
    event_state: int
    atr: bytes

    @property
    def present(self) -> bool:
        return bool(self.event_state & scard.SCARD_STATE_PRESENT)

    @property
    def mute(self) -> bool:
        return bool(self.event_state & scard.SCARD_STATE_MUTE)

    @property
    def gone(self) -> bool:
        """The reader vanished (unplugged) between listing and polling."""
        return bool(self.event_state & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE))

    @property
    def event_count(self) -> int:
        # pcsc-lite counts card events per reader in the upper 16 bits: a fast pull and re-insert
        # between two polls still changes it.
        return (self.event_state >> 16) & 0xFFFF

    @property
    def current(self) -> int:
        """The value to hand back as "what I know" so the next poll blocks until something changes."""
        return self.event_state & ~scard.SCARD_STATE_CHANGED


class PcscConnection:
    """A `Transport` on one card, shared mode, T=0, holding a PC/SC transaction until closed.

    The transaction keeps another program in shared mode from slipping a SELECT of another applet
    between our READ and GET RESPONSE; shared mode (not exclusive) keeps other programs from seeing the
    card as "removed".
    """

    def __init__(self, hcard: int, reader: str, atr: bytes) -> None:
        self._hcard = hcard
        self.reader = reader
        self.atr = atr
        self._closed = False
        self._in_transaction = False

    def begin(self) -> None:
        hresult = scard.SCardBeginTransaction(self._hcard)
        if hresult != scard.SCARD_S_SUCCESS:
            raise _fail(hresult, "SCardBeginTransaction")
        self._in_transaction = True

    def send_and_receive(self, apdu: bytes) -> tuple[bytes, int]:
        hresult, response = scard.SCardTransmit(self._hcard, scard.SCARD_PCI_T0, list(apdu))
        if hresult != scard.SCARD_S_SUCCESS:
            raise _fail(hresult, "SCardTransmit")
        if len(response) < 2:
            # vpcd (and some readers) answer "success" with nothing when the card vanished mid-exchange.
            raise TransportError(f"SCardTransmit: {len(response)}-byte response")
        data = bytes(response[:-2])
        sw = response[-2] << 8 | response[-1]
        return data, sw

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._in_transaction:
            scard.SCardEndTransaction(self._hcard, scard.SCARD_LEAVE_CARD)
        # Leave the card powered: another program at the counter may be using it too.
        scard.SCardDisconnect(self._hcard, scard.SCARD_LEAVE_CARD)


class PcscContext:
    def __init__(self) -> None:
        hresult, hcontext = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != scard.SCARD_S_SUCCESS:
            raise _fail(hresult, "SCardEstablishContext")
        self._hcontext = hcontext
        self._released = False

    def __enter__(self) -> PcscContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def release(self) -> None:
        if not self._released:
            self._released = True
            # After a pcscd restart the handle is already dead; releasing it is just bookkeeping.
            scard.SCardReleaseContext(self._hcontext)

    def is_valid(self) -> bool:
        return scard.SCardIsValidContext(self._hcontext) == scard.SCARD_S_SUCCESS

    def list_readers(self) -> list[str]:
        hresult, readers = scard.SCardListReaders(self._hcontext, [])
        if _code(hresult) == _code(_NO_READERS):
            return []
        if hresult != scard.SCARD_S_SUCCESS:
            raise _fail(hresult, "SCardListReaders")
        return list(readers)

    def get_status_change(self, known: dict[str, int], timeout: float) -> list[ReaderState] | None:
        """Block up to `timeout` s until a reader's state differs from `known`; None on timeout."""
        if not known:
            time.sleep(timeout)
            return None
        hresult, states = scard.SCardGetStatusChange(
            self._hcontext, int(timeout * 1000), [(r, s) for r, s in known.items()]
        )
        if _code(hresult) == _code(_TIMEOUT_CODE):
            return None
        if hresult != scard.SCARD_S_SUCCESS:
            raise _fail(hresult, "SCardGetStatusChange")
        return [ReaderState(r, int(s), bytes(atr)) for r, s, atr in states]

    def reader_state(self, reader: str) -> ReaderState:
        states = self.get_status_change({reader: STATE_UNAWARE}, 0)
        if not states:
            raise TransportError("SCardGetStatusChange: no state")
        return states[0]

    def wait_card_absent(self, reader: str, timeout: float) -> bool:
        """True once the reader reports no card within `timeout` (pcscd notices a pull within ~0.4 s)."""
        deadline = time.monotonic() + timeout
        known = STATE_UNAWARE
        while True:
            try:
                states = self.get_status_change({reader: known}, max(0.0, deadline - time.monotonic()))
            except CardNotPresentError:
                return True
            if states:
                state = states[0]
                if state.gone or not state.present:
                    return True
                known = state.current
            if time.monotonic() >= deadline:
                return False

    def connect(self, reader: str) -> PcscConnection:
        hresult, hcard, _protocol = scard.SCardConnect(
            self._hcontext, reader, scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0
        )
        if hresult != scard.SCARD_S_SUCCESS:
            raise _fail(hresult, "SCardConnect")
        hresult, _reader, _state, _proto, atr = scard.SCardStatus(hcard)
        if hresult != scard.SCARD_S_SUCCESS:
            scard.SCardDisconnect(hcard, scard.SCARD_LEAVE_CARD)
            raise _fail(hresult, "SCardStatus")
        conn = PcscConnection(hcard, reader, bytes(atr))
        try:
            conn.begin()
        except TransportError:
            conn.close()
            raise
        log.log(TRAFFIC, "connected to %s, ATR %s", reader, conn.atr.hex(" "))
        return conn
