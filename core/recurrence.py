"""When a recurring contract's visits fall: weekly, fortnightly or monthly from its first day."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, timedelta

FREQUENCIES = ("weekly", "fortnightly", "monthly")


def _monthly(first: date, index: int) -> date:
    month = first.month - 1 + index
    year, month = first.year + month // 12, month % 12 + 1
    return date(year, month, min(first.day, calendar.monthrange(year, month)[1]))


def occurrences(frequency: str, first: date, until: date, last: date | None = None) -> Iterator[date]:
    """Visit dates from `first` up to `until` (and the contract's own end, `last`), in order."""
    end = min(until, last) if last else until
    index = 0
    while True:
        if frequency == "monthly":
            day = _monthly(first, index)
        else:
            day = first + timedelta(weeks=index * (2 if frequency == "fortnightly" else 1))
        if day > end:
            return
        yield day
        index += 1
