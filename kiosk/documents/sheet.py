"""A thin layer over a reportlab canvas that draws Thai correctly: shaped, wrapped at word
boundaries, measured with the same font metrics it draws with. Coordinates are points from the
bottom-left corner, as in reportlab; `y` of a text call is its baseline.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Literal

import qrcode
import qrcode.constants
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.colors import Color, black
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from kiosk.documents import fonts, thaitext

Align = Literal["left", "center", "right"]

GREY = Color(0.35, 0.35, 0.35)
LIGHT = Color(0.9, 0.9, 0.9)


class Sheet:
    """One PDF being drawn. `finish()` returns its bytes."""

    def __init__(self, pagesize: tuple[float, float], *, title: str, subject: str = "") -> None:
        fonts.register()
        self._buffer = io.BytesIO()
        # Fixed metadata and no invariant ID: the same case prints the same bytes (tests, reprints).
        self.canvas = Canvas(self._buffer, pagesize=pagesize, pageCompression=1, invariant=1)
        self.canvas.setTitle(title)
        self.canvas.setSubject(subject)
        self.canvas.setAuthor("Counter Kiosk")
        self.canvas.setCreator("Counter Kiosk")
        self.width, self.height = pagesize

    # --- text -------------------------------------------------------------------------------

    @staticmethod
    def font(bold: bool) -> str:
        return fonts.BOLD if bold else fonts.REGULAR

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = 12,
        bold: bool = False,
        align: Align = "left",
        color: Color = black,
        font: str | None = None,
    ) -> float:
        """One line, shaped; returns its width. `x` is the left edge, centre or right edge."""
        name = font or self.font(bold)
        w = thaitext.width(text, name, size)
        left = x - w / 2 if align == "center" else x - w if align == "right" else x
        c = self.canvas
        c.setFillColor(color)
        c.setFont(name, size)
        c.drawString(left, y, thaitext.shaped(text, name, size))
        c.setFillColor(black)
        return w

    def para(
        self,
        x: float,
        y: float,
        width: float,
        text: str,
        *,
        size: float = 12,
        bold: bool = False,
        leading: float | None = None,
        align: Align = "left",
        color: Color = black,
        indent: float = 0,
    ) -> float:
        """A wrapped paragraph whose first baseline is `y`; returns the baseline after its last line.

        `indent` is the hanging indent of the lines after the first (numbered items).
        """
        lead = leading or size * 1.45
        name = self.font(bold)
        first, *rest = thaitext.wrap(text, name, size, width) or [""]
        if rest and indent:
            rest = thaitext.wrap(text[len(first) :].lstrip(), name, size, width - indent)
        lines = [(first, 0.0)] + [(line, indent) for line in rest]
        for line, shift in lines:
            anchor = x + shift if align == "left" else x + width / 2 if align == "center" else x + width
            self.text(anchor, y, line, size=size, bold=bold, align=align, color=color)
            y -= lead
        return y

    def line_count(self, width: float, text: str, *, size: float = 12, bold: bool = False) -> int:
        return len(thaitext.wrap(text, self.font(bold), size, width))

    def label(
        self, x: float, y: float, thai: str, english: str, *, size: float = 11, bold: bool = True
    ) -> None:
        """A field label: Thai, with its English name small and grey underneath."""
        self.text(x, y, thai, size=size, bold=bold)
        self.text(x, y - size * 0.95, english, size=size * 0.68, color=GREY)

    # --- lines and boxes --------------------------------------------------------------------

    def rule(self, x1: float, y: float, x2: float, *, width: float = 0.6, dash: Sequence[float] = ()) -> None:
        c = self.canvas
        c.setLineWidth(width)
        c.setDash(list(dash) if dash else [])
        c.line(x1, y, x2, y)
        c.setDash([])

    def box(
        self, x: float, y: float, w: float, h: float, *, width: float = 0.6, fill: Color | None = None
    ) -> None:
        c = self.canvas
        c.setLineWidth(width)
        if fill is not None:
            c.setFillColor(fill)
        c.rect(x, y, w, h, stroke=1, fill=1 if fill is not None else 0)
        c.setFillColor(black)

    def checkbox(self, x: float, y: float, label: str, *, size: float = 11) -> float:
        side = size * 0.75
        self.box(x, y - 1, side, side)
        return side + 4 + self.text(x + side + 4, y, label, size=size)

    def dotted_line(self, x1: float, y: float, x2: float) -> None:
        self.rule(x1, y - 2, x2, width=0.5, dash=(1, 2))

    # --- codes ------------------------------------------------------------------------------

    def qr(self, x: float, y: float, side: float, data: str) -> None:
        """A QR code of `side` points with its lower-left corner at (x, y), quiet zone outside it.

        Level M: a crumpled ticket or slip still scans; the payloads are short enough.
        """
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, box_size=1)
        code.add_data(data.encode("utf-8"))
        code.make(fit=True)
        matrix: list[list[bool]] = code.get_matrix()
        n = len(matrix)
        cell = side / n
        path = self.canvas.beginPath()
        for row, cells in enumerate(matrix):
            col = 0
            while col < n:
                if not cells[col]:
                    col += 1
                    continue
                start = col
                while col < n and cells[col]:
                    col += 1
                # Runs of dark modules as one rectangle each: smaller PDF, no hairline seams.
                path.rect(x + start * cell, y + (n - 1 - row) * cell, (col - start) * cell, cell)
        self.canvas.setFillColor(black)
        self.canvas.drawPath(path, stroke=0, fill=1)

    def barcode128(
        self, x: float, y: float, content: str, *, module: float = 0.3 * mm, height: float = 13 * mm
    ) -> float:
        """Code 128 (reportlab switches code sets A/B/C itself); returns its width with quiet zones."""
        code = Code128(content, barWidth=module, barHeight=height, humanReadable=False, quiet=1)
        code.drawOn(self.canvas, x, y)
        return float(code.width)

    @staticmethod
    def barcode128_width(content: str, *, module: float = 0.3 * mm) -> float:
        return float(Code128(content, barWidth=module, humanReadable=False, quiet=1).width)

    # --- pages ------------------------------------------------------------------------------

    def new_page(self) -> None:
        self.canvas.showPage()

    def finish(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self._buffer.getvalue()
