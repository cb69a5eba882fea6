"""The kiosk window: top bar (office, language, call staff), staff bar, message banner, screens.

Locked (`set_locked(True)`, what `kiosk run` does full screen outside demo mode) the window cannot be
closed, minimised or taken out of full screen, and the usual closing keys do nothing, until signed-in
staff choose *Exit kiosk* (`exit_kiosk`) or the process is told to stop (`release`, then `close`).
The compositor or shell it runs in does the rest (docs/lockdown.md): Alt+Tab, Ctrl+Alt+Del and
virtual terminals never reach a Qt application.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.ui.i18n import current, tr
from kiosk.ui.qtcompat import emit
from kiosk.ui.views.about_view import AboutView
from kiosk.ui.views.documents_view import DocumentsView
from kiosk.ui.views.done_view import DoneView
from kiosk.ui.views.form_view import FormView
from kiosk.ui.views.notice_view import NoticeView
from kiosk.ui.views.reading_view import ReadingView
from kiosk.ui.views.review_view import ReviewView
from kiosk.ui.views.services_view import ServicesView
from kiosk.ui.views.staff_view import IdleWarning, PinPad, ReasonPrompt, StaffBar
from kiosk.ui.views.status_view import StatusView
from kiosk.ui.views.sync_view import SyncIndicatorView
from kiosk.ui.views.welcome_view import WelcomeView
from kiosk.ui.views.widgets import Button, Page, label, panel

log = logging.getLogger(__name__)

# Keys that close, minimise or un-full-screen a window in common desktops and toolkits. Inside a
# locked kiosk they do nothing (and are logged), whatever widget has the focus.
BLOCKED_KEYS = ("Alt+F4", "Ctrl+Q", "Ctrl+W", "Ctrl+F4", "F11", "Escape", "Meta+Down", "Alt+Space")


class Screen(StrEnum):
    WELCOME = "welcome"
    NOTICE = "notice"
    READING = "reading"
    SERVICES = "services"
    ABOUT = "about"
    FORM = "form"
    DOCUMENTS = "documents"
    REVIEW = "review"
    DONE = "done"
    STATUS = "status"


class KioskWindow(QWidget):
    call_staff = Signal()
    toggle_language = Signal()
    closing = Signal()
    exit_requested = Signal()  # the staff bar's *Exit kiosk*; the controller decides
    exited = Signal()  # closed by staff: the process ends (kiosk.ui.app)
    close_refused = Signal()
    key_blocked = Signal(str)

    def __init__(
        self,
        *,
        office_name: str,
        categories: list[tuple[str, str]],
        priorities: list[tuple[str, str]],
        demo_profiles: list[str],
    ) -> None:
        super().__init__()
        self.setObjectName("kioskWindow")
        self.setWindowTitle("Counter Kiosk")
        self.setMinimumSize(1024, 700)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)

        top = QWidget()
        top.setObjectName("topBar")
        top.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        top_layout = QHBoxLayout(top)
        top_layout.setContentsMargins(24, 8, 24, 8)
        self.office = label(office_name, wrap=False)
        self.office.setObjectName("officeName")
        self.language = Button()
        self.language.setObjectName("languageButton")
        self.language.clicked.connect(self.toggle_language)
        self.staff_button = Button(kind="staff")
        self.staff_button.setObjectName("callStaff")
        self.staff_button.clicked.connect(self.call_staff)
        self.sync = SyncIndicatorView()
        top_layout.addWidget(self.office, 1)
        top_layout.addWidget(self.sync)
        top_layout.addWidget(self.language)
        top_layout.addWidget(self.staff_button)
        root.addWidget(top)

        self.staff_bar = StaffBar(priorities, demo_profiles)
        root.addWidget(self.staff_bar)

        self.banner, banner_layout = panel("alert")
        self.banner.setObjectName("banner")
        self.banner_text = label()
        self.banner_todo = label()
        row = QHBoxLayout()
        texts = QVBoxLayout()
        texts.addWidget(self.banner_text)
        texts.addWidget(self.banner_todo)
        row.addLayout(texts, 1)
        self.banner_close = Button()
        self.banner_close.clicked.connect(self.hide_message)
        row.addWidget(self.banner_close)
        banner_layout.addLayout(row)
        self.banner.hide()
        holder = QVBoxLayout()
        holder.setContentsMargins(24, 8, 24, 0)
        holder.addWidget(self.banner)
        root.addLayout(holder)

        self.stack = QStackedWidget()
        root.addWidget(self.stack, 1)
        self.welcome = WelcomeView()
        self.notice = NoticeView()
        self.reading = ReadingView()
        self.services = ServicesView(categories)
        self.about = AboutView()
        self.form = FormView()
        self.documents = DocumentsView()
        self.review = ReviewView()
        self.done = DoneView()
        self.status = StatusView()
        self.pages: dict[Screen, Page] = {
            Screen.WELCOME: self.welcome,
            Screen.NOTICE: self.notice,
            Screen.READING: self.reading,
            Screen.SERVICES: self.services,
            Screen.ABOUT: self.about,
            Screen.FORM: self.form,
            Screen.DOCUMENTS: self.documents,
            Screen.REVIEW: self.review,
            Screen.DONE: self.done,
            Screen.STATUS: self.status,
        }
        for page in self.pages.values():
            self.stack.addWidget(page)

        self.pin = PinPad(self)
        self.reason = ReasonPrompt(self)
        self.idle = IdleWarning(self)
        # Keyboard-only staff access: the same as the on-screen button.
        QShortcut(QKeySequence(Qt.Key.Key_F1), self, lambda: emit(self.call_staff))

        self.locked = False
        self.staff_present = False
        self.exited_by_staff = False
        self._released = False
        self.exit_button = Button(kind="staff")
        self.exit_button.setObjectName("exitKiosk")
        self.exit_button.clicked.connect(self.exit_requested)
        self._place_exit_button()
        self._blocked: list[QShortcut] = []
        for keys in BLOCKED_KEYS:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setEnabled(False)
            shortcut.activated.connect(lambda keys=keys: self._key_blocked(keys))
            self._blocked.append(shortcut)
        self.retranslate()

    def _place_exit_button(self) -> None:
        """Beside the staff bar's *Lock*: shown only with the staff bar, that is to signed-in staff."""
        bar = self.staff_bar
        holder = bar.layout()
        if not isinstance(holder, QBoxLayout):
            raise TypeError("the staff bar is laid out in rows")
        for row in (holder, *holder.children()):
            if isinstance(row, QBoxLayout) and row.indexOf(bar.lock_button) >= 0:
                row.insertWidget(row.indexOf(bar.lock_button), self.exit_button)
                return
        holder.addWidget(self.exit_button, 0, Qt.AlignmentFlag.AlignRight)

    @property
    def current_screen(self) -> Screen:
        current = self.stack.currentWidget()
        return next(s for s, p in self.pages.items() if p is current)

    def show_screen(self, screen: Screen) -> None:
        self.stack.setCurrentWidget(self.pages[screen])
        self.pages[screen].setFocus()

    def show_message(self, text: str, what_to_do: str) -> None:
        self.banner_text.setText(text)
        self.banner_todo.setText(what_to_do)
        self.banner.show()

    def hide_message(self) -> None:
        self.banner_text.clear()
        self.banner_todo.clear()
        self.banner.hide()

    def retranslate(self) -> None:
        # The button names the other language in that language, so either reader can find it.
        self.language.setText("English" if current() == "th" else "ภาษาไทย")
        self.staff_button.setText(tr("Call staff"))
        self.banner_close.setText(tr("OK"))
        self.exit_button.setText(tr("Exit kiosk"))
        for page in self.pages.values():
            page.retranslate()
        for overlay in (self.pin, self.reason, self.idle):
            overlay.retranslate()
        self.staff_bar.retranslate()

    def resizeEvent(self, event: QResizeEvent) -> None:
        for overlay in (self.pin, self.reason, self.idle):
            if overlay.isVisible():
                overlay.setGeometry(self.rect())
        super().resizeEvent(event)

    # --- lockdown -----------------------------------------------------------------------------------

    def set_locked(self, locked: bool) -> None:
        """Refuse closing, minimising and leaving full screen (kiosk.ui.app: full screen, not demo)."""
        self.locked = locked
        for shortcut in self._blocked:
            shortcut.setEnabled(locked)
        self._enforce()

    def set_staff_present(self, present: bool) -> None:
        """Signed-in staff may leave full screen (*Exit full screen*); signing out brings it back."""
        self.staff_present = present
        self._enforce()

    def release(self) -> None:
        """Let the next close through: the process is stopping (SIGTERM) or staff chose to exit."""
        self._released = True

    def exit_kiosk(self) -> None:
        """Close for good, as signed-in staff asked (KioskController.request_exit checks that)."""
        log.info("kiosk closed by staff")
        self.exited_by_staff = True
        self.release()
        self.close()
        emit(self.exited)

    def _guarding(self) -> bool:
        return self.locked and not self._released

    def _enforce(self) -> None:
        if not self._guarding() or self.staff_present or not self.isVisible():
            return
        if self.isMinimized() or not self.isFullScreen():
            log.info("kiosk window restored to full screen")
            self.showFullScreen()
            if QGuiApplication.platformName() != "offscreen":  # it has no stacking, and says so
                self.raise_()
            self.activateWindow()

    def _key_blocked(self, keys: str) -> None:
        log.info("key %s ignored: the kiosk is locked", keys)
        emit(self.key_blocked, keys)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange and self._guarding() and not self.staff_present:
            # Not from inside the state change itself: the platform is still applying it.
            QTimer.singleShot(0, self, self._enforce)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._guarding():
            # Alt+F4, the window manager's close button, a taskbar's "Close window": all arrive here.
            log.info("close refused: the kiosk is locked (staff exit with Exit kiosk)")
            event.ignore()
            emit(self.close_refused)
            return
        emit(self.closing)
        super().closeEvent(event)
