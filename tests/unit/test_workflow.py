import pytest

from kiosk.domain.workflow import (
    TRANSITIONS,
    CaseState,
    Role,
    TransitionError,
    allowed_targets,
    check_transition,
)

S, R = CaseState, Role


def test_the_biz_portal_path_is_walkable() -> None:
    path = [
        (S.DRAFT, S.SUBMITTED, R.APPLICANT),
        (S.SUBMITTED, S.NEEDS_FIX, R.STAFF),
        (S.NEEDS_FIX, S.RESUBMITTED, R.APPLICANT),
        (S.RESUBMITTED, S.COMPLETE, R.STAFF),
        (S.COMPLETE, S.UNDER_REVIEW, R.OFFICER),
        (S.UNDER_REVIEW, S.APPROVED, R.OFFICER),
        (S.APPROVED, S.AWAITING_PAYMENT, R.SYSTEM),
        (S.AWAITING_PAYMENT, S.PAID, R.STAFF),
        (S.PAID, S.ISSUED, R.OFFICER),
        (S.ISSUED, S.PICKED_UP, R.STAFF),
    ]
    for source, target, role in path:
        check_transition(source, target, role, reason="x")


def test_every_pair_not_listed_is_refused() -> None:
    listed = {(t.source, t.target) for t in TRANSITIONS}
    for source in S:
        for target in S:
            if (source, target) in listed:
                continue
            with pytest.raises(TransitionError):
                check_transition(source, target, R.OFFICER, reason="x")


def test_final_states_lead_nowhere() -> None:
    for state in (S.REJECTED, S.PICKED_UP, S.WITHDRAWN):
        assert state.final
        for role in R:
            assert allowed_targets(state, role) == ()


@pytest.mark.parametrize(
    ("source", "target", "role"),
    [
        (S.UNDER_REVIEW, S.APPROVED, R.STAFF),
        (S.UNDER_REVIEW, S.APPROVED, R.APPLICANT),
        (S.SUBMITTED, S.COMPLETE, R.APPLICANT),
        (S.PAID, S.ISSUED, R.SYSTEM),
    ],
)
def test_who_may_move_is_enforced(source: CaseState, target: CaseState, role: Role) -> None:
    with pytest.raises(TransitionError, match=role.value):
        check_transition(source, target, role, reason="x")


@pytest.mark.parametrize("target", [S.NEEDS_FIX, S.REJECTED, S.WITHDRAWN])
def test_a_reason_is_required_for_bad_news(target: CaseState) -> None:
    source = S.UNDER_REVIEW if target is S.REJECTED else S.SUBMITTED
    with pytest.raises(TransitionError, match="reason"):
        check_transition(source, target, R.OFFICER, reason="   ")
    check_transition(source, target, R.OFFICER, reason="เอกสารไม่ครบ")


def test_a_fee_decides_the_way_out_of_approved() -> None:
    with pytest.raises(TransitionError, match="fee to pay"):
        check_transition(S.APPROVED, S.ISSUED, R.OFFICER, fee_due=True)
    with pytest.raises(TransitionError, match="no fee"):
        check_transition(S.APPROVED, S.AWAITING_PAYMENT, R.SYSTEM, fee_due=False)
    check_transition(S.APPROVED, S.ISSUED, R.OFFICER, fee_due=False)


def test_messages_are_thai_and_english() -> None:
    with pytest.raises(TransitionError) as info:
        check_transition(S.DRAFT, S.PAID, R.STAFF)
    assert "ร่างคำขอ" in info.value.message_th and "draft" in info.value.message_en
