"""`kiosk queue ...`: the office queue from the command line (docs/queue.md).

    kiosk queue issue A [--priority elderly]      a ticket, its people ahead and wait
    kiosk queue list [--group A]                  today's line, in calling order
    kiosk queue open|break|resume|close --counter 1 --staff S001
    kiosk queue call --counter 1 [--number A007]  call the next ticket (or a given one)
    kiosk queue recall|miss|start|finish --counter 1
    kiosk queue transfer --counter 1 [--group B] [--to-counter 3] [--reason ...]
    kiosk queue return A007 | priority A007 monk --reason ... | link A007 K01-2569-00042
    kiosk queue cancel A007 --reason ...          take a ticket out of the line for good
    kiosk queue board [--json]
    kiosk queue stats --from 2026-11-01 --to 2026-11-30 [--csv FILE]

`add_commands(sub)` (alias `register`) plugs these into `kiosk.cli`. Known errors (a counter on a
break, no ticket called) are raised as `KnownError` for the caller to print in Thai and English.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kiosk.config import load_config
from kiosk.counter import Counter
from kiosk.domain.sla import BANGKOK
from kiosk.errors import KnownError
from kiosk.storage.db import Database
from kiosk.storage.queue import QueueStore, TicketView

Handler = Callable[[argparse.Namespace], int]
PRIORITY_CHOICES = ("", "elderly", "disabled", "pregnant", "monk")


class BadDate(KnownError):
    exit_code = 2


@contextmanager
def _queue(args: argparse.Namespace, *, cases: bool = False) -> Iterator[QueueStore]:
    """The queue on the data directory; `cases=True` for the actions that write into a ticket's case
    (start, finish, and call, which finishes the ticket being served): the whole counter is opened."""
    if cases:
        counter = Counter.open(args.data_dir)
        try:
            yield counter.queue
        finally:
            counter.close()
        return
    config = load_config(args.data_dir)
    db = Database(args.data_dir)
    try:
        yield QueueStore(db, config, kiosk_id=config.kiosk.id)
    finally:
        db.close()


def _json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _clock(moment: dt.datetime | None) -> str:
    return moment.astimezone(BANGKOK).strftime("%H:%M") if moment else "-"


def _line(t: TicketView) -> str:
    mark = f" [{t.priority}]" if t.priority else ""
    where = (
        f" counter {t.counter}"
        if t.counter
        else (f" -> counter {t.target_counter}" if t.target_counter else "")
    )
    case = f" case {t.case_number}" if t.case_number else ""
    return f"{t.number:<6} {t.state:<8} issued {_clock(t.issued_at)}{where}{mark}{case}"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise BadDate(f"วันที่ไม่ถูกต้อง: {text}", f"Not a date (YYYY-MM-DD): {text}") from exc


# --- handlers -----------------------------------------------------------------------------------


def cmd_issue(args: argparse.Namespace) -> int:
    with _queue(args) as q:
        issued = q.issue(args.group, priority=args.priority)
    if args.json:
        _json(_plain(issued))
        return 0
    t = issued.ticket
    print(f"{t.number}  รอก่อนหน้า {issued.people_ahead} คิว ประมาณ {issued.wait_minutes} นาที")
    print(f"{t.number}  {issued.people_ahead} ahead, about {issued.wait_minutes} min")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with _queue(args) as q:
        tickets = q.waiting([args.group] if args.group else None)
    if args.json:
        _json(_plain(tickets))
        return 0
    for t in tickets:
        print(_line(t))
    print(f"\n{len(tickets)} waiting")
    return 0


def _counter_action(action: str) -> Handler:
    def run(args: argparse.Namespace) -> int:
        with _queue(args) as q:
            if action == "open":
                view: Any = q.open_counter(args.counter, args.staff)
            elif action == "break":
                view = q.set_break(args.counter, True, args.staff)
            elif action == "resume":
                view = q.set_break(args.counter, False, args.staff)
            else:
                view = q.close_counter(args.counter, args.staff)
        print(f"counter {view.id}: {view.state}")
        return 0

    return run


def cmd_call(args: argparse.Namespace) -> int:
    with _queue(args, cases=True) as q:
        if args.number:
            ticket: TicketView | None = q.call_ticket(args.counter, args.number, args.staff)
        else:
            ticket = q.call_next(args.counter, args.staff)
    if ticket is None:
        print("ไม่มีคิวรอ / nobody is waiting for this counter")
        return 0
    print(_line(ticket))
    return 0


def _ticket_action(action: str) -> Handler:
    def run(args: argparse.Namespace) -> int:
        with _queue(args, cases=action in ("start", "finish")) as q:
            actions: dict[str, Callable[[], TicketView]] = {
                "recall": lambda: q.recall(args.counter, args.staff),
                "miss": lambda: q.miss(args.counter, args.staff),
                "start": lambda: q.start(args.counter, args.staff),
                "finish": lambda: q.finish(args.counter, args.staff),
            }
            ticket = actions[action]()
        print(_line(ticket))
        return 0

    return run


def cmd_transfer(args: argparse.Namespace) -> int:
    with _queue(args) as q:
        ticket = q.transfer(
            args.counter, args.staff, group=args.group, to_counter=args.to_counter, reason=args.reason
        )
    print(_line(ticket))
    return 0


def cmd_return(args: argparse.Namespace) -> int:
    with _queue(args) as q:
        print(_line(q.return_ticket(args.number, args.staff)))
    return 0


def cmd_priority(args: argparse.Namespace) -> int:
    with _queue(args) as q:
        print(_line(q.set_priority(args.number, args.priority, args.staff, args.reason)))
    return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    with _queue(args) as q:
        print(_line(q.cancel(args.number, args.staff, args.reason)))
    return 0


def cmd_link(args: argparse.Namespace) -> int:
    with _queue(args) as q:
        print(_line(q.link_case(args.number, args.case, args.staff)))
    return 0


def cmd_board(args: argparse.Namespace) -> int:
    with _queue(args) as q:
        board = q.board(recent=args.recent)
    if args.json:
        _json(_plain(board))
        return 0
    print("กำลังให้บริการ / now serving")
    for t in board.now_serving:
        print(f"  {t.number:<6} -> counter {t.counter}  ({t.state})")
    print("เรียกล่าสุด / recently called: " + " ".join(t.number for t in board.recent))
    print("รอ / waiting")
    for g in board.groups:
        print(
            f"  {g.prefix}  {g.waiting:>3} waiting ({g.priority_waiting} priority)"
            f"  avg {g.average_minutes:.1f} min  new ticket ~{g.wait_minutes} min  {g.name_en}"
        )
    for c in board.counters:
        current = c.current.number if c.current else "-"
        print(f"  counter {c.id:<3} {c.state:<6} {current}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    first, last = _date(args.first), _date(args.last)
    if last < first:
        raise BadDate("วันสิ้นสุดอยู่ก่อนวันเริ่ม", "--to is before --from")
    with _queue(args) as q:
        if args.csv is not None:
            args.csv.write_text(q.stats_csv(first, last), encoding="utf-8")
            print(f"wrote {args.csv}")
            return 0
        rows = q.stats(first, last)
    if args.json:
        _json([{**_plain(r), "no_show_rate": r.no_show_rate} for r in rows])
        return 0

    def num(v: float | None) -> str:
        return "-" if v is None else f"{v:.1f}"

    print("date        group counter tickets served no_show rate   wait(avg/max)  service")
    for r in rows:
        print(
            f"{r.day.isoformat()}  {r.group:<5} {r.counter:<7} {r.tickets:>7} {r.served:>6} {r.no_shows:>7}"
            f" {r.no_show_rate:>5.0%}  {num(r.avg_wait_minutes):>5}/{num(r.max_wait_minutes):<6}  "
            f"{num(r.avg_service_minutes)}"
        )
    return 0


# --- the parser ---------------------------------------------------------------------------------


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    queue = sub.add_parser(
        "queue", help="the office queue: tickets, counters, board, statistics", description=__doc__
    )
    qsub = queue.add_subparsers(dest="action", metavar="ACTION", required=True)

    def add(name: str, func: Handler, help_text: str, *, json_flag: bool = False) -> argparse.ArgumentParser:
        p = qsub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        if json_flag:
            p.add_argument("--json", action="store_true", help="print JSON")
        return p

    def counter_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--counter", required=True, help="counter id, e.g. 1")
        p.add_argument("--staff", default="cli", help="staff sign-in code recorded with the action")

    p = add("issue", cmd_issue, "issue a ticket (a walk-in) and print its estimate", json_flag=True)
    p.add_argument("group", help="group prefix, e.g. A")
    p.add_argument("--priority", default="", choices=PRIORITY_CHOICES, help="priority mark")
    p = add("list", cmd_list, "today's waiting tickets in calling order", json_flag=True)
    p.add_argument("--group", help="only this group")
    for name, text in (
        ("open", "open a counter"),
        ("break", "put a counter on a break"),
        ("resume", "end a counter's break"),
        ("close", "close a counter"),
    ):
        counter_args(add(name, _counter_action(name), text))
    p = add("call", cmd_call, "call the next ticket at a counter (or --number a given one)")
    counter_args(p)
    p.add_argument("--number", help="call this ticket out of turn, e.g. A007")
    for name, text in (
        ("recall", "call the counter's ticket again"),
        ("miss", "skip the called ticket (called again after the grace; the second time: no-show)"),
        ("start", "the applicant is at the counter: start the service"),
        ("finish", "finish the service"),
    ):
        counter_args(add(name, _ticket_action(name), text))
    p = add("transfer", cmd_transfer, "send the counter's ticket to another group and/or counter")
    counter_args(p)
    p.add_argument("--group", help="new group prefix")
    p.add_argument("--to-counter", dest="to_counter", help="a counter that alone may call it")
    p.add_argument("--reason", default="", help="why (kept in the history)")
    p = add("return", cmd_return, "put a no-show ticket back in line (late arrival, same day)")
    p.add_argument("number")
    p.add_argument("--staff", default="cli")
    p = add("priority", cmd_priority, "set or clear a ticket's priority, with a reason")
    p.add_argument("number")
    p.add_argument("priority", choices=PRIORITY_CHOICES, help='"" clears it')
    p.add_argument("--reason", required=True)
    p.add_argument("--staff", default="cli")
    p = add("link", cmd_link, "link a walk-in's ticket to its case")
    p.add_argument("number")
    p.add_argument("case", help="case number, e.g. K01-2569-00042")
    p.add_argument("--staff", default="cli")
    p = add("cancel", cmd_cancel, "take today's ticket out of the line for good (the applicant left)")
    p.add_argument("number")
    p.add_argument("--reason", required=True, help="why (kept in the history)")
    p.add_argument("--staff", default="cli")
    p = add("board", cmd_board, "what the display board shows now", json_flag=True)
    p.add_argument("--recent", type=int, default=6, help="how many recent calls")
    p = add(
        "stats", cmd_stats, "waiting and service times, no-shows per day, group and counter", json_flag=True
    )
    p.add_argument("--from", dest="first", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="last", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--csv", type=Path, metavar="FILE", help="write CSV here")


register = add_commands
