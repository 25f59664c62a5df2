"""Staffing needs of a week from the newest demand forecast against the roster, and a suggested
roster a manager accepts shift by shift (the rules and their definitions: core.staffing_needs).

The forecast is read as stored by the forecasting runs (core.models.insight); the history the job
minutes and weekday shares come from is read from the analytics snapshot; the week's shifts and
approved leave come from the roster's own service (core.services.staff.roster_week), so the needs
agree with the roster's week view. Accepting a proposal creates the shift through
core.services.staff.add_shift, whose checks (overlap, leave, weekly hours) apply again then."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core import db, rosters
from core import staffing_needs as rules
from core.actor import Actor
from core.analytics import snapshot
from core.audit import record_event
from core.clock import at, local, today
from core.config import get_settings
from core.errors import ValidationFailed
from core.i18n import Bilingual, Message, msg
from core.models import ForecastPoint, ForecastRun, ForecastSeries, Qualification, Service, ServiceArea, Staff
from core.permissions import service
from core.services import staff as staff_services
from core.skills import SKILLS
from core.staffing import usable_skills

HISTORY_SQL = """
SELECT l.service_id, o.area_id, isodow(o.requested_date) AS dow, count(*) AS jobs, sum(l.minutes) AS minutes
FROM order_lines l JOIN orders o ON o.id = l.order_id
WHERE o.status <> 'cancelled' AND o.requested_date BETWEEN $first AND $last
GROUP BY l.service_id, o.area_id, isodow(o.requested_date)
"""


def _local_day(moment: datetime) -> date:
    return local(moment).date()


def _target_week(week_of: date | None) -> date:
    """The Monday of the week asked for (next week by default); a week already over is refused."""
    this_week = rosters.monday(today())
    if week_of is None:
        return this_week + timedelta(days=rosters.WEEK)
    first = rosters.monday(week_of)
    if first < this_week:
        raise ValidationFailed(
            {"week_of": msg("The week from {monday} is over; choose this week or a later one.", monday=first)}
        )
    return first


@dataclass
class Plan:
    """Everything a week's needs and suggestion rest on."""

    monday: date
    days: list[date]
    run: dict[str, Any] | None
    message: Message | None
    areas: dict[int, Bilingual]
    services: list[dict[str, Any]]
    needed: dict[tuple[int, date], Decimal] | None  # None: no forecast for the week
    needed_skills: dict[int, frozenset[str]]
    rostered: dict[tuple[int, date], Decimal]
    nowhere: Decimal
    roster: dict[str, Any]
    staff: list[Staff]


def _forecast(session: Any, monday: date) -> tuple[dict[str, Any] | None, Message | None, list[rules.Demand] | None]:
    run = (
        session.execute(
            select(ForecastRun)
            .where(ForecastRun.status == "done")
            .order_by(ForecastRun.started_at.desc(), ForecastRun.id.desc())
        )
        .scalars()
        .first()
    )
    if run is None:
        return (
            None,
            msg("No demand forecast has been run yet: run one on the Forecasts page to see staffing needs."),
            None,
        )
    info = {"id": run.id, "as_of": run.as_of, "finished_at": run.finished_at, "horizon_weeks": run.horizon_weeks}
    rows = session.execute(
        select(ForecastSeries.service_id, ForecastSeries.area_id, ForecastPoint.value)
        .join(ForecastPoint, ForecastPoint.series_id == ForecastSeries.id)
        .where(
            ForecastSeries.run_id == run.id,
            ForecastSeries.kind == "demand",
            ForecastSeries.service_id.is_not(None),
            ForecastSeries.area_id.is_not(None),
            ForecastPoint.week == monday,
        )
    ).all()
    if not rows:
        message = msg(
            "The newest forecast (history to {as_of}) has no demand for the week from {monday}: run a new forecast.",
            as_of=run.as_of,
            monday=monday,
        )
        return info, message, None
    return info, None, [rules.Demand(service_id, area_id, value) for service_id, area_id, value in rows]


