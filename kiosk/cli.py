"""`kiosk ...`: the counter's command line.

Every command honours `--data-dir` (else KIOSK_DATA_DIR, else the per-user data directory). Errors
print a message in Thai and English and exit non-zero, with no traceback; bugs are logged in full to
the kiosk's log file and shown as a short message.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import logging.handlers
import os
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kiosk import __version__, privacy_commands, queue_commands, staff_commands
from kiosk.config import CONFIG_FILE, default_data_dir, load_config
from kiosk.devices.card import commands as card_commands
from kiosk.documents import commands as document_commands
from kiosk.domain.catalog import Catalog
from kiosk.domain.fees import AssessedFee, FixedFee, PercentFee, PerUnitFee, StaffAmountFee
from kiosk.domain.money import format_baht, from_satang
from kiosk.domain.services import ServiceDefinition
from kiosk.domain.sla import BANGKOK
from kiosk.domain.thai import format_date_short, format_datetime, mask_citizen_id
from kiosk.domain.workflow import CaseState
from kiosk.errors import KnownError
from kiosk.storage.cases import CaseView
from kiosk.sync import commands as sync_commands

log = logging.getLogger("kiosk")

Handler = Callable[[argparse.Namespace], int]


# --- output helpers -------------------------------------------------------------------------


def _width(text: str) -> int:
    """Columns a string takes in a terminal: Thai vowels above/below and tone marks take none."""
    return sum(0 if unicodedata.combining(ch) or unicodedata.category(ch) == "Mn" else 1 for ch in text)


def _table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def _json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _local(moment: dt.datetime | None) -> str:
    return format_datetime(moment.astimezone(BANGKOK)) if moment else "-"


# --- catalog --------------------------------------------------------------------------------


def _catalog(args: argparse.Namespace) -> Catalog:
    folder = args.dir or load_config(args.data_dir).catalog_dir
    return Catalog.load(Path(folder))


def _limit_text(s: ServiceDefinition) -> str:
    units = {"minutes": "นาที", "hours": "ชั่วโมง", "days": "วัน", "working_days": "วันทำการ"}
    text = f"{s.time_limit.value} {units[s.time_limit.unit.value]}"
    if s.time_limit.max_extensions:
        text += f" (+{s.time_limit.extension_value} x{s.time_limit.max_extensions})"
    return text


def cmd_catalog_list(args: argparse.Namespace) -> int:
    catalog = _catalog(args)
    if args.json:
        _json(
            [
                {"code": s.code, "name_th": s.name_th, "name_en": s.name_en, "category": s.category.value}
                for s in catalog
            ]
        )
    else:
        rows = [[s.code, s.category.value, _limit_text(s), s.display_name_th] for s in catalog]
        print(_table(rows, ["code", "category", "time limit", "service"]))
        print(f"\n{len(catalog)} services")
    for problem in catalog.problems:
        print(f"skipped: {problem}", file=sys.stderr)
    return 0


def _fee_text(rule: Any) -> str:
    if isinstance(rule, FixedFee):
        return f"{rule.label_th}: {format_baht(rule.amount)} บาท"
    if isinstance(rule, PerUnitFee):
        if rule.rate is not None:
            return f"{rule.label_th}: {rule.rate} บาท/{rule.unit_th}"
        tiers = ", ".join(f"{t.when} {t.rate}" for t in rule.tiers)
        return f"{rule.label_th}: ต่อ{rule.unit_th} ตามประเภท ({tiers})"
    if isinstance(rule, PercentFee):
        return f"{rule.label_th}: ร้อยละ {rule.percent}"
    if isinstance(rule, StaffAmountFee):
        cap = f" ไม่เกิน {format_baht(rule.cap)} บาท" if rule.cap is not None else ""
        return f"{rule.label_th}: {rule.basis_th}{cap}"
    if isinstance(rule, AssessedFee):
        return f"{rule.label_th}: เจ้าหน้าที่ประเมิน ({rule.basis_th})"
    return str(rule)


def cmd_catalog_show(args: argparse.Namespace) -> int:
    catalog = _catalog(args)
    service = catalog.get(args.code)
    if service is None:
        raise KnownError(f"ไม่พบบริการรหัส {args.code}", f"No service with code {args.code!r}")
    if args.json:
        _json(service.model_dump(mode="json"))
        return 0
    print(f"{service.name_th}\n{service.name_en}\n")
    print(f"รหัส / code: {service.code}   หมวด / category: {service.category.value}")
    print(f"หน่วยงาน / unit: {service.responsible_unit_th}")
    print(f"ระยะเวลาตามกฎหมาย / legal time limit: {_limit_text(service)}")
    print("\nขั้นตอน / steps:")
    for i, step in enumerate(service.steps, 1):
        took = f" ({step.duration.value} {step.duration.unit.value})" if step.duration else ""
        print(f"  {i}. {step.type_th}: {step.description_th}{took}")
    print("\nเอกสาร / documents:")
    for doc in service.documents:
        when = f" — {doc.condition_th}" if doc.condition_th else ""
        print(f"  - {doc.name_th} (ฉบับจริง {doc.originals}, สำเนา {doc.copies} {doc.unit_th}){when}")
    print("\nค่าธรรมเนียม / fees:")
    for rule in service.fees:
        print(f"  - {_fee_text(rule)}")
    if not service.fees:
        print(f"  - {service.fee_note_th or 'ไม่มีค่าธรรมเนียม'}")
    print("\nแบบฟอร์ม / form:")
    for f in service.form:
        source = f" ← {f.prefill}" if f.prefill else ""
        print(f"  - {f.key} [{f.type.value}{'' if f.required else ', optional'}] {f.label_th}{source}")
    return 0


def cmd_catalog_check(args: argparse.Namespace) -> int:
    catalog = _catalog(args)
    for problem in catalog.problems:
        print(problem)
    if catalog.problems:
        print(f"\n{len(catalog.problems)} problem(s); {len(catalog)} definition(s) valid", file=sys.stderr)
        return 1
    print(f"{len(catalog)} definitions, all valid")
    return 0


# --- cases ----------------------------------------------------------------------------------


def _open(args: argparse.Namespace) -> Any:
    from kiosk.counter import Counter

    return Counter.open(args.data_dir)


def _case_json(case: CaseView) -> dict[str, Any]:
    return {
        "id": case.id,
        "number": case.number,
        "service": case.service_code,
        "state": case.state.value,
        "applicant": case.applicant_name,
        "citizen_id": mask_citizen_id(case.citizen_id) if case.citizen_id else None,
        "priority": case.priority,
        "created_at": case.created_at.isoformat(),
        "sla_due_at": case.sla.due_at.isoformat() if case.sla.due_at else None,
        "overdue": case.sla.overdue(dt.datetime.now(dt.UTC)),
        "amount_due": str(from_satang(case.amount_due_satang)),
    }


def cmd_case_list(args: argparse.Namespace) -> int:
    counter = _open(args)
    state = CaseState(args.state) if args.state else None
    cases = counter.cases.find(state=state, service_code=args.service, limit=args.limit)
    now = dt.datetime.now(dt.UTC)
    if args.json:
        _json([_case_json(c) for c in cases])
        return 0
    rows = []
    for c in cases:
        due = format_date_short(c.sla.due_at.astimezone(BANGKOK).date()) if c.sla.due_at else ""
        flag = " เกินกำหนด" if c.sla.overdue(now) else ""
        money = format_baht(from_satang(c.amount_due_satang)) if c.amount_due_satang else ""
        rows.append(
            [
                c.number,
                format_date_short(c.created_at.astimezone(BANGKOK).date()),
                c.state.label_th,
                c.applicant_name,
                c.service_code,
                due + flag,
                money,
            ]
        )
    print(_table(rows, ["เลขที่", "วันที่ยื่น", "สถานะ", "ผู้ยื่นคำขอ", "บริการ", "กำหนดเสร็จ", "ค้างชำระ"]))
    print(f"\n{len(cases)} case(s)")
    return 0


def cmd_case_show(args: argparse.Namespace) -> int:
    counter = _open(args)
    case = counter.cases.get(args.number)
    service = counter.catalog.get(case.service_code)
    if args.json:
        data = _case_json(case)
        data["form"] = case.form_data
        data["documents"] = [d.__dict__ for d in case.documents]
        data["invoices"] = [
            {"ref1": i.ref1, "ref2": i.ref2, "total": str(from_satang(i.total_satang)), "status": i.status}
            for i in case.invoices
        ]
        data["events"] = [
            {k: v for k, v in e.__dict__.items() if k != "data"} | {"at": e.at.isoformat()}
            for e in case.events
        ]
        _json(data)
        return 0
    print(f"คำขอเลขที่ {case.number}  ({case.state.label_th} / {case.state.label_en})")
    print(f"บริการ: {service.name_th if service else case.service_code}")
    print(f"ผู้ยื่นคำขอ: {case.applicant_name}  {mask_citizen_id(case.citizen_id or '')}")
    print(f"ยื่นเมื่อ: {_local(case.created_at)}")
    if case.sla.started_at:
        late = "  ** เกินกำหนด / overdue **" if case.sla.overdue(dt.datetime.now(dt.UTC)) else ""
        print(
            f"เอกสารครบถ้วนเมื่อ: {_local(case.sla.started_at)}   กำหนดแล้วเสร็จ: {_local(case.sla.due_at)}{late}"
        )
    print("\nเอกสาร:")
    marks = {"received": "✓", "missing": "✗", "pending": "·", "not_applicable": "-"}
    for d in case.documents:
        print(f"  {marks.get(d.status, '?')} {d.name_th}")
    for i in case.invoices:
        print(f"\nค่าธรรมเนียม (Ref.1 {i.ref1} Ref.2 {i.ref2}) — {i.status}")
        for label, satang in i.lines:
            print(f"  {label}: {format_baht(from_satang(satang))} บาท")
        print(f"  รวม {format_baht(from_satang(i.total_satang))} บาท")
    print("\nประวัติ:")
    for e in case.events:
        move = f"{e.from_state or ''} → {e.to_state}" if e.to_state else e.kind
        why = f" ({e.reason})" if e.reason else ""
        print(
            f"  {e.seq:>2}. {_local(e.at)}  {move}  [{e.actor_role}{':' + e.actor_id if e.actor_id else ''}]{why}"
        )
    return 0


# --- config, database, demo, run ------------------------------------------------------------


def cmd_config_show(args: argparse.Namespace) -> int:
    config = load_config(args.data_dir)
    source = args.data_dir / CONFIG_FILE
    data = config.model_dump(mode="json")
    if args.json:
        _json(data)
        return 0
    print(f"# {source} {'(file)' if source.exists() else '(no file: embedded defaults)'}")
    for section, values in data.items():
        if isinstance(values, dict):
            print(f"\n[{section}]")
            for key, value in values.items():
                print(f"{key} = {json.dumps(value, ensure_ascii=False)}")
        else:
            print(f"{section} = {json.dumps(values, ensure_ascii=False)}")
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from kiosk.storage.db import Database, current_revision

    db = Database(args.data_dir)
    print(f"{db.path}: schema {current_revision(db.engine)}")
    db.close()
    return 0


def cmd_demo_seed(args: argparse.Namespace) -> int:
    from kiosk.demo import seed

    counter = _open(args)
    existing = sum(counter.cases.counts_by_state().values())
    if existing and not args.force:
        print(f"{counter.db.path} already holds {existing} case(s); nothing added (use --force to add more)")
        return 0
    numbers = seed(counter, seed_value=args.seed + existing)
    print(f"demo office: {len(numbers)} cases written to {counter.db.path}")
    return 0


DEMO_OFFICER = ("demo", "demo-2569")


def cmd_demo_central(args: argparse.Namespace) -> int:
    """A central server for the demo office on this machine, with this kiosk enrolled in it.

    It runs `kiosk-central` as its own process on SQLite in DATA_DIR/central (the kiosk never imports
    the server), so the whole loop can be tried: submit at the kiosk, decide in the back office, print
    the slip at the kiosk, import a bank file, see the status come back.
    """
    import subprocess
    import time
    import urllib.request

    from kiosk.sync.commands import cmd_enrol
    from kiosk.sync.credentials import load_credential

    config = load_config(args.data_dir)
    url = f"http://127.0.0.1:{args.port}"
    env = {**os.environ, "CENTRAL_DATA_DIR": str(args.data_dir / "central")}
    central = [sys.executable, "-m", "central.cli"]

    def admin(*words: str, stdin: str | None = None) -> str:
        done = subprocess.run(  # noqa: S603 - our interpreter, fixed arguments
            [*central, *words], env=env, input=stdin, capture_output=True, text=True, timeout=60
        )
        if done.returncode != 0:
            raise KnownError("เริ่มระบบกลางสาธิตไม่ได้", f"kiosk-central {words[0]} failed: {done.stderr.strip()}")
        return done.stdout

    admin("db", "upgrade")
    server = subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
        [*central, "serve", "--host", "127.0.0.1", "--port", str(args.port), "--quiet"], env=env
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2):  # noqa: S310 - loopback only
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise KnownError(
                        "เริ่มระบบกลางสาธิตไม่ได้", f"the demo central server did not start on {url}"
                    ) from None
                time.sleep(0.2)
        credential = load_credential(args.data_dir)
        if credential is None or credential.url != url:
            code = admin("enrol-kiosk", config.kiosk.id).split()[0]
            cmd_enrol(argparse.Namespace(data_dir=args.data_dir, url=url, code=code))
        user, password = DEMO_OFFICER
        admin("add-officer", user, "--name", "เจ้าหน้าที่สาธิต", "--password-stdin", stdin=password + "\n")
        print(f"ระบบกลางสาธิตพร้อมแล้ว / demo central server ready: {url}")
        print(f"  งานหลังบ้าน / back office: {url}/office  (ผู้ใช้ {user} รหัสผ่าน {password})")
        print("  ที่ตู้ / at the kiosk: the running kiosk now syncs by itself (or: kiosk sync run --once)")
        print("  ไฟล์ธนาคาร / bank file: kiosk-central import-bank-file FILE.csv (CENTRAL_DATA_DIR as above)")
        print("  Ctrl-C หยุด / stops", flush=True)
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(15)


def _has_display() -> bool:
    if sys.platform != "linux":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or os.environ.get(
        "QT_QPA_PLATFORM", ""
    ) not in ("", "xcb", "wayland")


def cmd_run(args: argparse.Namespace) -> int:
    """The kiosk's touch screen; on a machine with no screen, the office summary instead."""
    if not _has_display():
        print(
            "ไม่พบหน้าจอ: แสดงสรุปสำนักงานแทน (เปิดหน้าจอตู้บริการบนเดสก์ท็อป หรือด้วย xvfb-run)\n"
            "No display: showing the office summary instead (run on a desktop, or under xvfb-run).\n",
            file=sys.stderr,
        )
        if args.demo:
            cmd_demo_seed(argparse.Namespace(data_dir=args.data_dir, force=False, seed=2569))
        return cmd_office(args)
    from kiosk.ui.app import run

    return run(args.data_dir, fullscreen=not args.windowed, demo=args.demo, board=args.board)


