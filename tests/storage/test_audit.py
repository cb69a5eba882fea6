"""The audit log: an append-only HMAC chain whose tampering `verify` finds, even around the triggers."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import sqlite3
import stat
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.counter import Counter
from kiosk.domain.workflow import Actor, CaseState, Role
from kiosk.storage import audit
from kiosk.storage.db import Database
from kiosk.storage.staff import StaffAccounts
from tests.storage.conftest import SOMCHAI

T0 = dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.UTC)
ENTRIES = 3000


def fill(db: Database, count: int, *, start: int = 0) -> None:
    for i in range(start, start + count):
        with db.unit_of_work() as s, s.begin():
            audit.append(
                s,
                staff_id=f"S{i % 3 + 1:03d}",
                role="counter",
                action="case.document_marked",
                target=f"K01-2569-{i:05d}",
                detail={"document": "id_card", "status": "received", "n": i},
                kiosk_id="K01",
                now=T0 + dt.timedelta(seconds=i),
            )


def raw(db: Database) -> sqlite3.Connection:
    """A plain connection, as someone with the database file and a shell would have."""
    return sqlite3.connect(db.path, isolation_level=None)


def drop_triggers(db: Database) -> None:
    with raw(db) as conn:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("DROP TRIGGER audit_log_no_delete")


def test_each_entry_hashes_the_one_before_from_a_genesis_of_zeros(counter: Counter) -> None:
    fill(counter.db, 4)
    key_file = counter.data_dir / "keys" / "audit.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # made with the database, outside it
    key = key_file.read_bytes()
    assert len(key) == 32 and key not in counter.db.path.read_bytes()
    entries = list(reversed(audit.recent(counter.db)))
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[0].prev_hash == "0" * 64
    prev = "0" * 64
    for e in entries:
        # The documented formula, computed here independently of the module.
        body = {
            "seq": e.seq,
            "at": e.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "staff_id": e.staff_id,
            "role": e.role,
            "action": e.action,
            "target": e.target,
            "detail": e.detail,
            "kiosk_id": e.kiosk_id,
        }
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        assert e.prev_hash == prev
        assert e.hash == hmac.new(key, prev.encode() + canonical, hashlib.sha256).hexdigest()
        prev = e.hash
    verdict = audit.check(counter.db)
    assert verdict == audit.Verdict(4, None, entries[-1].hash)
    assert audit.verify(counter.db) is None


def test_an_empty_log_is_intact(counter: Counter) -> None:
    assert audit.check(counter.db) == audit.Verdict(0, None, "0" * 64)


def test_the_database_refuses_to_change_or_delete_an_entry(counter: Counter) -> None:
    fill(counter.db, 2)
    for statement in (
        "UPDATE audit_log SET target = 'x' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 1",
    ):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"), raw(counter.db) as conn:
            conn.execute(statement)
    assert audit.verify(counter.db) is None


def test_verify_finds_an_entry_edited_after_the_trigger_was_dropped(counter: Counter) -> None:
    fill(counter.db, 6)
    drop_triggers(counter.db)
    with raw(counter.db) as conn:
        conn.execute(
            """UPDATE audit_log SET detail = '{"document":"id_card","status":"missing","n":3}' WHERE seq = 4"""
        )
    assert audit.verify(counter.db) == 4
    assert not audit.check(counter.db).intact


def test_verify_finds_an_edit_that_recomputed_the_entrys_own_hash(counter: Counter) -> None:
    """Rewriting one entry with a hash that fits its new contents breaks the next entry's link."""
    fill(counter.db, 5)
    drop_triggers(counter.db)
    row = next(e for e in audit.recent(counter.db) if e.seq == 3)
    forged = audit.entry_hash(
        counter.db.audit_key,
        row.prev_hash,
        audit.canonical(
            seq=3,
            at=row.at,
            staff_id="S009",
            role=row.role,
            action=row.action,
            target=row.target,
            detail=row.detail,
            kiosk_id=row.kiosk_id,
        ),
    )
    with raw(counter.db) as conn:
        conn.execute("UPDATE audit_log SET staff_id = 'S009', hash = ? WHERE seq = 3", (forged,))
    assert audit.verify(counter.db) == 4


