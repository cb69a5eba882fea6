"""`kiosk staff add|list|pin|disable|enable|unlock` and `kiosk audit show|verify`.

`add_commands(sub)` plugs these into `kiosk.cli`. A PIN is never an argument (it would stay in the
shell's history and show in the process list): it is asked for twice on a terminal, or read as the
first line of standard input when a script pipes it in. Every change is written to the audit log
with the console user as its author. Exit codes: 0 done; 1 refused; 9 the audit chain is broken.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from kiosk.config import load_config
from kiosk.domain.sla import BANGKOK
from kiosk.domain.thai import format_datetime
from kiosk.errors import KnownError
from kiosk.storage import audit
from kiosk.storage.db import Database
from kiosk.storage.staff import StaffAccounts, StaffError, StaffMember, StaffRole, check_pin_format

Handler = Callable[[argparse.Namespace], int]

CHAIN_BROKEN = 9


class ChainBroken(KnownError):
    exit_code = CHAIN_BROKEN


def _open(args: argparse.Namespace) -> tuple[Database, StaffAccounts]:
    config = load_config(args.data_dir)
    db = Database(args.data_dir)
    accounts = StaffAccounts(
        db,
        kiosk_id=config.kiosk.id,
        max_failures=config.staff.max_failures,
        lockout_minutes=config.staff.lockout_minutes,
    )
    return db, accounts


def _console() -> str:
    """Who changed an account from the command line: the operating-system user at the console."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "?"
    return f"console:{user}"[:32]


def _read_pin(prompt: str = "PIN ใหม่ / new PIN (4-12 digits): ") -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        check_pin_format(first)
        if getpass.getpass("อีกครั้ง / again: ") != first:
            raise StaffError("PIN ทั้งสองครั้งไม่ตรงกัน", "The two PINs differ")
        return first
    pin = sys.stdin.readline().strip()
    check_pin_format(pin)
    return pin


def _local(moment: dt.datetime | None) -> str:
    return format_datetime(moment.astimezone(BANGKOK)) if moment else "-"


def _state(member: StaffMember, now: dt.datetime) -> str:
    if member.disabled_at is not None:
        return "disabled"
    if member.locked(now):
        return f"locked until {_local(member.locked_until)}"
    return "active"


def _print_member(member: StaffMember) -> None:
    print(f"{member.id}  {member.role.value}  {member.name}  ({_state(member, dt.datetime.now(dt.UTC))})")


def _with_accounts(action: Callable[[StaffAccounts, argparse.Namespace], int]) -> Handler:
    def handler(args: argparse.Namespace) -> int:
        db, accounts = _open(args)
        try:
            return action(accounts, args)
        finally:
            db.close()

    return handler


def cmd_add(accounts: StaffAccounts, args: argparse.Namespace) -> int:
    pin = _read_pin()
    member = accounts.add(args.code, args.name, args.role, pin, by=_console())
    _print_member(member)
    return 0


def cmd_list(accounts: StaffAccounts, args: argparse.Namespace) -> int:
    now = dt.datetime.now(dt.UTC)
    members = accounts.list()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "code": m.id,
                        "name": m.name,
                        "role": m.role.value,
                        "state": _state(m, now),
                        "failures": m.failures,
                        "pin_changed_at": m.pin_changed_at.isoformat(),
                    }
                    for m in members
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    if not members:
        print("ยังไม่มีบัญชีเจ้าหน้าที่ / no staff accounts: kiosk staff add CODE --name NAME --role ROLE")
        return 0
    for m in members:
        print(f"{m.id:<8} {m.role.value:<11} {_state(m, now):<32} PIN {_local(m.pin_changed_at)}  {m.name}")
    return 0


def cmd_pin(accounts: StaffAccounts, args: argparse.Namespace) -> int:
    accounts.get(args.code)  # say "no such account" before asking for a PIN
    _print_member(accounts.set_pin(args.code, _read_pin(), by=_console()))
    return 0


def cmd_disable(accounts: StaffAccounts, args: argparse.Namespace) -> int:
    _print_member(accounts.disable(args.code, by=_console()))
    return 0


def cmd_enable(accounts: StaffAccounts, args: argparse.Namespace) -> int:
    _print_member(accounts.enable(args.code, by=_console()))
    return 0


def cmd_unlock(accounts: StaffAccounts, args: argparse.Namespace) -> int:
    _print_member(accounts.unlock(args.code, by=_console()))
    return 0