def _no_display(what_th: str, what_en: str) -> int:
    print(
        f"ไม่พบหน้าจอ: เปิด{what_th}บนเดสก์ท็อป หรือด้วย xvfb-run\n"
        f"No display: run the {what_en} on a desktop, or under xvfb-run.",
        file=sys.stderr,
    )
    return 2


def cmd_counter(args: argparse.Namespace) -> int:
    """The officer's counter window: call, recall, no-show, transfer, start and finish service."""
    if not _has_display():
        return _no_display("หน้าจอช่องบริการ", "counter window")
    from kiosk.ui.app import run_counter

    return run_counter(args.data_dir, counter_id=args.counter, fullscreen=not args.windowed)


def cmd_board(args: argparse.Namespace) -> int:
    """The waiting room's display board: now serving, recently called, waiting per line."""
    if not _has_display():
        return _no_display("จอแสดงคิว", "display board")
    from kiosk.ui.app import run_board

    return run_board(args.data_dir, fullscreen=not args.windowed, screen=args.screen)


def cmd_office(args: argparse.Namespace) -> int:
    """The office at a glance: catalog, cases by state, overdue cases, outbox."""
    counter = _open(args)
    config = counter.config
    print(f"{config.office.name_th}\n{config.office.name_en}")
    print(f"ตู้บริการ {config.kiosk.id} · {_local(dt.datetime.now(dt.UTC))} · ข้อมูล {counter.data_dir}\n")
    print(f"บริการที่เปิดให้ยื่นคำขอ: {len(counter.catalog)} รายการ")
    for problem in counter.catalog.problems:
        print(f"  ! ข้ามไฟล์บริการที่ไม่ถูกต้อง / skipped: {problem}")
    counts = counter.cases.counts_by_state()
    print("\nคำขอตามสถานะ / cases by state:")
    for state in CaseState:
        if counts.get(state):
            print(f"  {state.label_th:<24} {counts[state]:>4}")
    now = dt.datetime.now(dt.UTC)
    open_cases = [c for c in counter.cases.find(limit=10_000) if c.sla.running]
    late = [c for c in open_cases if c.sla.overdue(now)]
    print(f"\nอยู่ระหว่างดำเนินการ {len(open_cases)} · เกินกำหนด {len(late)}")
    for c in late[:10]:
        print(f"  {c.number}  {c.service_code}  กำหนด {_local(c.sla.due_at)}")
    print(f"\nรอส่งเข้าระบบกลาง / outbox: {counter.cases.pending_outbox()} รายการ")
    print("\nดูรายการคำขอ: kiosk case list · รายละเอียด: kiosk case show NUMBER · บริการ: kiosk catalog list")
    return 0


