"""Opening the server's database from a URL: PostgreSQL in production, a SQLite file by default.

SQLite gets the kiosk's treatment (WAL, synchronous=FULL, busy timeout, writers take the lock up
front) so the embedded demo behaves under a few concurrent requests; PostgreSQL gets a pool sized
for a server process. Migrations are Alembic's, run by `kiosk-central db upgrade` and at `serve`.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import platformdirs
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from kiosk.storage import db as storage_db
from kiosk.storage.db import current_revision

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
ENV_URL = "CENTRAL_DATABASE_URL"


def default_url() -> str:
    env = os.environ.get(ENV_URL)
    if env:
        return env
    folder = Path(
        os.environ.get("CENTRAL_DATA_DIR") or platformdirs.user_data_dir("counter-kiosk-central", False)
    )
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'central.sqlite'}"


def normalise_url(url: str) -> str:
    """`postgresql://` means psycopg 3 here (SQLAlchemy would otherwise look for psycopg2)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # Every server transaction may write: take the write lock at BEGIN rather than fail on upgrade.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        # hide_parameters: a failed statement's log line must not carry applicants' data.
        engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, hide_parameters=True)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def alembic_config(engine: Engine) -> AlembicConfig:
    return storage_db.alembic_config(engine, MIGRATIONS)


def head_revision() -> str:
    return storage_db.head_revision(MIGRATIONS)


def upgrade(engine: Engine) -> None:
    if current_revision(engine) != head_revision():
        command.upgrade(alembic_config(engine), "head")


class Database:
    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self._sessions()

    @property
    def postgres(self) -> bool:
        return is_postgres(self.engine)

    def close(self) -> None:
        self.engine.dispose()
