"""Building blocks shared by the views: large buttons, labelled text, panels, scrolling pages."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)


class Button(QPushButton):
    """A large touch target that Enter and Return also press (keyboard-only operation)."""

    def __init__(self, text: str = "", kind: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        if kind:
            self.setProperty("kind", kind)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.isEnabled():
            self.animateClick()
            return
        super().keyPressEvent(event)


def label(text: str = "", role: str = "", *, wrap: bool = True, selectable: bool = False) -> QLabel:
    widget = QLabel(text)
    if role:
        widget.setProperty("role", role)
    widget.setWordWrap(wrap)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    if selectable:
        widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return widget


def panel(role: str = "card") -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setProperty("role", role)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(20, 16, 20, 16)
    layout.setSpacing(8)
    return frame, layout


def scroll_page() -> tuple[QScrollArea, QVBoxLayout]:
    """A page that scrolls when the text is long: Thai manuals are, and fonts are large."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    inner = QWidget()
    layout = QVBoxLayout(inner)
    layout.setContentsMargins(8, 8, 24, 8)
    layout.setSpacing(12)
    area.setWidget(inner)
    return area, layout


def button_row(*buttons: QWidget, stretch_first: bool = True) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(16)
    if stretch_first:
        row.addStretch(1)
    for b in buttons:
        row.addWidget(b)
    if not stretch_first:
        row.addStretch(1)
    return row


def clear_layout(layout: QLayout) -> None:
    """Remove and destroy every widget in a layout now, not at the next event loop turn.

    Used when a visit ends: `setParent(None)` takes the widget out of the tree at once, so no label
    holding the last applicant's data can be found in it; `deleteLater()` then frees it even when a
    signal connection to a lambda that refers to the widget keeps its Python wrapper alive (a cycle
    through C++ that Python's garbage collector cannot see).
    """
    while layout.count():
        item = layout.takeAt(0)
        if item is None:
            break
        widget = item.widget()
        child = item.layout()
        if widget is not None:
            widget.hide()
            widget.setParent(None)
            widget.deleteLater()
        elif child is not None:
            clear_layout(child)


class Page(QWidget):
    """A screen: a heading, a body, and a row of actions at the bottom."""

    def __init__(self) -> None:
        super().__init__()
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(48, 24, 48, 24)
        self.outer.setSpacing(16)
        self.heading = label(role="heading")
        self.outer.addWidget(self.heading)

    def retranslate(self) -> None:
        """Set every text in the current language; each view overrides it."""

    def clear(self) -> None:
        """Forget what the last applicant's visit put on this screen."""
