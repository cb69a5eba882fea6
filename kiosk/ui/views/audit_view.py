"""The audit log for a supervisor: recent entries and, above them, whether the chain holds."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from kiosk.ui.i18n import tr
from kiosk.ui.views.staff_view import Overlay
from kiosk.ui.views.widgets import Button, button_row, label


@dataclass(frozen=True)
class AuditRow:
    seq: int
    time: str  # local time, Buddhist Era
    staff: str  # code and role
    action: str  # in words
    target: str  # case number, staff code


class AuditLogView(Overlay):
    closed = Signal()
    refresh = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.box.setMaximumWidth(1400)
        self.title = label(role="heading")
        self.chain = label(role="ok")
        self.chain.setObjectName("auditChain")
        self.chain.setMinimumHeight(64)  # two lines of the verdict, never squeezed by the table
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("auditTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.setMinimumHeight(300)
        header = self.table.horizontalHeader()
        for column, mode in enumerate(
            (
                QHeaderView.ResizeMode.ResizeToContents,
                QHeaderView.ResizeMode.ResizeToContents,
                QHeaderView.ResizeMode.ResizeToContents,
                QHeaderView.ResizeMode.Stretch,
                QHeaderView.ResizeMode.ResizeToContents,
            )
        ):
            header.setSectionResizeMode(column, mode)
        self.refresh_button = Button()
        self.refresh_button.clicked.connect(self.refresh)
        self.close_button = Button(kind="primary")
        self.close_button.setObjectName("auditClose")
        self.close_button.clicked.connect(self.closed)
        for w in (self.title, self.chain, self.table):
            self.layout_.addWidget(w)
        self.layout_.addLayout(button_row(self.refresh_button, self.close_button))
        self.retranslate()

    def open(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.box.setMinimumWidth(max(560, min(1400, parent.width() - 64)))
        super().open()

    def set_chain(self, text: str, *, intact: bool) -> None:
        self.chain.setText(text)
        self.chain.setProperty("role", "ok" if intact else "error")
        self.chain.style().unpolish(self.chain)
        self.chain.style().polish(self.chain)

    def show_rows(self, rows: list[AuditRow], *, broken_at: int | None = None) -> None:
        """`broken_at`: the entry where the chain breaks, marked so the supervisor can find it."""
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            for column, text in enumerate((str(r.seq), r.time, r.staff, r.action, r.target)):
                item = QTableWidgetItem(("⚠ " if column == 0 and r.seq == broken_at else "") + text)
                if r.seq == broken_at:
                    item.setBackground(QColor("#fde8ea"))
                    item.setForeground(QColor("#a00018"))
                self.table.setItem(i, column, item)

    def clear(self) -> None:
        self.table.setRowCount(0)
        self.chain.clear()

    def retranslate(self) -> None:
        self.title.setText(tr("Audit log"))
        self.table.setHorizontalHeaderLabels(
            ["#", tr("Time"), tr("Staff"), tr("Action"), tr("Request / account")]
        )
        self.refresh_button.setText(tr("Check again"))
        self.close_button.setText(tr("Close"))
