"""The operational reports' part of the service permission examples, and the small company the report
tests hand-compute their figures on (`make_march`: March 2025, company time)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import update

from core.actor import SYSTEM
from core.clock import at, today
from core.db import writing
from core.models import Movement, Staff
from tests.factories import history_order, make_area, make_customer, make_service, make_technician
from tests.integration.stock_support import make_item

REPORT_EXAMPLES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "core.services.reports.operational_report": lambda c: {"period": "month", "on": today(), "grouping": "area"},
    "core.services.reports.report_excel": lambda c: {"period": "week", "on": today(), "grouping": "service"},
    "core.services.reports.report_csv": lambda c: {
        "period": "day",
        "on": today(),
        "grouping": "channel",
        "section": "margin",
    },
}

_serial = iter(range(1, 10_000))


def put_order(
    customer: dict[str, Any],
    area_id: int,
    day: date,
    status: str,
    lines: list[tuple[int, str, str, str, int]],  # (service id, code, unit price, quantity, minutes)
    *,
    channel: str = "phone",
    technician: int | None = None,
    tax: str = "0",
    started: datetime | None = None,
    completed: datetime | None = None,
    placed: date | None = None,
    refunded: str = "0",
) -> int:
    """An order written as it stands at the end of its life, with the figures given (no rules run),
    placed (created) at 08:00 company time on `placed`, by default its requested day."""
    subtotal = sum((Decimal(price) * Decimal(quantity) for _id, _code, price, quantity, _minutes in lines), Decimal(0))
    return history_order(
        customer["id"],
        area_id,
        day,
        status,
        subtotal + Decimal(tax),
        lines=[
            {"service_id": service_id, "service_code": code, "name_en": code.title(), "name_zh": code}
            | {"unit_price": price, "quantity": quantity, "minutes": minutes}
            for service_id, code, price, quantity, minutes in lines
        ],
        created_at=at(placed or day, time(8)),
        number=f"SO-T-{next(_serial):06d}",
        channel=channel,
        technician_id=technician,
        subtotal=subtotal,
        tax_amount=Decimal(tax),
        started_at=started,
        completed_at=completed,
        refunded=Decimal(refunded),
    )


def put_movement(item_id: int, order_id: int, kind: str, quantity: str, unit_cost: str, moment: datetime) -> None:
    with writing(SYSTEM) as session:
        session.add(
            Movement(
                item_id=item_id,
                kind=kind,
                quantity=Decimal(quantity),
                unit_cost=Decimal(unit_cost),
                balance_after=Decimal(0),
                at=moment,
                actor_name="test",
                order_id=order_id,
            )
        )
        session.commit()


def make_march() -> dict[str, Any]:
    """Two areas, two services, two technicians (¥30 and ¥40 an hour) and five customers: c1 and c3
    new in March 2025, c2 a customer since December, c4 lost in March (last order 2024-09-15, plus
    180 days is 2025-03-14; a cancelled order later does not count), c5 lost before (2024-08-01).
    Each order is placed on its requested day but o11, placed on March 30 for April 3; ¥10 of o2
    was refunded."""
    xuhui, pudong = make_area("SH-XH", "Xuhui", "徐汇区"), make_area("SH-PD", "Pudong", "浦东新区")
    carpet, window = make_service("CARPET"), make_service("WINDOW", price="5.00")
    liu = make_technician("Liu Qiang", xuhui)
    wang = make_technician("Wang Wu", pudong)
    with writing(SYSTEM) as session:
        session.execute(update(Staff).where(Staff.id == liu).values(hourly_cost=Decimal(30)))
        session.execute(update(Staff).where(Staff.id == wang).values(hourly_cost=Decimal(40)))
        session.commit()
    people = [make_customer(xuhui, name=f"Customer {n}", phone=f"139 0000 000{n}", email=None) for n in range(1, 6)]
    c1, c2, c3, c4, c5 = people
    shampoo = make_item("SHAMPOO")["id"]

    def c(service: int, code: str, price: str, quantity: str, minutes: int) -> tuple[int, str, str, str, int]:
        return (service, code, price, quantity, minutes)

    o1 = put_order(
        c1, xuhui, date(2025, 3, 5), "completed",
        [c(carpet, "CARPET", "8", "10", 15), c(window, "WINDOW", "5", "4", 4)],
        technician=liu, tax="6",
        started=at(date(2025, 3, 5), time(9)), completed=at(date(2025, 3, 5), time(11)),
    )  # fmt: skip
    put_movement(shampoo, o1, "issue", "-1", "30", at(date(2025, 3, 5), time(9, 30)))
    put_movement(shampoo, o1, "return", "0.5", "30", at(date(2025, 3, 5), time(11)))
    put_order(
        c2, pudong, date(2025, 3, 10), "paid", [c(carpet, "CARPET", "8", "20", 30)],
        channel="web", technician=wang, completed=at(date(2025, 3, 10), time(16)), refunded="10",
    )  # fmt: skip
    put_order(c1, xuhui, date(2025, 3, 20), "cancelled", [c(window, "WINDOW", "5", "2", 2)])
    put_order(
        c3, pudong, date(2025, 3, 28), "scheduled", [c(carpet, "CARPET", "8", "5", 8)], channel="app", technician=liu
    )
    o5 = put_order(
        c2, xuhui, date(2025, 2, 27), "completed", [c(window, "WINDOW", "5", "10", 10)],
        technician=liu, started=at(date(2025, 3, 2), time(9)), completed=at(date(2025, 3, 2), time(10)),
    )  # fmt: skip
    put_movement(shampoo, o5, "issue", "-1", "20", at(date(2025, 3, 2), time(9)))
    put_order(
        c2, xuhui, date(2024, 12, 1), "completed", [c(carpet, "CARPET", "8", "1", 2)],
        completed=at(date(2024, 12, 1), time(12)),
    )  # fmt: skip
    put_order(
        c4, pudong, date(2024, 9, 15), "completed", [c(carpet, "CARPET", "8", "1", 2)],
        channel="web", technician=wang, completed=at(date(2024, 9, 15), time(12)),
    )  # fmt: skip
    put_order(
        c5,
        pudong,
        date(2024, 8, 1),
        "paid",
        [c(carpet, "CARPET", "8", "1", 2)],
        completed=at(date(2024, 8, 1), time(12)),
    )
    put_order(c4, pudong, date(2024, 12, 20), "cancelled", [c(carpet, "CARPET", "8", "1", 2)])
    o10 = put_order(
        c3, pudong, date(2025, 3, 31), "completed", [c(carpet, "CARPET", "8", "5", 8)],
        channel="app", technician=wang, completed=at(date(2025, 4, 1), time(0, 30)),  # April, company time
    )  # fmt: skip
    put_movement(shampoo, o10, "issue", "-2", "30", at(date(2025, 3, 31), time(23)))
    put_order(
        c3, pudong, date(2025, 4, 3), "confirmed", [c(carpet, "CARPET", "8", "1", 2)],
        channel="app", placed=date(2025, 3, 30),
    )  # fmt: skip
    return {"xuhui": xuhui, "pudong": pudong, "liu": liu, "wang": wang, "customers": people}
