"""Ageing of what customers owe: the buckets finance reads receivables by."""

from __future__ import annotations

BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("90+", 91, None),
)


def age_bucket(age_days: int) -> str:
    return next(name for name, low, high in BUCKETS if age_days >= low and (high is None or age_days <= high))
