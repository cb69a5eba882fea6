"""Translations: complete, placeholders kept, the .qm built from the .ts, every string extracted."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kiosk.ui.i18n import TRANSLATIONS

TS = TRANSLATIONS / "kiosk_th.ts"
QM = TRANSLATIONS / "kiosk_th.qm"
UI = Path(__file__).resolve().parents[2] / "kiosk" / "ui"
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def tool(name: str) -> str:
    path = Path(sys.executable).parent / name
    if not path.exists():
        pytest.fail(f"{name} not found beside {sys.executable} (it comes with PySide6-Essentials)")
    return str(path)


def messages(path: Path) -> list[tuple[str, str, str]]:
    """(source, translation, type) of every message."""
    out = []
    for m in ET.parse(path).iter("message"):  # noqa: S314 - our own file from the repository
        source = m.findtext("source") or ""
        translation = m.find("translation")
        assert translation is not None
        out.append((source, translation.text or "", translation.get("type", "")))
    return out


def test_every_translation_keeps_its_placeholders() -> None:
    wrong = [
        (src, text)
        for src, text, _ in messages(TS)
        if sorted(PLACEHOLDER.findall(src)) != sorted(PLACEHOLDER.findall(text))
    ]
    assert not wrong


def test_every_message_is_translated() -> None:
    unfinished = [
        src for src, text, kind in messages(TS) if kind in {"unfinished", "vanished", "obsolete"} or not text
    ]
    assert not unfinished


def test_every_string_in_the_code_is_in_the_ts(tmp_path: Path) -> None:
    copy = tmp_path / "kiosk_th.ts"
    shutil.copy(TS, copy)
    sources = sorted(str(p) for p in UI.rglob("*.py"))
    subprocess.run(
        [tool("pyside6-lupdate"), *sources, "-ts", str(copy), "-no-obsolete", "-locations", "none"],
        check=True,
        capture_output=True,
    )
    new = [src for src, text, kind in messages(copy) if kind == "unfinished" or not text]
    assert not new, "run pyside6-lupdate and translate (see resources/translations/README.md)"
    assert {m[0] for m in messages(copy)} == {m[0] for m in messages(TS)}, (
        "the .ts holds strings the code no longer uses"
    )


def test_the_qm_is_built_from_the_ts(tmp_path: Path) -> None:
    built = tmp_path / "kiosk_th.qm"
    subprocess.run([tool("pyside6-lrelease"), str(TS), "-qm", str(built)], check=True, capture_output=True)
    assert built.read_bytes() == QM.read_bytes(), "rebuild the .qm with pyside6-lrelease"
