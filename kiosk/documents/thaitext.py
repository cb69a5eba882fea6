"""Thai line breaking and shaping for reportlab.

Thai has no spaces between words, and reportlab breaks lines only at spaces, so a long Thai run
either overflows or is cut mid-word. Qt's `QTextBoundaryFinder` knows where Thai words end (it uses
libthai's dictionary on Linux); we ask it for the line-break opportunities, fill each line greedily
with reportlab's own width measure, and draw each line pre-shaped by HarfBuzz (`shapeStr`), because
`canvas.drawString` does not shape by itself.

Where Qt finds no opportunity inside a run wider than the line (a platform without a Thai
dictionary, or a very long word in a narrow column), the run is cut between grapheme clusters, so a
tone mark never leaves its consonant; that is logged, because it is a mid-word break.
"""

from __future__ import annotations

import functools
import logging

from PySide6.QtCore import QTextBoundaryFinder
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import ShapedStr, shapeStr

log = logging.getLogger(__name__)

_LINE = QTextBoundaryFinder.BoundaryType.Line
_GRAPHEME = QTextBoundaryFinder.BoundaryType.Grapheme


def _boundaries(text: str, kind: QTextBoundaryFinder.BoundaryType) -> list[int]:
    finder = QTextBoundaryFinder(kind, text)
    points: list[int] = []
    pos = finder.toNextBoundary()
    while pos != -1:
        points.append(pos)
        pos = finder.toNextBoundary()
    return points


@functools.lru_cache(maxsize=4096)
def segments(text: str) -> tuple[str, ...]:
    """The pieces of `text` between line-break opportunities; each keeps its trailing spaces.

    Cached: documents repeat the same labels (office name, headings) on every print.
    """
    pieces: list[str] = []
    start = 0
    for pos in _boundaries(text, _LINE):
        if pos > start:
            pieces.append(text[start:pos])
            start = pos
    if start < len(text):
        pieces.append(text[start:])
    return tuple(pieces)


def graphemes(text: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for pos in _boundaries(text, _GRAPHEME):
        if pos > start:
            pieces.append(text[start:pos])
            start = pos
    return pieces


def width(text: str, font: str, size: float) -> float:
    # Thai marks have no advance in the bundled font, so the unshaped width is the shaped one.
    return float(stringWidth(text, font, size))


def _split_long(piece: str, font: str, size: float, max_width: float) -> list[str]:
    log.warning("no word break fits a %.0f pt line: cutting a %d-character run", max_width, len(piece))
    parts: list[str] = []
    current = ""
    for cluster in graphemes(piece):
        if current and width(current + cluster, font, size) > max_width:
            parts.append(current)
            current = ""
        current += cluster
    if current:
        parts.append(current)
    return parts


def wrap(text: str, font: str, size: float, max_width: float) -> list[str]:
    """Lines of `text` no wider than `max_width` points, broken only at word boundaries.

    Explicit newlines are kept. Trailing spaces are dropped from each line.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for piece in segments(paragraph):
            candidate = current + piece
            if width(candidate.rstrip(), font, size) <= max_width:
                current = candidate
                continue
            if current.strip():
                lines.append(current.rstrip())
            current = ""
            if width(piece.rstrip(), font, size) <= max_width:
                current = piece
                continue
            *full, current = _split_long(piece.rstrip(), font, size, max_width)
            lines.extend(full)
        lines.append(current.rstrip())
    return lines


def shaped(text: str, font: str, size: float) -> str | ShapedStr:
    """`text` shaped by HarfBuzz for `canvas.drawString` (plain ASCII needs no shaping)."""
    if text.isascii():
        return text
    return shapeStr(text, font, size)


def fit_size(text: str, font: str, size: float, max_width: float, minimum: float) -> float:
    """The largest size from `size` down to `minimum` at which `text` fits on one line."""
    while size > minimum and width(text, font, size) > max_width:
        size -= 0.5
    return size
