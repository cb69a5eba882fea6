"""The counter window: what the officer at a service counter sees and presses.

Layout only: the controller (kiosk.ui.counter_controller) decides what each label says and which
button is enabled; this window emits what the officer asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.i18n import current, tr
from kiosk.ui.qtcompat import emit
from kiosk.ui.views.staff_view import Overlay
from kiosk.ui.views.widgets import Button, button_row, clear_layout, label, panel

COUNTER_STYLE = """
QLabel#ticketNumber { font-size: 72pt; font-weight: 800; color: #0b3d91; }
QLabel#ticketNumber[state="serving"] { color: #0a6b2d; }
QLabel#ticketState { font-size: 20pt; font-weight: 700; }
QLabel#priorityMark { background: #4a1f7a; color: white; border-radius: 8px; padding: 2px 12px;
    font-weight: 700; }
QLabel#counterTitle { font-size: 24pt; font-weight: 700; }
QLabel#counterState { border-radius: 8px; padding: 2px 14px; font-weight: 700; color: white;
    background: #6b6b6b; }
QLabel#counterState[state="open"] { background: #0a6b2d; }
QLabel#counterState[state="break"] { background: #b06f00; }
QLabel#groupLine { font-weight: 700; margin-top: 4px; }
QListWidget#waitingList { font-size: 18pt; }
QListWidget#waitingList::item { min-height: 44px; padding: 4px 8px; }
QWidget#deskActions QPushButton { min-height: 64px; font-size: 18pt; }
"""


@dataclass(frozen=True)
class CurrentTicket:
    number: str
    state: str  # "called" / "serving": the number's colour
    state_text: str
    service: str
    priority: str  # the priority's name, "" for a regular ticket
    case_number: str  # "" when no case is linked
    detail: str  # calls, misses, where it was transferred from


@dataclass(frozen=True)
class WaitingRow:
    number: str
    text: str


@dataclass(frozen=True)
class Enabled:
    call_next: bool = False
    call_number: bool = False
    recall: bool = False
    miss: bool = False
    start: bool = False
    finish: bool = False
    transfer: bool = False
    pause: bool = False
    resume: bool = False
    return_ticket: bool = False
    priority: bool = False
    sign_out: bool = False


class SignInPage(QWidget):
    submitted = Signal(str, str)  # staff code, PIN

    def __init__(self) -> None:
        super().__init__()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(48, 48, 48, 48)
        outer.addStretch(1)
        box, layout = panel()
        box.setMaximumWidth(640)
        self.title = label(role="heading")
        self.info = label(role="muted")
        self.code_label = label()
        self.code = QLineEdit()
        self.code.setObjectName("staffCode")
        self.pin_label = label()
        self.pin = QLineEdit()
        self.pin.setObjectName("staffPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.code.returnPressed.connect(self.pin.setFocus)
        self.pin.returnPressed.connect(self._submit)
        self.error = label(role="error")
        self.ok = Button(kind="primary")
        self.ok.setObjectName("signIn")
        self.ok.clicked.connect(self._submit)
        for w in (self.title, self.info, self.code_label, self.code, self.pin_label, self.pin, self.error):
            layout.addWidget(w)
        layout.addLayout(button_row(self.ok))
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box, 2)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def _submit(self) -> None:
        emit(self.submitted, self.code.text().strip(), self.pin.text())

    def set_busy(self, busy: bool) -> None:
        self.ok.setEnabled(not busy)

    def reset(self) -> None:
        self.pin.clear()
        self.error.clear()
        self.ok.setEnabled(True)

    def retranslate(self) -> None:
        self.title.setText(tr("Sign in to the counter"))
        self.info.setText(tr("Your staff code and PIN. The counter opens when you sign in."))
        self.code_label.setText(tr("Staff code"))
        self.pin_label.setText(tr("PIN"))
        self.ok.setText(tr("Sign in"))


class _Prompt(Overlay):
    """A titled question over the counter: its fields, an error line, Cancel and the action button.

    `cancelled` is emitted by Cancel; subclasses emit their own `submitted` from `_submit`, which
    the action button and Enter in `enter_submits` trigger."""

    cancelled = Signal()

    def __init__(self, parent: QWidget, name: str, fields: list[QWidget], enter_submits: QLineEdit) -> None:
        super().__init__(parent)
        self.title = label(role="heading")
        self.error = label(role="error")
        self.ok = Button(kind="primary")
        self.ok.setObjectName(f"{name}Ok")
        self.ok.clicked.connect(self._submit)
        self.cancel = Button()
        self.cancel.clicked.connect(self.cancelled)
        enter_submits.returnPressed.connect(self._submit)
        for w in (self.title, *fields, self.error):
            self.layout_.addWidget(w)
        self.layout_.addLayout(button_row(self.cancel, self.ok))

    def _submit(self) -> None:
        raise NotImplementedError

    def _show(self, focus: QWidget) -> None:
        self.error.clear()
        self.open()
        focus.setFocus()


def _line(name: str) -> QLineEdit:
    widget = QLineEdit()
    widget.setObjectName(name)
    return widget


def _combo(name: str) -> QComboBox:
    widget = QComboBox()
    widget.setObjectName(name)
    return widget


def _fill(combo: QComboBox, items: list[tuple[str, str]]) -> None:
    """(value, label) pairs as the combo's items."""
    combo.clear()
    for value, text in items:
        combo.addItem(text, value)


