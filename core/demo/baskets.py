"""What each order is for: one to three lines (up to six in the benchmark's larger baskets) from
the catalogue with sensible sizes, the time window asked for, a discount now and then, and the
totals exactly as core.pricing computes them (subtotal, discount, 6% tax)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from core.demo.catalogue import COMPANY, HOUSEHOLD, LINES_PER_ORDER, MAX_MINUTES, PriceTables
from core.pricing import totals

MAX_LINES = 6  # the widest basket profile (catalogue.LARGE_BASKETS)

# Windows a customer may ask for (company wall-clock minutes): start, end.
WINDOWS = (
    (9 * 60, 11 * 60),
    (10 * 60, 12 * 60),
    (13 * 60, 15 * 60),
    (14 * 60, 16 * 60),
    (15 * 60, 17 * 60),
    (18 * 60, 19 * 60 + 30),
    (9 * 60, 10 * 60),
    (9 * 60, 12 * 60),
    (13 * 60, 17 * 60),
    (18 * 60, 19 * 60),
)
WINDOW_CHOICE = {
    HOUSEHOLD: {0: 22, 1: 13, 2: 20, 3: 15, 4: 12, 5: 8, 7: 10},
    COMPANY: {6: 15, 7: 20, 8: 25, 2: 15, 3: 10, 9: 15},
}
MORNING = {HOUSEHOLD: 0, COMPANY: 7}
EVENING = (5, 9)
DAY_SHIFT_END = 17 * 60 + 30
DISCOUNTS = {HOUSEHOLD: (0.08, {5: 55, 10: 30, 15: 10, 20: 5}), COMPANY: (0.15, {5: 30, 8: 25, 10: 30, 15: 10, 20: 5})}


@dataclass
class Baskets:
    service: np.ndarray  # orders × MAX_LINES, -1 for no line
    size: np.ndarray  # quantile index into the price tables
    minutes: np.ndarray  # per order: the job's estimate, as dispatch computes it
    skills: np.ndarray  # per order: bit mask of the skills needed


def _draw(rng: np.random.Generator, probabilities: np.ndarray, rows: np.ndarray) -> np.ndarray:
    cumulative = np.cumsum(probabilities, axis=1)
    u = rng.random(len(rows))
    return np.minimum((u[:, None] > cumulative[rows]).sum(axis=1), probabilities.shape[1] - 1)


def fill(
    rng: np.random.Generator,
    tables: PriceTables,
    segment: np.ndarray,
    mix: np.ndarray,
    mixes: np.ndarray,
    lines_per_order: dict[int, tuple[float, ...]] = LINES_PER_ORDER,
) -> Baskets:
    """Lines for each order: `mix` picks a row of `mixes` (service probabilities) per order, and
    `lines_per_order` how many lines (catalogue.LINES_PER_ORDER or LARGE_BASKETS)."""
    n = len(segment)
    width = max(len(shares) for shares in lines_per_order.values())
    counts = np.where(
        segment == HOUSEHOLD,
        np.searchsorted(np.cumsum(lines_per_order[HOUSEHOLD]), rng.random(n), side="right") + 1,
        np.searchsorted(np.cumsum(lines_per_order[COMPANY]), rng.random(n), side="right") + 1,
    )
    counts = np.minimum(counts, width)
    service = np.full((n, MAX_LINES), -1, dtype=np.int64)
    for slot in range(width):
        wanted = np.flatnonzero(counts > slot)
        picked = _draw(rng, mixes, mix[wanted])
        for _attempt in range(12):  # no service twice in one order
            clash = (service[wanted, :slot] == picked[:, None]).any(axis=1)
            if not clash.any():
                break
            picked[clash] = _draw(rng, mixes, mix[wanted[clash]])
        clash = (service[wanted, :slot] == picked[:, None]).any(axis=1)
        service[wanted[~clash], slot] = picked[~clash]
    size = np.zeros((n, MAX_LINES), dtype=np.int64)
    size[:, :width] = rng.integers(0, tables.quantity.shape[2], (n, width))  # draws only what the profile needs
    rows = np.repeat(segment[:, None].astype(np.int64), MAX_LINES, axis=1)
    present = service >= 0
    safe = np.maximum(service, 0)
    each = np.where(present, tables.minutes[rows, safe, size], 0)
    cap = np.where(segment == HOUSEHOLD, MAX_MINUTES[HOUSEHOLD], MAX_MINUTES[COMPANY])
    over = np.flatnonzero(each.sum(axis=1) > cap)
    for _round in range(40):  # one technician, one day: shrink the biggest line until it fits
        if not len(over):
            break
        biggest = each[over].argmax(axis=1)
        size[over, biggest] = size[over, biggest] * 3 // 4
        each[over] = np.where(present[over], tables.minutes[rows[over], safe[over], size[over]], 0)
        over = over[each[over].sum(axis=1) > cap[over]]
    skills = np.bitwise_or.reduce(np.where(present, tables.skills[safe], 0), axis=1)
    return Baskets(service, size, np.maximum(30, each.sum(axis=1)), skills)


def amounts(tables: PriceTables, segment: np.ndarray, service: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Per order and line: the line amount in fen (0 where there is no line)."""
    rows = np.repeat(segment[:, None].astype(np.int64), MAX_LINES, axis=1)
    return np.where(service >= 0, tables.amount[rows, np.maximum(service, 0), size], 0)


