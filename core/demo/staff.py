"""The demo company's technicians and their rosters: who covers which districts with which
skills, and a shift (or a day off) for every technician on every day of the period."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from core.demo import names
from core.demo.seasons import Period, spring_festival
from core.skills import SKILLS

OFF, DAY, LATE = 0, 1, 2
HOURS = {
    DAY: (8 * 3600 + 1800, 17 * 3600 + 1800),
    LATE: (12 * 3600 + 1800, 21 * 3600 + 1800),
}  # 08:30–17:30, 12:30–21:30
SKILL_BITS = {code: 1 << i for i, code in enumerate(SKILLS)}

# The first technicians have names; 刘强 is the demo login "technician".
CREW = [
    "刘强", "王建国", "张伟", "李军", "陈刚", "杨磊", "赵勇", "黄涛", "周斌",
    "吴海峰", "徐志强", "孙立新", "马超", "朱红梅", "胡俊", "郭小龙", "何明", "林大伟",
]  # fmt: skip
PROFILES = {
    "home": ("carpet", "upholstery", "leather", "mattress", "stain", "deep_clean", "window", "floor"),
    "office": ("carpet", "upholstery", "office", "window", "floor", "stain", "deep_clean"),
    "all": tuple(SKILLS),
}
ROTATION = ("home", "office", "home", "office", "all")  # 刘强 does homes
# Districts one technician serves together, as the company's routes run (first: where they live).
ROUTES = (
    ("SH-PD", "SH-HP", "SH-YP"),
    ("SH-MH", "SH-XH", "SH-CN"),
    ("SH-BS", "SH-PT", "SH-JA"),
    ("SH-HK", "SH-BS", "SH-PT"),
    ("SH-PD", "SH-MH", "SH-XH"),
    ("SH-CN", "SH-MH", "SH-JA"),
    ("SH-HP", "SH-XH", "SH-JA"),
    ("SH-YP", "SH-HK", "SH-PD"),
)
NEIGHBOURS = {
    "SH-PD": ("SH-HP", "SH-YP", "SH-MH"),
    "SH-MH": ("SH-XH", "SH-CN", "SH-PD"),
    "SH-XH": ("SH-HP", "SH-CN", "SH-MH", "SH-JA"),
    "SH-JA": ("SH-HP", "SH-PT", "SH-HK", "SH-XH", "SH-CN"),
    "SH-CN": ("SH-XH", "SH-JA", "SH-PT", "SH-MH"),
    "SH-PT": ("SH-JA", "SH-CN", "SH-BS", "SH-HK"),
    "SH-YP": ("SH-HK", "SH-PD", "SH-BS"),
    "SH-HK": ("SH-JA", "SH-YP", "SH-HP", "SH-BS", "SH-PT"),
    "SH-BS": ("SH-PT", "SH-HK", "SH-YP"),
    "SH-HP": ("SH-XH", "SH-JA", "SH-HK", "SH-PD"),
}


@dataclass(frozen=True)
class Crew:
    """Technicians by index (0..n-1): names, areas, skills, and the roster (n × days)."""

    names: list[str]
    public: list[str]
    phones: list[str]
    profile: list[str]
    areas: list[list[int]]  # area ids
    home: list[int]  # area id of their home district
    skills: np.ndarray  # bit masks
    roster: np.ndarray  # OFF, DAY or LATE per technician and day
    quality: np.ndarray  # how customers rate their work, around 0
    leave_blocks: list[tuple[int, int, int]] = field(default_factory=list)  # person, first day, days: annual leave


def technicians_needed(mean_minutes: float) -> int:
    """Enough people for an ordinary day twice over (busy seasons fill it): two in three are on
    shift, each with about eight working hours."""
    return max(len(CREW), int(np.ceil(2 * mean_minutes / (0.67 * 480))))


def _name(rng: np.random.Generator, index: int) -> str:
    if index < len(CREW):
        return CREW[index]
    surname = names.SURNAMES[int(rng.integers(len(names.SURNAMES)))][0]
    return surname + names.GIVEN_NAMES[int(rng.integers(len(names.GIVEN_NAMES)))][0]


def build_crew(
    rng: np.random.Generator, count: int, span: Period, areas: dict[str, int], weights: dict[str, int]
) -> Crew:
    route_weight = np.array([sum(weights[c] for c in route) for route in ROUTES], dtype=float)
    route_weight /= route_weight.sum()
    people, public, phones, profiles, covered, homes = [], [], [], [], [], []
    skills = np.zeros(count, dtype=np.int64)
    seen = {"home": 0, "offices": 0}  # each kind of team rides every route once, then busy routes more
    for i in range(count):
        name = _name(rng, i)
        profile = ROTATION[i % len(ROTATION)]
        team = "home" if profile == "home" else "offices"
        turn, seen[team] = seen[team], seen[team] + 1
        route = ROUTES[turn] if turn < len(ROUTES) else ROUTES[int(rng.choice(len(ROUTES), p=route_weight))]
        home = route[0]
        mine = list(route)
        extra = [c for c in NEIGHBOURS[home] if c not in mine]
        if extra and rng.random() < 0.3:  # and some help in one more district next door
            mine.append(extra[int(rng.integers(len(extra)))])
        people.append(name)
        public.append(name[0] + "师傅")
        phones.append(
            names.MOBILE_PREFIXES[int(rng.integers(len(names.MOBILE_PREFIXES)))] + f"{rng.integers(10**8):08d}"
        )
        profiles.append(profile)
        covered.append(sorted(areas[c] for c in mine))
        homes.append(areas[home])
        skills[i] = sum(SKILL_BITS[s] for s in PROFILES[profile])
    roster, blocks = _roster(rng, span, profiles)
    quality = rng.normal(0, 0.35, count)
    return Crew(people, public, phones, profiles, covered, homes, skills, roster, quality, blocks)


Blocks = list[tuple[int, int, int]]


def _roster(rng: np.random.Generator, span: Period, profiles: list[str]) -> tuple[np.ndarray, Blocks]:
    """Two days off a week (households book weekends, so home technicians rest on weekdays),
    swaps, annual leave (also returned: person, first day, days), extra days before Spring
    Festival and the festival week at home."""
    count, days = len(profiles), span.days
    weekday = (np.arange(days) + span.first.weekday()) % 7
    festival = np.array([spring_festival(span.day(i)) for i in range(days)])
    rush = (festival[:, 0] >= 3) & (festival[:, 0] <= 21)
    home_week = (festival[:, 0] <= 2) | (festival[:, 1] <= 6)
    roster = np.full((count, days), DAY, dtype=np.int8)
    blocks: list[tuple[int, int, int]] = []
    pairs = {
        "home": [(0, 1), (1, 2), (2, 3), (0, 3)],
        "office": [(5, 6), (5, 6), (5, 6), (6, 0)],
        "all": [(2, 4), (3, 6)],
    }
    for i, profile in enumerate(profiles):
        first, second = pairs[profile][int(rng.integers(len(pairs[profile])))]
        off = (weekday == first) | (weekday == second)
        off ^= rng.random(days) < 0.05  # swapped days
        off &= ~(rush & (rng.random(days) < 0.5))  # overtime before the festival
        for start in range(int(rng.integers(100, 250)), days, 365):  # a week or so of leave a year
            length = int(rng.integers(5, 10))
            off[start : start + length] = True
            blocks.append((i, start, length))
        if i == 0 or rng.random() < 0.65:
            off |= home_week
        late_share = {"office": 0.3, "home": 0.2, "all": 0.25}[profile] * rng.uniform(0.5, 1.5)
        late = rng.random(days) < late_share
        roster[i] = np.where(off, OFF, np.where(late, LATE, DAY))
    roster[0, span.today : span.today + 2] = DAY  # the demo technician has work today and tomorrow
    return roster, blocks


def keep_regulars(crew: Crew, span: Period, visits: list[tuple[int, list[int]]]) -> np.ndarray:
    """Each recurring contract has its regular technician (office skills, covers the area),
    rostered on a day shift for every visit, except the Spring Festival week; returns those
    days (person × day) so that later changes to the roster keep them."""
    office = SKILL_BITS["office"]
    load = [0] * len(crew.names)
    kept = np.zeros(crew.roster.shape, dtype=bool)
    home_week = np.array([spring_festival(span.day(i))[1] <= 6 for i in range(span.days)])
    for area, days in visits:
        able = [t for t in range(len(crew.names)) if crew.skills[t] & office and area in crew.areas[t]]
        if not able:
            continue
        regular = min(able, key=lambda t: (load[t], t))
        load[regular] += 1
        wanted = np.array(days, dtype=np.int64)
        crew.roster[regular, wanted[~home_week[wanted]]] = DAY
        kept[regular, wanted[~home_week[wanted]]] = True
    return kept


SHIFT_COLUMNS = ("staff_id", "starts_at", "ends_at", "area_id", "role", "created_at", "updated_at", "created_by_id",
                 "updated_by_id", "version")  # fmt: skip


def shift_rows(
    crew: Crew, span: Period, first_id: int, manager: int, stamps: Callable[[np.ndarray], list],
    areas: list[int | None] | None = None, roles: list[str] | None = None,
):  # fmt: skip
    """Every shift of the roster, in day order; each planned by the manager a week ahead, in the
    person's home district (`areas`, else crew.home) and role (`roles`, else technician)."""
    begins = np.array([0, HOURS[DAY][0], HOURS[LATE][0]], dtype=np.int64)
    ends = np.array([0, HOURS[DAY][1], HOURS[LATE][1]], dtype=np.int64)
    area = np.array(crew.home if areas is None else areas, dtype=object)
    role = np.array(["technician"] * len(crew.names) if roles is None else roles, dtype=object)
    for low in range(0, span.days, 100):
        days, techs = np.nonzero(crew.roster[:, low : low + 100].T)
        days += low
        kind = crew.roster[techs, days].astype(np.int64)
        midnight = span.midnight[days]
        planned = stamps(midnight - 7 * 86400 + 10 * 3600)
        n = len(days)
        yield from zip(
            (first_id + techs).tolist(),
            stamps(midnight + begins[kind]),
            stamps(midnight + ends[kind]),
            area[techs].tolist(),
            role[techs].tolist(),
            planned,
            planned,
            [manager] * n,
            [manager] * n,
            [1] * n,
            strict=True,
        )
