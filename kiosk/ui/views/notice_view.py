"""The privacy notice (PDPA): what is read from the card, why, how long it is kept, in plain words."""

from __future__ import annotations

from PySide6.QtCore import Signal

from kiosk.ui.i18n import tr
from kiosk.ui.views.widgets import Button, Page, button_row, label, panel, scroll_page


class NoticeView(Page):
    accepted = Signal()
    declined = Signal()

    def __init__(self) -> None:
        super().__init__()
        area, body = scroll_page()
        self.items: list[tuple[object, object]] = []
        self.what_title, self.what = label(role="subheading"), label()
        self.why_title, self.why = label(role="subheading"), label()
        self.keep_title, self.keep = label(role="subheading"), label()
        self.rights_title, self.rights = label(role="subheading"), label()
        box, inner = panel()
        for w in (self.what_title, self.what, self.why_title, self.why, self.keep_title, self.keep):
            inner.addWidget(w)
        body.addWidget(box)
        body.addWidget(self.rights_title)
        body.addWidget(self.rights)
        body.addStretch(1)
        self.outer.addWidget(area, 1)
        self.decline = Button()
        self.decline.clicked.connect(self.declined)
        self.accept = Button(kind="primary")
        self.accept.clicked.connect(self.accepted)
        self.outer.addLayout(button_row(self.decline, self.accept))
        self._with_card = True
        self._retention_days = 7
        self.retranslate()

    def configure(self, *, with_card: bool, retention_days: int) -> None:
        self._with_card = with_card
        self._retention_days = retention_days
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(tr("Before we start: your personal data"))
        self.what_title.setText(tr("What we read"))
        if self._with_card:
            self.what.setText(
                tr(
                    "From your ID card: your ID number, name, date of birth and address. "
                    "Your photo is read only if the service you choose needs it."
                )
            )
        else:
            self.what.setText(
                tr("Only what you type in: your ID number, name, address and the answers on the form.")
            )
        self.why_title.setText(tr("Why"))
        self.why.setText(
            tr("To fill in your request for you and to let the office contact you about it. Nothing else.")
        )
        self.keep_title.setText(tr("How long we keep it"))
        self.keep.setText(
            tr(
                "This screen forgets everything as soon as you finish or take your card out. "
                "Your request is kept by the office as the law requires; the copy on this kiosk is "
                "deleted {days} days after the office's system has it."
            ).format(days=self._retention_days)
        )
        self.rights_title.setText(tr("Your rights"))
        self.rights.setText(
            tr(
                "You may ask for a copy of your data or for a correction at the counter, and complain to "
                "the Personal Data Protection Committee. If you do not agree, tap Cancel: the staff can "
                "help you on paper."
            )
        )
        self.decline.setText(tr("Cancel"))
        self.accept.setText(tr("I understand, continue"))
