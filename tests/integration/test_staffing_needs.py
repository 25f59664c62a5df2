"""Staffing needs and the suggested roster on a hand-made forecast and roster (staffing_support),
on both databases: needed hours computed by hand, gaps against the roster, proposals that respect
areas, skills, leave, overlaps and the weekly limit, and accepting them through the roster's checks."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core import db, rosters
from core.actor import SYSTEM
from core.clock import today, utcnow
from core.errors import PermissionDenied, ValidationFailed
from core.i18n import translate
from core.models import AuditEntry, Shift
from core.services import staffing_needs
from tests.factories import make_user
from tests.integration.staffing_support import forecast_run, next_monday, seed_history, seed_world, shift


@pytest.fixture
def world(store) -> dict[str, int]:
    return seed_world()


def cells(found: dict, area: int) -> dict:
    [row] = [row for row in found["areas"] if row["area_id"] == area]
    return {cell["day"].weekday(): cell for cell in row["days"]} | {"week": row}


def test_needed_rostered_and_gaps_per_area_and_day(world, manager):
    found = staffing_needs.staffing_needs(actor=manager)
    assert found["week"] == next_monday() and found["message"] is None
    assert found["run"]["id"] == world["run"]  # the newest finished run, not the older or the failed one
    a, b = cells(found, world["a"]), cells(found, world["b"])
    # A: CARPET 6 jobs × 110 min = 11 h, × 1.15 = 12.65 h, half on Tuesday and half on Wednesday
    assert (a[1]["needed"], a[1]["rostered"], a[1]["gap"]) == (Decimal("6.33"), Decimal(2), Decimal("4.33"))
    assert (a[2]["needed"], a[2]["rostered"], a[2]["gap"]) == (Decimal("6.33"), Decimal(4), Decimal("2.33"))
    # Zhou's 11 h Monday names A, but Zhou serves A and B: 5.5 h each, a surplus in both
    assert (a[0]["needed"], a[0]["rostered"], a[0]["gap"]) == (0, Decimal("5.5"), Decimal("-5.5"))
    # B: (CARPET 3 × 110 min = 5.5 h + LEATHER 4 × 30 min = 2 h) × 1.15 = 8.625 h: Tue and Wed 5/12, Fri 2/12
    assert (b[1]["needed"], b[1]["rostered"], b[1]["gap"]) == (Decimal("3.59"), Decimal(2), Decimal("1.59"))
    assert (b[2]["needed"], b[2]["rostered"]) == (Decimal("3.59"), 0)
    assert b[4]["needed"] == Decimal("1.44")
    assert b[0]["needed"] == 0 and b[0]["rostered"] == Decimal("5.5")
    assert a["week"]["rostered"] == Decimal(2 + 4 + 22)
    assert found["totals"]["needed"] == Decimal("6.33") * 2 + Decimal("3.59") * 2 + Decimal("1.44")
    sources = {row["service_id"]: (row["minutes"], row["source"], row["jobs"]) for row in found["services"]}
    assert sources[world["carpet"]] == (Decimal(110), "history", Decimal(9))
    assert sources[world["leather"]] == (Decimal(30), "catalogue", Decimal(4))
    only_b = staffing_needs.staffing_needs(actor=manager, week_of=next_monday() + timedelta(days=3), area_id=world["b"])
    assert [row["area_id"] for row in only_b["areas"]] == [world["b"]]


def test_the_suggestion_respects_skills_leave_limits_and_shifts(world, manager):
    found = staffing_needs.suggested_roster(actor=manager)
    monday = next_monday()
    proposed = [(p["staff_id"], p["day"], p["area_id"], p["start"], p["end"]) for p in found["proposals"]]
    assert proposed == [
        (world["wang"], monday + timedelta(days=1), world["a"], time(9), time(17)),  # Li has a shift that day
        # B (3.59 short) before A (2.33); Zhao on leave, Sun unskilled; Li's shift covers 4 h of A too
        (world["li"], monday + timedelta(days=2), world["b"], time(9), time(17)),
        (world["zhao"], monday + timedelta(days=4), world["b"], time(9), time(17)),  # fewer hours than Li
    ]
    assert all(p["staff_id"] not in (world["zhou"], world["sun"], world["qian"]) for p in found["proposals"])
    uncovered = {
        (u["day"].weekday(), u["area_id"]): (u["hours"], translate(u["reason"], "en")) for u in found["uncovered"]
    }
    assert uncovered == {
        (1, world["b"]): (
            Decimal("1.59"),
            "Everyone who could work here is taken: 1 on leave, 1 already on a shift that day, "
            "1 would pass the weekly limit of 48 hours.",
        ),
    }
    assert "Wang serves it" in translate(found["proposals"][0]["reason"], "en")
    assert "the shift counts 4 h here" in translate(found["proposals"][1]["reason"], "en")


def test_accepting_goes_through_add_shift_and_closes_the_gap(world, manager):
    [first, second, _third] = staffing_needs.suggested_roster(actor=manager)["proposals"]
    keys = ("staff_id", "day", "start", "end", "area_id")
    created = staffing_needs.accept_suggested_shift(actor=manager, **{k: first[k] for k in keys}, note="ok")
    assert (created["staff_id"], created["area_id"], created["role"]) == (world["wang"], world["a"], "technician")
    after = cells(staffing_needs.staffing_needs(actor=manager), world["a"])
    assert (after[1]["rostered"], after[1]["gap"]) == (Decimal(10), Decimal("-3.67"))
    with db.reading() as session:
        details = session.execute(
            select(AuditEntry.detail).where(AuditEntry.entity == "shifts", AuditEntry.entity_id == str(created["id"]))
        ).scalars()
        assert "accepted from the suggested roster: ok" in list(details)
    # Li got a shift that Wednesday meanwhile: add_shift refuses, with its own message
    shift(world["li"], second["day"], 10, 12)
    with pytest.raises(ValidationFailed) as refused:
        staffing_needs.accept_suggested_shift(actor=manager, **{k: second[k] for k in keys})
    assert "overlaps another shift" in translate(refused.value.errors["start"], "en")
    # a shift on approved leave is refused by the same checks
    with pytest.raises(ValidationFailed) as on_leave:
        staffing_needs.accept_suggested_shift(
            actor=manager, staff_id=world["zhao"], day=next_monday() + timedelta(days=1), start=time(9), end=time(17)
        )
    assert "approved leave" in translate(on_leave.value.errors["day"], "en")
    with db.reading() as session:
        assert session.execute(select(Shift).where(Shift.staff_id == world["zhao"])).first() is None
    with pytest.raises(ValidationFailed) as past:
        staffing_needs.accept_suggested_shift(
            actor=manager, staff_id=world["li"], day=today(), start=time(9), end=time(17)
        )
    assert set(past.value.errors) == {"day"}


def test_without_a_forecast_run_it_says_so(store, manager):
    ids = seed_history()
    found = staffing_needs.staffing_needs(actor=manager)
    assert found["run"] is None
    assert "No demand forecast has been run yet" in translate(found["message"], "en")
    assert {cell["needed"] for row in found["areas"] for cell in row["days"]} == {None}
    assert found["totals"]["gap"] is None and {row["area_id"] for row in found["areas"]} == {ids["a"], ids["b"]}
    suggestion = staffing_needs.suggested_roster(actor=manager)
    assert suggestion["proposals"] == [] and suggestion["message"] == found["message"]


def test_a_week_the_forecast_does_not_reach_and_a_past_week(world, manager):
    later = staffing_needs.staffing_needs(actor=manager, week_of=next_monday() + timedelta(weeks=3))
    assert later["run"]["id"] == world["run"]
    assert "has no demand for the week from" in translate(later["message"], "en")
    with pytest.raises(ValidationFailed) as past:
        staffing_needs.staffing_needs(actor=manager, week_of=rosters.monday(today()) - timedelta(days=1))
    assert set(past.value.errors) == {"week_of"}
    with pytest.raises(ValidationFailed):
        staffing_needs.suggested_roster(actor=manager, week_of=today() - timedelta(days=8))
    with pytest.raises(ValidationFailed) as area:
        staffing_needs.staffing_needs(actor=manager, area_id=999_999)
    assert set(area.value.errors) == {"area_id"}


def test_an_area_nobody_serves_stays_uncovered_with_the_reason(store, manager):
    ids = seed_history()
    forecast_run("done", utcnow(), {(ids["carpet"], ids["b"]): 12.0}, next_monday())
    found = staffing_needs.suggested_roster(actor=manager)
    assert found["proposals"] == []
    reasons = {translate(u["reason"], "en") for u in found["uncovered"]}
    assert reasons == {"No active technician covers this area."}
    # B: 12 × 110 min × 1.15 = 25.3 h; Tue and Wed 5/12 = 10.54 h, Fri 2/12 = 4.22 h
    assert sorted(u["hours"] for u in found["uncovered"]) == [Decimal("4.22"), Decimal("10.54"), Decimal("10.54")]


def test_only_those_who_may_see_rosters_get_it_and_only_managers_accept(world):
    analyst, clerk = make_user("analyst9", "analyst"), make_user("clerk9", "clerk")
    with pytest.raises(PermissionDenied):
        staffing_needs.staffing_needs(actor=analyst)
    assert staffing_needs.suggested_roster(actor=clerk)["proposals"]
    with pytest.raises(PermissionDenied):
        staffing_needs.accept_suggested_shift(
            actor=clerk, staff_id=world["li"], day=next_monday() + timedelta(days=4), start=time(9), end=time(17)
        )
    assert staffing_needs.staffing_needs(actor=SYSTEM)["run"]["id"] == world["run"]
