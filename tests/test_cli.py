"""`kiosk` as a person or another program at the counter runs it: a real process, real files."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import RESOURCES
from kiosk.storage.db import head_revision


def kiosk(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    # No screen: `kiosk run` must fall back to the office summary rather than open a window.
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["KIOSK_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_help_explains_every_command(tmp_path: Path) -> None:
    out = kiosk("--help", data_dir=tmp_path).stdout
    for command in ("run", "office", "catalog", "case", "config", "db", "demo", "card", "print", "printers"):
        assert command in out
    assert "list every service" in kiosk("catalog", "--help", data_dir=tmp_path).stdout


def test_demo_seed_then_case_list_shows_an_office(tmp_path: Path) -> None:
    seeded = kiosk("demo", "seed", data_dir=tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    cases = json.loads(kiosk("case", "list", "--json", "--limit", "500", data_dir=tmp_path).stdout)
    assert len(cases) == 44
    states = {c["state"] for c in cases}
    assert {
        "submitted",
        "needs_fix",
        "under_review",
        "awaiting_payment",
        "paid",
        "picked_up",
        "rejected",
    } <= states
    waiting = [c for c in cases if c["state"] == "awaiting_payment"]
    assert waiting and all(float(c["amount_due"]) > 0 for c in waiting)
    # Lists show a masked citizen ID only.
    assert all(c["citizen_id"].count("x") == 9 for c in cases)
    again = kiosk("demo", "seed", data_dir=tmp_path)
    assert "nothing added" in again.stdout
    table = kiosk("case", "list", data_dir=tmp_path).stdout
    assert "รอชำระค่าธรรมเนียม" in table and "44 case(s)" in table
    number = waiting[0]["number"]
    shown = kiosk("case", "show", number, data_dir=tmp_path)
    assert shown.returncode == 0 and "Ref.1" in shown.stdout and number in shown.stdout


def test_unknown_case_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    result = kiosk("case", "show", "K01-2569-99999", data_dir=tmp_path)
    assert result.returncode != 0
    assert "ไม่พบคำขอ" in result.stderr and "No case numbered" in result.stderr
    assert "Traceback" not in result.stderr


def test_catalog_check_fails_on_a_malformed_definition(tmp_path: Path) -> None:
    good = (RESOURCES / "services" / "signboard-tax.toml").read_text(encoding="utf-8")
    (tmp_path / "a.toml").write_text(good, encoding="utf-8")
    assert kiosk("catalog", "check", "--dir", str(tmp_path), data_dir=tmp_path).returncode == 0
    (tmp_path / "b.toml").write_text(
        good.replace('code = "signboard-tax"', 'code = "Bad Code"'), encoding="utf-8"
    )
    result = kiosk("catalog", "check", "--dir", str(tmp_path), data_dir=tmp_path)
    assert result.returncode == 1 and "b.toml: code: String should match pattern" in result.stdout
    listed = kiosk("catalog", "list", "--dir", str(tmp_path), "--json", data_dir=tmp_path)
    assert [s["code"] for s in json.loads(listed.stdout)] == ["signboard-tax"]
    assert "skipped: b.toml" in listed.stderr


def test_catalog_show_prints_the_manual(tmp_path: Path) -> None:
    out = kiosk("catalog", "show", "parking-space-alteration-permit", data_dir=tmp_path).stdout
    assert "ค่าธรรมเนียม" in out and "45" in out
    data = json.loads(kiosk("catalog", "show", "signboard-tax", "--json", data_dir=tmp_path).stdout)
    assert data["code"] == "signboard-tax" and data["fees"][0]["kind"] == "assessed"


def test_bad_configuration_stops_with_the_key(tmp_path: Path) -> None:
    (tmp_path / "kiosk.toml").write_text('[office]\ntax_id = "123"\n', encoding="utf-8")
    result = kiosk("config", "show", data_dir=tmp_path)
    assert result.returncode == 2 and "office.tax_id" in result.stderr and "Traceback" not in result.stderr


def test_config_show_and_db_upgrade(tmp_path: Path) -> None:
    shown = kiosk("config", "show", "--json", data_dir=tmp_path)
    assert json.loads(shown.stdout)["kiosk"]["id"] == "K01"
    upgraded = kiosk("db", "upgrade", data_dir=tmp_path)
    assert upgraded.returncode == 0 and f"schema {head_revision()}" in upgraded.stdout
    assert (tmp_path / "kiosk.sqlite").exists()


@pytest.mark.parametrize("args", [["case", "list", "--state", "nonsense"], ["catalog"]])
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    assert kiosk(*args, data_dir=tmp_path).returncode == 2


def test_run_without_a_screen_shows_the_office(tmp_path: Path) -> None:
    result = kiosk("run", "--demo", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "No display" in result.stderr
    assert "องค์การบริหารส่วนตำบลบางแก้วฟ้า" in result.stdout and "29 รายการ" in result.stdout
    assert "รอชำระค่าธรรมเนียม" in result.stdout


def test_office_summary_of_an_empty_counter(tmp_path: Path) -> None:
    result = kiosk("office", data_dir=tmp_path)
    assert result.returncode == 0 and "อยู่ระหว่างดำเนินการ 0" in result.stdout
