"""A private CUPS scheduler with a cups-pdf queue, started and stopped by the tests.

cupsd runs in the foreground with its own ServerRoot, spool and log under a temporary directory and
listens only on a domain socket there, so the machine's own CUPS (running or not) is untouched. The
kiosk's CUPS client is pointed at it with `-h SOCKET`. cups-pdf writes where its system config says
(`Out ${HOME}/PDF`, HOME of the job's user); the fixture finds each job's file there by a token in its title,
and deletes only those files.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

CUPS_PDF_BACKEND = Path("/usr/lib/cups/backend/cups-pdf")
CUPS_PDF_PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
QUEUE = "KioskTestPDF"
CUPSD_CONF = """LogLevel warn
Listen {socket}
Browsing Off
WebInterface No
DefaultAuthType None
<Location />
  Order allow,deny
  Allow all
</Location>
<Location /admin>
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""

FILES_CONF = """ServerRoot {root}/etc
RequestRoot {root}/spool
TempDir {root}/tmp
CacheDir {root}/cache
StateDir {root}/state
ErrorLog {root}/log/error_log
AccessLog {root}/log/access_log
PageLog {root}/log/page_log
"""


@dataclass
class PrivateCups:
    root: Path
    socket: str
    process: subprocess.Popen[bytes]
    output_dir: Path
    # In every job title: cups-pdf names its files after the title, so the tests find their own
    # output, and delete only that, even when another test run prints to the same folder.
    token: str = field(default_factory=lambda: f"kt{uuid.uuid4().hex[:8]}")

    def admin(self, *cmd: str) -> None:
        subprocess.run([cmd[0], "-h", self.socket, *cmd[1:]], check=True, capture_output=True, timeout=30)

    def outputs(self) -> set[Path]:
        return set(self.output_dir.glob("*.pdf")) if self.output_dir.is_dir() else set()

    def title(self, text: str) -> str:
        return f"{self.token} {text}"

    def ours(self) -> set[Path]:
        return {p for p in self.outputs() if self.token in p.name}

    def wait_new_output(self, before: set[Path], timeout: float = 20.0) -> Path:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            new = self.ours() - before
            if new:
                (path,) = new
                return path
            time.sleep(0.1)
        raise AssertionError(f"cups-pdf wrote nothing to {self.output_dir}; log: {self.log()}")

    def log(self) -> str:
        path = self.root / "log" / "error_log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def _skip_unless_installed() -> None:
    for tool in ("cupsd", "lpadmin", "lp", "lpstat", "cupsenable", "cupsdisable"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not installed (scripts/setup.sh installs cups)")
    if not CUPS_PDF_BACKEND.exists() or not CUPS_PDF_PPD.exists():
        pytest.skip("printer-driver-cups-pdf not installed")
    if os.geteuid() != 0:
        pytest.skip("cups-pdf runs only under a root cupsd")


@pytest.fixture(scope="session")
def private_cups() -> Iterator[PrivateCups]:
    _skip_unless_installed()
    # Not under pytest's tmp dir: that is 0700, and cupsd's filters run as `lp` and must get in.
    root = Path(tempfile.mkdtemp(prefix="kiosk-cups-"))
    root.chmod(0o755)
    for sub in ("etc", "spool", "cache", "state", "log", "tmp"):
        (root / sub).mkdir()
    # Filters run as the unprivileged `lp` user and need to write their temporary files here.
    (root / "tmp").chmod(0o1777)
    (root / "spool").chmod(0o710)
    socket = str(root / "cups.sock")
    (root / "etc" / "cupsd.conf").write_text(CUPSD_CONF.format(socket=socket))
    files = root / "cups-files.conf"
    files.write_text(FILES_CONF.format(root=root))
    process = subprocess.Popen(
        ["cupsd", "-f", "-c", str(root / "etc" / "cupsd.conf"), "-s", str(files)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    home = Path(pwd.getpwuid(os.geteuid()).pw_dir)
    cups = PrivateCups(root, socket, process, home / "PDF")
    try:
        deadline = time.monotonic() + 15
        while True:
            done = subprocess.run(["lpstat", "-h", socket, "-r"], capture_output=True, text=True)
            if "is running" in done.stdout and "not" not in done.stdout:
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"private cupsd did not start: {cups.log()}")
            time.sleep(0.1)
        cups.admin("lpadmin", "-p", QUEUE, "-E", "-v", "cups-pdf:/", "-P", str(CUPS_PDF_PPD))
        yield cups
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        for path in cups.ours():
            path.unlink(missing_ok=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def queue(private_cups: PrivateCups) -> Iterator[str]:
    """The cups-pdf queue, enabled and empty before and after each test."""
    private_cups.admin("cupsenable", QUEUE)
    private_cups.admin("cupsaccept", QUEUE) if shutil.which("cupsaccept") else None
    yield QUEUE
    subprocess.run(["cancel", "-h", private_cups.socket, "-a", QUEUE], capture_output=True)
    private_cups.admin("cupsenable", QUEUE)
