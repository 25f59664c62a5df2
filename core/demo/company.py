"""Three years of the demo company's business, planned in memory as columns (numpy) and
then written in bulk: catalogue, technicians and rosters, contracts, customers, orders
with their lines, status history and payments, and the counters that number them."""

from __future__ import annotations

import time as timing
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, time
from decimal import Decimal
from typing import Any

import numpy as np

from core.clock import at
from core.demo import (
    baskets,
    booking,
    catalogue,
    contracts,
    demand,
    history,
    names,
    personnel,
    rows,
    seasons,
    staff,
    trail,
    workforce,
)
from core.demo.bulk import Bulk
from core.demo.catalogue import COMPANY, HOUSEHOLD
from core.demo.texts import COMMENTS

WINDOW_START = np.array([w[0] for w in baskets.WINDOWS])


class Timer:
    """Seconds per phase, for the benchmark."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings if timings is not None else {}
        self.mark = timing.perf_counter()

    def __call__(self, phase: str) -> None:
        now = timing.perf_counter()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - self.mark
        self.mark = now


@dataclass
class Book:
    """Everything planned, by column; orders are in id (creation) order."""

    span: seasons.Period
    tables: catalogue.PriceTables
    crew: staff.Crew
    users: dict[str, int]
    user_names: dict[int, str]
    area_names: dict[int, tuple[str, str]]
    profiles: list[dict[str, Any]]
    customer_rank: np.ndarray  # customer index -> position in id order
    customer_created: np.ndarray
    contracts: list[contracts.Plan]
    segment: np.ndarray
    day: np.ndarray
    created: np.ndarray
    window: np.ndarray
    service: np.ndarray
    size: np.ndarray
    minutes: np.ndarray
    contract: np.ndarray
    customer: np.ndarray
    area: np.ndarray
    channel: np.ndarray
    note: np.ndarray
    discount: np.ndarray
    subtotal: np.ndarray
    discount_amount: np.ndarray
    tax_amount: np.ndarray
    total: np.ndarray
    year: np.ndarray
    serial: np.ndarray  # the number within its year
    bookings: booking.Bookings
    history: history.History
    tax_rate: int  # scaled by 10,000
    first: dict[str, int]  # first id per table
    workforce: workforce.Workforce | None = None  # profiles, leave, the office staff
    number_first: dict[int, int] = field(default_factory=dict)  # per year: the first order number (when written)


def _requested(
    rng: np.random.Generator, span: seasons.Period, tables: catalogue.PriceTables, people: demand.Customers, total: int,
    lines_per_order: dict[int, tuple[float, ...]],
) -> dict[str, np.ndarray]:  # fmt: skip
    """Orders customers asked for: day, lines, window, when taken, by whom."""
    wanted = demand.daily_orders(rng, span, total)
    seg = wanted.segment
    spring = np.array([seasons.spring_cleaning(span.day(i)) for i in range(span.days)])
    mix = np.where(seg == COMPANY, 2, np.where(spring[wanted.day], 1, 0))
    mixes = np.stack([catalogue.mix_probabilities(m) for m in ("household", "spring_cleaning", "company")])
    lines = baskets.fill(rng, tables, seg, mix, mixes, lines_per_order)
    window = baskets.windows(rng, seg, lines.minutes)
    created = demand.created_at(rng, span, seg, wanted.day, wanted.lead, WINDOW_START[window])
    return {
        "segment": seg,
        "day": wanted.day,
        "created": created,
        "window": window,
        "service": lines.service,
        "size": lines.size,
        "minutes": lines.minutes,
        "skills": lines.skills,
        "contract": np.full(len(seg), -1, dtype=np.int64),
        "customer": demand.choose_customers(rng, people, seg, created),
    }


def _visits(
    rng: np.random.Generator, span: seasons.Period, tables: catalogue.PriceTables, plans: list[contracts.Plan]
) -> dict[str, np.ndarray]:
    """The orders of the contracts' visits, as the contract generator creates them."""
    which, day, created = contracts.visits(rng, span, plans)
    service = np.full((len(plans), baskets.MAX_LINES), -1, dtype=np.int64)
    size = np.zeros((len(plans), baskets.MAX_LINES), dtype=np.int64)
    for c, p in enumerate(plans):
        for slot, (s, k) in enumerate(p.lines):
            service[c, slot], size[c, slot] = s, k
    minutes = np.array([max(30, sum(int(tables.minutes[COMPANY, s, k]) for s, k in p.lines)) for p in plans])
    skills = np.array([int(np.bitwise_or.reduce([tables.skills[s] for s, _k in p.lines])) for p in plans])
    return {
        "segment": np.full(len(day), COMPANY, dtype=np.int8),
        "day": day,
        "created": created,
        "window": np.array([p.window for p in plans], dtype=np.int64)[which],
        "service": service[which].reshape(-1, baskets.MAX_LINES),
        "size": size[which].reshape(-1, baskets.MAX_LINES),
        "minutes": minutes[which].astype(np.int64),
        "skills": skills[which].astype(np.int64),
        "contract": which,
        "customer": np.array([p.customer for p in plans], dtype=np.int64)[which],
    }


