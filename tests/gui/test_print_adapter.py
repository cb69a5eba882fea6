"""The printing adapter over kiosk.documents and the printer worker, writing PDF files (no CUPS)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.counter import Counter
from kiosk.domain.workflow import Actor, Role
from kiosk.storage.cases import ApplicantInfo
from kiosk.ui.app import build_kiosk
from kiosk.ui.controller import Timeouts
from kiosk.ui.window import Screen
from tests.gui.conftest import FakeCards, read_profile
from tests.gui.test_visits import ELDERLY, fill_elderly, to_form

print_adapter = pytest.importorskip("kiosk.ui.print_adapter")


def test_documents_are_written_as_pdf_files(data_dir: Path, tmp_path: Path) -> None:
    counter = Counter.open(data_dir)
    printer = print_adapter.DocumentsPrinter(counter, pdf_dir=tmp_path / "out", files_only=True)
    try:
        case = counter.cases.submit(
            ELDERLY, ApplicantInfo("1101700203450", "นายสมชาย ใจดี"), {}, Actor(Role.APPLICANT)
        )
        result = printer.print_ticket(case.number)
        assert result.printed, result.message_en
        assert Path(result.path).read_bytes().startswith(b"%PDF")
        assert printer.print_receipt(case.number).printed
        assert "PDF" in printer.status().message_en
    finally:
        printer.close()
        counter.close()


def test_a_visit_prints_ticket_and_receipt_to_pdf(qtbot, data_dir: Path, tmp_path: Path) -> None:  # noqa: ANN001
    counter = Counter.open(data_dir)
    printer = print_adapter.DocumentsPrinter(counter, pdf_dir=tmp_path / "out", files_only=True)
    holder: dict[str, FakeCards] = {}

    def source(events):  # noqa: ANN001, ANN202
        holder["c"] = FakeCards(events)
        return holder["c"]

    kiosk = build_kiosk(
        counter,
        card_source=source,
        printer=printer,
        timeouts=Timeouts(idle_ms=60_000),
    )
    try:
        kiosk.window.show()
        cards = holder["c"]
        cards.attach()
        cards.insert(read_profile("somchai"))
        c = kiosk.controller

        class H:
            pass

        h = H()
        h.c, h.w = c, kiosk.window  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: c.visit.with_card)  # noticed; read after the notice
        to_form(h, qtbot, ELDERLY)  # type: ignore[arg-type]
        fill_elderly(h, qtbot)  # type: ignore[arg-type]
        kiosk.window.form.next_button.click()
        kiosk.window.documents.next_button.click()
        with qtbot.waitSignal(c.printed, timeout=30_000) as printed:
            kiosk.window.review.submit_button.click()
        results = printed.args[0]
        assert [r.printed for r in results] == [True, True]
        assert sorted(p.name.split("-")[-1] for p in (tmp_path / "out").glob("*.pdf")) == [
            "receipt.pdf",
            "ticket.pdf",
        ]
        assert c.screen is Screen.DONE
        assert "พิมพ์บัตรคิวแล้ว" in kiosk.window.done.printing.text()
    finally:
        kiosk.shutdown()
        counter.close()
