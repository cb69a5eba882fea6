"""Failures of each device meet the applicant as a calm message with what to do next."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from kiosk.devices.card.service import ReaderRemoved
from kiosk.ui.window import Screen
from tests.gui.conftest import READER, Harness, PrinterJam, read_profile
from tests.gui.test_visits import ELDERLY, fill_elderly, to_form


def to_review(h: Harness, qtbot, profile: str = "somchai") -> None:  # noqa: ANN001
    h.cards.attach()
    h.cards.insert(read_profile(profile))
    qtbot.waitUntil(lambda: h.c.visit.with_card)  # the card is noticed, not read: the notice comes first
    to_form(h, qtbot, ELDERLY)
    fill_elderly(h, qtbot)
    h.w.form.next_button.click()
    h.w.documents.next_button.click()
    assert h.c.screen is Screen.REVIEW


def test_card_service_down_says_start_without_a_card(kiosk: Harness, qtbot) -> None:  # noqa: ANN001
    h = kiosk
    h.cards.error("service_unavailable", reader="")
    qtbot.waitUntil(lambda: h.c.card_service_down)
    assert "เครื่องอ่านบัตรขัดข้องชั่วคราว" in h.w.welcome.reader_state.text()
    h.cards.attach()
    qtbot.waitUntil(lambda: not h.c.card_service_down)
    assert h.w.welcome.reader_state.isHidden()


def test_a_card_that_is_not_a_thai_id_card(kiosk: Harness, qtbot) -> None:  # noqa: ANN001
    h = kiosk
    h.cards.attach()
    h.cards.insert(read_profile("somchai"), read=False)
    qtbot.waitUntil(lambda: h.c.screen is Screen.NOTICE)
    with qtbot.waitSignal(h.c.message_shown) as shown:
        h.cards.error("not_thai_id", "บัตรนี้ไม่ใช่บัตรประจำตัวประชาชน", "Not a Thai ID card")
    assert shown.args == ["not_thai_id"]
    h.w.notice.accept.click()
    assert h.c.screen is Screen.READING
    assert h.w.reading.problem.isVisibleTo(h.w.reading)
    assert "ไม่ใช่บัตรประจำตัวประชาชน" in h.w.reading.problem_text.text()
    assert "ดึงบัตรออกแล้วเสียบใหม่" in h.w.reading.problem_todo.text()
    h.w.reading.no_card.click()
    assert h.c.screen is Screen.SERVICES
    assert not h.c.visit.with_card


def test_a_card_with_a_broken_citizen_id_is_not_used(kiosk: Harness, qtbot) -> None:  # noqa: ANN001
    from dataclasses import replace

    h = kiosk
    broken = replace(read_profile("somchai"), citizen_id="1101700203451", citizen_id_valid=False)
    h.cards.attach()
    h.cards.insert(broken)
    qtbot.waitUntil(lambda: h.c.screen is Screen.NOTICE)
    with qtbot.waitSignal(h.c.message_shown) as shown:
        h.c.accept_notice()  # read now: the card's ID does not check out
    assert shown.args == ["invalid_id"]
    assert h.c.visit.record is None


def test_reader_unplugged_during_the_visit_ends_it(kiosk: Harness, qtbot) -> None:  # noqa: ANN001
    h = kiosk
    h.cards.attach()
    h.cards.insert(read_profile("somchai"))
    qtbot.waitUntil(lambda: h.c.visit.with_card)  # the card is noticed, not read: the notice comes first
    to_form(h, qtbot, ELDERLY)
    with qtbot.waitSignal(h.c.visit_ended):
        h.cards.emit(ReaderRemoved(READER))
    assert h.c.screen is Screen.WELCOME
    assert "ยังไม่ได้เชื่อมต่อเครื่องอ่านบัตร" in h.w.welcome.reader_state.text()


def test_database_failure_on_submit_keeps_the_answers_and_can_retry(
    kiosk: Harness, qtbot, monkeypatch
) -> None:  # noqa: ANN001
    h = kiosk
    to_review(h, qtbot)
    real = h.counter.cases.submit

    def locked(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OperationalError("INSERT ... 1101700203450", {}, Exception("database is locked"))

    monkeypatch.setattr(h.counter.cases, "submit", locked)
    with qtbot.waitSignal(h.c.submit_failed) as failed:
        h.w.review.submit_button.click()
    assert failed.args == ["database"]
    assert h.c.screen is Screen.REVIEW
    assert h.w.banner.isVisible()
    assert "บันทึกข้อมูลไม่ได้" in h.w.banner_text.text()
    assert h.w.review.submit_button.isEnabled()
    assert h.c.visit.values["marital_status"] == "married"
    monkeypatch.setattr(h.counter.cases, "submit", real)
    with qtbot.waitSignal(h.c.submitted, timeout=10_000), qtbot.waitSignal(h.c.printed):
        h.w.review.submit_button.click()
    assert h.c.screen is Screen.DONE
    assert not h.w.banner.isVisible()


@pytest.mark.parametrize("fault", ["raises", "not_printed"])
def test_printer_problems_leave_the_number_on_screen(kiosk: Harness, qtbot, fault: str) -> None:  # noqa: ANN001
    h = kiosk
    if fault == "raises":
        h.printer.fail = PrinterJam("กระดาษติดในเครื่องพิมพ์", "Paper jam in the printer")
    else:
        h.printer.printed = False
    to_review(h, qtbot)
    with qtbot.waitSignal(h.c.submitted, timeout=10_000) as sent, qtbot.waitSignal(h.c.printed):
        h.w.review.submit_button.click()
    assert h.c.screen is Screen.DONE
    assert h.w.done.number.text() == sent.args[0]
    expected = "กระดาษติด" if fault == "raises" else "กระดาษหมด"
    assert expected in h.w.done.printing.text()


def test_a_bug_in_an_operation_shows_a_generic_message_and_logs_no_data(
    kiosk: Harness, qtbot, monkeypatch, caplog
) -> None:  # noqa: ANN001
    h = kiosk
    to_review(h, qtbot)

    def bug(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("unexpected 1101700203450 สมชาย")

    monkeypatch.setattr(h.counter.cases, "submit", bug)
    with qtbot.waitSignal(h.c.submit_failed) as failed:
        h.w.review.submit_button.click()
    assert failed.args == ["bug"]
    assert "ขออภัย ระบบขัดข้องชั่วคราว" in h.w.banner_text.text()
    assert "1101700203450" not in caplog.text and "สมชาย" not in caplog.text
    assert "RuntimeError" in caplog.text