def _in_creation_order(*parts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """All orders by when they were taken: that is id order, and number order within a year."""
    merged = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
    order = np.lexsort((np.arange(len(merged["created"])), merged["created"]))
    return {key: value[order] for key, value in merged.items()}


def _numbers(span: seasons.Period, created: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The company-calendar year each order was taken in, and its place in that year (from 1)."""
    low = span.first.year - 2
    edges = np.array([int(at(date(y, 1, 1), time()).timestamp()) for y in range(low, span.first.year + 6)])
    year = low - 1 + np.searchsorted(edges, created, side="right")
    serial = np.zeros(len(year), dtype=np.int64)
    for y in np.unique(year).tolist():
        mine = year == y
        serial[mine] = np.arange(1, int(mine.sum()) + 1)
    return year, serial


def _channels(rng: np.random.Generator, span: seasons.Period, o: dict[str, np.ndarray]) -> np.ndarray:
    """Phone, web, app or walk-in: households move to the app over the years; contracts come by phone."""
    household = o["segment"] == HOUSEHOLD
    roll = rng.random(len(household))
    app = np.where(household, 0.3 + 0.2 * o["day"] / max(span.days, 1), 0.08)
    web = np.where(household, 0.2, 0.25)
    walk = np.where(household, 0.04, 0.02)
    channel = np.select([roll < walk, roll < walk + web, roll < walk + web + app], [3, 1, 2], 0)
    channel[o["contract"] >= 0] = 0
    return channel


def _joined(
    rng: np.random.Generator, span: seasons.Period, people: demand.Customers, customer: np.ndarray, created: np.ndarray
) -> np.ndarray:
    """When each customer was entered: before the period as drawn, else just before their first order."""
    never = np.iinfo(np.int64).max
    first_order = np.full(len(people.segment), never)
    np.minimum.at(first_order, customer, created)
    old = (people.arrival < int(span.midnight[0])) | (first_order == never)
    joined = np.where(old, people.arrival, first_order - rng.integers(60, 900, len(first_order)))
    return np.minimum(joined, span.now - 3600)


def plan(
    rng: np.random.Generator, span: seasons.Period, profiles: list[dict[str, Any]], areas: dict[str, int],
    users: dict[str, tuple[int, str]], total: int, tax_rate: Decimal, first: dict[str, int], weights: dict[str, int],
    max_weekly_hours: float = 48, lines_per_order: dict[int, tuple[float, ...]] = catalogue.LINES_PER_ORDER,
) -> Book:  # fmt: skip
    """Plan the whole history in memory (no database work)."""
    tables = catalogue.price_tables([first["services"] + i for i in range(len(catalogue.SERVICES))], staff.SKILL_BITS)
    kinds = np.array([HOUSEHOLD if p["kind"] == "person" else COMPANY for p in profiles], dtype=np.int8)
    home = np.array([p["area_id"] for p in profiles], dtype=np.int64)
    people = demand.customer_activity(rng, span, kinds, home)
    plans = contracts.plan_contracts(rng, span, people, tables, total)
    demand.stay_while_contracted(span, people, [(p.customer, p.ends_on) for p in plans])
    visits = _visits(rng, span, tables, plans)
    asked = _requested(rng, span, tables, people, max(total - len(visits["day"]), 0), lines_per_order)
    o = _in_creation_order(asked, visits)
    year, serial = _numbers(span, o["created"])
    area = home[o["customer"]]
    channel = _channels(rng, span, o)
    household = o["segment"] == HOUSEHOLD
    note = np.where(rng.random(len(area)) < np.where(household, 0.12, 0.08), rng.integers(0, 5, len(area)), -1)
    discount = baskets.discounts(rng, o["segment"])
    discount[o["contract"] >= 0] = 0  # the contract generator gives none
    subtotal = baskets.amounts(tables, o["segment"], o["service"], o["size"]).sum(axis=1)
    discount_amount, tax_amount, grand = baskets.priced(subtotal, discount, tax_rate)
    joined = _joined(rng, span, people, o["customer"], o["created"])
    rank = np.empty(len(profiles), dtype=np.int64)
    rank[np.lexsort((np.arange(len(profiles)), joined))] = np.arange(len(profiles))
    # The crew for the workload, each contract's regular technician, then what became of each order.
    crew = staff.build_crew(rng, staff.technicians_needed(float(o["minutes"].sum()) / span.days), span, areas, weights)
    kept = staff.keep_regulars(crew, span, [(int(home[p.customer]), p.days) for p in plans])
    # Who left, who is on leave, the weekly hours limit: the roster dispatch sees (own random stream).
    people_plan = workforce.plan(rng.spawn(1)[0], crew, span, kept, areas, max_weekly_hours)
    fate = history.decide(rng, span, o["segment"], o["day"], o["contract"])
    area_index = {a: i for i, a in enumerate(sorted(areas.values()))}
    booked = booking.schedule(
        span, replace(crew, skills=people_plan.dispatch_skills), area_index, fate.needs_technician,
        o["day"], area, o["skills"], o["minutes"], o["window"], o["contract"] >= 0,
    )  # fmt: skip
    day = booked.day  # a job moved off a fully booked day is done (and requested) later
    story = history.settle(
        rng, span, fate, o["segment"], day, o["contract"], o["created"], WINDOW_START[o["window"]], o["minutes"],
        discount, grand, booked.technician, booked.start, crew.quality, {r: len(c) for r, c in COMMENTS.items()},
    )  # fmt: skip
    return Book(
        span=span,
        tables=tables,
        crew=crew,
        users={name: user_id for name, (user_id, _display) in users.items()},
        user_names=dict(users.values()),
        area_names={areas[code]: (en, zh) for code, en, zh, _streets in names.AREAS},
        profiles=profiles,
        customer_rank=rank,
        customer_created=joined,
        contracts=plans,
        segment=o["segment"],
        day=day,
        created=o["created"],
        window=o["window"],
        service=o["service"],
        size=o["size"],
        minutes=o["minutes"],
        contract=o["contract"],
        customer=o["customer"],
        area=area,
        channel=channel,
        note=note,
        discount=discount,
        subtotal=subtotal,
        discount_amount=discount_amount,
        tax_amount=tax_amount,
        total=grand,
        year=year,
        serial=serial,
        bookings=booked,
        history=story,
        tax_rate=int(tax_rate * 10000),
        first=first,
        workforce=people_plan,
    )


def write(bulk: Bulk, book: Book, timer: Callable[[str], None]) -> dict[str, int]:
    """Insert the planned history and move the counters past it."""
    span, first = book.span, book.first
    staff_first = bulk.reserve("staff", book.workforce.size)
    contract_first = bulk.reserve("contracts", len(book.contracts))
    customer_first = bulk.reserve("customers", len(book.profiles))
    number_first = {y: bulk.reserve(f"orders-{y}", int((book.year == y).sum())) for y in np.unique(book.year).tolist()}
    book.number_first = number_first
    hired = int(span.midnight[0]) - 90 * 86400
    manager = book.users["manager"]
    bulk.insert("services", rows.SERVICE_COLUMNS, rows.services(bulk, first["services"], hired, manager))
    bulk.insert("customers", rows.CUSTOMER_COLUMNS, rows.customers(bulk, book, customer_first))
    timer("write customers")
    bulk.insert("staff", personnel.STAFF_COLUMNS, personnel.staff_rows(book, staff_first, hired, bulk.stamp))
    bulk.insert("shifts", staff.SHIFT_COLUMNS, staff.shift_rows(book.crew, span, first["staff"], manager, bulk.stamps))
    bulk.insert("contracts", rows.CONTRACT_COLUMNS, rows.contracts(bulk, book, contract_first))
    bulk.insert("contract_lines", rows.CONTRACT_LINE_COLUMNS, rows.contract_lines(book))
    timer("write staff, shifts and contracts")
    bulk.insert("orders", rows.ORDER_COLUMNS, rows.orders(bulk, book, number_first))
    timer("write orders")
    bulk.insert("order_lines", rows.LINE_COLUMNS, rows.lines(book))
    timer("write order lines")
    bulk.insert("order_events", rows.EVENT_COLUMNS, trail.events(bulk, book))
    timer("write order events")
    bulk.insert("payments", rows.PAYMENT_COLUMNS, trail.payments(bulk, book))
    timer("write payments")
    bulk.after_explicit_ids(("services", "customers", "staff", "contracts", "orders"))
    return dict(bulk.written)
