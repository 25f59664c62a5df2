"""Staffing needs from the demand forecast, and a suggested roster to meet them. Pure rules; the
services in core.services.staffing_needs read the forecast, the history and the roster for them.

Needed hours of an area on a day of the target week (Monday to Sunday):

    (1 + ALLOWANCE) × Σ over services: forecast jobs that week × the service's job minutes / 60
                                        × the service's share of jobs on that weekday

- forecast jobs: the newest finished forecast run's weekly jobs (order lines) of the service in
  the area, its mean (a negative forecast counts as 0);
- job minutes: the average minutes of that service's order lines in the last HISTORY_WEEKS whole
  weeks (orders not cancelled, by requested date), every area together, since a job takes about as
  long wherever it is and one average over all areas rests on more jobs. A service without lines
  in that time falls back on the catalogue: its minutes for one unit, at least MIN_JOB_MINUTES
  (dispatch's shortest job); this is rough for services sold by the m², and the figure says so;
- weekday share: how the service's jobs in the area fell on the days of the week over the same
  history (by requested date). With fewer than MIN_SHARE_JOBS jobs there, the service's pattern
  over all areas is used, then the company's over all services, then an even spread over 7 days;
- ALLOWANCE: travel between jobs and setting up, which the lines' minutes leave out (15%).

Rostered hours of an area on a day: the technician shifts (role "technician") starting that day,
each split evenly across the areas the person serves (a person in two areas gives each half). The
area a shift names does not decide it: dispatch sends a technician on shift to jobs in any of their
areas. A person serving no area counts nowhere (the total is reported). Gap = needed − rostered:
positive is short, negative is a surplus.

The suggested roster is greedy: day by day, always the area then shortest, it adds standard shifts
(SHIFT_START for SHIFT_HOURS, shortened to the daily hours setting) while at least MIN_GAP_HOURS
stay short; a proposed shift counts like a rostered one, split over the person's areas (so it also
closes part of their other areas' gaps that day). Each goes to an active technician who serves the
area, holds at least one skill the area's forecast services need (certificates counted as dispatch
counts them), is not on approved leave that day, has no shift that day nor one overlapping it, and
stays within the weekly hours limit. Among those it picks the fewest hours already rostered that
week (spreading work, keeping headroom under the limit), then the most of the needed skills, then
the lower hourly cost. What stays short is listed with why. Accepting a proposal goes through the
roster's own checks again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from core import rosters
from core.i18n import Bilingual, Message, msg

ALLOWANCE = Decimal("0.15")  # travel and setting up, on top of the lines' minutes
HISTORY_WEEKS = 26  # the history the job minutes and weekday shares are taken from
MIN_SHARE_JOBS = 10  # fewer jobs than this say too little about the weekdays
MIN_JOB_MINUTES = Decimal(30)  # dispatch's shortest job, the floor of the catalogue fallback
SHIFT_START = time(9)  # the standard shift the suggestion proposes: 09:00 ...
SHIFT_HOURS = Decimal(8)  # ... to 17:00, or shorter when the daily hours setting is lower
MIN_GAP_HOURS = Decimal(1)  # a shortfall smaller than this is not worth a shift
HUNDREDTH = Decimal("0.01")
DAYS = 7


def round_hours(value: Decimal) -> Decimal:
    return value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def job_minutes(history_minutes: int | None, history_jobs: int, catalogue_minutes: Decimal) -> tuple[Decimal, str]:
    """A service's typical job in minutes, and where it came from ("history" or "catalogue")."""
    if history_jobs > 0 and history_minutes is not None:
        return Decimal(history_minutes) / Decimal(history_jobs), "history"
    return max(Decimal(catalogue_minutes), MIN_JOB_MINUTES), "catalogue"


def weekday_shares(*patterns: Sequence[int]) -> tuple[Decimal, ...]:
    """Shares of jobs per weekday (Monday first, summing to 1) from the first pattern of jobs per
    weekday that has at least MIN_SHARE_JOBS jobs; an even spread when none has."""
    for counts in patterns:
        total = sum(counts)
        if total >= MIN_SHARE_JOBS:
            return tuple(Decimal(count) / Decimal(total) for count in counts)
    return tuple(Decimal(1) / Decimal(DAYS) for _ in range(DAYS))


@dataclass(frozen=True)
class Demand:
    """The forecast jobs of a service in an area in the target week."""

    service_id: int
    area_id: int
    jobs: float


