"""Building the demo company from a fixed seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from core import db
from core.actor import SYSTEM
from core.audit import record_event
from core.clock import today, utcnow
from core.config import get_settings
from core.crypto import index_values
from core.demo import bulk, company, names, personnel, seasons, stock
from core.demo.catalogue import LINES_PER_ORDER
from core.entities.customers import CUSTOMERS
from core.models import Customer, ServiceArea, User
from core.numbering import format_number, reserve
from core.security import hash_password

CHUNK = 5_000
# The demo company of the first start (`make run`) and of `python -m core.demo` without options.
DEMO_CUSTOMERS = 2_000
DEMO_ORDERS = 15_000


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    display_name: str
    language: str

    @property
    def password(self) -> str:
        return f"{self.role}-demo"


# One login per role; the README lists the same table.
DEMO_USERS = (
    DemoUser("admin", "admin", "陈明 (Admin)", "en"),
    DemoUser("manager", "manager", "王芳", "zh"),
    DemoUser("clerk", "clerk", "李娜", "zh"),
    DemoUser("analyst", "analyst", "Lucy Zhang", "en"),
    DemoUser("executive", "executive", "赵建华", "zh"),
    DemoUser("technician", "technician", "刘强", "zh"),
)

AREA_WEIGHTS = {
    "SH-PD": 22,
    "SH-MH": 14,
    "SH-XH": 11,
    "SH-JA": 9,
    "SH-CN": 8,
    "SH-PT": 8,
    "SH-YP": 9,
    "SH-HK": 6,
    "SH-BS": 8,
    "SH-HP": 5,
}


def is_seeded(session: Session) -> bool:
    return session.execute(select(func.count()).select_from(User)).scalar_one() > 0


def seed(
    *,
    customers: int | None = None,
    orders: int | None = None,
    seed_value: int = 42,
    timings: dict[str, float] | None = None,
    lines_per_order: dict[int, tuple[float, ...]] = LINES_PER_ORDER,
) -> dict[str, int]:
    """Fill an empty database with the demo company; refuses to touch one that has users.

    Left to its defaults: DEMO_CUSTOMERS customers with three years of DEMO_ORDERS orders,
    plus the catalogue, technicians, rosters and contracts they need and the store room
    (suppliers, items, purchases, the materials the jobs used). `orders` gives the
    number of orders (exactly); given `customers` alone, or `orders=0`, only the users,
    areas and customers are made. `timings` collects seconds per phase; `lines_per_order` is the
    share of orders with 1, 2, 3... lines per segment (the benchmark asks for catalogue.LARGE_BASKETS)."""
    if customers is None and orders is None:
        customers, orders = DEMO_CUSTOMERS, DEMO_ORDERS
    customers = DEMO_CUSTOMERS if customers is None else customers
    orders = orders or 0
    if customers < 0 or orders < 0 or (orders and not customers):
        raise ValueError("Orders need at least one customer; counts cannot be negative.")
    timer = company.Timer(timings)
    rng = random.Random(seed_value)
    with db.writing(SYSTEM) as session:
        if is_seeded(session):
            raise RuntimeError("The database already holds users; the demo only seeds an empty one.")
        _seed_users(session)
        areas = _seed_areas(session)
        session.commit()
        users = {u.username: (u.id, u.display_name) for u in session.execute(select(User)).scalars()}
    timer("users and areas")
    made: dict[str, int] = {"users": len(DEMO_USERS), "areas": len(areas)}
    if not orders:
        made["customers"] = seed_customers(customers, rng, areas)
        timer("customers")
    else:
        made.update(_seed_history(customers, orders, seed_value, rng, areas, users, timer, lines_per_order))
    detail = f"seed {seed_value}: {len(DEMO_USERS)} users, {made['customers']} customers"
    if orders:
        detail += f", {made['orders']} orders"
    record_event(SYSTEM, "demo_seeded", detail=detail)
    _analyze()
    return made


def _analyze() -> None:
    """Fresh statistics after the bulk load: without them PostgreSQL's planner scans whole tables
    (the analytics snapshot's catch-up query among them) until autovacuum gets round to it."""
    engine = db.get_engine()
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()


def _seed_history(
    customers: int,
    orders: int,
    seed_value: int,
    rng: random.Random,
    areas: dict[str, int],
    users: dict[str, tuple[int, str]],
    timer: company.Timer,
    lines_per_order: dict[int, tuple[float, ...]],
) -> dict[str, int]:
    """Customers with three years of orders, and everything the orders need, in one bulk load."""
    with bulk.without_cycle_collection():
        return _build_history(customers, orders, seed_value, rng, areas, users, timer, lines_per_order)


def _build_history(
    customers: int,
    orders: int,
    seed_value: int,
    rng: random.Random,
    areas: dict[str, int],
    users: dict[str, tuple[int, str]],
    timer: company.Timer,
    lines_per_order: dict[int, tuple[float, ...]],
) -> dict[str, int]:
    phones: list[str] = []
    profiles = [_customer(rng, areas, phones) for _ in range(customers)]
    timer("plan customers")
    with bulk.loading(db.get_engine()) as writer:
        first = {t: writer.next_id(t) for t in ("services", "customers", "staff", "contracts", "orders")}
        book = company.plan(
            np.random.default_rng(seed_value),
            seasons.period(today()),
            profiles,
            areas,
            users,
            orders,
            get_settings().tax_rate,
            first,
            AREA_WEIGHTS,
            float(get_settings().max_weekly_hours),
            lines_per_order,
        )
        timer("plan orders")
        written = company.write(writer, book, timer)
        written.update(stock.write(writer, book, seed_value, timer))
        written.update(personnel.write(writer, book, seed_value, timer))
    return {
        "customers": written["customers"],
        "services": written["services"],
        "staff": written["staff"],
        "shifts": written["shifts"],
        "contracts": written["contracts"],
        "orders": written["orders"],
        "order_lines": written["order_lines"],
        "order_events": written["order_events"],
        "payments": written["payments"],
        "suppliers": written["suppliers"],
        "items": written["items"],
        "purchase_orders": written["purchase_orders"],
        "stock_movements": written["stock_movements"],
        "qualifications": written["qualifications"],
        "trainings": written["trainings"],
        "leave_requests": written["leave_requests"],
        "attendance": written["attendance"],
    }


def _seed_users(session: Session) -> None:
    for demo in DEMO_USERS:
        user = User(
            username=demo.username,
            display_name=demo.display_name,
            email=f"{demo.username}@opsdesk.example",
            password_hash=hash_password(demo.password),
            language=demo.language,
            active=True,
            password_changed_at=utcnow(),
        )
        user.roles = {demo.role}
        session.add(user)


def _seed_areas(session: Session) -> dict[str, int]:
    for code, name_en, name_zh, _streets in names.AREAS:
        session.add(ServiceArea(code=code, name_en=name_en, name_zh=name_zh, city="上海 Shanghai", active=True))
    session.flush()
    return {code: area_id for code, area_id in session.execute(select(ServiceArea.code, ServiceArea.id))}


def seed_customers(count: int, rng: random.Random, areas: dict[str, int]) -> int:
    """Insert `count` customers in chunks (the customers-only demo)."""
    made = 0
    phones: list[str] = []
    while made < count:
        size = min(CHUNK, count - made)
        with db.writing(SYSTEM) as session:
            first = reserve(session, CUSTOMERS.name, size)
            now = utcnow()
            rows = []
            for i in range(size):
                row = _customer(rng, areas, phones)
                row.update(code=format_number("CU", first + i), created_at=now, updated_at=now, version=1)
                row.update(index_values(Customer, row))  # a bulk insert runs no ORM events: the blind index here
                rows.append(row)
            session.execute(insert(Customer), rows)
            session.commit()
        made += size
    return made


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p for p, _w in pairs], weights=[w for _p, w in pairs])[0]


