import datetime as dt
import sqlite3
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from kiosk.counter import Counter
from kiosk.domain.fees import FeeLine
from kiosk.domain.sla import BANGKOK
from kiosk.domain.workflow import Actor, CaseState, Role, TransitionError
from kiosk.errors import KnownError, NotFoundError
from kiosk.storage.cases import ApplicantInfo
from kiosk.storage.models import Event, OutboxItem

from .conftest import SOMCHAI

APPLICANT, STAFF, OFFICER = Actor(Role.APPLICANT), Actor(Role.STAFF, "s1"), Actor(Role.OFFICER, "o1")
MONDAY = dt.datetime(2026, 1, 5, 9, 0, tzinfo=BANGKOK)


def _counts(counter: Counter) -> tuple[int, int]:
    with counter.db.session() as s:
        events = s.scalar(select(func.count()).select_from(Event)) or 0
        outbox = s.scalar(select(func.count()).select_from(OutboxItem)) or 0
    return events, outbox


def test_submit_writes_case_checklist_events_and_outbox(counter: Counter) -> None:
    case = counter.cases.submit(
        "signboard-tax", SOMCHAI, {"owner_name": "นายสมชาย ใจดี"}, APPLICANT, now=MONDAY
    )
    assert case.number == "K01-2569-00001" and case.state is CaseState.SUBMITTED
    full = counter.cases.get(case.number)
    assert [(e.kind, e.to_state) for e in full.events] == [("created", "draft"), ("transition", "submitted")]
    assert [d.key for d in full.documents] == ["id_card", "house_registration", "local_documents"]
    assert _counts(counter) == (2, 2)


def test_numbers_count_up_per_kiosk_and_year(counter: Counter) -> None:
    numbers = [
        counter.cases.submit("signboard-tax", SOMCHAI, {}, APPLICANT, now=MONDAY).number for _ in range(3)
    ]
    assert numbers == ["K01-2569-00001", "K01-2569-00002", "K01-2569-00003"]
    next_year = dt.datetime(2027, 1, 1, 0, 5, tzinfo=BANGKOK)
    assert (
        counter.cases.submit("signboard-tax", SOMCHAI, {}, APPLICANT, now=next_year).number
        == "K01-2570-00001"
    )


def test_an_illegal_transition_changes_nothing(counter: Counter) -> None:
    case = counter.cases.submit("signboard-tax", SOMCHAI, {}, APPLICANT, now=MONDAY)
    before = _counts(counter)
    with pytest.raises(TransitionError):
        counter.cases.transition(case.number, CaseState.ISSUED, OFFICER)
    with pytest.raises(TransitionError):
        counter.cases.transition(case.number, CaseState.COMPLETE, APPLICANT)
    assert _counts(counter) == before
    assert counter.cases.get(case.number).state is CaseState.SUBMITTED


def test_a_failure_inside_a_unit_of_work_rolls_back_everything(counter: Counter) -> None:
    with pytest.raises(KnownError):
        counter.cases.submit("signboard-tax", SOMCHAI, {}, APPLICANT, documents={"passport": "received"})
    assert _counts(counter) == (0, 0)
    with pytest.raises(NotFoundError):
        counter.cases.submit("no-such-service", SOMCHAI, {}, APPLICANT)
    with pytest.raises(KnownError, match="citizen ID"):
        counter.cases.submit("signboard-tax", ApplicantInfo("1234545678789", "x"), {}, APPLICANT)
    assert counter.cases.find() == []


def test_sla_starts_at_complete_and_stops_at_pickup(counter: Counter) -> None:
    case = counter.cases.submit("parking-space-alteration-permit", SOMCHAI, {}, APPLICANT, now=MONDAY)
    assert counter.cases.get(case.number).sla.started_at is None
    counter.cases.transition(case.number, CaseState.COMPLETE, STAFF, now=MONDAY)
    view = counter.cases.get(case.number)
    assert view.sla.due_at == dt.datetime(2026, 2, 19, 23, 59, 59, tzinfo=BANGKOK)
    counter.cases.transition(case.number, CaseState.UNDER_REVIEW, OFFICER, now=MONDAY)
    extended = counter.cases.extend_sla(case.number, OFFICER, "รอผลตรวจสถานที่", now=MONDAY)
    assert extended.sla.extensions == 1
    assert counter.cases.get(case.number).sla.due_at == dt.datetime(2026, 4, 5, 23, 59, 59, tzinfo=BANGKOK)
    with pytest.raises(KnownError):
        counter.cases.extend_sla(case.number, STAFF, "x")
    fees = [FeeLine("permit_fee", "ค่าธรรมเนียมใบอนุญาต", "Permit fee", Decimal("200"))]
    approved = counter.cases.approve(case.number, OFFICER, fees, now=MONDAY)
    assert approved.state is CaseState.AWAITING_PAYMENT and approved.amount_due_satang == 20000
    assert approved.invoices[0].ref1 == "K01256900001" and approved.invoices[0].ref2 == "01"
    with pytest.raises(KnownError, match="Paid 199.00"):
        counter.cases.record_payment(case.number, 19900, "counter", STAFF)
    counter.cases.record_payment(case.number, 20000, "counter", STAFF, now=MONDAY)
    counter.cases.transition(case.number, CaseState.ISSUED, OFFICER, now=MONDAY)
    done = counter.cases.transition(
        case.number, CaseState.PICKED_UP, STAFF, now=MONDAY + dt.timedelta(days=3)
    )
    assert done.sla.stopped_at == MONDAY + dt.timedelta(days=3) and not done.sla.overdue(
        MONDAY + dt.timedelta(days=400)
    )


