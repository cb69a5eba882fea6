"""`kiosk card ...` as other programs at the counter call it: a subprocess, JSON on stdout, exit codes."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.devices.card.simulator import VpcdSimulator

from .conftest import READER, Pcscd, card_present, wait_until

pytestmark = pytest.mark.integration

Insert = Callable[..., VpcdSimulator]
KIOSK = Path(sys.executable).with_name("kiosk")


def run_kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(KIOSK), *args], capture_output=True, text=True, timeout=30)


def test_read_json(insert: Insert) -> None:
    insert("nampueng")
    proc = run_kiosk("card", "read", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {
        "citizen_id": "1102900812345",
        "citizen_id_valid": True,
        "name_th": {"prefix": "นางสาว", "first": "น้ำผึ้ง", "middle": "", "last": "ศรีสุข"},
        "name_en": {"prefix": "Miss", "first": "Nampueng", "middle": "Rose", "last": "Srisuk"},
        "birth_date": "1993-07",
        "birth_date_be": "25360700",
        "gender": "female",
        "issuer": "อำเภอเมืองขอนแก่น/ขอนแก่น",
        "issue_date": "2023-08-22",
        "expiry_date": "2032-07-21",
        "address": {
            "house_no": "99/1",
            "moo": "หมู่ที่ 5",
            "trok": "",
            "soi": "",
            "road": "",
            "subdistrict": "ตำบลหนองน้ำใส",
            "district": "อำเภอเมืองขอนแก่น",
            "province": "จังหวัดขอนแก่น",
            "full": "99/1 หมู่ที่ 5 ตำบลหนองน้ำใส อำเภอเมืองขอนแก่น จังหวัดขอนแก่น",
        },
    }
    assert "น้ำผึ้ง" in proc.stdout  # ensure_ascii=False: Thai as Thai, not \u escapes


def test_read_lifetime_json_and_photo(insert: Insert, tmp_path: Path) -> None:
    insert("somchai")
    photo = tmp_path / "photo.jpg"
    proc = run_kiosk("card", "read", "--reader", READER, "--photo", str(photo), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)

    assert data["photo_sha256"] == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert photo.read_bytes()[:2] == b"\xff\xd8"


def test_lifetime_expiry_is_null(insert: Insert) -> None:
    insert("boonmee-lifetime")
    data = json.loads(run_kiosk("card", "read", "--json").stdout)
    assert data["expiry_date"] is None and data["birth_date"] == "1942"


def test_no_card_exit_4(pcscd: Pcscd) -> None:
    proc = run_kiosk("card", "read", "--json")
    assert proc.returncode == 4
    assert "ไม่พบบัตร" in proc.stderr and "No card in the reader" in proc.stderr
    assert json.loads(proc.stdout)["error"]["kind"] == "no_card"
    assert "Traceback" not in proc.stderr


def test_wrong_card_exit_5(insert: Insert) -> None:
    insert("not-thai-id")
    proc = run_kiosk("card", "read")
    assert proc.returncode == 5
    assert "ไม่ใช่บัตรประจำตัวประชาชน" in proc.stderr and "not a Thai national ID card" in proc.stderr


def test_unknown_reader_exit_3(pcscd: Pcscd) -> None:
    assert run_kiosk("card", "read", "--reader", "No Such Reader 00 00").returncode == 3


def test_readers(pcscd: Pcscd) -> None:
    proc = run_kiosk("card", "readers")
    assert proc.returncode == 0 and READER in proc.stdout.splitlines()


def test_simulate_and_watch_subprocesses(pcscd: Pcscd) -> None:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    watch = subprocess.Popen(
        [str(KIOSK), "card", "watch", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    sim = subprocess.Popen(
        [str(KIOSK), "card", "simulate", "kongphop-expired"], stderr=subprocess.PIPE, env=env
    )
    try:
        assert watch.stdout is not None
        seen: list[dict[str, object]] = []
        for line in watch.stdout:
            seen.append(json.loads(line))
            if seen[-1]["event"] == "card_read":
                break
        kinds = [e["event"] for e in seen]
        assert kinds.count("reader_added") == 2 and "card_inserted" in kinds
        card = seen[-1]["card"]
        assert isinstance(card, dict) and card["expiry_date"] == "2023-03-15"
        sim.send_signal(signal.SIGINT)
        assert sim.wait(10) == 0
        assert json.loads(watch.stdout.readline())["event"] == "card_removed"
        watch.send_signal(signal.SIGINT)
        assert watch.wait(10) == 0
        assert watch.stderr is not None and "Traceback" not in watch.stderr.read()
    finally:
        for proc in (sim, watch):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    wait_until(lambda: not card_present(), 5, "the reader to be empty")
