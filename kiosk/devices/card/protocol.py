"""The Thai ID card's APDU protocol over any `Transport`: SELECT, block reads, the photo.

Everything here is about the card's dialect of T=0: `61 xx` means "fetch xx bytes with GET RESPONSE",
`6C xx` means "ask again with length xx", and some readers do the GET RESPONSE themselves and answer
`90 00` with the data. Cards whose ATR starts `3B 67` want P2 = 01 in GET RESPONSE.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from kiosk.devices.card import layout
from kiosk.devices.card.errors import (
    ApduError,
    CardDataError,
    CardNotPresentError,
    NotThaiIdCardError,
    TransportError,
)
from kiosk.devices.card.transport import TRAFFIC, Transport

log = logging.getLogger(__name__)

SW_OK = 0x9000
# A runaway card answering 61/6C forever must not hold the worker: a block needs at most 4 steps.
_MAX_STEPS = 8
# Readers that report a card before it is ready fail the first exchange for up to about a second.
NOT_READY_TIMEOUT = 1.5
NOT_READY_PAUSE = 0.05


def select_apdu() -> bytes:
    return bytes([0x00, 0xA4, 0x04, 0x00, len(layout.MOI_APPLET)]) + layout.MOI_APPLET


def read_apdu(offset: int, length: int) -> bytes:
    if not 0 < length <= layout.MAX_READ:
        raise ValueError(f"read length {length} out of range")
    return bytes([0x80, 0xB0, offset >> 8, offset & 0xFF, 0x02, 0x00, length])


def get_response_p2(atr: bytes) -> int:
    return 0x01 if atr[:2] == b"\x3b\x67" else 0x00


class ThaiIdProtocol:
    def __init__(
        self,
        transport: Transport,
        atr: bytes,
        *,
        not_ready_timeout: float = NOT_READY_TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._transport = transport
        self._p2 = get_response_p2(atr)
        self._not_ready_timeout = not_ready_timeout
        self._sleep = sleep
        self._clock = clock
        self.transmits = 0

    def _exchange(self, apdu: bytes) -> tuple[bytes, int]:
        self.transmits += 1
        # Only the header: READ data and responses would put personal data in the log.
        log.log(TRAFFIC, "> %s", apdu[:5].hex(" "))
        data, sw = self._transport.send_and_receive(apdu)
        log.log(TRAFFIC, "< %d bytes, SW %04X", len(data), sw)
        return data, sw

    def command(self, apdu: bytes, name: str) -> bytes:
        """One command with its GET RESPONSE and `6C` follow-ups; returns the data once SW is 90 00."""
        collected = bytearray()
        pending = apdu
        sw = 0
        for _ in range(_MAX_STEPS):
            data, sw = self._exchange(pending)
            sw1, sw2 = sw >> 8, sw & 0xFF
            if sw1 == 0x6C:
                pending = pending[:-1] + bytes([sw2])
                continue
            collected += data
            if sw1 == 0x61:
                pending = bytes([0x00, 0xC0, 0x00, self._p2, sw2])
                continue
            if sw == SW_OK:
                return bytes(collected)
            raise ApduError(sw, command=name)
        raise ApduError(sw, command=f"{name} (too many steps)")

    def select(self) -> None:
        """Select the MOI applet; the first exchange with a fresh card, so it tolerates a slow start.

        The `61 xx` answer carries nothing we use, so no GET RESPONSE follows: T=0 lets the next command
        discard it, which saves a round trip.
        """
        deadline = self._clock() + self._not_ready_timeout
        while True:
            try:
                _, sw = self._exchange(select_apdu())
                break
            except CardNotPresentError:
                raise
            except TransportError as exc:
                if self._clock() >= deadline:
                    raise
                log.debug("card not ready (%s); retrying SELECT", exc)
                self._sleep(NOT_READY_PAUSE)
        if sw >> 8 != 0x61 and sw != SW_OK:
            raise NotThaiIdCardError(detail=f"SELECT answered SW {sw:04X}")

    def read_binary(self, offset: int, length: int) -> bytes:
        data = self.command(read_apdu(offset, length), f"READ {offset:04X}")
        if len(data) < length:
            raise CardDataError(f"READ {offset:04X}: asked {length} bytes, got {len(data)}")
        return data[:length]

    def read_fields(self, fields: tuple[layout.Field, ...] = layout.TEXT_FIELDS) -> dict[str, bytes]:
        """Read the fields in as few contiguous blocks as the layout allows; returns raw bytes by name."""
        raw: dict[str, bytes] = {}
        for block in layout.plan_blocks(fields):
            data = self.read_binary(block.offset, block.length)
            for f in fields:
                if block.offset <= f.offset and f.offset + f.length <= block.end:
                    start = f.offset - block.offset
                    raw[f.name] = data[start : start + f.length]
        return raw

    def read_fields_one_by_one(self, fields: tuple[layout.Field, ...]) -> dict[str, bytes]:
        """The usual field-by-field method, kept for the benchmark's comparison."""
        return {f.name: self.read_binary(f.offset, f.length) for f in fields}

    def read_photo(self) -> bytes | None:
        """Read the photo chunk by chunk, strictly in order, stopping once the JPEG is complete.

        Returns None when the photo area holds no image. A chunk is never re-read: a failed chunk fails
        the whole photo, since re-reads and out-of-order chunks are what garble photos in the field.
        """
        buf = bytearray()
        for i in range(layout.PHOTO_CHUNKS):
            buf += self.read_binary(layout.PHOTO.offset + layout.PHOTO_CHUNK * i, layout.PHOTO_CHUNK)
            if buf[:2] == b"\xff\xd8":
                end = jpeg_end(bytes(buf))
                if end is not None:
                    return bytes(buf[:end])
            elif _is_padding(buf):
                # A card without a photo: the area is blank from its start.
                return None
            else:
                raise CardDataError("photo area does not start with a JPEG")
        # A JPEG whose segments we could not walk: fall back to the last end marker.
        end = buf.rfind(b"\xff\xd9")
        if end < 0:
            raise CardDataError("photo has no JPEG end marker")
        return bytes(buf[: end + 2])


def _is_padding(data: bytes | bytearray) -> bool:
    return not bytes(data).strip(b"\x00\x20\xff")


def jpeg_end(buf: bytes) -> int | None:
    """Index just past the JPEG's end-of-image marker, or None if `buf` does not hold it yet.

    Walks the segments rather than searching for FF D9, because an EXIF thumbnail carries its own end
    marker and the card's padding may hold anything.
    """
    n = len(buf)
    if buf[:2] != b"\xff\xd8":
        return None
    i = 2
    while i + 1 < n:
        if buf[i] != 0xFF:
            return None
        marker = buf[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        if marker == 0xD9:
            return i + 2
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        if i + 3 >= n:
            return None
        i += 2 + ((buf[i + 2] << 8) | buf[i + 3])
        if marker == 0xDA:
            # Entropy-coded data: FF is stuffed as FF 00, and restart markers may appear inside.
            while i + 1 < n and not _is_marker(buf[i], buf[i + 1]):
                i += 1
    return None


def _is_marker(b0: int, b1: int) -> bool:
    return b0 == 0xFF and b1 != 0x00 and not 0xD0 <= b1 <= 0xD7
