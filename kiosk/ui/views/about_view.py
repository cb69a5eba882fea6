"""About the service: the manual in plain words, and an honest answer for a missing document."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame

from kiosk.ui.i18n import tr
from kiosk.ui.views.widgets import Button, Page, button_row, clear_layout, label, panel, scroll_page


@dataclass(frozen=True)
class AboutContent:
    name: str
    unit: str
    time_limit: str
    steps: list[tuple[str, str]] = field(default_factory=list)  # (title with duration, description)
    documents: list[tuple[str, str]] = field(default_factory=list)  # (name, how many / when)
    fees: list[tuple[str, str]] = field(default_factory=list)
    fee_note: str = ""
    photo_note: str = ""


class AboutView(Page):
    start_form = Signal()
    back = Signal()
    missing_asked = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.area, self.body = scroll_page()
        self.outer.addWidget(self.area, 1)
        self.answer: QFrame | None = None
        self.back_button = Button()
        self.back_button.clicked.connect(self.back)
        self.missing = Button()
        self.missing.clicked.connect(self.missing_asked)
        self.next = Button(kind="primary")
        self.next.clicked.connect(self.start_form)
        self.outer.addLayout(button_row(self.back_button, self.missing, self.next))
        self.retranslate()

    def show_content(self, c: AboutContent) -> None:
        clear_layout(self.body)
        self.answer = None
        self.heading.setText(c.name)
        self.body.addWidget(label(c.unit, "muted"))
        box, inner = panel()
        inner.addWidget(label(tr("Time limit: {limit}").format(limit=c.time_limit), "subheading"))
        if c.fees:
            for name, amount in c.fees:
                inner.addWidget(label(f"{name}: {amount}"))
        if c.fee_note:
            inner.addWidget(label(c.fee_note))
        self.body.addWidget(box)
        self.body.addWidget(label(tr("Documents to bring"), "subheading"))
        for name, detail in c.documents:
            self.body.addWidget(label(f"•  {name}" + (f"\n    {detail}" if detail else "")))
        if c.photo_note:
            self.body.addWidget(label(c.photo_note, "muted"))
        self.body.addWidget(label(tr("What happens"), "subheading"))
        for number, (title, text) in enumerate(c.steps, start=1):
            self.body.addWidget(label(f"{number}.  {title}\n    {text}"))
        self.body.addStretch(1)
        self.area.verticalScrollBar().setValue(0)

    def show_missing_answer(self, title: str, text: str) -> None:
        if self.answer is None:
            self.answer, inner = panel("notice")
            inner.addWidget(label(title, "subheading"))
            inner.addWidget(label(text))
            self.body.insertWidget(0, self.answer)
        self.area.verticalScrollBar().setValue(0)

    def clear(self) -> None:
        clear_layout(self.body)
        self.answer = None
        self.heading.clear()

    def retranslate(self) -> None:
        self.back_button.setText(tr("Back"))
        self.missing.setText(tr("I don't have a document"))
        self.next.setText(tr("Fill in the request"))
