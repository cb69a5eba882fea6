"""The virtual card's behaviour (without vpcd) and the project's rules for the card package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kiosk.devices.card.profile import ATR_3B67, available_profiles, load_profile
from kiosk.devices.card.protocol import read_apdu, select_apdu
from kiosk.devices.card.simulator import VirtualCard
from kiosk.errors import ConfigError

ROOT = Path(__file__).resolve().parents[3]


def test_profiles_shipped() -> None:
    names = set(available_profiles())
    assert {"somchai", "nampueng", "chaloem", "boonmee-lifetime", "kongphop-expired", "not-thai-id"} <= names


def test_unknown_profile_is_a_known_error() -> None:
    with pytest.raises(ConfigError):
        load_profile("nobody")


def test_read_before_select_is_refused() -> None:
    card = VirtualCard(load_profile("somchai"))
    assert card.process(read_apdu(4, 13)) == b"\x69\x86"


def test_not_thai_id_card_answers_6a82() -> None:
    card = VirtualCard(load_profile("not-thai-id"))
    assert card.process(select_apdu()) == b"\x6a\x82"


def test_variant_changes_atr_and_get_response() -> None:
    card = VirtualCard(load_profile("somchai"), variant_3b67=True)
    assert card.atr == ATR_3B67
    card.process(select_apdu())
    card.process(read_apdu(4, 13))
    assert card.process(bytes.fromhex("00c000000d")) == b"\x6a\x86"
    assert card.process(bytes.fromhex("00c000010d")) == b"1101700203450\x90\x00"


def test_reset_deselects() -> None:
    card = VirtualCard(load_profile("somchai"))
    card.process(select_apdu())
    card.reset()
    assert card.process(read_apdu(4, 13)) == b"\x69\x86"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_pyscard_is_imported_in_one_module_and_devices_import_no_qt() -> None:
    importers = []
    for path in (ROOT / "kiosk").rglob("*.py"):
        mods = _imports(path)
        if any(m == "smartcard" or m.startswith("smartcard.") for m in mods):
            importers.append(path.relative_to(ROOT).as_posix())
        if path.is_relative_to(ROOT / "kiosk" / "devices"):
            assert not any(m.startswith("PySide6") for m in mods), path
    assert importers == ["kiosk/devices/card/pcsc.py"]
