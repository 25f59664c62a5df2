"""The demo store room as table rows: suppliers, items, the materials per service, purchase
orders with their lines, stock counts, the approved adjustment, and the ledger of movements
(receipts, issues to orders, returns, count differences, the adjustment) with each movement's
balance and cost exactly as core.stock.post would have written them one by one: ids in time
order, the balance after each movement per item, issues at the moving average cost, receipts
at the purchase order's cost moving that average."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np

from core.clock import zone
from core.demo import consumption, purchasing
from core.demo.bulk import Bulk
from core.demo.catalogue import SERVICES
from core.demo.purchasing import PAD, Store
from core.demo.rows import CHUNK, STAMPS, nulls
from core.demo.supplies import ITEMS, SUPPLIERS, cost_fen, per_unit

RECEIPT, ISSUE, RETURN, ADJUSTMENT, COUNT = range(5)
KINDS = np.array(["receipt", "issue", "return", "adjustment", "count"], dtype=object)
RETURN_REASON = "未用完，退回仓库 / Not used, back to the store"
# fmt: off
SUPPLIER_COLUMNS = ("id", "code", "name", "contact_person", "phone", "email", "address", "lead_time_days", "active",
                    "notes", *STAMPS)
ITEM_COLUMNS = ("id", "sku", "barcode", "name_en", "name_zh", "category", "unit", "unit_cost", "reorder_level",
                "reorder_quantity", "supplier_id", "active", "on_hand", *STAMPS)
MATERIAL_COLUMNS = ("id", "service_id", "item_id", "quantity_per_unit")
PO_COLUMNS = ("id", "number", "supplier_id", "status", "requested_by_id", "approved_by_id", "approved_at",
              "ordered_at", "expected_on", "cancel_reason", "notes", *STAMPS)
PO_LINE_COLUMNS = ("id", "purchase_order_id", "item_id", "quantity", "unit_cost", "received")
COUNT_COLUMNS = ("id", "number", "category", "status", "approved_by_id", "approved_at", *STAMPS)
COUNT_LINE_COLUMNS = ("id", "stock_count_id", "item_id", "counted", "book", "counted_at", "counted_by")
ADJUSTMENT_COLUMNS = ("id", "item_id", "quantity", "reason", "status", "requested_by_id", "decided_by_id",
                      "decided_at", "movement_id", *STAMPS)
MOVEMENT_COLUMNS = ("id", "item_id", "kind", "quantity", "unit_cost", "balance_after", "at", "actor_id", "actor_name",
                    "reason", "order_id", "purchase_order_id", "stock_count_id", "reverses_id")
# fmt: on
TABLES = (
    "suppliers",
    "items",
    "service_materials",
    "purchase_orders",
    "purchase_order_lines",
    "stock_counts",
    "stock_count_lines",
    "stock_movements",
    "stock_adjustments",
)


@dataclass
class Ledger:
    """Movements in id (time) order."""

    item: np.ndarray
    at: np.ndarray
    quantity: np.ndarray
    kind: np.ndarray
    order: np.ndarray  # order index or -1
    purchase: np.ndarray  # index into store.purchases or -1
    count: np.ndarray  # index into store.counts or -1
    actor: np.ndarray  # user id or -1
    actor_name: np.ndarray
    reason: np.ndarray
    balance: np.ndarray
    cost: np.ndarray  # fen
    on_hand: np.ndarray  # per item, at the end
    unit_cost: np.ndarray  # per item, at the end


def _order_numbers(book: Any, orders: np.ndarray) -> np.ndarray:
    """SO-YYYY-NNNNNN of the given orders, as rows.orders numbers them."""
    first = book.number_first
    years, serials = book.year[orders].tolist(), book.serial[orders].tolist()
    return np.array(
        [f"SO-{y}-{first[y] + k - 1:06d}" for y, k in zip(years, serials, strict=True)] or [""], dtype=object
    )[: len(orders)]


def _sources(book: Any, issued: consumption.Issues, returned: consumption.Returns, store: Store, numbers: list[str],
             count_numbers: list[str]) -> dict[str, np.ndarray]:  # fmt: skip
    """Every movement before sorting, as columns."""
    users, names = book.users, book.user_names
    clerk, manager = users["clerk"], users["manager"]
    crew = np.array(book.crew.names, dtype=object)
    technician = np.asarray(book.bookings.technician)[issued.order]
    unique, where = np.unique(issued.order, return_inverse=True)
    parts: list[dict[str, Any]] = []
    n = len(issued.order)
    parts.append(
        {
            "item": issued.item,
            "at": issued.at,
            "quantity": -issued.quantity,
            "kind": np.full(n, ISSUE),
            "order": issued.order,
            "purchase": np.full(n, -1),
            "count": np.full(n, -1),
            "actor": np.where(technician == 0, users["technician"], -1),
            "actor_name": crew[np.maximum(technician, 0)],
            "reason": _order_numbers(book, unique)[where],
            "given": np.full(n, -1),
            "returns": np.full(n, -1),
        }
    )
    n = len(returned.issue)
    parts.append(
        {
            "item": issued.item[returned.issue],
            "at": returned.at,
            "quantity": returned.quantity,
            "kind": np.full(n, RETURN),
            "order": issued.order[returned.issue],
            "purchase": np.full(n, -1),
            "count": np.full(n, -1),
            "actor": np.full(n, clerk),
            "actor_name": np.full(n, names[clerk], dtype=object),
            "reason": np.full(n, RETURN_REASON, dtype=object),
            "given": np.full(n, -1),
            "returns": returned.issue,
        }
    )
    rows: list[tuple] = []
    now = book.span.now
    for index, p in enumerate(store.purchases):
        for k, moment in enumerate(p.deliveries):
            if moment >= now or p.status in {"submitted", "approved", "cancelled"}:
                continue
            for line in p.lines:
                if line.parts[k]:
                    rows.append((line.item, moment, line.parts[k], RECEIPT, -1, index, -1, clerk, names[clerk],
                                 numbers[index], line.unit_cost))  # fmt: skip
    for index, c in enumerate(store.counts):
        for item, difference in zip(c.items, c.differences, strict=True):
            if difference:
                rows.append((item, c.approved, difference, COUNT, -1, -1, index, manager, names[manager],
                             count_numbers[index], -1))  # fmt: skip
    for a in store.adjustments:
        rows.append((a.item, a.decided, a.quantity, ADJUSTMENT, -1, -1, -1, manager, names[manager], a.reason, -1))
    keys = ("item", "at", "quantity", "kind", "order", "purchase", "count", "actor", "actor_name", "reason", "given")
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(keys)
    other = {key: np.array(values, dtype=object if key in {"actor_name", "reason"} else np.int64)
             for key, values in zip(keys, columns, strict=True)}  # fmt: skip
    other["returns"] = np.full(len(rows), -1)
    parts.append(other)
    return {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}


def ledger(book: Any, issued: consumption.Issues, returned: consumption.Returns, store: Store, numbers: list[str],
           count_numbers: list[str]) -> Ledger:  # fmt: skip
    m = _sources(book, issued, returned, store, numbers, count_numbers)
    size = len(m["item"])
    source = np.lexsort((np.arange(size), m["item"], m["at"]))  # ids in time order; the unsorted place of each
    m = {key: value[source] for key, value in m.items()}
    by_item = np.argsort(m["item"], kind="stable")  # each item's movements, in time order
    item, quantity, kind = m["item"][by_item], m["quantity"][by_item], m["kind"][by_item]
    starts = np.flatnonzero(np.r_[True, item[1:] != item[:-1]])
    lengths = np.diff(np.r_[starts, size])
    running = np.cumsum(quantity)
    balance = running - np.repeat(running[starts] - quantity[starts], lengths)
    if len(balance) and balance.min() < 0:
        raise RuntimeError("demo stock ledger: a balance below zero")
    costly = (kind == RECEIPT) | (kind == RETURN)
    if not costly[starts].all():
        raise RuntimeError("demo stock ledger: an item's first movement is not a receipt")
    last = np.maximum.accumulate(np.where(costly, np.arange(size), -1))
    average = np.zeros(size, dtype=np.int64)
    cost = np.zeros(size, dtype=np.int64)
    position = np.empty(size, dtype=np.int64)  # source index -> place in by_item order
    position[source[by_item]] = np.arange(size)
    given, returns = m["given"][by_item], m["returns"][by_item]
    first = set(starts.tolist())
    for p in np.flatnonzero(costly).tolist():
        if kind[p] == RECEIPT:
            price = int(given[p])
        else:  # a return comes back at the cost it went out at
            gone = int(position[int(returns[p])])
            price = int(average[last[gone]])
        held, q = int(balance[p] - quantity[p]), int(quantity[p])
        before = 0 if p in first else int(average[last[p - 1]])
        average[p] = (2 * (held * before + q * price) + held + q) // (2 * (held + q))
        cost[p] = price
    plain = ~costly
    cost[plain] = average[last[plain]]
    ends = starts + lengths - 1
    on_hand = np.zeros(len(ITEMS), dtype=np.int64)
    unit_cost = np.array([cost_fen(it) for it in ITEMS], dtype=np.int64)
    on_hand[item[ends]] = balance[ends]
    unit_cost[item[ends]] = average[last[ends]]
    in_time_balance, in_time_cost = np.empty(size, dtype=np.int64), np.empty(size, dtype=np.int64)
    in_time_balance[by_item], in_time_cost[by_item] = balance, cost
    return Ledger(
        m["item"], m["at"], m["quantity"], m["kind"], m["order"], m["purchase"], m["count"], m["actor"],
        m["actor_name"], m["reason"], in_time_balance, in_time_cost, on_hand, unit_cost,
    )  # fmt: skip


def _book(led: Ledger, item: int, moment: int) -> int:
    """What the ledger held of an item at an instant."""
    mine = np.flatnonzero((led.item == item) & (led.at <= moment))
    return int(led.balance[mine[-1]]) if len(mine) else 0


def _year(moment: int) -> int:
    return datetime.fromtimestamp(moment, zone()).year


def write(bulk: Bulk, book: Any, seed_value: int, timer: Callable[[str], None]) -> dict[str, int]:
    """Plan and insert the store room; returns rows written per table."""
    rng = np.random.default_rng([seed_value, 4])
    span = book.span
    issued = consumption.issues(rng, book)
    returned = consumption.returns(rng, issued, span.now)
    timer("plan material use")
    store = purchasing.plan(rng, span, issued, returned)
    timer("plan purchases")
    first = {table: bulk.next_id(table) for table in TABLES}
    supplier_first = bulk.reserve("suppliers", len(SUPPLIERS))
    years = Counter(_year(p.created) for p in store.purchases)
    year_first = {y: bulk.reserve(f"purchase-orders-{y}", years[y]) for y in sorted(years)}
    seen: Counter[int] = Counter()
    numbers = []
    for p in store.purchases:
        y = _year(p.created)
        numbers.append(f"PO-{y}-{year_first[y] + seen[y]:06d}")
        seen[y] += 1
    count_first = bulk.reserve("stock-counts", len(store.counts))
    count_numbers = [f"SC-{count_first + i:06d}" for i in range(len(store.counts))]
    led = ledger(book, issued, returned, store, numbers, count_numbers)
    timer("stock ledger")
    hired = int(span.midnight[0]) - 90 * 86400
    context = _Context(bulk, book, store, led, first, hired)
    bulk.insert("suppliers", SUPPLIER_COLUMNS, context.suppliers(supplier_first))
    bulk.insert("items", ITEM_COLUMNS, context.items())
    bulk.insert("service_materials", MATERIAL_COLUMNS, context.materials())
    bulk.insert("purchase_orders", PO_COLUMNS, context.purchase_orders(numbers))
    bulk.insert("purchase_order_lines", PO_LINE_COLUMNS, context.purchase_lines())
    bulk.insert("stock_counts", COUNT_COLUMNS, context.counts(count_numbers))
    bulk.insert("stock_count_lines", COUNT_LINE_COLUMNS, context.count_lines())
    bulk.insert("stock_movements", MOVEMENT_COLUMNS, context.movements())
    bulk.insert("stock_adjustments", ADJUSTMENT_COLUMNS, context.adjustments())
    bulk.after_explicit_ids(TABLES)
    timer("write stock")
    return {table: bulk.written.get(table, 0) for table in TABLES}


class _Context:
    def __init__(self, bulk: Bulk, book: Any, store: Store, led: Ledger, first: dict[str, int], hired: int) -> None:
        self.bulk, self.book, self.store, self.led, self.first = bulk, book, store, led, first
        self.stamp = bulk.stamp(hired)
        self.clerk, self.manager = book.users["clerk"], book.users["manager"]
        self.now = book.span.now

    def suppliers(self, number: int) -> Iterator[tuple]:
        stamp, manager = self.stamp, self.manager
        for i, s in enumerate(SUPPLIERS):
            yield (self.first["suppliers"] + i, f"SUP-{number + i:06d}", s.name, s.contact_person, s.phone, s.email,
                   s.address, s.lead_time_days, True, s.notes, stamp, stamp, manager, manager, 1)  # fmt: skip

    def items(self) -> Iterator[tuple]:
        store, led = self.store, self.led
        for i, it in enumerate(ITEMS):
            yield (self.first["items"] + i, it.sku, it.barcode, it.name_en, it.name_zh, it.category, it.unit,
                   int(led.unit_cost[i]), int(store.level[i]), int(store.reorder[i]),
                   self.first["suppliers"] + it.supplier, True, int(led.on_hand[i]), self.stamp, self.stamp,
                   self.manager, self.manager, 1)  # fmt: skip

    def materials(self) -> Iterator[tuple]:
        made = 0
        for s, service in enumerate(SERVICES):
            for item, quantity in per_unit(service.code):
                yield (self.first["service_materials"] + made, self.book.first["services"] + s,
                       self.first["items"] + item, int(quantity * Decimal(10000)))  # fmt: skip
                made += 1

    def _day(self, t: int) -> str:
        return self.book.span.day(t - PAD).isoformat()

    def purchase_orders(self, numbers: list[str]) -> Iterator[tuple]:
        stamps = self.bulk.stamp
        for index, p in enumerate(self.store.purchases):
            arrived = [moment for moment in p.deliveries if moment < self.now] if p.status not in {
                "submitted", "approved"} else []  # fmt: skip
            steps = [(p.created, self.clerk), (p.submitted, self.clerk)]
            if p.approved >= 0:
                steps.append((p.approved, self.manager))
            if p.ordered >= 0:
                steps.append((p.ordered, self.clerk))
            steps += [(moment, self.clerk) for moment in arrived]
            if p.status == "closed":
                steps.append((p.closed, self.clerk))
            if p.status == "cancelled":
                steps.append((p.cancelled, self.clerk))
            updated, by = steps[-1]
            yield (self.first["purchase_orders"] + index, numbers[index], self.first["suppliers"] + p.supplier,
                   p.status, self.clerk, self.manager if p.approved >= 0 else None,
                   stamps(p.approved) if p.approved >= 0 else None, stamps(p.ordered) if p.ordered >= 0 else None,
                   self._day(p.expected), p.cancel_reason, None, stamps(p.created), stamps(updated), self.clerk, by,
                   len(steps))  # fmt: skip

    def purchase_lines(self) -> Iterator[tuple]:
        made = 0
        for index, p in enumerate(self.store.purchases):
            waiting = p.status in {"submitted", "approved", "cancelled"}
            for line in p.lines:
                received = 0 if waiting else sum(
                    part for part, moment in zip(line.parts, p.deliveries, strict=True) if moment < self.now
                )  # fmt: skip
                yield (self.first["purchase_order_lines"] + made, self.first["purchase_orders"] + index,
                       self.first["items"] + line.item, line.quantity, line.unit_cost, received)  # fmt: skip
                made += 1

    def counts(self, numbers: list[str]) -> Iterator[tuple]:
        stamps = self.bulk.stamp
        for index, c in enumerate(self.store.counts):
            yield (self.first["stock_counts"] + index, numbers[index], c.category, "approved", self.manager,
                   stamps(c.approved), stamps(c.created), stamps(c.approved), self.clerk, self.manager, 3)  # fmt: skip

    def count_lines(self) -> Iterator[tuple]:
        made = 0
        name = self.book.user_names[self.clerk]
        for index, c in enumerate(self.store.counts):
            for item, difference, moment in zip(c.items, c.differences, c.counted, strict=True):
                held = _book(self.led, item, moment)
                yield (self.first["stock_count_lines"] + made, self.first["stock_counts"] + index,
                       self.first["items"] + item, held + difference, held, self.bulk.stamp(moment), name)  # fmt: skip
                made += 1

    def adjustments(self) -> Iterator[tuple]:
        led, stamps = self.led, self.bulk.stamp
        for index, a in enumerate(self.store.adjustments):
            moved = np.flatnonzero((led.kind == ADJUSTMENT) & (led.item == a.item) & (led.at == a.decided))
            movement = self.first["stock_movements"] + int(moved[0])
            yield (self.first["stock_adjustments"] + index, self.first["items"] + a.item, a.quantity, a.reason,
                   "approved", self.clerk, self.manager, stamps(a.decided), movement, stamps(a.requested),
                   stamps(a.decided), self.clerk, self.manager, 2)  # fmt: skip

    def movements(self) -> Iterator[tuple]:
        led, first = self.led, self.first
        for a in range(0, len(led.item), CHUNK):
            sl = slice(a, a + CHUNK)
            n = len(led.item[sl])
            yield from zip(
                range(first["stock_movements"] + a, first["stock_movements"] + a + n),
                (first["items"] + led.item[sl]).tolist(),
                KINDS[led.kind[sl]].tolist(),
                led.quantity[sl].tolist(),
                led.cost[sl].tolist(),
                led.balance[sl].tolist(),
                self.bulk.stamps(led.at[sl]),
                nulls(led.actor[sl]),
                led.actor_name[sl].tolist(),
                led.reason[sl].tolist(),
                nulls(led.order[sl], self.book.first["orders"]),
                nulls(led.purchase[sl], first["purchase_orders"]),
                nulls(led.count[sl], first["stock_counts"]),
                [None] * n,
                strict=True,
            )
