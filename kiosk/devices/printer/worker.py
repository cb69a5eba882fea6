"""The printer worker: one thread owns every spooler, device and socket call, in submission order.

`submit()` records the job in the database (pending) on the caller's thread before queueing it, so
a job exists on record before anything is sent and survives a crash of the worker. The worker marks
it printing, sends it, and marks it done or failed with the staff message; the result goes to the
caller's future and to an optional sink (the UI adapts it to a Qt signal: this package imports no
Qt). A failed job is never resent by itself: `reprint()` is the staff's request for a new job.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from kiosk.devices.printer import cups, windows
from kiosk.devices.printer.errors import NoPrinterError, PrinterError, PrintJobFailedError
from kiosk.storage.print_jobs import PrintJobStore, PrintJobView

log = logging.getLogger(__name__)

T = TypeVar("T")

FILE_PREFIX = "file:"
ESCPOS_PREFIX = "escpos:"


class Spooler(Protocol):
    def printers(self) -> list[str]: ...

    def default(self) -> str | None: ...

    def print_pdf(self, pdf: bytes, *, printer: str | None, title: str) -> str: ...


def system_spooler(server: str | None = None) -> Spooler:
    if windows.available():  # pragma: no cover - Windows only
        return windows.WindowsSpooler()
    return cups.CupsSpooler(server)


@dataclass(frozen=True)
class PrintResult:
    job_id: str
    document: str
    printer: str
    ok: bool
    error: PrinterError | None = None

    @property
    def message_th(self) -> str:
        return self.error.message_th if self.error else "พิมพ์เรียบร้อยแล้ว"

    @property
    def message_en(self) -> str:
        return self.error.message_en if self.error else "Printed."


@dataclass(frozen=True)
class _Job:
    job: PrintJobView
    pdf: bytes
    title: str
    future: Future[PrintResult]


def _write_pdf(path: Path, pdf: bytes) -> None:
    """Whole file or nothing: a half-written PDF is worse than none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as f:
        f.write(pdf)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)


class PrinterWorker:
    def __init__(
        self,
        jobs: PrintJobStore,
        *,
        spooler: Spooler | None = None,
        sink: Callable[[PrintResult], None] | None = None,
        name: str = "printer-worker",
    ) -> None:
        self.jobs = jobs
        self.spooler = spooler or system_spooler()
        self._sink = sink
        self._queue: queue.Queue[_Job | Callable[[], None] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._started = False

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> list[PrintJobView]:
        """Start the thread; returns the jobs a previous run left unfinished (now failed)."""
        interrupted = self.jobs.recover_interrupted()
        for job in interrupted:
            log.warning(
                "print job %s (%s) was interrupted by a stop: staff may reprint it", job.id, job.document
            )
        self._thread.start()
        self._started = True
        return interrupted

    def stop(self, timeout: float = 10.0) -> None:
        if self._started:
            self._queue.put(None)
            self._thread.join(timeout)

    def __enter__(self) -> PrinterWorker:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- requests ---------------------------------------------------------------------------

    def submit(
        self,
        pdf: bytes,
        *,
        document: str,
        case_id: str | None,
        destination: str = "",
        title: str = "",
        reprint_of: str | None = None,
    ) -> Future[PrintResult]:
        """Record the job (pending) now, print it on the worker thread."""
        job = self.jobs.record(document, case_id, destination, reprint_of=reprint_of)
        future: Future[PrintResult] = Future()
        self._queue.put(_Job(job, pdf, title or document, future))
        return future

    def reprint(
        self, job_id: str, pdf: bytes, *, destination: str | None = None, title: str = ""
    ) -> Future[PrintResult]:
        """Staff asked to print a job's document again (rebuilt by the caller): a new job."""
        original = self.jobs.get(job_id)
        return self.submit(
            pdf,
            document=original.document,
            case_id=original.case_id,
            destination=original.printer if destination is None else destination,
            title=title,
            reprint_of=original.id,
        )

    def call(self, fn: Callable[[], T]) -> Future[T]:
        """Run `fn` on the worker thread (printer enumeration belongs there too)."""
        future: Future[T] = Future()

        def task() -> None:
            try:
                future.set_result(fn())
            except BaseException as exc:
                future.set_exception(exc)

        self._queue.put(task)
        return future

    def printers(self) -> Future[tuple[list[str], str | None]]:
        return self.call(lambda: (self.spooler.printers(), self.spooler.default()))

    # --- the thread -------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if not isinstance(item, _Job):
                item()
                continue
            result = self._print(item)
            item.future.set_result(result)
            if self._sink is not None:
                try:
                    self._sink(result)
                except Exception:
                    log.exception("print result sink failed")

    def _print(self, item: _Job) -> PrintResult:
        job = item.job
        try:
            self.jobs.mark_printing(job.id)
            printer = self._send(job.printer, item.pdf, item.title)
        except PrinterError as exc:
            log.warning("print job %s (%s) failed: %s %s", job.id, job.document, exc.kind, exc.detail)
            self._record_failure(job.id, exc)
            return PrintResult(job.id, job.document, job.printer, False, exc)
        except Exception as exc:
            # A bug must not leave the job "printing" for ever, nor kill the thread.
            log.exception("print job %s crashed", job.id)
            error = PrintJobFailedError(job.printer or "-", detail=f"{type(exc).__name__}: {exc}")
            self._record_failure(job.id, error)
            return PrintResult(job.id, job.document, job.printer, False, error)
        self.jobs.mark_done(job.id, printer=printer)
        log.info("print job %s (%s) done on %s", job.id, job.document, printer)
        return PrintResult(job.id, job.document, printer, True)

    def _record_failure(self, job_id: str, exc: PrinterError) -> None:
        try:
            self.jobs.mark_failed(job_id, f"{exc.kind}: {exc.message_en} {exc.detail}".strip())
        except Exception:
            log.exception("could not record the failure of print job %s", job_id)

    def _send(self, destination: str, pdf: bytes, title: str) -> str:
        if destination.startswith(FILE_PREFIX):
            path = Path(destination.removeprefix(FILE_PREFIX))
            try:
                _write_pdf(path, pdf)
            except OSError as exc:
                raise PrintJobFailedError(str(path), detail=str(exc)) from exc
            return destination
        if destination.startswith(ESCPOS_PREFIX):
            from kiosk.devices.printer.escpos import EscPosPrinter
            from kiosk.devices.printer.raster import pdf_to_mono

            return EscPosPrinter(destination.removeprefix(ESCPOS_PREFIX)).print_image(pdf_to_mono(pdf))
        return self.spooler.print_pdf(pdf, printer=destination or None, title=title)


__all__ = ["NoPrinterError", "PrintResult", "PrinterWorker", "Spooler", "system_spooler"]
