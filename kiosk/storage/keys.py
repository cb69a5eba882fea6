"""Secret keys kept beside the database, never inside it, readable by the kiosk's user only.

A key file appears whole or not at all: the key is written and fsynced under a temporary name in
the same folder, then hard-linked into place (`os.link` fails if the name exists, so two processes
starting at once agree on the first key linked), and the folder is fsynced so the name survives a
power cut. Another process therefore never reads an empty or half-written key from this code; a
reader still waits briefly on a short file, which only a writer of an older version could leave.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import tempfile
import time
from pathlib import Path

from kiosk.errors import KnownError

# How long a reader waits for a short key file to fill before it gives up.
SHORT_READ_WAIT = 1.0


class KeyFolderError(KnownError):
    exit_code = 3  # as kiosk.storage.crypto.KeyFileError: a key problem stops the kiosk


def require_private_folder(folder: Path) -> None:
    """Refuse a key folder that anyone but its owner may enter, list or write (POSIX only): a
    writable folder lets another user swap a key file for their own."""
    if os.name != "posix":
        return
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & 0o077:
        raise KeyFolderError(
            f"โฟลเดอร์กุญแจ {folder} เปิดให้ผู้ใช้อื่นเข้าถึงได้ ตู้บริการจึงไม่เริ่มทำงาน กรุณาให้ผู้ดูแลระบบแก้สิทธิ์ (chmod 700 {folder})",
            f"The key folder {folder} is open to other users (mode {mode:03o}); the kiosk will not start "
            f"until it is private: chmod 700 {folder}",
        )


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return  # Windows cannot open a folder for fsync; NTFS journals the name itself
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_key(path: Path, size: int) -> bytes:
    """The key at `path` (FileNotFoundError if there is none), waiting briefly while it is short."""
    deadline = time.monotonic() + SHORT_READ_WAIT
    while True:
        key = path.read_bytes()
        if len(key) == size:
            return key
        if len(key) > size or time.monotonic() > deadline:
            raise ValueError(f"{path} does not hold a {size}-byte key ({len(key)} bytes)")
        time.sleep(0.02)


def load_or_create_key(path: Path, size: int = 32) -> bytes:
    """Read the key at `path`, creating it (0600 in a 0700 folder) the first time."""
    folder = path.parent
    if folder.exists():
        require_private_folder(folder)
    else:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        return _read_key(path, size)
    key = secrets.token_bytes(size)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=folder)  # 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(key)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return _read_key(path, size)  # another process linked its key first: use that one
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        _fsync_folder(folder)
    return key
