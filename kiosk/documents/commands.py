"""`kiosk printers` and `kiosk print ticket|receipt|deficiency|slip --case NUMBER`.

`--out FILE.pdf` writes the PDF (always available); `--printer NAME` sends it to a queue or device
(see `kiosk.devices.printer`); neither: the configured printer for that document, else the system
default. Every print is recorded as a print job; `--reprint JOB_ID` asks for a failed or lost job
again, as a new job that points to the old one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.documents.common import DocumentKind
from kiosk.errors import KnownError

if TYPE_CHECKING:
    from kiosk.counter import Counter
    from kiosk.documents.ticket import TicketInfo


class PrintFailed(KnownError):
    exit_code = 7


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("printers", help="printers the kiosk can use", description="List printers.")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--jobs", action="store_true", help="also list the last print jobs")
    p.set_defaults(func=cmd_printers)

    p = sub.add_parser(
        "print",
        help="print a ticket, receipt, deficiency notice or Bill Payment slip",
        description="Build a document from a case and print it, or write it to a PDF file.",
    )
    p.add_argument("document", choices=[k.value for k in DocumentKind], help="which document")
    p.add_argument("--case", required=True, metavar="NUMBER", help="case number, e.g. K01-2569-00042")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--out", type=Path, metavar="FILE.pdf", help="write the PDF here instead of printing")
    where.add_argument(
        "--printer",
        metavar="NAME",
        help="queue name, or file:/x.pdf, escpos:/dev/usb/lp0, escpos:tcp://host:9100",
    )
    p.add_argument("--reprint", metavar="JOB_ID", help="print again the document of this job (a new job)")
    p.add_argument("--ticket", metavar="A042", help="ticket number (default: the case's queue ticket)")
    p.add_argument("--ahead", type=int, default=0, help="people ahead in the queue (ticket)")
    p.add_argument("--wait", type=int, default=0, help="estimated wait in minutes (ticket)")
    p.set_defaults(func=cmd_print)


def _destination(args: argparse.Namespace, kind: DocumentKind, config: Any) -> str:
    if args.out is not None:
        return f"file:{args.out.resolve()}"
    if args.printer:
        return str(args.printer)
    return str(config.printers.ticket if kind is DocumentKind.TICKET else config.printers.documents)


def cmd_print(args: argparse.Namespace) -> int:
    from kiosk.counter import Counter
    from kiosk.devices.printer.worker import PrinterWorker
    from kiosk.documents import TicketInfo, build
    from kiosk.documents.ticket import default_ticket
    from kiosk.storage.print_jobs import PrintJobStore

    kind = DocumentKind(args.document)
    counter = Counter.open(args.data_dir)
    try:
        case = counter.cases.get(args.case)
        ticket = None
        if kind is DocumentKind.TICKET:
            ticket = _queue_ticket(args, counter, case.id)
            if ticket is None:
                ticket = TicketInfo(args.ticket or default_ticket(case).number, args.ahead, args.wait)
        doc = build(
            kind,
            case,
            counter.config,
            counter.catalog.get(case.service_code),
            now=dt.datetime.now(dt.UTC),
            ticket=ticket,
            calendar=counter.cases.calendar,
        )
        destination = _destination(args, kind, counter.config)
        store = PrintJobStore(counter.db)
        with PrinterWorker(store) as worker:
            if args.reprint:
                original = store.get(args.reprint)
                if original.case_id != case.id or original.document != kind.value:
                    raise PrintFailed(
                        "งานพิมพ์ที่ระบุไม่ใช่เอกสารนี้ของคำขอนี้",
                        f"Job {args.reprint} is not a {kind.value} of case {case.number}",
                    )
                future = worker.reprint(
                    args.reprint,
                    doc.pdf,
                    destination=destination if (args.out or args.printer) else None,
                    title=doc.title,
                )
            else:
                future = worker.submit(
                    doc.pdf, document=kind.value, case_id=case.id, destination=destination, title=doc.title
                )
            result = future.result()
        if result.error is not None:
            print(f"job {result.job_id} failed; reprint with: --reprint {result.job_id}")
            raise result.error
        where = str(args.out) if args.out else result.printer
        print(f"{kind.label_th} ({kind.label_en}) {case.number} -> {where}  [job {result.job_id}]")
        return 0
    finally:
        counter.close()


def _queue_ticket(args: argparse.Namespace, counter: Counter, case_id: str) -> TicketInfo | None:
    """The case's real queue ticket (number, people ahead and wait now), unless --ticket overrides it."""
    from kiosk.documents import TicketInfo

    if args.ticket:
        return None
    ticket = counter.queue.ticket_for_case(case_id)
    if ticket is None:
        return None
    ahead, wait = counter.queue.estimate(ticket.id)
    return TicketInfo(ticket.number, ahead, wait, ticket.issued_at)


def cmd_printers(args: argparse.Namespace) -> int:
    from kiosk.devices.printer.errors import PrinterError
    from kiosk.devices.printer.worker import system_spooler

    spooler = system_spooler()
    try:
        names, default = spooler.printers(), spooler.default()
        problem = ""
    except PrinterError as exc:
        names, default, problem = [], None, f"{exc.message_th} / {exc.message_en}"
    jobs: list[dict[str, Any]] = []
    if args.jobs:
        from kiosk.counter import Counter
        from kiosk.storage.print_jobs import PrintJobStore

        counter = Counter.open(args.data_dir)
        try:
            jobs = [
                {
                    "id": j.id,
                    "document": j.document,
                    "printer": j.printer,
                    "state": j.state,
                    "error": j.error,
                    "reprint_of": j.reprint_of,
                    "created_at": j.created_at.isoformat(),
                }
                for j in PrintJobStore(counter.db).list(limit=20)
            ]
        finally:
            counter.close()
    if args.json:
        print(
            json.dumps(
                {"printers": names, "default": default, "jobs": jobs, "problem": problem}, ensure_ascii=False
            )
        )
        return 0
    for name in names:
        print(f"{name}{'  (default)' if name == default else ''}")
    if not names:
        print("ไม่พบเครื่องพิมพ์ในระบบ / no printer queues" + (f": {problem}" if problem else ""))
    print("also: file:/path/x.pdf · escpos:/dev/usb/lp0 · escpos:tcp://host:9100")
    for j in jobs:
        mark = f" (reprint of {j['reprint_of'][:8]})" if j["reprint_of"] else ""
        print(
            f"  {j['created_at'][:19]}  {j['id']}  {j['document']:<10} {j['state']:<8} {j['printer']}{mark}"
        )
    return 0
