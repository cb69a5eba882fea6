"""The request form, built from the service definition by the controller's field specs."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.i18n import tr
from kiosk.ui.qtcompat import emit
from kiosk.ui.views.widgets import Button, Page, button_row, clear_layout, label, panel, scroll_page


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    editor: str  # line, text, select, checkbox
    value: str | bool
    required: bool = True
    help: str = ""
    unit: str = ""
    placeholder: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    locked: bool = False  # read from the card
    staff_only: bool = False
    numeric: bool = False


class _ToggleLabel(QLabel):
    """The long sentence beside a checkbox: touching the words ticks the box too (a bigger target)."""

    def __init__(self, text: str, box: QCheckBox) -> None:
        super().__init__(text)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setBuddy(box)
        self._box = box

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._box.toggle()
            self._box.setFocus()
        super().mouseReleaseEvent(event)


class _Row:
    def __init__(self, spec: FieldSpec, editor: QWidget, error: QLabel, edit: Button | None) -> None:
        self.spec = spec
        self.editor = editor
        self.error = error
        self.edit = edit


class FormView(Page):
    value_changed = Signal(str, object)
    field_left = Signal(str)
    edit_requested = Signal(str)
    next = Signal()
    back = Signal()

    def __init__(self) -> None:
        super().__init__()
        columns = QHBoxLayout()
        columns.setSpacing(24)
        self.area, self.body = scroll_page()
        columns.addWidget(self.area, 3)
        self.fees, fees_layout = panel()
        self.fees_title = label(role="subheading")
        self.fees_lines = label()
        self.fees_total = label(role="subheading")
        self.fees_note = label(role="muted")
        for w in (self.fees_title, self.fees_lines, self.fees_total, self.fees_note):
            fees_layout.addWidget(w)
        fees_layout.addStretch(1)
        self.fees.setMinimumWidth(320)
        self.fees.hide()
        columns.addWidget(self.fees, 1)
        self.outer.addLayout(columns, 1)
        self.summary = label(role="error")
        self.summary.hide()
        self.outer.addWidget(self.summary)
        self.back_button = Button()
        self.back_button.clicked.connect(self.back)
        self.next_button = Button(kind="primary")
        self.next_button.clicked.connect(self.next)
        self.outer.addLayout(button_row(self.back_button, self.next_button))
        self.rows: dict[str, _Row] = {}
        self._staff = False
        self.retranslate()

    # -- building ----------------------------------------------------------------------------

    def build(self, title: str, specs: list[FieldSpec], *, staff: bool) -> None:
        self.clear()
        self.heading.setText(title)
        self._staff = staff
        self.body.addWidget(label(tr("Fields marked * must be filled in."), "muted"))
        for spec in specs:
            self._add_row(spec)
        self.body.addStretch(1)
        self.area.verticalScrollBar().setValue(0)

    def _add_row(self, spec: FieldSpec) -> None:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 6, 0, 6)
        layout.setSpacing(4)
        title = spec.label + (" *" if spec.required else "")
        if spec.staff_only:
            title += "  (" + tr("staff") + ")"
        if spec.locked:
            title += "  (" + tr("from your ID card") + ")"
        caption = label(title)
        caption.setProperty("role", "subheading")
        editor = self._editor(spec)
        caption.setBuddy(editor)
        if spec.editor != "checkbox":
            layout.addWidget(caption)
        line = QHBoxLayout()
        line.addWidget(editor, 1)
        if spec.unit:
            line.addWidget(label(spec.unit, wrap=False))
        edit: Button | None = None
        if spec.locked:
            # Parented at once: showing a parentless widget would open it as a window of its own.
            edit = Button(tr("Correct (staff)"), kind="staff", parent=box)
            edit.clicked.connect(lambda _=False, k=spec.key: emit(self.edit_requested, k))
            edit.setVisible(self._staff)
            line.addWidget(edit)
        if spec.editor == "checkbox" and isinstance(editor, QCheckBox):
            check_label = _ToggleLabel(spec.label + (" *" if spec.required else ""), editor)
            line.addWidget(check_label, 8)
        layout.addLayout(line)
        if spec.help:
            layout.addWidget(label(spec.help, "muted"))
        error = label(role="error")
        error.hide()
        layout.addWidget(error)
        self.body.addWidget(box)
        self.rows[spec.key] = _Row(spec, editor, error, edit)

    def _editor(self, spec: FieldSpec) -> QWidget:
        key = spec.key
        widget: QWidget
        if spec.editor == "text":
            text_edit = QPlainTextEdit(str(spec.value))
            text_edit.setTabChangesFocus(True)
            text_edit.setFixedHeight(120)
            text_edit.setReadOnly(spec.locked)
            text_edit.textChanged.connect(lambda: emit(self.value_changed, key, text_edit.toPlainText()))
            widget = text_edit
        elif spec.editor == "select":
            combo = QComboBox()
            combo.addItem(tr("— please choose —"), "")
            for value, text in spec.choices:
                combo.addItem(text, value)
            index = combo.findData(spec.value)
            combo.setCurrentIndex(max(index, 0))
            combo.currentIndexChanged.connect(lambda _i: emit(self.value_changed, key, combo.currentData()))
            widget = combo
        elif spec.editor == "checkbox":
            check = QCheckBox()
            check.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            check.setChecked(bool(spec.value))
            check.toggled.connect(lambda on: emit(self.value_changed, key, on))
            check.toggled.connect(lambda _on: emit(self.field_left, key))
            widget = check
        else:
            line = QLineEdit(str(spec.value))
            line.setReadOnly(spec.locked)
            line.setPlaceholderText(spec.placeholder)
            if spec.numeric:
                line.setInputMethodHints(Qt.InputMethodHint.ImhFormattedNumbersOnly)
            line.textEdited.connect(lambda text: emit(self.value_changed, key, text))
            widget = line
        widget.setObjectName(f"field_{key}")
        widget.installEventFilter(self)
        return widget

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            key = watched.objectName().removeprefix("field_")
            if key in self.rows:
                emit(self.field_left, key)
        return False

    # -- updates from the controller --------------------------------------------------------

    def set_value(self, key: str, value: str, *, locked: bool) -> None:
        row = self.rows.get(key)
        if row is None:
            return
        editor = row.editor
        if isinstance(editor, QLineEdit):
            editor.setText(value)
            editor.setReadOnly(locked)
        elif isinstance(editor, QPlainTextEdit):
            editor.setPlainText(value)
            editor.setReadOnly(locked)

    def set_error(self, key: str, message: str | None) -> None:
        row = self.rows.get(key)
        if row is None:
            return
        row.error.setText(message or "")
        row.error.setVisible(bool(message))
        row.editor.setProperty("invalid", bool(message))
        row.editor.style().unpolish(row.editor)
        row.editor.style().polish(row.editor)

    def focus_field(self, key: str) -> None:
        row = self.rows.get(key)
        if row is not None:
            self.area.ensureWidgetVisible(row.editor)
            row.editor.setFocus()

    def set_summary(self, text: str) -> None:
        self.summary.setText(text)
        self.summary.setVisible(bool(text))

    def set_staff(self, staff: bool) -> None:
        self._staff = staff
        for row in self.rows.values():
            if row.edit is not None:
                row.edit.setVisible(staff)

    def set_fees(self, lines: list[tuple[str, str]], total: str, note: str) -> None:
        self.fees.setVisible(bool(lines or note))
        self.fees_lines.setText("\n".join(f"{name}\n    {amount}" for name, amount in lines))
        self.fees_total.setText(total)
        self.fees_total.setVisible(bool(total))
        self.fees_note.setText(note)
        self.fees_note.setVisible(bool(note))

    def clear(self) -> None:
        for row in self.rows.values():
            row.editor.removeEventFilter(self)
        self.rows.clear()
        clear_layout(self.body)
        self.heading.clear()
        self.set_summary("")
        self.set_fees([], "", "")

    def retranslate(self) -> None:
        self.fees_title.setText(tr("Fees"))
        self.back_button.setText(tr("Back"))
        self.next_button.setText(tr("Next"))
