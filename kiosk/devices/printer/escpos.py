"""Driverless thermal printers: the ticket as a raster image over ESC/POS (GS v 0).

Thai through ESC/POS text mode depends on firmware code pages, so the ticket goes as pixels. The
transport is a device path (USB printer class, `/dev/usb/lp0`), a TCP socket (`tcp://host:9100`) or
a plain file (captures for tests). Real-time status (DLE EOT) is asked only over TCP, where the printer
answers; a USB class device may not.
"""

from __future__ import annotations

import logging
import socket
from pathlib import Path
from urllib.parse import urlparse

from PIL import Image

from kiosk.devices.printer.errors import OutOfPaperError, PrinterOfflineError, PrintJobFailedError

log = logging.getLogger(__name__)

ESC_INIT = b"\x1b\x40"
FEED_AND_CUT = b"\x1b\x64\x04" + b"\x1d\x56\x42\x00"  # feed 4 lines, partial cut with feed
STATUS_PAPER = b"\x10\x04\x04"  # DLE EOT 4: roll paper sensor status
BAND_ROWS = 256  # one GS v 0 command per band: small printer buffers overflow on one huge image


def raster_command(image: Image.Image) -> bytes:
    """GS v 0 m xL xH yL yH d1...dk for a 1-bit image, in bands; dark pixel = dot."""
    mono = image.convert("1")
    width_bytes = (mono.width + 7) // 8
    padded = Image.new("1", (width_bytes * 8, mono.height), 1)
    padded.paste(mono, (0, 0))
    # PIL packs mode "1" rows MSB first with 1 = white; ESC/POS wants 1 = black.
    data = bytes(b ^ 0xFF for b in padded.tobytes())
    out = bytearray()
    for top in range(0, mono.height, BAND_ROWS):
        rows = min(BAND_ROWS, mono.height - top)
        out += b"\x1d\x76\x30\x00"
        out += bytes((width_bytes & 0xFF, width_bytes >> 8, rows & 0xFF, rows >> 8))
        out += data[top * width_bytes : (top + rows) * width_bytes]
    return bytes(out)


def job_bytes(image: Image.Image) -> bytes:
    return ESC_INIT + raster_command(image) + FEED_AND_CUT


class EscPosPrinter:
    """`target`: `tcp://host:port`, or a path (device node or capture file)."""

    def __init__(self, target: str, *, timeout: float = 10.0) -> None:
        self.target = target
        self.timeout = timeout

    @property
    def name(self) -> str:
        return f"escpos:{self.target}"

    def print_image(self, image: Image.Image) -> str:
        payload = job_bytes(image)
        if self.target.startswith("tcp://"):
            self._send_tcp(payload)
        else:
            self._send_path(payload)
        return self.name

    def _send_tcp(self, payload: bytes) -> None:
        url = urlparse(self.target)
        host, port = url.hostname or "", url.port or 9100
        try:
            with socket.create_connection((host, port), timeout=self.timeout) as conn:
                conn.sendall(STATUS_PAPER)
                status = conn.recv(1)
                # Bits 5-6 set: paper end detected by the roll sensor.
                if status and status[0] & 0x60:
                    raise OutOfPaperError(self.name, detail=f"DLE EOT 4 = 0x{status[0]:02x}")
                conn.sendall(payload)
        except OutOfPaperError:
            raise
        except TimeoutError as exc:
            raise PrinterOfflineError(self.name, detail=f"no answer from {host}:{port}") from exc
        except OSError as exc:
            raise PrinterOfflineError(self.name, detail=str(exc)) from exc

    def _send_path(self, payload: bytes) -> None:
        path = Path(self.target)
        if path.parent and not path.parent.exists():
            raise PrinterOfflineError(self.name, detail=f"{path.parent} does not exist")
        try:
            with path.open("ab") as device:
                device.write(payload)
                device.flush()
        except FileNotFoundError as exc:
            raise PrinterOfflineError(self.name, detail=str(exc)) from exc
        except OSError as exc:
            # ENOSPC on /dev/usb/lp* is how the USB printer class reports paper out.
            if exc.errno == 28:
                raise OutOfPaperError(self.name, detail=str(exc)) from exc
            raise PrintJobFailedError(self.name, detail=str(exc)) from exc
