"""The header's sync indicator: a coloured dot and a few words, quiet enough to ignore."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from kiosk.ui.views.widgets import label

DOT_PX = 14


class SyncIndicatorView(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("syncIndicator")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 16, 0)
        layout.setSpacing(6)
        # A drawn dot rather than "●": a glyph sits on the Thai font's baseline, below the words' middle.
        self.dot = QLabel()
        self.dot.setObjectName("syncDot")
        self.dot.setFixedSize(DOT_PX, DOT_PX)
        self.text = label(wrap=False)
        self.text.setObjectName("syncText")
        layout.addWidget(self.dot, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.text, 0, Qt.AlignmentFlag.AlignVCenter)
        self.state = ""
        self.hide()

    def show_state(self, state: str, text: str) -> None:
        """`state` is online, offline or connecting (the dot's colour); an empty state hides it."""
        self.text.setText(text)
        if state != self.state:
            self.state = state
            self.dot.setProperty("state", state)
            self.dot.style().unpolish(self.dot)
            self.dot.style().polish(self.dot)
        self.setVisible(bool(state))
