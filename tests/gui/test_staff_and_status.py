"""Staff guided assistance, status look-up and slip printing."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from kiosk.domain.fees import FeeLine
from kiosk.domain.workflow import Actor, CaseState, Role
from kiosk.storage.cases import ApplicantInfo, CaseView
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
from tests.gui.test_visits import ELDERLY, fill_elderly, submit, to_form, unlock_staff

OFFICER = Actor(Role.OFFICER, "officer-1")
STAFF = Actor(Role.STAFF, "staff-1")


def awaiting_payment(h: Harness, citizen_id: str = "1101700203450") -> CaseView:
    cases = h.counter.cases
    case = cases.submit(
        "street-vending-license",
        ApplicantInfo(citizen_id, "นายสมชาย ใจดี"),
        {"area_sqm": "4"},
        Actor(Role.APPLICANT),
    )
    cases.transition(case.number, CaseState.COMPLETE, STAFF)
    cases.transition(case.number, CaseState.UNDER_REVIEW, OFFICER)
    return cases.approve(case.number, OFFICER, [FeeLine("license", "ค่าธรรมเนียม", "Fee", Decimal("200"))])


def test_wrong_pin_is_refused_and_the_right_one_opens_the_staff_bar(kiosk: Harness, qtbot) -> None:  # noqa: ANN001
    h = kiosk
    qtbot.mouseClick(h.w.staff_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(h.w.pin.code, STAFF_CODE)
    qtbot.keyClicks(h.w.pin.entry, "0000")
    with qtbot.waitSignal(h.c.message_shown, check_params_cb=lambda kind: kind == "staff_wrong"):
        qtbot.keyClick(h.w.pin.entry, Qt.Key.Key_Return)
    assert h.w.pin.error.text() == "รหัสเจ้าหน้าที่หรือ PIN ไม่ถูกต้อง กรุณาลองอีกครั้ง"
    assert not h.c.staff and not h.w.staff_bar.isVisible()
    assert h.w.pin.entry.text() == ""
    qtbot.keyClicks(h.w.pin.entry, STAFF_PIN)
    with qtbot.waitSignal(h.c.devices_refreshed, timeout=5000):
        qtbot.keyClick(h.w.pin.entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "รอส่ง 0" in h.w.staff_bar.devices.text())
    assert "เครื่องอ่านบัตร" in h.w.staff_bar.devices.text()
    assert "พร้อม" in h.w.staff_bar.devices.text()
    h.w.staff_bar.lock_button.click()
    assert not h.w.staff_bar.isVisible() and not h.c.staff


def test_staff_takes_over_corrects_a_card_field_with_a_reason_and_sets_priority(
    kiosk: Harness, qtbot
) -> None:  # noqa: ANN001
    h = kiosk
    h.cards.attach()
    h.cards.insert(read_profile("boonmee-lifetime"))
    qtbot.waitUntil(lambda: h.c.visit.with_card)  # the card is noticed, not read: the notice comes first
    to_form(h, qtbot, ELDERLY)
    address = h.w.form.rows["applicant_address"]
    assert address.edit is not None and not address.edit.isVisible()
    unlock_staff(h, qtbot)
    address = h.w.form.rows["applicant_address"]
    assert address.edit is not None
    qtbot.waitUntil(address.edit.isVisible)
    h.w.staff_bar.takeover.click()
    assert h.c.takeover and h.w.staff_bar.takeover.text() == "คืนให้ผู้ยื่น"
    h.w.staff_bar.priority.setCurrentIndex(h.w.staff_bar.priority.findData("elderly"))
    h.w.staff_bar.priority.activated.emit(h.w.staff_bar.priority.currentIndex())
    assert h.c.visit.priority == "elderly"

    address.edit.click()
    assert h.w.reason.isVisible()
    h.w.reason.ok.click()
    assert h.w.reason.error.text() == "กรุณาระบุเหตุผล"
    type_text(h.w.reason.entry, "ย้ายที่อยู่แล้ว ทะเบียนบ้านใหม่")
    h.w.reason.ok.click()
    assert not h.w.reason.isVisible()
    editor = h.w.form.rows["applicant_address"].editor
    assert not editor.isReadOnly()
    editor.clear()
    type_text(editor, "77 หมู่ 4 ตำบลบางแก้วฟ้า อำเภอนครชัยศรี จังหวัดนครปฐม")
    fill_elderly(h, qtbot)
    h.w.form.next_button.click()
    h.w.documents.next_button.click()
    review = " ".join(visible_texts(h.w.review))
    assert "ผู้สูงอายุ" in review
    number = submit(h, qtbot)
    case = h.counter.cases.get(number)
    assert case.priority == "elderly"
    assert "_staff" not in case.form_data
    assert case.events[0].actor_role == Role.STAFF.value
    # What staff did is in the history as events of its own: who, why, which field; never the values.
    staff_events = [(e.kind, e.reason, e.data, e.actor_role) for e in case.events[1:3]]
    assert staff_events == [
        ("staff_action", "", {"action": "take_over"}, "staff"),
        ("field_edited", "ย้ายที่อยู่แล้ว ทะเบียนบ้านใหม่", {"field": "applicant_address"}, "staff"),
    ]
    assert [e.kind for e in case.events] == ["created", "staff_action", "field_edited", "transition"]
    record = read_profile("boonmee-lifetime")
    history = repr([(e.reason, e.data) for e in case.events if e.kind != "created"])
    for value in [*personal_strings(record), "77 หมู่ 4", "บางแก้วฟ้า"]:
        assert value not in history
    # The staff mode ends with the visit: the next person cannot use it.
    h.w.done.finish_button.click()
    assert not h.c.staff and not h.w.staff_bar.isVisible()


def test_status_by_number_and_payment_slip(kiosk: Harness, qtbot) -> None:  # noqa: ANN001
    h = kiosk
    case = awaiting_payment(h)
    h.w.welcome.status.click()
    assert h.c.screen is Screen.STATUS
    qtbot.keyClicks(h.w.status.number, case.number.lower())
    with qtbot.waitSignal(h.c.status_shown) as shown:
        qtbot.keyClick(h.w.status.number, Qt.Key.Key_Return)
    assert shown.args == [1]
    texts = " ".join(visible_texts(h.w.status))
    assert "รอชำระค่าธรรมเนียม" in texts and "200.00" in texts
    slip = h.w.status.findChild(object, f"slip_{case.number}")
    with qtbot.waitSignal(h.c.printed):
        slip.click()
    assert h.printer.calls == [("slip", case.number)]
    assert "พิมพ์ใบแจ้งชำระเงินแล้ว" in h.w.status.message.text()

    # A scanner reading the ticket's QR types the URL and Enter.
    h.w.status.number.clear()
    qtbot.keyClicks(h.w.status.number, f"https://kiosk.example/status/{case.number}")
    with qtbot.waitSignal(h.c.status_shown) as shown:
        qtbot.keyClick(h.w.status.number, Qt.Key.Key_Return)
    assert shown.args == [1]

    h.w.status.number.clear()
    qtbot.keyClicks(h.w.status.number, "K01-2569-99999")
    with qtbot.waitSignal(h.c.status_shown) as shown:
        h.w.status.find_button.click()
    assert shown.args == [0]
    assert "ไม่พบคำขอ" in h.w.status.message.text()


def test_status_by_card_and_the_results_go_with_the_card(kiosk: Harness, qtbot) -> None:  # noqa: ANN001
    h = kiosk
    record = read_profile("somchai")
    awaiting_payment(h, record.citizen_id)
    h.c.open_status()
    h.cards.attach()
    with qtbot.waitSignal(h.c.status_shown) as shown:
        h.cards.insert(record)
    assert shown.args == [1]
    assert h.c.screen is Screen.STATUS  # a card at the status screen looks up, it does not start a visit
    h.cards.remove()
    qtbot.waitUntil(lambda: not h.w.status.body.count())


def test_staff_opens_a_case_marks_documents_records_a_deficiency_and_payment(kiosk: Harness, qtbot) -> None:  # noqa: ANN001
    h = kiosk
    cases = h.counter.cases
    submitted = cases.submit(
        ELDERLY, ApplicantInfo("1101700203450", "นายสมชาย ใจดี"), {}, Actor(Role.APPLICANT)
    )
    unlock_staff(h, qtbot)
    h.w.staff_bar.open_button.click()
    assert h.c.screen is Screen.STATUS
    qtbot.keyClicks(h.w.status.number, submitted.number)
    with qtbot.waitSignal(h.c.status_shown):
        h.w.status.find_button.click()
    with qtbot.waitSignal(h.c.case_updated):
        h.c.open_case(submitted.number)
    with qtbot.waitSignal(h.c.case_updated):
        h.w.status.findChild(object, "case_doc_house_registration_missing").click()
    with qtbot.waitSignal(h.c.printed, timeout=5000):
        h.w.status.findChild(object, "recordDeficiency").click()
    case = cases.get(submitted.number)
    assert case.state is CaseState.NEEDS_FIX
    kinds = [e.kind for e in case.events]
    assert "document_marked" in kinds
    assert all(e.actor_role == "staff" for e in case.events if e.kind == "document_marked")
    assert ("deficiency", submitted.number) in h.printer.calls

    paying = awaiting_payment(h)
    with qtbot.waitSignal(h.c.case_updated):
        h.c.open_case(paying.number)
    with qtbot.waitSignal(h.c.case_updated):
        h.w.status.findChild(object, "recordPayment").click()
    assert cases.get(paying.number).state is CaseState.PAID
    with qtbot.waitSignal(h.c.printed):
        h.w.status.findChild(object, "reprint_receipt").click()
    assert ("receipt", paying.number) in h.printer.calls


def test_demo_card_without_pcscd_is_read_in_process(make_kiosk, qtbot) -> None:  # noqa: ANN001
    h = make_kiosk(demo=True)
    unlock_staff(h, qtbot)
    assert h.w.staff_bar.demo_button.isVisibleTo(h.w.staff_bar)
    h.c.insert_demo_card("somchai")
    qtbot.waitUntil(lambda: h.c.screen is Screen.NOTICE)
    assert h.c.visit.reader.startswith("Demo card") and h.c.visit.record is None
    h.c.accept_notice()  # the demo card is read only now
    qtbot.waitUntil(lambda: h.c.visit.record is not None)
    assert h.c.visit.record.name_th.first == "สมชาย"
    with qtbot.waitSignal(h.c.visit_ended):
        h.c.remove_demo_card()


def choose_priority(h: Harness, value: str) -> None:
    bar = h.w.staff_bar
    bar.priority.setCurrentIndex(bar.priority.findData(value))
    bar.priority.activated.emit(bar.priority.currentIndex())


def test_staff_on_a_stored_case_open_priority_and_reprint_are_events(kiosk: Harness, qtbot) -> None:  # noqa: ANN001
    h = kiosk
    cases = h.counter.cases
    stored = cases.submit(ELDERLY, ApplicantInfo("1101700203450", "นายสมชาย ใจดี"), {}, Actor(Role.APPLICANT))
    unlock_staff(h, qtbot)
    h.w.staff_bar.open_button.click()
    qtbot.keyClicks(h.w.status.number, stored.number)
    with qtbot.waitSignal(h.c.status_shown):
        h.w.status.find_button.click()
    with qtbot.waitSignal(h.c.case_updated):
        h.c.open_case(stored.number)
    opened = cases.get(stored.number).events[-1]
    assert (opened.kind, opened.data, opened.actor_role) == ("staff_action", {"action": "open_case"}, "staff")

    # Cancelling the reason changes nothing, and the bar shows the case's priority again.
    choose_priority(h, "monk")
    assert h.w.reason.isVisible()
    h.w.reason.cancel.click()
    assert h.w.staff_bar.priority.currentData() == ""
    assert [e.kind for e in cases.get(stored.number).events].count("priority_set") == 0

    choose_priority(h, "elderly")
    type_text(h.w.reason.entry, "อายุ 72 ปี ตามบัตร")
    with qtbot.waitSignal(h.c.case_updated):
        h.w.reason.ok.click()
    case = cases.get(stored.number)
    assert case.priority == "elderly"
    priority = [e for e in case.events if e.kind == "priority_set"]
    assert [(e.reason, e.data, e.actor_role) for e in priority] == [
        ("อายุ 72 ปี ตามบัตร", {"from": "", "to": "elderly"}, "staff")
    ]
    assert "ผู้สูงอายุ" in " ".join(visible_texts(h.w.status))
    assert h.c.visit.priority == ""  # the stored case's, not the visit's

    with qtbot.waitSignal(h.c.printed):
        h.w.status.findChild(object, "reprint_ticket").click()
    assert h.printer.calls == [("ticket", stored.number)]
    reprint = cases.get(stored.number).events[-1]
    assert (reprint.kind, reprint.data) == ("staff_action", {"action": "reprint", "document": "ticket"})

    # Leaving the case: the staff bar's priority is the visit's again.
    h.w.status.back_button.click()
    assert h.w.staff_bar.priority.currentData() == ""


def test_a_correction_that_changed_nothing_is_no_event_and_locking_gives_back(kiosk: Harness, qtbot) -> None:  # noqa: ANN001
    h = kiosk
    h.cards.attach()
    h.cards.insert(read_profile("somchai"))
    qtbot.waitUntil(lambda: h.c.visit.with_card)  # the card is noticed, not read: the notice comes first
    to_form(h, qtbot, ELDERLY)
    unlock_staff(h, qtbot)
    h.w.staff_bar.takeover.click()
    h.c.ask_edit_reason("applicant_address")
    type_text(h.w.reason.entry, "ตรวจที่อยู่")
    h.w.reason.ok.click()
    # Staff lock the bar while taken over: the applicant carries on, and the history says so.
    h.w.staff_bar.lock_button.click()
    actions = [(a.kind.value, dict(a.data)) for a in h.c.visit.submitted_actions()]
    assert actions == [
        ("staff_action", {"action": "take_over"}),
        ("staff_action", {"action": "give_back"}),
    ]
    assert [a.kind.value for a in h.c.visit.staff_actions].count("field_edited") == 1
