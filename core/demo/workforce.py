"""The people behind the demo roster, planned before dispatch so that the jobs fit them: teams
by district, hire and birth dates, wages; the supervisors and office staff; the technician who
left some months ago and the one on sick leave now (no shifts, so no jobs, after that); the
annual leave the roster keeps free, as approved requests, with some refused and pending ones;
and the weekly hours limit every roster keeps (contract visits and the demo technician's days
are the last to go)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from core.demo import names
from core.demo.seasons import AHEAD, Period, spring_festival
from core.demo.staff import DAY, HOURS, OFF, SKILL_BITS, Crew

LEAVER, ABSENT, LAPSED = 12, 7, 5  # 马超 left, 黄涛 is on sick leave, 杨磊's height certificate lapsed
TEAMS = {
    "浦东组": ("SH-PD", "SH-YP"),
    "徐汇组": ("SH-XH", "SH-MH", "SH-CN", "SH-HP"),
    "静安组": ("SH-JA", "SH-PT", "SH-BS", "SH-HK"),
}
OFFICE_TEAM = "办公室"
# Supervisors lead a team each; the office staff answer phones and plan the routes.
OFFICE = (
    ("沈国华", "supervisor", "浦东组"),
    ("韩志明", "supervisor", "徐汇组"),
    ("冯建军", "supervisor", "静安组"),
    ("蒋丽", "office", OFFICE_TEAM),
    ("曹敏", "office", OFFICE_TEAM),
)
PINYIN = {
    "刘强": "liuqiang", "王建国": "wangjianguo", "张伟": "zhangwei", "李军": "lijun", "陈刚": "chengang",
    "杨磊": "yanglei", "赵勇": "zhaoyong", "黄涛": "huangtao", "周斌": "zhoubin", "吴海峰": "wuhaifeng",
    "徐志强": "xuzhiqiang", "孙立新": "sunlixin", "马超": "machao", "朱红梅": "zhuhongmei", "胡俊": "hujun",
    "郭小龙": "guoxiaolong", "何明": "heming", "林大伟": "lindawei", "沈国华": "shenguohua", "韩志明": "hanzhiming",
    "冯建军": "fengjianjun", "蒋丽": "jiangli", "曹敏": "caomin",
}  # fmt: skip
SHIFT_HOURS = (HOURS[DAY][1] - HOURS[DAY][0]) / 3600  # both kinds of shift last as long


@dataclass(frozen=True)
class Leave:
    """A leave request: person (index over crew then office), days first..last (day indices, may
    run past the period), kind, status; `asked` and `decided` are epoch seconds (-1: not yet)."""

    person: int
    first: int
    last: int
    kind: str
    status: str
    asked: int
    decided: int
    reason: str | None = None
    note: str | None = None


@dataclass
class Workforce:
    """Per person (technicians first, then `office`): profile; plus the leave and the skills
    dispatch may use (a lapsed certificate takes its skill away)."""

    office: Crew
    positions: list[str]
    teams: list[str]
    hired: list[date]
    born: list[date]
    cost: list[int]  # fen an hour
    emails: list[str]
    status: list[str]
    left_day: int  # day index of the leaver's last day
    leaves: list[Leave]
    dispatch_skills: np.ndarray

    @property
    def size(self) -> int:
        return len(self.teams)


def plan(rng: np.random.Generator, crew: Crew, span: Period, kept: np.ndarray, areas: dict[str, int],
         max_weekly_hours: float) -> Workforce:  # fmt: skip
    """Change the crew's roster in place (the leaver, the sick leave, the weekly limit) and plan the rest."""
    n = len(crew.names)
    left_day = span.today - int(rng.integers(100, 160))
    crew.roster[LEAVER, left_day + 1 :] = OFF
    sick_from = span.today - int(rng.integers(3, 7))
    crew.roster[ABSENT, sick_from:] = OFF
    kept = kept.copy()
    kept[0, span.today : span.today + 2] = True  # the demo technician works today and tomorrow
    most = int(max_weekly_hours // SHIFT_HOURS)
    cap_weeks(rng, crew.roster, kept, span, most)
    office = _office(rng, span, areas)
    cap_weeks(rng, office.roster, np.zeros(office.roster.shape, dtype=bool), span, most)
    team_of = {areas[code]: team for team, codes in TEAMS.items() for code in codes}
    teams = [team_of[home] for home in crew.home] + [team for _name, _position, team in OFFICE]
    positions = ["technician"] * n + [position for _name, position, _team in OFFICE]
    everyone = crew.names + office.names
    hired = [span.first - timedelta(days=int(d)) for d in rng.integers(91, 9 * 365, len(everyone))]
    born = [
        h - timedelta(days=int(d)) for h, d in zip(hired, rng.integers(20 * 365, 42 * 365, len(hired)), strict=True)
    ]
    years = np.array([(span.day(span.today) - h).days / 365 for h in hired])
    base = np.array([{"technician": 45, "supervisor": 80, "office": 50}[p] for p in positions], dtype=float)
    yuan = np.minimum(base + 2 * years + rng.uniform(0, 4, len(base)), base + np.where(base == 45, 25, 15))
    cost = (np.round(yuan * 2) * 50).astype(np.int64).tolist()  # to the half yuan, in fen
    status = ["active"] * len(everyone)
    status[LEAVER], status[ABSENT] = "left", "on_leave"
    leaves = _approved(rng, crew, span, {LEAVER: left_day, ABSENT: sick_from - 1}, 0) + _approved(
        rng, office, span, {}, n
    )
    leaves += _requests(rng, span, crew, sick_from, leaves)
    dispatch = crew.skills.copy()
    dispatch[LAPSED] &= ~SKILL_BITS["window"]
    return Workforce(office, positions, teams, hired, born, cost, _emails(everyone), status, left_day, leaves, dispatch)


def cap_weeks(rng: np.random.Generator, roster: np.ndarray, kept: np.ndarray, span: Period, most: int) -> None:
    """At most `most` shifts in any week (Monday to Sunday): of a fuller week, the kept days stay
    and other days, at random, go."""
    people, days = roster.shape
    lead = span.first.weekday()
    weeks = -(-(days + lead) // 7)
    padded = np.zeros((people, weeks * 7), dtype=roster.dtype)
    padded[:, lead : lead + days] = roster
    keep = np.zeros(padded.shape, dtype=bool)
    keep[:, lead : lead + days] = kept
    on = (padded != OFF).reshape(people, weeks, 7)
    priority = np.where(on, 1 + 2 * keep.reshape(people, weeks, 7) + rng.random(on.shape), 0)
    rank = np.argsort(np.argsort(-priority, axis=2, kind="stable"), axis=2, kind="stable")
    cells = padded.reshape(people, weeks, 7)
    cells[on & (rank >= most)] = OFF
    roster[:] = padded[:, lead : lead + days]


def _office(rng: np.random.Generator, span: Period, areas: dict[str, int]) -> Crew:
    """Supervisors and office staff: weekdays 08:30–17:30, home for the festival, a week of leave a year."""
    weekday = (np.arange(span.days) + span.first.weekday()) % 7
    home_week = np.array([spring_festival(span.day(i))[1] <= 6 for i in range(span.days)])
    roster = np.zeros((len(OFFICE), span.days), dtype=np.int8)
    blocks: list[tuple[int, int, int]] = []
    homes, covered, phones = [], [], []
    for i, (_name, position, team) in enumerate(OFFICE):
        off = (weekday >= 5) | home_week | (rng.random(span.days) < 0.01)
        for start in range(int(rng.integers(60, 300)), span.days, 365):
            length = int(rng.integers(5, 10))
            off[start : start + length] = True
            blocks.append((i, start, length))
        roster[i] = np.where(off, OFF, DAY)
        codes = TEAMS.get(team, ())
        homes.append(areas[codes[0]] if codes else None)
        covered.append(sorted(areas[c] for c in codes) if position == "supervisor" else [])
        phones.append(
            names.MOBILE_PREFIXES[int(rng.integers(len(names.MOBILE_PREFIXES)))] + f"{rng.integers(10**8):08d}"
        )
    public = [name[0] + ("主管" if position == "supervisor" else "老师") for name, position, _t in OFFICE]
    return Crew([o[0] for o in OFFICE], public, phones, [o[1] for o in OFFICE], covered, homes,
                np.zeros(len(OFFICE), dtype=np.int64), roster, np.zeros(len(OFFICE)), blocks)  # fmt: skip


def _approved(rng: np.random.Generator, crew: Crew, span: Period, until: dict[int, int], offset: int) -> list[Leave]:
    """Each annual leave block as an approved request for the longest stretch of it still off
    (a contract visit may have kept a day of it); none after a person's last day `until`."""
    out = []
    for person, start, length in crew.leave_blocks:
        last = min(start + length, span.days, until.get(person, span.days) + 1) - 1
        if last < start:
            continue
        off = np.append(crew.roster[person, start : last + 1] == OFF, False)
        best, run, best_end = 0, 0, 0
        for k, free in enumerate(off.tolist()):
            run = run + 1 if free else 0
            if run > best:
                best, best_end = run, k
        if best < 2:
            continue
        first = start + best_end - best + 1
        asked = min(int(span.midnight[first]) - int(rng.integers(10, 40)) * 86400, span.now - 3 * 86400)
        asked += int(rng.integers(9 * 3600, 12 * 3600))  # in office hours, and decided in them
        decided = asked + int(rng.integers(0, 3)) * 86400 + int(rng.integers(3600, 6 * 3600))
        out.append(
            Leave(person + offset, first, first + best - 1, "annual", "approved", asked, min(decided, span.now - 3600))
        )
    return out


REFUSED_NOTE = "春节前业务高峰，请改期 / The busy weeks before Spring Festival; please choose other days"
CANCELLED_REASON = "家中有事 / Family matters"
KIDS = "带孩子回老家 / Taking the kids home"
FLAT = "办理房产手续 / Paperwork for the flat"


def _requests(rng: np.random.Generator, span: Period, crew: Crew, sick_from: int, approved: list[Leave]) -> list[Leave]:
    """The sick leave running now, refused requests in the busy weeks before a past Spring
    Festival, a cancelled one, and a few pending ones after the rostered weeks."""
    day = 86400
    out = [
        Leave(ABSENT, sick_from, span.today + AHEAD + 7, "sick", "approved", int(span.midnight[sick_from]) + 8 * 3600,
              int(span.midnight[sick_from]) + 10 * 3600, "腰伤，医生建议休息三周 / Back injury, three weeks' rest")
    ]  # fmt: skip
    taken = {(leave.person, d) for leave in approved for d in range(leave.first, leave.last + 1)}
    busy = [d for d in range(span.today) if 7 <= spring_festival(span.day(d))[0] <= 20]
    if busy:
        for person in range(1, len(crew.names)):
            if person in (LEAVER, ABSENT) or rng.random() > 0.3:
                continue
            first = busy[int(rng.integers(len(busy)))]
            last = first + int(rng.integers(1, 3))
            if any((person, d) in taken for d in range(first, last + 1)):
                continue
            asked = int(span.midnight[first]) - int(rng.integers(5, 20)) * day + 10 * 3600
            decided = asked + int(rng.integers(3600, 7 * 3600))
            out.append(Leave(person, first, last, "personal", "refused", asked, decided, "回老家 / Going home",
                             REFUSED_NOTE))  # fmt: skip
    later = span.today + AHEAD + 1  # after the rostered weeks: approving needs no shift removed
    now = span.now
    out += [
        Leave(0, later + 6, later + 10, "annual", "pending", now - day + 9 * 3600, -1, KIDS),
        Leave(1, later + 2, later + 2, "personal", "pending", now - 2 * day + 15 * 3600, -1, FLAT),
        Leave(3, later + 4, later + 5, "sick", "pending", now - 3 * day + 11 * 3600, -1, "复查 / Hospital check-up"),
        Leave(2, later, later + 1, "personal", "cancelled", now - 5 * day + 10 * 3600, -1, CANCELLED_REASON),
    ]  # fmt: skip
    return out


def _emails(people: list[str]) -> list[str]:
    """Work addresses from the names in pinyin, numbered when two people share one."""
    surnames, given = dict(names.SURNAMES), dict(names.GIVEN_NAMES)
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(people):
        spelled = PINYIN.get(name) or (
            surnames[name[0]] + given[name[1:]] if name[0] in surnames and name[1:] in given else f"staff{i + 1}"
        )
        seen[spelled] = seen.get(spelled, 0) + 1
        suffix = "" if seen[spelled] == 1 else str(seen[spelled])
        out.append(f"{spelled}{suffix}@opsdesk.example")
    return out
