"""Storage figures for the counter (issue: foundation).

Prints:
- cases inserted per second, each with its events and outbox rows, committed one by one with
  synchronous=FULL as the counter does;
- p95 (and p50, p99) of looking up one citizen's cases with 1,000,000 cases in the database;
- the time to open the database (engine, pragmas, schema check) on that large file.

Usage: .venv/bin/python bench/storage.py [--cases 1000000] [--inserts 500] [--dir bench/out/storage]
The large database is built once with bulk inserts and reused by later runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import sqlite3
import statistics
import sys
import time
import uuid
from pathlib import Path

from kiosk.counter import Counter
from kiosk.demo import citizen_id
from kiosk.domain.workflow import Actor, Role
from kiosk.storage.cases import ApplicantInfo
from kiosk.storage.db import Database

CASES_PER_CITIZEN = 4


def bench_inserts(folder: Path, count: int) -> float:
    shutil.rmtree(folder, ignore_errors=True)
    counter = Counter.open(folder)
    person = ApplicantInfo("1101700230708", "นายสมชาย ใจดี", address="99 หมู่ที่ 4 ตำบลบางแก้วฟ้า")
    actor = Actor(Role.APPLICANT)
    counter.cases.submit("signboard-tax", person, {"owner_name": "warm-up"}, actor)
    started = time.perf_counter()
    for i in range(count):
        counter.cases.submit(
            "signboard-tax", person, {"owner_name": f"ผู้ยื่น {i}", "phone": "0812345678"}, actor
        )
    elapsed = time.perf_counter() - started
    counter.close()
    return count / elapsed


def build_large(folder: Path, cases: int) -> list[str]:
    """Fill a kiosk database with `cases` cases of cases/4 citizens; returns the citizens' IDs."""
    marker = folder / "built.json"
    if marker.exists():
        info = json.loads(marker.read_text())
        if info["cases"] == cases:
            return list(info["citizens"])
    shutil.rmtree(folder, ignore_errors=True)
    counter = Counter.open(folder)  # schema and lookup key
    rng = random.Random(1)  # noqa: S311 - benchmark data
    citizens = [citizen_id(rng) for _ in range(cases // CASES_PER_CITIZEN)]
    refs = [counter.cases.citizen_ref(c) for c in citizens]
    counter.close()
    db = sqlite3.connect(folder / "kiosk.sqlite")
    db.execute("PRAGMA synchronous=OFF")  # building the fixture, not measuring it
    now = dt.datetime(2026, 1, 1)
    applicant_ids = [str(uuid.uuid4()) for _ in citizens]
    db.executemany(
        "INSERT INTO applicants (id, citizen_ref, citizen_id, name_th, name_en, birth_date, address, phone, created_at)"
        " VALUES (?, ?, ?, 'นายทดสอบ ระบบ', '', '', 'หมู่ที่ 4', '', ?)",
        ((a, r, c, now) for a, r, c in zip(applicant_ids, refs, citizens, strict=True)),
    )
    services = ["signboard-tax", "house-and-land-tax", "building-construction-permit", "market-license"]

    def rows() -> object:
        for i in range(cases):
            yield (
                str(uuid.uuid4()),
                f"K{1 + i % 9:02d}-2569-{i:07d}",
                services[i % len(services)],
                applicant_ids[rng.randrange(len(applicant_ids))],
                "submitted",
                now + dt.timedelta(seconds=i),
            )

    db.executemany(
        "INSERT INTO cases (id, number, service_code, service_version, applicant_id, state, form_data, priority,"
        " kiosk_id, created_at, updated_at, sla_extensions) VALUES (?, ?, ?, 1, ?, ?, '{}', '', 'K01', ?, ?, 0)",
        ((*r, r[-1]) for r in rows()),  # type: ignore[attr-defined]
    )
    db.commit()
    db.execute("ANALYZE")
    db.close()
    marker.write_text(json.dumps({"cases": cases, "citizens": citizens[:5000]}))
    return citizens[:5000]


def bench_lookups(folder: Path, citizens: list[str], samples: int) -> list[float]:
    counter = Counter.open(folder)
    rng = random.Random(2)  # noqa: S311 - benchmark data
    timings = []
    found = 0
    for _ in range(samples):
        who = rng.choice(citizens)
        started = time.perf_counter()
        found += len(counter.cases.for_citizen(who))
        timings.append(time.perf_counter() - started)
    counter.close()
    if not found:
        sys.exit("lookups found no cases: the benchmark database is wrong")
    return timings


def bench_open(folder: Path, times: int) -> list[float]:
    timings = []
    for _ in range(times):
        started = time.perf_counter()
        db = Database(folder)
        with db.session() as s:
            s.connection().exec_driver_sql("SELECT 1")
        timings.append(time.perf_counter() - started)
        db.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--inserts", type=int, default=500)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--dir", type=Path, default=Path("bench/out/storage"))
    args = parser.parse_args()

    rate = bench_inserts(args.dir / "inserts", args.inserts)
    print(
        f"inserts: {rate:,.0f} cases/s (each 2 events + 2 outbox rows + checklist, one commit each, synchronous=FULL)"
    )

    started = time.perf_counter()
    citizens = build_large(args.dir / "large", args.cases)
    print(f"large database: {args.cases:,} cases ready in {time.perf_counter() - started:.1f} s")
    timings = sorted(bench_lookups(args.dir / "large", citizens, args.lookups))

    def pct(p: float) -> float:
        return timings[min(len(timings) - 1, int(p * len(timings)))] * 1000

    print(
        f"citizen lookup with {args.cases:,} cases: p50 {pct(0.5):.2f} ms, p95 {pct(0.95):.2f} ms, p99 {pct(0.99):.2f} ms"
    )
    opens = bench_open(args.dir / "large", 20)
    print(
        f"database open ({args.cases:,} cases): median {statistics.median(opens) * 1000:.1f} ms, max {max(opens) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
