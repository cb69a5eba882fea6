"""Queue figures (issue 7: the office queue).

Prints:
- tickets issued per second end to end, as the kiosk does it: the case and its queue ticket committed
  in one transaction (synchronous=FULL), the case read back, the estimate, the ticket PDF built with
  `kiosk.documents.build(DocumentKind.TICKET, ...)` and written to a file; with the share of each step;
- walk-in tickets per second (`QueueStore.issue` alone: number, event, projection, estimate);
- call-next latency (p50, p95, p99) at one counter with 5,000 tickets waiting (10 % priority, some
  missed tickets in their grace), each call a committed transaction; and the board's read time.

Usage: .venv/bin/python bench/queue.py [--tickets 200] [--waiting 5000] [--calls 300] [--dir bench/out/queue]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import time
from pathlib import Path

from kiosk.counter import Counter
from kiosk.documents import DocumentKind, TicketInfo, build
from kiosk.domain.sla import BANGKOK
from kiosk.domain.workflow import Actor, Role
from kiosk.storage.cases import ApplicantInfo
from kiosk.storage.queue import QueueStore

PERSON = ApplicantInfo("1101700230708", "นายสมชาย ใจดี", address="99 หมู่ที่ 4 ตำบลบางแก้วฟ้า")


def _open(folder: Path) -> tuple[Counter, QueueStore]:
    shutil.rmtree(folder, ignore_errors=True)
    counter = Counter.open(folder)
    queue = QueueStore(counter.db, counter.config, kiosk_id=counter.config.kiosk.id)
    counter.cases.queue = queue
    return counter, queue


def bench_end_to_end(folder: Path, count: int) -> tuple[float, dict[str, float]]:
    counter, queue = _open(folder)
    out = folder / "printed"
    out.mkdir()
    actor = Actor(Role.APPLICANT)
    steps = {"commit case + ticket": 0.0, "read back + estimate": 0.0, "build PDF": 0.0, "write PDF": 0.0}
    services = ["signboard-tax", "elderly-allowance-registration", "building-construction-permit"]
    try:
        started = time.perf_counter()
        for i in range(count):
            t0 = time.perf_counter()
            submitted = counter.cases.submit(
                services[i % 3],
                PERSON,
                {"owner_name": f"ผู้ยื่น {i}"},
                actor,
                priority="elderly" if i % 7 == 0 else "",
                ticket_group="",
            )
            t1 = time.perf_counter()
            case = counter.cases.get(submitted.number)  # the printer adapter reads the full case
            ticket = queue.ticket_for_case(case.id)
            assert ticket is not None and ticket.number == submitted.ticket_number
            ahead, wait = queue.estimate(ticket.id)
            t2 = time.perf_counter()
            doc = build(
                DocumentKind.TICKET,
                case,
                counter.config,
                counter.catalog.get(case.service_code),
                ticket=TicketInfo(ticket.number, ahead, wait, ticket.issued_at),
                calendar=counter.cases.calendar,
            )
            t3 = time.perf_counter()
            (out / f"{case.number}-ticket.pdf").write_bytes(doc.pdf)
            t4 = time.perf_counter()
            for key, spent in zip(steps, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                steps[key] += spent
        elapsed = time.perf_counter() - started
    finally:
        counter.close()
    return count / elapsed, {k: v / elapsed for k, v in steps.items()}


def bench_walk_in(folder: Path, count: int) -> float:
    counter, queue = _open(folder)
    try:
        started = time.perf_counter()
        for i in range(count):
            queue.issue("ABC"[i % 3])
        return count / (time.perf_counter() - started)
    finally:
        counter.close()


def bench_call_next(folder: Path, waiting: int, calls: int) -> tuple[list[float], float, int]:
    counter, queue = _open(folder)
    day = dt.datetime.now(BANGKOK).replace(hour=7, minute=0, second=0, microsecond=0)
    try:
        with counter.db.unit_of_work() as s, s.begin():  # the fixture, not the measurement
            for i in range(waiting + calls + 5):
                queue.issue_in(
                    s, "ABC"[i % 3], priority="monk" if i % 10 == 0 else "", now=day + dt.timedelta(seconds=i)
                )
        now = day + dt.timedelta(hours=3)
        queue.open_counter("2", "S001", now=now)
        for i in range(5):  # a few missed tickets in their grace: call_next checks them every time
            queue.call_next("2", "S001", now=now + dt.timedelta(seconds=i))
            queue.miss("2", "S001", now=now + dt.timedelta(seconds=i, milliseconds=500))
        timings = []
        for i in range(calls):
            at = now + dt.timedelta(minutes=1, seconds=i)
            started = time.perf_counter()
            ticket = queue.call_next("2", "S001", now=at)
            timings.append((time.perf_counter() - started) * 1000)
            assert ticket is not None
            queue.start("2", "S001", now=at + dt.timedelta(milliseconds=500))
        left = len(queue.waiting(now=at))
        started = time.perf_counter()
        for _ in range(20):
            queue.board(now=at)
        board_ms = (time.perf_counter() - started) * 1000 / 20
        return timings, board_ms, left
    finally:
        counter.close()


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=200, help="tickets issued end to end")
    parser.add_argument("--waiting", type=int, default=5000, help="tickets waiting during the call-next run")
    parser.add_argument("--calls", type=int, default=300, help="calls measured")
    parser.add_argument("--dir", type=Path, default=Path("bench/out/queue"))
    args = parser.parse_args()

    rate, shares = bench_end_to_end(args.dir / "end-to-end", args.tickets)
    split = ", ".join(f"{k} {v:.0%}" for k, v in shares.items())
    print(
        f"end to end: {rate:,.1f} tickets/s (case + ticket committed, ticket PDF built and written; {split})"
    )
    print(
        f"walk-in: {bench_walk_in(args.dir / 'walk-in', args.tickets):,.1f} tickets/s (QueueStore.issue, one commit each)"
    )
    timings, board_ms, left = bench_call_next(args.dir / "call-next", args.waiting, args.calls)
    print(
        f"call next with {left:,}+ waiting: p50 {statistics.median(timings):.1f} ms, p95 {_pct(timings, 95):.1f} ms,"
        f" p99 {_pct(timings, 99):.1f} ms over {len(timings)} calls (each committed, synchronous=FULL)"
    )
    print(f"board: {board_ms:.1f} ms to read everything the wall screen shows")


if __name__ == "__main__":
    main()