def test_verify_finds_a_deleted_entry(counter: Counter) -> None:
    fill(counter.db, 6)
    drop_triggers(counter.db)
    with raw(counter.db) as conn:
        conn.execute("DELETE FROM audit_log WHERE seq = 3")
    assert audit.verify(counter.db) == 4


def test_verify_finds_entries_swapped(counter: Counter) -> None:
    fill(counter.db, 6)
    drop_triggers(counter.db)
    with raw(counter.db) as conn:
        conn.execute("UPDATE audit_log SET seq = -1 WHERE seq = 2")
        conn.execute("UPDATE audit_log SET seq = 2 WHERE seq = 3")
        conn.execute("UPDATE audit_log SET seq = 3 WHERE seq = -1")
    assert audit.verify(counter.db) == 2


def _rebuild(db: Database, link: Callable[[str, bytes], str]) -> None:
    """What someone with the database file and a shell can do: drop the triggers, delete an entry,
    renumber the rest and recompute every link with `link(prev_hash, canonical bytes)`."""
    drop_triggers(db)
    with raw(db) as conn:
        conn.execute("DELETE FROM audit_log WHERE seq = 3")
        conn.execute("UPDATE audit_log SET seq = -(seq - 1) WHERE seq > 3")
        conn.execute("UPDATE audit_log SET seq = -seq WHERE seq < 0")
        rows = conn.execute(
            "SELECT seq, at, staff_id, role, action, target, detail, kiosk_id FROM audit_log ORDER BY seq"
        ).fetchall()
        prev = "0" * 64
        for seq, at, staff_id, role, action, target, detail, kiosk_id in rows:
            body = {
                "seq": seq,
                "at": dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC).isoformat(timespec="microseconds"),
                "staff_id": staff_id,
                "role": role,
                "action": action,
                "target": target,
                "detail": json.loads(detail),
                "kiosk_id": kiosk_id,
            }
            canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
            digest = link(prev, canonical)
            conn.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, seq))
            prev = digest


def test_a_chain_rebuilt_without_the_key_does_not_verify(counter: Counter) -> None:
    fill(counter.db, 6)
    _rebuild(counter.db, lambda prev, body: hashlib.sha256(prev.encode() + body).hexdigest())
    assert [e.seq for e in reversed(audit.recent(counter.db))] == [1, 2, 3, 4, 5]
    assert audit.verify(counter.db) == 1
    assert not audit.check(counter.db).intact


def test_the_documented_limit_a_rebuild_with_the_key_file_verifies(counter: Counter) -> None:
    """docs/staff.md: whoever also holds keys/audit.key can rebuild a chain that fits; only a head
    hash noted elsewhere shows it."""
    fill(counter.db, 6)
    head = audit.check(counter.db).head
    key = (counter.data_dir / "keys" / "audit.key").read_bytes()
    _rebuild(counter.db, lambda prev, body: hmac.new(key, prev.encode() + body, hashlib.sha256).hexdigest())
    after = audit.check(counter.db)
    assert after.intact and after.entries == 5 and after.head != head


def test_cutting_off_the_end_changes_the_head(counter: Counter) -> None:
    """The documented limit: a shortened chain still fits; the head someone noted down differs."""
    fill(counter.db, 5)
    head = audit.check(counter.db).head
    drop_triggers(counter.db)
    with raw(counter.db) as conn:
        conn.execute("DELETE FROM audit_log WHERE seq = 5")
    after = audit.check(counter.db)
    assert after.intact and after.entries == 4 and after.head != head


def test_an_entry_commits_or_rolls_back_with_the_work_it_records(counter: Counter) -> None:
    fill(counter.db, 1)
    with pytest.raises(RuntimeError), counter.db.unit_of_work() as s, s.begin():
        audit.append(s, staff_id="S001", role="counter", action="x.y", kiosk_id="K01", now=T0)
        raise RuntimeError("the action failed")
    assert [e.seq for e in audit.recent(counter.db)] == [1]
    fill(counter.db, 1, start=1)
    assert audit.verify(counter.db) is None


