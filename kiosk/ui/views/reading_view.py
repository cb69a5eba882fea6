"""Reading the card: progress while the text is read; a card problem says what to do."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QProgressBar

from kiosk.ui.i18n import tr
from kiosk.ui.views.widgets import Button, Page, button_row, label, panel


class ReadingView(Page):
    without_card = Signal()
    cancel = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.progress = QProgressBar()
        self.progress.setRange(0, 3)
        self.progress.setTextVisible(False)
        self.step = label(role="subheading")
        self.detail = label()
        self.outer.addStretch(1)
        self.outer.addWidget(self.step, alignment=Qt.AlignmentFlag.AlignHCenter)
        self.outer.addWidget(self.progress)
        self.outer.addWidget(self.detail)
        self.problem, inner = panel("alert")
        self.problem_text = label()
        self.problem_todo = label()
        inner.addWidget(self.problem_text)
        inner.addWidget(self.problem_todo)
        self.problem.hide()
        self.outer.addWidget(self.problem)
        self.outer.addStretch(1)
        self.no_card = Button()
        self.no_card.clicked.connect(self.without_card)
        self.back = Button()
        self.back.clicked.connect(self.cancel)
        self.outer.addLayout(button_row(self.back, self.no_card))
        self._stage = 0
        self.retranslate()

    def set_stage(self, stage: int) -> None:
        """0 card inserted, 1 reading, 2 text read, 3 done."""
        self._stage = stage
        self.progress.setValue(stage)
        self.problem.hide()
        self.no_card.hide()
        self.retranslate()

    def show_problem(self, text: str, what_to_do: str) -> None:
        self.problem_text.setText(text)
        self.problem_todo.setText(what_to_do)
        self.problem.show()
        self.no_card.show()

    def clear(self) -> None:
        self.problem_text.clear()
        self.problem_todo.clear()
        self.problem.hide()
        self.set_stage(0)

    def retranslate(self) -> None:
        self.heading.setText(tr("Reading your ID card"))
        steps = {
            0: tr("Card found"),
            1: tr("Reading your details…"),
            2: tr("Details read"),
            3: tr("Done"),
        }
        self.step.setText(steps.get(self._stage, ""))
        self.detail.setText(tr("Please leave the card in the reader until you finish."))
        self.no_card.setText(tr("Continue without the card"))
        self.back.setText(tr("Cancel"))
