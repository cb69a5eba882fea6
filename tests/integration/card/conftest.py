"""The real PC/SC stack for the card tests: pcscd with the vpcd driver and the project's virtual card.

A session-wide pcscd is started in the foreground (`pcscd -f -c <dir>`) with its own reader.conf.d
holding only the vpcd driver, so the tests do not depend on /etc/reader.conf.d. If a pcscd not started
by us is already running (pcsc-lite 1.9 has one fixed socket per host), it is reused and the tests that
stop or restart the daemon are skipped.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from kiosk.devices.card.errors import TransportError
from kiosk.devices.card.pcsc import PcscContext
from kiosk.devices.card.profile import load_profile
from kiosk.devices.card.service import (
    CardError,
    CardEvent,
    CardInserted,
    CardRead,
    CardRemoved,
    ReaderAdded,
    ReaderRemoved,
)
from kiosk.devices.card.simulator import VirtualCard, VpcdSimulator

pytestmark = pytest.mark.integration

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")
READER = "Virtual PCD 00 00"
READER_2 = "Virtual PCD 00 01"

E = TypeVar("E")


def _daemon_listening() -> bool:
    if not PCSCD_SOCKET.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        try:
            s.connect(str(PCSCD_SOCKET))
        except OSError:
            return False
    return True


def list_readers() -> list[str]:
    try:
        with PcscContext() as ctx:
            return ctx.list_readers()
    except TransportError:
        return []


def wait_until(predicate: Callable[[], bool], timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def card_present(reader: str = READER) -> bool:
    try:
        with PcscContext() as ctx:
            return ctx.reader_state(reader).present
    except TransportError:
        return False


class Pcscd:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None
        self.owned = False
        self.log = workdir / "pcscd.log"

    def start(self, friendly_name: str = "Virtual PCD") -> None:
        conf = self.workdir / "reader.conf.d"
        conf.mkdir(exist_ok=True)
        (conf / "vpcd").write_text(
            f'FRIENDLYNAME "{friendly_name}"\n'
            "DEVICENAME   /dev/null:0x8C7B\n"
            f"LIBPATH      {VPCD_DRIVER}\n"
            "CHANNELID    0x8C7B\n"
        )
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [shutil.which("pcscd") or "pcscd", "-f", "-c", str(conf)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.owned = True
        expected = f"{friendly_name} 00 00"
        try:
            wait_until(lambda: expected in list_readers(), 15, f"pcscd to list {expected!r}", 0.1)
        except AssertionError:
            raise AssertionError(f"pcscd did not come up; log:\n{self.log.read_text()[-2000:]}") from None

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.proc = None
        wait_until(lambda: not _daemon_listening(), 5, "pcscd to close its socket")

    def restart(self, friendly_name: str = "Virtual PCD", pause: float = 0.0) -> None:
        self.stop()
        time.sleep(pause)
        self.start(friendly_name)


@contextlib.contextmanager
def pcscd_daemon(folder: Path) -> Iterator[Pcscd]:
    """Reuse a running pcscd that has the vpcd reader, else start one and stop it afterwards."""
    if shutil.which("pcscd") is None or not VPCD_DRIVER.exists():
        pytest.fail("pcscd and vsmartcard-vpcd are needed: run scripts/setup.sh (apt: pcscd vsmartcard-vpcd)")
    daemon = Pcscd(folder)
    if _daemon_listening():
        if READER not in list_readers():
            pytest.fail(f"a pcscd is already running without the vpcd reader {READER!r}")
    else:
        daemon.start()
    try:
        yield daemon
    finally:
        if daemon.owned:
            daemon.stop()


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pcscd]:
    with pcscd_daemon(tmp_path_factory.mktemp("pcscd")) as daemon:
        yield daemon


@pytest.fixture
def own_pcscd(pcscd: Pcscd) -> Pcscd:
    if not pcscd.owned:
        pytest.skip("the running pcscd was not started by the tests; not stopping someone else's daemon")
    return pcscd


@pytest.fixture
def insert(pcscd: Pcscd) -> Iterator[Callable[..., VpcdSimulator]]:
    """`insert(profile, **card_options, **simulator_options)`: a virtual card that pcscd sees as present."""
    sims: list[VpcdSimulator] = []

    def do_insert(
        profile: str,
        *,
        variant_3b67: bool = False,
        direct: bool = False,
        wait_present: bool = True,
        reader: str = READER,
        **sim_options: Any,
    ) -> VpcdSimulator:
        card = VirtualCard(load_profile(profile), variant_3b67=variant_3b67, direct=direct)
        port = 35963 + int(reader[-2:])
        sim = VpcdSimulator(card, port=port, reconnect=sim_options.pop("reconnect", False), **sim_options)
        sims.append(sim.start())
        if wait_present:
            assert sim.connected.wait(10), "vpcd did not accept the virtual card"
            wait_until(lambda: card_present(reader), 5, f"pcscd to see the card in {reader}")
        return sim

    yield do_insert
    for sim in sims:
        sim.stop()
    if _daemon_listening():
        with contextlib.suppress(AssertionError):
            wait_until(
                lambda: not (card_present(READER) or card_present(READER_2)), 5, "the readers to be empty"
            )


class EventLog:
    """Collects service events from the worker thread; tests wait on it instead of sleeping."""

    def __init__(self) -> None:
        self.events: list[CardEvent] = []
        self._cond = threading.Condition()

    def __call__(self, event: CardEvent) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def wait_for(
        self,
        kind: type[E],
        timeout: float = 10.0,
        where: Callable[[E], bool] | None = None,
        after: int = 0,
    ) -> E:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event in self.events[after:]:
                    if isinstance(event, kind) and (where is None or where(event)):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {kind.__name__} within {timeout} s; got {self.events!r}")
                self._cond.wait(left)

    def mark(self) -> int:
        with self._cond:
            return len(self.events)

    def of(self, kind: type[E], reader: str | None = None) -> list[E]:
        with self._cond:
            return [e for e in self.events if isinstance(e, kind) and (reader is None or e.reader == reader)]


def assert_consistent(events: list[CardEvent]) -> None:
    """Each event once: per reader, added → (inserted → read|error → removed)* → removed reader."""
    state: dict[str, str] = {}
    for event in events:
        reader = event.reader
        if isinstance(event, ReaderAdded):
            assert state.get(reader) in (None, "gone"), event
            state[reader] = "empty"
        elif isinstance(event, ReaderRemoved):
            assert state.get(reader) == "empty", event
            state[reader] = "gone"
        elif isinstance(event, CardInserted):
            assert state.get(reader) == "empty", event
            state[reader] = "inserted"
        elif isinstance(event, CardRead):
            assert state.get(reader) == "inserted", event
            state[reader] = "done"
        elif isinstance(event, CardError):
            if reader:
                assert state.get(reader) in ("inserted", "done"), event
                state[reader] = "done"
        elif isinstance(event, CardRemoved):
            assert state.get(reader) in ("inserted", "done"), event
            state[reader] = "empty"


@pytest.fixture(autouse=True)
def no_leftover_threads() -> Iterator[None]:
    yield
    names = ("card-worker", "vpcd-card")
    wait_until(
        lambda: not [t for t in threading.enumerate() if t.name.startswith(names)],
        5,
        "card threads to end",
    )
