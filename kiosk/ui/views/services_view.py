"""Choose a service: categories, search in Thai or English, the most used first, large targets."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLineEdit, QListWidget, QListWidgetItem

from kiosk.ui.i18n import tr
from kiosk.ui.qtcompat import emit
from kiosk.ui.views.widgets import Button, Page, button_row, label

CODE_ROLE = Qt.ItemDataRole.UserRole


class ServicesView(Page):
    chosen = Signal(str)
    category_changed = Signal(str)
    search_changed = Signal(str)
    back = Signal()

    def __init__(self, categories: list[tuple[str, str]]) -> None:
        super().__init__()
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.search_changed)
        self.outer.addWidget(self.search)
        row = QHBoxLayout()
        row.setSpacing(10)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.category_buttons: dict[str, Button] = {}
        for key, _ in categories:
            b = Button()
            b.setCheckable(True)
            b.setProperty("category", key)
            b.clicked.connect(lambda _=False, k=key: emit(self.category_changed, k))
            self.group.addButton(b)
            self.category_buttons[key] = b
            row.addWidget(b)
        row.addStretch(1)
        self.outer.addLayout(row)
        self._category_names = dict(categories)
        self.list = QListWidget()
        self.list.setUniformItemSizes(False)
        self.list.setWordWrap(True)
        self.list.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.list.itemActivated.connect(self._activated)
        self.list.itemClicked.connect(self._activated)
        self.outer.addWidget(self.list, 1)
        self.empty = label(role="muted")
        self.outer.addWidget(self.empty)
        self.back_button = Button()
        self.back_button.clicked.connect(self.back)
        self.outer.addLayout(button_row(self.back_button, stretch_first=False))
        self.retranslate()

    def _activated(self, item: QListWidgetItem) -> None:
        emit(self.chosen, item.data(CODE_ROLE))

    def select_category(self, key: str) -> None:
        button = self.category_buttons.get(key)
        if button is not None:
            button.setChecked(True)

    def show_services(self, rows: list[tuple[str, str, str]]) -> None:
        """Rows of (code, name, detail) in the order to show."""
        self.list.clear()
        for code, name, detail in rows:
            item = QListWidgetItem(f"{name}\n{detail}")
            item.setData(CODE_ROLE, code)
            item.setSizeHint(QSize(0, 96))
            self.list.addItem(item)
        self.empty.setText("" if rows else tr("No service matches. Try other words, or ask the staff."))
        self.empty.setVisible(not rows)
        if rows:
            self.list.setCurrentRow(0)

    def clear(self) -> None:
        self.search.clear()

    def set_category_names(self, names: dict[str, str]) -> None:
        for key, button in self.category_buttons.items():
            button.setText(names.get(key, key))

    def retranslate(self) -> None:
        self.heading.setText(tr("What would you like to do today?"))
        self.search.setPlaceholderText(tr("Search, e.g. allowance, tax, signboard"))
        self.back_button.setText(tr("Back"))
