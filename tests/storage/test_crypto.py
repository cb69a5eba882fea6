"""Personal data at rest: sealed under per-applicant keys, bound to its row, key kept private outside."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import select, text

from kiosk.counter import Counter
from kiosk.domain.workflow import Actor, EventKind, Role
from kiosk.storage.cases import ApplicantInfo, StaffAction
from kiosk.storage.crypto import (
    MASTER_KEY_FILE,
    KeyFileError,
    MasterKey,
    SealError,
    applicant_aad,
    open_sealed,
    seal,
)
from kiosk.storage.db import Database
from kiosk.storage.models import Applicant, Case, Event, OutboxItem
from kiosk.sync.store import SyncStore

from .conftest import SOMCHAI

APPLICANT, STAFF = Actor(Role.APPLICANT), Actor(Role.STAFF, "s1")
NOW = dt.datetime(2026, 11, 2, 3, 0, tzinfo=dt.UTC)
FORM = {"owner_name": "นายสมชาย ใจดี", "sign_text": "ร้านป้าแดงข้าวแกง", "phone": "0812345678"}
# What must never be found in clear in the database files.
SECRETS = (
    SOMCHAI.citizen_id.encode(),
    "สมชาย".encode(),
    b"Somchai",
    "ตำบลบางแก้วฟ้า".encode(),
    "ร้านป้าแดงข้าวแกง".encode(),
    b"0812345678",
    b"1980-05-01",
)


def files_holding(data_dir: Path, needles: tuple[bytes, ...] = SECRETS) -> list[tuple[str, bytes]]:
    found = []
    for path in sorted(data_dir.glob("kiosk.sqlite*")):
        content = path.read_bytes()
        found += [(path.name, n) for n in needles if n in content]
    return found


def submit(counter: Counter, person: ApplicantInfo = SOMCHAI, **kw: object) -> str:
    person = ApplicantInfo(
        person.citizen_id, person.name_th, person.name_en, person.birth_date, person.address, "0812345678"
    )
    return counter.cases.submit("signboard-tax", person, FORM, APPLICANT, now=NOW, **kw).number  # type: ignore[arg-type]


def test_a_sealed_value_opens_only_with_its_key_and_its_row() -> None:
    dek = MasterKey.new_dek()
    blob = seal(dek, {"name_th": "นายสมชาย ใจดี"}, applicant_aad("a1"))
    assert "สมชาย".encode() not in blob
    assert open_sealed(dek, blob, applicant_aad("a1")) == {"name_th": "นายสมชาย ใจดี"}
    with pytest.raises(SealError):
        open_sealed(dek, blob, applicant_aad("a2"))  # the same blob on another row
    with pytest.raises(SealError):
        open_sealed(MasterKey.new_dek(), blob, applicant_aad("a1"))
    tampered = bytearray(blob)
    tampered[-1] ^= 1
    with pytest.raises(SealError):
        open_sealed(dek, bytes(tampered), applicant_aad("a1"))
    # A fresh nonce every time: equal values do not give equal blobs.
    assert seal(dek, {"x": 1}, b"r") != seal(dek, {"x": 1}, b"r")


def test_a_data_key_unwraps_only_for_its_applicant() -> None:
    master = MasterKey(os.urandom(32))
    dek = master.new_dek()
    wrapped = master.wrap(dek, "applicant-1")
    assert master.unwrap(wrapped, "applicant-1") == dek
    with pytest.raises(SealError):
        master.unwrap(wrapped, "applicant-2")
    with pytest.raises(SealError):
        MasterKey(os.urandom(32)).unwrap(wrapped, "applicant-1")
    assert "…" in repr(master) and dek.hex() not in repr(master)


def test_the_master_key_is_private_and_outside_the_database(tmp_path: Path) -> None:
    counter = Counter.open(tmp_path)
    counter.close()
    key = tmp_path / MASTER_KEY_FILE
    assert key.stat().st_size == 32
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert key.read_bytes() not in (tmp_path / "kiosk.sqlite").read_bytes()


@pytest.mark.parametrize("name", ["data.key", "lookup.key"])
def test_a_key_file_others_can_read_stops_the_kiosk(tmp_path: Path, name: str) -> None:
    Counter.open(tmp_path).close()
    (tmp_path / "keys" / name).chmod(0o640)
    with pytest.raises(KeyFileError) as refused:
        Counter.open(tmp_path)
    assert "chmod 600" in refused.value.message_en and "chmod 600" in refused.value.message_th
    assert "ผู้ใช้อื่น" in refused.value.message_th


def test_a_lost_key_is_not_silently_replaced(tmp_path: Path) -> None:
    counter = Counter.open(tmp_path)
    submit(counter)
    counter.close()
    (tmp_path / MASTER_KEY_FILE).unlink()
    with pytest.raises(KeyFileError, match="missing"):
        Database(tmp_path)
    assert not (tmp_path / MASTER_KEY_FILE).exists()


def test_nothing_personal_is_in_the_database_files(tmp_path: Path) -> None:
    counter = Counter.open(tmp_path)
    number = submit(
        counter,
        staff_actions=[
            StaffAction(EventKind.FIELD_EDITED, STAFF, NOW, "สะกดผิด", {"field": "phone", "old": "0812345678"})
        ],
    )
    # Open: the write-ahead log holds the newest pages.
    assert files_holding(tmp_path) == []
    case = counter.cases.get(number)
    assert case.applicant_name == SOMCHAI.name_th and case.citizen_id == SOMCHAI.citizen_id
    assert case.form_data == FORM
    created, edited = case.events[0], case.events[1]
    assert created.data["form"] == FORM and created.data["service_code"] == "signboard-tax"
    assert edited.data == {"field": "phone", "old": "0812345678"}
    with counter.db.session() as s:
        row = s.scalar(select(Event).where(Event.id == created.id))
        assert row is not None and "form" not in row.data and row.sealed is not None
        outbox = s.scalar(select(OutboxItem).where(OutboxItem.event_id == created.id))
        assert outbox is not None and "form" not in outbox.payload["data"] and outbox.sealed is not None
    counter.close()
    assert files_holding(tmp_path) == []


def test_the_push_sends_what_is_sealed(tmp_path: Path) -> None:
    counter = Counter.open(tmp_path)
    submit(counter)
    batch = SyncStore(counter.db).next_batch(10)
    created = next(e for e in batch.events if e.kind is EventKind.CREATED)
    assert created.data["form"] == FORM
    assert created.applicant is not None
    assert (created.applicant.citizen_id, created.applicant.name_th) == (SOMCHAI.citizen_id, SOMCHAI.name_th)
    assert created.applicant.address == SOMCHAI.address and created.applicant.phone == "0812345678"
    counter.close()


def test_a_blob_moved_to_another_row_does_not_open(tmp_path: Path) -> None:
    counter = Counter.open(tmp_path)
    first = submit(counter)
    other = ApplicantInfo("1101700203450", "นางสมศรี ศรีสุข")
    second = counter.cases.submit("signboard-tax", other, {}, APPLICANT, now=NOW).number
    with counter.db.unit_of_work() as s, s.begin():
        a, b = (s.scalar(select(Case).where(Case.number == n)) for n in (first, second))
        assert a is not None and b is not None
        s.execute(
            text(
                "UPDATE applicants SET sealed = (SELECT sealed FROM applicants WHERE id = :a) WHERE id = :b"
            ),
            {"a": a.applicant_id, "b": b.applicant_id},
        )
    with pytest.raises(SealError):
        counter.cases.get(second)
    assert counter.cases.get(first).applicant_name == SOMCHAI.name_th
    counter.close()


def test_a_returning_applicant_keeps_one_key_and_the_newest_card_data(tmp_path: Path) -> None:
    counter = Counter.open(tmp_path)
    submit(counter)
    moved = ApplicantInfo(SOMCHAI.citizen_id, SOMCHAI.name_th, address="12 หมู่ที่ 2 ตำบลใหม่")
    number = counter.cases.submit("signboard-tax", moved, {}, APPLICANT, now=NOW).number
    with counter.db.session() as s:
        assert s.scalar(select(Applicant.id).where(Applicant.wrapped_key.is_not(None))) is not None
        assert len(s.scalars(select(Applicant)).all()) == 1
    assert number in {c.number for c in counter.cases.for_citizen(SOMCHAI.citizen_id)}
    batch = SyncStore(counter.db).next_batch(10)
    people = {e.applicant.address for e in batch.events if e.applicant is not None}
    assert people == {"12 หมู่ที่ 2 ตำบลใหม่"}  # read when sent: the freshest, and the phone kept
    assert {e.applicant.phone for e in batch.events if e.applicant is not None} == {"0812345678"}
    counter.close()


def test_events_can_only_have_their_sealed_part_erased(tmp_path: Path) -> None:
    counter = Counter.open(tmp_path)
    submit(counter)
    counter.close()
    con = sqlite3.connect(tmp_path / "kiosk.sqlite")
    try:
        for statement in (
            "UPDATE case_events SET data = '{}'",
            "UPDATE case_events SET reason = 'x'",
            "UPDATE case_events SET sealed = x'00' WHERE sealed IS NOT NULL",
            "DELETE FROM case_events",
        ):
            with pytest.raises(sqlite3.IntegrityError):
                con.execute(statement)
        con.execute("UPDATE case_events SET sealed = x'' WHERE sealed IS NOT NULL")
        con.execute("UPDATE case_events SET sealed = NULL WHERE kind = 'transition'")
        assert con.execute("SELECT count(*) FROM case_events WHERE length(sealed) > 0").fetchone() == (0,)
        con.commit()
    finally:
        con.close()
