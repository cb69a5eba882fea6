"""What is personal in the kiosk's database, how it is sealed, and how long it stays (docs/privacy.md).

Sealing: `Vault` seals and opens one unit of work's personal data under each applicant's data key
(kiosk.storage.crypto): the applicant's fields, their cases' forms, and the personal parts of events
and outbox rows (`split_personal`). Events are append-only, so their part is sealed when written.

Retention: an applicant's personal data goes once the central server has confirmed every one of
their cases, nothing of theirs waits in the outbox, and the newest confirmation is older than
`privacy.retention_days` (0 = at once). `Retention.purge` deletes the wrapped data key and every
sealed blob, clears the keyed hash of the citizen ID, sets `purged_at`, and appends one audit entry,
in the same transaction (50 applicants per transaction). Cases, events and outbox rows stay for the
counter's history; their personal parts are gone. Then the write-ahead log is checkpointed; a
checkpoint a reader blocks is owed and retried (`Database.checkpoint`). It runs at start-up, after
every successful sync pass and with `kiosk privacy purge`.
"""

from __future__ import annotations

import datetime as dt
import glob
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kiosk.storage import audit
from kiosk.storage.crypto import (
    MasterKey,
    SealError,
    applicant_aad,
    event_aad,
    form_aad,
    open_sealed,
    seal,
)
from kiosk.storage.db import Database
from kiosk.storage.models import Applicant, Case, Event, OutboxItem

log = logging.getLogger(__name__)

# The applicant's fields sealed together in `Applicant.sealed`.
APPLICANT_FIELDS = ("citizen_id", "name_th", "name_en", "birth_date", "address", "phone")
# Keys of event data that hold personal data whatever the event: the `created` snapshot's form, and
# the applicant as the server may send it back.
PERSONAL_EVENT_KEYS = frozenset({"form", "applicant"})
# In a `field_edited` event everything but the field's name is personal (old and new values).
FIELD_EDITED = "field_edited"
# Set in an event's data when its personal part was removed under the retention rule.
REMOVED_KEY = "personal_data_removed"

REMOVED_TH = "ลบข้อมูลส่วนบุคคลแล้วตามระยะเวลาการเก็บรักษา"
REMOVED_EN = "Personal data removed under the retention rule"

PURGE_ACTION = "privacy.purged"
PURGE_CHUNK = 50  # applicants per transaction
PRINTED_DIR = "printed"  # DATA_DIR/printed: documents written as PDF files when no printer is set
# What an event's sealed part becomes at purge: nothing, but not NULL (which means "never had one").
ERASED = b""


