"""Staff accounts on the kiosk screen: sign-in by code and PIN, automatic sign-out, a supervisor's
approval to void a case, and the audit log a supervisor reads (with its chain check)."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from PySide6.QtCore import Qt

from kiosk.domain.workflow import Actor, CaseState, Role
from kiosk.storage import audit
from kiosk.storage.cases import ApplicantInfo
from kiosk.ui.window import Screen
from tests.gui.conftest import (
    ADMIN_CODE,
    ADMIN_PIN,
    STAFF_CODE,
    STAFF_PIN,
    SUPERVISOR_CODE,
    SUPERVISOR_PIN,
    Harness,
    type_text,
    visible_texts,
)
from tests.gui.test_visits import ELDERLY

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def pad(h: Harness, qtbot, code: str, pin: str) -> None:  # noqa: ANN001
    h.w.pin.code.clear()
    qtbot.keyClicks(h.w.pin.code, code)
    qtbot.keyClick(h.w.pin.code, Qt.Key.Key_Return)  # on to the PIN
    assert h.w.pin.entry.hasFocus()
    qtbot.keyClicks(h.w.pin.entry, pin)


def sign_in(h: Harness, qtbot, code: str, pin: str) -> None:  # noqa: ANN001
    qtbot.mouseClick(h.w.staff_button, Qt.MouseButton.LeftButton)
    pad(h, qtbot, code, pin)
    with qtbot.waitSignal(h.c.staff_changed, timeout=10_000):
        qtbot.keyClick(h.w.pin.entry, Qt.Key.Key_Return)
    assert h.w.staff_bar.isVisible()


def settled(h: Harness, qtbot) -> list[audit.AuditRecord]:  # noqa: ANN001
    """The audit log once the database worker has written what it was given, oldest first."""
    qtbot.waitUntil(lambda: not h.c.db.busy, timeout=10_000)
    return list(reversed(audit.recent(h.counter.db)))


def open_stored_case(h: Harness, qtbot, number: str) -> None:  # noqa: ANN001
    h.w.staff_bar.open_button.click()
    qtbot.keyClicks(h.w.status.number, number)
    with qtbot.waitSignal(h.c.status_shown):
        h.w.status.find_button.click()
    with qtbot.waitSignal(h.c.case_updated):
        h.c.open_case(number)


def test_counter_staff_sign_in_by_code_and_pin_and_see_who_is_signed_in(kiosk: Harness, qtbot) -> None:  # noqa: ANN001
    h = kiosk
    # The digit pad types into the field last touched: a numeric code works without a keyboard.
    qtbot.mouseClick(h.w.staff_button, Qt.MouseButton.LeftButton)
    assert h.w.pin.code.hasFocus() and h.w.pin.code.objectName() == "staffCode"
    qtbot.keyClicks(h.w.pin.code, "S00")
    digits = {b.text(): b for b in h.w.pin.box.findChildren(type(h.w.pin.ok)) if b.text().isdigit()}
    digits["1"].click()
    assert h.w.pin.code.text() == "S001" and h.w.pin.entry.text() == ""
    h.w.pin.entry.setFocus()
    for d in STAFF_PIN:
        digits[d].click()
    assert h.w.pin.entry.text() == STAFF_PIN
    with qtbot.waitSignal(h.c.staff_changed, timeout=10_000):
        h.w.pin.ok.click()
    assert "S001" in h.w.staff_bar.title.text() and "เจ้าหน้าที่เคาน์เตอร์" in h.w.staff_bar.title.text()
    assert not h.w.staff_bar.audit_button.isVisibleTo(h.w.staff_bar)  # counter staff: no audit log
    assert h.c.s.staff.actor == Actor(Role.STAFF, "S001")
    h.w.staff_bar.lock_button.click()
    assert not h.c.staff
    log = settled(h, qtbot)
    assert [(e.action, e.staff_id, e.detail) for e in log[-2:]] == [
        ("staff.sign_in", "S001", {}),
        ("staff.sign_out", "S001", {"how": "manual"}),
    ]


def test_five_wrong_pins_lock_the_account_with_a_clear_message(kiosk: Harness, qtbot) -> None:  # noqa: ANN001
    h = kiosk
    qtbot.mouseClick(h.w.staff_button, Qt.MouseButton.LeftButton)
    for i in range(5):
        pad(h, qtbot, SUPERVISOR_CODE, "0000")
        kind = "staff_locked" if i == 4 else "staff_wrong"
        with qtbot.waitSignal(
            h.c.message_shown, timeout=10_000, check_params_cb=lambda k, kind=kind: k == kind
        ):
            qtbot.keyClick(h.w.pin.entry, Qt.Key.Key_Return)
    assert "ถูกล็อก" in h.w.pin.error.text()
    pad(h, qtbot, SUPERVISOR_CODE, SUPERVISOR_PIN)  # the right PIN, too late
    with qtbot.waitSignal(h.c.message_shown, timeout=10_000, check_params_cb=lambda k: k == "staff_locked"):
        qtbot.keyClick(h.w.pin.entry, Qt.Key.Key_Return)
    assert not h.c.staff
    # Another member of staff is not affected.
    pad(h, qtbot, STAFF_CODE, STAFF_PIN)
    with qtbot.waitSignal(h.c.staff_changed, timeout=10_000):
        qtbot.keyClick(h.w.pin.entry, Qt.Key.Key_Return)


def test_without_accounts_the_pad_says_how_to_create_them(make_kiosk, data_dir: Path, qtbot) -> None:  # noqa: ANN001
    with sqlite3.connect(data_dir / "kiosk.sqlite", isolation_level=None) as conn:
        conn.execute("DELETE FROM staff_accounts")
    h = make_kiosk()
    qtbot.mouseClick(h.w.staff_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "kiosk staff add" in h.w.pin.error.text(), timeout=10_000)
    text = h.w.pin.error.text()
    assert "ยังไม่มีบัญชีเจ้าหน้าที่" in text and "There are no staff accounts yet" in text
    pad(h, qtbot, "S001", "1234")
    with qtbot.waitSignal(
        h.c.message_shown, timeout=10_000, check_params_cb=lambda k: k == "staff_no_accounts"
    ):
        qtbot.keyClick(h.w.pin.entry, Qt.Key.Key_Return)
    assert "kiosk staff add" in h.w.pin.error.text() and not h.c.staff


def test_staff_mode_signs_out_by_itself_when_staff_stop_touching_it(make_kiosk, qtbot) -> None:  # noqa: ANN001
    h = make_kiosk(sign_out_ms=1500)
    sign_in(h, qtbot, STAFF_CODE, STAFF_PIN)
    # Staff input (on the staff bar) keeps staff mode open well past the timeout.
    started = time.monotonic()
    while time.monotonic() - started < 3.0:
        qtbot.wait(300)
        qtbot.mousePress(h.w.staff_bar, Qt.MouseButton.LeftButton)
        qtbot.mouseRelease(h.w.staff_bar, Qt.MouseButton.LeftButton)
        assert h.c.staff, "signed out although staff kept using the staff bar"
    # The applicant's touches on their own screen do not keep it open.
    last_staff_input = time.monotonic()
    with qtbot.waitSignal(h.c.staff_changed, timeout=15_000) as signed_out:
        while h.c.staff:
            qtbot.mousePress(h.w.pages[Screen.WELCOME], Qt.MouseButton.LeftButton)
            qtbot.wait(200)
    assert signed_out.args == [False]
    assert time.monotonic() - last_staff_input >= 1.4
    assert not h.w.staff_bar.isVisible()
    log = settled(h, qtbot)
    assert (log[-1].action, log[-1].staff_id, log[-1].detail) == ("staff.sign_out", "S001", {"how": "auto"})


def test_voiding_a_case_needs_a_supervisor_on_the_same_screen(kiosk: Harness, qtbot) -> None:  # noqa: ANN001
    h = kiosk
    cases = h.counter.cases
    stored = cases.submit(ELDERLY, ApplicantInfo("1101700203450", "นายสมชาย ใจดี"), {}, Actor(Role.APPLICANT))
    sign_in(h, qtbot, STAFF_CODE, STAFF_PIN)
    assert not h.w.staff_bar.void_button.isVisibleTo(h.w.staff_bar)  # no case on screen
    open_stored_case(h, qtbot, stored.number)
    assert h.w.staff_bar.void_button.isVisibleTo(h.w.staff_bar)

    h.w.staff_bar.void_button.click()
    assert h.w.reason.isVisible() and stored.number in h.w.reason.question.text()
    type_text(h.w.reason.entry, "ผู้ยื่นขอยกเลิกเอง")
    h.w.reason.ok.click()
    assert h.w.pin.isVisible() and h.w.pin.approval and stored.number in h.w.pin.info.text()

    # The clerk cannot approve their own request.
    pad(h, qtbot, STAFF_CODE, STAFF_PIN)
    with qtbot.waitSignal(h.c.message_shown, timeout=10_000, check_params_cb=lambda k: k == "void_refused"):
        qtbot.keyClick(h.w.pin.entry, Qt.Key.Key_Return)
    assert "ผู้อนุมัติต้องเป็นหัวหน้าอีกคนหนึ่ง" in h.w.pin.error.text()
    # A supervisor's wrong PIN is refused and counted.
    pad(h, qtbot, SUPERVISOR_CODE, "0000")
    with qtbot.waitSignal(h.c.message_shown, timeout=10_000, check_params_cb=lambda k: k == "void_refused"):
        qtbot.keyClick(h.w.pin.entry, Qt.Key.Key_Return)
    assert cases.get(stored.number).state is CaseState.SUBMITTED
    # The supervisor approves: the case is withdrawn, with both staff in its history.
    pad(h, qtbot, SUPERVISOR_CODE, SUPERVISOR_PIN)
    with qtbot.waitSignal(h.c.message_shown, timeout=10_000, check_params_cb=lambda k: k == "case_voided"):
        qtbot.keyClick(h.w.pin.entry, Qt.Key.Key_Return)
    assert not h.w.pin.isVisible() and h.c.staff  # the clerk is still the one signed in
    assert h.c.s.staff.member is not None and h.c.s.staff.member.id == STAFF_CODE
    case = cases.get(stored.number)
    assert case.state is CaseState.WITHDRAWN
    event = case.events[-1]
    assert (event.actor_id, event.reason, event.data["approved_by"]) == ("S001", "ผู้ยื่นขอยกเลิกเอง", "S002")
    assert "ยกเลิกคำขอ" in " ".join(visible_texts(h.w.status))
    assert not h.w.staff_bar.void_button.isVisibleTo(h.w.staff_bar)  # withdrawn is final
    log = settled(h, qtbot)
    voided = [e for e in log if e.action == "case.voided"]
    assert [(e.staff_id, e.target, e.detail["approved_by"]) for e in voided] == [
        ("S001", stored.number, "S002")
    ]
    assert [
        e.detail.get("why") for e in log if e.action in ("staff.approval_failed", "staff.sign_in_failed")
    ] == [
        "same_person",
        "wrong_pin",
    ]


def test_a_supervisor_reads_the_audit_log_and_its_chain_check(kiosk: Harness, qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    h = kiosk
    cases = h.counter.cases
    stored = cases.submit(ELDERLY, ApplicantInfo("1101700203450", "นายสมชาย ใจดี"), {}, Actor(Role.APPLICANT))
    sign_in(h, qtbot, STAFF_CODE, STAFF_PIN)
    open_stored_case(h, qtbot, stored.number)
    with qtbot.waitSignal(h.c.printed):
        h.w.status.findChild(object, "reprint_ticket").click()
    h.w.staff_bar.lock_button.click()

    sign_in(h, qtbot, ADMIN_CODE, ADMIN_PIN)
    assert h.w.staff_bar.audit_button.isVisibleTo(h.w.staff_bar)
    h.w.staff_bar.audit_button.click()
    view = h.c.s.staff._audit_view
    assert view is not None and view.isVisible()
    qtbot.waitUntil(lambda: view.table.rowCount() > 0, timeout=10_000)
    rows = [[view.table.item(r, c).text() for c in range(5)] for r in range(view.table.rowCount())]
    text = "\n".join(" | ".join(r) for r in rows)
    assert "ไม่พบจุดขาด" in view.chain.text() and view.chain.property("role") == "ok"
    assert "กุญแจ" in view.chain.text()  # what the check cannot vouch for is said, not hidden
    assert rows[0][3] == "เปิดดูบันทึกการปฏิบัติงาน"  # newest first: reading the log is logged
    assert "S001 (เจ้าหน้าที่เคาน์เตอร์)" in text and "พิมพ์เอกสารซ้ำ" in text and stored.number in text
    assert "2569" in text or "69" in rows[0][1]  # Buddhist Era dates
    assert "นายสมชาย" not in text and "1101700203450" not in text
    folder = DOCS if os.environ.get("KIOSK_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    assert h.w.grab().save(str(folder / "staff-audit.png"))

    # Someone edits the file around the triggers: the viewer says so plainly.
    with sqlite3.connect(h.counter.db.path, isolation_level=None) as conn:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("UPDATE audit_log SET staff_id = 'S003' WHERE seq = 5")
    view.refresh_button.click()
    qtbot.waitUntil(lambda: "คำเตือน" in view.chain.text(), timeout=10_000)
    assert "5" in view.chain.text() and view.chain.property("role") == "error"
    assert h.w.grab().save(str(tmp_path / "staff-audit-broken.png"))

    # Signing out closes the log.
    h.w.staff_bar.lock_button.click()
    assert not view.isVisible()
