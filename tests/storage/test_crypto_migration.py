"""Migration 0005 seals what older kiosks kept in clear, and leaves no clear copy in the file."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect

from kiosk.counter import Counter
from kiosk.domain.workflow import CaseState, EventKind
from kiosk.storage.db import alembic_config, current_revision, upgrade
from kiosk.sync.store import SyncStore

from .test_crypto import files_holding

SAVED = Path(__file__).parent.parent / "fixtures" / "schemas"
NUMBER = "K01-2569-00001"
CLEAR = (b"1101700230708", "สมชาย".encode(), b"Somchai", "ตำบลบางแก้วฟ้า".encode(), b"0812345678")


def saved(tmp_path: Path, revision: str) -> Path:
    shutil.copy(SAVED / f"{revision}.sqlite", tmp_path / "kiosk.sqlite")
    assert files_holding(tmp_path, CLEAR[:2]), "the saved database should hold clear data to seal"
    return tmp_path


@pytest.mark.parametrize("revision", ["0001", "0002", "0004"])
def test_clear_rows_are_sealed_and_the_clear_columns_gone(tmp_path: Path, revision: str) -> None:
    counter = Counter.open(saved(tmp_path, revision))
    try:
        assert files_holding(tmp_path, CLEAR) == []  # already while open: the upgrade was checkpointed
        columns = {c["name"] for c in inspect(counter.db.engine).get_columns("applicants")}
        assert {"wrapped_key", "sealed"} <= columns and not columns & {"citizen_id", "name_th", "address"}
        case = counter.cases.get(NUMBER)
        assert case.state is CaseState.COMPLETE and case.citizen_id == "1101700230708"
        assert [e.seq for e in case.events] == [1, 2, 3]
        created = SyncStore(counter.db).next_batch(10).events[0]
        assert created.kind is EventKind.CREATED and created.applicant is not None
        assert created.applicant.name_th == "นายสมชาย ใจดี"
        if revision == "0004":  # the only saved database with a form and a phone
            assert case.form_data == {"owner_name": "นายสมชาย ใจดี"}
            assert case.events[0].data["form"] == {"owner_name": "นายสมชาย ใจดี"}
            assert created.data["form"] == {"owner_name": "นายสมชาย ใจดี"}
            assert created.applicant.phone == "0812345678"
    finally:
        counter.close()
    assert files_holding(tmp_path, CLEAR) == []
    con = sqlite3.connect(tmp_path / "kiosk.sqlite")
    try:
        triggers = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert {"case_events_no_update", "case_events_no_delete", "case_events_sealed_erase_only"} <= triggers
        with pytest.raises(sqlite3.IntegrityError):
            con.execute("UPDATE case_events SET kind = 'note'")
    finally:
        con.close()


def test_downgrade_restores_the_clear_columns_and_upgrade_seals_again(tmp_path: Path) -> None:
    counter = Counter.open(saved(tmp_path, "0004"))
    engine, keys = counter.db.engine, counter.db.keys
    command.downgrade(alembic_config(engine, data_keys=keys), "0004")
    assert current_revision(engine) == "0004"
    with engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT citizen_id, name_th, phone FROM applicants").one()
        form = conn.exec_driver_sql("SELECT form_data FROM cases").scalar_one()
    assert tuple(row) == ("1101700230708", "นายสมชาย ใจดี", "0812345678")
    assert "owner_name" in form
    upgrade(engine, data_keys=keys)
    assert counter.cases.get(NUMBER).form_data == {"owner_name": "นายสมชาย ใจดี"}
    counter.close()


def test_the_migration_refuses_to_run_without_the_master_key(tmp_path: Path) -> None:
    from kiosk.storage.db import make_engine

    engine = make_engine(saved(tmp_path, "0004") / "kiosk.sqlite")
    try:
        with pytest.raises(RuntimeError, match="master key"):
            upgrade(engine)
        assert current_revision(engine) == "0004"  # nothing half done
    finally:
        engine.dispose()
