"""The officer's counter window: every queue action through its buttons, on a real QueueStore."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer

from kiosk.counter import Counter
from kiosk.storage.queue import QueueStore, TicketView
from kiosk.storage.staff import StaffAccounts
from kiosk.ui.counter_controller import CounterApp, build_counter
from tests.gui.conftest import WORKER_THREADS, visible_texts

STAFF = "Q101"
PIN = "482913"


@dataclass
class Desk:
    app: CounterApp
    counter: Counter
    queue: QueueStore

    @property
    def c(self):  # noqa: ANN201
        return self.app.controller

    @property
    def w(self):  # noqa: ANN201
        return self.app.window

    @property
    def d(self):  # noqa: ANN201
        return self.app.window.desk


def write_config(data_dir: Path, queue: str) -> None:
    (data_dir / "kiosk.toml").write_text(f"[queue]\n{queue}\n", encoding="utf-8")


@pytest.fixture
def make_desk(qtbot, data_dir: Path) -> Iterator[Callable[..., Desk]]:  # noqa: ANN001
    made: list[Desk] = []

    def make(counter_id: str = "1", *, claim=None, config: str = "", sign_out_ms=None) -> Desk:  # noqa: ANN001
        if config:
            write_config(data_dir, config)
        counter = Counter.open(data_dir)
        if not made:
            StaffAccounts(counter.db, kiosk_id=counter.config.kiosk.id).add(
                STAFF, "สมศรี ตั้งใจ", "counter", PIN
            )
        app = build_counter(counter, counter_id, claim=claim, refresh_ms=60_000, sign_out_ms=sign_out_ms)
        app.window.resize(1280, 800)
        app.window.show()
        qtbot.waitExposed(app.window)
        desk = Desk(app, counter, QueueStore(counter.db, counter.config, kiosk_id=counter.config.kiosk.id))
        made.append(desk)
        return desk

    yield make
    for desk in made:
        desk.app.shutdown()
        timers = [t for t in desk.app.controller.findChildren(QTimer) if t.isActive()]
        assert not timers, f"Qt timers left running: {timers}"
        desk.counter.close()
    alive = [t.name for t in threading.enumerate() if t.name.startswith(WORKER_THREADS) and t.is_alive()]
    assert not alive, f"threads left running: {alive}"


def sign_in(desk: Desk, qtbot, pin: str = PIN) -> None:  # noqa: ANN001
    page = desk.w.signin
    page.code.setText(STAFF)
    page.pin.setText(pin)
    with qtbot.waitSignal(desk.c.refreshed, timeout=10_000):
        page.ok.click()


def press(desk: Desk, qtbot, button, *, fails: bool = False) -> None:  # noqa: ANN001
    """Click a desk button and wait until the action's answer and the refresh after it are shown."""
    assert button.isEnabled(), f"{button.objectName()} is disabled"
    with qtbot.waitSignal(desk.c.refreshed, timeout=10_000):
        if fails:
            with qtbot.waitSignal(desk.c.action_failed, timeout=10_000):
                button.click()
        else:
            with qtbot.waitSignal(desk.c.action_done, timeout=10_000):
                button.click()


def refresh(desk: Desk, qtbot) -> None:  # noqa: ANN001
    with qtbot.waitSignal(desk.c.refreshed, timeout=10_000):
        desk.c.refresh()


def enabled(desk: Desk) -> set[str]:
    d = desk.d
    buttons = (
        d.call_next,
        d.call_number,
        d.recall,
        d.miss,
        d.start,
        d.finish,
        d.transfer,
        d.pause,
        d.return_ticket,
    )
    return {b.objectName() for b in buttons if b.isEnabled()}


def ticket(desk: Desk, number: str) -> TicketView:
    return desk.queue.ticket(number)


