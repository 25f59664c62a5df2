"""When the demo company is busy: the period covered, the week (households at weekends,
offices on weekdays), the year (spring cleaning in March–April, the rush before Spring
Festival, a smaller one before National Day, quiet holidays and summers) and growth."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, time, timedelta

import numpy as np

from core.clock import at

YEARS = 3
AHEAD = 14  # days of bookings after today
GROWTH = 1.12  # a year

# Chinese New Year (the first day of the Spring Festival), from the lunar calendar.
CNY = {
    2019: date(2019, 2, 5),
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
    2031: date(2031, 1, 23),
    2032: date(2032, 2, 11),
    2033: date(2033, 1, 31),
    2034: date(2034, 2, 19),
    2035: date(2035, 2, 8),
    2036: date(2036, 1, 28),
}

# Monday first.
WEEK = {
    "household": (0.75, 0.7, 0.75, 0.8, 0.95, 1.65, 1.45),
    "company": (1.15, 1.2, 1.2, 1.15, 1.05, 0.35, 0.2),
}


@dataclass(frozen=True)
class Period:
    """Days first..last (company dates); `today` is an index into them."""

    first: date
    days: int
    today: int
    midnight: np.ndarray  # per day: the UTC instant (epoch seconds) of the company's midnight

    def day(self, index: int) -> date:
        return self.first + timedelta(days=index)

    @property
    def now(self) -> int:
        """The cut-off for everything that has happened: the start of today."""
        return int(self.midnight[self.today])


def period(today: date) -> Period:
    try:
        first = today.replace(year=today.year - YEARS)
    except ValueError:  # 29 February
        first = today.replace(year=today.year - YEARS, day=28)
    days = (today - first).days + AHEAD + 1
    midnight = np.array(
        [int(at(first + timedelta(days=i), time()).timestamp()) for i in range(days + 1)], dtype=np.int64
    )
    return Period(first, days, (today - first).days, midnight)


def spring_festival(day: date) -> tuple[int, int]:
    """Days until the next Spring Festival (0 on the day) and days since the last one."""
    this = CNY.get(day.year, date(day.year, 2, 1))
    after = CNY.get(day.year + 1, date(day.year + 1, 2, 1))
    before = CNY.get(day.year - 1, date(day.year - 1, 2, 1))
    until = (this - day).days if day <= this else (after - day).days
    since = (day - this).days if day >= this else (day - before).days
    return until, since


def yearly(day: date, segment: str) -> float:
    """The season's factor for one day (1.0 an ordinary day)."""
    household = segment == "household"
    factor = 1.0
    spring = (day - date(day.year, 4, 2)).days
    factor *= 1 + (0.45 if household else 0.25) * math.exp(-0.5 * (spring / 24) ** 2)
    if day.month in (7, 8):
        factor *= 0.8 if household else 0.9
    if day.month == 12 and not household:
        factor *= 1.12  # year-end office cleaning
    until, since = spring_festival(day)
    if 3 <= until <= 21:  # the rush builds for three weeks; the last two days everyone travels home
        factor *= 1 + (1.0 if household else 0.5) * min(1.0, (21 - until) / 15)
    elif 1 <= until <= 2:
        factor *= 0.6 if household else 0.3
    if since <= 6:
        factor *= 0.15 if household else 0.05
    elif since <= 13:
        factor *= 0.7
    national = (day - date(day.year, 10, 1)).days
    if -14 <= national <= -1:
        factor *= 1.3 if household else 1.15
    elif 0 <= national <= 6:
        factor *= 0.45 if household else 0.2
    if day.month == 5 and day.day <= 5:
        factor *= 0.6 if household else 0.3
    return factor


def spring_cleaning(day: date) -> bool:
    """Households clean the whole home: the three weeks before Spring Festival, and March–April."""
    until, _since = spring_festival(day)
    return 1 <= until <= 21 or day.month in (3, 4)


def intensity(span: Period, segment: str) -> np.ndarray:
    """Expected demand per day: week × season × growth (no noise yet)."""
    week = WEEK[segment]
    values = np.empty(span.days)
    for i in range(span.days):
        day = span.day(i)
        values[i] = week[day.weekday()] * yearly(day, segment) * GROWTH ** (i / 365.25)
    return values
