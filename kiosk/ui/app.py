"""Start the kiosk: `run(data_dir)` is what `kiosk run` calls.

`build_kiosk` assembles the window and controller from narrow services so that tests and the
benchmark build exactly what the kiosk runs, with a fake card source or printer where they need one.
"""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.config import CONFIG_FILE
from kiosk.counter import Counter
from kiosk.devices.card.profile import available_profiles
from kiosk.errors import KnownError
from kiosk.ui import theme
from kiosk.ui.card_source import CardEvents, CardSource, DemoCards, PcscCardSource
from kiosk.ui.controller import KioskController, KioskServices, Timeouts, priority_labels
from kiosk.ui.errors import install_excepthooks
from kiosk.ui.i18n import Languages
from kiosk.ui.printing import DocumentPrinter, UnavailablePrinter
from kiosk.ui.staff import StaffDesk
from kiosk.ui.sync_status import SyncEvents, SyncFactory, enrolled_worker
from kiosk.ui.window import KioskWindow

log = logging.getLogger(__name__)

# `kiosk run` exits with this when staff chose *Exit kiosk*: the service manager must not restart it
# (deploy/linux/counter-kiosk.service: RestartPreventExitStatus). Any other end is restarted.
STAFF_EXIT_CODE = 10

DEMO_PROFILES = ("somchai", "nampueng", "chaloem", "boonmee-lifetime", "kongphop-expired", "not-thai-id")


@dataclass
class Kiosk:
    counter: Counter
    window: KioskWindow
    controller: KioskController
    services: KioskServices

    def shutdown(self) -> None:
        self.controller.shutdown()
        self.services.printer.close()
        self.services.languages.uninstall()
        self.window.release()  # a locked window refuses close() from anyone else
        self.window.close()
        self.window.deleteLater()


def default_printer(counter: Counter, *, demo: bool = False) -> DocumentPrinter:
    """Printing through kiosk.documents and kiosk.devices.printer; a kiosk that cannot load them
    still serves applicants and says printing is not available."""
    try:
        from kiosk.ui.print_adapter import DocumentsPrinter
    except ImportError:
        log.exception("printing is not available")
        return UnavailablePrinter()
    try:
        return DocumentsPrinter(counter, files_only=demo and not counter.config.printers.ticket)
    except Exception:  # the kiosk must start even when the printer stack cannot
        log.exception("printing could not start")
        return UnavailablePrinter()