@pytest.mark.parametrize(
    "detail",
    [
        {"citizen_id": "x"},
        {"name_th": "นายสมชาย"},
        {"nested": {"address": "99"}},
        {"note": "ID 1101700230708"},
        {"items": ["1101700230708"]},
        {"amount": 1.5},
    ],
)
def test_personal_data_and_floats_are_refused(counter: Counter, detail: dict[str, object]) -> None:
    with pytest.raises(audit.AuditDetailError), counter.db.unit_of_work() as s, s.begin():
        audit.append(s, staff_id="S001", role="counter", action="x", detail=detail, kiosk_id="K01", now=T0)
    assert audit.recent(counter.db) == []


def test_staff_case_actions_are_audited_in_their_own_transaction(counter: Counter) -> None:
    accounts = StaffAccounts(counter.db, kiosk_id="K01")
    accounts.add("S001", "สมศรี", "counter", "1234", now=T0)
    staff = Actor(Role.STAFF, "S001")
    case = counter.cases.submit("street-vending-license", SOMCHAI, {"area_sqm": "4"}, Actor(Role.APPLICANT))
    before = len(audit.recent(counter.db))
    assert before == 1  # the account; the applicant's own submission is no staff action
    key = counter.cases.get(case.number).documents[0].key
    counter.cases.mark_document(case.number, key, "missing", staff)
    counter.cases.record_deficiency(case.number, ["สำเนาทะเบียนบ้าน"], staff)
    counter.cases.record_action(case.number, "reprint", staff, data={"document": "deficiency"})
    counter.cases.set_priority(case.number, "elderly", staff, reason="อายุ 72 ปี ตามบัตร")
    counter.cases.transition(case.number, CaseState.RESUBMITTED, staff)
    entries = list(reversed(audit.recent(counter.db)))[before:]
    assert [(e.action, e.staff_id, e.role, e.target) for e in entries] == [
        ("case.document_marked", "S001", "counter", case.number),
        ("case.needs_fix", "S001", "counter", case.number),
        ("case.reprint", "S001", "counter", case.number),
        ("case.priority_set", "S001", "counter", case.number),
        ("case.resubmitted", "S001", "counter", case.number),
    ]
    assert entries[0].detail["document"] == key and entries[0].detail["status"] == "missing"
    assert entries[1].detail["items"] == 1  # how many, not what
    assert (entries[3].detail["from"], entries[3].detail["to"]) == ("", "elderly")
    events = {e.id for e in counter.cases.get(case.number).events}
    assert all(e.detail["event"] in events for e in entries)
    # Free-text reasons and personal data stay out of the log.
    text = json.dumps([e.detail for e in entries], ensure_ascii=False)
    for personal in (SOMCHAI.citizen_id, SOMCHAI.name_th, "อายุ 72", "ทะเบียนบ้าน"):
        assert personal not in text
    assert audit.verify(counter.db) is None


@pytest.mark.slow
def test_verify_speed(tmp_path: Path) -> None:
    db = Database(tmp_path)
    try:
        started = time.perf_counter()
        with db.unit_of_work() as s, s.begin():
            for i in range(ENTRIES):
                audit.append(
                    s,
                    staff_id="S001",
                    role="counter",
                    action="case.document_marked",
                    target=f"K01-2569-{i:05d}",
                    detail={"document": "id_card", "status": "received"},
                    kiosk_id="K01",
                    now=T0 + dt.timedelta(seconds=i),
                )
        appended = time.perf_counter() - started
        started = time.perf_counter()
        verdict = audit.check(db)
        took = time.perf_counter() - started
    finally:
        db.close()
    assert verdict.intact and verdict.entries == ENTRIES
    print(
        f"append: {appended / ENTRIES * 1000:.2f} ms per entry; "
        f"verify: {ENTRIES} entries in {took * 1000:.0f} ms ({took / ENTRIES * 1e6:.0f} µs per entry)"
    )
    assert (
        took < ENTRIES * 0.002
    )  # well under 2 ms an entry: a year's log is checked while a supervisor waits
