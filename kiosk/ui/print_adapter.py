"""The printing adapter: `DocumentPrinter` on top of kiosk.documents and kiosk.devices.printer.

Runs on the UI's printer runner thread (never the GUI thread); the documents are built there and
handed to the printer worker, which records each job before it prints. With no printer configured
and no system default queue (the demo), documents are written as PDF files under DATA_DIR/printed,
as the README's embedded defaults promise.
"""

from __future__ import annotations

import logging
from pathlib import Path

from kiosk.counter import Counter
from kiosk.devices.printer.worker import PrinterWorker
from kiosk.documents import DocumentKind, TicketInfo, build
from kiosk.documents.ticket import default_ticket
from kiosk.errors import KnownError
from kiosk.storage.cases import CaseView
from kiosk.storage.print_jobs import PrintJobStore
from kiosk.storage.privacy import PRINTED_DIR
from kiosk.ui.printing import PrinterStatus, PrintResult

log = logging.getLogger(__name__)

PRINT_TIMEOUT = 90.0  # CUPS may take a while to accept a job; the applicant sees "printing…" meanwhile


class DocumentsPrinter:
    def __init__(self, counter: Counter, *, pdf_dir: Path | None = None, files_only: bool = False) -> None:
        self.counter = counter
        self.pdf_dir = pdf_dir or counter.data_dir / PRINTED_DIR
        self.files_only = files_only
        self._worker = PrinterWorker(PrintJobStore(counter.db))
        self._worker.start()
        self._system_default: str | None = None
        self._probed = False

    def close(self) -> None:
        self._worker.stop()

    def _probe(self) -> None:
        if self._probed or self.files_only:
            return
        self._probed = True
        try:
            _, self._system_default = self._worker.printers().result(timeout=30)
        except KnownError as exc:
            log.info("no system printer: %s", exc.detail or type(exc).__name__)
            self._system_default = None

    def _destination(self, kind: DocumentKind, number: str) -> str:
        printers = self.counter.config.printers
        configured = printers.ticket if kind is DocumentKind.TICKET else printers.documents
        if configured and not self.files_only:
            return configured
        self._probe()
        if self._system_default and not self.files_only:
            return ""
        return f"file:{self.pdf_dir / f'{number}-{kind.value}.pdf'}"

    def _print(self, kind: DocumentKind, number: str) -> PrintResult:
        cases = self.counter.cases
        case = cases.get(number)
        ticket = self._ticket(case) if kind is DocumentKind.TICKET else None
        doc = build(
            kind,
            case,
            self.counter.config,
            self.counter.catalog.get(case.service_code),
            ticket=ticket,
            calendar=cases.calendar,
        )
        destination = self._destination(kind, case.number)
        result = self._worker.submit(
            doc.pdf, document=kind.value, case_id=case.id, destination=destination, title=doc.title
        ).result(timeout=PRINT_TIMEOUT)
        path = destination.removeprefix("file:") if destination.startswith("file:") else ""
        return PrintResult(result.ok, result.message_th, result.message_en, path)

    def _ticket(self, case: CaseView) -> TicketInfo:
        """The case's queue ticket with its place in line now (people ahead, minutes to wait); a case
        that has no ticket (written before the queue, or with no queue configured) keeps the old
        number made from the case's own."""
        queue = self.counter.cases.queue
        found = queue.ticket_for_case(case.id) if queue is not None else None
        if queue is None or found is None:
            return default_ticket(case)
        ahead, minutes = queue.estimate(found.id)
        return TicketInfo(found.number, people_ahead=ahead, wait_minutes=minutes, issued_at=found.issued_at)

    def print_ticket(self, case_number: str) -> PrintResult:
        return self._print(DocumentKind.TICKET, case_number)

    def print_receipt(self, case_number: str) -> PrintResult:
        return self._print(DocumentKind.RECEIPT, case_number)

    def print_deficiency(self, case_number: str) -> PrintResult:
        return self._print(DocumentKind.DEFICIENCY, case_number)

    def print_slip(self, case_number: str) -> PrintResult:
        return self._print(DocumentKind.SLIP, case_number)

    def status(self) -> PrinterStatus:
        printers = self.counter.config.printers
        if printers.ticket or printers.documents:
            names = ", ".join(p for p in (printers.ticket, printers.documents) if p)
            return PrinterStatus(True, f"ตั้งค่าไว้: {names}", f"configured: {names}")
        self._probe()
        if self._system_default and not self.files_only:
            d = self._system_default
            return PrinterStatus(True, f"เครื่องพิมพ์หลักของระบบ {d}", f"system default {d}")
        return PrinterStatus(True, f"บันทึกเป็นไฟล์ PDF ใน {self.pdf_dir}", f"PDF files in {self.pdf_dir}")
