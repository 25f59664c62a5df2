"""A hand-made customer history with clearly separated groups, for the cluster tests.

As of AS_OF (30 June 2026):
- OFFICE: 12 companies, 8 orders each (10, 50, ..., 290 days before), ¥3,000 each, office cleaning;
- ONE_OFF: 20 households, one sofa-cleaning order each, 300 + j days before, ¥(200 + j);
  the first also has a cancelled carpet order and one placed after AS_OF (neither counts);
- CARPET: 10 households, 3 orders each (60 + j, 120 + j, 180 + j days before), ¥600 each:
  ¥500 carpet cleaning and ¥100 sofa cleaning.
Rows are written as they stand (stamps by hand), in a few bulk statements.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert

from core import db
from core.actor import SYSTEM
from core.clock import at, utcnow
from core.models import Base

AS_OF = date(2026, 6, 30)
SERVICES = {
    "OFFICE-CLEAN": ("Office cleaning", "办公室保洁", "hour"),
    "SOFA": ("Fabric sofa cleaning", "布艺沙发清洗", "piece"),
    "CARPET": ("Carpet deep cleaning", "地毯深度清洗", "m2"),
}


def put_many(table: str, rows: list[dict[str, Any]]) -> list[int]:
    """Rows written as they stand, in one statement; their ids in order."""
    target = Base.metadata.tables[table]
    if "version" in target.c:
        rows = [{"created_at": utcnow(), "updated_at": utcnow(), "version": 1, **row} for row in rows]
    with db.writing(SYSTEM) as session:
        ids = []
        for row in rows:  # one statement per row keeps the ids in order on both databases
            ids.append(int(session.execute(insert(target).values(**row).returning(target.c.id)).scalar_one()))
        session.commit()
    return ids


def area() -> int:
    return put_many(
        "service_areas", [{"code": "XH", "name_en": "Xuhui", "name_zh": "徐汇区", "city": "上海", "active": True}]
    )[0]


def services() -> dict[str, int]:
    rows = [
        {
            "code": code,
            "name_en": en,
            "name_zh": zh,
            "unit": unit,
            "unit_price": Decimal(10),
            "minutes_per_unit": Decimal(1),
            "skills": [],
            "active": True,
        }
        for code, (en, zh, unit) in SERVICES.items()
    ]
    return dict(zip(SERVICES, put_many("services", rows), strict=True))


def customers(area_id: int, kind: str, count: int, prefix: str) -> list[int]:
    rows = [
        {
            "code": f"{prefix}{i:04d}",
            "kind": kind,
            "name": f"{prefix} {i}",
            "phone": f"139{i:08d}",
            "address": "上海市徐汇区漕溪北路100号",
            "area_id": area_id,
            "source": "phone",
        }
        for i in range(count)
    ]
    return put_many("customers", rows)


@dataclass
class Orders:
    """Orders and their lines to write: (customer, created day, status, {service: amount})."""

    area_id: int
    service_ids: dict[str, int]
    pending: list[tuple[int, date, str, dict[str, str]]]

    def add(self, customer: int, created: date, lines: dict[str, str], status: str = "paid") -> None:
        self.pending.append((customer, created, status, lines))

    def write(self) -> None:
        rows = []
        for customer, created, status, lines in self.pending:
            total = sum((Decimal(amount) for amount in lines.values()), Decimal(0))
            rows.append(
                {
                    "number": f"SO-{uuid.uuid4().hex[:8]}",
                    "customer_id": customer,
                    "channel": "phone",
                    "address": "上海市徐汇区漕溪北路100号",
                    "area_id": self.area_id,
                    "requested_date": created + timedelta(days=2),
                    "window_start": time(9),
                    "window_end": time(12),
                    "status": status,
                    "subtotal": total,
                    "discount_amount": Decimal(0),
                    "tax_rate": Decimal(0),
                    "tax_amount": Decimal(0),
                    "total": total,
                    "paid": total if status == "paid" else Decimal(0),
                    "refunded": Decimal(0),
                    "idempotency_key": uuid.uuid4().hex,
                    "created_at": at(created, time(10)),
                }
            )
        order_ids = put_many("orders", rows)
        lines_rows = []
        for order_id, (_, _, _, lines) in zip(order_ids, self.pending, strict=True):
            for code, amount in lines.items():
                en, zh, unit = SERVICES[code]
                lines_rows.append(
                    {
                        "order_id": order_id,
                        "service_id": self.service_ids[code],
                        "service_code": code,
                        "name_en": en,
                        "name_zh": zh,
                        "unit": unit,
                        "unit_price": Decimal(amount),
                        "quantity": Decimal(1),
                        "minutes": 60,
                        "amount": Decimal(amount),
                    }
                )
        put_many("order_lines", lines_rows)
        self.pending.clear()


def groups() -> dict[str, list[int]]:
    """The three groups of the module's docstring; their customer ids."""
    area_id = area()
    book = Orders(area_id, services(), [])
    office = customers(area_id, "company", 12, "OFF")
    one_off = customers(area_id, "person", 20, "ONE")
    carpet = customers(area_id, "person", 10, "CAR")
    for customer in office:
        for i in range(8):
            book.add(customer, AS_OF - timedelta(days=10 + 40 * i), {"OFFICE-CLEAN": "3000"})
    for j, customer in enumerate(one_off):
        book.add(customer, AS_OF - timedelta(days=300 + j), {"SOFA": str(200 + j)})
    book.add(one_off[0], AS_OF - timedelta(days=5), {"CARPET": "9000"}, status="cancelled")
    book.add(one_off[0], AS_OF + timedelta(days=5), {"CARPET": "9000"})
    for j, customer in enumerate(carpet):
        for days in (60, 120, 180):
            book.add(customer, AS_OF - timedelta(days=days + j), {"CARPET": "500", "SOFA": "100"})
    book.write()
    return {"office": office, "one_off": one_off, "carpet": carpet, "area": [area_id]}


def alike(count: int) -> list[int]:
    """`count` households with one identical order each (same day, amount and service)."""
    area_id = area()
    book = Orders(area_id, services(), [])
    found = customers(area_id, "person", count, "SAME")
    for customer in found:
        book.add(customer, AS_OF - timedelta(days=30), {"SOFA": "300"})
    book.write()
    return found
