"""The kiosk screen under pytest-qt, offscreen, with a fake card source and a recording printer.

Every test gets its own data directory (a copy of one migrated database), a kiosk built by the same
`build_kiosk` the application uses, and a check at the end that no worker thread or Qt timer it
started is still running. Qt warnings fail the test (pyproject: qt_log_level_fail = WARNING).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QWidget,
)

from kiosk.counter import Counter
from kiosk.devices.card.parser import CardRecord
from kiosk.devices.card.profile import load_profile
from kiosk.devices.card.reader import read_from_transport
from kiosk.devices.card.service import (
    CardError,
    CardEvent,
    CardInserted,
    CardRead,
    CardRemoved,
    PhotoRead,
    ReaderAdded,
)
from kiosk.devices.card.simulator import VirtualCard
from kiosk.errors import KnownError
from kiosk.storage.staff import StaffAccounts
from kiosk.sync.worker import SyncStatus
from kiosk.ui.app import Kiosk, build_kiosk
from kiosk.ui.card_source import CardEvents, _VirtualTransport
from kiosk.ui.controller import Timeouts
from kiosk.ui.printing import PrinterStatus, PrintResult
from kiosk.ui.staff import StaffDesk
from kiosk.ui.sync_status import SyncEvents, SyncFactory, SyncSource, no_sync

GUI_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything here drives Qt widgets: `-m "not gui"` leaves it out."""
    for item in items:
        if GUI_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.gui)


READER = "Fake Reader 00"
# The documented demo accounts (docs/staff.md), seeded into every test's database.
STAFF_CODE, STAFF_PIN = "S001", "1234"  # counter staff
SUPERVISOR_CODE, SUPERVISOR_PIN = "S002", "2345"
ADMIN_CODE, ADMIN_PIN = "S003", "3456"
WORKER_THREADS = (
    "kiosk-",
    "card-worker",
    "demo-card",
    "vpcd-card",
    "fake-card",
    "printer-worker",
    "sync-worker",
    "fake-sync",
)


def read_profile(name: str) -> CardRecord:
    """A record read through the real protocol and parser from the project's virtual card."""
    card = VirtualCard(load_profile(name))
    return read_from_transport(_VirtualTransport(card), card.atr).record


class FakeCards:
    """A card source driven by the test; events come from a short-lived thread, as from the worker.

    As the real source does, `insert` only reports the card; its text comes when the kiosk asks for
    it (`request_read`, after the PDPA notice is accepted), counted in `read_requests`."""

    def __init__(self, events: CardEvents) -> None:
        self.events = events
        self.started = False
        self.photo_requests = 0
        self.read_requests = 0
        self.card: CardRecord | None = None  # what a read request answers with; None: no answer

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        self.started = False

    def request_read(self, reader: str | None = None) -> None:
        self.read_requests += 1
        if self.card is not None:
            self.emit(CardRead(reader or READER, self.card, 7))

    def request_photo(self, reader: str | None = None) -> None:
        self.photo_requests += 1
        self.emit(PhotoRead(reader or READER, b"\xff\xd8 fake photo \xff\xd9"))

    def emit(self, *events: CardEvent) -> None:
        def send() -> None:
            for event in events:
                self.events.sink(event)

        thread = threading.Thread(target=send, name="fake-card")
        thread.start()
        thread.join()

    def attach(self) -> None:
        self.emit(ReaderAdded(READER))

    def insert(self, record: CardRecord, *, read: bool = True) -> None:
        """`read=False`: a card whose read requests go unanswered (the test answers them itself)."""
        self.card = record if read else None
        self.emit(CardInserted(READER, b"\x3b\x79"))

    def read(self, record: CardRecord) -> None:
        self.emit(CardRead(READER, record, 7))

    def remove(self) -> None:
        self.card = None
        self.emit(CardRemoved(READER))

    def error(self, kind: str, th: str = "บัตรมีปัญหา", en: str = "Card problem", reader: str = READER) -> None:
        self.emit(CardError(reader, kind, th, en))


class FakeSync:
    """A sync source driven by the test: statuses come from a short-lived thread, as from the worker."""

    def __init__(self, events: SyncEvents) -> None:
        self.events = events
        self.started = False
        self.stopped = False
        self.wakes = 0
        self.current = SyncStatus()

    def start(self) -> None:
        self.started = True

    def wake(self) -> None:
        self.wakes += 1

    def stop(self) -> None:
        self.stopped = True

    def status(self) -> SyncStatus:
        return self.current

    def publish(self, status: SyncStatus) -> None:
        self.current = status

        def send() -> None:
            self.events.sink(status)

        thread = threading.Thread(target=send, name="fake-sync")
        thread.start()
        thread.join()


def fake_sync(holder: dict[str, FakeSync]) -> SyncFactory:
    def make(events: SyncEvents) -> SyncSource:
        holder["sync"] = FakeSync(events)
        return holder["sync"]

    return make