def _history() -> dict[tuple[int, int], list[list[int]]]:
    """Per (service, area): [jobs per weekday (Monday first), minutes per weekday] over the last
    HISTORY_WEEKS whole weeks."""
    last = rosters.monday(today()) - timedelta(days=1)
    first = last - timedelta(weeks=rules.HISTORY_WEEKS) + timedelta(days=1)
    found: dict[tuple[int, int], list[list[int]]] = {}
    with snapshot.reader() as con:
        rows = con.sql(HISTORY_SQL, params={"first": first, "last": last}).fetchall()
    for service_id, area_id, dow, jobs, minutes in rows:
        jobs_by_day, minutes_by_day = found.setdefault((int(service_id), int(area_id)), [[0] * 7, [0] * 7])
        jobs_by_day[int(dow) - 1] += int(jobs)
        minutes_by_day[int(dow) - 1] += int(minutes or 0)
    return found


def _summed(patterns: Sequence[list[int]]) -> list[int]:
    return [sum(p[i] for p in patterns) for i in range(7)]


def _plan(actor: Actor, monday: date) -> Plan:
    """The week's forecast needs, rostered hours and the technicians, read once."""
    days = rosters.week_days(monday)
    with db.reading() as session:
        run, message, demand = _forecast(session, monday)
        areas = {a.id: Bilingual(a.name_en, a.name_zh) for a in session.execute(select(ServiceArea)).scalars()}
        active_areas = set(session.execute(select(ServiceArea.id).where(ServiceArea.active)).scalars())
        catalogue = {s.id: s for s in session.execute(select(Service)).scalars()}
        staff = list(session.execute(select(Staff).order_by(Staff.name, Staff.id)).scalars())
    history = _history()
    if demand is not None:  # a series of a service or area no longer in the store has nothing to staff
        demand = [d for d in demand if d.service_id in catalogue and d.area_id in areas]
    needed, services, needed_skills = None, [], {}
    if demand is not None:
        by_service: dict[int, list[list[int]]] = {}
        for (service_id, _area), pattern in history.items():
            by_service.setdefault(service_id, []).append(pattern[0])
        company = _summed([pattern[0] for pattern in history.values()])
        minutes: dict[int, Decimal] = {}
        for service_id in sorted({d.service_id for d in demand}):
            patterns = [p for (s, _a), p in history.items() if s == service_id]
            jobs, total = sum(sum(p[0]) for p in patterns), sum(sum(p[1]) for p in patterns)
            item = catalogue[service_id]
            minutes[service_id], source = rules.job_minutes(total, jobs, item.minutes_per_unit)
            week_jobs = sum(Decimal(str(max(d.jobs, 0))) for d in demand if d.service_id == service_id)
            services.append(
                {
                    "service_id": service_id,
                    "service": Bilingual(item.name_en, item.name_zh),
                    "jobs": week_jobs.quantize(Decimal("0.1")),
                    "minutes": minutes[service_id].quantize(Decimal("0.1")),
                    "source": source,
                    "history_jobs": jobs,
                }
            )

        def shares(service_id: int, area_id: int) -> tuple[Decimal, ...]:
            own = history.get((service_id, area_id), [[0] * 7])[0]
            return rules.weekday_shares(own, _summed(by_service.get(service_id, [])), company)

        needed = rules.needed_hours(demand, minutes, shares, days)
        for item in demand:
            if item.jobs > 0:
                skills = frozenset(catalogue[item.service_id].skills or [])
                needed_skills[item.area_id] = needed_skills.get(item.area_id, frozenset()) | skills
    roster = staff_services.roster_week(actor=actor, day=monday)
    areas_of = {person.id: list(person.areas or []) for person in staff}
    shifts = [
        rules.RosteredShift(s["staff_id"], s["day"], rosters.hours(s["starts_at"], s["ends_at"]), s["role"])
        for s in roster["shifts"]
    ]
    rostered, nowhere = rules.rostered_hours(shifts, areas_of)
    shown = {a for a in areas if a in active_areas} | {a for a, _d in rostered} | {a for a, _d in (needed or {})}
    return Plan(
        monday,
        days,
        run,
        message,
        {a: areas[a] for a in sorted((a for a in shown if a in areas), key=lambda a: (areas[a].en, a))},
        services,
        needed,
        needed_skills,
        rostered,
        nowhere,
        roster,
        staff,
    )


