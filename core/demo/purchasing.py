"""Three years of the store room, day by day: on its order days the clerk checks each
supplier's items, orders what the app's purchase plan proposes (on hand + on order below the
reorder level: at least the reorder quantity, in whole packs) and anything the coming jobs
would otherwise run short of before the next delivery; a manager approves; the goods come
after the supplier's lead time, some in two deliveries. Two stock counts and one approved
adjustment change the stock too.

Stock never goes below zero at any moment: a day's issues are checked against the stock
at the end of the day before (deliveries, returns and finds count only from the evening),
so the order within a day cannot matter. Quantities are scaled by 100, costs are fen,
days are indices into the period (negative before it)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from core.demo.consumption import STEP, Issues, Returns
from core.demo.seasons import Period
from core.demo.supplies import ITEMS, RUNNING_LOW, SKU_INDEX, SUPPLIERS, cost_fen

DAY = 86400
HOUR = 3600
PAD = 40  # days before the period: the opening stock arrives in them
TAIL = 40  # days after today that deliveries may be planned for
OPENING = 5  # the opening purchase orders go out this many days plus the lead time before the period
LOW_WINDOW = 150  # days before today in which the RUNNING_LOW items are allowed to run down
CANCEL_REASONS = (
    "供应商缺货，改从其他供应商采购 / Supplier out of stock; bought elsewhere",
    "报价上涨，暂缓采购 / The quote went up; purchase postponed",
    "与上一张采购单重复 / Duplicates the previous purchase order",
)
ADJUSTMENT_REASON = "两瓶在服务车内渗漏报废 / Two bottles leaked in the service van and were thrown away"
ADJUSTMENT_ITEMS = ("CH-DEODORISER", "CH-ALL-PURPOSE", "CH-SPOT-ENZYME", "CH-MITE-SPRAY")


@dataclass
class Line:
    item: int
    quantity: int
    unit_cost: int
    parts: list[int]  # per delivery of the purchase order


@dataclass
class Purchase:
    supplier: int
    review: int
    created: int
    submitted: int
    approved: int
    ordered: int
    expected: int  # day
    lines: list[Line]
    deliveries: list[int]  # instants
    closed: int = -1
    cancelled: int = -1
    cancel_reason: str | None = None
    status: str = ""


@dataclass
class Count:
    day: int
    category: str | None
    items: list[int]
    differences: list[int]
    created: int
    counted: list[int]
    submitted: int
    approved: int


@dataclass
class Adjustment:
    item: int
    quantity: int
    reason: str
    requested: int
    decided: int


@dataclass
class Store:
    purchases: list[Purchase]
    counts: list[Count]
    adjustments: list[Adjustment]
    level: np.ndarray  # per item, scaled
    reorder: np.ndarray  # per item, scaled


def _up(values: np.ndarray | int, step: np.ndarray | int) -> np.ndarray | int:
    """Rounded up to a multiple of `step` (integers; purchases are whole units, litres too)."""
    return -(-values // step) * step


class Planner:
    def __init__(self, rng: np.random.Generator, span: Period, issued: Issues, returned: Returns) -> None:
        self.rng, self.span = rng, span
        self.today = span.today + PAD  # t index of today
        size = self.today + TAIL
        n = len(ITEMS)
        self.out = np.zeros((size, n), dtype=np.int64)
        self.inn = np.zeros((size, n), dtype=np.int64)
        self.delivered = np.zeros((size, n), dtype=np.int64)
        np.add.at(self.out, (self._days(issued.at), issued.item), issued.quantity)
        np.add.at(self.inn, (self._days(returned.at), issued.item[returned.issue]), returned.quantity)
        self.stock = np.zeros(n, dtype=np.int64)  # at the end of the day before the one being planned
        self.covered = np.full(n, -1)  # the last day whose issues are already provided for
        self.pack = np.array([item.pack * 100 for item in ITEMS], dtype=np.int64)
        self.members = [np.array([i for i, it in enumerate(ITEMS) if it.supplier == s]) for s in range(len(SUPPLIERS))]
        self.gap = [self._gap(s.review_days) for s in SUPPLIERS]
        self.level, self.reorder = self._levels()
        self.low_mode = np.zeros(n, dtype=bool)
        self.may_run_low = np.isin(np.arange(n), [SKU_INDEX[sku] for sku in RUNNING_LOW])
        self.growth = rng.uniform(0.01, 0.05, n)  # a year, per item
        self.purchases: list[Purchase] = []
        self.split_forced = False

    # --- time -------------------------------------------------------------------------------

    def _days(self, instants: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.span.midnight, instants, side="right") - 1 + PAD

    def midnight(self, t: int) -> int:
        return int(self.span.midnight[0]) + (t - PAD) * DAY

    def moment(self, t: int, low: float, high: float) -> int:
        """An instant on day t between two wall-clock hours."""
        return self.midnight(t) + int(self.rng.integers(int(low * HOUR), int(high * HOUR)))

    def weekday(self, t: int) -> int:
        return (self.span.first.weekday() + t - PAD) % 7

    @staticmethod
    def _gap(days: tuple[int, ...]) -> int:
        ordered = sorted(days)
        return max((b - a) % 7 or 7 for a, b in zip(ordered, ordered[1:] + ordered[:1], strict=True))

    # --- the reorder levels the items carry ---------------------------------------------------

    def _levels(self) -> tuple[np.ndarray, np.ndarray]:
        """From the last 120 days' use: the level covers the lead time and the days to the next
        order day with a margin, the reorder quantity about four weeks; never below the item's
        minimum or one pack."""
        recent = self.out[max(PAD, self.today - 120) : self.today].sum(axis=0) / 120.0
        lead = np.array([SUPPLIERS[it.supplier].lead_time_days + self.gap[it.supplier] + 2 for it in ITEMS])
        minimum = np.array([it.minimum * 100 for it in ITEMS], dtype=np.int64)
        level = np.maximum(minimum, _up(np.ceil(recent * lead * 1.3).astype(np.int64), 100))
        reorder = np.maximum(self.pack, _up(np.ceil(recent * 28).astype(np.int64), self.pack))
        return level, reorder

    def price(self, item: int, t: int) -> int:
        """What the supplier charged on day t: today's price, a little less each year back."""
        years = (t - self.today) / 365.0
        raw = cost_fen(ITEMS[item]) * (1 + self.growth[item]) ** years * (1 + self.rng.normal(0, 0.012))
        return max(10, round(raw / 10.0) * 10)

    # --- the simulation -------------------------------------------------------------------------

    def _slack(self, items: np.ndarray, t: int, until: int) -> np.ndarray:
        """Per item: the least stock left at the end of any day t..until after that day's issues,
        deliveries and finds not counted (what an extra issue on day t may take)."""
        until = max(until, t)
        window = slice(t, until + 1)
        delivered, inn = self.delivered[window][:, items], self.inn[window][:, items]
        closing = self.stock[items] + np.cumsum(delivered + inn - self.out[window][:, items], axis=0)
        return (closing - delivered - inn).min(axis=0)

    def review(self, s: int, t: int, t_next: int) -> None:
        """The clerk's order day for supplier s: what the purchase plan and the coming jobs need."""
        items = self.members[s]
        lead = SUPPLIERS[s].lead_time_days
        arrive, horizon = t + lead, t_next + lead
        window = slice(t, horizon + 1)
        delivered, inn = self.delivered[window][:, items], self.inn[window][:, items]
        closing = self.stock[items] + np.cumsum(delivered + inn - self.out[window][:, items], axis=0)
        spare = closing - delivered - inn  # stock after each day's issues, before its arrivals
        if (spare[: arrive - t + 1] < 0).any():
            raise RuntimeError("demo stock plan: an earlier order did not cover the lead time")
        position = self.stock[items] + self.delivered[t:, items].sum(axis=0)
        level, reorder, pack = self.level[items], self.reorder[items], self.pack[items]
        if t >= self.today - LOW_WINDOW:
            remaining = self.out[t : self.today, items].sum(axis=0)
            self.low_mode[items] |= self.may_run_low[items] & (position - remaining < level)
        low = self.low_mode[items]
        later = spare[arrive - t + 1 :]
        keep = np.where(low, level // 300 * 100, 0)  # running low, but not out: a third of the level
        need = np.maximum(0, keep - later.min(axis=0)) if len(later) else np.zeros(len(items), dtype=np.int64)
        suggested = np.where(position < level, np.maximum(reorder, _up(level - position, 100)), 0)
        quantity = np.where(low, _up(need, 100), _up(np.maximum(suggested, need), pack))
        if not quantity.any() and self._keep_going(arrive):
            # The last orders before today, and the one arriving in two parts, are placed even
            # when nothing runs low: the clerk tops up the item furthest down.
            usual = ~low & ~self.may_run_low[items]
            if usual.any():
                k = int(np.argmin(np.where(usual, position / np.maximum(level, 1), np.inf)))
                quantity[k] = max(int(reorder[k]), 2 * int(pack[k]))
        if not quantity.any():
            self.covered[items] = np.maximum(self.covered[items], horizon)
            return
        topped = ~low & (quantity == 0) & (position * 10 < level * 13)  # nearly low: on the same order
        quantity = np.where(topped, reorder, quantity)
        self._purchase(s, t, items, quantity, np.where(quantity > 0, need, 0), arrive)
        self.covered[items] = np.maximum(self.covered[items], horizon)

    def _keep_going(self, arrive: int) -> bool:
        return arrive >= self.today or (not self.split_forced and self.today - 4 <= arrive < self.today)

    def _purchase(self, s: int, t: int, items: np.ndarray, quantity: np.ndarray, need: np.ndarray, arrive: int) -> None:
        """One purchase order; `need` is what the first delivery must bring for the coming jobs."""
        rng = self.rng
        chosen = np.flatnonzero(quantity > 0)
        created = self.moment(t, 9, 10.5)
        submitted = created + int(rng.integers(120, 1200))
        approved = submitted + int(rng.integers(HOUR // 2, 5 * HOUR))
        ordered = approved + int(rng.integers(600, 5400))
        force = not self.split_forced and self.today - 4 <= arrive < self.today and len(chosen) > 0
        split = force or (rng.random() < 0.12 and arrive < self.today)
        second = arrive + int(rng.integers(2, 6))
        if force:
            second = self.today + int(rng.integers(0, 3))
        lines: list[Line] = []
        for k in chosen.tolist():
            i, q = int(items[k]), int(quantity[k])
            first = q
            if split and (rng.random() < 0.6 or not lines):
                first = max(int(_up(int(q * rng.uniform(0.4, 0.7)), 100)), int(_up(int(need[k]), 100)))
            lines.append(Line(i, q, self.price(i, t), [first, q - first]))
        if not any(line.parts[1] for line in lines):
            split = False
        if force and split:
            self.split_forced = True
        deliveries = [self.moment(arrive, 9.5, 16.5)]
        if split:
            deliveries.append(self.moment(second, 9.5, 16.5))
        for line in lines:
            self.delivered[arrive, line.item] += line.parts[0]
            if split:
                self.delivered[second, line.item] += line.parts[1]
            else:
                line.parts = [line.quantity]
        self.purchases.append(Purchase(s, t, created, submitted, approved, ordered, arrive, lines, deliveries))

    def count(self, t: int, category: str | None, counts: list[Count]) -> None:
        """A physical count early on day t: mostly right, now and then a unit or a splash off
        (more often missing than extra), approved by the manager that evening."""
        rng = self.rng
        items = np.array([i for i, it in enumerate(ITEMS) if category is None or it.category == category])
        slack = np.array([self._slack(np.array([i]), t, int(self.covered[i]))[0] for i in items])
        differences = []
        for i, room in zip(items.tolist(), slack.tolist(), strict=True):
            if rng.random() < 0.7:
                differences.append(0)
                continue
            step = STEP[i]
            size = int(rng.integers(1, 3)) * 100 if step == 100 else int(rng.integers(2, 30)) * 5
            if rng.random() < 0.65:
                size = -min(size, room // step * step)
            differences.append(size)
            self._extra(t, i, size)
        created = self.moment(t, 7.25, 7.5)
        counted = sorted(created + int(x) for x in rng.integers(10 * 60, 80 * 60, len(items)))
        counts.append(
            Count(t, category, items.tolist(), differences, created, counted, created + 2 * HOUR,
                  self.moment(t, 17, 19))
        )  # fmt: skip

    def adjust(self, t: int) -> Adjustment | None:
        """Two bottles that leaked in the van: asked for by the clerk, approved by the manager."""
        for sku in ADJUSTMENT_ITEMS:
            i = SKU_INDEX[sku]
            if self._slack(np.array([i]), t, int(self.covered[i]))[0] >= 200:
                self._extra(t, i, -200)
                requested = self.moment(t, 10, 12)
                decided = requested + int(self.rng.integers(HOUR, 5 * HOUR))
                return Adjustment(i, -200, ADJUSTMENT_REASON, requested, decided)
        return None

    def _extra(self, t: int, item: int, quantity: int) -> None:
        if quantity < 0:
            self.out[t, item] -= quantity
        else:
            self.inn[t, item] += quantity

    def run(self) -> tuple[list[Count], list[Adjustment]]:
        today = self.today
        reviews: dict[int, list[tuple[int, int]]] = {}
        for s, supplier in enumerate(SUPPLIERS):
            days = [PAD - supplier.lead_time_days - OPENING]
            days += [t for t in range(PAD, today + 8) if self.weekday(t) in supplier.review_days]
            for t, t_next in pairwise(days):
                if t < today:
                    reviews.setdefault(t, []).append((s, t_next))
        count_days = {self._monday(today - 400): None, self._monday(today - 75): "chemicals"}
        adjustment_day = today - 160
        counts: list[Count] = []
        adjustments: list[Adjustment] = []
        for t in range(min(reviews), today):
            if t in count_days and t >= PAD:
                self.count(t, count_days[t], counts)
            if t == adjustment_day:
                made = self.adjust(t)
                adjustments += [made] if made else []
            for s, t_next in reviews.get(t, ()):
                self.review(s, t, t_next)
            self.stock += self.delivered[t] + self.inn[t] - self.out[t]
            if (self.stock < 0).any():
                raise RuntimeError("demo stock plan: stock below zero")
        return counts, adjustments

    def _monday(self, t: int) -> int:
        return t - self.weekday(t)


def _cancelled(planner: Planner) -> list[Purchase]:
    """Now and then a purchase order is cancelled before anything arrives."""
    rng, span = planner.rng, planner.span
    made = []
    for _ in range(max(1, span.today // 180)):
        t = PAD + int(rng.integers(30, max(31, span.today - 10)))
        s = int(rng.integers(0, len(SUPPLIERS)))
        members = planner.members[s]
        chosen = rng.choice(members, min(len(members), int(rng.integers(1, 3))), replace=False)
        created = planner.moment(t, 9, 11)
        submitted = created + int(rng.integers(120, 1200))
        approved = submitted + int(rng.integers(HOUR, 4 * HOUR))
        lines = [Line(int(i), int(planner.reorder[i]), planner.price(int(i), t), [0]) for i in chosen.tolist()]
        made.append(
            Purchase(s, t, created, submitted, approved, -1, t + SUPPLIERS[s].lead_time_days, lines, [],
                     cancelled=approved + int(rng.integers(HOUR, 30 * HOUR)),
                     cancel_reason=CANCEL_REASONS[int(rng.integers(0, len(CANCEL_REASONS)))])
        )  # fmt: skip
    return made


def _settle(purchases: list[Purchase], now: int, rng: np.random.Generator, today: int) -> None:
    """Each purchase order's status today. The newest two that nothing has arrived for wait
    for approval and for ordering; the rest went to the supplier."""
    for p in purchases:
        if p.cancel_reason:
            p.status = "cancelled"
            continue
        if p.deliveries[-1] < now:
            p.closed = p.deliveries[-1] + int(rng.integers(2 * HOUR, 30 * HOUR))
            p.status = "closed" if p.closed < now else "received"
        else:
            p.status = "ordered"
    waiting = sorted(
        (p for p in purchases if p.status == "ordered" and p.deliveries[0] >= now and p.expected >= today),
        key=lambda p: p.created,
        reverse=True,
    )
    if waiting:
        waiting[0].status, waiting[0].approved, waiting[0].ordered = "submitted", -1, -1
        other = next((p for p in waiting[1:] if p.supplier != waiting[0].supplier), None)
        if other is not None:
            other.status, other.ordered = "approved", -1


def plan(rng: np.random.Generator, span: Period, issued: Issues, returned: Returns) -> Store:
    planner = Planner(rng, span, issued, returned)
    counts, adjustments = planner.run()
    purchases = planner.purchases + _cancelled(planner)
    purchases.sort(key=lambda p: p.created)
    _settle(purchases, span.now, rng, planner.today)
    return Store(purchases, counts, adjustments, planner.level, planner.reorder)
