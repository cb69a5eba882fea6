"""The bundled Thai font, registered once with reportlab, and a text map that survives shaping.

HarfBuzz replaces some Thai glyphs with variants that have no Unicode value of their own (a tone
mark lowered over ค, ฐ without its tail above ู). The font maps them to the legacy Thai private-use
code points (U+F700-F71A), and reportlab gives any other one a private-use code of its own, so the
PDF's text layer would lose them: copy-paste and `pdftotext` would read ผู instead of ผู้. The
ToUnicode table is rewritten to put the real character back, taken from the glyph name
(`uni0E49.low` is U+0E49).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from kiosk.config import RESOURCES
from kiosk.errors import KnownError

FONT_DIR = RESOURCES / "fonts"
REGULAR = "Laksaman"
BOLD = "Laksaman-Bold"
MONO = "Courier"  # the barcode's human-readable line: ASCII only, a PDF standard font

_FILES = {REGULAR: "Laksaman.ttf", BOLD: "Laksaman-Bold.ttf"}
_GLYPH_NAME = re.compile(r"^uni([0-9A-F]{4})(?:\.|$)")
_lock = threading.Lock()
_registered = False


class FontMissingError(KnownError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            "ไม่พบแบบอักษรสำหรับพิมพ์เอกสาร กรุณาแจ้งผู้ดูแลระบบ",
            f"The document font {path} is missing; reinstall the kiosk's resources.",
        )


class _ShapingFont(TTFont):
    """A TTFont that remembers which real character each shaped-only glyph stands for."""

    def __init__(self, name: str, path: str) -> None:
        super().__init__(name, path)
        self.private_text: dict[int, int] = {}
        hb_font = super().hbFont(10)
        for code, gid in self.face.charToGlyph.items():
            if 0xE000 <= code <= 0xF8FF:
                match = _GLYPH_NAME.match(hb_font.glyph_to_string(gid))
                if match:
                    self.private_text[code] = int(match.group(1), 16)

    def hbFont(self, fontSize: float = 10) -> Any:  # noqa: N802, N803 - reportlab's names
        font = super().hbFont(fontSize)
        add_private: Callable[[str, int, int], int] = getattr(self, "hbAddPrivate")  # noqa: B009

        def remembering(name: str, gid: int, advance: int) -> int:
            code = int(add_private(name, gid, advance))
            match = _GLYPH_NAME.match(name)
            if match:
                self.private_text[code] = int(match.group(1), 16)
            return code

        self.hbAddPrivate = remembering
        return font


def _private_text_for(base_font_name: str) -> dict[int, int]:
    face_name = base_font_name.split("+", 1)[-1]
    for name in _FILES:
        font = pdfmetrics.getFont(name)
        if isinstance(font, _ShapingFont) and font.face.name.decode("latin-1", "replace") == face_name:
            return font.private_text
    return {}


def _install_to_unicode_map() -> None:
    original = ttfonts.makeToUnicodeCMap

    def make_to_unicode_cmap(fontname: str, subset: list[int]) -> str:
        mapping = _private_text_for(fontname)
        return str(original(fontname, [mapping.get(code, code) for code in subset]))

    ttfonts.makeToUnicodeCMap = make_to_unicode_cmap


def register() -> None:
    """Register the Thai fonts with reportlab (idempotent, thread-safe)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for name, filename in _FILES.items():
            path = FONT_DIR / filename
            if not path.is_file():
                raise FontMissingError(path)
            pdfmetrics.registerFont(_ShapingFont(name, str(path)))
        pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
        _install_to_unicode_map()
        _registered = True
