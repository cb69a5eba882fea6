"""Staff accounts: sign-in with a staff code and a PIN kept as a slow hash, lockout, roles.

PINs are hashed with scrypt (n=2**14, r=8, p=1, a 16-byte salt; about 16 MiB and tens of
milliseconds per try) and stored as `scrypt$n$r$p$salt$hash` in base64, so a stolen database gives
a 4-digit PIN up only after real work per account, and the parameters can be raised later without
breaking stored hashes. An unknown code costs the same hash as a known one: the time a refusal
takes does not tell which codes exist. After `max_failures` wrong PINs in a row an account is
locked for `lockout_minutes`; the count and the lock live in the database, so restarting the kiosk
does not reset them.

Every sign-in, refusal, lockout, sign-out and account change is written to the audit log
(`kiosk.storage.audit`) in the same transaction as the change it records.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.domain.sla import BANGKOK
from kiosk.domain.workflow import Actor, CaseState, Role
from kiosk.errors import KnownError, NotFoundError
from kiosk.storage import audit
from kiosk.storage.cases import CaseStore, CaseView
from kiosk.storage.db import Database
from kiosk.storage.models import StaffAccount

log = logging.getLogger(__name__)

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
PIN_RE = re.compile(r"^[0-9]{4,12}$")
# A leading letter: a PIN typed into the code box is never taken for a code (nor written to the log).
CODE_RE = re.compile(r"^[A-Z][A-Z0-9._-]{1,31}$")

# Documented in docs/staff.md; created only in demo mode, with a warning in the log.
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str], ...] = (
    ("S001", "สมศรี (ทดลอง)", "counter", "1234"),
    ("S002", "วิชัย (ทดลอง)", "supervisor", "2345"),
    ("S003", "อรุณี (ทดลอง)", "admin", "3456"),
)


class StaffRole(StrEnum):
    COUNTER = "counter"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def can_approve(self) -> bool:
        """Supervisors and administrators approve voiding a case and read the audit log."""
        return self in (StaffRole.SUPERVISOR, StaffRole.ADMIN)

    @property
    def label_th(self) -> str:
        return {"counter": "เจ้าหน้าที่เคาน์เตอร์", "supervisor": "หัวหน้า", "admin": "ผู้ดูแลระบบ"}[self.value]


class StaffError(KnownError):
    pass


class SignInRefused(StaffError):
    """`kind`: wrong (code or PIN), locked, disabled, no_accounts."""

    def __init__(
        self, kind: str, message_th: str, message_en: str, *, locked_until: dt.datetime | None = None
    ):
        super().__init__(message_th, message_en)
        self.kind = kind
        self.locked_until = locked_until


@dataclass(frozen=True)
class StaffMember:
    """A staff account as the rest of the kiosk sees it: never the PIN hash."""

    id: str
    name: str
    role: StaffRole
    failures: int
    locked_until: dt.datetime | None
    disabled_at: dt.datetime | None
    pin_changed_at: dt.datetime
    created_at: dt.datetime

    @property
    def actor(self) -> Actor:
        # Counter staff, supervisors and administrators all act on cases as the workflow's staff.
        return Actor(Role.STAFF, self.id)

    def locked(self, now: dt.datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until


def _member(row: StaffAccount) -> StaffMember:
    return StaffMember(
        row.id,
        row.name,
        StaffRole(row.role),
        row.failures,
        row.locked_until,
        row.disabled_at,
        row.pin_changed_at,
        row.created_at,
    )


# --- PIN hashes -------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def check_pin_format(pin: str) -> None:
    if not PIN_RE.match(pin):
        raise StaffError("PIN ต้องเป็นตัวเลข 4 ถึง 12 หลัก", "A PIN is 4 to 12 digits")


def hash_pin(
    pin: str, *, salt: bytes | None = None, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P
) -> str:
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    digest = hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=HASH_BYTES, maxmem=64 * 2**20
    )
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def pin_matches(pin: str, stored: str) -> bool:
    """Recompute with the stored parameters and compare in constant time; a malformed hash never matches."""
    try:
        scheme, n_s, r_s, p_s, salt_s, digest_s = stored.split("$")
        n, r, p = int(n_s), int(r_s), int(p_s)
        salt, digest = base64.b64decode(salt_s, validate=True), base64.b64decode(digest_s, validate=True)
    except ValueError:
        return False
    # Bounds, so that an edited row cannot make one sign-in take minutes or all the memory.
    if scheme != "scrypt" or not (2**10 <= n <= 2**20 and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 4):
        return False
    computed = hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=len(digest) or HASH_BYTES, maxmem=256 * 2**20
    )
    return hmac.compare_digest(computed, digest)


@functools.cache
def _decoy_hash() -> str:
    """What an unknown code is checked against, so that it costs one hash like a known code."""
    return hash_pin(secrets.token_hex(8))


def normalise_code(code: str) -> str:
    return code.strip().upper()


# --- accounts ---------------------------------------------------------------------------------


class StaffAccounts:
    """The kiosk's staff accounts. Every method opens its own short unit of work."""

    def __init__(
        self,
        db: Database,
        *,
        kiosk_id: str,
        max_failures: int = 5,
        lockout_minutes: int = 15,
    ) -> None:
        self.db = db
        self.kiosk_id = kiosk_id
        self.max_failures = max_failures
        self.lockout = dt.timedelta(minutes=lockout_minutes)
        # Staff actions on cases, written through CaseStore on this database, go to the audit log too.
        audit.watch_case_events(db, kiosk_id=kiosk_id)

    # reading

    def count(self) -> int:
        with self.db.session() as s:
            return s.scalar(select(func.count()).select_from(StaffAccount)) or 0

    def list(self) -> list[StaffMember]:
        with self.db.session() as s:
            return [_member(r) for r in s.execute(select(StaffAccount).order_by(StaffAccount.id)).scalars()]

    def get(self, code: str) -> StaffMember:
        with self.db.session() as s:
            row = s.get(StaffAccount, normalise_code(code))
            if row is None:
                raise NotFoundError(f"ไม่พบบัญชีเจ้าหน้าที่ {code}", f"No staff account {code!r}")
            return _member(row)

    # changing accounts (the CLI; `by` is who did it, "" = the administrator at the console)

    def add(
        self,
        code: str,
        name: str,
        role: str,
        pin: str,
        *,
        by: str = "",
        now: dt.datetime | None = None,
    ) -> StaffMember:
        code = normalise_code(code)
        if not CODE_RE.match(code):
            raise StaffError(
                "รหัสเจ้าหน้าที่ต้องขึ้นต้นด้วยตัวอักษร ตามด้วยตัวอักษรหรือตัวเลข 1–31 ตัว",
                "A staff code is a letter followed by 1-31 letters or digits, e.g. S001",
            )
        if not name.strip() or len(name) > 200:
            raise StaffError("กรุณาระบุชื่อเจ้าหน้าที่", "Give the staff member's name (up to 200 characters)")
        try:
            staff_role = StaffRole(role)
        except ValueError:
            raise StaffError(
                "บทบาทต้องเป็น counter, supervisor หรือ admin", "The role is counter, supervisor or admin"
            ) from None
        check_pin_format(pin)
        pin_hash = hash_pin(pin)
        now = now or dt.datetime.now(dt.UTC)
        with self.db.unit_of_work() as s, s.begin():
            if s.get(StaffAccount, code) is not None:
                raise StaffError(f"มีบัญชีเจ้าหน้าที่ {code} อยู่แล้ว", f"Staff account {code} exists already")
            row = StaffAccount(
                id=code,
                name=name.strip(),
                role=staff_role.value,
                pin_hash=pin_hash,
                failures=0,
                pin_changed_at=now,
                created_at=now,
            )
            s.add(row)
            self._audit(s, by, audit.ACCOUNT_ADDED, code, {"role": staff_role.value}, now)
            s.flush()
            return _member(row)

    def set_pin(self, code: str, pin: str, *, by: str = "", now: dt.datetime | None = None) -> StaffMember:
        check_pin_format(pin)
        pin_hash = hash_pin(pin)
        now = now or dt.datetime.now(dt.UTC)
        with self.db.unit_of_work() as s, s.begin():
            row = self._row(s, code)
            row.pin_hash, row.pin_changed_at, row.failures, row.locked_until = pin_hash, now, 0, None
            self._audit(s, by, audit.ACCOUNT_PIN_SET, row.id, {}, now)
            return _member(row)

    def disable(self, code: str, *, by: str = "", now: dt.datetime | None = None) -> StaffMember:
        now = now or dt.datetime.now(dt.UTC)
        with self.db.unit_of_work() as s, s.begin():
            row = self._row(s, code)
            row.disabled_at = row.disabled_at or now
            self._audit(s, by, audit.ACCOUNT_DISABLED, row.id, {}, now)
            return _member(row)

    def enable(self, code: str, *, by: str = "", now: dt.datetime | None = None) -> StaffMember:
        now = now or dt.datetime.now(dt.UTC)
        with self.db.unit_of_work() as s, s.begin():
            row = self._row(s, code)
            row.disabled_at = None
            self._audit(s, by, audit.ACCOUNT_ENABLED, row.id, {}, now)
            return _member(row)

    def unlock(self, code: str, *, by: str = "", now: dt.datetime | None = None) -> StaffMember:
        """End a lockout before its time (an administrator who knows who was typing)."""
        now = now or dt.datetime.now(dt.UTC)
        with self.db.unit_of_work() as s, s.begin():
            row = self._row(s, code)
            row.failures, row.locked_until = 0, None
            self._audit(s, by, audit.ACCOUNT_UNLOCKED, row.id, {}, now)
            return _member(row)

    def seed_demo(self, *, now: dt.datetime | None = None) -> bool:
        """Demo mode: create the documented demo accounts when there are none. True if created."""
        if self.count():
            return False
        for code, name, role, pin in DEMO_ACCOUNTS:
            self.add(code, name, role, pin, by="demo", now=now)
        log.warning(
            "demo staff accounts created: %s (codes and PINs in docs/staff.md); never use them in an office",
            ", ".join(f"{code} {role}" for code, _, role, _ in DEMO_ACCOUNTS),
        )
        return True

    # signing in

    def sign_in(
        self,
        code: str,
        pin: str,
        *,
        purpose: str = "sign_in",
        target: str = "",
        now: dt.datetime | None = None,
    ) -> StaffMember:
        """Check a code and PIN; count a wrong PIN and lock after `max_failures`. Raises SignInRefused.

        `purpose` is recorded with the entry ("sign_in", "exit" to leave the kiosk, ...); "approval" (a
        supervisor approving on someone else's screen) leaves the success entry to the action it approves.
        """
        now = now or dt.datetime.now(dt.UTC)
        code = normalise_code(code)
        with self.db.session() as s:
            row = s.get(StaffAccount, code) if CODE_RE.match(code) else None
            stored = row.pin_hash if row is not None else _decoy_hash()
            any_accounts = row is not None or bool(s.scalar(select(func.count()).select_from(StaffAccount)))
        # The hash runs before any refusal, outside the write lock, for every code: known or not,
        # locked or not, the answer takes the same time.
        ok = pin_matches(pin, stored) and row is not None
        shown = code if CODE_RE.match(code) else ""
        detail: dict[str, str | int] = {"purpose": purpose}
        if target:
            detail["for"] = target
        if not any_accounts:
            raise SignInRefused(
                "no_accounts",
                "ยังไม่มีบัญชีเจ้าหน้าที่ ผู้ดูแลระบบต้องสร้างบัญชีด้วยคำสั่ง kiosk staff add",
                "There are no staff accounts yet: an administrator creates them with `kiosk staff add`.",
            )
        refusal: SignInRefused | None = None
        member: StaffMember | None = None
        with self.db.unit_of_work() as s, s.begin():
            fresh = s.get(StaffAccount, code) if row is not None else None
            if fresh is None:
                self._audit(s, "", audit.SIGN_IN_FAILED, shown, {**detail, "why": "unknown_code"}, now)
                refusal = _wrong()
            elif fresh.disabled_at is not None:
                self._audit(s, fresh.id, audit.SIGN_IN_FAILED, fresh.id, {**detail, "why": "disabled"}, now)
                refusal = SignInRefused("disabled", "บัญชีเจ้าหน้าที่นี้ถูกระงับ", "This staff account is disabled.")
            elif fresh.locked_until is not None and now < fresh.locked_until:
                self._audit(s, fresh.id, audit.SIGN_IN_FAILED, fresh.id, {**detail, "why": "locked"}, now)
                refusal = _locked(fresh.locked_until)
            elif not ok:
                fresh.failures += 1
                self._audit(
                    s,
                    fresh.id,
                    audit.SIGN_IN_FAILED,
                    fresh.id,
                    {**detail, "why": "wrong_pin", "failures": fresh.failures},
                    now,
                )
                log.info("wrong PIN for a staff account (%d of %d)", fresh.failures, self.max_failures)
                refusal = _wrong()
                if fresh.failures >= self.max_failures:
                    fresh.failures, fresh.locked_until = 0, now + self.lockout
                    minutes = int(self.lockout.total_seconds() // 60)
                    self._audit(s, fresh.id, audit.LOCKED_OUT, fresh.id, {"minutes": minutes}, now)
                    log.warning("a staff account is locked for %d minutes after wrong PINs", minutes)
                    refusal = _locked(fresh.locked_until)
            else:
                fresh.failures, fresh.locked_until = 0, None
                if purpose != "approval":
                    self._audit(
                        s, fresh.id, audit.SIGN_IN, target, {} if purpose == "sign_in" else detail, now
                    )
                member = _member(fresh)
        # Raised after the commit: the failure count and the lock are stored with the refusal.
        if refusal is not None:
            raise refusal
        assert member is not None
        return member

    def sign_out(self, member: StaffMember, *, how: str, now: dt.datetime | None = None) -> None:
        """`how`: manual (Lock), auto (no staff activity), visit_end (the visit closed the staff bar)."""
        audit.record(
            self.db,
            staff_id=member.id,
            role=member.role.value,
            action=audit.SIGN_OUT,
            detail={"how": how},
            kiosk_id=self.kiosk_id,
            now=now,
        )

    def record(
        self,
        member: StaffMember,
        action: str,
        *,
        target: str = "",
        detail: dict[str, str | int] | None = None,
    ) -> None:
        """An action that changes nothing else (a supervisor opened the audit log)."""
        audit.record(
            self.db,
            staff_id=member.id,
            role=member.role.value,
            action=action,
            target=target,
            detail=detail,
            kiosk_id=self.kiosk_id,
        )

    # internals

    def _row(self, s: Session, code: str) -> StaffAccount:
        row = s.get(StaffAccount, normalise_code(code))
        if row is None:
            raise NotFoundError(f"ไม่พบบัญชีเจ้าหน้าที่ {code}", f"No staff account {code!r}")
        return row

    def _audit(
        self,
        s: Session,
        staff_id: str,
        action: str,
        target: str,
        detail: dict[str, str | int],
        now: dt.datetime,
    ) -> None:
        role = ""
        if staff_id:
            found = s.get(StaffAccount, staff_id)
            role = found.role if found is not None else ""
        audit.append(
            s,
            staff_id=staff_id,
            role=role,
            action=action,
            target=target,
            detail=detail,
            kiosk_id=self.kiosk_id,
            now=now,
        )


def _wrong() -> SignInRefused:
    return SignInRefused(
        "wrong",
        "รหัสเจ้าหน้าที่หรือ PIN ไม่ถูกต้อง กรุณาลองอีกครั้ง",
        "Wrong staff code or PIN. Please try again.",
    )


def _locked(until: dt.datetime) -> SignInRefused:
    local = until.astimezone(BANGKOK).strftime("%H:%M")
    return SignInRefused(
        "locked",
        f"ใส่ PIN ผิดหลายครั้ง บัญชีนี้ถูกล็อกถึงเวลา {local} น.",
        f"Too many wrong PINs: this account is locked until {local}.",
        locked_until=until,
    )


# --- voiding a case -----------------------------------------------------------------------------

VOIDABLE = frozenset({CaseState.SUBMITTED, CaseState.NEEDS_FIX, CaseState.RESUBMITTED})


def void_case(
    cases: CaseStore,
    accounts: StaffAccounts,
    number: str,
    *,
    requester: StaffMember,
    approver_code: str,
    approver_pin: str,
    reason: str,
    now: dt.datetime | None = None,
) -> CaseView:
    """Withdraw a case at the counter: the signed-in staff asks, a supervisor or administrator (another
    person) approves with their own code and PIN on the same screen. Both ids go into the case's
    transition event and, through it, into the audit log in the same transaction."""
    if not reason.strip():
        raise StaffError("กรุณาระบุเหตุผลในการยกเลิกคำขอ", "Voiding a case needs a reason")
    now = now or dt.datetime.now(dt.UTC)
    approver = accounts.sign_in(approver_code, approver_pin, purpose="approval", target=number, now=now)
    why = ""
    if approver.id == requester.id:
        why = "same_person"
        refusal = StaffError(
            "ผู้อนุมัติต้องเป็นหัวหน้าอีกคนหนึ่ง ไม่ใช่ผู้ขอยกเลิก",
            "The approver must be another person, a supervisor or an administrator",
        )
    elif not approver.role.can_approve:
        why = "not_a_supervisor"
        refusal = StaffError(
            "การยกเลิกคำขอต้องได้รับอนุมัติจากหัวหน้าหรือผู้ดูแลระบบ",
            "Voiding a case needs the approval of a supervisor or an administrator",
        )
    if why:
        with accounts.db.unit_of_work() as s, s.begin():
            audit.append(
                s,
                staff_id=approver.id,
                role=approver.role.value,
                action=audit.APPROVAL_FAILED,
                target=number,
                detail={"for": "void", "requested_by": requester.id, "why": why},
                kiosk_id=accounts.kiosk_id,
                now=now,
            )
        raise refusal
    return cases.transition(
        number,
        CaseState.WITHDRAWN,
        requester.actor,
        reason=reason,
        now=now,
        data={
            "void": True,
            "requested_by": requester.id,
            "approved_by": approver.id,
            "approver_role": approver.role.value,
        },
    )