def test_sign_in_opens_the_counter_and_a_wrong_pin_does_not(make_desk, qtbot) -> None:  # noqa: ANN001
    desk = make_desk()
    assert not desk.w.signed_in
    assert desk.w.title.text().startswith("ช่องบริการ 1")
    desk.w.signin.code.setText(STAFF)
    desk.w.signin.pin.setText("000000")
    with qtbot.waitSignal(desk.c.action_failed, timeout=10_000):
        desk.w.signin.ok.click()
    assert not desk.w.signed_in
    assert "PIN" in desk.w.signin.error.text()
    assert desk.queue.counter_view("1").state == "closed"

    sign_in(desk, qtbot)
    assert desk.w.signed_in
    assert desk.queue.counter_view("1").state == "open"
    assert desk.queue.counter_view("1").staff_id == STAFF
    assert STAFF in desk.w.staff.text()
    # Nobody waiting: nothing to call next, but a number can be called, a break taken, a late ticket returned.
    assert enabled(desk) == {"callNumber", "pause", "returnTicket"}


def test_call_start_finish_and_the_line_on_screen(make_desk, qtbot) -> None:  # noqa: ANN001
    desk = make_desk()
    a1 = desk.queue.issue("A", service_code="building-construction-permit").ticket
    a2 = desk.queue.issue("A").ticket
    b1 = desk.queue.issue("B", priority="elderly").ticket
    sign_in(desk, qtbot)
    # The line, in calling order, and the counts per group.
    rows = [desk.d.waiting.item(i).text() for i in range(desk.d.waiting.count())]
    assert [r.split()[0] for r in rows] == [t.number for t in desk.queue.waiting(("A", "B", "C"))]
    assert any("★" in r and b1.number in r for r in rows)
    groups = [desk.d.groups_box.itemAt(i).widget().text() for i in range(desk.d.groups_box.count())]
    assert groups[0] == "A  ขออนุญาตและแจ้งเรื่อง" and groups[1].startswith("รอ 2 คิว · ประมาณ")
    assert groups[3].startswith("รอ 1 คิว (คิวพิเศษ 1)")
    assert enabled(desk) == {"callNext", "callNumber", "pause", "returnTicket"}

    press(desk, qtbot, desk.d.call_next)
    called = desk.queue.counter_view("1").current
    assert called is not None and called.number == a1.number and called.state == "called"
    assert desk.d.number.text() == a1.number
    assert "ขออนุญาตก่อสร้างอาคาร" in desk.d.service.text()
    assert enabled(desk) == {"recall", "miss", "start", "transfer", "returnTicket"}
    assert not desk.w.sign_out_button.isEnabled()  # a called applicant is not left behind

    press(desk, qtbot, desk.d.start)
    assert ticket(desk, a1.number).state == "serving"
    assert enabled(desk) >= {"finish", "transfer", "callNext"}
    assert "recall" not in enabled(desk)

    press(desk, qtbot, desk.d.finish)
    assert ticket(desk, a1.number).state == "done"
    assert desk.d.number.text() == "—"
    assert desk.queue.counter_view("1").current is None
    # A002 is older than the priority B001 and only one regular call was made: A002 is next.
    assert desk.d.waiting.item(0).text().split()[0] == a2.number
    assert desk.d.waiting.item(1).text().split()[0] == b1.number


def test_recall_counts_and_is_a_new_call_for_the_board(make_desk, qtbot) -> None:  # noqa: ANN001
    desk = make_desk()
    a1 = desk.queue.issue("A").ticket
    sign_in(desk, qtbot)
    press(desk, qtbot, desk.d.call_next)
    press(desk, qtbot, desk.d.recall)
    assert ticket(desk, a1.number).calls == 2
    calls = desk.queue.board().calls
    assert [(c.number, c.recall) for c in calls[:2]] == [(a1.number, True), (a1.number, False)]
    assert "2" in desk.d.detail.text()


