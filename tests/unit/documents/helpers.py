"""Independent readers of what the kiosk prints: poppler for text and pixels, zbar for the codes."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

_MARKS = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]+")


def need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (scripts/setup.sh installs them)")


def canon(text: str) -> str:
    """Thai text compared the way a reader sees it.

    A PDF's text layer stores glyphs in drawing order: sara am comes back as nikhahit + sara aa, and a
    tone mark may come back before or after the vowel it sits on. Decompose, drop spaces, and give
    each cluster its marks (and the sara aa of a sara am) in sorted order.
    """
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKD", text))
    clusters: list[list[str]] = []
    for ch in text:
        cluster = clusters[-1] if clusters else None
        joins_am = ch == "\u0e32" and cluster is not None and "\u0e4d" in cluster and "\u0e32" not in cluster
        if cluster is not None and (_MARKS.fullmatch(ch) or joins_am):
            cluster.append(ch)
        else:
            clusters.append([ch])
    return "".join(c[0] + "".join(sorted(c[1:])) for c in clusters)


def pdf_text(pdf: bytes, tmp_path: Path, name: str = "doc") -> str:
    need("pdftotext")
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def render(pdf: bytes, tmp_path: Path, name: str = "doc", dpi: int = 300) -> list[Path]:
    need("pdftoppm")
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(tmp_path / name)], check=True)
    return sorted(tmp_path.glob(f"{name}-*.png"))


def decode(png: Path, symbology: str) -> list[bytes]:
    """Every symbol of one kind zbar finds in the image (`code128` or `qrcode`), raw bytes."""
    need("zbarimg")
    done = subprocess.run(
        ["zbarimg", "--raw", "-q", "-Sdisable", f"-S{symbology}.enable", str(png)],
        capture_output=True,
        check=False,
    )
    # Symbols are separated by newlines; Bill Payment data holds CRs, never LFs.
    return [line for line in done.stdout.split(b"\n") if line]
