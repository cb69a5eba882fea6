"""Staff unlock by PIN, until the privacy work replaces it with staff accounts.

The PIN comes from `KIOSK_STAFF_PIN`, else from `DATA_DIR/keys/staff.pin` (one line, kept 0600
beside the other keys), else the documented demo PIN with a warning in the log.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

DEMO_PIN = "1234"
MAX_ATTEMPTS = 5
LOCKOUT_SECONDS = 120.0


@dataclass
class StaffPin:
    pin: str
    demo: bool = False
    staff_id: str = "counter-staff"
    failures: int = 0
    locked_until: float = 0.0

    @classmethod
    def load(cls, data_dir: Path) -> StaffPin:
        env = os.environ.get("KIOSK_STAFF_PIN", "").strip()
        if env:
            return cls(env)
        path = data_dir / "keys" / "staff.pin"
        try:
            text = path.read_text(encoding="utf-8").strip()
        except OSError:
            text = ""
        if text:
            return cls(text)
        log.warning("no staff PIN configured (KIOSK_STAFF_PIN or keys/staff.pin): using the demo PIN")
        return cls(DEMO_PIN, demo=True)

    @property
    def locked_out(self) -> bool:
        return time.monotonic() < self.locked_until

    def check(self, attempt: str) -> bool:
        """Constant-time comparison; five wrong PINs lock the pad for two minutes."""
        if self.locked_out:
            return False
        ok = hmac.compare_digest(attempt.encode(), self.pin.encode())
        self.failures = 0 if ok else self.failures + 1
        if not ok:
            log.info("wrong staff PIN (%d of %d)", self.failures, MAX_ATTEMPTS)
            if self.failures >= MAX_ATTEMPTS:
                self.locked_until = time.monotonic() + LOCKOUT_SECONDS
                self.failures = 0
        return ok
