"""The two-method transport every card exchange goes through (the shape of ykman's SmartCardConnection).

A fake card for tests only has to implement these two methods; the real one lives in `pcsc.py`.
"""

from __future__ import annotations

import logging
from typing import Protocol, runtime_checkable

# Below DEBUG: APDU traffic is wanted only when someone is chasing a reader problem.
TRAFFIC = 5
logging.addLevelName(TRAFFIC, "TRAFFIC")


@runtime_checkable
class Transport(Protocol):
    def send_and_receive(self, apdu: bytes) -> tuple[bytes, int]:
        """Send one command APDU; return the response data and the status word (e.g. 0x9000).

        Raises `TransportError` (or `CardNotPresentError`) when the exchange itself fails.
        """
        ...

    def close(self) -> None: ...
