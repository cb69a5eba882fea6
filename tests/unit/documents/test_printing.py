"""Print jobs on record and the worker thread, with a fake spooler: nothing lost, nothing doubled."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.devices.printer.errors import OutOfPaperError, PrinterOfflineError
from kiosk.devices.printer.worker import PrinterWorker, PrintResult
from kiosk.storage.db import Database
from kiosk.storage.print_jobs import DONE, FAILED, INTERRUPTED, PrintJobStore

PDF = b"%PDF-1.4 fake\n%%EOF"


class FakeSpooler:
    def __init__(self) -> None:
        self.fail_with: Exception | None = None
        self.sent: list[tuple[str | None, str, bytes]] = []
        self.threads: set[str] = set()

    def printers(self) -> list[str]:
        self.threads.add(threading.current_thread().name)
        return ["Counter_A4", "Thermal"]

    def default(self) -> str | None:
        return "Counter_A4"

    def print_pdf(self, pdf: bytes, *, printer: str | None, title: str) -> str:
        self.threads.add(threading.current_thread().name)
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append((printer, title, pdf))
        return printer or "Counter_A4"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[PrintJobStore]:
    db = Database(tmp_path)
    yield PrintJobStore(db)
    db.close()


@pytest.fixture
def spooler() -> FakeSpooler:
    return FakeSpooler()


@pytest.fixture
def worker(store: PrintJobStore, spooler: FakeSpooler) -> Iterator[PrinterWorker]:
    results: list[PrintResult] = []
    w = PrinterWorker(store, spooler=spooler, sink=results.append)
    w.results = results  # type: ignore[attr-defined]
    w.start()
    yield w
    w.stop()


def test_a_job_is_on_record_before_it_is_sent(store: PrintJobStore, spooler: FakeSpooler) -> None:
    seen: list[str] = []

    class Watching(FakeSpooler):
        def print_pdf(self, pdf: bytes, *, printer: str | None, title: str) -> str:
            (job,) = store.list()
            seen.append(job.state)
            return super().print_pdf(pdf, printer=printer, title=title)

    with PrinterWorker(store, spooler=Watching()) as w:
        result = w.submit(
            PDF, document="receipt", case_id=None, destination="Counter_A4", title="receipt X"
        ).result(10)
    assert seen == ["printing"]
    assert result.ok
    job = store.get(result.job_id)
    assert (job.state, job.attempts, job.printer, job.error) == (DONE, 1, "Counter_A4", "")
    assert job.finished_at is not None


def test_offline_printer_fails_with_a_staff_message_and_a_reprint_succeeds(
    worker: PrinterWorker, spooler: FakeSpooler, store: PrintJobStore
) -> None:
    spooler.fail_with = PrinterOfflineError("Counter_A4", detail="disabled")
    failed = worker.submit(PDF, document="slip", case_id=None, destination="Counter_A4").result(10)
    assert not failed.ok and failed.error is not None
    assert failed.error.kind == "offline"
    assert "ไม่พร้อมใช้งาน" in failed.message_th and "offline" in failed.message_en
    assert store.get(failed.job_id).state == FAILED
    assert spooler.sent == []  # nothing went out, and nothing will by itself

    spooler.fail_with = None
    again = worker.reprint(failed.job_id, PDF).result(10)
    assert again.ok
    job = store.get(again.job_id)
    assert job.reprint_of == failed.job_id and job.state == DONE and job.document == "slip"
    assert len(spooler.sent) == 1
    assert [r.job_id for r in worker.results] == [failed.job_id, again.job_id]  # type: ignore[attr-defined]


def test_out_of_paper_message(worker: PrinterWorker, spooler: FakeSpooler) -> None:
    spooler.fail_with = OutOfPaperError("Thermal")
    result = worker.submit(PDF, document="ticket", case_id=None, destination="Thermal").result(10)
    assert result.error is not None and result.error.kind == "out_of_paper"
    assert "กระดาษหมด" in result.message_th and "out of paper" in result.message_en


def test_a_bug_in_a_backend_fails_the_job_and_keeps_the_worker(
    worker: PrinterWorker, spooler: FakeSpooler, store: PrintJobStore
) -> None:
    spooler.fail_with = RuntimeError("driver exploded")
    bad = worker.submit(PDF, document="receipt", case_id=None).result(10)
    assert not bad.ok and store.get(bad.job_id).state == FAILED
    spooler.fail_with = None
    assert worker.submit(PDF, document="receipt", case_id=None).result(10).ok


def test_jobs_left_unfinished_by_a_crash_become_failed_at_start(
    store: PrintJobStore, spooler: FakeSpooler
) -> None:
    pending = store.record("ticket", None, "Thermal")
    printing = store.record("slip", None, "Counter_A4")
    store.mark_printing(printing.id)
    with PrinterWorker(store, spooler=spooler) as w:
        assert w.jobs.get(pending.id).state == FAILED
    for job_id in (pending.id, printing.id):
        job = store.get(job_id)
        assert job.state == FAILED and job.error == INTERRUPTED
    assert spooler.sent == []  # never resent without a reprint request


def test_a_job_is_sent_at_most_once(store: PrintJobStore) -> None:
    job = store.record("receipt", None, "")
    store.mark_printing(job.id)
    with pytest.raises(Exception, match="reprint"):
        store.mark_printing(job.id)


def test_every_spooler_call_runs_on_the_worker_thread(worker: PrinterWorker, spooler: FakeSpooler) -> None:
    names, default = worker.printers().result(10)
    assert names == ["Counter_A4", "Thermal"] and default == "Counter_A4"
    worker.submit(PDF, document="receipt", case_id=None).result(10)
    assert spooler.threads == {"printer-worker"}


def test_pdf_to_file_is_always_available(worker: PrinterWorker, tmp_path: Path, store: PrintJobStore) -> None:
    target = tmp_path / "out" / "slip.pdf"
    result = worker.submit(PDF, document="slip", case_id=None, destination=f"file:{target}").result(10)
    assert result.ok and target.read_bytes() == PDF
    assert store.get(result.job_id).printer == f"file:{target}"


def test_unwritable_file_fails_cleanly(worker: PrinterWorker, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    result = worker.submit(PDF, document="slip", case_id=None, destination=f"file:{blocker}/x.pdf").result(10)
    assert not result.ok and result.error is not None and result.error.kind == "job_failed"
