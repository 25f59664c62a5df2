"""The status flow: which status may follow which, and what a refusal says."""

from __future__ import annotations

import pytest

from core.i18n import translate
from core.order_status import FOR_CUSTOMERS, NEXT, STATUSES, InvalidTransition, check_transition

EXPECTED = {
    "new": {"confirmed", "cancelled"},
    "confirmed": {"scheduled", "cancelled"},
    "scheduled": {"in_progress", "confirmed", "cancelled"},
    "in_progress": {"completed"},
    "completed": {"paid"},
    "paid": set(),
    "cancelled": set(),
}
ALLOWED = [(current, target) for current, targets in EXPECTED.items() for target in sorted(targets)]
REFUSED = [(current, target) for current in STATUSES for target in STATUSES if target not in EXPECTED[current]]


def test_the_flow_is_new_confirmed_scheduled_in_progress_completed_paid_or_cancelled():
    assert {status: set(targets) for status, targets in NEXT.items()} == EXPECTED


def test_every_status_has_a_name_and_a_customer_explanation_in_both_languages():
    assert set(STATUSES) == set(FOR_CUSTOMERS) == set(EXPECTED)
    for status in STATUSES:
        assert STATUSES[status].en and STATUSES[status].zh
        assert FOR_CUSTOMERS[status].en and FOR_CUSTOMERS[status].zh


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_an_allowed_transition_passes(current, target):
    check_transition(current, target)


@pytest.mark.parametrize(("current", "target"), REFUSED)
def test_every_other_transition_is_refused(current, target):
    with pytest.raises(InvalidTransition):
        check_transition(current, target)


def test_skipping_a_step_is_refused():
    with pytest.raises(InvalidTransition):
        check_transition("new", "scheduled")
    with pytest.raises(InvalidTransition):
        check_transition("confirmed", "in_progress")
    with pytest.raises(InvalidTransition):
        check_transition("scheduled", "completed")


def test_staying_in_the_same_status_is_not_a_transition():
    with pytest.raises(InvalidTransition):
        check_transition("new", "new")


def test_the_refusal_names_both_statuses_and_what_is_possible_next():
    with pytest.raises(InvalidTransition) as refused:
        check_transition("confirmed", "in_progress")
    text = translate(refused.value.message, "en")
    assert "Confirmed" in text and "In progress" in text
    assert "Next possible: Cancelled, Scheduled." in text


def test_the_refusal_of_a_finished_order_names_no_next_status():
    with pytest.raises(InvalidTransition) as refused:
        check_transition("paid", "cancelled")
    text = translate(refused.value.message, "en")
    assert not any(STATUSES[s].en in text.split("Next possible:")[1] for s in STATUSES)


def test_the_refusal_reads_in_chinese_with_the_statuses_in_chinese():
    with pytest.raises(InvalidTransition) as refused:
        check_transition("confirmed", "in_progress")
    text = translate(refused.value.message, "zh")
    assert "已确认" in text and "服务中" in text
    assert "已派工" in text and "已取消" in text  # what is possible next, in the reader's language