def needed_hours(
    demand: Iterable[Demand],
    minutes: Mapping[int, Decimal],
    shares: Callable[[int, int], Sequence[Decimal]],
    days: Sequence[date],
) -> dict[tuple[int, date], Decimal]:
    """Needed hours per (area, day), allowance included, unrounded. `shares(service, area)` gives
    the seven weekday shares; `minutes` the job minutes of each service."""
    found: dict[tuple[int, date], Decimal] = {}
    for item in demand:
        jobs = max(Decimal(str(item.jobs)), Decimal(0))
        week = jobs * minutes[item.service_id] / Decimal(60) * (1 + ALLOWANCE)
        split = shares(item.service_id, item.area_id)
        for day in days:
            key = (item.area_id, day)
            found[key] = found.get(key, Decimal(0)) + week * split[day.weekday()]
    return found


@dataclass(frozen=True)
class RosteredShift:
    staff_id: int
    day: date  # the company date it starts on
    hours: Decimal
    role: str


def rostered_hours(
    shifts: Iterable[RosteredShift], areas_of: Mapping[int, Sequence[int]]
) -> tuple[dict[tuple[int, date], Decimal], Decimal]:
    """Technicians' rostered hours per (area, day), and the hours of those serving no area."""
    found: dict[tuple[int, date], Decimal] = {}
    nowhere = Decimal(0)
    for shift in shifts:
        if shift.role != "technician":
            continue
        areas = sorted(set(areas_of.get(shift.staff_id, ())))
        if not areas:
            nowhere += shift.hours
            continue
        part = shift.hours / Decimal(len(areas))
        for area in areas:
            found[(area, shift.day)] = found.get((area, shift.day), Decimal(0)) + part
    return found, nowhere


@dataclass(frozen=True)
class Person:
    """A technician as the suggestion sees them: `skills` are those usable on each day of the week."""

    staff_id: int
    name: str
    areas: frozenset[int]
    skills: Mapping[date, frozenset[str]]
    shifts: tuple[rosters.Span, ...] = ()  # the week's, and any from the day before reaching into it
    leave: tuple[rosters.Leave, ...] = ()
    hourly_cost: Decimal | None = None


@dataclass(frozen=True)
class Rules:
    """What the suggestion must respect, and how it tells instants and days apart."""

    monday: date
    open_days: frozenset[date]  # days a shift may still be proposed for (not begun)
    shift: Callable[[date], rosters.Span]  # the standard shift on a day
    local_day: Callable[[datetime], date]
    weekly_limit: Decimal


@dataclass(frozen=True)
class Proposal:
    staff_id: int
    name: str
    day: date
    span: rosters.Span
    area_id: int
    reason: Message


@dataclass(frozen=True)
class Uncovered:
    day: date
    area_id: int
    hours: Decimal
    reason: Message


@dataclass
class Suggestion:
    proposals: list[Proposal] = field(default_factory=list)
    uncovered: list[Uncovered] = field(default_factory=list)


def standard_shift(daily_hours: Decimal) -> tuple[time, time]:
    """The proposed shift's start and end: SHIFT_START for SHIFT_HOURS, or for the daily hours if fewer."""
    length = min(SHIFT_HOURS, daily_hours)
    minutes = int(length * 60)
    end = datetime.combine(date(2000, 1, 3), SHIFT_START) + timedelta(minutes=minutes)
    return SHIFT_START, end.time()


