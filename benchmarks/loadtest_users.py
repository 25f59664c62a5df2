"""The service-level users of `make loadtest`: each a thread with its own login, calling the same core
services the pages call, as fast as the store answers (no think time), until the run ends.

Clerks take orders, issue the contended items to them and now and then receive more of them
(every clerk works on the SAME few items, so a lost update or an overdraw would show), and search
the order list; managers, analysts and executives read the dashboard, the KPIs and the rows behind
a bar. What each call took and how it ended is kept by `Recorder`; a monitor samples the lowest
balance in the store while the run goes on."""

from __future__ import annotations

import math
import random
import statistics
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time as clock_time
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from core import auth, db
from core.actor import Actor
from core.analytics.dashboard import Drill
from core.clock import today
from core.errors import OpsdeskError
from core.models import Customer, Item, Movement, Service, ServiceArea
from core.services import dashboards, kpis, orders, stock
from core.stock import InsufficientStock

# What a user may be refused with a clear message as business goes on: counted apart, not errors.
REFUSALS = (InsufficientStock,)
# The service-level users by role, repeated: 20 users are 10 clerks, 4 managers, 4 analysts, 2 executives.
ROLE_CYCLE = ("clerk", "manager", "clerk", "analyst", "clerk", "executive", "clerk", "manager", "clerk", "analyst")
ISSUE, RECEIVE = (1, 3), (5, 15)  # quantities drawn for each issue and each receipt


@dataclass
class Outcome:
    seconds: list[float] = field(default_factory=list)
    refused: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


class Recorder:
    """What each action took and how it ended, from any thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.actions: dict[str, Outcome] = {}
        self.issued: dict[int, Decimal] = {}  # item -> quantity confirmed out
        self.received: dict[int, Decimal] = {}  # item -> quantity confirmed in
        self.moves: dict[int, int] = {}  # item -> movements confirmed
        self.orders: dict[int, str] = {}  # id -> number of every order a user was told was saved
        self.browser_orders: list[str] = []  # numbers shown on the order page after a browser's save
        self.notes: list[str] = []  # what went wrong but was recovered from, as a person would

    def note(self, text: str) -> None:
        with self.lock:
            self.notes.append(text)

    def _outcome(self, action: str) -> Outcome:
        return self.actions.setdefault(action, Outcome())

    def timed(self, action: str, call: Callable[[], Any], evidence: Callable[[], str] | None = None) -> Any:
        """Run one action; None when it was refused or failed (recorded either way, a failure with
        what `evidence` adds: what the page showed)."""
        began = time.perf_counter()
        try:
            result = call()
        except REFUSALS as refused:
            with self.lock:
                counts = self._outcome(action).refused
                counts[str(refused.message)] = counts.get(str(refused.message), 0) + 1
            return None
        except Exception as failed:  # anything else would reach the user: an error
            self.error(action, _describe(failed) + (evidence() if evidence else ""))
            return None
        spent = time.perf_counter() - began
        with self.lock:
            self._outcome(action).seconds.append(spent)
        return result

    def forget(self, action: str) -> None:
        """Drop the times of an action (its errors stay)."""
        with self.lock:
            self._outcome(action).seconds.clear()
            if not self._outcome(action).errors:
                del self.actions[action]

    def error(self, action: str, failed: BaseException | str) -> None:
        text = failed if isinstance(failed, str) else _describe(failed)
        with self.lock:
            self._outcome(action).errors.append(text)

    def moved(self, item_id: int, quantity: Decimal) -> None:
        with self.lock:
            book = self.received if quantity > 0 else self.issued
            book[item_id] = book.get(item_id, Decimal(0)) + abs(quantity)
            self.moves[item_id] = self.moves.get(item_id, 0) + 1

    def saved(self, order: dict[str, Any]) -> None:
        with self.lock:
            self.orders[order["id"]] = order["number"]

    def table(self, seconds: float) -> list[dict[str, Any]]:
        """Per action: count, throughput, p50, p95, refusals and errors."""
        rows = []
        for action, outcome in sorted(self.actions.items()):
            spent = sorted(outcome.seconds)
            rows.append(
                {
                    "action": action,
                    "count": len(spent),
                    "per_second": len(spent) / seconds,
                    "p50_ms": statistics.median(spent) * 1000 if spent else None,
                    "p95_ms": _percentile(spent, 0.95) * 1000 if spent else None,
                    "refused": sum(outcome.refused.values()),
                    "errors": len(outcome.errors),
                }
            )
        return rows


def _percentile(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile of sorted values."""
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _describe(failed: BaseException) -> str:
    where = traceback.extract_tb(failed.__traceback__)[-1:] if failed.__traceback__ else []
    place = f" at {where[0].filename.rsplit('/', 1)[-1]}:{where[0].lineno}" if where else ""
    message = str(failed.message) if isinstance(failed, OpsdeskError) else str(failed)
    return f"{type(failed).__name__}: {message[:300]}{place}"


