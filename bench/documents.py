"""Document build benchmark: milliseconds to build each document from a case, and peak memory.

    .venv/bin/python bench/documents.py [--runs 200]

A demo office is seeded in a temporary data directory; each document is built `--runs` times from
the same case snapshot (the printer worker's work: layout, shaping, line breaking, codes, PDF bytes;
not the database read). The first build of the process registers the fonts and loads libthai and is
reported apart ("first"). Peak memory is the process's maximum resident set size (ru_maxrss) and the
Python heap peak seen by tracemalloc during one extra build of each document.
Goals (issue 4): ticket < 25 ms, slip < 80 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.counter import Counter  # noqa: E402
from kiosk.demo import seed  # noqa: E402
from kiosk.documents import DocumentKind, TicketInfo, build  # noqa: E402
from kiosk.domain.workflow import CaseState  # noqa: E402

STATES = {
    DocumentKind.TICKET: CaseState.SUBMITTED,
    DocumentKind.RECEIPT: CaseState.UNDER_REVIEW,
    DocumentKind.DEFICIENCY: CaseState.NEEDS_FIX,
    DocumentKind.SLIP: CaseState.AWAITING_PAYMENT,
}
GOALS = {DocumentKind.TICKET: 25.0, DocumentKind.SLIP: 80.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    now = dt.datetime(2026, 7, 15, 2, 5, tzinfo=dt.UTC)
    with tempfile.TemporaryDirectory() as tmp:
        counter = Counter.open(Path(tmp))
        seed(counter, now=now)
        cases = {k: counter.cases.get(counter.cases.find(state=s)[0].number) for k, s in STATES.items()}

        def one(kind: DocumentKind) -> bytes:
            case = cases[kind]
            return build(
                kind,
                case,
                counter.config,
                counter.catalog.get(case.service_code),
                now=now,
                ticket=TicketInfo("A042", 5, 20),
                calendar=counter.cases.calendar,
            ).pdf

        start = time.perf_counter()
        one(DocumentKind.TICKET)
        first_ms = (time.perf_counter() - start) * 1000
        print(f"first build of the process (fonts, libthai): {first_ms:.1f} ms\n")
        print(f"{'document':<12}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'KiB':>8}{'heap peak KiB':>15}  goal")
        failed = False
        for kind in DocumentKind:
            times = []
            size = 0
            for _ in range(args.runs):
                t0 = time.perf_counter()
                size = len(one(kind))
                times.append((time.perf_counter() - t0) * 1000)
            tracemalloc.start()
            one(kind)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            times.sort()
            p50 = statistics.median(times)
            p95 = times[int(len(times) * 0.95) - 1]
            goal = GOALS.get(kind)
            verdict = "" if goal is None else f"< {goal:.0f} ms {'ok' if p95 < goal else 'MISSED'}"
            failed |= goal is not None and p95 >= goal
            print(
                f"{kind.value:<12}{p50:>9.1f}{p95:>9.1f}{times[-1]:>9.1f}{size / 1024:>8.0f}{peak / 1024:>15.0f}  {verdict}"
            )
        counter.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory of the process: {rss:.0f} MiB ({args.runs} builds of each document)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