# --- the audit log --------------------------------------------------------------------------------


def _entry_json(e: audit.AuditRecord) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "at": e.at.isoformat(),
        "staff_id": e.staff_id,
        "role": e.role,
        "action": e.action,
        "target": e.target,
        "detail": e.detail,
        "kiosk_id": e.kiosk_id,
        "hash": e.hash,
    }


def cmd_audit_show(args: argparse.Namespace) -> int:
    db = Database(args.data_dir)
    try:
        entries = list(reversed(audit.recent(db, limit=args.limit)))
        verdict = audit.check(db)
    finally:
        db.close()
    if args.json:
        print(
            json.dumps(
                {
                    "entries": [_entry_json(e) for e in entries],
                    "intact": verdict.intact,
                    "broken_at": verdict.broken_at,
                    "head": verdict.head,
                    "count": verdict.entries,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for e in entries:
            detail = json.dumps(e.detail, ensure_ascii=False, sort_keys=True) if e.detail else ""
            who = f"{e.staff_id}/{e.role}" if e.role else e.staff_id or "-"
            print(f"{e.seq:>6}  {_local(e.at)}  {who:<20} {e.action:<26} {e.target:<16} {detail}")
        _say_verdict(verdict)
    return 0 if verdict.intact else CHAIN_BROKEN


def _say_verdict(verdict: audit.Verdict) -> None:
    if verdict.intact:
        print(f"\nห่วงโซ่ครบถ้วน / chain intact: {verdict.entries} entries; head {verdict.head}")
    else:
        print(
            f"\nบันทึกถูกแก้ไข ห่วงโซ่ขาดที่รายการ {verdict.broken_at} / "
            f"TAMPERED: the chain breaks at entry {verdict.broken_at}",
            file=sys.stderr,
        )


def cmd_audit_verify(args: argparse.Namespace) -> int:
    db = Database(args.data_dir)
    try:
        started = time.perf_counter()
        verdict = audit.check(db)
        took = (time.perf_counter() - started) * 1000
    finally:
        db.close()
    if verdict.intact:
        print(
            f"ห่วงโซ่ครบถ้วน / chain intact: {verdict.entries} entries checked in {took:.0f} ms\n"
            f"head {verdict.head}  (note it down or send it away: cutting entries off the end "
            f"is caught only by comparing heads)"
        )
        return 0
    raise ChainBroken(
        f"บันทึกการปฏิบัติงานถูกแก้ไข ห่วงโซ่ขาดที่รายการ {verdict.broken_at}",
        f"The audit log was tampered with: the chain breaks at entry {verdict.broken_at}",
    )


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    staff = sub.add_parser(
        "staff",
        help="staff accounts (sign-in codes, roles, PINs)",
        description="Staff accounts. PINs are asked for on the terminal or read from standard input.",
    )
    ssub = staff.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = ssub.add_parser("add", help="create an account; asks for the PIN")
    add.add_argument("code", help="sign-in code: a letter or digit then 1-31 more, e.g. S004")
    add.add_argument("--name", required=True, help="the staff member's name")
    add.add_argument("--role", required=True, choices=[r.value for r in StaffRole], help="what they may do")
    add.set_defaults(func=_with_accounts(cmd_add))
    lst = ssub.add_parser("list", help="every account with its role and state")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(func=_with_accounts(cmd_list))
    for name, handler, text in (
        ("pin", cmd_pin, "set a new PIN (asks for it); ends a lockout"),
        ("disable", cmd_disable, "refuse every sign-in of this account"),
        ("enable", cmd_enable, "allow a disabled account again"),
        ("unlock", cmd_unlock, "end a lockout before its time"),
    ):
        p = ssub.add_parser(name, help=text)
        p.add_argument("code", help="sign-in code")
        p.set_defaults(func=_with_accounts(handler))

    log = sub.add_parser(
        "audit", help="the staff audit log", description="The append-only, hash-chained staff audit log."
    )
    asub = log.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = asub.add_parser("show", help="the latest entries and the chain check")
    show.add_argument("--limit", type=int, default=50, help="entries to show (default 50)")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(func=cmd_audit_show)
    verify = asub.add_parser("verify", help=f"check the whole chain; exit {CHAIN_BROKEN} if it is broken")
    verify.set_defaults(func=cmd_audit_verify)