@dataclass(frozen=True)
class World:
    """What the users work with, read from the demo company before the run."""

    customers: list[tuple[int, int, str, str]]  # id, area id, address, code
    services: list[tuple[int, str]]  # id, English name (as the order form offers it)
    areas: list[int]
    items: list[int]  # the contended items

    @classmethod
    def read(cls, contended: int) -> World:
        with db.reading() as session:
            customers = session.execute(
                select(Customer.id, Customer.area_id, Customer.address, Customer.code)
                .where(Customer.archived_at.is_(None), Customer.area_id.is_not(None))
                .order_by(Customer.id)
                .limit(500)
            ).all()
            customers = [row for row in customers if row.address]  # addresses may be encrypted: checked here
            services = session.execute(select(Service.id, Service.name_en).where(Service.active).order_by(Service.id))
            areas = session.execute(select(ServiceArea.id).order_by(ServiceArea.id)).scalars().all()
            items = session.execute(select(Item.id).where(Item.active).order_by(Item.id).limit(contended))
            return cls(
                [tuple(row) for row in customers], [tuple(row) for row in services], list(areas), list(items.scalars())
            )


def balances(items: list[int]) -> dict[int, tuple[Decimal, Decimal, int]]:
    """Per item: on hand, the sum of its ledger, and how many movements it has."""
    with db.reading() as session:
        on_hand = dict(session.execute(select(Item.id, Item.on_hand).where(Item.id.in_(items))).all())
        ledger = {
            item: (total, count)
            for item, total, count in session.execute(
                select(Movement.item_id, func.sum(Movement.quantity), func.count())
                .where(Movement.item_id.in_(items))
                .group_by(Movement.item_id)
            ).all()
        }
    return {item: (on_hand[item], *ledger.get(item, (Decimal(0), 0))) for item in items}


def last_movement() -> int:
    with db.reading() as session:
        return session.execute(select(func.max(Movement.id))).scalar_one() or 0


def broken_chain(items: list[int], since: int, start: dict[int, Decimal]) -> list[str]:
    """Movements of the run whose balance after is not the previous balance plus their quantity:
    a movement posted on a stale balance. (Each item's movements follow its row lock, so their ids
    are in the order they were posted, on SQLite and on PostgreSQL.)"""
    with db.reading() as session:
        found = session.execute(
            select(Movement.id, Movement.item_id, Movement.quantity, Movement.balance_after)
            .where(Movement.id > since, Movement.item_id.in_(items))
            .order_by(Movement.id)
        ).all()
    balance, broken = dict(start), []
    for movement, item, quantity, after in found:
        if balance[item] + quantity != after:
            broken.append(f"movement {movement}: {balance[item]} {quantity:+} gave {after}")
        balance[item] = after
    return broken


