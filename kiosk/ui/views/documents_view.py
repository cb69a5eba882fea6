"""The documents checklist: staff mark each one received or missing; the applicant sees the list."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QWidget

from kiosk.ui.i18n import tr
from kiosk.ui.qtcompat import emit
from kiosk.ui.views.widgets import Button, Page, button_row, clear_layout, label, panel, scroll_page

STATUSES = ("received", "missing", "not_applicable")


@dataclass(frozen=True)
class DocumentRow:
    key: str
    name: str
    detail: str
    status: str
    conditional: bool
    by_card: bool


class DocumentsView(Page):
    mark = Signal(str, str)
    next = Signal()
    back = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.note_box, note_layout = panel("notice")
        self.note = label()
        note_layout.addWidget(self.note)
        self.outer.addWidget(self.note_box)
        self.area, self.body = scroll_page()
        self.outer.addWidget(self.area, 1)
        self.back_button = Button()
        self.back_button.clicked.connect(self.back)
        self.next_button = Button(kind="primary")
        self.next_button.clicked.connect(self.next)
        self.outer.addLayout(button_row(self.back_button, self.next_button))
        self.status_labels: dict[str, tuple[object, dict[str, Button]]] = {}
        self._rows: list[DocumentRow] = []
        self._staff = False
        self.retranslate()

    def show_documents(self, rows: list[DocumentRow], *, staff: bool) -> None:
        clear_layout(self.body)
        self.status_labels.clear()
        self._rows = rows
        self._staff = staff
        for row in rows:
            box, inner = panel()
            inner.addWidget(label(row.name, "subheading"))
            if row.detail:
                inner.addWidget(label(row.detail))
            status = label(self._status_text(row))
            status.setProperty(
                "role", "ok" if row.status == "received" else ("error" if row.status == "missing" else "")
            )
            inner.addWidget(status)
            buttons: dict[str, Button] = {}
            line = QHBoxLayout()
            texts = {
                "received": tr("Received"),
                "missing": tr("Missing"),
                "not_applicable": tr("Not needed"),
            }
            for value in STATUSES:
                if value == "not_applicable" and not row.conditional:
                    continue
                b = Button(texts[value], kind="staff")
                b.setCheckable(True)
                b.setChecked(row.status == value)
                b.setEnabled(staff)
                b.setObjectName(f"doc_{row.key}_{value}")
                b.clicked.connect(lambda _=False, k=row.key, v=value: emit(self.mark, k, v))
                buttons[value] = b
                line.addWidget(b)
            line.addStretch(1)
            holder = QWidget()
            holder.setLayout(line)
            holder.setStyleSheet("background: transparent;")
            inner.addWidget(holder)
            self.body.addWidget(box)
            self.status_labels[row.key] = (status, buttons)
        self.body.addStretch(1)
        self.retranslate()

    def _status_text(self, row: DocumentRow) -> str:
        if row.by_card and row.status == "received":
            return tr("Read from your ID card: no copy needed.")
        return {
            "pending": tr("Not checked yet"),
            "received": tr("Received"),
            "missing": tr("Missing: it will be listed on the deficiency notice"),
            "not_applicable": tr("Not needed in your case"),
        }.get(row.status, row.status)

    def clear(self) -> None:
        clear_layout(self.body)
        self.status_labels.clear()
        self._rows = []

    def retranslate(self) -> None:
        self.heading.setText(tr("Your documents"))
        self.note.setText(
            tr("The staff member will check each document with you.")
            if not self._staff
            else tr(
                "Staff: mark each document received or missing. Missing documents go on a deficiency notice."
            )
        )
        self.back_button.setText(tr("Back"))
        self.next_button.setText(tr("Next"))
