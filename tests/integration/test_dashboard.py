"""The managers' dashboard figures against the small company of dashboard_examples, computed by
hand, on SQLite and PostgreSQL; the rows behind a bar; the download limit; freshness."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from core.actor import SYSTEM
from core.analytics import dashboard
from core.analytics.dashboard import Drill
from core.clock import today
from core.db import writing
from core.errors import OpsdeskError, ValidationFailed
from core.i18n import translate
from core.services import dashboards
from tests.factories import make_area, make_customer, make_service
from tests.integration.dashboard_examples import MARCH, MONDAY, add_order, seed_company
from tests.integration.order_support import place, tomorrow


@pytest.fixture
def company(store):
    return seed_company()


def test_revenue_and_orders_over_time_leave_out_cancelled_orders_and_other_months(company):
    weeks = dashboards.view(actor=SYSTEM, filters=MARCH, grain="week")["over_time"]
    assert weeks == [
        {"bucket": date(2026, 3, 2), "orders": 2, "revenue": Decimal("286.00")},
        {"bucket": date(2026, 3, 9), "orders": 1, "revenue": Decimal("80.00")},
    ]
    months = dashboards.view(actor=SYSTEM, filters=MARCH, grain="month")["over_time"]
    assert months == [{"bucket": date(2026, 3, 1), "orders": 3, "revenue": Decimal("366.00")}]
    days = dashboards.view(actor=SYSTEM, filters=MARCH, grain="day")["over_time"]
    assert [(r["bucket"].day, r["revenue"]) for r in days] == [(2, 106), (3, 180), (10, 80)]


def test_by_area_channel_and_service(company):
    found = dashboards.view(actor=SYSTEM, filters=MARCH)
    assert [(r["key"], r["orders"], r["revenue"]) for r in found["area"]] == [
        (company["A"], 2, Decimal("186.00")),
        (company["B"], 1, Decimal("180.00")),
    ]
    assert [(r["key"], r["orders"], r["revenue"]) for r in found["channel"]] == [
        ("phone", 2, Decimal("186.00")),
        ("web", 1, Decimal("180.00")),
    ]
    # O2's ¥180 is shared 50:150 between its lines: ¥45 carpet, ¥135 sofa.
    assert [(r["code"], r["orders"], r["revenue"]) for r in found["service"]] == [
        ("CARPET", 3, Decimal("231.00")),
        ("SOFA", 1, Decimal("135.00")),
    ]


def test_funnel_on_time_ratings_utilisation_and_stock(company):
    found = dashboards.view(actor=SYSTEM, filters=MARCH)
    assert {r["status"]: r["orders"] for r in found["funnel"]} == {
        "new": 4,
        "confirmed": 2,
        "scheduled": 2,
        "in_progress": 2,
        "completed": 2,
        "paid": 1,
        "cancelled": 1,
    }
    assert found["on_time"] == [{"bucket": date(2026, 3, 2), "started": 2, "on_time": 1, "rate": 0.5}]
    assert [r["orders"] for r in found["ratings"]] == [0, 0, 1, 0, 1]
    # T: booked 2 h + 3 h against 10 rostered hours in March (the factory's shift of tomorrow is not in March).
    [technician] = found["utilisation"]
    assert (technician["key"], technician["booked"], technician["rostered"]) == (company["T"], 5, 10)
    assert technician["utilisation"] == pytest.approx(0.5)
    # Item X: 3 issued to O1, 1 back; O5's issue is in April.
    assert [(r["key"], r["quantity"], r["cost"]) for r in found["stock"]] == [
        (company["X"], Decimal(2), Decimal("20.00"))
    ]


def test_filters_narrow_every_figure(company):
    in_a = dashboards.view(actor=SYSTEM, filters=replace(MARCH, areas=(company["A"],)))
    assert sum(r["revenue"] for r in in_a["over_time"]) == Decimal("186.00")
    sofa = dashboards.view(actor=SYSTEM, filters=replace(MARCH, services=(company["SOFA"],)))
    assert [(r["code"], r["revenue"]) for r in sofa["service"]] == [("SOFA", Decimal("135.00"))]
    assert sofa["funnel"][0] == {"status": "new", "orders": 2}  # O2 and the cancelled O3
    web = dashboards.view(actor=SYSTEM, filters=replace(MARCH, channels=("web",)))
    assert [r["orders"] for r in web["ratings"]] == [0, 0, 1, 0, 0]
    by_t = dashboards.view(actor=SYSTEM, filters=replace(MARCH, technicians=(company["T"],)))
    assert sum(r["orders"] for r in by_t["over_time"]) == 2
    assert by_t["stock"][0]["quantity"] == 2


def test_the_rows_behind_a_bar_are_paged(company):
    page = dashboards.drill_page(actor=SYSTEM, filters=MARCH, drill=Drill("area", str(company["A"])), page_size=1)
    assert (page.total, page.pages, [r["number"] for r in page.rows]) == (2, 2, ["T-1"])
    second = dashboards.drill_page(
        actor=SYSTEM, filters=MARCH, drill=Drill("area", str(company["A"])), page=2, page_size=1
    )
    assert [r["number"] for r in second.rows] == ["T-4"]
    cases = {
        "week:2026-03-09": ["T-4"],
        "started_week:2026-03-02": ["T-1", "T-2"],
        "status:cancelled": ["T-3"],
        "status:new": ["T-1", "T-2", "T-3", "T-4"],
        "rating:3": ["T-2"],
        "channel:web": ["T-2"],
        f"service:{company['SOFA']}": ["T-2"],
        f"technician:{company['T']}": ["T-1", "T-2"],
    }
    for key, numbers in cases.items():
        rows = dashboards.drill_rows(actor=SYSTEM, filters=MARCH, drill=Drill.parse(key))
        assert [r["number"] for r in rows] == numbers, key
    first = dashboards.drill_rows(actor=SYSTEM, filters=MARCH, drill=Drill("status", "paid"))[0]
    assert (first["total"], first["area_en"], first["technician"]) == (Decimal("106.00"), "Area A", "Tian Wei")
    moves = dashboards.drill_rows(actor=SYSTEM, filters=MARCH, drill=Drill("item", str(company["X"])))
    assert [(r["kind"], r["quantity"], r["number"]) for r in moves] == [("issue", -3, "T-1"), ("return", 1, "T-1")]


def test_bad_input_is_refused_or_dropped_with_its_reason(company):
    with pytest.raises(ValidationFailed) as refused:
        dashboards.view(actor=SYSTEM, filters=replace(MARCH, date_from=date(2026, 4, 1)))
    assert translate(refused.value.errors["dates"], "en") == "The start date is after the end date."
    link = {"from": ["2026-03-01"], "to": ["nonsense"], "area": [str(company["A"]), "999"], "tech": ["x"]}
    resolved = dashboards.resolve(actor=SYSTEM, params={**link, "drill": ["area:1;drop"]})
    assert resolved["dropped"] == {"area": ["999"], "tech": ["x"]}
    assert resolved["filters"].areas == (company["A"],)
    assert resolved["filters"].date_to == today()  # not a date: the default
    assert (resolved["drill"], resolved["bad_drill"]) == (None, "area:1;drop")
    assert Drill.parse("rating:12") is None and Drill.parse("week:2026-02-30") is None
    with pytest.raises(OpsdeskError) as too_many:
        dashboard.drill_all(MARCH, Drill("status", "new"), limit=3)
    assert translate(too_many.value.message, "en") == (
        "4 rows is more than the 3 a download may hold: narrow the filters."
    )


def test_link_and_resolve_agree(company):
    filters = replace(MARCH, areas=(company["B"], company["A"]), channels=("web",))
    params = dashboard.link(filters, "month", Drill("status", "paid"))
    lists = {name: value if isinstance(value, list) else [value] for name, value in params.items()}
    resolved = dashboards.resolve(actor=SYSTEM, params=lists)
    assert (resolved["filters"], resolved["grain"], resolved["drill"]) == (filters, "month", Drill("status", "paid"))


def test_a_saved_order_is_in_the_next_view(store):
    area = make_area()
    customer = make_customer(area)
    service = make_service("CARPET", price="8.00")
    around = dashboard.Filters(today() - timedelta(days=1), today() + timedelta(days=2))
    before = dashboards.view(actor=SYSTEM, filters=around)
    assert before["over_time"] == []
    place(SYSTEM, customer["id"], area, service, "10")
    after = dashboards.view(actor=SYSTEM, filters=around, grain="day")
    assert [(r["bucket"], r["orders"]) for r in after["over_time"]] == [(tomorrow(), 1)]
    assert after["over_time"][0]["revenue"] > 0


def test_an_order_unassigned_back_to_confirmed_still_counts_as_scheduled_once(company):
    with writing(SYSTEM) as session:
        steps = ("new", "confirmed", "scheduled", "confirmed", "scheduled", "confirmed")
        add_order(session, company, "T-6", requested_date=MONDAY, area_id=company["B"], channel="app",
               lines=[("SOFA", Decimal(10))], total=Decimal(10), steps=steps)  # fmt: skip
        session.commit()
    reached = {r["status"]: r["orders"] for r in dashboards.view(actor=SYSTEM, filters=MARCH)["funnel"]}
    assert (reached["new"], reached["confirmed"], reached["scheduled"], reached["in_progress"]) == (5, 3, 3, 2)
    rows = dashboards.drill_rows(actor=SYSTEM, filters=MARCH, drill=Drill("status", "scheduled"))
    assert [r["number"] for r in rows] == ["T-1", "T-6", "T-2"]
