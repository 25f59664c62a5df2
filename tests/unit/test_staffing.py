"""The profile rules: a certificate's state on a day, and the skills dispatch may use."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.staffing import EXPIRING_DAYS, certificate_date_problems, certificate_state, usable_skills

DAY = date(2026, 6, 15)


@pytest.mark.parametrize(
    ("expires_on", "state"),
    [
        (None, "valid"),
        (DAY - timedelta(days=1), "expired"),
        (DAY, "expiring"),
        (DAY + timedelta(days=EXPIRING_DAYS), "expiring"),
        (DAY + timedelta(days=EXPIRING_DAYS + 1), "valid"),
    ],
)
def test_a_certificate_is_good_through_its_expiry_day_and_flagged_a_month_ahead(expires_on, state):
    assert certificate_state(expires_on, DAY) == state


def test_a_skill_a_certificate_licenses_counts_only_while_one_is_valid():
    skills = ["carpet", "window", "office"]
    certificates = [
        ("carpet", DAY - timedelta(days=1)),  # lapsed
        ("window", DAY - timedelta(days=1)),  # lapsed, but renewed below
        ("window", None),
        ("leather", None),  # a certificate for a skill the person is not listed with adds nothing
    ]
    assert usable_skills(skills, certificates, DAY) == frozenset({"window", "office"})
    assert usable_skills(skills, [("carpet", DAY)], DAY) == frozenset(skills)
    assert usable_skills(skills, [], DAY) == frozenset(skills)


def test_an_expiry_must_come_after_the_date_obtained():
    assert certificate_date_problems({"obtained_on": DAY, "expires_on": DAY + timedelta(days=1)}) == {}
    assert certificate_date_problems({"obtained_on": None, "expires_on": DAY}) == {}
    assert set(certificate_date_problems({"obtained_on": DAY, "expires_on": DAY})) == {"expires_on"}