def test_no_show_comes_back_after_the_grace_then_is_final_and_can_return(make_desk, qtbot) -> None:  # noqa: ANN001
    desk = make_desk(config="grace_calls = 1")
    a1, a2, a3 = (desk.queue.issue("A").ticket for _ in range(3))
    sign_in(desk, qtbot)
    press(desk, qtbot, desk.d.call_next)
    assert desk.d.miss.text() == "ไม่มาตามเรียก (เรียกอีกครั้งภายหลัง)"
    press(desk, qtbot, desk.d.miss)
    assert ticket(desk, a1.number).state == "missed"
    assert any(a1.number in desk.d.waiting.item(i).text() for i in range(desk.d.waiting.count()))
    # One other call (the grace), then the missed ticket is called again before the others.
    press(desk, qtbot, desk.d.call_next)
    assert desk.d.number.text() == a2.number
    press(desk, qtbot, desk.d.start)
    press(desk, qtbot, desk.d.call_next)  # finishes a2 and calls the next
    assert ticket(desk, a2.number).state == "done"
    assert desk.d.number.text() == a1.number
    assert desk.d.miss.text() == "ไม่มาตามเรียก (ครั้งสุดท้าย)"
    press(desk, qtbot, desk.d.miss)
    assert ticket(desk, a1.number).state == "no_show"

    # The applicant turns up late: the officer returns the ticket by its number.
    press(desk, qtbot, desk.d.call_next)
    assert desk.d.number.text() == a3.number
    desk.d.return_ticket.click()
    prompt = desk.w.number_prompt
    assert prompt.isVisible()
    prompt.number.setText(a1.number.lower())
    with qtbot.waitSignal(desk.c.refreshed, timeout=10_000), qtbot.waitSignal(desk.c.action_done):
        prompt.ok.click()
    assert not prompt.isVisible()
    assert ticket(desk, a1.number).state == "waiting"


def test_transfer_needs_a_target_and_a_reason(make_desk, qtbot) -> None:  # noqa: ANN001
    desk = make_desk()
    a1 = desk.queue.issue("A").ticket
    sign_in(desk, qtbot)
    press(desk, qtbot, desk.d.call_next)
    desk.d.transfer.click()
    prompt = desk.w.transfer_prompt
    assert prompt.isVisible()
    prompt.ok.click()
    assert prompt.error.text() and prompt.isVisible()
    prompt.group.setCurrentIndex(prompt.group.findData("B"))
    prompt.counter.setCurrentIndex(prompt.counter.findData("2"))
    prompt.ok.click()
    assert prompt.error.text() == "กรุณาระบุเหตุผล" and prompt.isVisible()
    prompt.reason.setText("ต้องชำระภาษีป้ายก่อน")
    with qtbot.waitSignal(desk.c.refreshed, timeout=10_000), qtbot.waitSignal(desk.c.action_done):
        prompt.ok.click()
    moved = ticket(desk, a1.number)
    assert (moved.state, moved.group, moved.target_counter) == ("waiting", "B", "2")
    assert moved.line_at == a1.issued_at  # the applicant keeps their place
    assert desk.queue.counter_view("1").current is None
    # It waits for counter 2 now, and the line says so.
    row = next(
        desk.d.waiting.item(i).text()
        for i in range(desk.d.waiting.count())
        if a1.number in desk.d.waiting.item(i).text()
    )
    assert "2" in row.split(a1.number, 1)[1]
    assert desk.queue.next_candidate("1") is None
    assert desk.queue.next_candidate("2") is not None


def test_break_stops_calling_until_resumed(make_desk, qtbot) -> None:  # noqa: ANN001
    desk = make_desk()
    desk.queue.issue("C")
    sign_in(desk, qtbot)
    assert desk.d.pause.text() == "พัก"
    press(desk, qtbot, desk.d.pause)
    assert desk.queue.counter_view("1").state == "break"
    assert desk.d.pause.text() == "กลับมาให้บริการ"
    assert enabled(desk) == {"pause", "returnTicket"}
    assert desk.w.state.text() == "พักชั่วคราว"
    press(desk, qtbot, desk.d.pause)
    assert desk.queue.counter_view("1").state == "open"
    assert "callNext" in enabled(desk)


