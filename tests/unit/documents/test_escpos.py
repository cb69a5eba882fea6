"""The ESC/POS raster path on a captured byte stream: header bytes and raster dimensions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PIL import Image

from kiosk.counter import Counter
from kiosk.devices.printer.escpos import BAND_ROWS, ESC_INIT, FEED_AND_CUT, EscPosPrinter, raster_command
from kiosk.devices.printer.raster import pdf_to_mono
from kiosk.documents import DocumentKind, TicketInfo, build
from kiosk.domain.workflow import CaseState

from .helpers import need


def _bands(stream: bytes) -> list[tuple[int, int, bytes]]:
    """Parse GS v 0 commands: (width in bytes, rows, data) for each band."""
    bands = []
    i = 0
    while i < len(stream):
        assert stream[i : i + 4] == b"\x1d\x76\x30\x00", f"not GS v 0 at {i}"
        xl, xh, yl, yh = stream[i + 4 : i + 8]
        width, rows = xl + 256 * xh, yl + 256 * yh
        data = stream[i + 8 : i + 8 + width * rows]
        assert len(data) == width * rows
        bands.append((width, rows, data))
        i += 8 + width * rows
    return bands


def test_raster_bits_and_padding() -> None:
    image = Image.new("1", (10, 3), 1)
    image.putpixel((0, 0), 0)  # top-left dot
    image.putpixel((9, 2), 0)  # bottom-right dot, in the padded second byte
    ((width, rows, data),) = _bands(raster_command(image))
    assert (width, rows) == (2, 3)
    assert data == bytes([0x80, 0x00, 0x00, 0x00, 0x00, 0x40])


def test_ticket_over_escpos_capture(tmp_path: Path) -> None:
    need("pdftoppm")
    counter = Counter.open(tmp_path / "office")
    try:
        from kiosk.demo import seed

        seed(counter, now=dt.datetime(2026, 7, 15, 2, 5, tzinfo=dt.UTC))
        case = counter.cases.get(counter.cases.find(state=CaseState.SUBMITTED)[0].number)
        doc = build(DocumentKind.TICKET, case, counter.config, None, ticket=TicketInfo("A007", 2, 10))
    finally:
        counter.close()
    image = pdf_to_mono(doc.pdf)
    assert image.width == 576  # 72 mm at 8 dots/mm
    capture = tmp_path / "lp0.bin"
    assert EscPosPrinter(str(capture)).print_image(image) == f"escpos:{capture}"
    stream = capture.read_bytes()
    assert stream.startswith(ESC_INIT) and stream.endswith(FEED_AND_CUT)
    bands = _bands(stream[len(ESC_INIT) : -len(FEED_AND_CUT)])
    assert all(width == 72 for width, _, _ in bands)
    assert sum(rows for _, rows, _ in bands) == image.height
    assert all(rows <= BAND_ROWS for _, rows, _ in bands)
    ink = sum(bin(b).count("1") for _, _, data in bands for b in data)
    assert 0.03 < ink / (576 * image.height) < 0.5  # text and a QR, not a blank or black strip
