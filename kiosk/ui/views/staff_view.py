"""Staff: the PIN pad, the staff bar, and the prompt for a reason when staff change something."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLineEdit, QMenu, QVBoxLayout, QWidget

from kiosk.ui.i18n import tr
from kiosk.ui.qtcompat import emit
from kiosk.ui.views.widgets import Button, button_row, label


class Overlay(QWidget):
    """Darkens the screen and holds a box in the middle; it belongs to the window, not to a screen."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("idleOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.box = QWidget()
        self.box.setObjectName("overlayBox")
        self.box.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.box.setMinimumWidth(560)
        self.box.setMaximumWidth(900)
        self.layout_ = QVBoxLayout(self.box)
        self.layout_.setContentsMargins(32, 24, 32, 24)
        self.layout_.setSpacing(14)
        row.addWidget(self.box)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(1)
        self.hide()

    def open(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.show()
        self.raise_()


class PinPad(Overlay):
    """Staff sign-in: staff code and PIN. The same pad takes a supervisor's approval (`ask_approval`)."""

    submitted = Signal(str, str)  # staff code, PIN
    cancelled = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.title = label(role="heading")
        self.info = label()
        self.code_label = label(wrap=False)
        self.code = QLineEdit()
        self.code.setObjectName("staffCode")
        self.code.setMaxLength(32)
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.returnPressed.connect(self._code_entered)
        self.pin_label = label(wrap=False)
        self.entry = QLineEdit()
        self.entry.setEchoMode(QLineEdit.EchoMode.Password)
        self.entry.setObjectName("pinEntry")
        self.entry.setMaxLength(12)
        self.entry.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.entry.returnPressed.connect(self._submit)
        self.error = label(role="error")
        self.error.setObjectName("pinError")
        # The digits go to the field last touched: numeric staff codes work on a touch screen alone.
        self._target = self.entry
        self.code.installEventFilter(self)
        self.entry.installEventFilter(self)
        grid = QGridLayout()
        grid.setSpacing(10)
        for i, digit in enumerate("123456789"):
            b = Button(digit)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _=False, d=digit: self._target.insert(d))
            grid.addWidget(b, i // 3, i % 3)
        self.clear_button = Button()
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.clear_button.clicked.connect(lambda: self._target.clear())
        zero = Button("0")
        zero.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        zero.clicked.connect(lambda: self._target.insert("0"))
        self.ok = Button(kind="primary")
        self.ok.setObjectName("pinOk")
        self.ok.clicked.connect(self._submit)
        grid.addWidget(self.clear_button, 3, 0)
        grid.addWidget(zero, 3, 1)
        grid.addWidget(self.ok, 3, 2)
        self.cancel = Button()
        self.cancel.clicked.connect(self.cancelled)
        # Compact enough for an approval's longer text on a 800 px high screen: Close beside the title,
        # code and PIN side by side, each named on its left.
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.cancel, 0, Qt.AlignmentFlag.AlignTop)
        fields = QHBoxLayout()
        fields.setSpacing(12)
        fields.addWidget(self.code_label)
        fields.addWidget(self.code, 3)
        fields.addSpacing(8)
        fields.addWidget(self.pin_label)
        fields.addWidget(self.entry, 2)
        self.layout_.addLayout(top)
        self.layout_.addWidget(self.info)
        self.layout_.addLayout(fields)
        self.layout_.addWidget(self.error)
        self.layout_.addLayout(grid)
        self.approval = False
        self.retranslate()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and watched in (self.code, self.entry):
            self._target = self.code if watched is self.code else self.entry
        return False

    def _code_entered(self) -> None:
        self.entry.setFocus()

    def _submit(self) -> None:
        code, pin = self.code.text().strip(), self.entry.text()
        self.entry.clear()
        if not code:
            self.code.setFocus()
        emit(self.submitted, code, pin)

    def set_busy(self, busy: bool) -> None:
        self.ok.setEnabled(not busy)

    def ask_sign_in(self) -> None:
        self.approval = False
        self.retranslate()
        self._open()

    def ask_approval(self, title: str, info: str) -> None:
        """A second person signs on the same screen: the supervisor who approves."""
        self.approval = True
        self.title.setText(title)
        self.info.setText(info)
        self._open()

    def _open(self) -> None:
        self.code.clear()
        self.entry.clear()
        self.error.clear()
        self.set_busy(False)
        super().open()
        self.code.setFocus()

    def open(self) -> None:
        self.ask_sign_in()

    def retranslate(self) -> None:
        if not self.approval:
            self.title.setText(tr("Staff"))
            self.info.setText(tr("A staff member is on the way. Staff: enter your staff code and PIN."))
        self.code_label.setText(tr("Staff code"))
        self.code.setAccessibleName(tr("Staff code"))
        self.pin_label.setText(tr("PIN"))
        self.entry.setAccessibleName(tr("PIN"))
        self.clear_button.setText(tr("Clear"))
        self.ok.setText(tr("OK"))
        self.cancel.setText(tr("Close"))