def test_free_service_is_issued_without_payment(counter: Counter) -> None:
    case = counter.cases.submit("elderly-allowance-registration", SOMCHAI, {}, APPLICANT, now=MONDAY)
    for target, actor in [(CaseState.COMPLETE, STAFF), (CaseState.UNDER_REVIEW, OFFICER)]:
        counter.cases.transition(case.number, target, actor, now=MONDAY)
    assert counter.cases.approve(case.number, OFFICER, [], now=MONDAY).state is CaseState.APPROVED
    assert counter.cases.transition(case.number, CaseState.ISSUED, OFFICER).state is CaseState.ISSUED


def test_deficiency_is_recorded_with_its_deadline(counter: Counter) -> None:
    case = counter.cases.submit("signboard-tax", SOMCHAI, {}, APPLICANT, now=MONDAY)
    view = counter.cases.record_deficiency(case.number, ["ขาดสำเนาทะเบียนบ้าน"], STAFF, fix_days=7, now=MONDAY)
    assert view.state is CaseState.NEEDS_FIX
    assert view.fix_deadline == dt.datetime(2026, 1, 12, 23, 59, 59, tzinfo=BANGKOK)
    event = counter.cases.get(case.number).events[-1]
    assert event.reason == "ขาดสำเนาทะเบียนบ้าน" and event.data["items"] == ["ขาดสำเนาทะเบียนบ้าน"]
    with pytest.raises(KnownError):
        counter.cases.record_deficiency(case.number, ["  "], STAFF)


def test_events_are_append_only_in_the_database(counter: Counter) -> None:
    counter.cases.submit("signboard-tax", SOMCHAI, {}, APPLICANT, now=MONDAY)
    raw = sqlite3.connect(counter.db.path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        raw.execute("UPDATE case_events SET reason = 'rewritten'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        raw.execute("DELETE FROM case_events")
    raw.close()


def test_a_citizen_finds_their_cases_through_a_keyed_hash(counter: Counter) -> None:
    counter.cases.submit("signboard-tax", SOMCHAI, {}, APPLICANT, now=MONDAY)
    other = ApplicantInfo("3100600445635", "นางสมศรี ศรีสุข")
    counter.cases.submit("signboard-tax", other, {}, APPLICANT, now=MONDAY)
    counter.cases.submit("house-and-land-tax", SOMCHAI, {}, APPLICANT, now=MONDAY + dt.timedelta(hours=1))
    mine = counter.cases.for_citizen("1101700230708")
    assert [c.service_code for c in mine] == ["house-and-land-tax", "signboard-tax"]
    with counter.db.session() as s:
        refs = s.scalars(text("SELECT citizen_ref FROM applicants")).all()
    assert len(refs) == 2 and all(len(r) == 64 and "1101700230708" not in r for r in refs)


def test_durable_pragmas_are_on(counter: Counter) -> None:
    with counter.db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_lookup_key_is_private(counter: Counter) -> None:
    key = counter.data_dir / "keys" / "lookup.key"
    assert key.stat().st_mode & 0o777 == 0o600
    assert (counter.data_dir / "keys").stat().st_mode & 0o777 == 0o700


def test_staff_actions_before_submit_become_events_of_their_own(counter: Counter) -> None:
    from kiosk.domain.workflow import EventKind
    from kiosk.storage.cases import StaffAction

    actions = [
        StaffAction(EventKind.STAFF_ACTION, STAFF, MONDAY, data={"action": "take_over"}),
        StaffAction(EventKind.FIELD_EDITED, STAFF, MONDAY, reason="บัตรพิมพ์ชื่อผิด", data={"field": "owner_name"}),
    ]
    case = counter.cases.submit(
        "signboard-tax", SOMCHAI, {}, APPLICANT, now=MONDAY, staff_actions=actions, priority="elderly"
    )
    events = counter.cases.get(case.number).events
    assert [e.kind for e in events] == ["created", "staff_action", "field_edited", "transition"]
    assert events[2].reason == "บัตรพิมพ์ชื่อผิด" and events[2].actor_id == "s1"
    assert counter.cases.pending_outbox() == 4
    with pytest.raises(KnownError, match="priority"):
        counter.cases.submit("signboard-tax", SOMCHAI, {}, APPLICANT, priority="vip")


def test_priority_and_staff_actions_on_an_existing_case(counter: Counter) -> None:
    case = counter.cases.submit("signboard-tax", SOMCHAI, {}, APPLICANT, now=MONDAY)
    with pytest.raises(KnownError, match="reason"):
        counter.cases.set_priority(case.number, "monk", STAFF, reason=" ")
    with pytest.raises(KnownError, match="Only staff"):
        counter.cases.set_priority(case.number, "monk", APPLICANT, reason="x")
    view = counter.cases.set_priority(case.number, "monk", STAFF, reason="พระภิกษุ")
    assert view.priority == "monk"
    counter.cases.record_action(case.number, "reprint", STAFF, data={"document": "receipt"})
    last = counter.cases.get(case.number).events[-2:]
    assert [(e.kind, e.data.get("to") or e.data.get("action")) for e in last] == [
        ("priority_set", "monk"),
        ("staff_action", "reprint"),
    ]
    with pytest.raises(KnownError):
        counter.cases.record_action(case.number, "reprint", APPLICANT)
