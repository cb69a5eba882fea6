"""Status look-up: insert the card or type the request number; staff also open a case here."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QWidget

from kiosk.ui.i18n import tr
from kiosk.ui.qtcompat import emit
from kiosk.ui.views.widgets import Button, Page, button_row, clear_layout, label, panel, scroll_page


@dataclass(frozen=True)
class CaseRow:
    number: str
    service: str
    state: str
    lines: tuple[str, ...]  # submitted on, amount due, deadline
    can_pay: bool


@dataclass(frozen=True)
class CaseDetail:
    number: str
    title: str
    lines: tuple[str, ...]
    documents: tuple[tuple[str, str, str], ...]  # key, name, status text
    can_record_deficiency: bool
    can_pay: bool


class StatusView(Page):
    find_requested = Signal(str)
    print_slip = Signal(str)
    open_case = Signal(str)
    mark_document = Signal(str, str, str)
    record_deficiency = Signal(str)
    record_payment = Signal(str)
    reprint = Signal(str, str)
    back = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.hint = label()
        self.outer.addWidget(self.hint)
        row = QHBoxLayout()
        self.number = QLineEdit()
        self.number.setObjectName("caseNumber")
        self.number.returnPressed.connect(self._find)
        self.find_button = Button(kind="primary")
        self.find_button.clicked.connect(self._find)
        row.addWidget(self.number, 1)
        row.addWidget(self.find_button)
        self.outer.addLayout(row)
        self.message = label(role="muted")
        self.outer.addWidget(self.message)
        self.area, self.body = scroll_page()
        self.outer.addWidget(self.area, 1)
        self.back_button = Button()
        self.back_button.clicked.connect(self.back)
        self.outer.addLayout(button_row(self.back_button, stretch_first=False))
        self._staff = False
        self.retranslate()

    def _find(self) -> None:
        emit(self.find_requested, self.number.text())

    def set_staff(self, staff: bool) -> None:
        self._staff = staff

    def set_message(self, text: str) -> None:
        self.message.setText(text)

    def show_cases(self, rows: list[CaseRow]) -> None:
        clear_layout(self.body)
        for r in rows:
            box, inner = panel()
            inner.addWidget(label(f"{r.number}  ·  {r.service}", "subheading"))
            inner.addWidget(label(r.state, "ok"))
            for line in r.lines:
                inner.addWidget(label(line))
            buttons = QHBoxLayout()
            if r.can_pay:
                b = Button(tr("Print the payment slip"), kind="primary")
                b.setObjectName(f"slip_{r.number}")
                b.clicked.connect(lambda _=False, n=r.number: emit(self.print_slip, n))
                buttons.addWidget(b)
            if self._staff:
                b = Button(tr("Open (staff)"), kind="staff")
                b.clicked.connect(lambda _=False, n=r.number: emit(self.open_case, n))
                buttons.addWidget(b)
            buttons.addStretch(1)
            holder = QWidget()
            holder.setLayout(buttons)
            holder.setStyleSheet("background: transparent;")
            inner.addWidget(holder)
            self.body.addWidget(box)
        self.body.addStretch(1)

    def show_detail(self, d: CaseDetail) -> None:
        clear_layout(self.body)
        box, inner = panel()
        inner.addWidget(label(d.title, "subheading"))
        for line in d.lines:
            inner.addWidget(label(line))
        self.body.addWidget(box)
        if d.documents:
            self.body.addWidget(label(tr("Documents"), "subheading"))
        for key, name, status in d.documents:
            doc_row = QHBoxLayout()
            doc_row.addWidget(label(f"{name}: {status}"), 1)
            for value, text in (("received", tr("Received")), ("missing", tr("Missing"))):
                b = Button(text, kind="staff")
                b.setObjectName(f"case_doc_{key}_{value}")
                b.clicked.connect(lambda _=False, k=key, v=value: emit(self.mark_document, d.number, k, v))
                doc_row.addWidget(b)
            holder = QWidget()
            holder.setLayout(doc_row)
            self.body.addWidget(holder)
        actions = QHBoxLayout()
        if d.can_record_deficiency:
            b = Button(tr("Record deficiency"), kind="staff")
            b.setObjectName("recordDeficiency")
            b.clicked.connect(lambda: emit(self.record_deficiency, d.number))
            actions.addWidget(b)
        if d.can_pay:
            b = Button(tr("Record counter payment"), kind="staff")
            b.setObjectName("recordPayment")
            b.clicked.connect(lambda: emit(self.record_payment, d.number))
            actions.addWidget(b)
        for kind, text in (
            ("ticket", tr("Reprint ticket")),
            ("receipt", tr("Reprint receipt")),
            ("deficiency", tr("Reprint deficiency notice")),
            ("slip", tr("Reprint payment slip")),
        ):
            b = Button(text, kind="staff")
            b.setObjectName(f"reprint_{kind}")
            b.clicked.connect(lambda _=False, k=kind: emit(self.reprint, d.number, k))
            actions.addWidget(b)
        actions.addStretch(1)
        holder = QWidget()
        holder.setLayout(actions)
        self.body.addWidget(holder)
        self.body.addStretch(1)

    def clear(self) -> None:
        self.number.clear()
        self.message.clear()
        clear_layout(self.body)

    def retranslate(self) -> None:
        self.heading.setText(tr("Check a request"))
        self.hint.setText(
            tr("Insert your ID card, or type the request number from your ticket (e.g. K01-2569-00042).")
        )
        self.number.setPlaceholderText(tr("Request number"))
        self.find_button.setText(tr("Find"))
        self.back_button.setText(tr("Back"))
