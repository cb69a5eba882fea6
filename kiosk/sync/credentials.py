"""The kiosk's credential for the central server, kept in `keys/` beside the database (0600).

The token is the only secret: whoever holds it can push cases as this kiosk, so it is written with
owner-only permissions, atomically (a crash never leaves half a file), and never logged.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from kiosk.errors import KnownError

CREDENTIAL_FILE = Path("keys") / "central.json"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class CredentialError(KnownError):
    exit_code = 2


@dataclass(frozen=True)
class Credential:
    url: str
    kiosk_id: str
    token: str

    def __repr__(self) -> str:  # the token must not reach a log through a repr
        return f"Credential(url={self.url!r}, kiosk_id={self.kiosk_id!r})"


def credential_path(data_dir: Path) -> Path:
    return data_dir / CREDENTIAL_FILE


def check_url(url: str) -> str:
    """https anywhere; plain http only to this machine, where nothing can listen on the wire."""
    parts = urlsplit(url.strip())
    if parts.scheme == "https" and parts.hostname:
        return url.strip().rstrip("/")
    if parts.scheme == "http" and parts.hostname in LOOPBACK:
        return url.strip().rstrip("/")
    raise CredentialError(
        "ที่อยู่ระบบกลางต้องขึ้นต้นด้วย https:// (http:// ใช้ได้เฉพาะเครื่องนี้)",
        f"The central server URL must use https:// (http:// only on loopback): {url!r}",
    )


def load_credential(data_dir: Path) -> Credential | None:
    path = credential_path(data_dir)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Credential(str(raw["url"]), str(raw["kiosk_id"]), str(raw["token"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CredentialError(
            "อ่านข้อมูลการลงทะเบียนตู้กับระบบกลางไม่ได้ กรุณาลงทะเบียนใหม่",
            f"Cannot read {path}; enrol the kiosk again ({type(exc).__name__})",
        ) from exc


def save_credential(data_dir: Path, credential: Credential) -> Path:
    path = credential_path(data_dir)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    body = json.dumps({"url": credential.url, "kiosk_id": credential.kiosk_id, "token": credential.token})
    fd, tmp = tempfile.mkstemp(prefix=".central-", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def forget_credential(data_dir: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        credential_path(data_dir).unlink()
