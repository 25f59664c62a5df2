"""Building the records tests need, through the same services the app uses."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert

from core.actor import SYSTEM, Actor
from core.auth import actor_for
from core.clock import today, utcnow
from core.db import reading, writing
from core.masking import CONTACT_FIELDS
from core.models import Base, Customer, ServiceArea, User
from core.services import staff as staff_services
from core.services import users
from core.services.catalogue import catalogue
from core.services.customers import customers

PASSWORD = "correct-horse-9"


def make_user(username: str, *roles: str, password: str = PASSWORD, language: str = "en") -> Actor:
    row = users.create_user(
        actor=SYSTEM,
        values={"username": username, "display_name": username.title(), "language": language, "roles": list(roles)},
        password=password,
    )
    with reading() as session:
        return actor_for(session.get(User, row["id"]))


def make_area(code: str = "SH-XH", name_en: str = "Xuhui", name_zh: str = "徐汇区") -> int:
    with writing(SYSTEM) as session:
        area = ServiceArea(code=code, name_en=name_en, name_zh=name_zh, city="Shanghai", active=True)
        session.add(area)
        session.commit()
        return area.id


def customer_values(area_id: int, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "张伟",
        "kind": "person",
        "contact_person": None,
        "phone": "138 1234 5678",
        "phone_alt": None,
        "email": "zhangwei@example.com",
        "address": "上海市徐汇区漕溪北路100号",
        "area_id": area_id,
        "source": "phone",
        "preferences": None,
        "notes": None,
    }
    values.update(changes)
    return values


def make_customer(area_id: int, actor: Actor = SYSTEM, **changes: Any) -> dict[str, Any]:
    """The customer as saved, with the contacts as stored: services answer them masked (a test of
    masking reads a service's answer, not this), and reading them here writes no audit row."""
    row = customers.create(actor=actor, values=customer_values(area_id, **changes), confirm_duplicate=True)
    with reading() as session:
        stored = session.get(Customer, row["id"])
        return {**row, **{field: getattr(stored, field) for field in CONTACT_FIELDS}}


def make_service(
    code: str = "CARPET",
    price: str = "8.00",
    minutes: str = "1.5",
    skills: tuple[str, ...] = ("carpet",),
    unit: str = "m2",
) -> int:
    row = catalogue.create(
        actor=SYSTEM,
        values={
            "code": code,
            "name_en": code.title(),
            "name_zh": code,
            "unit": unit,
            "unit_price": price,
            "minutes_per_unit": minutes,
            "skills": list(skills),
            "active": True,
        },
    )
    return row["id"]


def make_technician(
    name: str,
    area_id: int,
    skills: tuple[str, ...] = ("carpet",),
    user: Actor | None = None,
    shift_day: date | None = None,
    shift: tuple[time, time] = (time(8), time(18)),
) -> int:
    """A technician covering `area_id`, on shift on `shift_day` (default: tomorrow)."""
    row = staff_services.staff.create(
        actor=SYSTEM,
        values={
            "name": name,
            "public_name": f"{name[0]}师傅",
            "phone": None,
            "position": "technician",
            "status": "active",
            "user_id": user.user_id if user else None,
            "areas": [area_id],
            "skills": list(skills),
        },
    )
    staff_services.add_shift(
        actor=SYSTEM,
        staff_id=row["id"],
        day=shift_day or today() + timedelta(days=1),
        start=shift[0],
        end=shift[1],
        overnight=shift[1] <= shift[0],
    )
    return row["id"]


def order_values(customer_id: int, area_id: int, day: date | None = None, **changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "customer_id": customer_id,
        "channel": "phone",
        "address": "上海市徐汇区漕溪北路100号",
        "area_id": area_id,
        "requested_date": day or today() + timedelta(days=1),
        "window_start": time(9),
        "window_end": time(12),
        "discount_pct": Decimal(0),
        "notes": None,
    }
    values.update(changes)
    return values


def record_version(row: dict[str, Any]) -> dict[str, Any]:
    """A record's id and the version it was read at, as the entity services take them."""
    return {"record_id": row["id"], "expected_version": row["version"]}


def put_row(table: str, **values: Any) -> int:
    """A row written as it stands, stamps by hand: the history a test makes, not records entered."""
    columns = Base.metadata.tables[table].c
    if "version" in columns:
        values = {"created_at": utcnow(), "updated_at": utcnow(), "version": 1, **values}
    with writing(SYSTEM) as session:
        new_id = session.execute(insert(Base.metadata.tables[table]).values(**values).returning(columns.id)).scalar()
        session.commit()
    return int(new_id)


SERVICE_ADDRESS = "上海市徐汇区漕溪北路100号"


def history_order(
    customer_id: int,
    area_id: int,
    requested: date,
    status: str,
    total: str | Decimal = "100",
    *,
    lines: Sequence[Mapping[str, Any]] = (),
    created_at: datetime | None = None,
    **columns: Any,
) -> int:
    """An order as it stands at some point of its life, figures as given (no rules run), with its lines:
    each a mapping of order_lines columns over a default line (10 m2 at 8, 15 minutes). Part of the
    history a test makes, like put_row; created now unless `created_at` says otherwise."""
    total = Decimal(total)
    values: dict[str, Any] = {
        "number": f"SO-{uuid.uuid4().hex[:8]}",
        "customer_id": customer_id,
        "channel": "phone",
        "address": SERVICE_ADDRESS,
        "area_id": area_id,
        "requested_date": requested,
        "window_start": time(9),
        "window_end": time(12),
        "status": status,
        "subtotal": total,
        "discount_amount": Decimal(0),
        "tax_rate": Decimal(0),
        "tax_amount": Decimal(0),
        "total": total,
        "paid": Decimal(0),
        "refunded": Decimal(0),
        "idempotency_key": uuid.uuid4().hex,
    }
    order_id = put_row("orders", **values | ({"created_at": created_at} if created_at else {}) | columns)
    for line in lines:
        row = {"service_code": "X", "name_en": "X", "name_zh": "X", "unit": "m2", "minutes": 15, **line}
        price, quantity = Decimal(row.pop("unit_price", 8)), Decimal(row.pop("quantity", 10))
        put_row("order_lines", order_id=order_id, unit_price=price, quantity=quantity, amount=price * quantity, **row)
    return order_id
