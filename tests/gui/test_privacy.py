"""The visit ends on card removal or idleness, and nothing of the applicant survives it."""

from __future__ import annotations

import gc
import weakref

from PySide6.QtCore import Qt

from kiosk.ui.window import Screen
from tests.gui.conftest import Harness, personal_strings, read_profile, type_text, visible_texts
from tests.gui.test_visits import ELDERLY, fill_elderly, to_form


def start_card_visit(h: Harness, qtbot, profile: str = "chaloem"):  # noqa: ANN001, ANN201
    record = read_profile(profile)
    h.cards.attach()
    h.cards.insert(record)
    qtbot.waitUntil(lambda: h.c.screen is Screen.NOTICE)
    to_form(h, qtbot, ELDERLY)
    fill_elderly(h, qtbot)
    type_text(h.w.form.rows["bank_name"].editor, "ธนาคารออมสิน สาขาพิเศษ")
    qtbot.keyClicks(h.w.form.rows["phone"].editor, "0891234567")
    texts = visible_texts(h.w)
    assert any(record.name_th.first in t for t in texts), "the form should show the card's data"
    return record


def assert_wiped(h: Harness, record, extra: tuple[str, ...] = ()) -> None:  # noqa: ANN001
    assert h.c.screen is Screen.WELCOME
    texts = visible_texts(h.w)
    leaked = [s for s in (*personal_strings(record), *extra) for t in texts if s in t]
    assert not leaked, f"still on screen after the visit: {leaked}"
    v = h.c.visit
    assert v.record is None and v.service is None and not v.values and not v.documents
    assert not h.w.form.rows
    assert not h.c.staff


def test_card_removed_mid_form_wipes_every_widget(kiosk: Harness, qtbot) -> None:  # noqa: ANN001
    h = kiosk
    record = start_card_visit(h, qtbot)
    ref = weakref.ref(record)
    with qtbot.waitSignal(h.c.visit_ended) as ended:
        h.cards.remove()
    assert ended.args == ["card_removed"]
    assert_wiped(h, record, ("ธนาคารออมสิน", "0891234567"))
    del record
    gc.collect()
    assert ref() is None, "the card record is still referenced somewhere after the visit"


def test_idle_warns_then_ends_the_visit(make_kiosk, qtbot) -> None:  # noqa: ANN001
    h = make_kiosk(idle_ms=900, warning_ms=600)
    record = start_card_visit(h, qtbot, "somchai")
    with qtbot.waitSignal(h.c.idle.warn, timeout=3000):
        pass
    assert h.w.idle.isVisible()
    assert "วินาที" in h.w.idle.countdown.text()
    with qtbot.waitSignal(h.c.visit_ended, timeout=3000) as ended:
        pass
    assert ended.args == ["idle"]
    assert not h.w.idle.isVisible()
    assert_wiped(h, record, ("ธนาคารออมสิน", "0891234567"))
    # At rest on the welcome screen no idle clock runs.
    assert not h.c.idle.armed


def test_a_touch_during_the_warning_keeps_the_visit(make_kiosk, qtbot) -> None:  # noqa: ANN001
    h = make_kiosk(idle_ms=900, warning_ms=600)
    record = start_card_visit(h, qtbot, "somchai")
    with qtbot.waitSignal(h.c.idle.warn, timeout=3000):
        pass
    with qtbot.waitSignal(h.c.idle.resumed):
        qtbot.mouseClick(h.w.idle.button, Qt.MouseButton.LeftButton)
    assert not h.w.idle.isVisible()
    assert h.c.screen is Screen.FORM
    assert h.c.visit.record is record


def test_another_card_replaces_the_visit_without_showing_the_first(kiosk: Harness, qtbot) -> None:  # noqa: ANN001
    h = kiosk
    first = start_card_visit(h, qtbot)
    h.cards.emit()  # nothing
    from kiosk.devices.card.service import CardInserted

    h.cards.emit(CardInserted("Other Reader", b"\x3b"))
    qtbot.waitUntil(lambda: h.c.screen is Screen.NOTICE)
    texts = visible_texts(h.w)
    assert not [s for s in personal_strings(first) for t in texts if s in t]
    assert h.c.visit.reader == "Other Reader"


def test_nothing_personal_in_the_log(kiosk: Harness, qtbot, caplog) -> None:  # noqa: ANN001
    h = kiosk
    caplog.set_level("DEBUG")
    record = start_card_visit(h, qtbot)
    h.cards.remove()
    qtbot.waitUntil(lambda: h.c.screen is Screen.WELCOME)
    logged = caplog.text
    assert not [s for s in personal_strings(record) if s in logged]


def test_the_card_is_read_only_once_the_notice_is_accepted(make_kiosk, qtbot) -> None:  # noqa: ANN001
    """The demo card is the project's virtual card read in process through the real protocol code:
    its APDU count shows whether anything was asked of it."""
    h = make_kiosk(demo=True)
    demo = h.kiosk.services.demo_cards
    assert demo is not None
    h.c.insert_demo_card("somchai")
    qtbot.waitUntil(lambda: h.c.screen is Screen.NOTICE)
    qtbot.wait(200)
    assert demo.card is not None and demo.card.apdus == 0, "nothing is sent to the card before the notice"
    assert h.c.visit.record is None
    h.c.accept_notice()
    qtbot.waitUntil(lambda: h.c.visit.record is not None)
    assert demo.card.apdus > 0
    to_form_accepted(h, qtbot)
    assert h.w.form.rows["applicant_name"].editor.text() == "นายสมชาย ใจดี"
    with qtbot.waitSignal(h.c.visit_ended):
        h.c.remove_demo_card()


def to_form_accepted(h: Harness, qtbot) -> None:  # noqa: ANN001
    qtbot.waitUntil(lambda: h.c.screen is Screen.SERVICES)
    h.c.choose_service(ELDERLY)
    with qtbot.waitSignal(h.c.form_ready):
        h.w.about.next.click()


def test_a_card_left_in_after_the_notice_was_declined_is_never_read(make_kiosk, qtbot) -> None:  # noqa: ANN001
    h = make_kiosk(demo=True)
    demo = h.kiosk.services.demo_cards
    assert demo is not None
    h.c.insert_demo_card("chaloem")
    qtbot.waitUntil(lambda: h.c.screen is Screen.NOTICE)
    with qtbot.waitSignal(h.c.visit_ended) as ended:
        h.w.notice.decline.click()
    assert ended.args == ["declined"]
    qtbot.wait(300)  # the card stays in the reader
    assert demo.inserted and demo.card is not None and demo.card.apdus == 0
    assert h.c.screen is Screen.WELCOME and h.c.visit.record is None
    h.c.remove_demo_card()


def test_a_read_that_arrives_before_the_notice_is_accepted_is_not_kept(kiosk: Harness, qtbot) -> None:  # noqa: ANN001
    """A read asked for by an earlier visit, landing in a new one whose notice is still showing."""
    h = kiosk
    record = read_profile("somchai")
    h.cards.attach()
    h.cards.insert(record)
    qtbot.waitUntil(lambda: h.c.screen is Screen.NOTICE)
    h.cards.read(record)
    qtbot.wait(50)
    assert h.c.visit.record is None and h.c.screen is Screen.NOTICE
    assert not [s for s in personal_strings(record) for t in visible_texts(h.w) if s in t]
    assert h.cards.read_requests == 0
