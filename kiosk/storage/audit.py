"""The append-only, hash-chained log of what staff (and the system) did on this kiosk.

Each entry's hash is HMAC-SHA256, under the kiosk's audit key (`DATA_DIR/keys/audit.key`, 0600,
outside the database), of the previous entry's hash and the canonical JSON of the entry, its
sequence number included; the first entry chains from 64 zeros. The database's triggers refuse
UPDATE and DELETE; someone who drops them and edits, deletes or reorders rows breaks the chain, and
`verify` names the first entry that no longer fits. Without the key nobody can compute new links:
a log rebuilt from the database alone (entries deleted, the rest renumbered and re-hashed) does not
verify. Whoever also holds the key file can rebuild a chain that does; and cutting entries off the
*end* leaves a shorter chain that still fits: the head hash, which `kiosk audit show` prints, is
what an office notes down or sends away to catch both.

`append` takes the caller's session, so the entry commits (or rolls back) with the action it
records. The detail is for case numbers, counts and reasons' codes: never a citizen ID, a name, an
address or a photo; `append` refuses the obvious ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from kiosk.domain.workflow import CaseState, EventKind, Role
from kiosk.storage.db import Database, audit_key
from kiosk.storage.models import AuditEntry, Case, Event, StaffAccount

GENESIS = "0" * 64

# Actions, written as dotted names so a supervisor can filter on a prefix.
SIGN_IN = "staff.sign_in"
SIGN_IN_FAILED = "staff.sign_in_failed"
LOCKED_OUT = "staff.locked_out"
SIGN_OUT = "staff.sign_out"
APPROVAL = "staff.approval"
APPROVAL_FAILED = "staff.approval_failed"
ACCOUNT_ADDED = "staff.account_added"
ACCOUNT_PIN_SET = "staff.account_pin_set"
ACCOUNT_DISABLED = "staff.account_disabled"
ACCOUNT_ENABLED = "staff.account_enabled"
ACCOUNT_UNLOCKED = "staff.account_unlocked"
CASE_VOIDED = "case.voided"

_FORBIDDEN_KEYS = frozenset(
    {"citizen_id", "name", "name_th", "name_en", "address", "photo", "birth_date", "phone", "pin"}
)
_CITIZEN_ID = re.compile(r"(?<!\d)\d{13}(?!\d)")


class AuditDetailError(ValueError):
    """A programming error: the detail of an audit entry would have held personal data."""


def _check_detail(value: Any, path: str = "detail") -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise AuditDetailError(f"{path}: keys must be strings")
            if key.lower() in _FORBIDDEN_KEYS:
                raise AuditDetailError(f"{path}.{key}: personal data does not go into the audit log")
            _check_detail(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check_detail(item, f"{path}[{i}]")
    elif isinstance(value, str):
        if _CITIZEN_ID.search(value):
            raise AuditDetailError(f"{path}: looks like a citizen ID")
    elif isinstance(value, bool | int) or value is None:
        pass
    else:
        # Floats and other types do not survive a JSON round trip byte for byte: the hash would drift.
        raise AuditDetailError(f"{path}: only strings, integers, booleans, lists and mappings")


def _utc(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None:
        raise ValueError("naive datetime: audit times are aware")
    return at.astimezone(dt.UTC)


def canonical(
    *,
    seq: int,
    at: dt.datetime,
    staff_id: str,
    role: str,
    action: str,
    target: str,
    detail: Mapping[str, Any],
    kiosk_id: str,
) -> bytes:
    """The bytes an entry's hash covers: sorted keys, no spaces, UTF-8."""
    body = {
        "seq": seq,
        "at": _utc(at).isoformat(timespec="microseconds"),
        "staff_id": staff_id,
        "role": role,
        "action": action,
        "target": target,
        "detail": detail,
        "kiosk_id": kiosk_id,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(key: bytes, prev_hash: str, body: bytes) -> str:
    """One link: HMAC-SHA256 under the audit key of the previous hash and the entry's bytes."""
    return hmac.new(key, prev_hash.encode("ascii") + body, hashlib.sha256).hexdigest()


def _entry_hash_of(key: bytes, row: Any, prev_hash: str) -> str:
    """`row`: an AuditEntry, an AuditRecord or a plain row with the same names."""
    return entry_hash(
        key,
        prev_hash,
        canonical(
            seq=row.seq,
            at=row.at,
            staff_id=row.staff_id,
            role=row.role,
            action=row.action,
            target=row.target,
            detail=row.detail,
            kiosk_id=row.kiosk_id,
        ),
    )


@dataclass(frozen=True)
class AuditRecord:
    """One entry, detached from any session: safe to hand to another thread."""

    seq: int
    at: dt.datetime
    staff_id: str
    role: str
    action: str
    target: str
    detail: dict[str, Any]
    kiosk_id: str
    prev_hash: str
    hash: str


def _insert(
    conn: Connection,
    *,
    staff_id: str,
    role: str,
    action: str,
    target: str,
    detail: Mapping[str, Any],
    kiosk_id: str,
    now: dt.datetime,
) -> AuditRecord:
    if not action or len(action) > 48:
        raise ValueError("action must be 1-48 characters")
    body = dict(detail)
    _check_detail(body)
    at = _utc(now)
    last = conn.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    target = target[:64]
    digest = entry_hash(
        audit_key(conn.engine),
        prev,
        canonical(
            seq=seq,
            at=at,
            staff_id=staff_id,
            role=role,
            action=action,
            target=target,
            detail=body,
            kiosk_id=kiosk_id,
        ),
    )
    record = AuditRecord(seq, at, staff_id, role, action, target, body, kiosk_id, prev, digest)
    conn.execute(
        insert(AuditEntry).values(
            seq=seq,
            at=at,
            staff_id=staff_id,
            role=role,
            action=action,
            target=target,
            detail=body,
            kiosk_id=kiosk_id,
            prev_hash=prev,
            hash=digest,
        )
    )
    return record


def append(
    session: Session,
    *,
    staff_id: str,
    role: str,
    action: str,
    target: str = "",
    detail: Mapping[str, Any] | None = None,
    kiosk_id: str,
    now: dt.datetime,
) -> AuditRecord:
    """Add one entry in the caller's unit of work (`with db.unit_of_work() as s, s.begin():`), so it
    commits or rolls back with the action it records.

    The caller's transaction must be a writing one (BEGIN IMMEDIATE, as `unit_of_work` gives) so that
    two processes cannot both chain from the same previous entry.
    """
    return _insert(
        session.connection(),
        staff_id=staff_id,
        role=role,
        action=action,
        target=target,
        detail=detail or {},
        kiosk_id=kiosk_id,
        now=now,
    )


def record(
    db: Database,
    *,
    staff_id: str,
    role: str,
    action: str,
    target: str = "",
    detail: Mapping[str, Any] | None = None,
    kiosk_id: str,
    now: dt.datetime | None = None,
) -> None:
    """Append one entry in a unit of work of its own (for events that change nothing else)."""
    with db.unit_of_work() as s, s.begin():
        append(
            s,
            staff_id=staff_id,
            role=role,
            action=action,
            target=target,
            detail=detail,
            kiosk_id=kiosk_id,
            now=now or dt.datetime.now(dt.UTC),
        )


@dataclass(frozen=True)
class Verdict:
    entries: int
    broken_at: int | None  # seq of the first entry that does not fit, None = intact
    head: str  # hash of the last entry (GENESIS when empty)

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def check(db: Database) -> Verdict:
    """Walk the whole chain in order; the first entry whose links or contents do not fit breaks it."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    key = db.audit_key
    with db.session() as s:
        # Plain rows, streamed: no ORM objects, so a long log is checked at hashing speed.
        columns = select(
            AuditEntry.seq,
            AuditEntry.at,
            AuditEntry.staff_id,
            AuditEntry.role,
            AuditEntry.action,
            AuditEntry.target,
            AuditEntry.detail,
            AuditEntry.kiosk_id,
            AuditEntry.prev_hash,
            AuditEntry.hash,
        ).order_by(AuditEntry.seq)
        for row in s.execute(columns.execution_options(yield_per=2000)):
            count += 1
            # A gap in the numbers (a deleted row) or a wrong link (a deleted, moved or rewritten row
            # before this one) or wrong contents (this row rewritten, or re-hashed without the key)
            # all break the chain here.
            if row.seq != expected_seq or row.prev_hash != prev or _entry_hash_of(key, row, prev) != row.hash:
                return Verdict(count, row.seq, prev)
            prev = row.hash
            expected_seq += 1
    return Verdict(count, None, prev)


def verify(db: Database) -> int | None:
    """The sequence number of the first broken entry, or None when the chain is intact."""
    return check(db).broken_at


def _record(row: AuditEntry) -> AuditRecord:
    return AuditRecord(
        row.seq,
        row.at,
        row.staff_id,
        row.role,
        row.action,
        row.target,
        dict(row.detail),
        row.kiosk_id,
        row.prev_hash,
        row.hash,
    )


def recent(db: Database, *, limit: int = 200, before: int | None = None) -> list[AuditRecord]:
    """The newest entries first; `before` pages back from a sequence number."""
    with db.session() as s:
        query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
        if before is not None:
            query = query.where(AuditEntry.seq < before)
        return [_record(r) for r in s.execute(query).scalars()]


# --- staff actions on cases ------------------------------------------------------------------------

# Databases (by URL) whose staff case events are audited, and the kiosk they belong to.
_WATCHED: dict[str, str] = {}
# What of a case event's data may go into the audit log: codes, keys, amounts, staff ids. Never the
# free-text reason (it may name the applicant): the entry names the event, which keeps the reason.
_EVENT_DETAIL_KEYS = (
    "action",
    "document",
    "status",
    "field",
    "from",
    "to",
    "amount_satang",
    "requested_by",
    "approved_by",
    "approver_role",
)
_ACTION_WORD = re.compile(r"[^a-z0-9_]")


def watch_case_events(db: Database, *, kiosk_id: str) -> None:
    """Audit every case event a member of staff causes on this database (document marked, deficiency,
    payment, priority, take-over, field edit, reprint, open, void), in the transaction that writes
    the event: the case store needs no change and no staff action can skip the log."""
    _WATCHED[str(db.engine.url)] = kiosk_id
    if not sa_event.contains(Event, "after_insert", _case_event_inserted):
        sa_event.listen(Event, "after_insert", _case_event_inserted)


def case_event_action(kind: str, to_state: str | None, data: Mapping[str, Any]) -> str:
    if kind == EventKind.TRANSITION.value and to_state == CaseState.WITHDRAWN.value:
        return CASE_VOIDED
    if kind == EventKind.TRANSITION.value and to_state:
        return "case." + to_state  # case.needs_fix (a deficiency recorded), case.complete, ...
    if kind == EventKind.STAFF_ACTION.value:
        return "case." + _ACTION_WORD.sub("_", str(data.get("action", "staff_action")).lower())[:40]
    return "case." + kind


def _case_event_inserted(_mapper: object, connection: Connection, target: Event) -> None:
    kiosk_id = _WATCHED.get(str(connection.engine.url))
    if kiosk_id is None or target.actor_role != Role.STAFF.value or target.kiosk_id != kiosk_id:
        return
    data = dict(target.data or {})
    detail: dict[str, Any] = {"event": target.id, "kind": target.kind}
    if target.from_state:
        detail["from_state"] = target.from_state
    if target.to_state:
        detail["to_state"] = target.to_state
    for key in _EVENT_DETAIL_KEYS:
        value = data.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            try:
                _check_detail(value)
            except AuditDetailError:
                continue
            detail[key] = value
    if isinstance(data.get("items"), list):
        detail["items"] = len(data["items"])
    number = connection.execute(select(Case.number).where(Case.id == target.case_id)).scalar() or ""
    role = connection.execute(select(StaffAccount.role).where(StaffAccount.id == target.actor_id)).scalar()
    _insert(
        connection,
        staff_id=target.actor_id,
        role=role or "",
        action=case_event_action(target.kind, target.to_state, data),
        target=number,
        detail=detail,
        kiosk_id=target.kiosk_id,
        now=target.at,
    )
