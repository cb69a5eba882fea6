"""Personal data at rest: AES-GCM under one key per applicant, wrapped by a master key kept outside the database.

Envelope encryption. Each applicant gets a random 256-bit data key (DEK). Their personal fields, their
cases' forms and the personal parts of their events and outbox rows are sealed with it; the DEK is
stored only wrapped by the master key (`DATA_DIR/keys/data.key`, 0600 in a 0700 folder). Purging an
applicant deletes the wrapped DEK, so every copy sealed with it, including those inside append-only
events and in old pages of the file, can no longer be read (crypto-shredding).

Every blob binds the row it belongs to through AES-GCM's associated data: a blob copied onto another
row does not open. Blob layout: one version byte, a 12-byte random nonce, the ciphertext and its
16-byte tag. The associated-data strings below are part of the stored format: never change them.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiosk.errors import KnownError
from kiosk.storage.keys import load_or_create_key

MASTER_KEY_FILE = Path("keys") / "data.key"
KEY_SIZE = 32
NONCE_SIZE = 12
VERSION = b"\x01"


class KeyFileError(KnownError):
    exit_code = 3


class SealError(Exception):
    """A blob that does not open under the key given: wrong key, wrong row, or altered bytes. A bug or
    tampering, never something an applicant caused: not a `KnownError`."""


def require_private(path: Path) -> None:
    """Refuse a key file that anyone but its owner may read or write (POSIX only)."""
    if os.name != "posix":
        return
    mode = path.stat().st_mode
    if stat.S_IMODE(mode) & 0o077:
        raise KeyFileError(
            f"ไฟล์กุญแจ {path.name} เปิดให้ผู้ใช้อื่นอ่านได้ ตู้บริการจึงไม่เริ่มทำงาน กรุณาให้ผู้ดูแลระบบแก้สิทธิ์ (chmod 600 {path})",
            f"The key file {path} is readable or writable by other users (mode {stat.S_IMODE(mode):03o}); "
            f"the kiosk will not start until it is private: chmod 600 {path}",
        )


def load_master_key(data_dir: Path) -> bytes:
    """The master key of a data directory, created on first use; refused if it is not private."""
    path = data_dir / MASTER_KEY_FILE
    try:
        key = load_or_create_key(path, KEY_SIZE)
    except (OSError, ValueError) as exc:
        raise KeyFileError(
            "อ่านกุญแจเข้ารหัสข้อมูลของตู้บริการไม่ได้ กรุณาแจ้งผู้ดูแลระบบ",
            f"Cannot read the data key {path}: {exc}",
        ) from exc
    require_private(path)
    return key


def applicant_aad(applicant_id: str) -> bytes:
    return f"applicant:{applicant_id}".encode()


def dek_aad(applicant_id: str) -> bytes:
    return f"dek:{applicant_id}".encode()


def form_aad(case_id: str) -> bytes:
    return f"case-form:{case_id}".encode()


def event_aad(event_id: str) -> bytes:
    return f"event:{event_id}".encode()


def outbox_aad(event_id: str) -> bytes:
    return f"outbox:{event_id}".encode()


def _encrypt(key: bytes, plain: bytes, aad: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_SIZE)
    return VERSION + nonce + AESGCM(key).encrypt(nonce, plain, aad)


def _decrypt(key: bytes, blob: bytes, aad: bytes) -> bytes:
    if len(blob) < 1 + NONCE_SIZE + 16 or blob[:1] != VERSION:
        raise SealError("not a sealed blob of a known version")
    try:
        return AESGCM(key).decrypt(blob[1 : 1 + NONCE_SIZE], blob[1 + NONCE_SIZE :], aad)
    except InvalidTag as exc:
        raise SealError("the blob does not open under this key and row") from exc


def seal(dek: bytes, value: Any, aad: bytes) -> bytes:
    """A JSON value sealed under an applicant's data key, bound to one row by `aad`."""
    plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _encrypt(dek, plain, aad)


def open_sealed(dek: bytes, blob: bytes, aad: bytes) -> Any:
    return json.loads(_decrypt(dek, blob, aad).decode("utf-8"))


class MasterKey:
    """The master key in memory: it only wraps and unwraps applicants' data keys."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_SIZE:
            raise ValueError(f"the master key must be {KEY_SIZE} bytes")
        self._key = key

    @classmethod
    def load(cls, data_dir: Path) -> MasterKey:
        return cls(load_master_key(data_dir))

    def __repr__(self) -> str:  # never the key itself, not even in a traceback
        return "MasterKey(…)"

    @staticmethod
    def new_dek() -> bytes:
        return secrets.token_bytes(KEY_SIZE)

    def wrap(self, dek: bytes, applicant_id: str) -> bytes:
        return _encrypt(self._key, dek, dek_aad(applicant_id))

    def unwrap(self, wrapped: bytes, applicant_id: str) -> bytes:
        dek = _decrypt(self._key, wrapped, dek_aad(applicant_id))
        if len(dek) != KEY_SIZE:
            raise SealError("a wrapped data key of the wrong size")
        return dek
