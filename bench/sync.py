"""Sync throughput: 10,000 events queued offline, then drained to a central server on PostgreSQL.

Prints events per second drained, the time until the outbox is empty, and the peak memory (RSS) of
the kiosk's sync process and of the server process. Everything runs on loopback; the PostgreSQL
database is created for the run and dropped after it.

    .venv/bin/python bench/sync.py [--events 10000] [--batch 500] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from central.app import build_service  # noqa: E402
from central.db import Database as CentralDatabase  # noqa: E402
from central.db import upgrade  # noqa: E402
from kiosk.counter import Counter  # noqa: E402
from kiosk.demo import citizen_id  # noqa: E402
from kiosk.domain.workflow import Actor, Role  # noqa: E402
from kiosk.storage.cases import ApplicantInfo  # noqa: E402
from kiosk.sync.client import CentralClient  # noqa: E402
from kiosk.sync.credentials import Credential, save_credential  # noqa: E402

PG_SOCKET = "/var/run/postgresql"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--keep", type=Path, default=None, help="keep the kiosk's data directory here")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    data_dir = args.keep or work / "kiosk"
    name = f"bench_sync_{os.getpid()}_{secrets.token_hex(3)}"
    url = f"postgresql+psycopg://@/{name}?host={PG_SOCKET}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server: subprocess.Popen[bytes] | None = None
    with psycopg.connect(f"host={PG_SOCKET} dbname=postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        db = CentralDatabase(url)
        upgrade(db.engine)
        db.close()

        # Offline: every submission writes two events (created, submitted) to the outbox.
        data_dir.mkdir(parents=True, exist_ok=True)
        (data_dir / "kiosk.toml").write_text('[kiosk]\nid = "B01"\n', encoding="utf-8")
        counter = Counter.open(data_dir)
        rng = random.Random(2569)  # noqa: S311
        codes = [s.code for s in counter.catalog]
        staff = Actor(Role.STAFF, "bench")
        started = time.perf_counter()
        for _ in range(args.events // 2):
            person = ApplicantInfo(citizen_id(rng), "นายทดสอบ ประสิทธิภาพ", address="1 หมู่ที่ 1")
            counter.cases.submit(rng.choice(codes), person, {"note": "bench"}, staff)
        queued = counter.cases.pending_outbox()
        print(f"queued offline: {queued} events in {time.perf_counter() - started:.1f}s")

        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "central.cli",
                "--database-url",
                url,
                "serve",
                "--port",
                str(port),
                "--quiet",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        code = build_service(url).enrolment_code("B01")
        answer = CentralClient.enrol(base, code)
        save_credential(data_dir, Credential(base, answer.kiosk_id, answer.token))
        counter.close()

        # The kiosk side is its own process, as `kiosk sync run --once`, so its memory is its own.
        command = [
            sys.executable,
            "-m",
            "kiosk.sync.commands",
            "--data-dir",
            str(data_dir),
            "sync",
            "run",
            "--once",
            "--batch",
            str(args.batch),
        ]
        t0 = time.perf_counter()
        kiosk = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        _, status, usage = os.wait4(kiosk.pid, 0)
        elapsed = time.perf_counter() - t0
        out = kiosk.stdout.read() if kiosk.stdout else ""
        if os.waitstatus_to_exitcode(status) != 0:
            print(out)
            raise SystemExit("sync failed")
        counter = Counter.open(data_dir)
        left = counter.cases.pending_outbox()
        counter.close()
        in_pass = float(out.rsplit(",", 1)[-1].strip().rstrip("s")) if out else elapsed
        print(f"kiosk: {out.strip()}")
        print(f"outbox empty after {elapsed:.2f}s (process start included), {left} left")
        print(f"drained: {queued / in_pass:,.0f} events/s in the sync pass ({queued / elapsed:,.0f}/s wall)")
        print(
            f"peak memory: kiosk sync process {usage.ru_maxrss / 1024:.0f} MiB, "
            f"server process {peak_rss_kib(server.pid) / 1024:.0f} MiB"
        )
        print(
            f"bench process (case writing) {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
        )
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(10)
        with psycopg.connect(f"host={PG_SOCKET} dbname=postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