class TransferPrompt(_Prompt):
    """To another service group and/or a given counter, with the reason."""

    submitted = Signal(str, str, str)  # group ("" = the same), counter ("" = any), reason

    def __init__(self, parent: QWidget) -> None:
        group_label, counter_label, reason_label = label(), label(), label()
        group, counter = _combo("transferGroup"), _combo("transferCounter")
        reason = _line("transferReason")
        super().__init__(
            parent, "transfer", [group_label, group, counter_label, counter, reason_label, reason], reason
        )
        self.group_label, self.counter_label, self.reason_label = group_label, counter_label, reason_label
        self.group, self.counter, self.reason = group, counter, reason

    def ask(self, groups: list[tuple[str, str]], counters: list[tuple[str, str]]) -> None:
        """`groups` and `counters` are (value, label) pairs; the first of each means "no change"."""
        _fill(self.group, groups)
        _fill(self.counter, counters)
        self.reason.clear()
        self._show(self.reason)

    def _submit(self) -> None:
        emit(
            self.submitted,
            str(self.group.currentData() or ""),
            str(self.counter.currentData() or ""),
            self.reason.text().strip(),
        )

    def retranslate(self) -> None:
        self.title.setText(tr("Transfer the ticket"))
        self.group_label.setText(tr("To the line of"))
        self.counter_label.setText(tr("To counter"))
        self.reason_label.setText(tr("Reason"))
        self.ok.setText(tr("Transfer"))
        self.cancel.setText(tr("Cancel"))


class NumberPrompt(_Prompt):
    """A ticket by its number: call it now (`CALL`: a missed applicant who came to the counter), or
    bring a late applicant's no-show ticket back into the line (`RETURN`)."""

    CALL = "call"
    RETURN = "return"
    submitted = Signal(str)

    def __init__(self, parent: QWidget) -> None:
        info, number = label(), _line("returnNumber")
        super().__init__(parent, "return", [info, number], number)
        self.mode = self.RETURN
        self.info, self.number = info, number

    def ask(self, mode: str = RETURN) -> None:
        self.mode = mode
        self.retranslate()
        self.number.clear()
        self._show(self.number)

    def _submit(self) -> None:
        emit(self.submitted, self.number.text().strip().upper())

    def retranslate(self) -> None:
        if self.mode == self.CALL:
            self.title.setText(tr("Call a number"))
            self.info.setText(tr("Call this ticket now, out of turn: a missed applicant who has come back."))
            self.ok.setText(tr("Call"))
        else:
            self.title.setText(tr("Return a late ticket"))
            self.info.setText(tr("The ticket goes back into the line as if it were issued now."))
            self.ok.setText(tr("Return to the line"))
        self.cancel.setText(tr("Cancel"))


