"""The case workflow, from the Biz Portal standard steps between applicant and officer.

draft → submitted → needs_fix ⇄ resubmitted → complete → under_review → approved | rejected →
awaiting_payment → paid → issued → picked_up

`withdrawn` is added to what DESIGN.md draws: under the Licensing Facilitation Act a request whose
deficiencies are not fixed by the deadline is returned, and an applicant may withdraw before the
decision. Every change is an append-only event with who, when, where and why.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from kiosk.errors import KnownError


class CaseState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    NEEDS_FIX = "needs_fix"
    RESUBMITTED = "resubmitted"
    COMPLETE = "complete"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    ISSUED = "issued"
    PICKED_UP = "picked_up"
    WITHDRAWN = "withdrawn"

    @property
    def label_th(self) -> str:
        return STATE_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return STATE_LABELS[self][1]

    @property
    def final(self) -> bool:
        return self in {CaseState.REJECTED, CaseState.PICKED_UP, CaseState.WITHDRAWN}


STATE_LABELS: dict[CaseState, tuple[str, str]] = {
    CaseState.DRAFT: ("ร่างคำขอ", "Draft"),
    CaseState.SUBMITTED: ("ยื่นคำขอแล้ว", "Submitted"),
    CaseState.NEEDS_FIX: ("รอแก้ไขเอกสาร", "Needs fixing"),
    CaseState.RESUBMITTED: ("ส่งเอกสารแก้ไขแล้ว", "Resubmitted"),
    CaseState.COMPLETE: ("เอกสารครบถ้วน", "Documents complete"),
    CaseState.UNDER_REVIEW: ("อยู่ระหว่างพิจารณา", "Under review"),
    CaseState.APPROVED: ("อนุมัติแล้ว", "Approved"),
    CaseState.REJECTED: ("ไม่อนุมัติ", "Rejected"),
    CaseState.AWAITING_PAYMENT: ("รอชำระค่าธรรมเนียม", "Awaiting payment"),
    CaseState.PAID: ("ชำระเงินแล้ว", "Paid"),
    CaseState.ISSUED: ("ออกใบอนุญาตแล้ว", "Issued"),
    CaseState.PICKED_UP: ("รับเอกสารแล้ว", "Picked up"),
    CaseState.WITHDRAWN: ("ยกเลิกคำขอ", "Withdrawn"),
}


class Role(StrEnum):
    APPLICANT = "applicant"
    STAFF = "staff"
    OFFICER = "officer"
    SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    source: CaseState
    target: CaseState
    roles: frozenset[Role]
    needs_reason: bool = False


def _t(source: CaseState, target: CaseState, *roles: Role, reason: bool = False) -> Transition:
    return Transition(source, target, frozenset(roles), reason)


S = CaseState
A, ST, OF, SY = Role.APPLICANT, Role.STAFF, Role.OFFICER, Role.SYSTEM

TRANSITIONS: tuple[Transition, ...] = (
    _t(S.DRAFT, S.SUBMITTED, A, ST),
    # The counter checks the documents on the spot (Licensing Facilitation Act, s. 8): a deficiency
    # is recorded once, with a deadline; complete documents start the legal clock.
    _t(S.SUBMITTED, S.NEEDS_FIX, ST, OF, reason=True),
    _t(S.SUBMITTED, S.COMPLETE, ST, OF),
    _t(S.NEEDS_FIX, S.RESUBMITTED, A, ST),
    _t(S.RESUBMITTED, S.NEEDS_FIX, ST, OF, reason=True),
    _t(S.RESUBMITTED, S.COMPLETE, ST, OF),
    _t(S.COMPLETE, S.UNDER_REVIEW, OF, SY),
    _t(S.UNDER_REVIEW, S.APPROVED, OF),
    _t(S.UNDER_REVIEW, S.REJECTED, OF, reason=True),
    _t(S.APPROVED, S.AWAITING_PAYMENT, OF, SY),
    _t(S.APPROVED, S.ISSUED, OF),
    _t(S.AWAITING_PAYMENT, S.PAID, ST, OF, SY),
    _t(S.PAID, S.ISSUED, OF),
    _t(S.ISSUED, S.PICKED_UP, ST, OF),
    _t(S.DRAFT, S.WITHDRAWN, A, ST, reason=True),
    _t(S.SUBMITTED, S.WITHDRAWN, A, ST, OF, reason=True),
    _t(S.NEEDS_FIX, S.WITHDRAWN, A, ST, OF, reason=True),
    _t(S.RESUBMITTED, S.WITHDRAWN, A, ST, OF, reason=True),
)
_BY_EDGE = {(t.source, t.target): t for t in TRANSITIONS}

SLA_START = CaseState.COMPLETE
SLA_STOP = frozenset({CaseState.REJECTED, CaseState.PICKED_UP, CaseState.WITHDRAWN})


class TransitionError(KnownError):
    """An illegal move: refused with a clear message, and nothing changes."""


def allowed_targets(state: CaseState, role: Role) -> tuple[CaseState, ...]:
    return tuple(t.target for t in TRANSITIONS if t.source is state and role in t.roles)


def check_transition(
    state: CaseState,
    target: CaseState,
    role: Role,
    *,
    reason: str = "",
    fee_due: bool | None = None,
    actor_id: str = "",
    data: Mapping[str, object] | None = None,
) -> Transition:
    """Return the transition if `role` may move a case from `state` to `target`, else raise.

    `fee_due` tells whether an approved case has a fee to pay: with one it must go to
    awaiting_payment, without one straight to issued. Staff withdraw (void) a case only with a
    supervisor's approval: `data["approved_by"]` names another account than `actor_id`
    (`kiosk.storage.staff.void_case` checks the approver's PIN and role and writes it).
    """
    move = _BY_EDGE.get((state, target))
    if move is None:
        raise TransitionError(
            f"เปลี่ยนสถานะจาก “{state.label_th}” เป็น “{target.label_th}” ไม่ได้",
            f"A case cannot go from {state.value} to {target.value}",
        )
    if role not in move.roles:
        raise TransitionError(
            f"ผู้ใช้ประเภทนี้เปลี่ยนสถานะเป็น “{target.label_th}” ไม่ได้",
            f"A {role.value} may not move a case from {state.value} to {target.value}",
        )
    if move.needs_reason and not reason.strip():
        raise TransitionError(
            f"กรุณาระบุเหตุผลในการเปลี่ยนสถานะเป็น “{target.label_th}”",
            f"Moving a case to {target.value} needs a reason",
        )
    if target is CaseState.WITHDRAWN and role is Role.STAFF:
        approver = (data or {}).get("approved_by")
        if (
            not isinstance(approver, str)
            or not approver.strip()
            or approver.strip().upper() == actor_id.upper()
        ):
            raise TransitionError(
                "เจ้าหน้าที่ยกเลิกคำขอได้เมื่อหัวหน้าหรือผู้ดูแลระบบอีกคนหนึ่งอนุมัติแล้วเท่านั้น",
                "Staff void a case only with the approval of another person, a supervisor or an administrator",
            )
    if state is CaseState.APPROVED and fee_due is not None:
        if fee_due and target is CaseState.ISSUED:
            raise TransitionError(
                "คำขอนี้มีค่าธรรมเนียมที่ต้องชำระก่อนออกใบอนุญาต",
                "This case has a fee to pay before it can be issued",
            )
        if not fee_due and target is CaseState.AWAITING_PAYMENT:
            raise TransitionError("คำขอนี้ไม่มีค่าธรรมเนียมที่ต้องชำระ", "This case has no fee to pay")
    return move


@dataclass(frozen=True)
class Actor:
    role: Role
    id: str = ""  # staff or officer account; empty for the applicant and the system


class EventKind(StrEnum):
    CREATED = "created"
    TRANSITION = "transition"
    DEFICIENCY_RECORDED = "deficiency_recorded"
    DOCUMENT_MARKED = "document_marked"
    FIELD_EDITED = "field_edited"
    SLA_EXTENDED = "sla_extended"
    FEE_SET = "fee_set"
    PAYMENT_RECORDED = "payment_recorded"
    PRIORITY_SET = "priority_set"
    # Guided assistance at the counter: take over, give back, reprint, open a case. data["action"].
    STAFF_ACTION = "staff_action"
    NOTE = "note"


@dataclass(frozen=True)
class CaseEvent:
    """One fact in a case's history. Events are never changed or removed once written."""

    case_id: uuid.UUID
    kind: EventKind
    actor: Actor
    at: dt.datetime
    kiosk_id: str
    from_state: CaseState | None = None
    to_state: CaseState | None = None
    reason: str = ""
    data: dict[str, object] = field(default_factory=dict)
    id: uuid.UUID = field(default_factory=uuid.uuid4)
