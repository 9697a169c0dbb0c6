"""A class's statuses: the transition table, pair by pair and over random sequences."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.classes.status import (
    TRANSITIONS,
    ClassStatus,
    TransitionRefused,
    check_transition,
    parse_status,
)
from core.fields import ValidationFailed

ORDER = list(ClassStatus)
ALLOWED = {
    (ClassStatus.DRAFT, ClassStatus.APPLIED),
    (ClassStatus.APPLIED, ClassStatus.FILED),
    (ClassStatus.FILED, ClassStatus.OPEN),
    (ClassStatus.OPEN, ClassStatus.FINISHED),
}
PAIRS = [(current, target) for current in ClassStatus for target in ClassStatus]


def test_the_statuses_are_the_stored_words_in_their_order() -> None:
    assert [s.value for s in ORDER] == ["草稿", "已申请", "已备案", "开班", "结业"]
    assert [s.label for s in ORDER] == [s.value for s in ORDER]
    assert [s.key for s in ORDER] == ["draft", "applied", "filed", "open", "finished"]
    assert ClassStatus("开班") is ClassStatus.OPEN
    assert f"{ClassStatus.OPEN}" == "开班"


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_each_step_forward_is_allowed(current: ClassStatus, target: ClassStatus) -> None:
    check_transition(current, target)
    assert current.following is target


@pytest.mark.parametrize(("current", "target"), [p for p in PAIRS if p not in ALLOWED])
def test_every_other_move_is_refused_naming_both(current: ClassStatus, target: ClassStatus) -> None:
    with pytest.raises(TransitionRefused) as refused:
        check_transition(current, target)
    (error,) = refused.value.errors
    assert error.field == "status"
    assert f"不能由“{current}”改为“{target}”" in error.message
    assert (refused.value.current, refused.value.target) == (current, target)


def test_the_refusal_says_why() -> None:
    cases = {
        (ClassStatus.OPEN, ClassStatus.DRAFT): "状态不能回退，下一步是“结业”",
        (ClassStatus.DRAFT, ClassStatus.OPEN): "状态只能逐步推进，下一步是“已申请”",
        (ClassStatus.FILED, ClassStatus.FILED): "培训班已是“已备案”",
        (ClassStatus.FINISHED, ClassStatus.OPEN): "“结业”是最后一步",
    }
    for (current, target), reason in cases.items():
        with pytest.raises(TransitionRefused, match=reason):
            check_transition(current, target)


def test_the_table_is_one_step_forward_and_nothing_after_the_last() -> None:
    assert {(c, t) for c, targets in TRANSITIONS.items() for t in targets} == ALLOWED
    assert ClassStatus.FINISHED.following is None


@given(st.lists(st.sampled_from(ORDER), max_size=30))
def test_any_sequence_of_requests_only_ever_steps_forward(requests: list[ClassStatus]) -> None:
    status = ClassStatus.DRAFT
    accepted = 0
    for target in requests:
        try:
            check_transition(status, target)
        except TransitionRefused:
            assert target is not status.following
            continue
        assert ORDER.index(target) == ORDER.index(status) + 1
        status = target
        accepted += 1
    assert ORDER.index(status) == accepted


def test_what_each_status_allows() -> None:
    assert [s for s in ORDER if s.can_be_deleted] == [ClassStatus.DRAFT]
    assert [s for s in ORDER if s.marks_completion] == [ClassStatus.OPEN, ClassStatus.FINISHED]
    assert [s for s in ORDER if not s.takes_trainees] == [ClassStatus.FINISHED]
    assert [s for s in ORDER if s.claims_subsidy] == [ClassStatus.FINISHED]


@pytest.mark.parametrize(
    ("text", "status"),
    [("开班", ClassStatus.OPEN), ("open", ClassStatus.OPEN), (" Filed ", ClassStatus.FILED)],
)
def test_a_status_is_typed_by_label_or_key(text: str, status: ClassStatus) -> None:
    assert parse_status(text) is status


def test_an_unknown_status_is_refused_with_the_choices() -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_status("结束")
    (error,) = refused.value.errors
    assert (error.field, error.label) == ("status", "状态")
    assert "草稿（draft）" in error.message and "结束" in error.message
