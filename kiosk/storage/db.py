"""Opening the kiosk's database: durable pragmas on every connection, migrations to head.

Committed means on disk: WAL with synchronous=FULL fsyncs the log at every commit, so a case the
counter reported saved survives a power cut. Sessions are short, one per unit of work, never
shared across threads.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from kiosk.errors import KnownError

log = logging.getLogger(__name__)

DB_FILE = "kiosk.sqlite"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class StorageError(KnownError):
    pass


def _pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # The driver's own implicit BEGIN is switched off so that `_begin` decides: a unit of work
    # that will write takes the write lock up front (BEGIN IMMEDIATE) instead of failing with
    # "database is locked" when it upgrades from reading to writing under a second writer.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(path: Path) -> Engine:
    # hide_parameters: a failed statement's log line must not carry applicants' personal data.
    engine = create_engine(f"sqlite:///{path}", hide_parameters=True)
    event.listen(engine, "connect", _pragmas)
    event.listen(engine, "begin", _begin)
    return engine


def alembic_config(engine: Engine, migrations: Path = MIGRATIONS) -> AlembicConfig:
    """Alembic on `engine` with no alembic.ini; the central server passes its own migrations folder."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(migrations))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision(migrations: Path = MIGRATIONS) -> str:
    script = ScriptDirectory.from_config(alembic_config(create_engine("sqlite://"), migrations))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


class Database:
    """The kiosk's database file in a data directory."""

    def __init__(self, data_dir: Path, *, migrate: bool = True) -> None:
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                "สร้างโฟลเดอร์ข้อมูลของตู้บริการไม่ได้", f"Cannot create the data directory {data_dir}: {exc}"
            ) from exc
        self.path = data_dir / DB_FILE
        self.engine = make_engine(self.path)
        if migrate and current_revision(self.engine) != head_revision():
            log.info("upgrading the database schema to %s", head_revision())
            upgrade(self.engine)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(
            self.engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False
        )

    def session(self) -> Session:
        """A session for reading."""
        return self._reader()

    def unit_of_work(self) -> Session:
        """A session that writes: use as `with db.unit_of_work() as s, s.begin(): ...`."""
        return self._writer()

    def close(self) -> None:
        self.engine.dispose()
