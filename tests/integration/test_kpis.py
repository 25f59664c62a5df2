"""The executives' KPIs on a small hand-made history (March 2026 against February), on both
databases, and their agreement with the operational services for today."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

import pytest

from core.analytics import kpis as rules
from core.clock import at, today
from core.errors import PermissionDenied, ValidationFailed
from core.services import finance, kpis, purchasing, stock_usage
from tests.factories import history_order, make_customer, make_user, put_row
from tests.integration.order_support import count

MARCH = date(2026, 3, 31)


def order(customer: int, area: int, created: date, requested: date, status: str, total: str, **extra: Any) -> int:
    return history_order(customer, area, requested, status, total, created_at=at(created, time(10)), **extra)


def move(item: int, kind: str, quantity: str, cost: str, balance: str, when: date, order_id: int | None = None) -> None:
    put_row(
        "stock_movements",
        item_id=item,
        kind=kind,
        quantity=Decimal(quantity),
        unit_cost=Decimal(cost),
        balance_after=Decimal(balance),
        at=at(when, time(9)),
        actor_name="system",
        order_id=order_id,
    )


def item(sku: str, cost: str, on_hand: str, reorder_level: str) -> int:
    return put_row(
        "items",
        sku=sku,
        name_en=sku,
        name_zh=sku,
        category="chemicals",
        unit="bottle",
        unit_cost=Decimal(cost),
        reorder_level=Decimal(reorder_level),
        reorder_quantity=Decimal(0),
        active=True,
        on_hand=Decimal(on_hand),
    )


@pytest.fixture
def history(area) -> dict[str, int]:
    """Customers A (ordered in 2025, again in March), B and D (new in March), C (first in
    February, cancelled in March), E (last ordered 10 September 2025: lost in March)."""
    a, b, c, d, e = (make_customer(area, name=n, phone=f"139 0000 000{i}")["id"] for i, n in enumerate("ABCDE"))
    tech = put_row("staff", employee_no="T1", name="刘强", public_name="刘师傅", hourly_cost=Decimal(20), areas=[area])
    old = order(
        a,
        area,
        date(2025, 8, 1),
        date(2025, 8, 2),
        "paid",
        "100",
        paid=Decimal(100),
        completed_at=at(date(2025, 8, 2), time(11)),
    )
    o2 = order(
        a,
        area,
        date(2026, 3, 2),
        date(2026, 3, 5),
        "paid",
        "300",
        paid=Decimal(300),
        refunded=Decimal(20),
        rating=5,
        technician_id=tech,
        scheduled_start=at(date(2026, 3, 5), time(9)),
        scheduled_end=at(date(2026, 3, 5), time(13)),
        started_at=at(date(2026, 3, 5), time(10)),  # with its "in progress" step below, as a transition stamps both
        completed_at=at(date(2026, 3, 5), time(12, 30)),
    )
    o3 = order(
        b,
        area,
        date(2026, 3, 10),
        date(2026, 3, 12),
        "completed",
        "200",
        paid=Decimal(50),
        rating=3,
        window_start=time(14),
        window_end=time(16),
        technician_id=tech,
        scheduled_start=at(date(2026, 3, 12), time(14)),
        scheduled_end=at(date(2026, 3, 12), time(16)),
        started_at=at(date(2026, 3, 12), time(16, 30)),
        completed_at=at(date(2026, 3, 12), time(18)),
    )
    order(c, area, date(2026, 3, 15), date(2026, 3, 20), "cancelled", "120")
    order(
        d,
        area,
        date(2026, 3, 20),
        date(2026, 4, 2),
        "scheduled",
        "90",
        technician_id=tech,
        scheduled_start=at(date(2026, 4, 2), time(9)),
        scheduled_end=at(date(2026, 4, 2), time(11)),
    )
    o6 = order(
        c,
        area,
        date(2026, 2, 3),
        date(2026, 2, 4),
        "paid",
        "150",
        paid=Decimal(150),
        completed_at=at(date(2026, 2, 4), time(15)),
    )
    lost = order(
        e,
        area,
        date(2025, 9, 10),
        date(2025, 9, 11),
        "paid",
        "80",
        paid=Decimal(80),
        completed_at=at(date(2025, 9, 11), time(15)),
    )
    for order_id, started in ((o2, at(date(2026, 3, 5), time(10))), (o3, at(date(2026, 3, 12), time(16, 30)))):
        put_row(
            "order_events",
            order_id=order_id,
            at=started,
            actor_name="刘强",
            from_status="scheduled",
            to_status="in_progress",
        )
    for order_id, amount, when in (
        (o2, "300", date(2026, 3, 6)),
        (o3, "50", date(2026, 3, 13)),
        (o6, "150", date(2026, 4, 5)),
        (old, "100", date(2025, 8, 3)),
        (lost, "80", date(2025, 9, 12)),
    ):
        put_row(
            "payments",
            order_id=order_id,
            kind="payment",
            method="cash",
            amount=Decimal(amount),
            received_at=at(when, time(17)),
        )
    put_row(
        "payments",
        order_id=o2,
        kind="refund",
        method="cash",
        amount=Decimal(20),
        received_at=at(date(2026, 3, 7), time(9)),
    )
    x, y = item("SHAMPOO", "10", "7", "0"), item("WAX", "5", "12", "5")
    move(x, "receipt", "10", "10", "10", date(2026, 2, 1))
    move(x, "issue", "-1", "10", "9", date(2026, 2, 4), o6)
    move(x, "issue", "-3", "10", "6", date(2026, 3, 5), o2)
    move(x, "return", "1", "10", "7", date(2026, 3, 6), o2)
    move(y, "receipt", "4", "5", "4", date(2026, 2, 1))
    move(y, "issue", "-2", "5", "2", date(2026, 3, 12), o3)
    move(y, "receipt", "10", "5", "12", date(2026, 4, 1))
    for start, hours in ((at(date(2026, 3, 5), time(8)), 10), (at(date(2026, 3, 12), time(8)), 12)):
        put_row("shifts", staff_id=tech, starts_at=start, ends_at=start + timedelta(hours=hours), role="technician")
    for start, hours in ((at(date(2026, 3, 5), time(8)), 4), (at(date(2026, 3, 12), time(13)), 6)):
        put_row("attendance", staff_id=tech, clock_in=start, clock_out=start + timedelta(hours=hours))
    put_row("attendance", staff_id=tech, clock_in=at(date(2026, 3, 20), time(8)), clock_out=None)  # open: not counted
    return {"tech": tech, "x": x, "y": y}


def test_march_against_february_by_hand(history, manager):
    board = kpis.overview(actor=manager, kind="month", anchor=MARCH)
    chosen = board["period"]
    assert (chosen.start, chosen.end, chosen.previous_start, chosen.previous_end) == (
        date(2026, 3, 1),
        MARCH,
        date(2026, 2, 1),
        date(2026, 2, 28),
    )
    cards = {card["key"]: card for card in board["cards"]}
    now = {key: card["value"] for key, card in cards.items()}
    assert now == {
        "revenue": Decimal("480.00"),  # 300 − 20 refunded + 200
        "orders": 4,  # placed in March, the cancelled one included
        "average_order_value": Decimal("240.00"),  # 480 / 2 done
        "gross_margin": Decimal("250.00"),  # 480 − materials 30 − labour 200
        "completion_rate": Decimal("66.7"),  # 2 done of the 3 requested for March
        "on_time_rate": Decimal("50.0"),  # O2 started 10:00 in 9–12; O3 at 16:30 after 14–16
        "average_rating": Decimal("4.00"),
        "repeat_customer_rate": Decimal("33.3"),  # A of A, B, D
        "new_customers": 2,  # B and D (C's first order was in February)
        "lost_customers": 1,  # E: last order 2025-09-10, in [2025-09-02, 2025-10-02]
        "receivables_overdue": Decimal("300.00"),  # O3 200 − 50; O6 150 unpaid until April
        "stock_value": Decimal("80.00"),  # 7 × 10 + 2 × 5 by the ledger on 31 March
        "low_stock_items": 1,  # WAX 2 < 5
        "staff_utilisation": Decimal("27.3"),  # 6 booked hours / 22 rostered
    }
    previous = {key: card["previous"] for key, card in cards.items()}
    assert previous["revenue"] == Decimal("150.00")
    assert previous["gross_margin"] == Decimal("140.00")  # 150 − 10 materials, no attendance
    assert previous["orders"] == 1 and previous["new_customers"] == 1 and previous["lost_customers"] == 0
    assert previous["receivables_overdue"] == Decimal("150.00")  # O6, completed 4 February
    assert previous["stock_value"] == Decimal("110.00")  # 9 × 10 + 4 × 5
    assert previous["on_time_rate"] == Decimal("0.0") and previous["average_rating"] is None
    assert previous["staff_utilisation"] is None  # no shifts in February
    assert cards["revenue"]["change"] == Decimal("330.00") and cards["revenue"]["change_pct"] == Decimal("220.0")
    # 8 weeks to 31 March: Mondays 9 Feb ... 30 Mar; O2 in the week of 2 Mar, O3 of 9 Mar (O6, 4 Feb, before).
    assert cards["revenue"]["sparkline"] == [0.0, 0.0, 0.0, 280.0, 200.0, 0.0, 0.0, 0.0]


def test_materials_and_labour_behind_the_margin(history):
    march = rules.figures([(date(2026, 3, 1), MARCH)], today=today())[0]
    assert march["materials"] == Decimal("30.00")  # O2: 3 issued − 1 returned at 10; O3: 2 at 5
    assert march["labour"] == Decimal("200.00")  # (4 + 6) attended hours × 20; the open entry is not counted


def test_targets_mark_what_is_off(history, manager):
    kpis.set_target(actor=manager, kpi="revenue", target="500")
    kpis.set_target(actor=manager, kpi="lost_customers", target="1")
    kpis.set_target(actor=manager, kpi="average_rating", target="3.5")
    cards = {c["key"]: c for c in kpis.overview(actor=manager, kind="month", anchor=MARCH)["cards"]}
    assert cards["revenue"]["off_target"] and cards["revenue"]["target"] == Decimal("500")
    assert not cards["lost_customers"]["off_target"]  # 1 lost, at most 1 wanted
    assert not cards["average_rating"]["off_target"]
    kpis.set_target(actor=manager, kpi="lost_customers", target="0")
    cards = {c["key"]: c for c in kpis.overview(actor=manager, kind="month", anchor=MARCH)["cards"]}
    assert cards["lost_customers"]["off_target"] and not cards["lost_customers"]["higher_is_better"]
    kpis.set_target(actor=manager, kpi="revenue", target="")
    cards = {c["key"]: c for c in kpis.overview(actor=manager, kind="month", anchor=MARCH)["cards"]}
    assert cards["revenue"]["target"] is None and not cards["revenue"]["off_target"]


def test_targets_are_validated_and_audited(store, manager):
    from core.models import AuditEntry, KpiTarget

    for kpi, target, field in (
        ("nonsense", "1", "kpi"),
        ("revenue", "lots", "target"),
        ("completion_rate", "120", "target"),
        ("average_rating", "0.5", "target"),
        ("orders", "2.5", "target"),
        ("revenue", "-5", "target"),
        ("revenue", "NaN", "target"),
        ("revenue", "1e400", "target"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            kpis.set_target(actor=manager, kpi=kpi, target=target)
        assert list(refused.value.errors) == [field]
    assert count(KpiTarget) == 0
    kpis.set_target(actor=manager, kpi="gross_margin", target="-1000")  # a margin may be planned negative
    before = count(AuditEntry)
    kpis.set_target(actor=manager, kpi="completion_rate", target="95")
    assert count(KpiTarget) == 2 and count(AuditEntry) > before


def test_only_managers_set_targets(store):
    executive = make_user("boss", "executive")
    assert kpis.overview(actor=executive)["cards"]
    with pytest.raises(PermissionDenied):
        kpis.set_target(actor=executive, kpi="revenue", target="1")


def test_periods():
    anchor = date(2026, 5, 31)
    quarter = rules.period("quarter", anchor=anchor)
    assert (quarter.start, quarter.previous_start, quarter.previous_end) == (
        date(2026, 4, 1),
        date(2026, 1, 1),
        date(2026, 2, 28),
    )
    year = rules.period("year", anchor=anchor)
    assert (year.start, year.previous_end, year.grain, len(year.points)) == (
        date(2026, 1, 1),
        date(2025, 5, 31),
        "month",
        12,
    )
    assert year.points[-1] == (date(2026, 5, 1), anchor) and year.points[0] == (date(2025, 6, 1), date(2025, 6, 30))
    custom = rules.period("custom", anchor=anchor, start=date(2026, 5, 11), end=date(2026, 5, 20))
    assert (custom.previous_start, custom.previous_end, custom.grain) == (date(2026, 5, 1), date(2026, 5, 10), "week")
    with pytest.raises(ValidationFailed) as refused:
        rules.period("custom", anchor=anchor, start=date(2026, 5, 21), end=date(2026, 5, 20))
    assert list(refused.value.errors) == ["start"]


def test_today_agrees_with_finance_stock_and_purchasing(history, manager):
    """For today the moment figures are those the operational services compute on the store."""
    now = {c["key"]: c["value"] for c in kpis.overview(actor=manager)["cards"]}
    assert now["receivables_overdue"] == finance.receivables(actor=manager)["overdue"] == Decimal("150.00")  # O3
    assert now["stock_value"] == stock_usage.stock_value(actor=manager)["total"] == Decimal("130.00")
    assert now["low_stock_items"] == len(purchasing.low_stock(actor=manager)) == 0  # WAX 12 ≥ 5
