"""Staff accounts: slow PIN hashes, counted failures, a lockout that survives a restart, approvals."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk import cli
from kiosk.counter import Counter
from kiosk.domain.workflow import Actor, CaseState, Role, TransitionError
from kiosk.errors import NotFoundError
from kiosk.storage import audit
from kiosk.storage import staff as staff_module
from kiosk.storage.staff import (
    SignInRefused,
    StaffAccounts,
    StaffError,
    StaffRole,
    hash_pin,
    pin_matches,
    void_case,
)
from tests.storage.conftest import SOMCHAI

T0 = dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def accounts(counter: Counter) -> StaffAccounts:
    a = StaffAccounts(counter.db, kiosk_id="K01", max_failures=5, lockout_minutes=15)
    a.add("S001", "สมศรี", "counter", "1234", now=T0)
    a.add("S002", "วิชัย", "supervisor", "2345", now=T0)
    return a


def actions(counter: Counter) -> list[tuple[str, str, str]]:
    return [(e.action, e.staff_id, e.target) for e in reversed(audit.recent(counter.db))]


def refused(call: Callable[[], Any]) -> SignInRefused:
    with pytest.raises(SignInRefused) as info:
        call()
    return info.value


def test_a_pin_is_stored_as_a_slow_salted_scrypt_hash(accounts: StaffAccounts, counter: Counter) -> None:
    with counter.db.session() as s:
        stored = s.get(staff_module.StaffAccount, "S001")
        assert stored is not None
        text = stored.pin_hash
    scheme, n, r, p, salt, digest = text.split("$")
    assert (scheme, n, r, p) == ("scrypt", str(2**14), "8", "1")
    assert len(__import__("base64").b64decode(salt)) == 16 and "1234" not in text
    assert hash_pin("1234") != hash_pin("1234")  # a fresh salt each time
    started = time.perf_counter()
    runs = 5
    for _ in range(runs):
        assert pin_matches("1234", text)
    per_verify = (time.perf_counter() - started) / runs * 1000
    print(f"scrypt n=2**14 r=8 p=1: {per_verify:.0f} ms per PIN check")
    # Fast SHA-256 of a 4-digit PIN takes microseconds; this must cost real work per guess.
    sha = time.perf_counter()
    for _ in range(10_000):
        hashlib.sha256(b"salt" + b"1234").digest()
    fast = (time.perf_counter() - sha) / 10_000 * 1000
    assert per_verify > 5 and per_verify > fast * 1000
    assert not pin_matches("1235", text)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plain",
        "scrypt$1$8$1$AAAA$AAAA",
        "scrypt$16384$8$1$!!$AAAA",
        "bcrypt$16384$8$1$AAAA$AAAA",
        "scrypt$4194304$8$1$AAAA$AAAA",
    ],
)
def test_a_malformed_or_outsized_hash_never_matches(stored: str) -> None:
    assert not pin_matches("1234", stored)


def test_sign_in_and_the_audit_entries(accounts: StaffAccounts, counter: Counter) -> None:
    member = accounts.sign_in("s001", "1234", now=T0)  # codes are case-insensitive
    assert (member.id, member.role, member.actor) == ("S001", StaffRole.COUNTER, Actor(Role.STAFF, "S001"))
    accounts.sign_out(member, how="auto", now=T0)
    assert actions(counter)[-2:] == [("staff.sign_in", "S001", ""), ("staff.sign_out", "S001", "")]
    assert audit.recent(counter.db)[0].detail == {"how": "auto"}


def test_wrong_pins_are_counted_and_a_right_one_resets_the_count(accounts: StaffAccounts) -> None:
    for expected in (1, 2, 3):
        assert refused(lambda: accounts.sign_in("S001", "0000", now=T0)).kind == "wrong"
        assert accounts.get("S001").failures == expected
    accounts.sign_in("S001", "1234", now=T0)
    assert accounts.get("S001").failures == 0


def test_lockout_after_five_wrong_pins_survives_a_restart(tmp_path: Path) -> None:
    counter = Counter.open(tmp_path)
    accounts = StaffAccounts(counter.db, kiosk_id="K01", max_failures=5, lockout_minutes=15)
    accounts.add("S001", "สมศรี", "counter", "1234", now=T0)
    kinds = [refused(lambda: accounts.sign_in("S001", "9999", now=T0)).kind for _ in range(5)]
    assert kinds == ["wrong"] * 4 + ["locked"]
    counter.close()

    counter = Counter.open(tmp_path)  # the kiosk restarted
    try:
        accounts = StaffAccounts(counter.db, kiosk_id="K01", max_failures=5, lockout_minutes=15)
        locked = refused(lambda: accounts.sign_in("S001", "1234", now=T0 + dt.timedelta(minutes=14)))
        assert locked.kind == "locked" and locked.locked_until == T0 + dt.timedelta(minutes=15)
        assert "09:15" in locked.message_th and "09:15" in locked.message_en  # Bangkok time
        assert accounts.sign_in("S001", "1234", now=T0 + dt.timedelta(minutes=15)).id == "S001"
        log = [a for a, _, _ in actions(counter)]
        assert log.count("staff.sign_in_failed") == 6 and log.count("staff.locked_out") == 1
        assert log[-1] == "staff.sign_in"
    finally:
        counter.close()


def test_an_administrator_ends_a_lockout(accounts: StaffAccounts) -> None:
    for _ in range(5):
        refused(lambda: accounts.sign_in("S002", "0000", now=T0))
    assert accounts.get("S002").locked(T0)
    accounts.unlock("S002", by="console:root", now=T0)
    assert accounts.sign_in("S002", "2345", now=T0).role is StaffRole.SUPERVISOR


def test_an_unknown_code_costs_a_hash_as_a_known_one_does(
    accounts: StaffAccounts, counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = hashlib.scrypt
    calls: list[int] = []

    def counting(*args: Any, **kwargs: Any) -> bytes:
        calls.append(1)
        return real(*args, **kwargs)

    staff_module._decoy_hash()  # made once per process, on the first unknown code
    monkeypatch.setattr(staff_module.hashlib, "scrypt", counting)

    def timed(code: str) -> float:
        calls.clear()
        started = time.perf_counter()
        refused(lambda: accounts.sign_in(code, "0000", now=T0))
        assert len(calls) == 1, f"{code}: {len(calls)} hashes"
        return time.perf_counter() - started

    known = statistics.median(timed("S002") for _ in range(3))
    unknown = statistics.median(timed("S999") for _ in range(3))
    not_a_code = statistics.median(timed("!!") for _ in range(3))
    print(
        f"refusal: known code {known * 1000:.0f} ms, unknown {unknown * 1000:.0f} ms, junk {not_a_code * 1000:.0f} ms"
    )
    assert unknown > known / 3 and not_a_code > known / 3
    # An unknown code is recorded without the typed text: it may be a PIN typed into the wrong box.
    assert ("staff.sign_in_failed", "", "") in actions(counter)


def test_a_disabled_account_cannot_sign_in_until_enabled(accounts: StaffAccounts) -> None:
    accounts.disable("S001", by="console:root", now=T0)
    assert refused(lambda: accounts.sign_in("S001", "1234", now=T0)).kind == "disabled"
    accounts.enable("S001", by="console:root", now=T0)
    assert accounts.sign_in("S001", "1234", now=T0).id == "S001"


def test_no_accounts_says_how_to_create_one(counter: Counter) -> None:
    accounts = StaffAccounts(counter.db, kiosk_id="K01")
    error = refused(lambda: accounts.sign_in("S001", "1234"))
    assert error.kind == "no_accounts" and "kiosk staff add" in error.message_th
    assert "kiosk staff add" in error.message_en


def test_demo_accounts_are_seeded_once(counter: Counter) -> None:
    accounts = StaffAccounts(counter.db, kiosk_id="K01")
    assert accounts.seed_demo(now=T0)
    assert not accounts.seed_demo(now=T0)
    assert [(m.id, m.role.value) for m in accounts.list()] == [
        ("S001", "counter"),
        ("S002", "supervisor"),
        ("S003", "admin"),
    ]
    assert accounts.sign_in("S003", "3456").role.can_approve


@pytest.mark.parametrize(
    ("code", "name", "role", "pin"),
    [
        ("S", "x", "counter", "1234"),  # too short
        ("S001 ", "", "counter", "1234"),  # no name
        ("S005", "x", "boss", "1234"),
        ("S005", "x", "counter", "123"),
        ("S005", "x", "counter", "12345678901234"),
        ("S005", "x", "counter", "12a4"),
        ("1101700230708", "x", "counter", "1234"),  # a citizen ID is no staff code
        ("S001", "x", "counter", "1234"),  # exists
    ],
)
def test_account_rules(accounts: StaffAccounts, code: str, name: str, role: str, pin: str) -> None:
    with pytest.raises(StaffError):
        accounts.add(code, name, role, pin)


def test_set_pin_changes_the_pin(accounts: StaffAccounts) -> None:
    accounts.set_pin("S001", "987654", by="console:root")
    refused(lambda: accounts.sign_in("S001", "1234"))
    assert accounts.sign_in("S001", "987654").id == "S001"
    with pytest.raises(NotFoundError):
        accounts.set_pin("S404", "987654")


# --- voiding a case --------------------------------------------------------------------------------


def submitted(counter: Counter) -> str:
    return counter.cases.submit(
        "street-vending-license", SOMCHAI, {"area_sqm": "4"}, Actor(Role.APPLICANT)
    ).number


def test_void_is_refused_without_a_supervisor_and_done_with_one(
    accounts: StaffAccounts, counter: Counter
) -> None:
    accounts.add("S004", "มานี", "counter", "4567", now=T0)
    number = submitted(counter)
    clerk = accounts.sign_in("S001", "1234")

    def void(code: str, pin: str, reason: str = "ผู้ยื่นขอยกเลิกเอง") -> object:
        return void_case(
            counter.cases,
            accounts,
            number,
            requester=clerk,
            approver_code=code,
            approver_pin=pin,
            reason=reason,
        )

    with pytest.raises(StaffError, match="supervisor"):
        void("S004", "4567")  # another counter clerk is no supervisor
    with pytest.raises(StaffError, match="another person"):
        void("S001", "1234")  # nor is the person asking
    assert refused(lambda: void("S002", "0000")).kind == "wrong"  # a supervisor's wrong PIN
    assert accounts.get("S002").failures == 1
    with pytest.raises(StaffError, match="reason"):
        void("S002", "2345", reason=" ")
    assert counter.cases.get(number).state is CaseState.SUBMITTED

    void("S002", "2345")
    case = counter.cases.get(number)
    assert case.state is CaseState.WITHDRAWN
    last = case.events[-1]
    assert (last.kind, last.actor_role, last.actor_id, last.reason) == (
        "transition",
        "staff",
        "S001",
        "ผู้ยื่นขอยกเลิกเอง",
    )
    assert last.data == {
        "void": True,
        "requested_by": "S001",
        "approved_by": "S002",
        "approver_role": "supervisor",
    }
    entries = list(reversed(audit.recent(counter.db)))
    voided = entries[-1]
    assert (voided.action, voided.staff_id, voided.target) == ("case.voided", "S001", number)
    assert (voided.detail["requested_by"], voided.detail["approved_by"]) == ("S001", "S002")
    assert voided.detail["event"] == last.id
    refusals = [e.detail["why"] for e in entries if e.action == "staff.approval_failed"]
    assert refusals == ["not_a_supervisor", "same_person"]
    assert audit.verify(counter.db) is None


def test_staff_cannot_withdraw_a_case_around_the_approval(accounts: StaffAccounts, counter: Counter) -> None:
    """The case store itself refuses a staff withdrawal that names no other approving account, so a
    code path that skips `void_case` cannot void a case; the applicant's own withdrawal stays open."""
    number = submitted(counter)
    staff = Actor(Role.STAFF, "S001")
    for data in (
        None,
        {"void": True},
        {"void": True, "approved_by": ""},
        {"void": True, "approved_by": "S001"},  # the clerk approving themself
        {"void": True, "approved_by": "s001"},
        {"void": True, "approved_by": 2},
    ):
        with pytest.raises(TransitionError, match="approval"):
            counter.cases.transition(number, CaseState.WITHDRAWN, staff, reason="ขอยกเลิก", data=data)
    case = counter.cases.get(number)
    assert case.state is CaseState.SUBMITTED and [e.kind for e in case.events] == ["created", "transition"]
    assert not [e for e in audit.recent(counter.db) if e.action == audit.CASE_VOIDED]

    own = submitted(counter)
    withdrawn = counter.cases.transition(
        own, CaseState.WITHDRAWN, Actor(Role.APPLICANT), reason="ไม่ต้องการแล้ว"
    )
    assert withdrawn.state is CaseState.WITHDRAWN
    approved = counter.cases.transition(
        number, CaseState.WITHDRAWN, staff, reason="ขอยกเลิก", data={"void": True, "approved_by": "S002"}
    )
    assert approved.state is CaseState.WITHDRAWN