def _mobile(rng: random.Random) -> str:
    return rng.choice(names.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _customer(rng: random.Random, areas: dict[str, int], phones: list[str]) -> dict[str, Any]:
    area_code = _weighted(rng, list(AREA_WEIGHTS.items()))
    _c, _en, district, streets = next(a for a in names.AREAS if a[0] == area_code)
    surname, surname_py = rng.choice(names.SURNAMES)
    given, given_py = rng.choice(names.GIVEN_NAMES)
    is_company = rng.random() < 0.28
    street = rng.choice(streets)
    if is_company:
        brand, brand_py = rng.choice(names.COMPANY_BRANDS)
        name = f"上海{brand}{rng.choice(names.COMPANY_KINDS)}"
        contact = surname + given
        address = f"上海市{district}{street}{rng.randint(1, 1999)}号{rng.randint(2, 28)}楼"
        email = (
            f"{surname_py}{given_py}@{brand_py}{rng.choice(['sh', 'group', 'china'])}.com.cn"
            if rng.random() < 0.7
            else None
        )
        preferences = rng.choice(names.COMPANY_PREFERENCES)
        phone = f"021-{rng.choice('56')}{rng.randrange(10**7):07d}" if rng.random() < 0.5 else _mobile(rng)
    else:
        name = surname + given
        contact = None
        lane, building, floor, door = rng.randint(1, 1999), rng.randint(1, 30), rng.randint(1, 32), rng.randint(1, 4)
        address = f"上海市{district}{street}{lane}弄{building}号{floor}{door:02d}室"
        roll = rng.random()
        if roll < 0.2:
            email = f"{rng.randint(10**7, 3 * 10**9)}@qq.com"
        elif roll < 0.45:
            email = f"{surname_py}{given_py}{rng.randint(1, 999)}@{rng.choice(names.MAIL_DOMAINS)}"
        else:
            email = None
        preferences = rng.choice(names.PERSON_PREFERENCES) if rng.random() < 0.6 else None
        phone = _mobile(rng)
    if phones and rng.random() < 0.01:
        phone = rng.choice(phones)  # family members and branches share a number: duplicates to review
    phones.append(phone)
    if len(phones) > 10_000:
        del phones[: len(phones) - 10_000]
    return {
        "kind": "company" if is_company else "person",
        "name": name,
        "contact_person": contact,
        "phone": phone,
        "phone_alt": _mobile(rng) if rng.random() < 0.15 else None,
        "email": email,
        "address": address,
        "area_id": areas[area_code],
        "source": _weighted(rng, names.SOURCES),
        "preferences": preferences,
        "notes": None,
    }
