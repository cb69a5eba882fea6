"""The project's virtual Thai ID card, spoken to pcscd through the `vsmartcard-vpcd` driver.

vpcd listens on TCP (35963 = reader "Virtual PCD 00 00"); a card is inserted by connecting and removed
by closing the socket. vpcd speaks first; every message is a 2-byte big-endian length and a payload. A
1-byte payload is a control (00 power off, 01 power on, 02 reset, 04 get ATR: answered with the ATR);
anything else is a command APDU, answered with the response APDU including SW1 SW2.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
import threading
import time
from dataclasses import dataclass, replace

from kiosk.devices.card import layout
from kiosk.devices.card.profile import ATR_3B67, CardProfile

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 35963

_CTRL_OFF, _CTRL_ON, _CTRL_RESET, _CTRL_ATR = 0x00, 0x01, 0x02, 0x04


def _sw(sw: int) -> bytes:
    return bytes([sw >> 8, sw & 0xFF])


class VirtualCard:
    """The card's behaviour, free of any socket: unit tests and the vpcd client both drive it."""

    def __init__(self, profile: CardProfile, *, variant_3b67: bool = False, direct: bool = False) -> None:
        if variant_3b67:
            profile = replace(profile, atr=ATR_3B67)
        self.profile = profile
        # A reader that runs GET RESPONSE itself hands the data back with 90 00 straight away.
        self.direct = direct
        self._selected = False
        self._pending = b""
        self.apdus = 0

    @property
    def atr(self) -> bytes:
        return self.profile.atr

    @property
    def needs_p2_one(self) -> bool:
        return self.atr[:2] == b"\x3b\x67"

    def reset(self) -> None:
        self._selected = False
        self._pending = b""

    def process(self, apdu: bytes) -> bytes:
        self.apdus += 1
        pending, self._pending = self._pending, b""
        if len(apdu) < 4:
            return _sw(0x6700)
        cla, ins, p1, p2 = apdu[:4]
        if ins == 0xA4 and cla == 0x00:
            return self._select(apdu)
        if ins == 0xC0 and cla == 0x00:
            return self._get_response(pending, p2, apdu[4] if len(apdu) > 4 else 0)
        if ins == 0xB0 and cla == 0x80:
            return self._read(p1 << 8 | p2, apdu)
        if cla not in (0x00, 0x80):
            return _sw(0x6E00)
        return _sw(0x6D00)

    def _select(self, apdu: bytes) -> bytes:
        aid = apdu[5 : 5 + apdu[4]] if len(apdu) > 5 else b""
        if self.profile.thai_id and aid == layout.MOI_APPLET:
            self._selected = True
            return _sw(0x610A)
        self._selected = False
        return _sw(0x6A82)

    def _read(self, offset: int, apdu: bytes) -> bytes:
        if not self._selected:
            return _sw(0x6986)
        if len(apdu) != 7 or apdu[4:6] != b"\x02\x00":
            return _sw(0x6700)
        length = apdu[6] or 256
        if offset + length > len(self.profile.memory):
            return _sw(0x6B00)
        data = self.profile.memory[offset : offset + length]
        if self.direct:
            return data + _sw(0x9000)
        self._pending = data
        return _sw(0x6100 | (length & 0xFF))

    def _get_response(self, pending: bytes, p2: int, le: int) -> bytes:
        if not pending:
            return _sw(0x6985)
        if self.needs_p2_one and p2 != 0x01:
            # The 3B 67 cards reject the usual P2 = 00: the field failure this variant is known for.
            self._pending = pending
            return _sw(0x6A86)
        le = le or 256
        if le > len(pending):
            self._pending = pending
            return _sw(0x6C00 | (len(pending) & 0xFF))
        rest = pending[le:]
        self._pending = rest
        return pending[:le] + _sw(0x6100 | (len(rest) & 0xFF) if rest else 0x9000)


@dataclass
class SimulatorStats:
    connections: int = 0
    apdus: int = 0


class VpcdSimulator:
    """Runs a `VirtualCard` against vpcd in a thread: `start()` inserts the card, `stop()` removes it.

    Until vpcd listens the card keeps trying to connect. `reconnect` keeps the card "inserted" across
    pcscd restarts (vpcd's socket goes away with pcscd); without it, the first hang-up ends the card.
    `remove_after_apdus` pulls the card after that many APDUs, without answering the last one.
    """

    def __init__(
        self,
        card: VirtualCard,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        latency: float = 0.0,
        quickack: bool = True,
        reconnect: bool = True,
        remove_after_apdus: int | None = None,
    ) -> None:
        self.card = card
        self.host = host
        self.port = port
        self.latency = latency
        self.quickack = quickack
        self.reconnect = reconnect
        self.remove_after_apdus = remove_after_apdus
        self.stats = SimulatorStats()
        self.connected = threading.Event()
        self.removed = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> VpcdSimulator:
        self._thread = threading.Thread(target=self.run, name=f"vpcd-card-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> VpcdSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def run(self) -> None:
        """Serve until stopped; reconnects when vpcd goes away if `reconnect` is set."""
        try:
            while not self._stop.is_set():
                sock = self._connect()
                if sock is None:
                    return
                with sock:
                    self.stats.connections += 1
                    self.connected.set()
                    log.info("virtual card inserted into %s:%d", self.host, self.port)
                    pulled = self._serve(sock)
                self.connected.clear()
                if pulled or not self.reconnect:
                    return
                log.info("vpcd closed the connection; reconnecting")
        finally:
            self.connected.clear()
            self.removed.set()

    def _connect(self) -> socket.socket | None:
        while not self._stop.is_set():
            try:
                sock = socket.create_connection((self.host, self.port), timeout=1.0)
            except OSError:
                # vpcd is not listening yet (pcscd starting or restarting): a card waits to be inserted.
                self._stop.wait(0.1)
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(0.1)
            return sock
        return None

    def _recv_exact(self, sock: socket.socket, n: int) -> bytes | None:
        buf = bytearray()
        while len(buf) < n:
            if self._stop.is_set():
                return None
            if self.quickack:
                # vpcd writes length and payload separately: without QUICKACK each APDU waits ~40 ms
                # for the delayed ACK. Reset before every receive since the kernel clears it.
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
            try:
                chunk = sock.recv(n - len(buf))
            except TimeoutError:
                continue
            except OSError:
                return None
            if not chunk:
                return None
            buf += chunk
        return bytes(buf)

    def _serve(self, sock: socket.socket) -> bool:
        """Answer vpcd until it hangs up (False) or the card is pulled (True)."""
        while True:
            header = self._recv_exact(sock, 2)
            if header is None:
                return self._stop.is_set()
            (size,) = struct.unpack(">H", header)
            payload = self._recv_exact(sock, size)
            if payload is None:
                return self._stop.is_set()
            if size == 1:
                reply = self._control(payload[0])
            else:
                self.stats.apdus += 1
                if self.remove_after_apdus is not None and self.stats.apdus > self.remove_after_apdus:
                    log.info("virtual card pulled after %d APDUs", self.remove_after_apdus)
                    self._stop.set()
                    return True
                if self.latency:
                    time.sleep(self.latency)
                reply = self.card.process(payload)
            if reply is not None:
                try:
                    sock.sendall(struct.pack(">H", len(reply)) + reply)
                except OSError:
                    return self._stop.is_set()

    def _control(self, code: int) -> bytes | None:
        if code == _CTRL_ATR:
            return self.card.atr
        if code in (_CTRL_OFF, _CTRL_ON, _CTRL_RESET):
            self.card.reset()
            return None
        log.debug("unknown vpcd control %02X", code)
        return None