def test_a_supervisor_approves_the_void_of_a_case_past_review_is_still_refused(
    accounts: StaffAccounts, counter: Counter
) -> None:
    number = submitted(counter)
    officer = Actor(Role.OFFICER, "officer-1")
    counter.cases.transition(number, CaseState.COMPLETE, Actor(Role.STAFF, "S001"))
    counter.cases.transition(number, CaseState.UNDER_REVIEW, officer)
    clerk = accounts.sign_in("S001", "1234")
    with pytest.raises(Exception, match="withdrawn|ยกเลิก"):
        void_case(
            counter.cases,
            accounts,
            number,
            requester=clerk,
            approver_code="S002",
            approver_pin="2345",
            reason="x",
        )
    assert counter.cases.get(number).state is CaseState.UNDER_REVIEW


# --- the command line ----------------------------------------------------------------------------------


def run(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *argv: str,
    stdin: str = "",
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(["--data-dir", str(tmp_path), *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_manages_accounts_and_checks_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(tmp_path, monkeypatch, capsys, "staff", "list")
    assert code == 0 and "kiosk staff add" in out
    code, out, _ = run(
        tmp_path,
        monkeypatch,
        capsys,
        "staff",
        "add",
        "S010",
        "--name",
        "ประภา",
        "--role",
        "supervisor",
        stdin="4711\n",
    )
    assert code == 0 and "S010" in out
    code, _, err = run(
        tmp_path,
        monkeypatch,
        capsys,
        "staff",
        "add",
        "S011",
        "--name",
        "x",
        "--role",
        "counter",
        stdin="12\n",
    )
    assert code == 1 and "4 to 12 digits" in err
    code, out, _ = run(tmp_path, monkeypatch, capsys, "staff", "pin", "S010", stdin="97531\n")
    assert code == 0
    assert run(tmp_path, monkeypatch, capsys, "staff", "disable", "S010")[0] == 0
    code, out, _ = run(tmp_path, monkeypatch, capsys, "staff", "list", "--json")
    listed = json.loads(out)
    assert [(a["code"], a["role"], a["state"]) for a in listed] == [("S010", "supervisor", "disabled")]
    assert "pin" not in out.lower().replace("pin_changed_at", "")
    assert run(tmp_path, monkeypatch, capsys, "staff", "enable", "S010")[0] == 0
    assert run(tmp_path, monkeypatch, capsys, "staff", "unlock", "S404")[0] != 0

    counter = Counter.open(tmp_path)
    try:
        accounts = StaffAccounts(counter.db, kiosk_id="K01")
        assert accounts.sign_in("S010", "97531").role is StaffRole.SUPERVISOR
    finally:
        counter.close()
    code, out, _ = run(tmp_path, monkeypatch, capsys, "audit", "show", "--json")
    shown = json.loads(out)
    assert code == 0 and shown["intact"]
    assert [e["action"] for e in shown["entries"]] == [
        "staff.account_added",
        "staff.account_pin_set",
        "staff.account_disabled",
        "staff.account_enabled",
        "staff.sign_in",
    ]
    assert shown["entries"][0]["staff_id"].startswith("console:")
    code, out, _ = run(tmp_path, monkeypatch, capsys, "audit", "verify")
    assert code == 0 and "5 entries" in out and shown["head"] in out

    import sqlite3

    with sqlite3.connect(tmp_path / "kiosk.sqlite", isolation_level=None) as conn:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("UPDATE audit_log SET target = 'S999' WHERE seq = 2")
    code, _, err = run(tmp_path, monkeypatch, capsys, "audit", "verify")
    assert code == 9 and "entry 2" in err
