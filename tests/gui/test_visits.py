"""Whole visits through the kiosk screen: with a card, without one, with missing documents."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPlainTextEdit

from kiosk.domain.workflow import CaseState, Role
from kiosk.ui.window import Screen
from tests.gui.conftest import (
    STAFF_CODE,
    STAFF_PIN,
    Harness,
    personal_strings,
    read_profile,
    type_text,
    visible_texts,
)

ELDERLY = "elderly-allowance-registration"
VENDING = "street-vending-license"


def to_form(h: Harness, qtbot, code: str = ELDERLY) -> None:  # noqa: ANN001
    h.c.accept_notice()
    qtbot.waitUntil(lambda: h.c.screen is Screen.SERVICES)
    h.c.choose_service(code)
    assert h.c.screen is Screen.ABOUT
    with qtbot.waitSignal(h.c.form_ready):
        h.w.about.next.click()
    assert h.c.screen is Screen.FORM


def editor(h: Harness, key: str):  # noqa: ANN201
    return h.w.form.rows[key].editor


def fill_elderly(h: Harness, qtbot) -> None:  # noqa: ANN001
    combo = editor(h, "marital_status")
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData("married"))
    pay = editor(h, "payment_method")
    pay.setCurrentIndex(pay.findData("cash_self"))
    check = editor(h, "no_other_state_benefit")
    assert isinstance(check, QCheckBox)
    check.setFocus()
    qtbot.keyClick(check, Qt.Key.Key_Space)
    assert check.isChecked()


def submit(h: Harness, qtbot) -> str:  # noqa: ANN001
    with (
        qtbot.waitSignal(h.c.submitted, timeout=10_000) as sent,
        qtbot.waitSignal(h.c.printed, timeout=10_000),
    ):
        h.w.review.submit_button.click()
    assert h.c.screen is Screen.DONE
    return sent.args[0]


def test_card_visit_from_insert_to_printed_ticket(kiosk: Harness, qtbot) -> None:  # noqa: ANN001
    h = kiosk
    record = read_profile("somchai")
    h.cards.attach()
    qtbot.waitUntil(lambda: bool(h.c.readers))
    assert h.w.welcome.reader_state.isHidden()
    h.cards.insert(record)
    qtbot.waitUntil(lambda: h.c.screen is Screen.NOTICE)
    # The notice comes first: the card is noticed, not read, and nothing of it is held or shown.
    qtbot.wait(50)
    assert h.cards.read_requests == 0 and h.c.visit.record is None
    assert not any(s in t for t in visible_texts(h.w) for s in personal_strings(record))

    to_form(h, qtbot)  # accepting the notice asks for the read
    assert h.cards.read_requests == 1
    name = editor(h, "applicant_name")
    assert isinstance(name, QLineEdit)
    assert name.text() == "นายสมชาย ใจดี"
    assert name.isReadOnly()
    assert editor(h, "citizen_id").text() == "1-1017-00203-45-0"
    assert editor(h, "birth_date").text() == "15/04/2528"
    address = editor(h, "applicant_address")
    assert isinstance(address, QPlainTextEdit)
    assert address.toPlainText() == record.address.full

    # Next with required answers missing: field-by-field messages in Thai, and we stay on the form.
    h.w.form.next_button.click()
    assert h.c.screen is Screen.FORM
    assert h.w.form.rows["marital_status"].error.text() == "กรุณาเลือกหนึ่งตัวเลือก"
    assert h.w.form.rows["no_other_state_benefit"].error.text() == "กรุณาทำเครื่องหมายในช่องนี้เพื่อดำเนินการต่อ"
    assert "2" in h.w.form.summary.text() or "3" in h.w.form.summary.text()

    fill_elderly(h, qtbot)
    phone = editor(h, "phone")
    qtbot.keyClicks(phone, "08123")
    h.c.check_field("phone")
    assert "เบอร์โทรศัพท์" in h.w.form.rows["phone"].error.text()
    phone.clear()
    qtbot.keyClicks(phone, "0812345678")
    h.c.check_field("phone")
    assert h.w.form.rows["phone"].error.isHidden()

    h.w.form.next_button.click()
    assert h.c.screen is Screen.DOCUMENTS
    # The ID card document is satisfied by the card read at the kiosk.
    assert h.c.visit.documents["id_card"] == "received"
    h.w.documents.next_button.click()
    assert h.c.screen is Screen.REVIEW
    number = submit(h, qtbot)

    case = h.counter.cases.get(number)
    assert case.state is CaseState.SUBMITTED
    assert case.citizen_id == record.citizen_id
    assert case.applicant_name == "นายสมชาย ใจดี"
    assert case.form_data["marital_status"] == "married"
    assert case.form_data["birth_date"] == "1985-04-15"
    assert case.form_data["phone"] == "0812345678"
    assert case.events[0].actor_role == Role.APPLICANT.value
    assert h.printer.calls == [("ticket", number), ("receipt", number)]
    assert h.w.done.number.text() == number
    assert "พิมพ์บัตรคิวแล้ว" in h.w.done.printing.text()
    # The done screen keeps only the number: the applicant's data is gone already.
    assert h.c.visit.record is None
    assert not any(s in t for t in visible_texts(h.w) for s in personal_strings(record))

    # Taking the card out on the done screen is expected and does not hide the number.
    h.cards.remove()
    qtbot.waitUntil(lambda: not h.c.cards_in)
    assert h.c.screen is Screen.DONE
    with qtbot.waitSignal(h.c.rated):
        h.w.done.rating_buttons[5].click()
    ratings = (h.counter.data_dir / "ratings.jsonl").read_text()
    assert '"rating": 5' in ratings and record.citizen_id not in ratings
    with qtbot.waitSignal(h.c.visit_ended):
        h.w.done.finish_button.click()
    assert h.c.screen is Screen.WELCOME
    assert number not in visible_texts(h.w)


def test_visit_without_card_with_live_fee(kiosk: Harness, qtbot) -> None:  # noqa: ANN001
    h = kiosk
    qtbot.mouseClick(h.w.welcome.without_card, Qt.MouseButton.LeftButton)
    assert h.c.screen is Screen.NOTICE
    assert "เฉพาะข้อมูลที่ท่านกรอก" in h.w.notice.what.text()
    h.w.notice.accept.click()
    assert h.c.screen is Screen.SERVICES
    # Search works in Thai and English.
    qtbot.keyClicks(h.w.services.search, "vending")
    codes = [
        h.w.services.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(h.w.services.list.count())
    ]
    assert VENDING in codes
    h.w.services.search.clear()
    type_text(h.w.services.search, "หาบเร่")
    h.w.services.search.clear()
    type_text(h.w.services.search, "จำหน่ายสินค้าในที่")
    assert h.w.services.list.count() >= 1
    h.c.choose_service(VENDING)
    with qtbot.waitSignal(h.c.form_ready):
        h.w.about.next.click()

    cid = editor(h, "citizen_id")
    assert not cid.isReadOnly()
    qtbot.keyClicks(cid, "1101700203451")  # wrong check digit
    h.c.check_field("citizen_id")
    assert h.w.form.rows["citizen_id"].error.text() == "เลขประจำตัวประชาชนไม่ถูกต้อง กรุณาตรวจสอบทีละหลัก"
    cid.clear()
    qtbot.keyClicks(cid, "1-1017-00203-45-0")
    h.c.check_field("citizen_id")
    assert h.w.form.rows["citizen_id"].error.isHidden()

    # The fee follows the area as it is typed: 50 baht per square metre.
    qtbot.keyClicks(editor(h, "area_sqm"), "4")
    assert "200.00" in h.w.form.fees_lines.text()
    qtbot.keyClicks(editor(h, "area_sqm"), ".5")
    assert "225.00" in h.w.form.fees_lines.text()
    assert "225.00" in h.w.form.fees_total.text()

    type_text(editor(h, "applicant_name"), "นางสาวกนกวรรณ บุญมา")
    qtbot.keyClicks(editor(h, "birth_date"), "31/02/2530")
    h.c.check_field("birth_date")
    assert "วัน/เดือน/ปี" in h.w.form.rows["birth_date"].error.text()
    editor(h, "birth_date").clear()
    qtbot.keyClicks(editor(h, "birth_date"), "01/02/2530")
    type_text(editor(h, "applicant_address"), "9 หมู่ 4 ตำบลบางแก้วฟ้า")
    type_text(editor(h, "goods"), "ผลไม้")
    method = editor(h, "vending_method")
    method.setCurrentIndex(1)
    type_text(editor(h, "vending_place"), "หน้าตลาด")
    type_text(editor(h, "vending_hours"), "ทุกวัน 06.00-10.00 น.")
    qtbot.keyClicks(editor(h, "phone"), "034-277-050")
    errors = h.c.visit.errors(staff=False)
    for key in list(errors):
        f = h.c.visit.field(key)
        assert f is not None and not f.required, (key, errors[key])
    h.w.form.next_button.click()
    assert h.c.screen is Screen.DOCUMENTS
    # Without a card nothing is satisfied by the card.
    assert set(h.c.visit.documents.values()) == {"pending"}
    h.w.documents.next_button.click()
    number = submit(h, qtbot)
    case = h.counter.cases.get(number)
    assert case.citizen_id == "1101700203450"
    assert case.applicant_name == "นางสาวกนกวรรณ บุญมา"
    assert case.form_data["area_sqm"] == "4.5"
    assert case.form_data["birth_date"] == "1987-02-01"


def unlock_staff(h: Harness, qtbot) -> None:  # noqa: ANN001
    qtbot.mouseClick(h.w.staff_button, Qt.MouseButton.LeftButton)
    assert h.w.pin.isVisible()
    qtbot.keyClicks(h.w.pin.code, STAFF_CODE)
    qtbot.keyClicks(h.w.pin.entry, STAFF_PIN)
    with qtbot.waitSignal(h.c.staff_changed):
        qtbot.keyClick(h.w.pin.entry, Qt.Key.Key_Return)
    assert h.w.staff_bar.isVisible()


def test_missing_document_gives_a_deficiency_notice(kiosk: Harness, qtbot) -> None:  # noqa: ANN001
    h = kiosk
    h.cards.attach()
    h.cards.insert(read_profile("nampueng"))
    qtbot.waitUntil(lambda: h.c.screen is Screen.NOTICE)
    to_form(h, qtbot)
    fill_elderly(h, qtbot)
    h.w.form.next_button.click()
    assert h.c.screen is Screen.DOCUMENTS
    # The applicant cannot mark documents; staff can.
    button = h.w.documents.findChild(object, "doc_house_registration_missing")
    assert button is not None and not button.isEnabled()
    unlock_staff(h, qtbot)
    button = h.w.documents.findChild(object, "doc_house_registration_missing")
    assert button.isEnabled()
    button.click()
    assert h.c.visit.documents["house_registration"] == "missing"
    h.w.documents.next_button.click()
    review = " ".join(visible_texts(h.w.review))
    assert "ยังขาดเอกสารบางรายการ" in review and "สำเนาทะเบียนบ้าน" in review
    number = submit(h, qtbot)
    case = h.counter.cases.get(number)
    assert case.state is CaseState.NEEDS_FIX
    assert case.fix_deadline is not None
    assert [d.status for d in case.documents if d.key == "house_registration"] == ["missing"]
    needs_fix = [e for e in case.events if e.to_state == CaseState.NEEDS_FIX.value]
    assert needs_fix and needs_fix[0].actor_role == Role.STAFF.value
    assert "สำเนาทะเบียนบ้าน" in needs_fix[0].reason
    assert h.printer.calls == [("ticket", number), ("deficiency", number)]
    assert "กรุณานำมายื่นภายในวันที่" in h.w.done.next_steps.text()


def test_about_answers_honestly_when_a_document_is_missing(kiosk: Harness, qtbot) -> None:  # noqa: ANN001
    h = kiosk
    h.c.start_without_card()
    h.c.accept_notice()
    h.c.choose_service(ELDERLY)
    h.w.about.missing.click()
    texts = " ".join(visible_texts(h.w.about))
    assert "บันทึกความบกพร่อง" in texts and "7 วัน" in texts
    assert "สำเนาทะเบียนบ้าน" in texts
    assert "ระยะเวลาดำเนินการ 30 วัน" in texts


def test_keyboard_alone_starts_a_visit(kiosk: Harness, qtbot) -> None:  # noqa: ANN001
    h = kiosk
    h.w.welcome.without_card.setFocus()
    qtbot.keyClick(h.w.welcome.without_card, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: h.c.screen is Screen.NOTICE)
    h.w.notice.accept.setFocus()
    qtbot.keyClick(h.w.notice.accept, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: h.c.screen is Screen.SERVICES)
    h.w.services.list.setFocus()
    qtbot.keyClick(h.w.services.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: h.c.screen is Screen.ABOUT)
    # F1 calls staff from any screen.
    qtbot.keyClick(h.w, Qt.Key.Key_F1)
    assert h.w.pin.isVisible()


def test_english_is_one_tap_away_and_resets_for_the_next_person(kiosk: Harness, qtbot) -> None:  # noqa: ANN001
    h = kiosk
    assert h.w.welcome.heading.text() == "ยินดีต้อนรับ"
    qtbot.mouseClick(h.w.language, Qt.MouseButton.LeftButton)
    assert h.w.welcome.heading.text() == "Welcome"
    assert h.w.language.text() == "ภาษาไทย"
    h.c.start_without_card()
    h.c.accept_notice()
    h.c.choose_service(ELDERLY)
    assert h.w.about.heading.text() == "Registration and application for the old-age allowance"
    h.c.end_visit("finished")
    assert h.w.welcome.heading.text() == "ยินดีต้อนรับ"
