"""`kiosk card ...`: readers, read, watch, simulate. A public interface, documented in docs/card.md.

Exit codes: 0 read, 3 no reader, 4 no card, 5 not a Thai ID card, 6 card removed during the read,
1 anything else. Errors reach the user through `KnownError` (printed by `kiosk.cli.main`) and, with
`--json`, also as one JSON object on stdout, so a calling program never has to parse Thai text.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import logging
import queue
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.errors import KnownError

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], int]


class UnexpectedCardError(KnownError):
    exit_code = 1

    def __init__(self, *, detail: str = "") -> None:
        super().__init__(
            "เกิดข้อผิดพลาดในการอ่านบัตร กรุณาแจ้งเจ้าหน้าที่",
            "Something went wrong with the card reader. Please call staff.",
            detail=detail,
        )


def _print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def _error_json(exc: KnownError) -> dict[str, Any]:
    return {
        "error": {
            "kind": getattr(exc, "kind", "error"),
            "exit_code": exc.exit_code,
            "message_th": exc.message_th,
            "message_en": exc.message_en,
        }
    }


def _guarded(handler: Handler) -> Handler:
    """Known errors go out as they are (plus a JSON object with --json); bugs become exit 1, no traceback."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except KeyboardInterrupt:
            return 0
        except KnownError as exc:
            log.info("card command failed: %s (%s)", type(exc).__name__, exc.detail)
            if getattr(args, "json", False):
                _print_json(_error_json(exc))
            raise
        except Exception as exc:
            log.debug("card command crashed", exc_info=True)
            known = UnexpectedCardError(detail=f"{type(exc).__name__}: {exc}")
            if getattr(args, "json", False):
                _print_json(_error_json(known))
            raise known from exc

    return run


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    card = sub.add_parser("card", help="Thai national ID card reader")
    card_sub = card.add_subparsers(dest="card_command", metavar="CARD_COMMAND")

    def card_help(_args: argparse.Namespace) -> int:
        card.print_help()
        return 0

    card.set_defaults(func=card_help)

    p = card_sub.add_parser("readers", help="list the PC/SC readers")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.set_defaults(func=_guarded(cmd_readers))

    p = card_sub.add_parser("read", help="read the card in the first (or named) reader holding one")
    p.add_argument("--reader", metavar="NAME", help="reader name as listed by `kiosk card readers`")
    p.add_argument("--photo", metavar="FILE", type=Path, help="also read the photo and write the JPEG here")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_guarded(cmd_read))

    p = card_sub.add_parser("watch", help="print one line per reader/card event until interrupted")
    p.add_argument("--reader", metavar="NAME", help="watch only this reader")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(func=_guarded(cmd_watch))

    p = card_sub.add_parser("simulate", help="insert a virtual card into vsmartcard-vpcd until Ctrl-C")
    p.add_argument("profile", metavar="PROFILE", help="profile name in resources/cards/ or a .toml path")
    p.add_argument("--host", default="127.0.0.1", help="vpcd host (default 127.0.0.1)")
    p.add_argument(
        "--port", type=int, default=35963, help="vpcd port: 35963 = Virtual PCD 00 00, 35964 = 00 01"
    )
    p.add_argument("--latency-ms", type=float, default=0.0, help="added latency per APDU, in ms")
    p.add_argument("--variant", choices=["3b67"], help="present the 3B 67 ATR (GET RESPONSE P2 = 01)")
    p.add_argument("--direct", action="store_true", help="answer READ with the data and 90 00 directly")
    p.add_argument("--remove-after", type=int, metavar="N", help="pull the card after N APDUs")
    p.set_defaults(func=_guarded(cmd_simulate))


def cmd_readers(args: argparse.Namespace) -> int:
    from kiosk.devices.card.errors import NoReaderError
    from kiosk.devices.card.reader import list_readers

    readers = list_readers()
    if args.json:
        _print_json(readers)
    else:
        for reader in readers:
            print(reader)
    if not readers:
        raise NoReaderError()
    return 0