# --- parser ---------------------------------------------------------------------------------


def _add(
    sub: Any, name: str, handler: Handler, help_text: str, *, json_flag: bool = False
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(func=handler)
    if json_flag:
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Counter Kiosk: the walk-in counter of a Thai government office.",
        epilog="Data directory: --data-dir, else $KIOSK_DATA_DIR, else the per-user data folder.",
    )
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="folder of the database, keys and kiosk.toml"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = _add(sub, "run", cmd_run, "run the kiosk's touch screen on this data directory")
    run.add_argument(
        "--demo",
        action="store_true",
        help="demo office when the data directory is empty, demo cards in the staff menu, printing to PDF files",
    )
    run.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    run.add_argument(
        "--board", action="store_true", help="the queue's display board too (on the second screen if any)"
    )
    desk = _add(sub, "counter", cmd_counter, "the queue window of one service counter, for the officer")
    desk.add_argument("--counter", required=True, help="the counter's id in [queue] counters, e.g. 1")
    desk.add_argument("--windowed", action="store_true", help="a window (the default)", default=True)
    desk.add_argument(
        "--fullscreen", action="store_false", dest="windowed", help="full screen instead of a window"
    )
    board = _add(sub, "board", cmd_board, "the queue's display board for the waiting room's wall screen")
    board.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    board.add_argument("--screen", type=int, default=None, help="screen number (0 = primary)")
    _add(sub, "office", cmd_office, "the office at a glance: services, cases by state, overdue, outbox")

    catalog = sub.add_parser(
        "catalog", help="the services this office offers", description="Service catalog."
    )
    csub = catalog.add_subparsers(dest="action", metavar="ACTION", required=True)
    clist = _add(csub, "list", cmd_catalog_list, "list every service", json_flag=True)
    show = _add(csub, "show", cmd_catalog_show, "show one service as the manual describes it", json_flag=True)
    show.add_argument("code", help="service code, e.g. signboard-tax")
    check = _add(csub, "check", cmd_catalog_check, "validate every definition; exit 1 if any is malformed")
    for p in (clist, show, check):
        p.add_argument("--dir", type=Path, help="catalog folder (default: from the configuration)")

    case = sub.add_parser("case", help="cases at this counter", description="Cases written at this kiosk.")
    casesub = case.add_subparsers(dest="action", metavar="ACTION", required=True)
    lst = _add(casesub, "list", cmd_case_list, "list cases, newest first", json_flag=True)
    lst.add_argument("--state", choices=[s.value for s in CaseState], help="only cases in this state")
    lst.add_argument("--service", help="only cases of this service code")
    lst.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    cshow = _add(
        casesub, "show", cmd_case_show, "show one case with its documents, fees and history", json_flag=True
    )
    cshow.add_argument("number", help="case number, e.g. K01-2569-00042")

    config = sub.add_parser("config", help="office configuration", description="Office configuration.")
    cfsub = config.add_subparsers(dest="action", metavar="ACTION", required=True)
    _add(
        cfsub,
        "show",
        cmd_config_show,
        f"show the effective configuration ({CONFIG_FILE} and defaults)",
        json_flag=True,
    )

    db = sub.add_parser("db", help="the local database", description="The local database.")
    dbsub = db.add_subparsers(dest="action", metavar="ACTION", required=True)
    _add(dbsub, "upgrade", cmd_db_upgrade, "create the database or migrate it to the current schema")

    demo = sub.add_parser("demo", help="demo data", description="Demo data.")
    dsub = demo.add_subparsers(dest="action", metavar="ACTION", required=True)
    dseed = _add(dsub, "seed", cmd_demo_seed, "write a demo office with cases in every workflow state")
    dseed.add_argument("--force", action="store_true", help="add another batch even if cases exist")
    dseed.add_argument("--seed", type=int, default=2569, help=argparse.SUPPRESS)
    dcentral = _add(
        dsub,
        "central",
        cmd_demo_central,
        "run a local central server for the demo office and enrol this kiosk",
    )
    dcentral.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765)")

    card_commands.add_commands(sub)
    document_commands.add_commands(sub)
    sync_commands.add_commands(sub)
    staff_commands.add_commands(sub)
    privacy_commands.add_commands(sub)
    queue_commands.add_commands(sub)
    return parser


def _setup_logging(data_dir: Path, verbose: bool) -> None:
    """Details go to the kiosk's log file; the terminal gets them only with --verbose."""
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    try:
        (data_dir / "logs").mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(
            data_dir / "logs" / "kiosk.log", maxBytes=5_000_000, backupCount=5, encoding="utf-8"
        )
        file_handler.setFormatter(fmt)
        root.addHandler(file_handler)
    except OSError:
        pass  # a read-only data directory: the command itself will say what is wrong
    if verbose:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(fmt)
        root.addHandler(stream)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.data_dir is None:
        args.data_dir = default_data_dir()
    _setup_logging(args.data_dir, args.verbose)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 0
    try:
        return int(func(args))
    except KnownError as exc:
        if exc.detail:
            log.info("%s", exc.detail)
        print(f"{exc.message_th}\n{exc.message_en}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception:
        log.exception("unexpected error in `kiosk %s`", args.command)
        print(
            "เกิดข้อผิดพลาดที่ไม่คาดคิด กรุณาแจ้งเจ้าหน้าที่\nUnexpected error; please call staff (details in the log with -v).",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