def suggest(
    gaps: Mapping[tuple[int, date], Decimal],
    needed_skills: Mapping[int, frozenset[str]],
    people: Sequence[Person],
    rules: Rules,
    area_names: Mapping[int, Bilingual],
    skill_names: Mapping[str, Bilingual],
) -> Suggestion:
    """Standard shifts that close the gaps (hours short per (area, day)) as far as the people allow.
    A proposed shift counts as rostered hours do: split evenly over the person's areas."""
    result = Suggestion()
    shifts = {p.staff_id: list(p.shifts) for p in people}
    week = {p.staff_id: rosters.week_hours(p.shifts, rules.monday, rules.local_day) for p in people}
    left = dict(gaps)
    for day in sorted({day for _area, day in gaps}):
        new, stuck = rules.shift(day), set[int]()
        while True:
            short = [(-gap, area) for (area, on), gap in left.items() if on == day and gap >= MIN_GAP_HOURS]
            short = [item for item in short if item[1] not in stuck]
            if not short:
                break
            area = min(short)[1]
            wanted = needed_skills.get(area, frozenset())
            fits = [p for p in people if _refusal(p, day, area, wanted, new, shifts, week, rules) is None]
            if day not in rules.open_days or not fits:
                stuck.add(area)
                continue
            best = min(fits, key=lambda p: _preference(p, day, wanted, week))
            share = new.hours / Decimal(len(best.areas))
            reason = msg(
                "{area} is {short} h short on {day}: {name} serves it (skills: {skills}), is free that day and had "
                "{hours} h rostered that week; the shift counts {share} h here.",
                area=area_names.get(area, Bilingual(str(area), str(area))),
                short=rosters.plain(round_hours(left[(area, day)])),
                day=day.isoformat(),
                name=best.name,
                skills=_skills_text(sorted(wanted & best.skills.get(day, frozenset())), skill_names),
                hours=rosters.plain(round_hours(week[best.staff_id])),
                share=rosters.plain(round_hours(share)),
            )
            result.proposals.append(Proposal(best.staff_id, best.name, day, new, area, reason))
            shifts[best.staff_id].append(new)
            week[best.staff_id] += new.hours
            for served in best.areas:
                left[(served, day)] = left.get((served, day), Decimal(0)) - share
        for area in sorted(stuck, key=lambda a: (-left[(a, day)], a)):
            if left[(area, day)] < MIN_GAP_HOURS:
                continue  # another area's proposal covered it meanwhile
            if day not in rules.open_days:
                reason = msg("This day has begun or passed; no shift is proposed for it.")
            else:
                wanted = needed_skills.get(area, frozenset())
                reason = _why_nobody(people, day, area, wanted, new, shifts, week, rules, skill_names)
            result.uncovered.append(Uncovered(day, area, round_hours(left[(area, day)]), reason))
    return result


def _refusal(
    person: Person,
    day: date,
    area: int,
    wanted: frozenset[str],
    new: rosters.Span,
    shifts: Mapping[int, list[rosters.Span]],
    week: Mapping[int, Decimal],
    rules: Rules,
) -> str | None:
    """Why this person cannot take the standard shift in this area on this day, or None."""
    if area not in person.areas:
        return "area"
    if wanted and not wanted & person.skills.get(day, frozenset()):
        return "skills"
    if rosters.leave_on(person.leave, [day]) is not None:
        return "leave"
    mine = shifts[person.staff_id]
    if rosters.first_overlap(mine, new) is not None or any(rules.local_day(s.starts_at) == day for s in mine):
        return "rostered"
    if rosters.beyond_week_limit(week[person.staff_id], new, rules.weekly_limit):
        return "limit"
    return None


def _preference(person: Person, day: date, wanted: frozenset[str], week: Mapping[int, Decimal]) -> tuple:
    cost = person.hourly_cost
    matched = len(wanted & person.skills.get(day, frozenset()))
    return (week[person.staff_id], -matched, cost is None, cost or 0, person.name, person.staff_id)


def _skills_text(codes: Sequence[str], skill_names: Mapping[str, Bilingual]) -> Bilingual | Message:
    if not codes:
        return msg("none needed")
    labels = [skill_names.get(code, Bilingual(code, code)) for code in codes]
    return Bilingual(", ".join(label.en for label in labels), "、".join(label.zh for label in labels))


def _why_nobody(
    people: Sequence[Person],
    day: date,
    area: int,
    wanted: frozenset[str],
    new: rosters.Span,
    shifts: Mapping[int, list[rosters.Span]],
    week: Mapping[int, Decimal],
    rules: Rules,
    skill_names: Mapping[str, Bilingual],
) -> Message:
    refusals = [_refusal(p, day, area, wanted, new, shifts, week, rules) for p in people]
    if all(reason == "area" for reason in refusals):
        return msg("No active technician covers this area.")
    if all(reason in ("area", "skills") for reason in refusals):
        return msg(
            "No technician serving this area has a skill its services need ({skills}).",
            skills=_skills_text(sorted(wanted), skill_names),
        )
    return msg(
        "Everyone who could work here is taken: {leave} on leave, {rostered} already on a shift that day, "
        "{limit} would pass the weekly limit of {max} hours.",
        leave=refusals.count("leave"),
        rostered=refusals.count("rostered"),
        limit=refusals.count("limit"),
        max=rosters.plain(rules.weekly_limit),
    )
