"""Real CUPS: a cups-pdf queue on a private cupsd receives the kiosk's jobs; a stopped queue gives
staff the offline message and records a failed job; a reprint after the queue is back succeeds."""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from kiosk.counter import Counter
from kiosk.demo import seed
from kiosk.devices.printer.cups import CupsSpooler
from kiosk.devices.printer.errors import PrinterNotFoundError
from kiosk.devices.printer.worker import PrinterWorker
from kiosk.documents import DocumentKind, build
from kiosk.domain.workflow import CaseState
from kiosk.storage.print_jobs import DONE, FAILED, PrintJobStore

from .conftest import PrivateCups

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Counter]:
    counter = Counter.open(tmp_path_factory.mktemp("office"))
    seed(counter, now=dt.datetime(2026, 7, 15, 2, 5, tzinfo=dt.UTC))
    yield counter
    counter.close()


def _text(path: Path) -> str:
    done = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True)
    return done.stdout


def _gray_pages(pdf: bytes, tmp: Path, name: str) -> list[Image.Image]:
    src = tmp / f"{name}.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-gray", "-png", str(src), str(tmp / name)], check=True)
    return [Image.open(p).convert("L") for p in sorted(tmp.glob(f"{name}-*.png"))]


def _difference(sent: bytes, printed: bytes, _where: Path) -> float:
    """Mean absolute pixel difference (0..1) between the pages sent and the pages printed."""
    with tempfile.TemporaryDirectory() as tmp:
        a, b = _gray_pages(sent, Path(tmp), "sent"), _gray_pages(printed, Path(tmp), "printed")
        assert len(a) == len(b), f"{len(a)} pages sent, {len(b)} printed"
        total = 0.0
        for x, y in zip(a, b, strict=True):
            assert abs(x.width - y.width) <= 1 and abs(x.height - y.height) <= 1
            y = y.resize(x.size)
            total += sum(ImageStat.Stat(ImageChops.difference(x, y)).mean) / 255
        return total / len(a)


def _receipt(office: Counter) -> tuple[str, bytes, str]:
    case = office.cases.get(office.cases.find(state=CaseState.UNDER_REVIEW)[0].number)
    doc = build(DocumentKind.RECEIPT, case, office.config, office.catalog.get(case.service_code))
    return case.id, doc.pdf, case.number


def test_lists_the_queue(private_cups: PrivateCups, queue: str) -> None:
    spooler = CupsSpooler(private_cups.socket)
    assert queue in spooler.printers()
    status = spooler.check_ready(queue)
    assert status.enabled and status.accepting


def test_the_queue_receives_the_job_and_its_output_matches(
    private_cups: PrivateCups, queue: str, office: Counter
) -> None:
    case_id, pdf, number = _receipt(office)
    store = PrintJobStore(office.db)
    before = private_cups.ours()
    with PrinterWorker(store, spooler=CupsSpooler(private_cups.socket, timeout=30)) as worker:
        result = worker.submit(
            pdf,
            document="receipt",
            case_id=case_id,
            destination=queue,
            title=private_cups.title(f"receipt {number}"),
        )
        result = result.result(60)
    assert result.ok, (result.message_en, result.error and result.error.detail, private_cups.log())
    assert store.get(result.job_id).state == DONE
    output = private_cups.wait_new_output(before)
    # cups-pdf re-creates the PDF through PostScript and Ghostscript, which drops the Thai text
    # layer (the glyphs are drawn, their Unicode map is gone): check the Latin text, and the pages
    # pixel by pixel against what the kiosk sent.
    text = _text(output)
    for needle in (number, "Application receipt", "Receiving officer", "Legal time limit"):
        assert needle in text, needle
    assert _difference(pdf, output.read_bytes(), output.parent) < 0.02


def test_stopped_queue_gives_the_offline_message_and_a_reprint_succeeds(
    private_cups: PrivateCups, queue: str, office: Counter
) -> None:
    case_id, pdf, number = _receipt(office)
    store = PrintJobStore(office.db)
    spooler = CupsSpooler(private_cups.socket, timeout=30)
    private_cups.admin("cupsdisable", "-r", "paper jam", queue)
    before = private_cups.ours()
    title = private_cups.title(f"receipt {number}")
    with PrinterWorker(store, spooler=spooler) as worker:
        failed = worker.submit(pdf, document="receipt", case_id=case_id, destination=queue, title=title)
        failed = failed.result(60)
        assert not failed.ok and failed.error is not None
        assert failed.error.kind == "offline"
        assert "ไม่พร้อมใช้งาน" in failed.message_th and "reprint" in failed.message_en
        assert store.get(failed.job_id).state == FAILED
        assert private_cups.ours() == before  # nothing printed, nothing waiting to print later

        private_cups.admin("cupsenable", queue)
        again = worker.reprint(failed.job_id, pdf, title=title).result(60)
    assert again.ok, (again.message_en, private_cups.log())
    job = store.get(again.job_id)
    assert job.reprint_of == failed.job_id and job.state == DONE
    output = private_cups.wait_new_output(before)
    assert number in _text(output)


def test_unknown_queue(private_cups: PrivateCups) -> None:
    with pytest.raises(PrinterNotFoundError) as err:
        CupsSpooler(private_cups.socket).check_ready("NoSuchQueue")
    assert "NoSuchQueue" in err.value.message_en


def test_no_scheduler_is_a_known_error(tmp_path: Path) -> None:
    from kiosk.devices.printer.errors import PrinterError

    with pytest.raises(PrinterError):
        CupsSpooler(str(tmp_path / "nothing.sock")).print_pdf(b"%PDF", printer="X", title="t")
