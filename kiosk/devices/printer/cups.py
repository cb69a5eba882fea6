"""CUPS through its own command-line clients (`lp`, `lpstat`, `cancel` from cups-client).

Why the commands and not pycups: they are on every CUPS machine, need no compiler at set-up, and
their output for these few questions is stable. `server` (a host or a domain socket path) is
passed as `-h`, so tests can talk to a private cupsd.

A job counts as done only when CUPS lists it as completed without an error status; a job that
stops, or does not finish within the timeout, is cancelled before it is reported failed, so it
cannot come out later on top of the reprint staff are about to ask for.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import time
from dataclasses import dataclass

from kiosk.devices.printer.errors import (
    NoPrinterError,
    OutOfPaperError,
    PrinterError,
    PrinterNotFoundError,
    PrinterOfflineError,
    PrintJobFailedError,
)

log = logging.getLogger(__name__)

_REQUEST_ID = re.compile(r"request id is (\S+)")
_PAPER_OUT = ("media-empty", "media-needed", "media-jam", "input-tray-missing")
_OFFLINE = ("offline-report", "paused", "shutdown", "connecting-to-device", "cover-open")
_JOB_FAILED = ("job-stopped", "completed-with-errors", "aborted-by-system", "job-canceled")


@dataclass(frozen=True)
class QueueStatus:
    name: str
    enabled: bool
    accepting: bool
    reasons: tuple[str, ...]
    message: str


def available() -> bool:
    return shutil.which("lp") is not None and shutil.which("lpstat") is not None


class CupsSpooler:
    def __init__(self, server: str | None = None, *, timeout: float = 60.0, poll: float = 0.2) -> None:
        self.server = server
        self.timeout = timeout
        self.poll = poll

    # --- commands ---------------------------------------------------------------------------

    def _run(self, cmd: list[str], *, data: bytes | None = None, check: bool = False) -> str:
        args = [cmd[0], *(["-h", self.server] if self.server else []), *cmd[1:]]
        try:
            done = subprocess.run(  # noqa: S603 - fixed command names, arguments are not shell-parsed
                args, input=data, capture_output=True, timeout=30, check=False
            )
        except FileNotFoundError as exc:
            raise NoPrinterError(detail=f"{cmd[0]} not installed (cups-client)") from exc
        except subprocess.TimeoutExpired as exc:
            raise NoPrinterError(detail=f"{cmd[0]} timed out: the CUPS scheduler does not answer") from exc
        out = done.stdout.decode("utf-8", "replace")
        err = done.stderr.decode("utf-8", "replace").strip()
        if check and done.returncode != 0:
            if "scheduler is not running" in err.lower() or "connection refused" in err.lower():
                raise NoPrinterError(detail=err)
            raise PrinterError("ส่งงานพิมพ์ไม่สำเร็จ", f"{cmd[0]} failed: {err}", detail=err)
        return out + ("\n" + err if err and not check else "")

    # --- queues -----------------------------------------------------------------------------

    def printers(self) -> list[str]:
        out = self._run(["lpstat", "-e"])
        return [line.strip() for line in out.splitlines() if line.strip() and " " not in line.strip()]

    def default(self) -> str | None:
        out = self._run(["lpstat", "-d"])
        match = re.search(r"system default destination:\s*(\S+)", out)
        return match.group(1) if match else None

    def status(self, name: str) -> QueueStatus:
        out = self._run(["lpstat", "-l", "-p", name])
        first = next((line for line in out.splitlines() if line.startswith("printer ")), "")
        if not first:
            raise PrinterNotFoundError(name, detail=out.strip()[:200])
        alerts = re.search(r"^\s*Alerts:\s*(.*)$", out, re.MULTILINE)
        reasons = tuple(r for r in (alerts.group(1).split() if alerts else []) if r != "none")
        lines = out.splitlines()
        message = lines[1].strip() if len(lines) > 1 and not lines[1].strip().startswith("Form") else ""
        accepting_out = self._run(["lpstat", "-a", name])
        return QueueStatus(
            name=name,
            enabled="disabled" not in first,
            accepting="not accepting" not in accepting_out,
            reasons=reasons,
            message=message,
        )

    def check_ready(self, name: str) -> QueueStatus:
        """Raise the staff message for a queue that cannot print now."""
        status = self.status(name)
        joined = " ".join(status.reasons)
        if any(r in joined for r in _PAPER_OUT):
            raise OutOfPaperError(name, detail=joined)
        if not status.enabled or not status.accepting or any(r in joined for r in _OFFLINE):
            raise PrinterOfflineError(
                name, detail=f"enabled={status.enabled} accepting={status.accepting} {joined}"
            )
        return status

    # --- jobs -------------------------------------------------------------------------------

    def print_pdf(self, pdf: bytes, *, printer: str | None, title: str) -> str:
        """Send a PDF and wait for CUPS to finish it; returns the queue name used."""
        name = printer or self.default()
        if not name:
            raise NoPrinterError(detail="no printer given and no CUPS default destination")
        self.check_ready(name)
        out = self._run(["lp", "-d", name, "-t", title, "-"], data=pdf, check=True)
        match = _REQUEST_ID.search(out)
        if not match:
            raise PrintJobFailedError(name, detail=f"lp gave no job id: {out.strip()[:200]}")
        job = match.group(1)
        log.info("printing: CUPS job %s on %s", job, name)
        self._wait(job, name)
        return name

    def _job_block(self, which: str, name: str, job: str) -> str | None:
        out = self._run(["lpstat", "-l", "-W", which, "-o", name])
        blocks = re.split(r"\n(?=\S)", out)
        return next((b for b in blocks if b.split(maxsplit=1)[:1] == [job]), None)

    def _wait(self, job: str, name: str) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            pending = self._job_block("not-completed", name, job)
            if pending is None:
                done = self._job_block("completed", name, job) or ""
                status = re.search(r"Status:\s*(.*)", done)
                if status and status.group(1).strip() and "fail" in status.group(1).lower():
                    raise PrintJobFailedError(name, detail=status.group(1).strip())
                return
            if any(r in pending for r in _JOB_FAILED):
                self._cancel(job)
                raise PrintJobFailedError(name, detail=" ".join(pending.split())[:300])
            queue = self.status(name)
            joined = " ".join(queue.reasons)
            if not queue.enabled or any(r in joined for r in _PAPER_OUT + _OFFLINE):
                self._cancel(job)
                if any(r in joined for r in _PAPER_OUT):
                    raise OutOfPaperError(name, detail=joined)
                raise PrinterOfflineError(name, detail=f"queue stopped while printing: {joined}")
            if time.monotonic() > deadline:
                self._cancel(job)
                raise PrintJobFailedError(name, detail=f"not finished after {self.timeout:.0f} s")
            time.sleep(self.poll)

    def _cancel(self, job: str) -> None:
        try:
            self._run(["cancel", job])
        except PrinterError:
            log.warning("could not cancel CUPS job %s", job)
