"""Storage figures for the counter (issue: foundation).

Prints:
- cases inserted per second, each with its events and outbox rows, committed one by one with
  synchronous=FULL as the counter does;
- p95 (and p50, p99) of looking up one citizen's cases with 1,000,000 cases in the database;
- the time to open the database (engine, pragmas, schema check) on that large file;
- the cost of sealing personal data (docs/privacy.md): one seal and one open of an applicant's
  fields, and a retention purge of 1,000 applicants.

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
from kiosk.storage.crypto import MasterKey, applicant_aad, open_sealed, seal
from kiosk.storage.db import Database
from kiosk.storage.privacy import APPLICANT_FIELDS

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
    master = counter.db.keys
    counter.close()
    db = sqlite3.connect(folder / "kiosk.sqlite")
    db.execute("PRAGMA synchronous=OFF")  # building the fixture, not measuring it
    now = dt.datetime(2026, 1, 1)
    applicant_ids = [str(uuid.uuid4()) for _ in citizens]

    def people() -> object:
        for a, r, c in zip(applicant_ids, refs, citizens, strict=True):
            dek = master.new_dek()
            fields = dict.fromkeys(APPLICANT_FIELDS, "") | {"citizen_id": c, "name_th": "นายทดสอบ ระบบ"}
            yield a, r, master.wrap(dek, a), seal(dek, fields, applicant_aad(a)), now

    db.executemany(
        "INSERT INTO applicants (id, citizen_ref, wrapped_key, sealed, created_at) VALUES (?, ?, ?, ?, ?)",
        people(),  # type: ignore[arg-type]
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
        "INSERT INTO cases (id, number, service_code, service_version, applicant_id, state, priority,"
        " kiosk_id, created_at, updated_at, sla_extensions) VALUES (?, ?, ?, 1, ?, ?, '', 'K01', ?, ?, 0)",
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


def bench_sealing(samples: int) -> tuple[float, float]:
    """Microseconds to seal, and to unwrap the key and open, one applicant's fields."""
    master = MasterKey(bytes(32))
    fields = dict.fromkeys(APPLICANT_FIELDS, "หมู่ที่ 4 ตำบลบางแก้วฟ้า") | {"citizen_id": "1101700230708"}
    dek = master.new_dek()
    wrapped = master.wrap(dek, "a")
    started = time.perf_counter()
    blobs = [seal(dek, fields, applicant_aad("a")) for _ in range(samples)]
    sealing = (time.perf_counter() - started) / samples
    started = time.perf_counter()
    for blob in blobs:
        open_sealed(master.unwrap(wrapped, "a"), blob, applicant_aad("a"))
    opening = (time.perf_counter() - started) / samples
    return sealing * 1e6, opening * 1e6


def bench_purge(folder: Path, applicants: int) -> float:
    """Seconds to purge `applicants` applicants (one case each, confirmed) in one run."""
    shutil.rmtree(folder, ignore_errors=True)
    counter = Counter.open(folder)
    actor = Actor(Role.APPLICANT)
    rng = random.Random(3)  # noqa: S311 - benchmark data
    for _ in range(applicants):
        person = ApplicantInfo(citizen_id(rng), "นายทดสอบ ระบบ", address="หมู่ที่ 4")
        counter.cases.submit("signboard-tax", person, {"owner_name": "ผู้ยื่น"}, actor)
    with counter.db.unit_of_work() as s, s.begin():
        s.connection().exec_driver_sql("UPDATE cases SET server_confirmed_at = '2026-01-01 00:00:00.000000'")
        s.connection().exec_driver_sql("UPDATE outbox SET sent_at = '2026-01-01 00:00:00.000000'")
    started = time.perf_counter()
    report = counter.retention.purge()
    elapsed = time.perf_counter() - started
    counter.close()
    if report.applicants != applicants:
        sys.exit(f"purge removed {report.applicants} of {applicants} applicants")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--inserts", type=int, default=500)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--dir", type=Path, default=Path("bench/out/storage"))
    parser.add_argument("--purge", type=int, default=1000, help="applicants purged in one run")
    args = parser.parse_args()

    seal_us, open_us = bench_sealing(20_000)
    print(
        f"sealing: {seal_us:.1f} µs to seal an applicant's fields, {open_us:.1f} µs to unwrap the key and open them"
    )

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
    purge = bench_purge(args.dir / "purge", args.purge)
    print(f"purge: {args.purge:,} applicants removed in {purge:.2f} s (50 per transaction, audit entry each)")
    opens = bench_open(args.dir / "large", 20)
    print(
        f"database open ({args.cases:,} cases): median {statistics.median(opens) * 1000:.1f} ms, max {max(opens) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