def test_priority_is_set_and_cleared_with_a_reason(make_desk, qtbot) -> None:  # noqa: ANN001
    desk = make_desk()
    desk.queue.issue("A")
    a2 = desk.queue.issue("A").ticket
    sign_in(desk, qtbot)
    desk.d.waiting.setCurrentRow(1)
    assert desk.d.set_priority.isEnabled()
    desk.d.set_priority.click()
    prompt = desk.w.priority_prompt
    assert prompt.number.text() == a2.number
    prompt.priority.setCurrentIndex(prompt.priority.findData("disabled"))
    prompt.ok.click()
    assert prompt.error.text() == "กรุณาระบุเหตุผล"
    prompt.reason.setText("ใช้รถเข็น")
    with qtbot.waitSignal(desk.c.refreshed, timeout=10_000), qtbot.waitSignal(desk.c.action_done):
        prompt.ok.click()
    assert ticket(desk, a2.number).priority == "disabled"
    # The line on screen marks it and follows the calling rule (at most `priority_every` regulars first).
    rows = [desk.d.waiting.item(i).text() for i in range(desk.d.waiting.count())]
    assert [r.split()[0] for r in rows] == [t.number for t in desk.queue.waiting(("A", "B", "C"))]
    assert "★ ผู้พิการ" in next(r for r in rows if r.startswith(a2.number))

    desk.d.waiting.setCurrentRow([r.split()[0] for r in rows].index(a2.number))
    desk.d.set_priority.click()
    assert prompt.priority.currentData() == "disabled"
    prompt.priority.setCurrentIndex(prompt.priority.findData(""))
    prompt.reason.setText("ตั้งผิดคิว")
    with qtbot.waitSignal(desk.c.refreshed, timeout=10_000), qtbot.waitSignal(desk.c.action_done):
        prompt.ok.click()
    assert ticket(desk, a2.number).priority == ""


def test_errors_are_shown_in_thai_and_english(make_desk, qtbot) -> None:  # noqa: ANN001
    desk = make_desk()
    a1 = desk.queue.issue("A").ticket
    sign_in(desk, qtbot)
    desk.d.return_ticket.click()
    desk.w.number_prompt.number.setText(a1.number)  # waiting, not a no-show
    with qtbot.waitSignal(desk.c.action_failed, timeout=10_000):
        desk.w.number_prompt.ok.click()
    assert desk.w.banner.isVisible()
    assert a1.number in desk.w.banner_th.text() and "ไม่ได้" in desk.w.banner_th.text()
    assert "not a no-show" in desk.w.banner_en.text()


def test_a_ticket_taken_by_another_counter_meanwhile(make_desk, qtbot) -> None:  # noqa: ANN001
    desk = make_desk()
    a1 = desk.queue.issue("A").ticket
    sign_in(desk, qtbot)
    assert "callNext" in enabled(desk)
    # Counter 2 calls the only ticket before this officer presses the button.
    desk.queue.open_counter("2", "Q102")
    desk.queue.call_next("2", "Q102")
    press(desk, qtbot, desk.d.call_next, fails=True)
    assert "ไม่มีผู้รอ" in desk.w.banner_th.text() and "Nobody is waiting" in desk.w.banner_en.text()
    assert ticket(desk, a1.number).counter == "2"
    assert "callNext" not in enabled(desk)


def test_call_next_asks_the_injected_claim_and_skips_a_refused_ticket(make_desk, qtbot) -> None:  # noqa: ANN001
    asked: list[tuple[str, str]] = []
    taken: set[str] = set()

    def claim(t: TicketView, counter: str) -> bool:
        asked.append((t.number, counter))
        return t.number not in taken

    desk = make_desk(claim=claim)
    a1 = desk.queue.issue("A").ticket
    a2 = desk.queue.issue("A").ticket
    taken.add(a1.number)  # another office counter has it, as the central server would say
    sign_in(desk, qtbot)
    press(desk, qtbot, desk.d.call_next)
    assert asked == [(a1.number, "1"), (a2.number, "1")]
    assert desk.d.number.text() == a2.number


def test_sign_out_closes_the_counter(make_desk, qtbot) -> None:  # noqa: ANN001
    desk = make_desk()
    sign_in(desk, qtbot)
    with qtbot.waitSignal(desk.c.signed_out, timeout=10_000):
        desk.w.sign_out_button.click()
    assert not desk.w.signed_in
    assert desk.queue.counter_view("1").state == "closed"
    assert desk.w.signin.pin.text() == ""
    assert not any(PIN in t for t in visible_texts(desk.w))


def test_english_and_back(make_desk, qtbot) -> None:  # noqa: ANN001
    desk = make_desk()
    sign_in(desk, qtbot)
    desk.w.language.click()
    assert desk.d.call_next.text() == "Call next"
    assert desk.w.title.text().startswith("Counter 1")
    desk.w.language.click()
    assert desk.d.call_next.text() == "เรียกคิวถัดไป"