class PriorityPrompt(_Prompt):
    """Set or clear a ticket's priority; the reason is required."""

    submitted = Signal(str, str, str)  # number, priority ("" clears), reason

    def __init__(self, parent: QWidget) -> None:
        number_label, priority_label, reason_label = label(), label(), label()
        number, priority, reason = _line("priorityNumber"), _combo("priorityValue"), _line("priorityReason")
        super().__init__(
            parent, "priority", [number_label, number, priority_label, priority, reason_label, reason], reason
        )
        self.number_label, self.priority_label, self.reason_label = number_label, priority_label, reason_label
        self.number, self.priority, self.reason = number, priority, reason

    def ask(self, number: str, choices: list[tuple[str, str]], selected: str) -> None:
        self.number.setText(number)
        _fill(self.priority, choices)
        self.priority.setCurrentIndex(max(0, self.priority.findData(selected)))
        self.reason.clear()
        self._show(self.reason)

    def _submit(self) -> None:
        emit(
            self.submitted,
            self.number.text().strip().upper(),
            str(self.priority.currentData() or ""),
            self.reason.text().strip(),
        )

    def retranslate(self) -> None:
        self.title.setText(tr("Set or clear priority"))
        self.number_label.setText(tr("Ticket number"))
        self.priority_label.setText(tr("Priority"))
        self.reason_label.setText(tr("Reason"))
        self.ok.setText(tr("Save"))
        self.cancel.setText(tr("Cancel"))


