"""Choosing the technician for a job: who covers the area, has the skills, is on shift and
free, and has the least time booked that day. Pure rules; the dispatch service feeds them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core.i18n import Bilingual, Message, msg, translate

STEP = timedelta(minutes=15)  # candidate start times are on the quarter hour

# Why a technician was chosen (the demo generator writes the same sentence for its orders).
CHOSEN = msg(
    "{name}: covers {area}, has the skills, is on shift and free at {time}, and had {booked} min booked "
    "that day, the least of the {count} technicians who could take the job."
)


@dataclass(frozen=True)
class Booking:
    start: datetime
    end: datetime
    number: str


@dataclass(frozen=True)
class Candidate:
    staff_id: int
    name: str
    areas: frozenset[int]
    skills: frozenset[str]
    shifts: tuple[tuple[datetime, datetime], ...]
    bookings: tuple[Booking, ...]
    day: tuple[datetime, datetime] | None = None  # the company day the job is for

    @property
    def booked_minutes(self) -> int:
        """Minutes booked within the day (bookings reaching into it count for their part only)."""
        begin, end = self.day or (datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC))
        seconds = sum(max(0.0, (min(b.end, end) - max(b.start, begin)).total_seconds()) for b in self.bookings)
        return int(seconds // 60)


@dataclass(frozen=True)
class Assignment:
    staff_id: int
    start: datetime
    end: datetime
    reason: Message


def conflict(bookings: Iterable[Booking], start: datetime, end: datetime) -> Booking | None:
    """The first booking that overlaps [start, end), if any."""
    return next((b for b in bookings if b.start < end and start < b.end), None)


def on_shift(shifts: Iterable[tuple[datetime, datetime]], start: datetime, end: datetime) -> bool:
    return any(begins <= start and end <= ends for begins, ends in shifts)


def free_slot(candidate: Candidate, earliest: datetime, latest_start: datetime, minutes: int) -> datetime | None:
    """The first quarter-hour start in [earliest, latest_start] when the job fits a shift and no booking."""
    duration = timedelta(minutes=minutes)
    start = _round_up(earliest)
    while start <= latest_start:
        end = start + duration
        if on_shift(candidate.shifts, start, end) and conflict(candidate.bookings, start, end) is None:
            return start
        start += STEP
    return None


def _round_up(moment: datetime) -> datetime:
    floor = moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)
    return floor if floor == moment else floor + STEP


def choose(
    candidates: Sequence[Candidate],
    *,
    area_id: int,
    area: Bilingual,
    skills: frozenset[str],
    earliest: datetime,
    latest_start: datetime,
    minutes: int,
    local_time: Callable[[datetime], str],
) -> Assignment | None:
    eligible = []
    for candidate in candidates:
        if area_id not in candidate.areas or not skills <= candidate.skills:
            continue
        slot = free_slot(candidate, earliest, latest_start, minutes)
        if slot is not None:
            eligible.append((candidate.booked_minutes, slot, candidate.name, candidate))
    if not eligible:
        return None
    booked, start, _name, best = min(eligible, key=lambda item: item[:3])
    reason = msg(
        CHOSEN.text,
        name=best.name,
        area=area,
        time=local_time(start),
        booked=booked,
        count=len(eligible),
    )
    return Assignment(best.staff_id, start, start + timedelta(minutes=minutes), reason)


def in_both_languages(message: Message) -> dict[str, str]:
    """Kept with the order, so the reason reads the same later whoever looks, in their language."""
    return {language: translate(message, language) for language in ("en", "zh")}
