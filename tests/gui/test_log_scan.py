"""A whole visit with everything logged at DEBUG, then every log is searched for the applicant.

Card read (with the photo, the service asks for it), form, submit, ticket and receipt printed to PDF
files, the real sync worker pushing to a real central server over loopback, and the purge that
follows the server's confirmation (retention 0 days). Afterwards no log file under the data
directory and no captured record holds the citizen ID (with or without dashes), a name, a part of
the address, the birth date, the phone or the photo; and the database files never held the citizen
ID or the Thai name in clear.
"""

from __future__ import annotations

import base64
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from central.db import Database as CentralDatabase
from central.db import upgrade as central_upgrade
from kiosk.counter import Counter
from kiosk.devices.card.parser import CardRecord
from kiosk.devices.card.profile import load_profile
from kiosk.devices.card.reader import read_photo_from_transport
from kiosk.devices.card.service import PhotoRead
from kiosk.devices.card.simulator import VirtualCard
from kiosk.domain.thai import format_citizen_id
from kiosk.sync.client import CentralClient
from kiosk.sync.credentials import Credential, save_credential
from kiosk.sync.worker import SyncWorker
from kiosk.ui.app import build_kiosk
from kiosk.ui.card_source import _VirtualTransport
from kiosk.ui.controller import Timeouts
from kiosk.ui.window import Screen
from tests.gui.conftest import READER, FakeCards, read_profile
from tests.gui.test_visits import ELDERLY, fill_elderly, to_form
from tests.integration.central.harness import Server, service

pytestmark = [pytest.mark.integration, pytest.mark.slow]

print_adapter = pytest.importorskip("kiosk.ui.print_adapter")
PROFILE = "somchai"
PHONE = "0891234567"


def card_photo(profile: str) -> bytes:
    card = VirtualCard(load_profile(profile))
    return read_photo_from_transport(_VirtualTransport(card), card.atr)


def needles(record: CardRecord, photo: bytes) -> list[str]:
    """Everything of the applicant that must never be logged, in the forms it could take."""
    born = record.birth_date
    assert born is not None
    a, th, en = record.address, record.name_th, record.name_en
    values = [
        record.citizen_id,
        format_citizen_id(record.citizen_id),
        th.first,
        th.last,
        en.first,
        en.last,
        f"{th.first} {th.last}",
        a.house_no,
        a.soi,
        a.road,
        a.subdistrict,
        record.birth_date_be,
        f"{born.year:04d}-{born.month:02d}-{born.day:02d}",
        f"{born.day:02d}/{born.month:02d}/{born.year + 543}",
        PHONE,
        base64.b64encode(photo[:48]).decode(),
        photo[:32].hex(),
        photo[:16].hex(" "),
        repr(photo[:16])[2:-1],
    ]
    return [v for v in values if v and len(v) >= 3]


@pytest.fixture
def central(tmp_path: Path, data_dir: Path) -> Iterator[Server]:
    url = f"sqlite:///{tmp_path / 'central.sqlite'}"
    db = CentralDatabase(url)
    central_upgrade(db.engine)
    db.close()
    (data_dir / "logs").mkdir(exist_ok=True)
    server = Server(url, log_dir=data_dir / "logs").start()  # its log is scanned with the kiosk's
    try:
        code = service(url).enrolment_code("K01")
        answer = CentralClient.enrol(server.url, code)
        save_credential(data_dir, Credential(server.url, answer.kiosk_id, answer.token))
        yield server
    finally:
        server.stop()