def test_call_a_number_brings_back_a_missed_applicant(make_desk, qtbot) -> None:  # noqa: ANN001
    desk = make_desk()
    a1 = desk.queue.issue("A").ticket
    desk.queue.issue("A")
    sign_in(desk, qtbot)
    press(desk, qtbot, desk.d.call_next)
    press(desk, qtbot, desk.d.miss)  # grace_calls = 3: A001 is not called next
    assert desk.queue.next_candidate("1").number != a1.number  # type: ignore[union-attr]
    # The applicant comes to the counter: the officer calls that number.
    assert "callNumber" in enabled(desk)
    desk.d.call_number.click()
    prompt = desk.w.number_prompt
    assert prompt.isVisible() and prompt.title.text() == "เรียกหมายเลข"
    prompt.number.setText(a1.number.lower())
    with qtbot.waitSignal(desk.c.refreshed, timeout=10_000), qtbot.waitSignal(desk.c.action_done) as done:
        prompt.ok.click()
    assert done.args == ["call_number"]
    called = ticket(desk, a1.number)
    assert (called.state, called.counter, called.calls) == ("called", "1", 2)
    assert desk.d.number.text() == a1.number
    assert "callNumber" not in enabled(desk)  # a called applicant is started or skipped first
    # The return prompt is the same overlay, with its own words.
    desk.d.return_ticket.click()
    assert prompt.title.text() == "รับคิวที่มาช้ากลับ"
    prompt.cancel.click()


def test_a_ticket_sent_here_from_another_line_is_in_the_list(make_desk, qtbot) -> None:  # noqa: ANN001
    counters = (
        '[[queue.counters]]\nid = "1"\nname_th = "ช่องบริการ 1"\nname_en = "Counter 1"\ngroups = ["A"]\n'
        '[[queue.counters]]\nid = "2"\nname_th = "ช่องบริการ 2"\nname_en = "Counter 2"\ngroups = ["B"]\n'
    )
    desk = make_desk(config=counters)
    a1 = desk.queue.issue("A").ticket
    b1 = desk.queue.issue("B").ticket
    sign_in(desk, qtbot)
    assert [desk.d.waiting.item(i).text().split()[0] for i in range(desk.d.waiting.count())] == [a1.number]
    desk.queue.open_counter("2", "Q102")
    desk.queue.call_next("2", "Q102")
    desk.queue.transfer("2", "Q102", to_counter="1", reason="ส่งต่อ")
    refresh(desk, qtbot)
    rows = [desk.d.waiting.item(i).text() for i in range(desk.d.waiting.count())]
    assert [r.split()[0] for r in rows] == [a1.number, b1.number]
    assert "ช่องนี้" in rows[1]  # "→ this counter"


def sign_outs(desk: Desk) -> list[str]:
    from kiosk.storage import audit

    return [r.detail.get("how", "") for r in audit.recent(desk.counter.db) if r.action == audit.SIGN_OUT]


def test_an_idle_counter_signs_out_but_never_mid_service_and_the_audit_says_how(make_desk, qtbot) -> None:  # noqa: ANN001
    desk = make_desk(sign_out_ms=400)
    desk.queue.issue("A")
    sign_in(desk, qtbot)
    press(desk, qtbot, desk.d.call_next)
    # A ticket is held: the clock runs out, and runs again, but the officer stays.
    qtbot.wait(1200)
    assert desk.c.staff_id == STAFF and desk.w.desk.isVisible()
    press(desk, qtbot, desk.d.start)
    press(desk, qtbot, desk.d.finish)
    with qtbot.waitSignal(desk.c.signed_out, timeout=5000):
        pass
    assert desk.c.staff_id == "" and desk.w.signin.isVisible()
    assert sign_outs(desk) == ["auto"]
    assert desk.queue.counter_view("1").state == "closed"


def test_input_in_the_window_keeps_the_officer_signed_in_and_a_manual_sign_out_is_audited(
    make_desk, qtbot
) -> None:  # noqa: ANN001
    desk = make_desk(sign_out_ms=700)
    sign_in(desk, qtbot)
    for _ in range(5):
        qtbot.wait(300)
        qtbot.mouseClick(desk.d.waiting, Qt.MouseButton.LeftButton)
    assert desk.c.staff_id == STAFF, "clicks in the window must restart the sign-out clock"
    with qtbot.waitSignal(desk.c.signed_out, timeout=5000):
        desk.c.sign_out()
    assert sign_outs(desk) == ["manual"]
