"""Opening the kiosk's database: durable pragmas on every connection, migrations to head.

Committed means on disk: WAL with synchronous=FULL fsyncs the log at every commit, so a case the
counter reported saved survives a power cut. Sessions are short, one per unit of work, never
shared across threads.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.errors import KnownError
from kiosk.storage.crypto import MASTER_KEY_FILE, KeyFileError, MasterKey, require_private
from kiosk.storage.keys import load_or_create_key

log = logging.getLogger(__name__)

DB_FILE = "kiosk.sqlite"
# The key of the audit log's HMAC chain (kiosk.storage.audit), beside the master key.
AUDIT_KEY_FILE = Path("keys") / "audit.key"
# In the data directory while a checkpoint after a purge or an upgrade is still owed (Database.checkpoint).
CHECKPOINT_OWED = "checkpoint.owed"
BUSY_TIMEOUT_MS = 5000
# How long a checkpoint waits for readers to leave the write-ahead log before it is left owed.
CHECKPOINT_WAIT_MS = 2000
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
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # Deleted and overwritten content is zeroed, so purged personal data leaves no copy in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
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


DataKeys = MasterKey | Callable[[], MasterKey]


def alembic_config(
    engine: Engine, migrations: Path = MIGRATIONS, *, data_keys: DataKeys | None = None
) -> AlembicConfig:
    """Alembic on `engine` with no alembic.ini; the central server passes its own migrations folder.

    `data_keys` is the master key (or a loader of it) for migrations that seal personal data (0005).
    """
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(migrations))
    cfg.attributes["engine"] = engine
    if data_keys is not None:
        cfg.attributes["data_keys"] = data_keys
    return cfg


def head_revision(migrations: Path = MIGRATIONS) -> str:
    script = ScriptDirectory.from_config(alembic_config(create_engine("sqlite://"), migrations))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head", *, data_keys: DataKeys | None = None) -> None:
    command.upgrade(alembic_config(engine, data_keys=data_keys), revision)


def _holds_sealed_data(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            row = conn.exec_driver_sql(
                "SELECT 1 FROM applicants WHERE wrapped_key IS NOT NULL LIMIT 1"
            ).first()
    except OperationalError:  # no such table or column: a new or older database, nothing sealed yet
        return False
    return row is not None


def load_data_keys(data_dir: Path, engine: Engine) -> MasterKey:
    """The master key beside the database. A missing key is created only if nothing is sealed yet:
    a new key cannot open the old data, so a lost key stops the kiosk with a clear message."""
    if not (data_dir / MASTER_KEY_FILE).exists() and _holds_sealed_data(engine):
        raise KeyFileError(
            "ไม่พบกุญแจเข้ารหัสข้อมูลของตู้บริการ ข้อมูลส่วนบุคคลในฐานข้อมูลจึงเปิดไม่ได้ กรุณาแจ้งผู้ดูแลระบบ",
            f"The data key {data_dir / MASTER_KEY_FILE} is missing but the database holds sealed personal "
            "data: restore the key from the kiosk's backup (a new key cannot open the old data)",
        )
    return MasterKey.load(data_dir)


# Audit keys of the databases opened in this process, by URL: the audit log's entries are appended
# from a session's connection (and from a flush listener), which knows its engine but not the Database.
_AUDIT_KEYS: dict[str, bytes] = {}


def audit_key(engine: Engine) -> bytes:
    """The audit key of a database opened with `Database` in this process."""
    key = _AUDIT_KEYS.get(str(engine.url))
    if key is None:
        raise RuntimeError(
            "the audit key of this database is not loaded: open it with kiosk.storage.db.Database"
        )
    return key


def _holds_audit_entries(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT 1 FROM audit_log LIMIT 1").first() is not None
    except OperationalError:  # no such table: a new or older database
        return False


def load_audit_key(data_dir: Path, engine: Engine) -> bytes:
    """The audit key beside the database, created with it (0600). A key created for a log that
    already has entries cannot vouch for them: they will not verify, and the log says why."""
    path = data_dir / AUDIT_KEY_FILE
    existed = path.exists()
    try:
        key = load_or_create_key(path)
    except (OSError, ValueError) as exc:
        raise KeyFileError(
            "อ่านกุญแจของบันทึกการปฏิบัติงานไม่ได้ กรุณาแจ้งผู้ดูแลระบบ", f"Cannot read the audit key {path}: {exc}"
        ) from exc
    require_private(path)
    if not existed and _holds_audit_entries(engine):
        log.warning(
            "%s was missing and a new one was made: the audit log's earlier entries will not verify "
            "(restore the key from the kiosk's backup)",
            AUDIT_KEY_FILE,
        )
    return key


class Database:
    """The kiosk's database file in a data directory, with the master key (`keys`) and the audit
    log's key (`audit_key`) kept beside it."""

    def __init__(self, data_dir: Path, *, migrate: bool = True) -> None:
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                "สร้างโฟลเดอร์ข้อมูลของตู้บริการไม่ได้", f"Cannot create the data directory {data_dir}: {exc}"
            ) from exc
        self.path = data_dir / DB_FILE
        self.engine = make_engine(self.path)
        try:
            self.keys = load_data_keys(data_dir, self.engine)
            self.audit_key = load_audit_key(data_dir, self.engine)
        except KnownError:
            self.engine.dispose()
            raise
        _AUDIT_KEYS[str(self.engine.url)] = self.audit_key
        if migrate and current_revision(self.engine) != head_revision():
            log.info("upgrading the database schema to %s", head_revision())
            upgrade(self.engine, data_keys=self.keys)
            # Fold the upgrade into the file now: pages that held clear personal data before 0005
            # are replaced by their zeroed versions at once, not at some later checkpoint.
            self.checkpoint("the schema upgrade")
        elif self.checkpoint_owed:
            self.checkpoint("an earlier purge or upgrade (owed)")
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(
            self.engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False
        )

    @property
    def checkpoint_owed(self) -> bool:
        """A checkpoint after a purge or an upgrade could not finish: old pages may still hold
        erased data in the write-ahead log or the file until it does."""
        return (self.path.parent / CHECKPOINT_OWED).exists()

    def checkpoint(self, after: str) -> bool:
        """Fold the write-ahead log into the file and empty it (`PRAGMA wal_checkpoint(TRUNCATE)`).

        SQLite answers busy (its first column 1) instead of failing when a reader still uses the log;
        the old pages then stay on disk. That is remembered in `DATA_DIR/checkpoint.owed`, with a
        warning, and retried after the next sync pass (`Retention.purge`) and at start-up; a
        checkpoint that finishes removes the file. True when the log is folded in and empty.
        """
        owed = self.path.parent / CHECKPOINT_OWED
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
                try:
                    busy, log_frames, folded = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
                finally:
                    conn.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        except OperationalError as exc:
            busy, log_frames, folded = 1, -1, -1
            log.debug("checkpoint failed: %s", type(exc).__name__)
        if busy:
            try:
                owed.write_text(f"after {after}\n", encoding="utf-8")
            except OSError as exc:
                log.warning("cannot write %s: %s", owed, exc)
            log.warning(
                "write-ahead log not checkpointed after %s: a reader holds it (%s of %s frames folded in); "
                "checkpoint owed, retried after the next sync pass and at start-up",
                after,
                folded,
                log_frames,
            )
            return False
        if owed.exists():
            owed.unlink(missing_ok=True)
            log.info("owed write-ahead log checkpoint done (%s)", after)
        return True

    def session(self) -> Session:
        """A session for reading."""
        return self._reader()

    def unit_of_work(self) -> Session:
        """A session that writes: use as `with db.unit_of_work() as s, s.begin(): ...`."""
        return self._writer()

    def close(self) -> None:
        self.engine.dispose()