class DeskPage(QWidget):
    """Signed in: the current ticket and its actions on the left, the line on the right."""

    def __init__(self) -> None:
        super().__init__()
        outer = QHBoxLayout(self)
        outer.setContentsMargins(24, 16, 24, 16)
        outer.setSpacing(24)

        left = QVBoxLayout()
        left.setSpacing(12)
        self.ticket_box, box = panel()
        self.ticket_caption = label(role="subheading")
        top = QHBoxLayout()
        self.number = label(wrap=False)
        self.number.setObjectName("ticketNumber")
        self.number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.priority = label(wrap=False)
        self.priority.setObjectName("priorityMark")
        self.priority.hide()
        top.addWidget(self.number)
        top.addSpacing(16)
        top.addWidget(self.priority, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addStretch(1)
        self.state = label()
        self.state.setObjectName("ticketState")
        self.service = label()
        self.case = label()
        self.case.setObjectName("caseNumber")
        self.detail = label(role="muted")
        for w in (self.ticket_caption,):
            box.addWidget(w)
        box.addLayout(top)
        for w in (self.state, self.service, self.case, self.detail):
            box.addWidget(w)
        left.addWidget(self.ticket_box)

        actions = QWidget()
        actions.setObjectName("deskActions")
        grid = QGridLayout(actions)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(12)
        self.call_next = Button(kind="primary")
        self.call_number = Button()
        self.recall = Button()
        self.miss = Button(kind="danger")
        self.start = Button(kind="primary")
        self.finish = Button(kind="primary")
        self.transfer = Button()
        self.pause = Button()
        self.return_ticket = Button()
        self.set_priority = Button(kind="staff")
        # Three rows, so the ticket's big number keeps its height on a 800-line screen; the long
        # "No-show (call again later)" spans two columns. (name, button, row, column, column span)
        places = (
            ("callNext", self.call_next, 0, 0, 1),
            ("callNumber", self.call_number, 0, 1, 1),
            ("recall", self.recall, 0, 2, 1),
            ("start", self.start, 0, 3, 1),
            ("miss", self.miss, 1, 0, 2),
            ("finish", self.finish, 1, 2, 1),
            ("transfer", self.transfer, 1, 3, 1),
            ("pause", self.pause, 2, 0, 1),
            ("returnTicket", self.return_ticket, 2, 1, 1),
            ("setPriority", self.set_priority, 2, 2, 2),
        )
        for name, b, row, column, span in places:
            b.setObjectName(name)
            grid.addWidget(b, row, column, 1, span)
        left.addWidget(actions)
        left.addStretch(1)
        outer.addLayout(left, 4)

        right = QVBoxLayout()
        right.setSpacing(8)
        self.groups_caption = label(role="subheading")
        self.groups_box = QVBoxLayout()
        self.groups_box.setSpacing(2)
        self.waiting_caption = label(role="subheading")
        self.waiting = QListWidget()
        self.waiting.setObjectName("waitingList")
        self.waiting.setWordWrap(True)
        self.waiting.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        right.addWidget(self.groups_caption)
        right.addLayout(self.groups_box)
        right.addWidget(self.waiting_caption)
        right.addWidget(self.waiting, 1)
        outer.addLayout(right, 3)

    def show_ticket(self, ticket: CurrentTicket | None, empty_text: str) -> None:
        if ticket is None:
            self.number.setText("—")
            self.number.setProperty("state", "")
            self.state.setText(empty_text)
            for w in (self.service, self.case, self.detail):
                w.clear()
            self.priority.hide()
        else:
            self.number.setText(ticket.number)
            self.number.setProperty("state", ticket.state)
            self.state.setText(ticket.state_text)
            self.service.setText(ticket.service)
            self.case.setText(ticket.case_number)
            self.detail.setText(ticket.detail)
            self.priority.setText(ticket.priority)
            self.priority.setVisible(bool(ticket.priority))
        self.number.style().unpolish(self.number)
        self.number.style().polish(self.number)

    def show_groups(self, lines: list[tuple[str, str]]) -> None:
        clear_layout(self.groups_box)
        for title, detail in lines:
            name = label(title)
            name.setObjectName("groupLine")
            self.groups_box.addWidget(name)
            self.groups_box.addWidget(label(detail, role="muted"))

    def show_waiting(self, rows: list[WaitingRow], selected: str) -> None:
        self.waiting.blockSignals(True)
        self.waiting.clear()
        for row in rows:
            item = QListWidgetItem(row.text)
            item.setData(Qt.ItemDataRole.UserRole, row.number)
            self.waiting.addItem(item)
            if row.number == selected:
                self.waiting.setCurrentItem(item)
        self.waiting.blockSignals(False)

    def selected_number(self) -> str:
        item = self.waiting.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""


class CounterWindow(QWidget):
    sign_in = Signal(str, str)
    sign_out = Signal()
    call_next = Signal()
    call_number = Signal()
    recall = Signal()
    miss = Signal()
    start = Signal()
    finish = Signal()
    transfer = Signal()
    pause = Signal()  # break or resume, whichever the button says
    return_ticket = Signal()
    set_priority = Signal()
    toggle_language = Signal()
    closing = Signal()

    def __init__(self, *, office_name: str) -> None:
        super().__init__()
        self.setObjectName("counterWindow")
        self.setWindowTitle("Counter Kiosk: counter")
        self.setMinimumSize(1024, 700)
        self.setStyleSheet(COUNTER_STYLE)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)

        top = QWidget()
        top.setObjectName("topBar")
        top.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        bar = QHBoxLayout(top)
        bar.setContentsMargins(24, 8, 24, 8)
        bar.setSpacing(16)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        self.title = label(wrap=False)
        self.title.setObjectName("counterTitle")
        self.office = label(office_name, role="muted", wrap=False)
        titles.addWidget(self.title)
        titles.addWidget(self.office)
        self.state = label(wrap=False)
        self.state.setObjectName("counterState")
        self.staff = label(wrap=False)
        self.language = Button()
        self.language.setObjectName("languageButton")
        self.language.clicked.connect(self.toggle_language)
        self.sign_out_button = Button()
        self.sign_out_button.setObjectName("signOut")
        self.sign_out_button.clicked.connect(self.sign_out)
        bar.addLayout(titles, 1)
        bar.addWidget(self.state)
        bar.addWidget(self.staff)
        bar.addWidget(self.language)
        bar.addWidget(self.sign_out_button)
        root.addWidget(top)

        self.banner, banner_layout = panel("alert")
        self.banner.setObjectName("banner")
        self.banner_th = label()
        self.banner_en = label()
        row = QHBoxLayout()
        texts = QVBoxLayout()
        texts.addWidget(self.banner_th)
        texts.addWidget(self.banner_en)
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
        self.signin = SignInPage()
        self.desk = DeskPage()
        self.stack.addWidget(self.signin)
        self.stack.addWidget(self.desk)
        root.addWidget(self.stack, 1)
        self.signin.submitted.connect(self.sign_in)
        d = self.desk
        for button, signal in (
            (d.call_next, self.call_next),
            (d.call_number, self.call_number),
            (d.recall, self.recall),
            (d.miss, self.miss),
            (d.start, self.start),
            (d.finish, self.finish),
            (d.transfer, self.transfer),
            (d.pause, self.pause),
            (d.return_ticket, self.return_ticket),
            (d.set_priority, self.set_priority),
        ):
            button.clicked.connect(signal)

        self.transfer_prompt = TransferPrompt(self)
        self.number_prompt = NumberPrompt(self)
        self.priority_prompt = PriorityPrompt(self)
        # The desk's keyboard: F5 calls the next applicant, F6 recalls; as on most counter keypads.
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, lambda: _press(d.call_next))
        QShortcut(QKeySequence(Qt.Key.Key_F6), self, lambda: _press(d.recall))
        self._paused = False
        self._final_miss = False
        self.retranslate()

    @property
    def overlays(self) -> tuple[TransferPrompt, NumberPrompt, PriorityPrompt]:
        return (self.transfer_prompt, self.number_prompt, self.priority_prompt)

    @property
    def signed_in(self) -> bool:
        return self.stack.currentWidget() is self.desk

    def show_sign_in(self) -> None:
        self.signin.reset()
        self.stack.setCurrentWidget(self.signin)
        self.sign_out_button.hide()
        self.staff.clear()
        self.state.hide()
        for overlay in self.overlays:
            overlay.hide()
        self.signin.code.setFocus()

    def show_desk(self) -> None:
        self.stack.setCurrentWidget(self.desk)
        self.sign_out_button.show()
        self.state.show()

    def set_header(self, title: str, staff: str, state: str, state_text: str) -> None:
        self.title.setText(title)
        self.staff.setText(staff)
        self.state.setText(state_text)
        self.state.setProperty("state", state)
        self.state.style().unpolish(self.state)
        self.state.style().polish(self.state)

    def set_enabled(self, enabled: Enabled, *, paused: bool, final_miss: bool = False) -> None:
        d = self.desk
        self._paused = paused
        self._final_miss = final_miss
        d.call_next.setEnabled(enabled.call_next)
        d.call_number.setEnabled(enabled.call_number)
        d.recall.setEnabled(enabled.recall)
        d.miss.setEnabled(enabled.miss)
        d.start.setEnabled(enabled.start)
        d.finish.setEnabled(enabled.finish)
        d.transfer.setEnabled(enabled.transfer)
        d.pause.setEnabled(enabled.resume if paused else enabled.pause)
        d.return_ticket.setEnabled(enabled.return_ticket)
        d.set_priority.setEnabled(enabled.priority)
        self.sign_out_button.setEnabled(enabled.sign_out)
        self._button_texts()

    def _button_texts(self) -> None:
        d = self.desk
        d.pause.setText(tr("Resume") if self._paused else tr("Break"))
        # The second miss is final: say so on the button before it is pressed.
        d.miss.setText(tr("No-show (final)") if self._final_miss else tr("No-show (call again later)"))

    def show_message(self, text_th: str, text_en: str) -> None:
        # Both languages at once: the officer may read either, and may read it out to the applicant.
        self.banner_th.setText(text_th)
        self.banner_en.setText(text_en)
        self.banner_en.setVisible(bool(text_en) and text_en != text_th)
        self.banner.show()

    def hide_message(self) -> None:
        self.banner_th.clear()
        self.banner_en.clear()
        self.banner.hide()

    def retranslate(self) -> None:
        self.language.setText("English" if current() == "th" else "ภาษาไทย")
        self.sign_out_button.setText(tr("Sign out"))
        self.banner_close.setText(tr("OK"))
        self.signin.retranslate()
        d = self.desk
        d.ticket_caption.setText(tr("Now at this counter"))
        d.call_next.setText(tr("Call next"))
        d.call_number.setText(tr("Call a number"))
        d.recall.setText(tr("Recall"))
        d.start.setText(tr("Start service"))
        d.finish.setText(tr("Finish"))
        d.transfer.setText(tr("Transfer"))
        self._button_texts()
        d.return_ticket.setText(tr("Return a late ticket"))
        d.set_priority.setText(tr("Priority"))
        d.groups_caption.setText(tr("Waiting"))
        d.waiting_caption.setText(tr("Next in line"))
        for overlay in self.overlays:
            overlay.retranslate()

    def resizeEvent(self, event: QResizeEvent) -> None:
        for overlay in self.overlays:
            if overlay.isVisible():
                overlay.setGeometry(self.rect())
        super().resizeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        emit(self.closing)
        super().closeEvent(event)


def _press(button: Button) -> None:
    if button.isEnabled():
        button.click()