class ReasonPrompt(Overlay):
    """Asks staff why they change something the applicant or the card gave; the reason is recorded."""

    submitted = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.title = label(role="heading")
        self.question = label()
        self.entry = QLineEdit()
        self.entry.setObjectName("reasonEntry")
        self.entry.returnPressed.connect(self._submit)
        self.error = label(role="error")
        self.ok = Button(kind="primary")
        self.ok.clicked.connect(self._submit)
        self.cancel = Button()
        self.cancel.clicked.connect(self.cancelled)
        for w in (self.title, self.question, self.entry, self.error):
            self.layout_.addWidget(w)
        self.layout_.addLayout(button_row(self.cancel, self.ok))
        self.retranslate()

    def ask(self, title: str, question: str) -> None:
        self.title.setText(title)
        self.question.setText(question)
        self.entry.clear()
        self.error.clear()
        self.open()
        self.entry.setFocus()

    def _submit(self) -> None:
        text = self.entry.text().strip()
        if not text:
            self.error.setText(tr("Please give a reason."))
            return
        emit(self.submitted, text)

    def retranslate(self) -> None:
        self.entry.setPlaceholderText(tr("Reason"))
        self.ok.setText(tr("Save"))
        self.cancel.setText(tr("Cancel"))


class IdleWarning(Overlay):
    still_here = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.title = label(role="heading")
        self.countdown = label(role="subheading")
        self.button = Button(kind="primary")
        self.button.setObjectName("stillHere")
        self.button.clicked.connect(self.still_here)
        for w in (self.title, self.countdown):
            self.layout_.addWidget(w)
        self.layout_.addLayout(button_row(self.button))
        self._seconds = 0
        self.retranslate()

    def set_seconds(self, seconds: int) -> None:
        self._seconds = seconds
        self.countdown.setText(
            tr("For your privacy the screen will be cleared in {seconds} seconds.").format(seconds=seconds)
        )

    def retranslate(self) -> None:
        self.title.setText(tr("Are you still there?"))
        self.button.setText(tr("Yes, I need more time"))
        self.set_seconds(self._seconds)


class StaffBar(QWidget):
    take_over = Signal(bool)
    priority_changed = Signal(str)
    open_case = Signal()
    exit_full_screen = Signal()
    lock = Signal()
    demo_insert = Signal(str)
    demo_remove = Signal()
    end_visit = Signal()
    void_case = Signal()
    audit_log = Signal()

    def __init__(self, priorities: list[tuple[str, str]], demo_profiles: list[str]) -> None:
        super().__init__()
        self.setObjectName("staffBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 6, 16, 6)
        layout.setSpacing(6)
        row1 = QHBoxLayout()
        self.title = label(wrap=False)
        self.takeover = Button()
        self.takeover.setCheckable(True)
        self.takeover.setObjectName("takeOver")
        self.takeover.toggled.connect(self.take_over)
        self.priority = QComboBox()
        self.priority.setObjectName("priority")
        for value, text in priorities:
            self.priority.addItem(text, value)
        self.priority.activated.connect(lambda _i: emit(self.priority_changed, self.priority.currentData()))
        self.open_button = Button()
        self.open_button.clicked.connect(self.open_case)
        self.end_button = Button()
        self.end_button.clicked.connect(self.end_visit)
        self.void_button = Button()
        self.void_button.setObjectName("voidCase")
        self.void_button.clicked.connect(self.void_case)
        self.void_button.hide()
        self.audit_button = Button()
        self.audit_button.setObjectName("auditLog")
        self.audit_button.clicked.connect(self.audit_log)
        self.audit_button.hide()
        self.member = ""
        self.demo_button = Button()
        self.demo_button.setObjectName("demoCard")
        menu = QMenu(self.demo_button)
        for profile in demo_profiles:
            action = menu.addAction(profile)
            action.triggered.connect(lambda _=False, p=profile: emit(self.demo_insert, p))
        self._remove_action = menu.addAction("")
        self._remove_action.triggered.connect(self.demo_remove)
        self.demo_button.setMenu(menu)
        self.fullscreen = Button()
        self.fullscreen.clicked.connect(self.exit_full_screen)
        self.lock_button = Button()
        self.lock_button.clicked.connect(self.lock)
        for w in (
            self.title,
            self.takeover,
            self.priority,
            self.open_button,
            self.void_button,
            self.end_button,
        ):
            row1.addWidget(w)
        row1.addStretch(1)
        layout.addLayout(row1)
        row2 = QHBoxLayout()
        self.devices = label(wrap=True)
        self.devices.setObjectName("deviceState")
        row2.addWidget(self.devices, 1)
        for w in (self.audit_button, self.demo_button, self.fullscreen, self.lock_button):
            row2.addWidget(w)
        layout.addLayout(row2)
        self.demo_button.setVisible(bool(demo_profiles))
        self.hide()
        self.retranslate()

    def set_priority(self, value: str) -> None:
        index = self.priority.findData(value)
        self.priority.setCurrentIndex(max(index, 0))

    def set_priority_labels(self, priorities: list[tuple[str, str]]) -> None:
        for i, (_, text) in enumerate(priorities):
            self.priority.setItemText(i, text)

    def set_devices(self, text: str) -> None:
        self.devices.setText(text)

    def set_member(self, who: str, *, can_audit: bool) -> None:
        """Who is signed in (code and name); supervisors and administrators also get the audit log."""
        self.member = who
        self.audit_button.setVisible(can_audit)
        self.retranslate()

    def set_can_void(self, can: bool) -> None:
        self.void_button.setVisible(can)

    def retranslate(self) -> None:
        self.title.setText(f"{tr('Staff mode')} · {self.member}" if self.member else tr("Staff mode"))
        self.void_button.setText(tr("Void request"))
        self.audit_button.setText(tr("Audit log"))
        self.takeover.setText(tr("Give back") if self.takeover.isChecked() else tr("Take over"))
        self.open_button.setText(tr("Open a case"))
        self.end_button.setText(tr("End visit"))
        self.demo_button.setText(tr("Demo card"))
        self._remove_action.setText(tr("Remove the demo card"))
        self.fullscreen.setText(tr("Exit full screen"))
        self.lock_button.setText(tr("Lock"))
