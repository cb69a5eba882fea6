"""Lockdown: a locked kiosk cannot be closed, minimised or keyed out of full screen; signed-in staff
can leave full screen and exit; a window or demo mode stays closable; `kiosk run` locks itself and
exits with STAFF_EXIT_CODE when staff close it (the service manager then leaves it down).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QWidget

from kiosk.storage import audit
from kiosk.ui.app import STAFF_EXIT_CODE, locked_down
from kiosk.ui.window import BLOCKED_KEYS, Screen
from tests.gui.conftest import STAFF_CODE, STAFF_PIN, SUPERVISOR_CODE, SUPERVISOR_PIN, Harness
from tests.gui.test_visits import unlock_staff


@pytest.fixture
def locked(kiosk: Harness, qtbot) -> Harness:  # noqa: ANN001
    kiosk.w.showFullScreen()
    qtbot.waitUntil(kiosk.w.isFullScreen)
    kiosk.w.set_locked(True)
    return kiosk


def test_close_is_refused(locked: Harness, qtbot) -> None:  # noqa: ANN001
    w = locked.w
    with qtbot.waitSignal(w.close_refused):
        assert not w.close()
    # What the window manager sends for Alt+F4 or its close button goes through the QWindow.
    handle = w.windowHandle()
    assert handle is not None
    with qtbot.waitSignal(w.close_refused):
        handle.close()
    assert w.isVisible() and w.isFullScreen()


@pytest.mark.parametrize("leave", ["showMinimized", "showNormal", "showMaximized"])
def test_leaving_full_screen_is_reverted(locked: Harness, qtbot, leave: str) -> None:  # noqa: ANN001
    w = locked.w
    getattr(w, leave)()
    qtbot.waitUntil(lambda: w.isFullScreen() and not w.isMinimized())
    assert w.isVisible()


def _press(qtbot, target: QWidget, keys: str) -> None:  # noqa: ANN001
    combo = QKeySequence(keys)[0]
    qtbot.keyClick(target, combo.key(), combo.keyboardModifiers())


@pytest.mark.parametrize("keys", BLOCKED_KEYS)
def test_closing_keys_do_nothing(locked: Harness, qtbot, keys: str) -> None:  # noqa: ANN001
    w, c = locked.w, locked.c
    c.open_status()  # a screen with a text field that has the focus
    assert c.screen is Screen.STATUS
    for target in (w, w.status.number):
        with qtbot.waitSignal(w.key_blocked) as blocked:
            _press(qtbot, target, keys)
        assert blocked.args == [keys]
    assert w.isVisible() and w.isFullScreen() and c.screen is Screen.STATUS


def test_exit_needs_a_sign_in_then_closes(locked: Harness, qtbot) -> None:  # noqa: ANN001
    h = locked
    assert not h.w.exit_button.isVisible()
    h.c.request_exit()  # as if the signal came without staff: nothing happens
    assert h.w.isVisible() and not h.w.exited_by_staff
    unlock_staff(h, qtbot)
    assert h.w.exit_button.isVisible() and h.w.exit_button.text() == "ปิดตู้บริการ"
    qtbot.mouseClick(h.w.exit_button, Qt.MouseButton.LeftButton)
    # Signed in is not enough: the pad asks for a staff code and PIN again, and a wrong PIN keeps it open.
    assert h.w.pin.isVisible() and h.w.isVisible() and not h.w.exited_by_staff
    qtbot.keyClicks(h.w.pin.code, STAFF_CODE)
    qtbot.keyClicks(h.w.pin.entry, "0000")
    qtbot.keyClick(h.w.pin.entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(h.w.pin.error.text()), timeout=10_000)
    assert h.w.isVisible() and not h.w.exited_by_staff and h.c.staff
    qtbot.keyClicks(h.w.pin.entry, STAFF_PIN)
    with qtbot.waitSignal(h.w.exited, timeout=10_000):
        qtbot.keyClick(h.w.pin.entry, Qt.Key.Key_Return)
    assert h.w.exited_by_staff and not h.w.isVisible()
    assert not h.c.staff, "staff are signed out with the visit that ended"
    qtbot.waitUntil(lambda: not h.c.db.busy, timeout=10_000)
    entries = [(e.action, e.staff_id, e.detail) for e in reversed(audit.recent(h.counter.db))]
    assert (
        audit.SIGN_IN_FAILED,
        STAFF_CODE,
        {"purpose": "exit", "why": "wrong_pin", "failures": 1},
    ) in entries
    assert (audit.SIGN_IN, STAFF_CODE, {"purpose": "exit"}) in entries


def test_exit_during_a_take_over_asks_for_the_pin_again(locked: Harness, qtbot) -> None:  # noqa: ANN001
    """During a take-over every touch keeps staff signed in: whoever finds the kiosk so cannot close it."""
    h = locked
    unlock_staff(h, qtbot)
    h.w.staff_bar.takeover.click()
    assert h.c.takeover
    qtbot.mouseClick(h.w.exit_button, Qt.MouseButton.LeftButton)
    assert h.w.pin.isVisible() and not h.w.exited_by_staff
    h.w.pin.cancel.click()  # walking away from the pad closes nothing
    assert not h.w.pin.isVisible() and h.w.isVisible() and h.c.staff and h.c.takeover
    qtbot.mouseClick(h.w.exit_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(h.w.pin.code, SUPERVISOR_CODE)
    qtbot.keyClicks(h.w.pin.entry, SUPERVISOR_PIN)
    with qtbot.waitSignal(h.w.exited, timeout=10_000):
        qtbot.keyClick(h.w.pin.entry, Qt.Key.Key_Return)
    assert h.w.exited_by_staff and not h.c.staff


def test_staff_may_leave_full_screen_and_signing_out_restores_it(locked: Harness, qtbot) -> None:  # noqa: ANN001
    h = locked
    unlock_staff(h, qtbot)
    h.w.staff_bar.fullscreen.click()
    qtbot.waitUntil(lambda: not h.w.isFullScreen())
    h.w.showMinimized()  # staff's own choice: not reverted while they are signed in
    assert h.w.isMinimized()
    h.w.staff_bar.lock_button.click()
    qtbot.waitUntil(lambda: h.w.isFullScreen() and not h.w.isMinimized())


def test_a_window_or_demo_mode_stays_closable(make_kiosk, qtbot) -> None:  # noqa: ANN001
    assert locked_down(fullscreen=True, demo=False)
    assert not locked_down(fullscreen=False, demo=False) and not locked_down(fullscreen=True, demo=True)
    h = make_kiosk(demo=True)
    h.w.set_locked(locked_down(fullscreen=True, demo=True))
    assert not h.w.locked
    _press(qtbot, h.w, "F1")  # keys work as before; nothing is blocked
    with qtbot.waitSignal(h.w.closing):
        assert h.w.close()


def test_shutdown_closes_a_locked_window(locked: Harness, qtbot) -> None:  # noqa: ANN001
    """SIGTERM from the service manager ends in Kiosk.shutdown: the lock must not hold it."""
    with qtbot.waitSignal(locked.w.closing):
        locked.kiosk.shutdown()
    assert not locked.w.isVisible()


SCRIPT = r"""
import pathlib, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from kiosk.ui.app import run
from kiosk.ui.window import KioskWindow

app = QApplication(sys.argv[:1])
seen = []

def probe():
    window = next((w for w in app.topLevelWidgets() if isinstance(w, KioskWindow) and w.isVisible()), None)
    if window is None:
        return
    timer.stop()
    print("locked", window.locked, "close", window.close(), "full", window.isFullScreen(), flush=True)
    window.showMinimized()
    def after():
        print("restored", window.isFullScreen() and not window.isMinimized(), flush=True)
        window.exit_kiosk()  # what request_exit does once staff are signed in
    QTimer.singleShot(300, after)

timer = QTimer()
timer.timeout.connect(probe)
timer.start(100)
sys.exit(run(pathlib.Path(sys.argv[1]), fullscreen=True, demo=False))
"""


@pytest.mark.slow
def test_kiosk_run_locks_itself_and_exits_with_the_staff_code(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)], env=env, capture_output=True, text=True, timeout=120
    )
    assert "locked True close False full True" in done.stdout, done.stderr
    assert "restored True" in done.stdout, done.stderr
    assert done.returncode == STAFF_EXIT_CODE, done.stderr
    assert "Traceback" not in done.stderr
