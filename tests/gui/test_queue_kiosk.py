"""The kiosk issues the queue ticket with the case: priority from the card, number and wait on screen
and on the printed ticket."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.counter import Counter
from kiosk.devices.card.parser import CardRecord, PartialDate
from kiosk.domain.workflow import Actor, Role
from kiosk.storage.cases import ApplicantInfo
from kiosk.storage.queue import QueueStore
from kiosk.ui.controller import is_elderly
from tests.gui.conftest import Harness, read_profile, visible_texts
from tests.gui.test_visits import ELDERLY, fill_elderly, submit, to_form
from tests.unit.documents.helpers import canon, pdf_text

print_adapter = pytest.importorskip("kiosk.ui.print_adapter")


def queue_of(counter: Counter) -> QueueStore:
    assert counter.cases.queue is not None, "Counter.open must give its CaseStore the queue"
    return counter.cases.queue


def card_visit(h: Harness, qtbot, profile: str) -> str:  # noqa: ANN001
    h.cards.attach()
    h.cards.insert(read_profile(profile))
    qtbot.waitUntil(lambda: h.c.visit.with_card)  # the card is noticed, not read: the notice comes first
    to_form(h, qtbot, ELDERLY)
    fill_elderly(h, qtbot)
    h.w.form.next_button.click()
    h.w.documents.next_button.click()
    return " ".join(visible_texts(h.w.review))


def test_an_elderly_card_gets_a_priority_ticket_with_the_case(kiosk: Harness, qtbot) -> None:  # noqa: ANN001
    h = kiosk
    queue = queue_of(h.counter)
    review = card_visit(h, qtbot, "boonmee-lifetime")  # born 2485 BE, month and day unknown
    assert "ผู้สูงอายุ" in review  # nobody had to choose it: the card's birth date says 60 or more
    number = submit(h, qtbot)
    ticket = queue.ticket_for_case(h.counter.cases.get(number).id)
    assert ticket is not None
    assert (ticket.priority, ticket.group, ticket.service_code, ticket.case_number) == (
        "elderly",
        queue.group_for(ELDERLY, "welfare"),
        ELDERLY,
        number,
    )
    assert h.counter.cases.get(number).priority == "elderly"
    # The done screen leads with the queue number, then says how long the wait is.
    assert h.w.done.ticket.text() == ticket.number and h.w.done.ticket.isVisible()
    qtbot.waitUntil(lambda: h.w.done.wait.isVisible())
    assert h.w.done.wait.text() == "ท่านเป็นคิวถัดไป กรุณาดูหมายเลขบนจอ"
    h.cards.remove()
    h.w.done.finish_button.click()
    assert h.w.done.ticket.text() == ""

    # The next applicant (35 years old): a regular ticket in the same line, one person ahead.
    card_visit(h, qtbot, "somchai")
    assert h.c.visit.priority == ""
    second = submit(h, qtbot)
    regular = queue.ticket_for_case(h.counter.cases.get(second).id)
    assert regular is not None and regular.priority == "" and regular.group == ticket.group
    ahead, minutes = queue.estimate(regular.id)
    assert ahead == 1 and minutes > 0
    qtbot.waitUntil(lambda: h.w.done.wait.isVisible())
    assert h.w.done.wait.text() == f"มีคิวก่อนหน้า 1 คิว ประมาณ {minutes} นาที"


def test_the_birth_date_rule_counts_only_the_years_surely_reached() -> None:
    record = read_profile("somchai")  # born 15 April 1985

    def born(year: int, month: int | None, day: int | None) -> CardRecord:
        return replace(record, birth_date=PartialDate(year, month, day))

    today = dt.date(2025, 4, 14)
    assert not is_elderly(born(1965, 4, 15), 60, today)  # turns 60 tomorrow
    assert is_elderly(born(1965, 4, 14), 60, today)
    assert not is_elderly(born(1965, None, None), 60, today)  # could be born in December
    assert is_elderly(born(1964, None, None), 60, today)
    assert not is_elderly(born(1965, 4, None), 60, today)  # April, the day unknown: maybe the 30th
    assert not is_elderly(record, 60, today)


def test_the_printed_ticket_carries_the_queue_number_and_the_wait(data_dir: Path, tmp_path: Path) -> None:
    counter = Counter.open(data_dir)
    printer = print_adapter.DocumentsPrinter(counter, pdf_dir=tmp_path / "out", files_only=True)
    try:
        queue = queue_of(counter)
        queue.issue("C")  # someone already waiting in that line
        case = counter.cases.submit(
            ELDERLY,
            ApplicantInfo("1101700203450", "นายสมชาย ใจดี"),
            {},
            Actor(Role.APPLICANT),
            ticket_group="",
        )
        ticket = queue.ticket_for_case(case.id)
        assert ticket is not None and case.ticket_number == ticket.number
        ahead, minutes = queue.estimate(ticket.id)
        assert ahead == 1
        result = printer.print_ticket(case.number)
        assert result.printed, result.message_en
        text = canon(pdf_text(Path(result.path).read_bytes(), tmp_path))
        assert ticket.number in text
        assert canon(f"รอก่อนหน้า {ahead} คิว · ประมาณ {minutes} นาที") in text
        # A case written before the queue existed still gets a ticket made from its own number.
        old = counter.cases.submit(
            ELDERLY, ApplicantInfo("1101700203450", "นายสมชาย ใจดี"), {}, Actor(Role.APPLICANT)
        )
        assert queue.ticket_for_case(old.id) is None
        assert printer.print_ticket(old.number).printed
    finally:
        printer.close()
        counter.close()
