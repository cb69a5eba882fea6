"""`kiosk queue ...` and `kiosk print ticket` through the real command line entry point and database."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.counter import Counter
from kiosk.domain.queue import service_date
from kiosk.domain.workflow import Actor, Role
from kiosk.storage.queue import QueueStore
from tests.unit.documents.helpers import pdf_text

from .conftest import SOMCHAI


def kiosk(capsys: pytest.CaptureFixture[str], data_dir: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_counter_day_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert kiosk(capsys, tmp_path, "queue", "issue", "A")[0] == 0
    code, out, _ = kiosk(capsys, tmp_path, "queue", "issue", "A", "--priority", "elderly", "--json")
    issued = json.loads(out)
    assert code == 0 and issued["ticket"]["number"] == "A002" and issued["people_ahead"] == 1
    kiosk(capsys, tmp_path, "queue", "issue", "B")
    code, out, _ = kiosk(capsys, tmp_path, "queue", "list", "--json")
    assert [t["number"] for t in json.loads(out)] == ["A001", "A002", "B001"]

    code, _, err = kiosk(capsys, tmp_path, "queue", "call", "--counter", "1")
    assert code == 1 and "Counter 1 is closed" in err and "ยังไม่เปิด" in err  # Thai and English, no traceback
    assert (
        kiosk(capsys, tmp_path, "queue", "open", "--counter", "1", "--staff", "S001")[1].strip()
        == "counter 1: open"
    )
    code, out, _ = kiosk(capsys, tmp_path, "queue", "call", "--counter", "1", "--staff", "S001")
    assert code == 0 and out.startswith("A001") and "called" in out
    assert "serving" in kiosk(capsys, tmp_path, "queue", "start", "--counter", "1")[1]
    code, out, _ = kiosk(
        capsys, tmp_path, "queue", "transfer", "--counter", "1", "--group", "B", "--reason", "ภาษี"
    )
    assert code == 0 and "waiting" in out
    kiosk(capsys, tmp_path, "queue", "call", "--counter", "1", "--number", "B001")
    assert "missed" in kiosk(capsys, tmp_path, "queue", "miss", "--counter", "1")[1]
    code, out, _ = kiosk(capsys, tmp_path, "queue", "priority", "A001", "", "--reason", "ผิด")
    assert code == 0 and "[" not in out

    code, out, _ = kiosk(capsys, tmp_path, "queue", "board", "--json")
    board = json.loads(out)
    assert [c["number"] for c in board["calls"]] == ["B001", "A001"]
    assert [g["waiting"] for g in board["groups"]] == [1, 1, 0]
    assert board["counters"][0]["state"] == "open"

    today = service_date(dt.datetime.now(dt.UTC)).isoformat()
    target = tmp_path / "stats.csv"
    code, out, _ = kiosk(
        capsys, tmp_path, "queue", "stats", "--from", today, "--to", today, "--csv", str(target)
    )
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert code == 0 and {(r["group"], r["counter"]) for r in rows} == {("A", "-"), ("B", "-"), ("B", "1")}
    code, _, err = kiosk(capsys, tmp_path, "queue", "stats", "--from", "yesterday", "--to", today)
    assert code == 2 and "YYYY-MM-DD" in err


def test_print_ticket_shows_the_cases_queue_ticket(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    counter = Counter.open(tmp_path)
    try:
        queue = QueueStore(counter.db, counter.config, kiosk_id=counter.config.kiosk.id)
        counter.cases.queue = queue
        for _ in range(2):
            queue.issue("B")
        case = counter.cases.submit("signboard-tax", SOMCHAI, {}, Actor(Role.APPLICANT), ticket_group="")
    finally:
        counter.close()
    assert case.ticket_number == "B003"
    out = tmp_path / "ticket.pdf"
    code, printed, _ = kiosk(capsys, tmp_path, "print", "ticket", "--case", case.number, "--out", str(out))
    assert code == 0, printed
    text = pdf_text(out.read_bytes(), tmp_path)
    assert "B003" in text
    assert "2 ahead of you" in text and "about 16 min" in text  # 2 x the taxes group's 8 minutes


def test_cancel_and_service_written_into_the_case_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    counter = Counter.open(tmp_path)
    try:
        case = counter.cases.submit("signboard-tax", SOMCHAI, {}, Actor(Role.APPLICANT), ticket_group="")
    finally:
        counter.close()
    kiosk(capsys, tmp_path, "queue", "issue", "B")  # B002, a walk-in who leaves
    with pytest.raises(SystemExit) as usage:
        kiosk(capsys, tmp_path, "queue", "cancel", "B002")  # no reason
    assert usage.value.code == 2 and "--reason" in capsys.readouterr().err
    code, out, _ = kiosk(
        capsys, tmp_path, "queue", "cancel", "b002", "--reason", "กลับไปแล้ว", "--staff", "S009"
    )
    assert code == 0 and "cancelled" in out
    code, _, err = kiosk(capsys, tmp_path, "queue", "cancel", "B002", "--reason", "อีกครั้ง")
    assert code == 1 and "cannot be cancelled" in err and "ยกเลิกคิว" in err
    code, out, _ = kiosk(capsys, tmp_path, "queue", "list", "--json")
    assert [t["number"] for t in json.loads(out)] == [case.ticket_number]

    kiosk(capsys, tmp_path, "queue", "open", "--counter", "2", "--staff", "S001")
    kiosk(capsys, tmp_path, "queue", "call", "--counter", "2", "--staff", "S001")
    kiosk(capsys, tmp_path, "queue", "start", "--counter", "2", "--staff", "S001")
    kiosk(capsys, tmp_path, "queue", "finish", "--counter", "2", "--staff", "S001")
    counter = Counter.open(tmp_path)
    try:
        history = [
            (e.data["action"], e.data["counter"], e.actor_id)
            for e in counter.cases.get(case.number).events
            if e.kind == "staff_action"
        ]
    finally:
        counter.close()
    assert history == [("service_started", "2", "S001"), ("service_finished", "2", "S001")]