def _cell(day: date, needed: Decimal | None, rostered: Decimal) -> dict[str, Any]:
    need = None if needed is None else rules.round_hours(needed)
    have = rules.round_hours(rostered)
    return {"day": day, "needed": need, "rostered": have, "gap": None if need is None else need - have}


@service("staff", "view")
def staffing_needs(*, actor: Actor, week_of: date | None = None, area_id: int | None = None) -> dict[str, Any]:
    """Per area and day of the week holding `week_of` (next week by default): the hours the forecast
    needs, the technicians' rostered hours and the gap (positive: short; negative: surplus); needed
    and gap are None when there is no forecast for the week, and `message` says why."""
    monday = _target_week(week_of)
    found = _plan(actor, monday)
    if area_id is not None and area_id not in found.areas:
        raise ValidationFailed({"area_id": msg("Choose a service area.")})
    chosen = [area_id] if area_id is not None else list(found.areas)
    zero, known = Decimal(0), found.needed is not None
    areas = []
    for area in chosen:
        cells = [
            _cell(
                day,
                None if found.needed is None else found.needed.get((area, day), zero),
                found.rostered.get((area, day), zero),
            )
            for day in found.days
        ]
        areas.append({"area_id": area, "area": found.areas[area], "days": cells, **_week_total(cells, known)})
    totals = []
    for index, day in enumerate(found.days):
        day_cells = [row["days"][index] for row in areas]
        totals.append({"day": day, **_week_total(day_cells, known)})
    notes = []
    if found.nowhere:
        notes.append(
            msg(
                "{hours} h rostered for technicians with no service area count in no area.",
                hours=rosters.plain(rules.round_hours(found.nowhere)),
            )
        )
    return {
        "week": monday,
        "days": found.days,
        "run": found.run,
        "message": found.message,
        "allowance": rules.ALLOWANCE,
        "services": found.services,
        "areas": areas,
        "totals": {"days": totals, **_week_total(totals, known)},
        "notes": notes,
    }


def _week_total(cells: Sequence[dict[str, Any]], known: bool) -> dict[str, Any]:
    """The sums of cells; needed and gap only when the forecast covers the week (`known`)."""
    needed = sum((cell["needed"] for cell in cells), Decimal(0)) if known else None
    rostered = sum((cell["rostered"] for cell in cells), Decimal(0))
    return {"needed": needed, "rostered": rostered, "gap": None if needed is None else needed - rostered}