@dataclass
class RecordingPrinter:
    calls: list[tuple[str, str]] = field(default_factory=list)
    fail: Exception | None = None
    printed: bool = True

    def _print(self, kind: str, number: str) -> PrintResult:
        self.calls.append((kind, number))
        if self.fail is not None:
            raise self.fail
        if not self.printed:
            return PrintResult(False, "เครื่องพิมพ์กระดาษหมด", "The printer is out of paper.")
        return PrintResult(True)

    def print_ticket(self, case_number: str) -> PrintResult:
        return self._print("ticket", case_number)

    def print_receipt(self, case_number: str) -> PrintResult:
        return self._print("receipt", case_number)

    def print_deficiency(self, case_number: str) -> PrintResult:
        return self._print("deficiency", case_number)

    def print_slip(self, case_number: str) -> PrintResult:
        return self._print("slip", case_number)

    def status(self) -> PrinterStatus:
        return PrinterStatus(self.fail is None, "พร้อม", "Ready")

    def close(self) -> None:
        pass


class PrinterJam(KnownError):
    kind = "printer_jam"


@pytest.fixture(scope="session")
def template_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated database, copied for each test: migrations run once per session."""
    path = tmp_path_factory.mktemp("template")
    counter = Counter.open(path)
    StaffAccounts(counter.db, kiosk_id=counter.config.kiosk.id).seed_demo()
    counter.close()
    return path


@pytest.fixture
def data_dir(template_data: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(template_data, target)
    return target


@dataclass
class Harness:
    kiosk: Kiosk
    cards: FakeCards
    printer: RecordingPrinter
    counter: Counter

    @property
    def c(self):  # noqa: ANN201 - the controller, short for tests
        return self.kiosk.controller

    @property
    def w(self):  # noqa: ANN201
        return self.kiosk.window


@pytest.fixture
def make_kiosk(qtbot, data_dir: Path) -> Iterator[Callable[..., Harness]]:  # noqa: ANN001
    made: list[Harness] = []

    def make(
        *,
        idle_ms: int = 60_000,
        warning_ms: int = 20_000,
        done_ms: int = 60_000,
        demo: bool = False,
        sync: SyncFactory | None = no_sync,  # None: build_kiosk's default (a worker when enrolled)
        sign_out_ms: int | None = None,  # staff mode's automatic sign-out, else [staff] sign_out_minutes
    ) -> Harness:
        counter = Counter.open(data_dir)
        printer = RecordingPrinter()
        holder: dict[str, FakeCards] = {}

        def source(events: CardEvents) -> FakeCards:
            holder["cards"] = FakeCards(events)
            return holder["cards"]

        kiosk = build_kiosk(
            counter,
            card_source=source,
            printer=printer,
            timeouts=Timeouts(idle_ms=idle_ms, warning_ms=warning_ms, done_ms=done_ms),
            staff=_desk(counter, sign_out_ms),
            demo=demo,
            sync=sync,
        )
        kiosk.window.resize(1280, 800)
        kiosk.window.show()
        qtbot.waitExposed(kiosk.window)
        harness = Harness(kiosk, holder["cards"], printer, counter)
        # The most-used list is loaded on the database worker at start; let it land first.
        qtbot.waitUntil(lambda: not kiosk.controller.db.busy)
        made.append(harness)
        return harness

    yield make
    for h in made:
        controller = h.kiosk.controller
        window = h.kiosk.window
        h.kiosk.shutdown()
        sync = h.kiosk.services.sync
        assert not isinstance(sync, FakeSync) or sync.stopped, "the sync source was not stopped"
        timers = [t for t in (*controller.findChildren(QTimer), *window.findChildren(QTimer)) if t.isActive()]
        assert not timers, f"Qt timers left running: {[t.objectName() or t for t in timers]}"
        h.counter.close()
    alive = [t.name for t in threading.enumerate() if t.name.startswith(WORKER_THREADS) and t.is_alive()]
    assert not alive, f"threads left running: {alive}"


def _desk(counter: Counter, sign_out_ms: int | None) -> StaffDesk:
    desk = StaffDesk.for_counter(counter)
    if sign_out_ms is not None:
        desk.sign_out_ms = sign_out_ms
    return desk


@pytest.fixture
def kiosk(make_kiosk: Callable[..., Harness]) -> Harness:
    return make_kiosk()


def type_text(widget: QWidget, text: str) -> None:
    """Type as a Thai keyboard's input method does: one committed string (QTest types ASCII only)."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def visible_texts(root: QWidget) -> list[str]:
    """Every text any widget under `root` holds, shown or not: labels, fields, buttons, lists, combos."""
    texts: list[str] = []
    for w in [root, *root.findChildren(QWidget)]:
        if isinstance(w, QLabel | QAbstractButton | QLineEdit):
            texts.append(w.text())
        elif isinstance(w, QPlainTextEdit):
            texts.append(w.toPlainText())
        elif isinstance(w, QComboBox):
            texts.extend(w.itemText(i) for i in range(w.count()))
        elif isinstance(w, QListWidget):
            texts.extend(w.item(i).text() for i in range(w.count()))
    return texts


def personal_strings(record: CardRecord) -> list[str]:
    values = [
        record.citizen_id,
        record.citizen_id[1:5],
        record.name_th.first,
        record.name_th.last,
        record.name_en.first,
        record.name_en.last,
        record.address.house_no,
        record.address.road,
        record.address.soi,
    ]
    return [v for v in values if v and len(v) >= 3]
