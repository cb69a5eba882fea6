"""Review and submit: one screen to confirm everything, then the request is written."""

from __future__ import annotations

from PySide6.QtCore import Signal

from kiosk.ui.i18n import tr
from kiosk.ui.views.widgets import Button, Page, button_row, clear_layout, label, panel, scroll_page


class ReviewView(Page):
    submit = Signal()
    back = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.area, self.body = scroll_page()
        self.outer.addWidget(self.area, 1)
        self.busy = label(role="subheading")
        self.busy.hide()
        self.outer.addWidget(self.busy)
        self.back_button = Button()
        self.back_button.clicked.connect(self.back)
        self.submit_button = Button(kind="primary")
        self.submit_button.clicked.connect(self.submit)
        self.outer.addLayout(button_row(self.back_button, self.submit_button))
        self.retranslate()

    def show_summary(
        self,
        sections: list[tuple[str, list[tuple[str, str]]]],
        *,
        deficiency: list[str],
        fix_days: int,
    ) -> None:
        clear_layout(self.body)
        if deficiency:
            box, inner = panel("notice")
            inner.addWidget(label(tr("Some documents are missing"), "subheading"))
            inner.addWidget(
                label(
                    tr(
                        "Your request will still be received. You will get a deficiency notice listing "
                        "what to bring, signed by you and the staff. Please bring it within {days} days, "
                        "or the request is returned."
                    ).format(days=fix_days)
                )
            )
            for item in deficiency:
                inner.addWidget(label(f"•  {item}"))
            self.body.addWidget(box)
        for title, rows in sections:
            box, inner = panel()
            inner.addWidget(label(title, "subheading"))
            for name, value in rows:
                inner.addWidget(label(f"{name}: {value}" if name else value))
            self.body.addWidget(box)
        self.body.addStretch(1)
        self.area.verticalScrollBar().setValue(0)
        self.set_busy(False)

    def set_busy(self, busy: bool) -> None:
        self.busy.setText(tr("Saving your request… please wait.") if busy else "")
        self.busy.setVisible(busy)
        self.submit_button.setEnabled(not busy)
        self.back_button.setEnabled(not busy)

    def clear(self) -> None:
        clear_layout(self.body)
        self.set_busy(False)

    def retranslate(self) -> None:
        self.heading.setText(tr("Please check before sending"))
        self.back_button.setText(tr("Back"))
        self.submit_button.setText(tr("Send the request"))
