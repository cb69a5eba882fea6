"""Secret keys kept beside the database, never inside it, readable by the kiosk's user only."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def load_or_create_key(path: Path, size: int = 32) -> bytes:
    """Read the key at `path`, creating it (0600 in a 0700 folder) the first time."""
    if path.exists():
        key = path.read_bytes()
        if len(key) != size:
            raise ValueError(f"{path} does not hold a {size}-byte key")
        return key
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_bytes(size)
    # O_EXCL: two processes starting at once must not each write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_or_create_key(path, size)
    with os.fdopen(fd, "wb") as f:
        f.write(key)
        f.flush()
        os.fsync(f.fileno())
    return key
