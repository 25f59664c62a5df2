"""A hand-made world for the staffing needs tests: two areas, a history of jobs, a finished forecast
run (and runs that must be ignored), technicians with areas, skills, leave and shifts next week.

The numbers the tests check by hand (history in the last 26 weeks, orders not cancelled):
- CARPET (skill carpet): area A 5 lines on a Tuesday and 5 on a Wednesday, 120 min each; area B
  2 lines on a Friday, 60 min each (a cancelled 600-min Monday line in A does not count). Job
  minutes 1320 / 12 = 110. A's weekday shares are its own (Tue ½, Wed ½); B has too few jobs, so
  the service's over all areas: Tue 5/12, Wed 5/12, Fri 2/12.
- LEATHER (skill leather): no history: 30 minutes (the catalogue's 2 min per unit, at least 30) and
  the company's weekday shares (Tue 5/12, Wed 5/12, Fri 2/12).
- Forecast for next week: CARPET in A 6 jobs, CARPET in B 3, LEATHER in B 4.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from core import rosters
from core.actor import SYSTEM
from core.clock import at, today, utcnow
from core.services import staff as staff_services
from tests.factories import history_order, make_area, make_customer, make_service, put_row


def next_monday() -> date:
    return rosters.monday(today()) + timedelta(days=7)


def past_order(customer: int, area: int, day: date, service: int, minutes: int, status: str = "completed") -> int:
    """An order of one line requested for `day`, placed three days before."""
    placed = at(day - timedelta(days=3), time(10))
    return history_order(
        customer, area, day, status, lines=[{"service_id": service, "minutes": minutes}], created_at=placed
    )


def forecast_run(status: str, started: datetime, values: dict[tuple[int, int], float], week: date) -> int:
    """A forecast run with one demand series per (service, area) and its point for `week`."""
    as_of = rosters.monday(today()) - timedelta(days=1)
    run = put_row(
        "forecast_runs",
        status=status,
        started_at=started,
        finished_at=started + timedelta(minutes=1) if status == "done" else None,
        heartbeat_at=started,
        as_of=as_of,
        horizon_weeks=8,
        series_total=len(values),
        series_done=len(values),
    )
    for (service, area), value in values.items():
        series = put_row(
            "forecast_series", run_id=run, kind="demand", service_id=service, area_id=area, history_weeks=26, model="x"
        )
        put_row("forecast_points", series_id=series, week=week, value=value, low=value / 2, high=value * 2, level=80)
    return run


def technician(name: str, areas: list[int], skills: list[str], status: str = "active") -> int:
    return staff_services.staff.create(
        actor=SYSTEM,
        values={
            "name": name,
            "public_name": f"{name}师傅",
            "phone": None,
            "position": "technician",
            "status": status,
            "user_id": None,
            "areas": areas,
            "skills": skills,
        },
    )["id"]


def shift(staff_id: int, day: date, start: int, end: int, area_id: int | None = None) -> int:
    return staff_services.add_shift(
        actor=SYSTEM, staff_id=staff_id, day=day, start=time(start), end=time(end), area_id=area_id
    )["id"]


def approved_leave(staff_id: int, starts_on: date, ends_on: date) -> None:
    put_row("leave_requests", staff_id=staff_id, kind="annual", starts_on=starts_on, ends_on=ends_on, status="approved")


def seed_history() -> dict[str, int]:
    """Two areas, two services and the jobs of the module's docstring."""
    a = make_area("SH-XH", "Xuhui", "徐汇区")
    b = make_area("SH-MH", "Minhang", "闵行区")
    carpet = make_service("CARPET", minutes="1.5", skills=("carpet",))
    leather = make_service("LEATHER", minutes="2", skills=("leather",), unit="piece")
    customer = make_customer(a)["id"]
    this_monday = rosters.monday(today())
    for weeks in range(1, 6):
        week = this_monday - timedelta(weeks=weeks)
        past_order(customer, a, week + timedelta(days=1), carpet, 120)  # Tuesday
        past_order(customer, a, week + timedelta(days=2), carpet, 120, status="paid")  # Wednesday
    past_order(customer, a, this_monday - timedelta(weeks=2), carpet, 600, status="cancelled")
    past_order(customer, a, this_monday - timedelta(weeks=30), carpet, 600)  # older than 26 weeks
    for weeks in (1, 2):
        past_order(customer, b, this_monday - timedelta(weeks=weeks) + timedelta(days=4), carpet, 60)  # Friday
    return {"a": a, "b": b, "carpet": carpet, "leather": leather}


def seed_world() -> dict[str, int]:
    """The history, the forecasts and the people:
    - Li: areas A and B, carpet; a shift next Tuesday 09–13 naming no area (2 h for each area);
    - Wang: area A, carpet; next Wednesday 08–12 in A;
    - Zhao: area B, leather; approved leave next Tuesday and Wednesday;
    - Sun: area B, window cleaning only (no skill B's services need);
    - Zhou: areas A and B, carpet; 44 h next week (Mon, Thu, Sat, Sun 08–19, naming A: still 5.5 h for
      each area): at the 48 h limit;
    - Qian: area A, carpet, status on leave (not rostered)."""
    ids = seed_history()
    a, b, carpet, leather = ids["a"], ids["b"], ids["carpet"], ids["leather"]
    monday = next_monday()
    now = utcnow()
    forecast_run("done", now - timedelta(days=9), {(carpet, a): 50.0}, monday)  # older: ignored
    ids["run"] = forecast_run(
        "done", now - timedelta(days=2), {(carpet, a): 6.0, (carpet, b): 3.0, (leather, b): 4.0}, monday
    )
    forecast_run("failed", now - timedelta(days=1), {(carpet, a): 99.0}, monday)  # newer but failed: ignored
    ids["li"] = technician("Li", [a, b], ["carpet"])
    ids["wang"] = technician("Wang", [a], ["carpet"])
    ids["zhao"] = technician("Zhao", [b], ["leather"])
    ids["sun"] = technician("Sun", [b], ["window"])
    ids["zhou"] = technician("Zhou", [a, b], ["carpet"])
    ids["qian"] = technician("Qian", [a], ["carpet"], status="on_leave")
    shift(ids["li"], monday + timedelta(days=1), 9, 13)
    shift(ids["wang"], monday + timedelta(days=2), 8, 12, area_id=a)
    approved_leave(ids["zhao"], monday + timedelta(days=1), monday + timedelta(days=2))
    for offset in (0, 3, 5, 6):
        shift(ids["zhou"], monday + timedelta(days=offset), 8, 19, area_id=a)
    return ids