def windows(rng: np.random.Generator, segment: np.ndarray, minutes: np.ndarray) -> np.ndarray:
    """A window per order; long jobs are asked for in the morning, evening ones are short."""
    chosen = np.zeros(len(segment), dtype=np.int64)
    for seg, table in WINDOW_CHOICE.items():
        mine = np.flatnonzero(segment == seg)
        keys = np.array(list(table))
        p = np.array(list(table.values()), dtype=float)
        chosen[mine] = keys[
            np.searchsorted(np.cumsum(p / p.sum()), rng.random(len(mine)), side="right").clip(0, len(keys) - 1)
        ]
    start = np.array([w[0] for w in WINDOWS])[chosen]
    evening = np.isin(chosen, EVENING)
    too_long = (evening & (minutes > 120)) | (~evening & (start > DAY_SHIFT_END - minutes))
    chosen[too_long] = np.where(segment[too_long] == HOUSEHOLD, MORNING[HOUSEHOLD], MORNING[COMPANY])
    return chosen


def discounts(rng: np.random.Generator, segment: np.ndarray) -> np.ndarray:
    """Discount percent per order (most have none)."""
    result = np.zeros(len(segment), dtype=np.int64)
    for seg, (share, table) in DISCOUNTS.items():
        mine = np.flatnonzero((segment == seg) & (rng.random(len(segment)) < share))
        keys = np.array(list(table))
        p = np.array(list(table.values()), dtype=float)
        result[mine] = keys[
            np.searchsorted(np.cumsum(p / p.sum()), rng.random(len(mine)), side="right").clip(0, len(keys) - 1)
        ]
    return result


def priced(subtotal: np.ndarray, discount: np.ndarray, tax_rate: Decimal) -> tuple[np.ndarray, ...]:
    """Discount, tax and total per order, by core.pricing.totals (remembered per distinct
    subtotal and discount: the line amounts are whole fen, so only their sum matters)."""
    known: dict[tuple[int, int], tuple[int, int, int]] = {}
    rows = []
    for key in zip(subtotal.tolist(), discount.tolist(), strict=True):
        figures = known.get(key)
        if figures is None:
            result = totals([Decimal(key[0]).scaleb(-2)], 0, Decimal(key[1]), tax_rate)
            figures = known[key] = (
                int(result.discount_amount * 100),
                int(result.tax_amount * 100),
                int(result.total * 100),
            )
        rows.append(figures)
    out = np.array(rows, dtype=np.int64).reshape(-1, 3)
    return out[:, 0], out[:, 1], out[:, 2]
