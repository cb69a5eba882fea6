"""Retention: personal data goes a set time after the central server confirms every case, and the
removal is recorded; what stays (cases, events, outbox) no longer holds anything personal."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kiosk.cli import main
from kiosk.counter import Counter
from kiosk.domain.workflow import Actor, CaseState, EventKind, Role
from kiosk.storage import audit
from kiosk.storage.cases import ApplicantInfo
from kiosk.storage.models import Applicant, AuditEntry, Case, Event, OutboxItem
from kiosk.storage.privacy import PRINTED_DIR, PURGE_ACTION, REMOVED_KEY, REMOVED_TH, Retention
from kiosk.sync.store import SyncStore
from kiosk.wire import PushResult, PushStatus

from .conftest import SOMCHAI
from .test_crypto import SECRETS, files_holding

APPLICANT, STAFF = Actor(Role.APPLICANT), Actor(Role.STAFF, "s1")
SOMSRI = ApplicantInfo("1101700203450", "นางสมศรี ศรีสุข", address="5 หมู่ที่ 1 ตำบลคลองโยง")
FORM = {"owner_name": "นายสมชาย ใจดี", "sign_text": "ร้านป้าแดงข้าวแกง", "phone": "0812345678"}


def submit(counter: Counter, person: ApplicantInfo = SOMCHAI) -> str:
    person = ApplicantInfo(
        person.citizen_id, person.name_th, "Mr. Somchai Jaidee", "1980-05-01", person.address, "0812345678"
    )
    return counter.cases.submit("signboard-tax", person, FORM, APPLICANT).number


def confirm(counter: Counter) -> dt.datetime:
    """The server takes every waiting event, as a sync pass would record it; returns when."""
    store = SyncStore(counter.db)
    batch = store.next_batch(500)
    store.record_results(
        batch, [PushResult(event_id=e.event_id, status=PushStatus.APPLIED) for e in batch.events]
    )
    with counter.db.session() as s:
        confirmed = s.scalar(select(func.max(Case.server_confirmed_at)))
    assert confirmed is not None
    return confirmed


def retention(counter: Counter, days: int = 7) -> Retention:
    return Retention(counter.db, retention_days=days, kiosk_id="K01")


def test_nothing_goes_before_the_server_confirms(counter: Counter) -> None:
    submit(counter)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    assert retention(counter, 0).purge(later).applicants == 0
    assert retention(counter, 0).status(later).waiting_for_server == 1


def test_personal_data_goes_retention_days_after_confirmation(counter: Counter) -> None:
    number = submit(counter)
    confirmed = confirm(counter)
    rule = retention(counter, 7)
    assert rule.purge(confirmed + dt.timedelta(days=7) - dt.timedelta(seconds=1)).applicants == 0
    status = rule.status(confirmed + dt.timedelta(days=1))
    assert (status.held, status.waiting_for_server, status.due) == (1, 0, 0)
    assert status.next_due_at == confirmed + dt.timedelta(days=7)

    report = rule.purge(confirmed + dt.timedelta(days=7))
    assert (report.applicants, report.case_numbers) == (1, (number,))

    case = counter.cases.get(number)
    assert case.personal_removed and case.applicant_name == REMOVED_TH
    assert case.citizen_id is None and case.form_data == {}
    assert case.state is CaseState.SUBMITTED and [e.seq for e in case.events] == [1, 2]
    created = case.events[0]
    assert created.data[REMOVED_KEY] is True and "form" not in created.data
    assert created.data["service_code"] == "signboard-tax"
    assert counter.cases.for_citizen(SOMCHAI.citizen_id) == []
    with counter.db.session() as s:
        person = s.scalars(select(Applicant)).one()
        assert (person.wrapped_key, person.sealed, person.citizen_ref) == (None, None, "")
        assert person.purged_at is not None
        assert s.scalar(select(func.count()).select_from(Case).where(Case.sealed_form.is_not(None))) == 0
        erased = s.scalars(select(Event.sealed).where(Event.sealed.is_not(None))).all()
        assert erased == [b""]  # the created event's part: gone, but it says one was there
        assert (
            s.scalar(select(func.count()).select_from(OutboxItem).where(OutboxItem.sealed.is_not(None))) == 0
        )
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == PURGE_ACTION)).one()
    assert entry.staff_id == "" and entry.target == person.id and entry.kiosk_id == "K01"
    assert entry.detail == {
        "cases": [number],
        "confirmed_at": confirmed.isoformat(timespec="seconds"),
        "retention_days": 7,
    }
    assert audit.check(counter.db).intact
    assert rule.purge(confirmed + dt.timedelta(days=30)).applicants == 0  # once only
    assert rule.status(confirmed + dt.timedelta(days=30)).purged == 1
    counter.close()
    assert files_holding(counter.data_dir, SECRETS) == []


def test_the_clock_waits_for_every_case_and_the_outbox(counter: Counter) -> None:
    submit(counter)
    confirm(counter)
    second = submit(counter)  # the same person again, not yet confirmed
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    assert retention(counter, 0).purge(later).applicants == 0
    confirm(counter)
    counter.cases.mark_document(second, "id_card", "received", STAFF)  # an event still queued
    assert retention(counter, 0).purge(later).applicants == 0
    confirm(counter)
    assert retention(counter, 0).purge(later).case_numbers == ("K01-2569-00001", second)


def test_only_the_applicants_due_are_removed_and_a_dry_run_removes_nothing(counter: Counter) -> None:
    first = submit(counter)
    confirm(counter)
    second = submit(counter, SOMSRI)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=8)
    dry = retention(counter).purge(later, dry_run=True)
    assert (dry.dry_run, dry.applicants, dry.case_numbers) == (True, 1, (first,))
    assert not counter.cases.get(first).personal_removed
    assert retention(counter).purge(later).case_numbers == (first,)
    assert counter.cases.get(first).personal_removed
    kept = counter.cases.get(second)
    assert kept.applicant_name == SOMSRI.name_th and kept.form_data == FORM


def test_a_returning_applicant_after_the_purge_starts_afresh(counter: Counter) -> None:
    old = submit(counter)
    confirm(counter)
    assert retention(counter, 0).purge(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)).applicants == 1
    new = submit(counter)
    assert counter.cases.get(new).applicant_name == SOMCHAI.name_th
    assert counter.cases.get(old).personal_removed
    assert [c.number for c in counter.cases.for_citizen(SOMCHAI.citizen_id)] == [new]
    with counter.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Applicant)) == 2


def test_a_purged_case_is_never_pushed_with_personal_data(counter: Counter) -> None:
    number = submit(counter)
    confirm(counter)
    retention(counter, 0).purge(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    # Even if its events went back in the queue (a server restored from an old backup asks again):
    with counter.db.unit_of_work() as s, s.begin():
        s.execute(OutboxItem.__table__.update().values(sent_at=None))
    events = SyncStore(counter.db).next_batch(10).events
    created = next(e for e in events if e.kind is EventKind.CREATED)
    assert str(created.case_number) == number
    assert created.applicant is None and "form" not in created.data and REMOVED_KEY not in created.data


def test_views_and_documents_of_a_purged_case_say_so(counter: Counter) -> None:
    from kiosk.documents import DocumentKind, build

    number = submit(counter)
    confirm(counter)
    retention(counter, 0).purge(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    case = counter.cases.get(number)
    for kind in (DocumentKind.RECEIPT, DocumentKind.TICKET):
        build(kind, case, counter.config, counter.catalog.get(case.service_code))
    listed = next(c for c in counter.cases.find() if c.number == number)
    assert listed.personal_removed and listed.applicant_name == REMOVED_TH


def test_the_kiosk_purges_at_start_up_and_after_a_sync_pass(tmp_path: Path) -> None:
    (tmp_path / "kiosk.toml").write_text("[privacy]\nretention_days = 0\n", encoding="utf-8")
    counter = Counter.open(tmp_path)
    number = submit(counter)
    confirm(counter)
    SyncStore(counter.db).after_pass()
    assert counter.cases.get(number).personal_removed
    second = submit(counter, SOMSRI)
    confirm(counter)
    counter.close()
    reopened = Counter.open(tmp_path)
    try:
        assert reopened.cases.get(second).personal_removed
    finally:
        reopened.close()


def test_the_privacy_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "kiosk.toml").write_text("[privacy]\nretention_days = 0\n", encoding="utf-8")
    counter = Counter.open(tmp_path)
    number = submit(counter)
    submit(counter, SOMSRI)
    confirm(counter)
    counter.close()
    capsys.readouterr()

    assert main(["--data-dir", str(tmp_path), "privacy", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert {k: status[k] for k in ("retention_days", "held", "due", "purged")} == {
        "retention_days": 0,
        "held": 2,
        "due": 2,
        "purged": 0,
    }
    assert main(["--data-dir", str(tmp_path), "privacy", "purge", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would remove" in out and number in out
    assert main(["--data-dir", str(tmp_path), "privacy", "purge", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["applicants"] == 2
    assert main(["--data-dir", str(tmp_path), "privacy", "status"]) == 0
    out = capsys.readouterr().out
    assert "removed so far: 2" in out
    for secret in ("1101700230708", "สมชาย", "1101700203450"):
        assert secret not in out
    log = (tmp_path / "logs" / "kiosk.log").read_text(encoding="utf-8")
    assert "personal data of 2 applicant(s) removed" in log and "สมชาย" not in log


def test_a_checkpoint_a_reader_blocks_is_owed_and_done_after_the_next_sync_pass(
    counter: Counter, caplog: pytest.LogCaptureFixture
) -> None:
    """`wal_checkpoint(TRUNCATE)` answers busy, not an error, while a reader uses the log: the
    purge must notice, say so, and finish the checkpoint later, or the wrapped key stays on disk."""
    submit(counter)
    confirm(counter)
    with counter.db.session() as s:
        wrapped = s.scalars(select(Applicant.wrapped_key)).one()
    assert wrapped is not None
    owed = counter.data_dir / "checkpoint.owed"
    reader = sqlite3.connect(counter.db.path, isolation_level=None)
    try:
        reader.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the key is in the main file now
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM applicants").fetchone()  # a read transaction, held
        caplog.set_level(logging.WARNING, logger="kiosk.storage.db")
        report = retention(counter, 0).purge(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
        assert report.applicants == 1
        assert any("checkpoint" in r.getMessage() and "owed" in r.getMessage() for r in caplog.records)
        assert owed.exists()
        assert files_holding(counter.data_dir, (wrapped,)), "the reader kept the old pages on disk"
        SyncStore(counter.db).after_pass()  # still held: owed again, nothing lost
        assert owed.exists()
    finally:
        reader.rollback() if reader.in_transaction else None
        reader.close()
    SyncStore(counter.db).after_pass()  # the next sync pass: nothing due, the owed checkpoint runs
    assert not owed.exists()
    assert files_holding(counter.data_dir, (wrapped,)) == []


def test_an_owed_checkpoint_is_done_at_start_up(tmp_path: Path) -> None:
    counter = Counter.open(tmp_path)
    submit(counter)
    with counter.db.session() as s:
        wrapped = s.scalars(select(Applicant.wrapped_key)).one()
    counter.close()
    (tmp_path / "checkpoint.owed").write_text("after the purge\n", encoding="utf-8")
    reopened = Counter.open(tmp_path)
    try:
        assert not (tmp_path / "checkpoint.owed").exists()
        assert (tmp_path / "kiosk.sqlite-wal").stat().st_size == 0
        assert files_holding(tmp_path, (wrapped,))  # not purged: only the log was folded in
    finally:
        reopened.close()


def test_documents_printed_to_files_go_with_the_purge(counter: Counter) -> None:
    """Without a printer the kiosk writes `printed/{case number}-{kind}.pdf` (kiosk.ui.print_adapter):
    the receipt carries the name and address, so it must not outlive the rest of the data."""
    first = submit(counter)
    confirm(counter)
    second = submit(counter, SOMSRI)
    folder = counter.data_dir / PRINTED_DIR
    folder.mkdir()
    names = [f"{first}-receipt.pdf", f"{first}-ticket.pdf", f"{second}-receipt.pdf", "notes.pdf"]
    for name in names:
        (folder / name).write_bytes(b"%PDF-1.4 " + name.encode())
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=8)
    assert retention(counter).purge(later, dry_run=True).applicants == 1
    assert sorted(p.name for p in folder.iterdir()) == sorted(names), "a dry run removes nothing"
    assert retention(counter).purge(later).case_numbers == (first,)
    assert sorted(p.name for p in folder.iterdir()) == sorted([f"{second}-receipt.pdf", "notes.pdf"])