class User:
    """One service-level user: logs in, waits for the start, works until `stop` is set."""

    def __init__(self, index: int, world: World, recorder: Recorder, seed: int) -> None:
        self.role = ROLE_CYCLE[index % len(ROLE_CYCLE)]
        self.world = world
        self.recorder = recorder
        self.rng = random.Random(seed * 1000 + index)
        self.actor: Actor | None = None
        self.mine: list[int] = []  # this clerk's orders, to issue material to

    def log_in(self) -> None:
        self.actor = auth.log_in(self.role, f"{self.role}-demo").actor

    def run(self, go: threading.Event, stop: threading.Event) -> None:
        go.wait()
        try:
            while not stop.is_set():
                if self.role == "clerk":
                    self.clerk_step()
                else:
                    self.reader_step()
        except Exception as failed:  # a bug of the load test itself must show, not hang
            self.recorder.error("load test user", failed)

    # --- clerks --------------------------------------------------------------------------------

    def clerk_step(self) -> None:
        roll = self.rng.random()
        if not self.mine or roll < 0.30:
            self.create_order()
        elif roll < 0.80:
            self.issue()
        elif roll < 0.88:
            self.receive()
        else:
            self.search()

    def create_order(self) -> None:
        customer, area, address, _code = self.rng.choice(self.world.customers)
        service, _name = self.rng.choice(self.world.services)
        values = {
            "customer_id": customer,
            "channel": self.rng.choice(("phone", "web", "app")),
            "address": address,
            "area_id": area,
            "requested_date": today() + timedelta(days=self.rng.randint(1, 14)),
            "window_start": clock_time(9),
            "window_end": clock_time(12),
            "discount_pct": Decimal(0),
            "notes": "load test",
        }
        lines = [{"service_id": service, "quantity": Decimal(self.rng.randint(1, 20))}]
        key = uuid.uuid4().hex

        def call() -> dict[str, Any]:
            return orders.create_order(actor=self.actor, values=values, lines=lines, idempotency_key=key)

        order = self.recorder.timed("create order", call)
        if order is not None:
            self.recorder.saved(order)
            self.mine = [*self.mine[-9:], order["id"]]

    def issue(self) -> None:
        item, order = self.rng.choice(self.world.items), self.rng.choice(self.mine)
        quantity = Decimal(self.rng.randint(*ISSUE))

        def call() -> dict[str, Any]:
            return stock.issue(actor=self.actor, item_id=item, quantity=quantity, order_id=order)

        if self.recorder.timed("issue stock", call) is not None:
            self.recorder.moved(item, -quantity)

    def receive(self) -> None:
        item, quantity = self.rng.choice(self.world.items), Decimal(self.rng.randint(*RECEIVE))

        def call() -> dict[str, Any]:
            return stock.receive(actor=self.actor, item_id=item, quantity=quantity, unit_cost="12.50", reason="load")

        if self.recorder.timed("receive stock", call) is not None:
            self.recorder.moved(item, quantity)

    def search(self) -> None:
        query = self.rng.choice(("", "SO-", "上海", "CU-0"))
        self.recorder.timed("search orders", lambda: orders.search_orders(actor=self.actor, query=query))

    # --- managers, analysts, executives --------------------------------------------------------

    def reader_step(self) -> None:
        first, second = {
            "manager": (self.dashboard, self.kpis),
            "analyst": (self.dashboard, self.drill),
            "executive": (self.kpis, self.dashboard),
        }[self.role]
        (first if self.rng.random() < 0.6 else second)()

    def dashboard(self) -> None:
        grain = self.rng.choice(("day", "week", "month"))

        def call() -> dict[str, Any]:
            chosen = dashboards.resolve(actor=self.actor, params={"grain": [grain]})
            return dashboards.view(actor=self.actor, filters=chosen["filters"], grain=chosen["grain"])

        self.recorder.timed("read dashboard", call)

    def kpis(self) -> None:
        kind = self.rng.choice(("month", "quarter", "year"))
        self.recorder.timed("read KPIs", lambda: kpis.overview(actor=self.actor, kind=kind))

    def drill(self) -> None:
        area = self.rng.choice(self.world.areas)

        def call() -> Any:
            chosen = dashboards.resolve(actor=self.actor, params={})
            return dashboards.drill_page(actor=self.actor, filters=chosen["filters"], drill=Drill("area", str(area)))

        self.recorder.timed("drill into rows", call)


class Monitor:
    """Samples, while the run goes on, the lowest balance of any item and any movement that left
    a balance below zero."""

    def __init__(self, since: int, interval: float = 0.25) -> None:
        self.since = since  # the last movement before the run
        self.interval = interval
        self.samples = 0
        self.negative: list[str] = []
        self.lowest: Decimal | None = None

    def run(self, go: threading.Event, stop: threading.Event) -> None:
        go.wait()
        while not stop.is_set():
            self.sample()
            stop.wait(self.interval)
        self.sample()

    def sample(self) -> None:
        with db.reading() as session:
            low = session.execute(select(func.min(Item.on_hand))).scalar_one()
            below = (
                session.execute(select(Item.sku, Item.on_hand).where(Item.on_hand < 0).limit(5)).all()
                + session.execute(
                    select(Movement.id, Movement.balance_after)
                    .where(Movement.id > self.since, Movement.balance_after < 0)
                    .limit(5)
                ).all()
            )
        self.samples += 1
        self.lowest = low if self.lowest is None else min(self.lowest, low)
        self.negative.extend(f"{a}: {b}" for a, b in below)
