"""The dashboard's part of the service permission examples, and the small company its figures
are checked against by hand (also used by the page test).

The company, in March 2026 (company time):
- O1 Mon 2 Mar, area A, phone, technician T, CARPET ¥100 + 6% tax = ¥106, paid, rated 5,
  booked 09:00–11:00, window 09:00–12:00, started 09:30 (on time); 3 of item X issued, 1 back.
- O2 Tue 3 Mar, area B, web, technician T, CARPET ¥50 + SOFA ¥150 − 10% = ¥180, completed,
  rated 3, booked 13:00–16:00, window 09:00–12:00, started 13:10 (late).
- O3 Mon 9 Mar, area A, web, SOFA ¥300, cancelled.
- O4 Tue 10 Mar, area A, phone, CARPET ¥80, new.
- O5 Sat 11 Apr, area A, phone, CARPET ¥999, new (outside March); 5 of item X issued.
- T is rostered Mon 2 Mar 08:00–18:00 (10 hours) in March.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from core.actor import SYSTEM
from core.analytics.dashboard import Drill, Filters
from core.clock import at
from core.db import writing
from core.models import Movement, Order, OrderEvent, OrderLine, Shift
from tests.factories import make_area, make_customer, make_service, make_technician
from tests.integration.stock_support import make_item

MARCH = Filters(date(2026, 3, 1), date(2026, 3, 31))
MONDAY = date(2026, 3, 2)
FLOW = ("new", "confirmed", "scheduled", "in_progress", "completed", "paid")


def add_order(session: Any, company: dict[str, Any], number: str, **values: Any) -> Order:
    lines = values.pop("lines")
    steps = values.pop("steps")
    started = values.pop("started", None)
    day = values["requested_date"]
    subtotal = sum((amount for _code, amount in lines), Decimal(0))
    defaults = {"discount_amount": Decimal(0), "tax_rate": Decimal(0), "tax_amount": Decimal(0)}
    order = Order(
        number=number,
        customer_id=company["customer"],
        address="上海市徐汇区漕溪北路100号",
        window_start=time(9),
        window_end=time(12),
        subtotal=subtotal,
        idempotency_key=str(uuid.uuid4()),
        status=steps[-1],
        started_at=started,  # as core.order_rules.transition stamps it with the in_progress step
        **{**defaults, **values},
    )
    order.lines = [
        OrderLine(
            service_id=company[code],
            service_code=code,
            name_en=code.title(),
            name_zh=code,
            unit="m2",
            unit_price=amount,
            quantity=Decimal(1),
            minutes=60,
            amount=amount,
        )
        for code, amount in lines
    ]
    session.add(order)
    session.flush()
    for index, step in enumerate(steps):
        moment = started if step == "in_progress" else at(day, time(8)) + timedelta(minutes=index)
        session.add(OrderEvent(order_id=order.id, at=moment, actor_name="test", to_status=step))
    return order


def seed_company() -> dict[str, Any]:
    """The company described above; returns the ids of what it made."""
    company: dict[str, Any] = {"A": make_area("T-A", "Area A", "甲区"), "B": make_area("T-B", "Area B", "乙区")}
    company["customer"] = make_customer(company["A"])["id"]
    company["CARPET"] = make_service("CARPET", price="100.00")
    company["SOFA"] = make_service("SOFA", price="150.00")
    company["T"] = make_technician("Tian Wei", company["A"])
    company["X"] = make_item("FOAM-1L")["id"]
    with writing(SYSTEM) as session:
        session.add(Shift(staff_id=company["T"], starts_at=at(MONDAY, time(8)), ends_at=at(MONDAY, time(18))))
        o1 = add_order(
            session, company, "T-1", requested_date=MONDAY, area_id=company["A"], channel="phone",
            technician_id=company["T"], lines=[("CARPET", Decimal(100))], tax_rate=Decimal("0.06"),
            tax_amount=Decimal(6), total=Decimal(106), rating=5, steps=FLOW,
            scheduled_start=at(MONDAY, time(9)), scheduled_end=at(MONDAY, time(11)),
            started=at(MONDAY, time(9, 30)),
        )  # fmt: skip
        tuesday = MONDAY + timedelta(days=1)
        add_order(
            session, company, "T-2", requested_date=tuesday, area_id=company["B"], channel="web",
            technician_id=company["T"], lines=[("CARPET", Decimal(50)), ("SOFA", Decimal(150))],
            discount_pct=Decimal(10), discount_amount=Decimal(20), total=Decimal(180), rating=3, steps=FLOW[:5],
            scheduled_start=at(tuesday, time(13)), scheduled_end=at(tuesday, time(16)),
            started=at(tuesday, time(13, 10)),
        )  # fmt: skip
        add_order(
            session, company, "T-3", requested_date=MONDAY + timedelta(days=7), area_id=company["A"],
            channel="web", lines=[("SOFA", Decimal(300))], total=Decimal(300), steps=("new", "cancelled"),
        )  # fmt: skip
        add_order(
            session, company, "T-4", requested_date=MONDAY + timedelta(days=8), area_id=company["A"],
            channel="phone", lines=[("CARPET", Decimal(80))], total=Decimal(80), steps=("new",),
        )  # fmt: skip
        o5 = add_order(
            session, company, "T-5", requested_date=date(2026, 4, 11), area_id=company["A"],
            channel="phone", lines=[("CARPET", Decimal(999))], total=Decimal(999), steps=("new",),
        )  # fmt: skip
        moved = at(MONDAY, time(10))
        for order, kind, quantity in ((o1, "issue", -3), (o1, "return", 1), (o5, "issue", -5)):
            session.add(
                Movement(
                    item_id=company["X"], kind=kind, quantity=Decimal(quantity), unit_cost=Decimal(10),
                    balance_after=Decimal(0), at=moved, actor_name="test", order_id=order.id,
                )
            )  # fmt: skip
            moved += timedelta(minutes=5)
        session.commit()
    return company


DASHBOARD_EXAMPLES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "core.services.dashboards.options": lambda c: {},
    "core.services.dashboards.resolve": lambda c: {"params": {"from": ["2026-03-01"], "area": ["999"]}},
    "core.services.dashboards.view": lambda c: {"filters": MARCH, "grain": "week"},
    "core.services.dashboards.drill_page": lambda c: {"filters": MARCH, "drill": Drill("status", "new")},
    "core.services.dashboards.drill_rows": lambda c: {"filters": MARCH, "drill": Drill("channel", "phone")},
}
