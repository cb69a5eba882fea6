"""The counter's services, assembled once from a data directory: configuration, catalog, storage.

The CLI and the GUI both start here and pass these narrow objects on; there is no global registry.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import Config, load_config
from kiosk.domain.catalog import Catalog
from kiosk.domain.sla import WorkingCalendar, national_holidays
from kiosk.storage.cases import CaseStore
from kiosk.storage.crypto import require_private
from kiosk.storage.db import Database
from kiosk.storage.keys import load_or_create_key
from kiosk.storage.privacy import Retention
from kiosk.storage.queue import QueueStore

log = logging.getLogger(__name__)


def working_calendar(config: Config, today: dt.date | None = None) -> WorkingCalendar:
    today = today or dt.date.today()
    days = set(config.calendar.holidays)
    if config.calendar.national_holidays:
        # Cases opened now run at most a few months; the years around today cover every due date.
        days |= national_holidays(range(today.year - 1, today.year + 3))
    return WorkingCalendar(frozenset(days))


@dataclass
class Counter:
    data_dir: Path
    config: Config
    catalog: Catalog
    db: Database
    cases: CaseStore

    @classmethod
    def open(cls, data_dir: Path, *, migrate: bool = True) -> Counter:
        config = load_config(data_dir)
        catalog = Catalog.load(config.catalog_dir)
        for problem in catalog.problems:
            log.warning("service definition skipped: %s", problem)
        db = Database(data_dir, migrate=migrate)
        lookup_key = load_or_create_key(data_dir / "keys" / "lookup.key")
        require_private(data_dir / "keys" / "lookup.key")
        cases = CaseStore(
            db,
            catalog,
            kiosk_id=config.kiosk.id,
            calendar=working_calendar(config),
            lookup_key=lookup_key,
        )
        # The queue ticket is issued in the case's own transaction (CaseStore.submit(ticket_group=)), and
        # a counter's start and finish go into the ticket's case history (QueueStore.cases).
        queue = QueueStore(db, config, kiosk_id=config.kiosk.id)
        cases.queue, queue.cases = queue, cases
        counter = cls(data_dir, config, catalog, db, cases)
        if migrate:
            counter.purge_expired()
        return counter

    @property
    def retention(self) -> Retention:
        return Retention(
            self.db, retention_days=self.config.privacy.retention_days, kiosk_id=self.config.kiosk.id
        )

    def purge_expired(self) -> None:
        """The retention rule at start-up: a kiosk that was off past a deadline catches up at once."""
        try:
            self.retention.purge()
        except Exception:  # the counter must open; the purge is tried again after the next sync pass
            log.exception("privacy: purge at start-up failed")

    @property
    def queue(self) -> QueueStore:
        assert self.cases.queue is not None
        return self.cases.queue

    def close(self) -> None:
        self.db.close()