@pytest.fixture
def debug_log(data_dir: Path, caplog: pytest.LogCaptureFixture) -> Iterator[Path]:
    """The kiosk's own log file, as `kiosk run` writes it, but at DEBUG; and caplog at DEBUG."""
    path = data_dir / "logs" / "kiosk.log"
    path.parent.mkdir(exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
        handler.close()


def photo_service_catalog(tmp_path: Path) -> Path:
    """The bundled catalog, with the elderly allowance asking for the card photo."""
    folder = tmp_path / "services"
    shutil.copytree(Path(__file__).resolve().parents[2] / "resources" / "services", folder)
    path = folder / f"{ELDERLY}.toml"
    text = path.read_text(encoding="utf-8")
    assert "needs_photo" not in text
    assert "\nversion = 1\n" in text
    path.write_text(
        text.replace("\nversion = 1\n", "\nversion = 1\nneeds_photo = true\n", 1), encoding="utf-8"
    )
    return folder


def db_files_holding(data_dir: Path, secrets: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted(data_dir.glob("kiosk.sqlite*")):
        content = path.read_bytes()
        found += [f"{path.name}: {s}" for s in secrets if s.encode() in content]
    return found


def test_a_whole_visit_logs_nothing_personal(  # noqa: PLR0915
    qtbot,  # noqa: ANN001
    tmp_path: Path,
    data_dir: Path,
    central: Server,
    debug_log: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    (data_dir / "kiosk.toml").write_text(
        f'catalog_dir = "{photo_service_catalog(tmp_path)}"\n\n[privacy]\nretention_days = 0\n',
        encoding="utf-8",
    )
    record = read_profile(PROFILE)
    photo = card_photo(PROFILE)
    assert len(photo) > 1000
    counter = Counter.open(data_dir)
    assert counter.catalog.get(ELDERLY).needs_photo  # type: ignore[union-attr]
    printer = print_adapter.DocumentsPrinter(counter, pdf_dir=data_dir / "printed", files_only=True)
    holder: dict[str, FakeCards] = {}

    def source(events):  # noqa: ANN001, ANN202
        cards = FakeCards(events)
        # The photo as the card holds it, through the same protocol code as the real reader.
        cards.request_photo = lambda reader=None: cards.emit(PhotoRead(reader or READER, photo))  # type: ignore[method-assign]
        holder["cards"] = cards
        return cards

    kiosk = build_kiosk(
        counter,
        card_source=source,
        printer=printer,
        timeouts=Timeouts(idle_ms=120_000),
        sync=None,  # the real worker, as `kiosk run` starts it on an enrolled kiosk
    )
    try:
        assert isinstance(kiosk.services.sync, SyncWorker)
        kiosk.window.resize(1280, 800)
        kiosk.window.show()
        c, cards = kiosk.controller, holder["cards"]
        h = SimpleNamespace(c=c, w=kiosk.window)
        cards.attach()
        cards.insert(record)
        qtbot.waitUntil(lambda: c.screen is Screen.NOTICE)
        to_form(h, qtbot, ELDERLY)  # the card is read when the notice is accepted  # type: ignore[arg-type]
        qtbot.waitUntil(lambda: c.visit.photo == photo)
        fill_elderly(h, qtbot)  # type: ignore[arg-type]
        qtbot.keyClicks(kiosk.window.form.rows["phone"].editor, PHONE)
        kiosk.window.form.next_button.click()
        kiosk.window.documents.next_button.click()
        assert c.screen is Screen.REVIEW
        with (
            qtbot.waitSignal(c.submitted, timeout=30_000) as sent,
            qtbot.waitSignal(c.printed, timeout=60_000) as printed,
        ):
            kiosk.window.review.submit_button.click()
        number = sent.args[0]
        assert [r.printed for r in printed.args[0]] == [True, True]
        assert sorted(p.name for p in (data_dir / "printed").glob("*.pdf")) == [
            f"{number}-receipt.pdf",
            f"{number}-ticket.pdf",
        ]
        clear = (record.citizen_id, f"{record.name_th.first} {record.name_th.last}", record.name_th.first)
        assert db_files_holding(data_dir, clear) == []
        view = counter.cases.get(number)  # sealed, not lost (unless the worker was quicker still)
        assert view.citizen_id == record.citizen_id or view.personal_removed

        # The submit woke the worker: the server confirms the case, and with 0 days' retention the
        # pass that recorded the confirmation removes the applicant's data.
        qtbot.waitUntil(lambda: counter.cases.pending_outbox() == 0, timeout=60_000)
        qtbot.waitUntil(lambda: counter.cases.get(number).personal_removed, timeout=30_000)
        cards.remove()
        with qtbot.waitSignal(c.visit_ended, timeout=10_000):
            kiosk.window.done.finish_button.click()
        assert db_files_holding(data_dir, clear) == []
    finally:
        kiosk.shutdown()
        counter.close()

    assert "privacy: personal data of 1 applicant(s) removed" in debug_log.read_text(encoding="utf-8")
    assert any(r.levelno == logging.DEBUG for r in caplog.records), "DEBUG records were not captured"
    searched = needles(record, photo)
    logs = sorted(p for p in data_dir.rglob("*") if p.is_file() and ".log" in p.name)
    assert debug_log in logs and any(p.name.startswith("server-") for p in logs)
    leaks = [
        f"{p.relative_to(data_dir)}: {s!r}"
        for p in logs
        for s in searched
        if s in p.read_text(encoding="utf-8", errors="replace")
    ]
    captured = "\n".join(
        [r.getMessage() for r in caplog.records] + [r.exc_text or "" for r in caplog.records] + [caplog.text]
    )
    leaks += [f"captured record: {s!r}" for s in searched if s in captured]
    assert not leaks, f"personal data in the logs: {leaks}"


def test_the_notice_comes_first_and_the_photo_is_read_only_when_needed(
    make_kiosk, data_dir: Path, qtbot
) -> None:  # noqa: ANN001
    (data_dir / "kiosk.toml").write_text("[privacy]\nretention_days = 3\n", encoding="utf-8")
    h = make_kiosk()
    h.cards.attach()
    h.cards.insert(read_profile(PROFILE))
    qtbot.waitUntil(lambda: h.c.screen is Screen.NOTICE)
    qtbot.wait(50)
    # The card is noticed, not read: nothing of it is asked for or held while the notice shows.
    assert h.cards.read_requests == 0 and h.c.visit.record is None
    notice = h.w.notice
    # Purpose, what is read (the photo only when needed), how long (from the configuration), rights.
    assert "เพื่อ" in notice.why.text()
    assert "เลขประจำตัวประชาชน" in notice.what.text() and "รูปถ่าย" in notice.what.text()
    assert "3 วัน" in notice.keep.text()
    assert "แก้ไข" in notice.rights.text() and "ร้องเรียน" in notice.rights.text()
    to_form(h, qtbot, ELDERLY)  # a service that does not need the photo
    assert h.cards.read_requests == 1 and h.c.visit.record is not None
    assert h.cards.photo_requests == 0 and h.c.visit.photo is None
