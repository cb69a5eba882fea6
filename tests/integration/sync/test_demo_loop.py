"""The embedded demo's whole loop through real processes: kiosk, a local central server, officer, bank."""

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_submit_approve_slip_pay_and_status_back(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["KIOSK_DATA_DIR"] = str(tmp_path)

    def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "kiosk.cli", *args], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done

    kiosk("demo", "seed")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "demo", "central", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        lines = [server.stdout.readline() for _ in range(2)]
        assert "enrolled as K01" in lines[0] and "ready" in lines[1], lines
        url = f"http://127.0.0.1:{port}"
        kiosk("sync", "run", "--once")
        status = json.loads(kiosk("sync", "status", "--json").stdout)
        assert status["queued"] == 0

        # Decisions a kiosk cannot make (the demo seed made some locally) stay the office's: after the
        # first sync the kiosk shows the server's state, and the officer takes a case from there.
        assert not json.loads(kiosk("case", "list", "--json", "--state", "approved").stdout)
        number = next(
            c["number"] for c in json.loads(kiosk("case", "list", "--json", "--state", "complete").stdout)
        )
        officer = ("demo", "demo-2569")
        action = f"{url}/api/v1/office/cases/{number}/actions"
        considered = httpx.post(action, auth=officer, json={"action": "consider"}, timeout=30)
        assert considered.status_code == 200, considered.text
        decision = httpx.post(
            action,
            auth=officer,
            json={
                "action": "approve",
                "fees": [{"key": "permit", "label_th": "ค่าใบอนุญาต", "amount_satang": 20000}],
            },
            timeout=30,
        )
        assert decision.status_code == 200, decision.text
        kiosk("sync", "run", "--once")
        case = json.loads(kiosk("case", "show", number, "--json").stdout)
        assert case["state"] == "awaiting_payment" and case["invoices"][0]["total"] == "200.00"
        kiosk("print", "slip", "--case", number, "--out", str(tmp_path / "slip.pdf"))
        assert (tmp_path / "slip.pdf").stat().st_size > 10_000

        ref1 = case["invoices"][0]["ref1"]
        bank = tmp_path / "bank.csv"
        bank.write_text(f"date,ref1,ref2,amount,channel\n2026-11-22,{ref1},01,200.00,ATM\n", encoding="utf-8")
        imported = subprocess.run(
            [sys.executable, "-m", "central.cli", "import-bank-file", str(bank)],
            env={**env, "CENTRAL_DATA_DIR": str(tmp_path / "central")},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert imported.returncode == 0, imported.stderr
        kiosk("sync", "run", "--once")
        assert json.loads(kiosk("case", "show", number, "--json").stdout)["state"] == "paid"
    finally:
        server.send_signal(signal.SIGINT)
        try:
            assert server.wait(30) == 0
        finally:
            if server.poll() is None:
                server.kill()
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0, "the demo server is still listening"
