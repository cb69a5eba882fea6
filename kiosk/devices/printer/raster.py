"""A PDF page as a 1-bit image for a thermal printer, through poppler's `pdftoppm`.

The ticket is drawn once, as a PDF, and the same drawing goes to the thermal head: no second
renderer to keep in step. 203 dpi is the usual 8 dots/mm head; the 72 mm printable width is 576 dots.
"""

from __future__ import annotations

import io
import shutil
import subprocess

from PIL import Image

from kiosk.devices.printer.errors import RasterError

DOTS_PER_MM = 8
DPI = DOTS_PER_MM * 25.4


def pdf_to_mono(pdf: bytes, *, width_dots: int = 576, page: int = 1) -> Image.Image:
    """Render one page at the head's resolution, crop the centre `width_dots`, threshold to 1 bit."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise RasterError(detail="pdftoppm not found (Debian: poppler-utils)")
    try:
        done = subprocess.run(  # noqa: S603 - fixed tool, PDF on stdin
            [tool, "-r", f"{DPI:.1f}", "-f", str(page), "-l", str(page), "-gray", "-png", "-"],
            input=pdf,
            capture_output=True,
            timeout=30,
            check=True,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        raise RasterError(detail=str(exc)) from exc
    image = Image.open(io.BytesIO(done.stdout)).convert("L")
    if image.width > width_dots:
        left = (image.width - width_dots) // 2
        image = image.crop((left, 0, left + width_dots, image.height))
    # Fixed threshold, not dithering: text and QR modules stay crisp on a thermal head.
    return image.point(lambda v: 0 if v < 160 else 255, mode="1")
