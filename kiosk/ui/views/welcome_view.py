"""Welcome: insert the ID card (an animated hint), or start without a card, or look up a request."""

from __future__ import annotations

from PySide6.QtCore import Property, QEasingCurve, QPropertyAnimation, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QHideEvent, QPainter, QPaintEvent, QPen, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.ui import theme
from kiosk.ui.i18n import tr
from kiosk.ui.views.widgets import Button, Page, label


class CardHint(QWidget):
    """A card sliding into a reader slot, drawn, so it needs no image files and scales to any screen."""

    def __init__(self) -> None:
        super().__init__()
        self.setMinimumSize(260, 250)
        self._offset = 0.0
        self._animation = QPropertyAnimation(self, b"offset", self)
        self._animation.setStartValue(0.0)
        self._animation.setEndValue(1.0)
        self._animation.setDuration(1600)
        self._animation.setLoopCount(-1)
        self._animation.setEasingCurve(QEasingCurve.Type.InOutSine)

    def _get_offset(self) -> float:
        return self._offset

    def _set_offset(self, value: float) -> None:
        self._offset = value
        self.update()

    offset = Property(float, _get_offset, _set_offset)

    @property
    def animating(self) -> bool:
        return self._animation.state() == QPropertyAnimation.State.Running

    def showEvent(self, event: QShowEvent) -> None:
        self._animation.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        # A running animation on a hidden screen only burns CPU and keeps the unified timer alive.
        self._animation.stop()
        super().hideEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        cw, ch = 150.0, 96.0
        x = (w - cw) / 2
        travel = 70.0
        y = 10 + travel * (0.5 - 0.5 * abs(1 - 2 * self._offset)) * 2
        p.setPen(QPen(QColor(theme.PRIMARY), 3))
        p.setBrush(QColor("#dfe8f5"))
        p.drawRoundedRect(QRectF(x, y, cw, ch), 10, 10)
        p.setBrush(QColor("#d4a017"))
        p.drawRoundedRect(QRectF(x + 20, y + 28, 34, 26), 4, 4)
        slot_y = h - 70.0
        p.setBrush(QColor(theme.INK))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawRoundedRect(QRectF(x - 40, slot_y, cw + 80, 60), 12, 12)
        p.setBrush(QColor("#777777"))
        p.drawRect(QRectF(x - 6, slot_y + 10, cw + 12, 8))
        p.end()


class WelcomeView(Page):
    start_without_card = Signal()
    status_lookup = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.heading.setProperty("role", "title")
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subtitle = label(role="subheading")
        self.subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.outer.addWidget(self.subtitle)

        middle = QHBoxLayout()
        middle.addStretch(1)
        self.hint = CardHint()
        middle.addWidget(self.hint)
        text = QVBoxLayout()
        self.insert_text = label(role="heading")
        self.insert_detail = label()
        self.reader_state = label(role="muted")
        text.addStretch(1)
        text.addWidget(self.insert_text)
        text.addWidget(self.insert_detail)
        text.addWidget(self.reader_state)
        text.addStretch(1)
        middle.addLayout(text, 2)
        middle.addStretch(1)
        self.outer.addLayout(middle, 1)

        self.without_card = Button(kind="primary")
        self.without_card.clicked.connect(self.start_without_card)
        self.status = Button()
        self.status.clicked.connect(self.status_lookup)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.without_card)
        row.addSpacing(24)
        row.addWidget(self.status)
        row.addStretch(1)
        self.outer.addLayout(row)
        self._reader = "waiting"
        self.retranslate()

    def set_reader_state(self, state: str) -> None:
        """`ready`, `waiting` (no reader yet), `unavailable` (the card service is down)."""
        self._reader = state
        self._show_reader_state()

    def _show_reader_state(self) -> None:
        texts = {
            "ready": "",
            "waiting": tr(
                "The card reader is not connected. You can start without a card, or ask the staff."
            ),
            "unavailable": tr(
                "The card reader is not working right now. You can start without a card, or ask the staff."
            ),
        }
        self.reader_state.setText(texts.get(self._reader, ""))
        self.reader_state.setVisible(bool(self.reader_state.text()))

    def retranslate(self) -> None:
        self.heading.setText(tr("Welcome"))
        self.subtitle.setText(tr("Government services counter"))
        self.insert_text.setText(tr("Please insert your ID card"))
        self.insert_detail.setText(
            tr("Chip side up, into the reader below the screen. Leave it in until you finish.")
        )
        self.without_card.setText(tr("Start without a card"))
        self.status.setText(tr("Check my request"))
        self._show_reader_state()
