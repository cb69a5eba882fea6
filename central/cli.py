"""`kiosk-central ...`: run and administer the office's central server.

The database comes from `--database-url`, else $CENTRAL_DATABASE_URL, else a SQLite file in the
per-user data folder ($CENTRAL_DATA_DIR overrides the folder): PostgreSQL in production
(`postgresql://user@host/db`), SQLite for the embedded demo. Errors print in Thai and English and
exit non-zero with no traceback.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from central.db import ENV_URL, Database, current_revision, default_url, upgrade
from central.service import CentralService
from kiosk import __version__
from kiosk.errors import KnownError

log = logging.getLogger("central")


class CentralError(KnownError):
    exit_code = 2


def _url(args: argparse.Namespace) -> str:
    return str(args.database_url or default_url())


def _migrated(args: argparse.Namespace) -> str:
    url = _url(args)
    db = Database(url)
    try:
        upgrade(db.engine)
    finally:
        db.close()
    return url


def _service(args: argparse.Namespace) -> CentralService:
    from central.app import build_service

    return build_service(_migrated(args), args.catalog_dir)


def _limits(args: argparse.Namespace) -> str:
    from central.security import Limits

    try:
        return str(Limits.parse(",".join(args.rate_limit or ())))
    except ValueError as exc:
        raise CentralError("ค่าจำกัดอัตราการเรียกไม่ถูกต้อง", str(exc)) from exc


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    limits = _limits(args)
    url = _migrated(args)
    service = _service(args)
    if service.publish_versions():
        log.info("published catalog/workflow versions %s", service.versions)
    service.db.close()
    # Each worker process builds its own app from the environment: nothing is shared but the database.
    os.environ[ENV_URL] = url
    if args.catalog_dir:
        os.environ["CENTRAL_CATALOG_DIR"] = str(args.catalog_dir)
    os.environ["CENTRAL_MAX_BODY"] = str(args.max_body)
    os.environ["CENTRAL_RATE_LIMITS"] = limits
    log.info("rate limits (count/seconds): %s; largest body %d bytes", limits, args.max_body)
    uvicorn.run(
        "central.app:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        ssl_certfile=args.tls_cert,
        ssl_keyfile=args.tls_key,
        forwarded_allow_ips=args.forwarded_allow_ips,
        log_level="warning" if args.quiet else "info",
        access_log=not args.quiet,
        timeout_graceful_shutdown=5,
        # A worker answers the parent's health ping only once its imports are done: on a busy
        # machine that takes more than uvicorn's 5 s, and the parent would kill it in a loop.
        timeout_worker_healthcheck=60,
    )
    return 0


def cmd_enrol_kiosk(args: argparse.Namespace) -> int:
    kiosk_id = args.kiosk_id.strip().upper()
    if not re.fullmatch(r"[A-Z][A-Z0-9]{1,3}", kiosk_id):
        raise CentralError("รหัสตู้ต้องเป็นเช่น K01", f"A kiosk id looks like K01, not {args.kiosk_id!r}")
    code = _service(args).enrolment_code(kiosk_id, name=args.name, valid_hours=args.valid_hours)
    print(code)
    print(
        f"รหัสใช้ได้ครั้งเดียว ภายใน {args.valid_hours} ชั่วโมง: ที่ตู้ {kiosk_id} สั่ง kiosk enrol URL {code}",
        file=sys.stderr,
    )
    return 0


def cmd_revoke_kiosk(args: argparse.Namespace) -> int:
    if not _service(args).revoke(args.kiosk_id.strip().upper()):
        raise CentralError(f"ไม่พบตู้ {args.kiosk_id}", f"No kiosk {args.kiosk_id}")
    print(f"revoked {args.kiosk_id}: its next request is refused")
    return 0


def cmd_list_kiosks(args: argparse.Namespace) -> int:
    for k in _service(args).kiosks():
        state = "revoked" if k.revoked else ("enrolled" if k.enrolled else "waiting for enrolment")
        print(f"{k.id:<5} {state:<22} last seen {k.last_seen_at or '-'}  {k.name}")
    return 0


def cmd_add_officer(args: argparse.Namespace) -> int:
    from central.security import new_password

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty() and not args.generate:
        password = getpass.getpass("password: ")
    else:
        password = new_password()
        print(password)
    if len(password) < 8:
        raise CentralError("รหัสผ่านต้องยาวอย่างน้อย 8 ตัวอักษร", "The password needs at least 8 characters")
    _service(args).add_officer(args.username, password, name=args.name)
    print(f"officer {args.username} can sign in at /office", file=sys.stderr)
    return 0


def cmd_unlock_officer(args: argparse.Namespace) -> int:
    from central.security import RateLimiter

    service = _service(args)
    RateLimiter(service.db).settle(clear=[f"login:{args.username}"])
    print(f"officer {args.username} may sign in again (failed sign-ins forgotten)")
    return 0


def cmd_import_bank_file(args: argparse.Namespace) -> int:
    from central.bank import import_file

    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise CentralError(f"อ่านไฟล์ {args.file} ไม่ได้", f"Cannot read {args.file}: {exc.strerror}") from exc
    report = import_file(_service(args), data, filename=Path(args.file).name, officer=getpass.getuser())
    if args.json:
        print(report.model_dump_json(indent=2))
        return 0
    if report.already_imported:
        print("ไฟล์นี้นำเข้าแล้ว ไม่มีการเปลี่ยนแปลง / this file was already imported: nothing changed")
    print(
        f"lines {report.lines}: matched {report.matched}, mismatched {report.mismatched}, "
        f"already seen {report.skipped}"
    )
    for line in report.mismatches:
        print(
            f"  line {line.line_no}: {line.paid_on} {line.ref1}/{line.ref2} {line.amount_satang / 100:.2f} — {line.reason}"
        )
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    url = _migrated(args)
    db = Database(url)
    print(f"schema {current_revision(db.engine)}")
    db.close()
    return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    board = _service(args).dashboard()
    print(json.dumps(board.model_dump(), ensure_ascii=False, indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk-central", description="The office's central server for Counter Kiosk."
    )
    parser.add_argument("--version", action="version", version=f"kiosk-central {__version__}")
    parser.add_argument("--database-url", help=f"SQLAlchemy URL (else ${ENV_URL}, else a SQLite file)")
    parser.add_argument(
        "--catalog-dir", type=Path, default=None, help="service definitions (default: bundled)"
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = sub.add_parser("serve", help="serve kiosks and officers over HTTP")
    serve.add_argument("--database-url", dest="database_url", default=argparse.SUPPRESS)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--workers", type=int, default=1, help="server processes over the one database")
    serve.add_argument("--tls-cert", default=None, help="certificate file (PEM) to serve https directly")
    serve.add_argument("--tls-key", default=None)
    serve.add_argument("--max-body", type=int, default=8 * 1024 * 1024, help="largest request body in bytes")
    serve.add_argument(
        "--rate-limit",
        action="append",
        metavar="NAME=COUNT/SECONDS",
        help="kiosk (requests per kiosk), kiosk_auth (wrong kiosk tokens per address), enrol (failed "
        "enrolments per address), login_ip (failed sign-ins per address), login_user (failed sign-ins per "
        "officer name: the lockout); defaults kiosk=1200/60 kiosk_auth=60/600 enrol=60/600 login_ip=30/900 "
        "login_user=5/900",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        default=None,
        help="proxies whose X-Forwarded-For names the client (default $FORWARDED_ALLOW_IPS or loopback)",
    )
    serve.add_argument("--quiet", action="store_true", help="no access log")
    serve.set_defaults(func=cmd_serve)

    enrol = sub.add_parser("enrol-kiosk", help="print a one-time enrolment code for a kiosk")
    enrol.add_argument("kiosk_id", metavar="KIOSK_ID")
    enrol.add_argument("--name", default="")
    enrol.add_argument("--valid-hours", type=int, default=72)
    enrol.set_defaults(func=cmd_enrol_kiosk)

    revoke = sub.add_parser("revoke-kiosk", help="refuse a kiosk from its next request on")
    revoke.add_argument("kiosk_id", metavar="KIOSK_ID")
    revoke.set_defaults(func=cmd_revoke_kiosk)

    sub.add_parser("list-kiosks", help="kiosks and their state").set_defaults(func=cmd_list_kiosks)

    officer = sub.add_parser("add-officer", help="create an officer account (or set a new password)")
    officer.add_argument("username")
    officer.add_argument("--name", default="")
    officer.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    officer.add_argument("--generate", action="store_true", help="generate and print a password")
    officer.set_defaults(func=cmd_add_officer)

    unlock = sub.add_parser("unlock-officer", help="lift a lockout after failed sign-ins")
    unlock.add_argument("username")
    unlock.set_defaults(func=cmd_unlock_officer)

    imp = sub.add_parser("import-bank-file", help="reconcile a Bill Payment CSV file")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(func=cmd_import_bank_file)

    sub.add_parser("dashboard", help="finished and unfinished cases per service (JSON)").set_defaults(
        func=cmd_dashboard
    )

    db = sub.add_parser("db", help="the server's database")
    dbsub = db.add_subparsers(dest="action", metavar="ACTION", required=True)
    dbsub.add_parser("upgrade", help="create or migrate the schema").set_defaults(func=cmd_db_upgrade)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose or args.command == "serve" else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args))
    except KnownError as exc:
        print(f"{exc.message_th}\n{exc.message_en}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        log.exception("unexpected error in `kiosk-central %s`", args.command)
        print(f"เกิดข้อผิดพลาดที่ไม่คาดคิด\nUnexpected error: {type(exc).__name__}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
