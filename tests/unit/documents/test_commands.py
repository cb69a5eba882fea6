"""`kiosk print` and `kiosk printers` through a parser like kiosk/cli.py builds (the lead wires them)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from kiosk.counter import Counter
from kiosk.documents.commands import add_commands
from kiosk.domain.workflow import CaseState
from kiosk.errors import KnownError
from kiosk.storage.print_jobs import PrintJobStore


def run(data_dir: Path, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="kiosk")
    sub = parser.add_subparsers(dest="command")
    add_commands(sub)
    args = parser.parse_args(list(argv))
    args.data_dir = data_dir
    return int(args.func(args))


def test_print_each_document_to_a_file(demo: Counter, tmp_path: Path) -> None:
    data_dir = demo.data_dir
    for kind, state in (
        ("ticket", CaseState.SUBMITTED),
        ("receipt", CaseState.UNDER_REVIEW),
        ("deficiency", CaseState.NEEDS_FIX),
        ("slip", CaseState.AWAITING_PAYMENT),
    ):
        number = demo.cases.find(state=state)[0].number
        out = tmp_path / f"{kind}.pdf"
        assert run(data_dir, "print", kind, "--case", number, "--out", str(out)) == 0
        assert out.read_bytes().startswith(b"%PDF")
    jobs = PrintJobStore(demo.db).list(limit=4)
    assert {j.document for j in jobs} == {"ticket", "receipt", "deficiency", "slip"}
    assert all(j.state == "done" for j in jobs)


def test_a_document_the_case_cannot_have_is_a_known_error(demo: Counter, tmp_path: Path) -> None:
    number = demo.cases.find(state=CaseState.SUBMITTED)[0].number
    with pytest.raises(KnownError) as err:
        run(demo.data_dir, "print", "slip", "--case", number, "--out", str(tmp_path / "x.pdf"))
    assert "ค้างชำระ" in err.value.message_th and "no open invoice" in err.value.message_en


def test_failed_print_then_reprint(demo: Counter, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    number = demo.cases.find(state=CaseState.AWAITING_PAYMENT)[0].number
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    with pytest.raises(KnownError) as err:
        run(demo.data_dir, "print", "slip", "--case", number, "--printer", f"file:{blocker}/slip.pdf")
    assert err.value.exit_code == 7
    job_id = capsys.readouterr().out.split("--reprint ")[1].split()[0]
    out = tmp_path / "slip.pdf"
    assert run(demo.data_dir, "print", "slip", "--case", number, "--reprint", job_id, "--out", str(out)) == 0
    store = PrintJobStore(demo.db)
    (again,) = [j for j in store.list(limit=50) if j.reprint_of == job_id]
    assert again.state == "done" and out.exists()


def test_printers_lists_jobs_as_json(demo: Counter, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert run(demo.data_dir, "printers", "--json", "--jobs") == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"printers", "default", "jobs", "problem"}
