"""`kiosk privacy status | purge [--dry-run]`: the retention rule for personal data, by hand.

The kiosk applies the rule by itself at start-up and after every successful sync pass; these commands
show where it stands and apply it now (an office that wants the data gone before the next start).
They open the database without the start-up purge, so `--dry-run` shows what a purge would remove.
Output names cases by number and applicants by count, never by name or citizen ID.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from kiosk.config import load_config
from kiosk.domain.sla import BANGKOK
from kiosk.storage.db import Database
from kiosk.storage.privacy import Retention


def _retention(args: argparse.Namespace) -> tuple[Database, Retention]:
    config = load_config(args.data_dir)
    db = Database(args.data_dir)
    return db, Retention(db, retention_days=config.privacy.retention_days, kiosk_id=config.kiosk.id)


def _local(at: dt.datetime | None) -> str:
    return at.astimezone(BANGKOK).strftime("%Y-%m-%d %H:%M") if at else "-"


def cmd_status(args: argparse.Namespace) -> int:
    db, retention = _retention(args)
    try:
        status = retention.status()
    finally:
        db.close()
    if args.json:
        data: dict[str, Any] = {
            "retention_days": status.retention_days,
            "held": status.held,
            "waiting_for_server": status.waiting_for_server,
            "due": status.due,
            "next_due_at": status.next_due_at.isoformat() if status.next_due_at else None,
            "purged": status.purged,
        }
        print(json.dumps(data, indent=2))
        return 0
    print(
        f"เก็บข้อมูลส่วนบุคคล {status.retention_days} วันหลังระบบกลางยืนยันคำขอ / "
        f"personal data kept {status.retention_days} day(s) after the server confirms a case"
    )
    print(f"ผู้ยื่นคำขอที่ยังมีข้อมูลในตู้ / applicants with data here: {status.held}")
    print(f"  รอระบบกลางยืนยัน / waiting for the server: {status.waiting_for_server}")
    print(f"  ถึงกำหนดลบแล้ว / due for removal now: {status.due}")
    print(f"  กำหนดลบครั้งถัดไป / next removal due: {_local(status.next_due_at)}")
    print(f"ลบแล้ว / removed so far: {status.purged}")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    db, retention = _retention(args)
    try:
        report = retention.purge(dry_run=args.dry_run)
    finally:
        db.close()
    if args.json:
        print(
            json.dumps(
                {
                    "dry_run": report.dry_run,
                    "applicants": report.applicants,
                    "cases": list(report.case_numbers),
                },
                indent=2,
            )
        )
        return 0
    verb = "จะลบ / would remove" if report.dry_run else "ลบแล้ว / removed"
    print(f"{verb}: ข้อมูลส่วนบุคคลของผู้ยื่นคำขอ {report.applicants} ราย / {report.applicants} applicant(s)")
    for number in report.case_numbers:
        print(f"  {number}")
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    privacy = sub.add_parser(
        "privacy",
        help="personal data on this kiosk: retention status and purge",
        description="Personal data on this kiosk: how long it stays, and removing what is due.",
    )
    psub = privacy.add_subparsers(dest="action", metavar="ACTION", required=True)
    status = psub.add_parser("status", help="how many applicants' data is held, waiting, due, removed")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(func=cmd_status)
    purge = psub.add_parser("purge", help="remove the personal data that is due under the retention rule")
    purge.add_argument("--dry-run", action="store_true", help="only list what would be removed")
    purge.add_argument("--json", action="store_true", help="print JSON")
    purge.set_defaults(func=cmd_purge)
