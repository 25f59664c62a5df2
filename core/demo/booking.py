"""Dispatching the demo's jobs as the app would: a technician who covers the area, has the
skills, is on shift and free in the window, and has little booked that day. Each
technician's jobs of a day are laid end to end (with travel time between), so nobody is
ever double-booked."""

from __future__ import annotations

from dataclasses import dataclass
from heapq import heappop, heappush

import numpy as np

from core.demo.baskets import WINDOWS
from core.demo.seasons import Period
from core.demo.staff import DAY, HOURS, LATE, OFF, Crew

TRAVEL = 30  # minutes between two jobs
STEP = 15  # starts on the quarter hour, as core.dispatching does
MOVES = 3  # days a job may move when its day is fully booked


@dataclass
class Bookings:
    technician: np.ndarray  # crew index, -1 when nobody could take the job
    start: np.ndarray  # epoch seconds
    end: np.ndarray
    booked_before: np.ndarray  # minutes the chosen technician had booked that day already
    compared: np.ndarray  # how many technicians could have taken it (of those compared)
    day: np.ndarray  # the day it is done: a fully booked day moves the job to the next one


def schedule(
    span: Period, crew: Crew, area_index: dict[int, int], needs: np.ndarray, day: np.ndarray, area: np.ndarray,
    skills: np.ndarray, minutes: np.ndarray, window: np.ndarray, fixed: np.ndarray,
) -> Bookings:  # fmt: skip
    """Book the jobs that need a technician, day by day, in the order of their windows.

    Per area, skill set and shift kind a heap holds the technicians by when they are next
    free, then by minutes booked: the first of each heap is the one who can start soonest,
    so each heap answers "can anyone here take it" at once. Of the heads that can, the one
    with the least booked time gets the job. Contract visits (`fixed`) go first and keep
    their day; another job nobody can take moves to the next day (the customer agreed to
    another date), at most MOVES times and never across today."""
    n = len(day)
    tech_skills = crew.skills.tolist()
    masks = sorted(set(tech_skills))
    group = [masks.index(m) for m in tech_skills]
    kinds_of = (DAY, LATE)
    areas_n, groups_n = len(area_index), len(masks)
    reach = [[(area_index[a] * groups_n + group[t]) * 2 for a in mine] for t, mine in enumerate(crew.areas)]
    members = [[] for _ in range(areas_n * groups_n)]
    for t, mine in enumerate(crew.areas):
        for a in mine:
            members[area_index[a] * groups_n + group[t]].append(t)
    members_np = [np.array(m, dtype=np.int64) for m in members]
    able: dict[tuple[int, int], list[tuple[int, int]]] = {}
    win_start = np.array([w[0] for w in WINDOWS])
    wanted = np.flatnonzero(needs)
    order = wanted[np.lexsort((-minutes[wanted], win_start[window[wanted]], ~fixed[wanted], day[wanted]))]
    bounds = np.searchsorted(day[order], np.arange(span.days + 1))
    area_of = [area_index[a] * groups_n * 2 for a in area.tolist()]
    skill_of, minutes_of, window_of = skills.tolist(), minutes.tolist(), window.tolist()
    first_day = day.tolist()
    may_move = (~fixed).tolist()
    technician, start, before, compared = [-1] * n, [0] * n, [0] * n, [0] * n
    done_on = list(first_day)
    hours = [(HOURS[kind][0] // 60, HOURS[kind][1] // 60) for kind in kinds_of]
    carried: list[int] = []
    # A heap entry is one integer: (free from, in minutes) << 32 | (minutes booked) << 16 | technician.
    for d in range(span.days):
        fresh = order[bounds[d] : bounds[d + 1]]
        visits = int(fixed[fresh].sum())  # contract visits sort first: they go before yesterday's leftovers
        todays = fresh[:visits].tolist() + carried + fresh[visits:].tolist()
        carried = []
        if not todays:
            continue
        roster = crew.roster[:, d]
        heaps: list[list[int]] = []
        for techs in members_np:
            on = roster[techs]
            for k, kind in enumerate(kinds_of):
                heaps.append(((hours[k][0] << 32) | techs[on == kind]).tolist())  # equal keys: already a heap
        current = [0] * len(tech_skills)
        for t in np.flatnonzero(roster != OFF).tolist():
            current[t] = (hours[0 if roster[t] == DAY else 1][0] << 32) | t
        midnight = int(span.midnight[d])
        for o in todays:
            base, need, length, w = area_of[o], skill_of[o], minutes_of[o], window_of[o]
            earliest, latest = WINDOWS[w]
            combos = able.get((need, w))
            if combos is None:  # the heaps worth asking: skills that fit, shifts that overlap the window
                combos = able[(need, w)] = [
                    (g * 2 + k, hours[k][1])
                    for g, m in enumerate(masks)
                    if not need & ~m
                    for k in (0, 1)
                    if hours[k][0] <= latest and earliest + 30 <= hours[k][1]
                ]
            best, count = None, 0
            for offset, ends in combos:
                heap = heaps[base + offset]
                while heap and heap[0] != current[heap[0] & 0xFFFF]:
                    heappop(heap)  # an old entry of someone booked since
                if not heap:
                    continue
                head = heap[0]
                free = head >> 32
                at = -(-(earliest if earliest > free else free) // STEP) * STEP
                if at > latest or at + length > ends:
                    continue
                count += 1
                choice = ((head >> 16) & 0xFFFF, at, head & 0xFFFF, offset & 1)
                if best is None or choice < best:
                    best = choice
            if best is not None:
                already, at, t, k = best
                current[t] = ((at + length + TRAVEL) << 32) | ((already + length) << 16) | t
                for slot in reach[t]:
                    heappush(heaps[slot + k], current[t])
                technician[o], start[o], before[o], compared[o], done_on[o] = t, midnight + at * 60, already, count, d
                continue
            later = d + 1
            crosses = first_day[o] < span.today <= later
            if may_move[o] and later - first_day[o] <= MOVES and later < span.days and not crosses:
                carried.append(o)
    result = np.array(technician, dtype=np.int64)
    begins = np.array(start, dtype=np.int64)
    return Bookings(
        result,
        begins,
        np.where(result >= 0, begins + minutes.astype(np.int64) * 60, 0),
        np.array(before, dtype=np.int64),
        np.array(compared, dtype=np.int64),
        np.array(done_on, dtype=np.int64),
    )
