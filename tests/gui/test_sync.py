"""Sync in the running kiosk: the header's indicator, the staff bar, waking and stopping the worker."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

from PySide6.QtCore import Qt

from kiosk.domain.sla import BANGKOK
from kiosk.domain.workflow import Actor, Role
from kiosk.storage.cases import ApplicantInfo
from kiosk.sync.credentials import Credential, save_credential
from kiosk.sync.worker import SyncStatus, SyncWorker
from kiosk.ui.sync_status import staff_text
from tests.gui.conftest import FakeSync, Harness, fake_sync, read_profile
from tests.gui.test_staff_and_status import awaiting_payment
from tests.gui.test_visits import ELDERLY, fill_elderly, submit, to_form, unlock_staff


def at_bangkok(hour: int, minute: int) -> dt.datetime:
    """Today at that Bangkok time, in UTC as the worker reports it."""
    today = dt.datetime.now(BANGKOK)
    return today.replace(hour=hour, minute=minute, second=0, microsecond=0).astimezone(dt.UTC)


def publish(h: Harness, qtbot, sync: FakeSync, status: SyncStatus) -> None:  # noqa: ANN001
    with qtbot.waitSignal(h.c.sync_changed, timeout=5000):
        sync.publish(status)


def with_fake_sync(make_kiosk: Callable[..., Harness]) -> tuple[Harness, FakeSync]:
    holder: dict[str, FakeSync] = {}
    h = make_kiosk(sync=fake_sync(holder))
    return h, holder["sync"]


def test_the_indicator_and_the_staff_bar_follow_the_sync_status(make_kiosk, qtbot) -> None:  # noqa: ANN001
    h, sync = with_fake_sync(make_kiosk)
    indicator = h.w.sync
    assert sync.started
    assert indicator.isVisible() and indicator.text.text() == "กำลังเชื่อมต่อ…"
    assert indicator.dot.property("state") == "connecting"

    publish(h, qtbot, sync, SyncStatus(enrolled=True, online=True, last_success_at=at_bangkok(10, 40)))
    assert indicator.text.text() == "ออนไลน์"
    assert indicator.dot.property("state") == "online"
    unlock_staff(h, qtbot)
    qtbot.waitUntil(lambda: "ระบบกลาง: ออนไลน์ (ล่าสุด 10:40 น.) รอส่ง 0 รายการ" in h.w.staff_bar.devices.text())

    down = SyncStatus(
        enrolled=True,
        online=False,
        offline_since=at_bangkok(10, 42),
        queued=3,
        last_error="The central server is unreachable: connection refused",
    )
    publish(h, qtbot, sync, down)
    assert indicator.text.text() == "ออฟไลน์ ตั้งแต่ 10:42 น.  ·  รอส่ง 3"
    assert indicator.dot.property("state") == "offline"
    devices = h.w.staff_bar.devices.text()
    assert "ระบบกลาง: ออฟไลน์ตั้งแต่ 10:42 น. รอส่ง 3 รายการ" in devices
    assert "connection refused" in devices
    assert "ยังไม่เชื่อมต่อ" not in devices

    # Still down, more written meanwhile: only the count moves.
    publish(h, qtbot, sync, SyncStatus(**{**down.__dict__, "queued": 5, "refused": 2}))
    assert indicator.text.text() == "ออฟไลน์ ตั้งแต่ 10:42 น.  ·  รอส่ง 5"
    assert "ระบบกลางไม่รับ 2 รายการ" in h.w.staff_bar.devices.text()

    # English is one tap away for the indicator too.
    qtbot.mouseClick(h.w.language, Qt.MouseButton.LeftButton)
    assert indicator.text.text() == "Offline since 10:42  ·  5 waiting"
    assert "Sync: offline since 10:42, 5 waiting" in h.w.staff_bar.devices.text()
    qtbot.mouseClick(h.w.language, Qt.MouseButton.LeftButton)

    publish(h, qtbot, sync, SyncStatus(enrolled=True, online=True, last_success_at=at_bangkok(10, 51)))
    assert indicator.text.text() == "ออนไลน์"
    assert indicator.dot.property("state") == "online"
    devices = h.w.staff_bar.devices.text()
    assert "ระบบกลาง: ออนไลน์ (ล่าสุด 10:51 น.) รอส่ง 0 รายการ" in devices
    assert "connection refused" not in devices


def test_a_kiosk_not_enrolled_shows_no_indicator_and_counts_the_outbox(kiosk: Harness, qtbot) -> None:  # noqa: ANN001
    h = kiosk
    assert h.kiosk.services.sync is None
    assert not h.w.sync.isVisible()
    h.counter.cases.submit(ELDERLY, ApplicantInfo("1101700203450", "นายสมชาย ใจดี"), {}, Actor(Role.APPLICANT))
    unlock_staff(h, qtbot)
    qtbot.waitUntil(lambda: "ไม่ได้ตั้งค่าเซิร์ฟเวอร์" in h.w.staff_bar.devices.text())
    assert "รอส่ง 2 รายการ" in h.w.staff_bar.devices.text()
    # With a server in the configuration but no enrolment, staff are told how to enrol.
    assert staff_text(None, worker=False, server_url="https://central.example", waiting=2) == (
        "ระบบกลาง: ตู้ยังไม่ได้ลงทะเบียน (kiosk enrol URL CODE) รอส่ง 2 รายการ"
    )


def test_a_worker_that_finds_no_enrolment_hides_the_indicator(make_kiosk, qtbot) -> None:  # noqa: ANN001
    h, sync = with_fake_sync(make_kiosk)
    gone = SyncStatus(enrolled=False, next_attempt_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30))
    publish(h, qtbot, sync, gone)
    assert not h.w.sync.isVisible()
    unlock_staff(h, qtbot)
    qtbot.waitUntil(lambda: "ตู้ยังไม่ได้ลงทะเบียน" in h.w.staff_bar.devices.text())


def test_a_submit_and_staff_writes_wake_the_worker(make_kiosk, qtbot) -> None:  # noqa: ANN001
    h, sync = with_fake_sync(make_kiosk)
    h.cards.attach()
    h.cards.insert(read_profile("somchai"))
    qtbot.waitUntil(lambda: h.c.visit.with_card)  # the card is noticed, not read: the notice comes first
    to_form(h, qtbot, ELDERLY)
    fill_elderly(h, qtbot)
    h.w.form.next_button.click()
    h.w.documents.next_button.click()
    assert sync.wakes == 0
    submit(h, qtbot)
    assert sync.wakes == 1
    h.c.end_visit("finished")

    paying = awaiting_payment(h)
    unlock_staff(h, qtbot)
    h.w.staff_bar.open_button.click()
    with qtbot.waitSignal(h.c.case_updated):
        h.c.open_case(paying.number)
    opened = sync.wakes
    with qtbot.waitSignal(h.c.case_updated):
        h.w.status.findChild(object, "recordPayment").click()
    assert sync.wakes == opened + 1


def test_an_enrolled_kiosk_runs_the_real_worker_and_stops_it_at_shutdown(make_kiosk, data_dir, qtbot) -> None:  # noqa: ANN001
    # Enrolled with a server that refuses connections: the worker's status crosses to the GUI
    # thread as a signal, the counter sees "offline since", and shutdown leaves no thread behind.
    save_credential(data_dir, Credential("http://127.0.0.1:9", "K01", "t" * 32))
    h = make_kiosk(sync=None)  # what `kiosk run` does: a worker because the data dir is enrolled
    assert isinstance(h.kiosk.services.sync, SyncWorker)
    qtbot.waitUntil(lambda: h.w.sync.dot.property("state") == "offline", timeout=10_000)
    assert h.w.sync.text.text().startswith("ออฟไลน์ ตั้งแต่ ")
    assert any(t.name == "sync-worker" and t.is_alive() for t in threading.enumerate())
    unlock_staff(h, qtbot)
    qtbot.waitUntil(lambda: "ระบบกลาง: ออฟไลน์ตั้งแต่" in h.w.staff_bar.devices.text())
    assert "unreachable" in h.w.staff_bar.devices.text()
    h.c.shutdown()
    assert not any(t.name == "sync-worker" and t.is_alive() for t in threading.enumerate())
