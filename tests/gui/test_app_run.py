"""`kiosk.ui.app.run`, as `kiosk run` will call it: starts on the embedded demo and stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = "import sys, pathlib; from kiosk.ui.app import run; sys.exit(run(pathlib.Path(sys.argv[1]), fullscreen=True, demo=True))"


def _cases(db: Path) -> int:
    try:
        with sqlite3.connect(db) as con:
            return con.execute("SELECT count(*) FROM cases").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_run_starts_on_the_demo_office_and_stops_cleanly(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        # The demo office is seeded before the window opens; give the event loop a moment after that.
        while _cases(tmp_path / "kiosk.sqlite") == 0:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the demo office was not seeded"
            time.sleep(0.1)
        time.sleep(1.0)
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
