"""Every screen, grabbed offscreen: touch targets, type size, and the pictures in docs/screenshots.

Set KIOSK_SCREENSHOTS=1 to write the pictures to docs/screenshots (what docs/ui.md shows); otherwise
they go to the test's temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QWidget

from kiosk.sync.worker import SyncStatus
from kiosk.ui import theme
from kiosk.ui.window import Screen
from tests.gui.conftest import FakeSync, fake_sync, read_profile, type_text
from tests.gui.test_staff_and_status import awaiting_payment
from tests.gui.test_sync import at_bangkok
from tests.gui.test_visits import ELDERLY, VENDING, fill_elderly, to_form, unlock_staff

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def check_sizes(root: QWidget) -> list[str]:
    """Touch targets of at least 48 px and applicant text of at least 18 pt (staff bar: 16 pt)."""
    problems = []
    for w in root.findChildren(QWidget):
        if not w.isVisible() or w.width() == 0:
            continue
        staff = any(p.objectName() == "staffBar" for p in _parents(w))
        if isinstance(w, QAbstractButton | QLineEdit) and w.height() < theme.MIN_TARGET_PX:
            problems.append(
                f"{type(w).__name__} {w.objectName() or getattr(w, 'text', lambda: '')()!r}: {w.height()} px high"
            )
        if isinstance(w, QLabel | QAbstractButton) and w.text():
            points = w.font().pointSizeF()
            floor = 16 if staff else theme.BODY_PT
            if points < floor:
                problems.append(f"{type(w).__name__} {w.text()[:30]!r}: {points} pt")
    return problems


def _parents(w: QWidget) -> list[QWidget]:
    out = []
    p = w.parentWidget()
    while p is not None:
        out.append(p)
        p = p.parentWidget()
    return out


def test_every_screen(make_kiosk, qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    holder: dict[str, FakeSync] = {}
    h = make_kiosk(sync=fake_sync(holder))
    sync = holder["sync"]
    # An enrolled kiosk, online: the header's indicator is on every picture.
    with qtbot.waitSignal(h.c.sync_changed):
        sync.publish(SyncStatus(enrolled=True, online=True, last_success_at=at_bangkok(10, 40)))
    folder = DOCS if os.environ.get("KIOSK_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    problems: dict[str, list[str]] = {}

    def shot(name: str) -> None:
        QApplication.processEvents()
        qtbot.wait(20)  # let queued show events of freshly built rows land
        problems[name] = check_sizes(h.w)
        assert h.w.grab().save(str(folder / f"{name}.png"))

    h.cards.attach()
    shot("01-welcome")
    h.cards.insert(read_profile("somchai"))
    qtbot.waitUntil(lambda: h.c.screen is Screen.NOTICE)
    shot("02-notice")
    h.c.go(Screen.READING)
    h.w.reading.set_stage(1)
    shot("03-reading")
    h.c.accept_notice()
    h.c.go(Screen.SERVICES)
    h.c._show_services()
    shot("04-services")
    to_form(h, qtbot, ELDERLY)
    h.c.go(Screen.ABOUT)
    h.w.about.missing.click()
    shot("05-about")
    h.c.go(Screen.FORM)
    h.w.form.next_button.click()
    shot("06-form-errors")
    fill_elderly(h, qtbot)
    h.w.form.next_button.click()
    shot("07-documents")
    unlock_staff(h, qtbot)
    h.w.documents.findChild(QAbstractButton, "doc_house_registration_missing").click()
    shot("08-documents-staff")
    h.w.documents.next_button.click()
    shot("09-review-deficiency")
    h.c.lock_staff()
    with qtbot.waitSignal(h.c.submitted, timeout=10_000), qtbot.waitSignal(h.c.printed):
        h.w.review.submit_button.click()
    shot("10-done")
    h.c.end_visit("finished")

    h.c.start_without_card()
    h.c.accept_notice()
    h.c.choose_service(VENDING)
    h.c.open_form()
    qtbot.keyClicks(h.w.form.rows["area_sqm"].editor, "4.5")
    type_text(h.w.form.rows["applicant_name"].editor, "นางสาวกนกวรรณ บุญมา")
    shot("11-form-no-card-fee")
    h.c.idle.warn.emit(12)
    shot("12-idle-warning")
    h.w.idle.hide()
    h.c.end_visit("finished")

    case = awaiting_payment(h)
    h.c.open_status()
    qtbot.keyClicks(h.w.status.number, case.number)
    with qtbot.waitSignal(h.c.status_shown):
        h.w.status.find_button.click()
    shot("13-status")
    h.c.call_staff()
    shot("14-staff-pin")
    h.w.pin.hide()
    h.w.language.click()
    h.c.end_visit("finished")
    h.w.language.click()
    shot("15-welcome-english")
    h.w.language.click()

    # The network goes: the counter carries on; the indicator and the staff bar say since when.
    with qtbot.waitSignal(h.c.sync_changed):
        sync.publish(
            SyncStatus(
                enrolled=True,
                online=False,
                offline_since=at_bangkok(10, 42),
                queued=3,
                last_error="The central server is unreachable: connection refused",
                last_success_at=at_bangkok(10, 40),
            )
        )
    shot("16-sync-offline")
    unlock_staff(h, qtbot)
    shot("17-staff-bar-sync")
    h.c.lock_staff()

    assert {name: p for name, p in problems.items() if p} == {}
