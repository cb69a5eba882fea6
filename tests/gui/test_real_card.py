"""Visits against the real PC/SC stack: pcscd, the vpcd driver and the project's virtual card.

Reuses the pcscd fixture of tests/integration/card (its own daemon unless one is running).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.counter import Counter
from kiosk.devices.card.profile import load_profile
from kiosk.devices.card.simulator import VirtualCard, VpcdSimulator
from kiosk.ui.app import Kiosk, build_kiosk
from kiosk.ui.card_source import PcscCardSource
from kiosk.ui.controller import Timeouts
from kiosk.ui.window import Screen
from tests.gui.conftest import RecordingPrinter, personal_strings, read_profile, visible_texts
from tests.gui.test_visits import ELDERLY, fill_elderly, submit, to_form, unlock_staff
from tests.integration.card.conftest import (
    READER,
    Pcscd,
    card_present,
    pcscd_daemon,
    wait_until,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pcscd]:
    """The card tests' daemon set-up, for this module only: a daemon we start is stopped when the
    module ends, so tests/integration/card still owns the one it starts (its restart tests need that)."""
    with pcscd_daemon(tmp_path_factory.mktemp("pcscd-gui")) as daemon:
        yield daemon


@pytest.fixture
def real_kiosk(qtbot, pcscd: Pcscd, data_dir: Path) -> Iterator[tuple[Kiosk, RecordingPrinter]]:  # noqa: ANN001
    counter = Counter.open(data_dir)
    printer = RecordingPrinter()
    kiosk = build_kiosk(
        counter,
        card_source=lambda events: PcscCardSource(events, reader=READER),
        printer=printer,
        demo=True,
        timeouts=Timeouts(idle_ms=60_000),
    )
    kiosk.window.resize(1280, 800)
    kiosk.window.show()
    qtbot.waitUntil(lambda: READER in kiosk.controller.readers, timeout=10_000)
    yield kiosk, printer
    kiosk.shutdown()
    counter.close()
    alive = [
        t.name for t in threading.enumerate() if t.name.startswith(("kiosk-", "card-worker", "vpcd-card"))
    ]
    assert not alive, f"threads left running: {alive}"


def insert(profile: str) -> VpcdSimulator:
    sim = VpcdSimulator(VirtualCard(load_profile(profile)), reconnect=False).start()
    assert sim.connected.wait(10), "vpcd did not accept the virtual card"
    return sim


def test_a_visit_with_the_virtual_card_on_pcscd(real_kiosk, qtbot) -> None:  # noqa: ANN001
    kiosk, printer = real_kiosk
    c, w = kiosk.controller, kiosk.window
    sim = insert("somchai")
    try:
        qtbot.waitUntil(lambda: c.screen is Screen.NOTICE, timeout=10_000)
        qtbot.wait(500)  # the card worker polls the reader with the card in it
        assert sim.card.apdus == 0 and c.visit.record is None, "the card was read before the notice"
        to_form(_H(kiosk), qtbot, ELDERLY)  # accepting the notice reads the card
        assert sim.card.apdus == 7
        assert w.form.rows["applicant_name"].editor.text() == "นายสมชาย ใจดี"
        fill_elderly(_H(kiosk), qtbot)
        w.form.next_button.click()
        w.documents.next_button.click()
        number = submit(_H(kiosk), qtbot)
        assert kiosk.counter.cases.get(number).citizen_id == "1101700203450"
        assert printer.calls[0] == ("ticket", number)
    finally:
        sim.stop()
    wait_until(lambda: not card_present(READER), 5, "the card to be out")


def test_pulling_the_virtual_card_wipes_the_visit(real_kiosk, qtbot) -> None:  # noqa: ANN001
    kiosk, _ = real_kiosk
    c, w = kiosk.controller, kiosk.window
    record = read_profile("nampueng")
    sim = insert("nampueng")
    try:
        qtbot.waitUntil(lambda: c.screen is Screen.NOTICE, timeout=10_000)
        to_form(_H(kiosk), qtbot, ELDERLY)
        assert any(record.name_th.first in t for t in visible_texts(w))
        with qtbot.waitSignal(c.visit_ended, timeout=10_000):
            sim.stop()
    finally:
        sim.stop()
    assert c.screen is Screen.WELCOME
    assert not [s for s in personal_strings(record) for t in visible_texts(w) if s in t]


def test_the_staff_menu_inserts_a_demo_card_into_the_virtual_reader(real_kiosk, qtbot) -> None:  # noqa: ANN001
    kiosk, _ = real_kiosk
    c = kiosk.controller
    unlock_staff(_H(kiosk), qtbot)
    c.insert_demo_card("chaloem")
    qtbot.waitUntil(lambda: c.visit.with_card, timeout=10_000)
    assert c.visit.reader == READER  # through pcscd, not the in-process fallback
    c.accept_notice()
    qtbot.waitUntil(lambda: c.visit.record is not None, timeout=10_000)
    with qtbot.waitSignal(c.visit_ended, timeout=10_000):
        c.remove_demo_card()


class _H:
    """The bits of the test harness the shared steps use."""

    def __init__(self, kiosk: Kiosk) -> None:
        self.kiosk = kiosk
        self.c = kiosk.controller
        self.w = kiosk.window
        self.counter = kiosk.counter
