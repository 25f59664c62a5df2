"""What the demo jobs used from the store: for every completed or paid order, each item its
services consume per unit × the quantity sold, a little more or less on the day, issued at
the job's completion; whole units (bottles, boxes, pairs) are rounded so that on average
they match the continuous amount. Now and then an unused bottle comes back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from core.demo.catalogue import SERVICES
from core.demo.supplies import ITEMS, per_unit

HOUR = 3600
STEP = np.array([100 if item.whole else 5 for item in ITEMS], dtype=np.int64)  # whole units; 0.05 L or kg


@dataclass
class Issues:
    order: np.ndarray  # order index
    item: np.ndarray  # index into supplies.ITEMS
    quantity: np.ndarray  # scaled by 100, positive: what went out
    at: np.ndarray  # epoch seconds: the job's completion


@dataclass
class Returns:
    issue: np.ndarray  # index into Issues
    quantity: np.ndarray
    at: np.ndarray


def _stochastic(rng: np.random.Generator, units: np.ndarray) -> np.ndarray:
    """Whole steps, rounded up with the probability of the fraction (sums stay unbiased)."""
    low = np.floor(units)
    return (low + (rng.random(len(units)) < units - low)).astype(np.int64)


def issues(rng: np.random.Generator, book: Any) -> Issues:
    """One issue per order and item (two services using the same item add up)."""
    s = book.history
    done = (s.completed >= 0) & (s.completed < book.span.now)
    rows, slots = np.nonzero((book.service >= 0) & done[:, None])
    service = book.service[rows, slots]
    sold = book.tables.quantity[book.segment[rows].astype(np.int64), service, book.size[rows, slots]] / 100.0
    orders, items, amounts = [], [], []
    for index, demo in enumerate(SERVICES):
        mine = np.flatnonzero(service == index)
        for item, quantity in per_unit(demo.code):
            orders.append(rows[mine])
            items.append(np.full(len(mine), item, dtype=np.int64))
            amounts.append(sold[mine] * float(quantity))
    order = np.concatenate(orders)
    item = np.concatenate(items)
    amount = np.concatenate(amounts) * np.clip(rng.lognormal(0.0, 0.18, len(order)), 0.6, 1.6)
    key, where = np.unique(order * len(ITEMS) + item, return_inverse=True)
    total = np.bincount(where, weights=amount, minlength=len(key))
    order, item = key // len(ITEMS), key % len(ITEMS)
    quantity = _stochastic(rng, total * 100.0 / STEP[item]) * STEP[item]
    used = quantity > 0
    order, item, quantity = order[used], item[used], quantity[used]
    return Issues(order, item, quantity, s.completed[order])


def returns(rng: np.random.Generator, issued: Issues, now: int) -> Returns:
    """A few whole units brought back unused an hour or three after the job (at most one per
    issue of two or more), before today."""
    candidates = np.flatnonzero((STEP[issued.item] == 100) & (issued.quantity >= 200))
    count = min(len(candidates), max(3, min(200, len(issued.order) // 2000)))
    chosen = np.sort(rng.choice(candidates, count, replace=False)) if count else candidates[:0]
    at = issued.at[chosen] + rng.integers(HOUR, 3 * HOUR, len(chosen))
    keep = at < now
    chosen, at = chosen[keep], at[keep]
    return Returns(chosen, np.full(len(chosen), 100, dtype=np.int64), at)
