"""`kiosk enrol URL CODE` and `kiosk sync status|run`: the counter's side of the central server.

`add_commands(sub)` plugs these into `kiosk.cli`; `python -m kiosk.sync.commands` runs them alone
(tests and the benchmark use that). Handlers take the parsed arguments (with `data_dir` set) and
return the exit code; known errors are raised as `KnownError` for the caller to print.
Exit codes: 0 done; 2 bad configuration or credential; 7 server unreachable; 8 not enrolled or
revoked.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kiosk.config import Config, default_data_dir, load_config
from kiosk.errors import KnownError
from kiosk.storage.db import Database
from kiosk.sync.client import CentralClient, SyncError
from kiosk.sync.credentials import (
    Credential,
    CredentialError,
    check_url,
    credential_path,
    load_credential,
    save_credential,
)
from kiosk.sync.queue_sync import QueueSync
from kiosk.sync.store import SyncStore
from kiosk.sync.worker import SyncEngine, SyncWorker

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], int]


class NotEnrolled(KnownError):
    exit_code = 8

    def __init__(self) -> None:
        super().__init__(
            "ตู้นี้ยังไม่ได้ลงทะเบียนกับระบบกลาง: kiosk enrol URL CODE",
            "This kiosk is not enrolled with a central server: run `kiosk enrol URL CODE`",
        )


def connector(data_dir: Path, config: Config, *, timeout: float = 15.0) -> Callable[[], CentralClient | None]:
    """A factory the worker calls before each pass, so enrolling or re-enrolling needs no restart."""

    def connect() -> CentralClient | None:
        credential = load_credential(data_dir)
        if credential is None:
            return None
        url = check_url(config.server.url or credential.url)
        return CentralClient(
            url,
            credential.token,
            verify_tls=config.server.verify_tls,
            ca_file=config.server.ca_file,
            timeout=timeout,
        )

    return connect


def _local(moment: dt.datetime | None) -> str:
    if moment is None:
        return "-"
    from kiosk.domain.sla import BANGKOK
    from kiosk.domain.thai import format_datetime

    return format_datetime(moment.astimezone(BANGKOK))


def cmd_enrol(args: argparse.Namespace) -> int:
    config = load_config(args.data_dir)
    url = check_url(args.url)
    answer = CentralClient.enrol(
        url, args.code, verify_tls=config.server.verify_tls, ca_file=config.server.ca_file
    )
    if answer.kiosk_id != config.kiosk.id:
        # Case numbers carry the kiosk code; the server only accepts this kiosk's own numbers.
        raise CredentialError(
            f"ระบบกลางลงทะเบียนตู้นี้เป็น {answer.kiosk_id} แต่ไฟล์ตั้งค่ากำหนด {config.kiosk.id}: "
            f"แก้ [kiosk] id ใน kiosk.toml แล้วขอรหัสใหม่",
            f"The server enrolled this kiosk as {answer.kiosk_id} but kiosk.toml says {config.kiosk.id}: "
            f"set [kiosk] id = {answer.kiosk_id!r} and ask for a new code",
        )
    path = save_credential(args.data_dir, Credential(url, answer.kiosk_id, answer.token))
    print(f"ลงทะเบียนตู้ {answer.kiosk_id} กับ {url} แล้ว / enrolled as {answer.kiosk_id} ({path})")
    return 0


def _status_json(data_dir: Path, config: Config, ping: bool) -> dict[str, Any]:
    credential = load_credential(data_dir)
    db = Database(data_dir)
    try:
        stored = SyncStore(db).status()
    finally:
        db.close()
    data: dict[str, Any] = {
        "enrolled": credential is not None,
        "kiosk_id": credential.kiosk_id if credential else config.kiosk.id,
        "server_url": (config.server.url or credential.url) if credential else config.server.url,
        "online": None if stored.last_attempt_at is None else stored.offline_since is None,
        "offline_since": stored.offline_since.isoformat() if stored.offline_since else None,
        "queued": stored.queued,
        "refused": stored.refused,
        "cursor": stored.cursor,
        "versions": stored.versions,
        "last_attempt_at": stored.last_attempt_at.isoformat() if stored.last_attempt_at else None,
        "last_success_at": stored.last_success_at.isoformat() if stored.last_success_at else None,
        "last_error": stored.last_error,
    }
    if ping and credential is not None:
        try:
            client = connector(data_dir, config, timeout=5.0)()
            assert client is not None
            with client:
                client.whoami()
            data["reachable"] = True
        except SyncError as exc:
            data["reachable"] = False
            data["ping_error"] = exc.message_en
    return data


def cmd_status(args: argparse.Namespace) -> int:
    config = load_config(args.data_dir)
    data = _status_json(args.data_dir, config, args.ping)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    if not data["enrolled"]:
        print("ยังไม่ได้ลงทะเบียนกับระบบกลาง / not enrolled (kiosk enrol URL CODE)")
    else:
        print(f"ตู้ {data['kiosk_id']} → {data['server_url']}")
    if data["online"] is None:
        line = "ยังไม่เคยเชื่อมต่อ / never synced"
    elif data["online"]:
        line = f"ออนไลน์ / online (ล่าสุด {_local(dt.datetime.fromisoformat(data['last_success_at']))})"
    else:
        since = dt.datetime.fromisoformat(data["offline_since"])
        line = f"ออฟไลน์ตั้งแต่ / offline since {_local(since)}: {data['last_error']}"
    print(line)
    print(f"รอส่ง / queued: {data['queued']}   ระบบกลางไม่รับ / refused: {data['refused']}")
    print(f"ตำแหน่งการรับข้อมูล / cursor: {data['cursor']}")
    if "reachable" in data:
        print("ติดต่อระบบกลางได้ / reachable" if data["reachable"] else f"ติดต่อไม่ได้: {data['ping_error']}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    config = load_config(args.data_dir)
    if load_credential(args.data_dir) is None:
        raise NotEnrolled()
    db = Database(args.data_dir)
    store = SyncStore(db)
    connect = connector(args.data_dir, config)
    try:
        if args.once:
            client = connect()
            assert client is not None
            try:
                with client:
                    queue = QueueSync.for_device(db, config)
                    report = SyncEngine(store, batch_size=args.batch, queue=queue).run_once(client)
            except SyncError as exc:
                store.note_attempt(ok=False, error=exc.message_en)
                raise
            store.note_attempt(ok=True)
            queued = store.queued()
            print(
                f"sent {report.pushed} (+{report.duplicates} already there, {report.conflicts} conflicts, "
                f"{report.refused} refused), received {report.pulled} change(s), {queued} still queued, "
                f"{report.seconds:.2f}s"
            )
            if report.queue is not None:
                print(f"queue: sent {report.queue.pushed} event(s), received {report.queue.pulled}")
            return 0
        return _run_forever(store, connect, args.batch, QueueSync.for_device(db, config))
    finally:
        db.close()


def cmd_requeue(args: argparse.Namespace) -> int:
    db = Database(args.data_dir)
    try:
        count = SyncStore(db).requeue_refused()
    finally:
        db.close()
    print(f"{count} refused event(s) queued again")
    return 0


def _run_forever(
    store: SyncStore, connect: Callable[[], CentralClient | None], batch: int, queue: QueueSync | None = None
) -> int:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    worker = SyncWorker(store, connect, batch_size=batch, queue=queue)
    worker.start()
    try:
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        worker.stop()
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    enrol = sub.add_parser(
        "enrol",
        help="enrol this kiosk with the office's central server",
        description="Trade the one-time code from `kiosk-central enrol-kiosk` for this kiosk's credential.",
    )
    enrol.add_argument("url", help="central server, e.g. https://central.example.go.th")
    enrol.add_argument("code", help="one-time enrolment code")
    enrol.set_defaults(func=cmd_enrol)

    sync = sub.add_parser(
        "sync", help="sync with the central server", description="Sync with the central server."
    )
    ssub = sync.add_subparsers(dest="action", metavar="ACTION", required=True)
    status = ssub.add_parser("status", help="online or not, queued events, last error")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.add_argument("--ping", action="store_true", help="also ask the server now")
    status.set_defaults(func=cmd_status)
    run = ssub.add_parser("run", help="push the outbox and pull changes (until Ctrl-C, or --once)")
    run.add_argument("--once", action="store_true", help="one pass, then exit")
    run.add_argument("--batch", type=int, default=500, help="events per request (default 500)")
    run.set_defaults(func=cmd_run)
    requeue = ssub.add_parser("requeue-refused", help="queue again the events the server refused")
    requeue.set_defaults(func=cmd_requeue)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sync commands on their own (until `kiosk.cli` wires them in)."""
    parser = argparse.ArgumentParser(prog="kiosk")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("-v", "--verbose", action="store_true")
    add_commands(parser.add_subparsers(dest="command", metavar="COMMAND", required=True))
    args = parser.parse_args(argv)
    if args.data_dir is None:
        args.data_dir = default_data_dir()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr)
    try:
        return int(args.func(args))
    except KnownError as exc:
        print(f"{exc.message_th}\n{exc.message_en}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["add_commands", "connector", "credential_path", "main"]