def _people(found: Plan, actor: Actor) -> list[rules.Person]:
    """The active technicians, with the skills they may use each day, their shifts around the week
    (the Sunday before's reaching into Monday too) and their approved leave."""
    monday = found.monday
    before = staff_services.shifts_between(
        actor=actor, date_from=monday - timedelta(days=1), date_to=monday - timedelta(days=1)
    )
    week_start = at(monday, time.min)
    spans: dict[int, list[rosters.Span]] = {}
    for row in [*found.roster["shifts"], *(s for s in before if s["ends_at"] > week_start)]:
        spans.setdefault(row["staff_id"], []).append(rosters.Span(row["starts_at"], row["ends_at"]))
    leave: dict[int, list[rosters.Leave]] = {}
    for item in found.roster["leave"]:
        leave.setdefault(item["staff_id"], []).append(rosters.Leave(item["starts_on"], item["ends_on"]))
    technicians = [p for p in found.staff if p.status == "active" and p.position == "technician"]
    certificates: dict[int, list[tuple[str, date | None]]] = {p.id: [] for p in technicians}
    with db.reading() as session:
        for staff_id, skill, expires_on in session.execute(
            select(Qualification.staff_id, Qualification.skill, Qualification.expires_on).where(
                Qualification.staff_id.in_(list(certificates)), Qualification.skill.is_not(None)
            )
        ):
            certificates[staff_id].append((skill, expires_on))
    return [
        rules.Person(
            p.id,
            p.name,
            frozenset(p.areas or []),
            {day: usable_skills(p.skills or [], certificates[p.id], day) for day in found.days},
            tuple(spans.get(p.id, [])),
            tuple(leave.get(p.id, [])),
            p.hourly_cost,
        )
        for p in technicians
    ]


@service("staff", "view")
def suggested_roster(*, actor: Actor, week_of: date | None = None) -> dict[str, Any]:
    """Standard shifts that would close the week's gaps (next week by default), each to accept on
    its own with accept_suggested_shift, and what would stay short, with why."""
    monday = _target_week(week_of)
    found = _plan(actor, monday)
    settings = get_settings()
    start, end = rules.standard_shift(settings.daily_hours)
    result: dict[str, Any] = {
        "week": monday,
        "run": found.run,
        "message": found.message,
        "shift": {"start": start, "end": end},
        "proposals": [],
        "uncovered": [],
        "notes": [],
    }
    if found.needed is None:
        return result
    gaps = {key: found.needed.get(key, Decimal(0)) - found.rostered.get(key, Decimal(0)) for key in found.needed}
    now = today()
    suggestion = rules.suggest(
        gaps,
        found.needed_skills,
        _people(found, actor),
        rules.Rules(
            monday=monday,
            open_days=frozenset(day for day in found.days if day > now),
            shift=lambda day: rosters.Span(at(day, start), at(day, end)),
            local_day=_local_day,
            weekly_limit=settings.max_weekly_hours,
        ),
        found.areas,
        SKILLS,
    )
    hours = rosters.hours(at(monday, start), at(monday, end))
    result["proposals"] = [
        {
            "staff_id": p.staff_id,
            "name": p.name,
            "day": p.day,
            "start": start,
            "end": end,
            "hours": hours,
            "area_id": p.area_id,
            "area": found.areas[p.area_id],
            "reason": p.reason,
        }
        for p in suggestion.proposals
    ]
    result["uncovered"] = [
        {"day": u.day, "area_id": u.area_id, "area": found.areas[u.area_id], "hours": u.hours, "reason": u.reason}
        for u in suggestion.uncovered
    ]
    if monday <= now:
        result["notes"].append(msg("Shifts are proposed only from tomorrow on."))
    return result


@service("staff", "create")
def accept_suggested_shift(
    *,
    actor: Actor,
    staff_id: int,
    day: date,
    start: time,
    end: time,
    area_id: int | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Roster one proposed shift through the roster's add_shift, so its checks run again now (a
    shift added meanwhile, leave approved, the weekly limit): its refusal comes back as it is. The
    audit trail notes that the shift came from the suggested roster, with the manager's note."""
    if day <= today():
        raise ValidationFailed({"day": msg("Proposed shifts are for days from tomorrow on.")})
    if area_id is not None:
        with db.reading() as session:
            if session.get(ServiceArea, area_id) is None:
                raise ValidationFailed({"area_id": msg("Choose a service area.")})
    created = staff_services.add_shift(
        actor=actor, staff_id=staff_id, day=day, start=start, end=end, area_id=area_id, role="technician"
    )
    detail = "accepted from the suggested roster" + (f": {note.strip()}" if note and note.strip() else "")
    record_event(actor, "create", entity="shifts", entity_id=created["id"], detail=detail)
    return created