def _format_human(data: dict[str, Any]) -> str:
    def name(n: dict[str, str]) -> str:
        return " ".join(v for v in n.values() if v)

    lines = [
        f"citizen ID:  {data['citizen_id']} ({'valid' if data['citizen_id_valid'] else 'check digit WRONG'})",
        f"name (TH):   {name(data['name_th'])}",
        f"name (EN):   {name(data['name_en'])}",
        f"birth date:  {data['birth_date'] or '-'} (BE {data['birth_date_be']})",
        f"gender:      {data['gender'] or '-'}",
        f"issuer:      {data['issuer']}",
        f"issued:      {data['issue_date'] or '-'}",
        f"expires:     {data['expiry_date'] or 'lifetime'}",
        f"address:     {data['address']['full']}",
    ]
    if "photo_sha256" in data:
        lines.append(f"photo:       sha256 {data['photo_sha256']}")
    return "\n".join(lines)


def cmd_read(args: argparse.Namespace) -> int:
    from kiosk.devices.card.reader import read_once

    result = read_once(args.reader, with_photo=args.photo is not None)
    record = result.record
    sha = None
    if args.photo is not None:
        if record.photo is None:
            print("บัตรนี้ไม่มีรูปถ่าย / This card holds no photo.", file=sys.stderr)
        else:
            args.photo.write_bytes(record.photo)
            sha = hashlib.sha256(record.photo).hexdigest()
    data = record.to_json_dict(photo_sha256=sha)
    if args.json:
        _print_json(data)
    else:
        print(_format_human(data))
    return 0


def _event_line(event: object, as_json: bool) -> str:
    from kiosk.devices.card import service as s

    if isinstance(event, s.ReaderAdded):
        obj: dict[str, Any] = {"event": "reader_added", "reader": event.reader}
    elif isinstance(event, s.ReaderRemoved):
        obj = {"event": "reader_removed", "reader": event.reader}
    elif isinstance(event, s.CardInserted):
        obj = {"event": "card_inserted", "reader": event.reader, "atr": event.atr.hex(" ").upper()}
    elif isinstance(event, s.CardRemoved):
        obj = {"event": "card_removed", "reader": event.reader}
    elif isinstance(event, s.CardRead):
        obj = {"event": "card_read", "reader": event.reader, "card": event.record.to_json_dict()}
    elif isinstance(event, s.CardError):
        obj = {
            "event": "error",
            "reader": event.reader,
            "kind": event.kind,
            "message_th": event.message_th,
            "message_en": event.message_en,
        }
    else:
        obj = {"event": type(event).__name__}
    if as_json:
        return json.dumps(obj, ensure_ascii=False)
    if obj["event"] == "card_read":
        card = obj["card"]
        th = " ".join(v for v in card["name_th"].values() if v)
        return f"card_read\t{obj['reader']}\t{card['citizen_id']}\t{th}"
    if obj["event"] == "error":
        return f"error\t{obj['reader']}\t{obj['kind']}\t{obj['message_th']} / {obj['message_en']}"
    return "\t".join(str(v) for v in obj.values())


def _interrupt_on_sigterm() -> None:
    """Let a supervisor's SIGTERM end `watch`/`simulate` as cleanly as Ctrl-C does."""

    def handler(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)


def cmd_watch(args: argparse.Namespace) -> int:
    from kiosk.devices.card.service import CardEvent, CardService

    _interrupt_on_sigterm()
    events: queue.Queue[CardEvent] = queue.Queue()
    service = CardService(events, reader=args.reader)
    service.start()
    try:
        while True:
            try:
                event = events.get(timeout=0.5)
            except queue.Empty:
                continue
            print(_event_line(event, args.json), flush=True)
    except KeyboardInterrupt:
        return 0
    finally:
        service.stop()


def cmd_simulate(args: argparse.Namespace) -> int:
    from kiosk.devices.card.profile import load_profile
    from kiosk.devices.card.simulator import VirtualCard, VpcdSimulator

    _interrupt_on_sigterm()
    profile = load_profile(args.profile)
    card = VirtualCard(profile, variant_3b67=args.variant == "3b67", direct=args.direct)
    sim = VpcdSimulator(
        card,
        host=args.host,
        port=args.port,
        latency=args.latency_ms / 1000.0,
        remove_after_apdus=args.remove_after,
    )
    slot = args.port - 35963
    print(
        f"virtual card {profile.name!r} → vpcd {args.host}:{args.port} (reader 'Virtual PCD 00 {slot:02d}'); "
        "Ctrl-C removes it",
        file=sys.stderr,
        flush=True,
    )
    sim.start()
    try:
        while not sim.removed.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0
