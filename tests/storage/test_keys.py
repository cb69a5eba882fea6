"""Key files appear whole or not at all, whoever else is starting at the same moment."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

from kiosk.storage.keys import KeyFolderError, load_or_create_key

WRITER = "key-writer"


def test_a_reader_never_sees_a_key_that_is_being_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One process has created its file and is stopped before writing the key (a slow disk, a
    scheduler): another one starting now must not read an empty key, and both end with one key."""
    path = tmp_path / "keys" / "data.key"
    created, release = threading.Event(), threading.Event()
    real_fdopen = os.fdopen

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name == WRITER:
            created.set()  # the file exists on disk, nothing is written in it yet
            assert release.wait(10)
        return real_fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(os, "fdopen", fdopen)
    got: dict[str, bytes] = {}
    writer = threading.Thread(
        target=lambda: got.setdefault("writer", load_or_create_key(path)), name=WRITER, daemon=True
    )
    writer.start()
    try:
        assert created.wait(10)
        got["other"] = load_or_create_key(path)  # the other process, while the writer is stopped
    finally:
        release.set()
        writer.join(10)
    assert len(got["other"]) == 32
    assert got["writer"] == got["other"] == path.read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["data.key"]  # no temporary file left


def test_a_short_key_file_is_waited_for_then_refused(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "lookup.key"
    path.parent.mkdir(mode=0o700)
    path.write_bytes(b"")
    path.chmod(0o600)
    key = os.urandom(32)
    # A writer of an older version fills the file a moment later: the reader waits for it.
    filler = threading.Timer(0.2, lambda: path.write_bytes(key))
    filler.start()
    try:
        assert load_or_create_key(path) == key
    finally:
        filler.join()
    path.write_bytes(key[:5])  # left short (a power cut under the old writer): refused, never replaced
    with pytest.raises(ValueError, match="32-byte"):
        load_or_create_key(path)
    assert path.read_bytes() == key[:5]


def test_a_key_folder_others_may_open_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    folder.mkdir()
    folder.chmod(0o755)
    with pytest.raises(KeyFolderError) as refused:
        load_or_create_key(folder / "audit.key")
    assert "chmod 700" in refused.value.message_en and "chmod 700" in refused.value.message_th
    assert not (folder / "audit.key").exists()
    folder.chmod(0o700)
    assert len(load_or_create_key(folder / "audit.key")) == 32
