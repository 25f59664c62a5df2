"""The demo's attendance: for every rostered day before today an entry, clocked in a few minutes
around the shift's start (now and then more than ten minutes late) and out some eight hours
later, never before the person's last job of the day was done (so busy days run into overtime),
and never after the first job started; a few absences on days without jobs; the last entry of
two people left open (the missing clock-outs a manager has to correct); a few entries a manager
corrected. Today, whoever's shift has begun by the time the demo is made has clocked in (and out,
if it is over), except the demo technician, who has not clocked in yet."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.demo.seasons import Period
from core.demo.staff import DAY, HOURS, LATE, OFF

BEGINS = np.array([0, HOURS[DAY][0], HOURS[LATE][0]], dtype=np.int64)
NEVER = np.iinfo(np.int64).max
CORRECTED = "漏打卡，按派工记录补录 / Missed the clock-out; set from the job records"


@dataclass
class Clocked:
    """Entries in clock-in order; clock_out -1 when still open."""

    person: np.ndarray
    clock_in: np.ndarray
    clock_out: np.ndarray
    corrected: np.ndarray  # bool


def plan(
    rng: np.random.Generator,
    span: Period,
    roster: np.ndarray,
    jobs: tuple[np.ndarray, ...],
    keep_closed: set[int],
    clock: int,
) -> Clocked:
    """`roster` is person × day (OFF, DAY, LATE); `jobs` the completed jobs as (person, day,
    started, completed); `keep_closed` the people whose last entry stays closed and who have not
    clocked in today; `clock` the moment the demo is made (epoch seconds)."""
    people, days = roster.shape
    person, day = np.nonzero(roster[:, : span.today] != OFF)
    n = len(person)
    start = span.midnight[day] + BEGINS[roster[person, day]]
    cell = np.full(people * days, -1, dtype=np.int64)
    cell[person * days + day] = np.arange(n)
    who, when, started, completed = jobs
    mine = cell[who * days + when]
    if (mine < 0).any():
        raise ValueError("A completed job lies outside its technician's shifts.")
    first, last = np.full(n, NEVER, dtype=np.int64), np.full(n, -1, dtype=np.int64)
    np.minimum.at(first, mine, started)
    np.maximum.at(last, mine, completed)
    worked = last >= 0
    late = rng.random(n) < 0.04
    clock_in = start + np.where(late, rng.integers(11 * 60, 46 * 60, n), rng.integers(-15 * 60, 5 * 60, n))
    clock_in = np.where(worked, np.minimum(clock_in, first - rng.integers(120, 600, n)), clock_in)
    clock_out = np.maximum(
        clock_in + rng.integers(int(7.7 * 3600), 8 * 3600, n), np.where(worked, last + rng.integers(300, 1500, n), 0)
    )
    clock_out += np.where(rng.random(n) < 0.03, rng.integers(30 * 60, 120 * 60, n), 0)  # stayed on
    present = worked | (rng.random(n) > 0.015)  # a few absences, on days without jobs
    person, day, clock_in, clock_out, worked = (a[present] for a in (person, day, clock_in, clock_out, worked))
    n = len(person)
    corrected = np.zeros(n, dtype=bool)
    older = np.flatnonzero(worked & (day < span.today - 10))
    corrected[rng.choice(older, size=min(3, len(older)), replace=False)] = True
    at_work, today_in, today_out = _today(rng, span, roster, keep_closed, clock)
    _leave_open(rng, span, person, day, worked, clock_out, keep_closed | set(at_work.tolist()))
    person, clock_in = np.concatenate([person, at_work]), np.concatenate([clock_in, today_in])
    clock_out = np.concatenate([clock_out, today_out])
    corrected = np.concatenate([corrected, np.zeros(len(at_work), dtype=bool)])
    order = np.lexsort((person, clock_in))
    return Clocked(person[order], clock_in[order], clock_out[order], corrected[order])


def _today(
    rng: np.random.Generator, span: Period, roster: np.ndarray, keep_closed: set[int], clock: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Today's entries so far (no job of today has started yet): clocked in around the start of a
    shift that has begun, clocked out once it is over, else still open — at work right now."""
    person = np.flatnonzero(roster[:, span.today] != OFF)
    person = person[[int(p) not in keep_closed for p in person.tolist()]]
    start = span.midnight[span.today] + BEGINS[roster[person, span.today]]
    clock_in = np.minimum(start + rng.integers(-15 * 60, 5 * 60, len(person)), clock)
    begun = start <= clock - 10 * 60
    person, clock_in = person[begun], clock_in[begun]
    clock_out = clock_in + rng.integers(int(7.9 * 3600), int(8.3 * 3600), len(person))
    return person, clock_in, np.where(clock_out <= clock, clock_out, -1)


def _leave_open(
    rng: np.random.Generator, span: Period, person: np.ndarray, day: np.ndarray, worked: np.ndarray,
    clock_out: np.ndarray, keep_closed: set[int],
) -> None:  # fmt: skip
    """Two people forgot to clock out on their last day before today (a day without jobs if
    there is one): a stale open entry refuses their next clock-in, so it must be their last."""
    if not len(person):
        return
    last_of = np.full(int(person.max()) + 1, -1, dtype=np.int64)
    np.maximum.at(last_of, person, day)
    final = np.flatnonzero((day == last_of[person]) & (day >= span.today - 4))
    final = final[[int(p) not in keep_closed for p in person[final].tolist()]]
    if not len(final):
        return
    quiet = final[~worked[final]]
    pool = quiet if len(quiet) >= 2 else final
    clock_out[rng.choice(pool, size=min(2, len(pool)), replace=False)] = -1
