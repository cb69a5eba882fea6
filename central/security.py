"""Secrets: kiosk tokens and one-time codes (random, stored as SHA-256), officers' passwords (scrypt);
rate limits counted in the database.

Tokens and codes carry 160 and 60 random bits, so a fast hash is enough to make a stolen database
useless; passwords are chosen by people, so they get a slow, salted hash.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from typing import cast

from sqlalchemy import Table, case, delete, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from central.db import Database
from central.models import RateCounter

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud over the phone


def new_token() -> str:
    return secrets.token_urlsafe(20)


def new_code() -> str:
    """A one-time enrolment code like `K7QH-MX2P-9TRC`: 12 characters, 60 bits."""
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_password() -> str:
    return secrets.token_urlsafe(12)


_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(key).decode()


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, salt_b64, key_b64 = stored.split("$")
        salt, key = base64.b64decode(salt_b64), base64.b64decode(key_b64)
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return hmac.compare_digest(candidate, key)


# --- rate limits ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """At most `limit` hits per `seconds`, counted from the first hit of a window."""

    limit: int
    seconds: int

    def __str__(self) -> str:
        return f"{self.limit}/{self.seconds}"


@dataclass(frozen=True)
class Limits:
    """What the server counts, each in the database so every server process sees the same counts.

    - `kiosk`: requests per enrolled kiosk (its token);
    - `kiosk_auth`: missing, wrong or revoked kiosk tokens per client address;
    - `enrol`: failed enrolments per client address;
    - `login_ip`: officer sign-ins per client address that did not succeed;
    - `login_user`: failed sign-ins in a row per officer name, known or not: the lockout.
    """

    kiosk: Rule = Rule(1200, 60)
    kiosk_auth: Rule = Rule(60, 600)
    enrol: Rule = Rule(60, 600)
    login_ip: Rule = Rule(30, 900)
    login_user: Rule = Rule(5, 900)

    @classmethod
    def parse(cls, text: str) -> Limits:
        """`kiosk=1200/60,enrol=60/600`: names not given keep their defaults."""
        rules: dict[str, Rule] = {}
        names = {f.name for f in fields(cls)}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, _, value = part.partition("=")
            limit, _, seconds = value.partition("/")
            name = name.strip()
            try:
                rule = Rule(int(limit), int(seconds))
            except ValueError:
                rule = Rule(0, 0)
            if name not in names or rule.limit < 1 or rule.seconds < 1:
                raise ValueError(
                    f"bad rate limit {part!r}: use NAME=COUNT/SECONDS, NAME one of {sorted(names)}"
                )
            rules[name] = rule
        return replace(cls(), **rules)

    def __str__(self) -> str:
        return ",".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self))


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # whole seconds until the window closes


class RateLimiter:
    """Fixed windows counted by one upsert each, on PostgreSQL or SQLite.

    A window opens with a key's first hit and lasts `rule.seconds`; the hit that finds it closed
    opens the next. The count is atomic (`INSERT … ON CONFLICT DO UPDATE … RETURNING`), so concurrent
    requests in any number of processes never let more than `limit` through in one window. The
    price is a small write per counted request, and up to twice the limit around a window's end.
    """

    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock
        self._calls = 0

    def _no_flush_wait(self, s: Session) -> None:
        # A count lost in a crash costs nothing; waiting for the WAL flush costs each request a disk
        # sync. Other transactions keep their durability: the setting is local to this one.
        if self.db.postgres:
            s.execute(text("SET LOCAL synchronous_commit TO OFF"))

    def hit(self, *counted: tuple[str, Rule]) -> Verdict:
        """Count one hit on each key, in one transaction; refused if any key is over its limit."""
        now = int(self.clock() * 1000)
        table = cast(Table, RateCounter.__table__)
        insert = pg_insert if self.db.postgres else sqlite_insert
        allowed, retry_after = True, 0
        with self.db.session() as s, s.begin():
            self._no_flush_wait(s)
            for key, rule in counted:
                period = rule.seconds * 1000
                live = table.c.window_ms > now - period
                upsert = insert(table).values(key=key[:160], window_ms=now, hits=1)
                stmt = upsert.on_conflict_do_update(
                    index_elements=[table.c.key],
                    set_={
                        "hits": case((live, table.c.hits + 1), else_=1),
                        "window_ms": case((live, table.c.window_ms), else_=now),
                    },
                ).returning(table.c.hits, table.c.window_ms)
                hits, start = s.execute(stmt).one()
                if hits > rule.limit:
                    allowed = False
                    retry_after = max(retry_after, math.ceil((start + period - now) / 1000), 1)
            self._calls += 1
            if self._calls % 500 == 0:
                # Keys of addresses seen once would otherwise stay for ever.
                s.execute(delete(table).where(table.c.window_ms < now - 86_400_000))
        return Verdict(allowed, retry_after)

    def peek(self, key: str, rule: Rule) -> Verdict:
        """Whether `key` is over its limit now, read without counting a hit (no write)."""
        now = int(self.clock() * 1000)
        table = cast(Table, RateCounter.__table__)
        period = rule.seconds * 1000
        with self.db.session() as s:
            row = s.execute(
                select(table.c.hits, table.c.window_ms).where(
                    table.c.key == key[:160], table.c.window_ms > now - period
                )
            ).first()
        if row is None or row.hits < rule.limit:
            return Verdict(True, 0)
        return Verdict(False, max(math.ceil((row.window_ms + period - now) / 1000), 1))

    def settle(self, *, undo: Sequence[str] = (), clear: Sequence[str] = ()) -> None:
        """After a success: take back one pre-counted hit of `undo` keys, forget `clear` keys."""
        table = cast(Table, RateCounter.__table__)
        with self.db.session() as s, s.begin():
            self._no_flush_wait(s)
            for key in undo:
                s.execute(
                    update(table)
                    .where(table.c.key == key[:160], table.c.hits > 0)
                    .values(hits=table.c.hits - 1)
                )
            if clear:
                s.execute(delete(table).where(table.c.key.in_([k[:160] for k in clear])))
