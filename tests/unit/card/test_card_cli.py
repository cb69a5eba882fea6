"""The `kiosk card` contract without hardware: exit codes, bilingual messages, JSON, no traceback."""

from __future__ import annotations

import json
import pathlib

import pytest

from kiosk import cli
from kiosk.devices.card import layout, reader
from kiosk.devices.card.errors import (
    CardRemovedError,
    NoCardError,
    NoReaderError,
    NotThaiIdCardError,
    PcscUnavailableError,
)
from kiosk.devices.card.parser import parse_record
from kiosk.devices.card.profile import load_profile
from kiosk.errors import KnownError


class NoReadersContext:
    def __enter__(self) -> NoReadersContext:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def list_readers(self) -> list[str]:
        return []


def test_read_without_reader_exits_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(reader, "PcscContext", NoReadersContext)
    assert cli.main(["card", "read", "--json"]) == 3
    out, err = capsys.readouterr()
    assert "ไม่พบเครื่องอ่านบัตร" in err and "No card reader found" in err
    assert "Traceback" not in err
    assert json.loads(out)["error"]["exit_code"] == 3


def test_readers_without_reader_exits_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(reader, "PcscContext", NoReadersContext)
    assert cli.main(["card", "readers"]) == 3


def test_pcscd_down_exits_1(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def down() -> None:
        raise PcscUnavailableError("SCardEstablishContext: Service not available")

    monkeypatch.setattr(reader, "PcscContext", down)
    assert cli.main(["card", "read"]) == 1
    assert "pcscd" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("error", "code"),
    [(NoReaderError(), 3), (NoCardError(), 4), (NotThaiIdCardError(), 5), (CardRemovedError(), 6)],
)
def test_exit_codes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: KnownError, code: int
) -> None:
    def fail(*_a: object, **_k: object) -> None:
        raise error

    monkeypatch.setattr(reader, "read_once", fail)
    assert cli.main(["card", "read"]) == code
    err = capsys.readouterr().err
    assert error.message_th in err and error.message_en in err


def test_unexpected_failure_exits_1_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def crash(*_a: object, **_k: object) -> None:
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(reader, "read_once", crash)
    assert cli.main(["card", "read", "--json"]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in err + out
    assert json.loads(out)["error"]["kind"] == "error"


def test_read_json_and_photo(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    memory = load_profile("somchai").memory
    record = parse_record({f.name: memory[f.offset : f.offset + f.length] for f in layout.TEXT_FIELDS})

    def read(_reader: str | None, *, with_photo: bool) -> reader.ReadResult:
        assert with_photo
        return reader.ReadResult(record.with_photo(b"\xff\xd8photo\xff\xd9"), 47)

    monkeypatch.setattr(reader, "read_once", read)
    photo = tmp_path / "p.jpg"
    assert cli.main(["card", "read", "--json", "--photo", str(photo)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["citizen_id"] == "1101700203450"
    assert data["name_th"]["first"] == "สมชาย"
    assert photo.read_bytes() == b"\xff\xd8photo\xff\xd9"
    assert len(data["photo_sha256"]) == 64


def test_card_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["card"]) == 0
    assert "simulate" in capsys.readouterr().out
