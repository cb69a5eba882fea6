"""Card read benchmark: block reads vs the usual field-by-field method, on pcscd + vpcd + the virtual card.

    .venv/bin/python bench/card.py [--latency-ms 40] [--runs 3] [--profile nampueng]

Each transmit costs `--latency-ms` in the virtual card (a typical real reader: ~40 ms). Wall times are
medians; "detect" is how long pcscd took to report the inserted card (vpcd is polled every ~0.4 s,
a USB reader reports at once), "read" is from that moment to the parsed record, and "total" is from
insertion to record. Uses the running pcscd, or starts one with its own vpcd config.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.devices.card import layout  # noqa: E402
from kiosk.devices.card.errors import TransportError  # noqa: E402
from kiosk.devices.card.parser import parse_record  # noqa: E402
from kiosk.devices.card.pcsc import PcscConnection, PcscContext  # noqa: E402
from kiosk.devices.card.profile import load_profile  # noqa: E402
from kiosk.devices.card.protocol import ThaiIdProtocol  # noqa: E402
from kiosk.devices.card.reader import read_from_transport  # noqa: E402
from kiosk.devices.card.simulator import VirtualCard, VpcdSimulator  # noqa: E402

READER = "Virtual PCD 00 00"
DRIVER = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"


def pcscd_listening() -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        try:
            s.connect("/run/pcscd/pcscd.comm")
        except OSError:
            return False
    return True


def start_pcscd(workdir: Path) -> subprocess.Popen[bytes]:
    conf = workdir / "reader.conf.d"
    conf.mkdir()
    (conf / "vpcd").write_text(
        f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:0x8C7B\nLIBPATH {DRIVER}\nCHANNELID 0x8C7B\n'
    )
    proc = subprocess.Popen(
        [shutil.which("pcscd") or "pcscd", "-f", "-c", str(conf)], stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with PcscContext() as ctx:
                if READER in ctx.list_readers():
                    return proc
        except TransportError:
            pass
        time.sleep(0.1)
    proc.terminate()
    raise SystemExit("pcscd did not list the vpcd reader")


def block_method(conn: PcscConnection, with_photo: bool) -> int:
    result = read_from_transport(conn, conn.atr, with_photo=with_photo)
    return result.transmits


def field_method(conn: PcscConnection, with_photo: bool) -> int:
    proto = ThaiIdProtocol(conn, conn.atr)
    proto.select()
    raw = proto.read_fields_one_by_one(layout.CLASSIC_TEXT_FIELDS)
    raw.update(issuer_code=b"", card_type=b"")
    photo = None
    if with_photo:
        buf = b"".join(
            proto.read_binary(layout.PHOTO.offset + layout.PHOTO_CHUNK * i, layout.PHOTO_CHUNK)
            for i in range(layout.PHOTO_CHUNKS)
        )
        photo = buf[: buf.rfind(b"\xff\xd9") + 2]
    parse_record(raw, photo)
    return proto.transmits


def one_run(
    method: Callable[[PcscConnection, bool], int], profile: str, with_photo: bool, latency: float
) -> tuple[int, float, float]:
    with PcscContext() as ctx:
        known = ctx.reader_state(READER).current
        sim = VpcdSimulator(VirtualCard(load_profile(profile)), latency=latency, reconnect=False)
        t0 = time.perf_counter()
        sim.start()
        while True:
            states = ctx.get_status_change({READER: known}, 5.0)
            if states:
                known = states[0].current
                if states[0].present:
                    break
        t_detect = time.perf_counter()
        conn = ctx.connect(READER)
        try:
            transmits = method(conn, with_photo)
        finally:
            conn.close()
        t_done = time.perf_counter()
        sim.stop()
        while ctx.reader_state(READER).present:
            ctx.get_status_change({READER: ctx.reader_state(READER).current}, 2.0)
    return transmits, t_detect - t0, t_done - t_detect


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--latency-ms", type=float, default=40.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", default="nampueng", help="nampueng's photo uses all 20 chunks")
    args = parser.parse_args()
    latency = args.latency_ms / 1000

    proc = None
    tmp = tempfile.TemporaryDirectory()
    if not pcscd_listening():
        proc = start_pcscd(Path(tmp.name))
    try:
        print(
            f"virtual card {args.profile!r}, {args.latency_ms:.0f} ms per transmit, median of {args.runs} runs"
        )
        header = f"{'':14}{'method':16}{'transmits':>10}{'detect s':>10}{'read s':>9}{'total s':>9}"
        print(header)
        print("-" * len(header))
        for label, with_photo in (("text", False), ("text + photo", True)):
            for name, method in (("block (ours)", block_method), ("field by field", field_method)):
                runs = [one_run(method, args.profile, with_photo, latency) for _ in range(args.runs)]
                transmits = runs[0][0]
                detect = statistics.median(r[1] for r in runs)
                read = statistics.median(r[2] for r in runs)
                print(f"{label:14}{name:16}{transmits:>10}{detect:>10.3f}{read:>9.3f}{detect + read:>9.3f}")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