def split_personal(kind: str, data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """An event's data as (what stays in clear, what is sealed)."""
    clear: dict[str, Any] = {}
    personal: dict[str, Any] = {}
    for key, value in data.items():
        if key in PERSONAL_EVENT_KEYS or (kind == FIELD_EDITED and key != "field"):
            personal[key] = value
        else:
            clear[key] = value
    return clear, personal


class Vault:
    """Seals and opens personal data for one unit of work; unwrapped data keys live only as long as it.

    A purged applicant has no key: opening their data gives None (or the clear part, for events), and
    nothing new can be sealed for them (a returning person gets a new applicant row).
    """

    def __init__(self, master: MasterKey) -> None:
        self._master = master
        self._deks: dict[str, bytes | None] = {}
        # Opened applicant fields by (row id, blob): a list of cases opens each person once.
        self._people: dict[tuple[str, bytes], dict[str, str]] = {}

    @classmethod
    def of(cls, s: Session, master: MasterKey) -> Vault:
        """The session's vault, made on first use (the cache goes with the session)."""
        vault = s.info.get("vault")
        if not isinstance(vault, Vault):
            vault = s.info["vault"] = cls(master)
        return vault

    # --- keys ----------------------------------------------------------------------------------

    def new_key(self, person: Applicant) -> None:
        """Give a new applicant row (its id set) a data key."""
        dek = self._master.new_dek()
        person.wrapped_key = self._master.wrap(dek, person.id)
        self._deks[person.id] = dek

    def dek(self, applicant_id: str, wrapped: bytes | None) -> bytes | None:
        if applicant_id not in self._deks:
            self._deks[applicant_id] = None if wrapped is None else self._master.unwrap(wrapped, applicant_id)
        return self._deks[applicant_id]

    def _person_dek(self, person: Applicant) -> bytes | None:
        return self.dek(person.id, person.wrapped_key)

    # --- applicants ----------------------------------------------------------------------------

    def seal_applicant(self, person: Applicant, fields: Mapping[str, str]) -> None:
        dek = self._person_dek(person)
        if dek is None:
            raise SealError("cannot seal data for a purged applicant")
        person.sealed = seal(dek, {k: fields.get(k, "") for k in APPLICANT_FIELDS}, applicant_aad(person.id))

    def applicant(self, person: Applicant) -> dict[str, str] | None:
        """The applicant's fields, or None once purged."""
        dek = self._person_dek(person)
        if dek is None or person.sealed is None:
            return None
        key = (person.id, person.sealed)
        if key not in self._people:
            opened = open_sealed(dek, person.sealed, applicant_aad(person.id))
            self._people[key] = {k: str(opened.get(k, "")) for k in APPLICANT_FIELDS}
        return dict(self._people[key])

    # --- cases, events, outbox -----------------------------------------------------------------

    def seal_form(self, case: Case, person: Applicant, form: Mapping[str, Any]) -> None:
        dek = self._person_dek(person)
        if dek is None:
            raise SealError("cannot seal data for a purged applicant")
        case.sealed_form = seal(dek, dict(form), form_aad(case.id))

    def form(self, case: Case, person: Applicant) -> dict[str, Any] | None:
        dek = self._person_dek(person)
        if dek is None or case.sealed_form is None:
            return None
        opened = open_sealed(dek, case.sealed_form, form_aad(case.id))
        return dict(opened)

    def seal_part(self, person: Applicant, personal: Mapping[str, Any], aad: bytes) -> bytes | None:
        """The personal part of an event or outbox row, sealed; None when there is none to keep
        (nothing personal, or an applicant already purged: the part is dropped, never kept in clear)."""
        if not personal:
            return None
        dek = self._person_dek(person)
        return None if dek is None else seal(dek, dict(personal), aad)

    def event_data(self, event: Event, person: Applicant) -> dict[str, Any]:
        return self.merge(event.data, event.sealed, person.id, person.wrapped_key, event_aad(event.id))

    def merge(
        self,
        clear: Mapping[str, Any],
        sealed: bytes | None,
        applicant_id: str,
        wrapped: bytes | None,
        aad: bytes,
    ) -> dict[str, Any]:
        """Clear and sealed parts together again; the clear part and a removal mark once purged."""
        data = dict(clear)
        if sealed is None:
            return data
        dek = self.dek(applicant_id, wrapped) if sealed != ERASED else None
        if dek is None:
            data[REMOVED_KEY] = True
            return data
        data.update(open_sealed(dek, sealed, aad))
        return data


# --- retention ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    applicant_id: str
    case_numbers: tuple[str, ...]
    confirmed_at: dt.datetime  # the newest confirmation among their cases


@dataclass(frozen=True)
class PurgeReport:
    applicants: int
    case_numbers: tuple[str, ...]
    dry_run: bool = False


@dataclass(frozen=True)
class PrivacyStatus:
    retention_days: int
    held: int  # applicants whose personal data is on this kiosk
    waiting_for_server: int  # of those, with a case the server has not confirmed (or events queued)
    due: int  # of those, due for removal now
    next_due_at: dt.datetime | None  # when the next one not yet due will be
    purged: int  # applicants removed so far


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Retention:
    """The retention rule on one database. Every method is one short transaction."""

    def __init__(self, db: Database, *, retention_days: int, kiosk_id: str) -> None:
        if retention_days < 0:
            raise ValueError("retention_days must be 0 or more")
        self.db = db
        self.retention_days = retention_days
        self.kiosk_id = kiosk_id

    def _candidates(self, s: Session) -> list[tuple[str, dt.datetime | None, bool]]:
        """(applicant id, newest confirmation or None, every case confirmed and nothing queued).

        Only applicants not yet purged are read (the partial index `ix_applicants_held`), each
        through the cases' index on `applicant_id`, so the check after every sync pass stays cheap
        however many were purged before; waiting outbox rows are found once through their index.
        """
        queued = set(
            s.scalars(
                select(Case.applicant_id)
                .join(OutboxItem, OutboxItem.case_id == Case.id)
                .where(OutboxItem.sent_at.is_(None), OutboxItem.refused_at.is_(None))
                .distinct()
            )
        )
        rows = s.execute(
            select(
                Applicant.id,
                func.count(Case.id),
                func.count(Case.server_confirmed_at),
                func.max(Case.server_confirmed_at),
            )
            .join(Case, Case.applicant_id == Applicant.id)
            .where(Applicant.purged_at.is_(None))
            .group_by(Applicant.id)
        ).all()
        return [
            (str(a), _aware(newest), cases == confirmed and a not in queued)
            for a, cases, confirmed, newest in rows
        ]

    def due(self, now: dt.datetime | None = None) -> list[Due]:
        """Applicants whose personal data is due for removal at `now`, oldest confirmation first."""
        now = now or _utcnow()
        cutoff = now - dt.timedelta(days=self.retention_days)
        with self.db.session() as s:
            ready = [
                (a, newest)
                for a, newest, ok in self._candidates(s)
                if ok and newest is not None and newest <= cutoff
            ]
            numbers = self._numbers(s, [a for a, _ in ready])
        return sorted(
            (Due(a, numbers.get(a, ()), newest) for a, newest in ready), key=lambda d: d.confirmed_at
        )

    @staticmethod
    def _numbers(s: Session, applicant_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        ids = list(applicant_ids)
        found: dict[str, list[str]] = {}
        for start in range(0, len(ids), 500):
            for applicant_id, number in s.execute(
                select(Case.applicant_id, Case.number)
                .where(Case.applicant_id.in_(ids[start : start + 500]))
                .order_by(Case.number)
            ):
                found.setdefault(applicant_id, []).append(number)
        return {a: tuple(n) for a, n in found.items()}

    def purge(self, now: dt.datetime | None = None, *, dry_run: bool = False) -> PurgeReport:
        """Remove the personal data of every applicant due at `now`; report who (by case number)."""
        now = now or _utcnow()
        if not dry_run and self.db.checkpoint_owed:
            # An earlier purge's checkpoint was blocked by a reader: the erased keys' old pages may
            # still be on disk. This runs after every sync pass and at start-up, due or not.
            self.db.checkpoint("an earlier purge (owed)")
        due = self.due(now)
        if dry_run or not due:
            return PurgeReport(len(due), tuple(n for d in due for n in d.case_numbers), dry_run)
        cutoff = now - dt.timedelta(days=self.retention_days)
        removed: list[Due] = []
        # In short transactions, so the counter's own writes never wait long behind a backlog.
        for start in range(0, len(due), PURGE_CHUNK):
            with self.db.unit_of_work() as s, s.begin():
                # Checked again under the write lock: a case written since `due` was read keeps its
                # applicant until that case is confirmed too.
                still = {
                    a
                    for a, newest, ok in self._candidates(s)
                    if ok and newest is not None and newest <= cutoff
                }
                batch = [d for d in due[start : start + PURGE_CHUNK] if d.applicant_id in still]
                if batch:
                    self._erase(s, batch, now)
                    removed.extend(batch)
        if removed:
            self.db.checkpoint("the purge")
            _remove_printed(self.db.path.parent / PRINTED_DIR, [n for d in removed for n in d.case_numbers])
            log.info(
                "privacy: personal data of %d applicant(s) removed (%d case(s)) under the %d-day retention rule",
                len(removed),
                sum(len(d.case_numbers) for d in removed),
                self.retention_days,
            )
        return PurgeReport(len(removed), tuple(n for d in removed for n in d.case_numbers))

    def _erase(self, s: Session, batch: list[Due], now: dt.datetime) -> None:
        """Set-based, a few statements per batch: the whole purge is mostly SQL, not Python."""
        people = [d.applicant_id for d in batch]
        cases = select(Case.id).where(Case.applicant_id.in_(people)).scalar_subquery()
        core = s.connection()  # plain UPDATEs: no ORM objects to keep in step
        core.execute(
            update(Applicant)
            .where(Applicant.id.in_(people))
            .values(wrapped_key=None, sealed=None, citizen_ref="", purged_at=now)
        )
        core.execute(update(Case).where(Case.applicant_id.in_(people)).values(sealed_form=None))
        # The events' triggers allow this one change: erasing the sealed part (migration 0005). The
        # empty blob left behind says the event had a personal part, removed under the rule.
        core.execute(
            update(Event).where(Event.case_id.in_(cases), Event.sealed.is_not(None)).values(sealed=ERASED)
        )
        # Rows the server has lost their sealed part when it answered: only waiting ones can hold one
        # (and `sent_at IS NULL` is what the outbox's index serves).
        core.execute(
            update(OutboxItem)
            .where(
                OutboxItem.sent_at.is_(None), OutboxItem.case_id.in_(cases), OutboxItem.sealed.is_not(None)
            )
            .values(sealed=None)
        )
        for item in batch:
            audit.append(
                s,
                staff_id="",
                role="system",
                action=PURGE_ACTION,
                target=item.applicant_id,
                detail={
                    "cases": list(item.case_numbers),
                    "confirmed_at": item.confirmed_at.isoformat(timespec="seconds"),
                    "retention_days": self.retention_days,
                },
                kiosk_id=self.kiosk_id,
                now=now,
            )

    def status(self, now: dt.datetime | None = None) -> PrivacyStatus:
        now = now or _utcnow()
        cutoff = now - dt.timedelta(days=self.retention_days)
        with self.db.session() as s:
            candidates = self._candidates(s)
            purged = s.scalar(
                select(func.count()).select_from(Applicant).where(Applicant.purged_at.is_not(None))
            )
        waiting = [a for a, newest, ok in candidates if not ok or newest is None]
        due = [a for a, newest, ok in candidates if ok and newest is not None and newest <= cutoff]
        later = [
            newest + dt.timedelta(days=self.retention_days)
            for _, newest, ok in candidates
            if ok and newest is not None and newest > cutoff
        ]
        return PrivacyStatus(
            self.retention_days,
            len(candidates),
            len(waiting),
            len(due),
            min(later) if later else None,
            purged or 0,
        )


def _aware(value: Any) -> dt.datetime | None:
    """`max()` over a UTC column comes back as the stored naive text or datetime in SQLite."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    assert isinstance(value, dt.datetime)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _remove_printed(folder: Path, case_numbers: Iterable[str]) -> None:
    """Documents "printed" to PDF files (no printer configured: the demo, a kiosk without a queue)
    carry the applicant's name and address: they go with the rest of the purged data."""
    removed = 0
    for number in case_numbers:
        for path in folder.glob(f"{glob.escape(number)}-*.pdf"):
            try:
                path.unlink()
                removed += 1
            except OSError as exc:
                log.warning("privacy: could not remove a printed file of %s: %s", number, exc.strerror)
    if removed:
        log.info("privacy: %d printed PDF file(s) of purged cases removed", removed)


def purge_expired(db: Database, *, now: dt.datetime | None = None) -> PurgeReport | None:
    """The purge after a sync pass, which has only the database: the rule comes from the data
    directory's configuration. Never raises: a failed purge is logged and tried again next time."""
    from kiosk.config import load_config

    try:
        config = load_config(db.path.parent)
        return Retention(db, retention_days=config.privacy.retention_days, kiosk_id=config.kiosk.id).purge(
            now
        )
    except Exception:
        log.exception("privacy: purge after the sync pass failed; it runs again after the next one")
        return None
