"""Done: the number, what happens next, a QR to follow the request, a short rating; then it wipes."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout

from kiosk.ui.i18n import tr
from kiosk.ui.qtcompat import emit
from kiosk.ui.views.widgets import Button, Page, button_row, label, panel, scroll_page

RATINGS = (1, 2, 3, 4, 5)


class DoneView(Page):
    finish = Signal()
    rated = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        columns = QHBoxLayout()
        left = QVBoxLayout()
        # The queue ticket first: it is the number the counter calls and the board shows.
        self.ticket_caption = label(role="subheading")
        self.ticket = label(role="number")
        self.ticket.setObjectName("ticketNumber")
        self.wait = label()
        for w in (self.ticket_caption, self.ticket, self.wait):
            left.addWidget(w)
            w.hide()
        self.number_caption = label(role="subheading")
        self.number = label(role="number", selectable=True)
        self.next_steps = label()
        self.printing = label(role="muted")
        left.addWidget(self.number_caption)
        left.addWidget(self.number)
        left.addWidget(self.next_steps)
        left.addWidget(self.printing)
        left.addStretch(1)
        columns.addLayout(left, 3)
        right = QVBoxLayout()
        self.qr = QLabel()
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_caption = label(role="muted")
        self.qr_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        right.addWidget(self.qr)
        right.addWidget(self.qr_caption)
        right.addStretch(1)
        columns.addLayout(right, 1)
        area, body = scroll_page()
        body.addLayout(columns)
        self.outer.addWidget(area, 1)

        self.rating_box, rating_layout = panel()
        self.rating_title = label(role="subheading")
        rating_layout.addWidget(self.rating_title)
        row = QHBoxLayout()
        self.rating_buttons: dict[int, Button] = {}
        for value in RATINGS:
            b = Button()
            b.setCheckable(True)
            b.setMinimumWidth(150)
            b.setObjectName(f"rating_{value}")
            b.clicked.connect(lambda _=False, v=value: emit(self.rated, v))
            self.rating_buttons[value] = b
            row.addWidget(b)
        row.addStretch(1)
        rating_layout.addLayout(row)
        self.thanks = label(role="ok")
        rating_layout.addWidget(self.thanks)
        body.addWidget(self.rating_box)
        body.addStretch(1)
        self.finish_button = Button(kind="primary")
        self.finish_button.clicked.connect(self.finish)
        self.outer.addLayout(button_row(self.finish_button))
        self._rated = False
        self.retranslate()

    def show_result(self, number: str, next_steps: str, qr: QPixmap | None, qr_caption: str) -> None:
        self.number.setText(number)
        self.next_steps.setText(next_steps)
        self.printing.setText("")
        self.qr.setPixmap(qr if qr is not None else QPixmap())
        self.qr_caption.setText(qr_caption)
        self._rated = False
        for b in self.rating_buttons.values():
            b.setChecked(False)
            b.setEnabled(True)
        self.thanks.clear()

    def set_ticket(self, number: str, wait: str) -> None:
        """The queue number and the estimated wait; no number (no queue): hidden."""
        self.ticket.setText(number)
        self.wait.setText(wait)
        for w in (self.ticket_caption, self.ticket):
            w.setVisible(bool(number))
        self.wait.setVisible(bool(number and wait))

    def set_printing(self, text: str) -> None:
        self.printing.setText(text)

    def mark_rated(self, value: int) -> None:
        self._rated = True
        for v, b in self.rating_buttons.items():
            b.setChecked(v == value)
            b.setEnabled(False)
        self.thanks.setText(tr("Thank you for your feedback."))

    def clear(self) -> None:
        self.set_ticket("", "")
        self.number.clear()
        self.next_steps.clear()
        self.printing.clear()
        self.qr.clear()
        self.qr_caption.clear()
        self.thanks.clear()

    def retranslate(self) -> None:
        self.heading.setText(tr("Your request has been received"))
        self.ticket_caption.setText(tr("Your queue number"))
        self.number_caption.setText(tr("Your request number"))
        self.rating_title.setText(tr("How was the service today?"))
        texts = {
            1: tr("Very poor"),
            2: tr("Poor"),
            3: tr("Fair"),
            4: tr("Good"),
            5: tr("Very good"),
        }
        for value, b in self.rating_buttons.items():
            b.setText(texts[value])
        if self._rated:
            self.thanks.setText(tr("Thank you for your feedback."))
        self.finish_button.setText(tr("Finish"))
