"""The ageing buckets finance reads receivables by: 0-30, 31-60, 61-90 and 90+ days."""

from __future__ import annotations

import pytest

from core.ageing import BUCKETS, age_bucket


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (0, "0-30"),
        (1, "0-30"),
        (30, "0-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "90+"),
        (365, "90+"),
        (10_000, "90+"),
    ],
)
def test_each_age_falls_in_its_bucket(days, bucket):
    assert age_bucket(days) == bucket


def test_the_buckets_are_in_order_and_leave_no_day_out():
    assert [name for name, _low, _high in BUCKETS] == ["0-30", "31-60", "61-90", "90+"]
    assert all(age_bucket(day) for day in range(0, 400))