def build_kiosk(
    counter: Counter,
    *,
    card_source: Callable[[CardEvents], CardSource | None] | None = None,
    printer: DocumentPrinter | None = None,
    demo: bool = False,
    timeouts: Timeouts | None = None,
    staff: StaffDesk | None = None,
    sync: SyncFactory | None = None,
) -> Kiosk:
    """The kiosk as `run` starts it. `sync` makes the sync source from its signal sink; by default a
    `SyncWorker` when the data directory holds an enrolment (tests pass `no_sync` or a fake)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication), "create the QApplication first"
    theme.apply(app)
    languages = Languages(counter.config.kiosk.language)
    languages.set(languages.default)
    events = CardEvents()
    source = card_source(events) if card_source is not None else PcscCardSource(events)
    sync_events = SyncEvents()
    syncer = (sync or enrolled_worker(counter))(sync_events)
    profiles = [p for p in DEMO_PROFILES if p in available_profiles()] if demo else []
    services = KioskServices(
        config=counter.config,
        catalog=counter.catalog,
        cases=counter.cases,
        data_dir=counter.data_dir,
        printer=printer or default_printer(counter, demo=demo),
        languages=languages,
        staff=staff or StaffDesk.for_counter(counter, demo=demo),
        card_events=events,
        card_source=source,
        demo_cards=DemoCards(events) if demo else None,
        demo_profiles=profiles,
        sync=syncer,
        sync_events=sync_events,
    )
    window = KioskWindow(
        office_name=counter.config.office.name_th,
        categories=[(k, k) for k in _category_keys()],
        priorities=priority_labels(),
        demo_profiles=profiles,
    )
    idle = counter.config.kiosk.idle_timeout_seconds * 1000
    controller = KioskController(
        window, services, timeouts or Timeouts(idle_ms=idle, warning_ms=min(20_000, idle // 3))
    )
    events.setParent(controller)
    sync_events.setParent(controller)
    if source is not None:
        source.start()
    if syncer is not None:
        syncer.start()  # its own thread; stopped by the controller's shutdown
    return Kiosk(counter, window, controller, services)


def locked_down(*, fullscreen: bool, demo: bool) -> bool:
    """No closing, minimising or leaving full screen without staff (docs/lockdown.md). A window
    (`--windowed`) and demo mode are for developers and demonstrations: they stay closable."""
    return fullscreen and not demo


def _category_keys() -> list[str]:
    from kiosk.ui.controller import CATEGORY_ORDER

    return list(CATEGORY_ORDER)


def _seed_if_empty(counter: Counter) -> None:
    from kiosk.demo import seed

    if not (counter.data_dir / CONFIG_FILE).exists() and not sum(counter.cases.counts_by_state().values()):
        seed(counter)


def run(data_dir: Path, *, fullscreen: bool = True, demo: bool = False, board: bool = False) -> int:
    """Run the kiosk until the window closes or SIGTERM/Ctrl-C; returns the process exit code.

    `board`: the queue's display board too, full screen on the second screen when there is one."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Counter Kiosk")
    # SIGTERM (the service manager) and Ctrl-C stop cleanly: workers stopped, database closed. A
    # signal during start-up is remembered and honoured before the event loop starts.
    stop_requested: list[int] = []

    def request_stop(signum: int, _frame: object) -> None:
        stop_requested.append(signum)
        app.quit()

    previous = {s: signal.signal(s, request_stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        return _run(
            app, data_dir, fullscreen=fullscreen, demo=demo, board=board, stop_requested=stop_requested
        )
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _run(
    app: QApplication,
    data_dir: Path,
    *,
    fullscreen: bool,
    demo: bool,
    board: bool = False,
    stop_requested: list[int],
) -> int:
    try:
        counter = Counter.open(data_dir)
        if demo:
            _seed_if_empty(counter)
    except KnownError as exc:
        print(f"{exc.message_th}\n{exc.message_en}", file=sys.stderr)
        return exc.exit_code
    kiosk = build_kiosk(counter, demo=demo)

    def safe_screen() -> None:
        # After a bug nobody should see half a visit: wipe it and welcome the next person.
        kiosk.controller.end_visit("error")

    uninstall = install_excepthooks(safe_screen)
    # Python runs signal handlers only between bytecodes: a slow timer lets it in while Qt's loop runs.
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(500)
    kiosk.window.set_locked(locked_down(fullscreen=fullscreen, demo=demo))
    kiosk.window.exited.connect(app.quit)  # a board on a second screen would keep the process alive
    if fullscreen:
        kiosk.window.showFullScreen()
    else:
        kiosk.window.resize(1280, 800)
        kiosk.window.show()
    wall = None
    if board:
        from kiosk.ui.board import build_board

        wall = build_board(counter)
        second = 1 if len(QGuiApplication.screens()) > 1 else None
        place(wall.window, second, fullscreen=second is not None, size=(1280, 720))
    try:
        code = 0 if stop_requested else app.exec()
        return STAFF_EXIT_CODE if kiosk.window.exited_by_staff else code
    finally:
        wake.stop()
        uninstall()
        if wall is not None:
            wall.shutdown()
        kiosk.shutdown()
        counter.close()


# --- the queue's other screens: the officer's counter and the waiting room's board ---------------


def _serve(
    data_dir: Path,
    start: Callable[[QApplication, Counter], tuple[QWidget, Callable[[], None]]],
    *,
    fullscreen: bool,
    screen: int | None = None,
    size: tuple[int, int] = (1280, 800),
) -> int:
    """Open the data directory, build one window, run until it closes or SIGTERM/Ctrl-C."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Counter Kiosk")
    stop_requested: list[int] = []

    def request_stop(signum: int, _frame: object) -> None:
        stop_requested.append(signum)
        app.quit()

    previous = {s: signal.signal(s, request_stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        try:
            counter = Counter.open(data_dir)
            window, shutdown = start(app, counter)
        except KnownError as exc:
            print(f"{exc.message_th}\n{exc.message_en}", file=sys.stderr)
            return exc.exit_code
        uninstall = install_excepthooks(lambda: None)
        wake = QTimer()
        wake.timeout.connect(lambda: None)
        wake.start(500)
        place(window, screen, fullscreen=fullscreen, size=size)
        try:
            return 0 if stop_requested else app.exec()
        finally:
            wake.stop()
            uninstall()
            shutdown()
            counter.close()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def place(window: QWidget, screen: int | None, *, fullscreen: bool, size: tuple[int, int]) -> None:
    """Show `window` on screen number `screen` (0 = primary), full screen or as a window."""
    screens = QGuiApplication.screens()
    if screen is not None and 0 <= screen < len(screens):
        target = screens[screen]
        window.setScreen(target)
        window.move(target.availableGeometry().topLeft())
    elif screen is not None:
        log.warning("screen %d not found (%d screens): using the primary one", screen, len(screens))
    if fullscreen:
        window.showFullScreen()
    else:
        window.resize(*size)
        window.show()


def _device_sync(counter: Counter) -> Callable[[], None]:
    """A counter station or board on its own PC syncs the office queue (and its cases) like a kiosk.

    Returns the stop function. Not enrolled: the worker idles and reports so in the log only.
    """
    from kiosk.sync.commands import connector
    from kiosk.sync.queue_sync import QueueSync
    from kiosk.sync.store import SyncStore
    from kiosk.sync.worker import SyncWorker

    worker = SyncWorker(
        SyncStore(counter.db),
        connector(counter.data_dir, counter.config),
        queue=QueueSync.for_device(counter.db, counter.config),
    )
    worker.start()

    def stop() -> None:
        worker.stop()

    return stop


def run_counter(data_dir: Path, *, counter_id: str, fullscreen: bool = False) -> int:
    """The officer's counter window (`kiosk counter --counter N`), claiming calls online."""
    from kiosk.sync.queue_sync import QueueClaimer
    from kiosk.ui.counter_controller import build_counter

    def start(_app: QApplication, counter: Counter) -> tuple[QWidget, Callable[[], None]]:
        claimer = QueueClaimer.for_device(counter.queue, counter.data_dir, counter.config)
        desk = build_counter(counter, counter_id, claim_for=claimer.for_staff)
        stop_sync = _device_sync(counter)

        def shutdown() -> None:
            desk.shutdown()
            stop_sync()

        return desk.window, shutdown

    return _serve(data_dir, start, fullscreen=fullscreen)


def run_board(data_dir: Path, *, fullscreen: bool = True, screen: int | None = None) -> int:
    """The waiting room's display board (`kiosk board`), by default full screen."""
    from kiosk.ui.board import build_board

    def start(_app: QApplication, counter: Counter) -> tuple[QWidget, Callable[[], None]]:
        board = build_board(counter)
        stop_sync = _device_sync(counter)

        def shutdown() -> None:
            board.shutdown()
            stop_sync()

        return board.window, shutdown

    return _serve(data_dir, start, fullscreen=fullscreen, screen=screen, size=(1600, 900))
