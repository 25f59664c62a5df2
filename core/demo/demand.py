"""How many orders fall on each day, booked how far ahead, and by which customer.

Daily counts are signal plus noise: the seasonal intensity times a gamma-distributed
shock per day (shared) and per segment, then an exact multinomial split of the total,
so each day's count is overdispersed like a negative binomial. Customers join over the
period (their first order is the day they join), and their order frequency is heavy
tailed: most households order once or twice a year, a few companies every few weeks.

Customers also leave (they move away, switch provider): each has a churn hazard, so a
household stays about two years on average and a company about six, and a day's orders go
only to the customers who have joined and not yet left. A contract keeps its company for as
long as it runs. The daily totals are drawn first, so leaving customers change who orders,
never how many orders there are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from core.demo.catalogue import COMPANY, HOUSEHOLD
from core.demo.seasons import Period, intensity

HOUSEHOLD_SHARE = 0.55  # of the orders that are not from contracts
LEAD = {HOUSEHOLD: (0.78, 0, 30), COMPANY: (0.9, 1, 45)}  # decay per day, shortest, longest
MEAN_STAY_DAYS = {HOUSEHOLD: 2 * 365, COMPANY: 6 * 365}  # mean time from joining to leaving
HAZARD_SHAPE = 2.0  # per-customer hazard = the segment's × gamma(2, 1/2): some leave fast, some stay for years


def _lead_cdf(segment: int) -> np.ndarray:
    decay, low, high = LEAD[segment]
    p = np.array([decay**k if k >= low else 0.0 for k in range(high + 1)])
    return np.cumsum(p / p.sum())


@dataclass(frozen=True)
class Demand:
    segment: np.ndarray  # per order
    day: np.ndarray
    lead: np.ndarray  # days booked ahead


def daily_orders(rng: np.random.Generator, span: Period, total: int) -> Demand:
    """`total` orders spread over the days and the two segments."""
    cells = []
    for segment, name, share in ((HOUSEHOLD, "household", HOUSEHOLD_SHARE), (COMPANY, "company", 1 - HOUSEHOLD_SHARE)):
        level = intensity(span, name) * rng.gamma(40, 1 / 40, span.days)
        cdf = _lead_cdf(segment)
        ahead = np.arange(span.days) - span.today
        booked = np.ones(span.days)  # a day after today only has the orders already booked
        future = ahead >= 0
        booked[future] = 1 - cdf[np.minimum(ahead[future], len(cdf) - 1)]
        level *= booked
        cells.append(share * level / level.sum())
    shared = rng.gamma(16, 1 / 16, span.days)  # busy and quiet days for everyone (weather, news)
    p = np.concatenate([c * shared for c in cells])
    counts = rng.multinomial(total, p / p.sum())
    cell = np.repeat(np.arange(2 * span.days), counts)
    segment, day = (cell // span.days).astype(np.int8), (cell % span.days).astype(np.int64)
    lead = np.zeros(len(day), dtype=np.int64)
    for seg in (HOUSEHOLD, COMPANY):
        mine = segment == seg
        cdf = _lead_cdf(seg)
        ahead = day[mine] - span.today
        shortest = np.where(ahead >= 0, ahead + 1, 0)
        floor = np.where(shortest > 0, cdf[np.minimum(shortest - 1, len(cdf) - 1)], 0.0)
        u = floor + (1 - floor) * rng.random(len(ahead))
        lead[mine] = np.maximum(np.searchsorted(cdf, u, side="right"), shortest)
    return Demand(segment, day, lead)


def created_at(
    rng: np.random.Generator, span: Period, segment: np.ndarray, day: np.ndarray, lead: np.ndarray, window: np.ndarray
) -> np.ndarray:
    """When each order was taken (epoch seconds): households 08:00–22:00, offices 09:00–18:00,
    and a same-day booking early in the morning, before its window."""
    booked = day - lead
    clock = np.where(segment == HOUSEHOLD, rng.uniform(8, 22, len(day)), rng.uniform(9, 18, len(day))) * 3600
    same_day = lead == 0
    latest = np.maximum(window[same_day] * 60 - 3600, 7 * 3600 + 600)
    clock[same_day] = rng.uniform(7 * 3600, latest)
    index = np.clip(booked, -span.days, span.days)
    base = np.where(index >= 0, span.midnight[np.maximum(index, 0)], span.midnight[0] + index * 86400)
    return (base + clock.astype(np.int64)).astype(np.int64)


@dataclass
class Customers:
    """The customers as generated (index order), with when they joined and how often they order."""

    segment: np.ndarray
    area: np.ndarray
    arrival: np.ndarray  # epoch seconds
    weight: np.ndarray
    departure: np.ndarray  # epoch seconds: no order from them on or after it (contracts aside)


def customer_activity(rng: np.random.Generator, span: Period, segment: np.ndarray, area: np.ndarray) -> Customers:
    """When each customer joins, how much they order while they stay (a weight), and when they leave.

    The stay is exponential with the customer's own hazard (the segment's rate times a gamma
    factor); customers from before the period are those still there at its start, so theirs
    counts from then (the exponential forgets the time already spent). The stays come from a
    child generator, so the main stream is drawn as before: the same days, baskets and prices;
    only what depends on who ordered (areas, and so dispatch and what follows) comes out otherwise."""
    count = len(segment)
    start, now = int(span.midnight[0]), span.now
    before = rng.random(count) < 0.35  # customers from before the period
    growth = rng.random(count) ** 0.8  # later years bring more new customers
    arrival = np.where(
        before,
        start - rng.integers(1, 365 * 86400, count),
        start + (growth * (now - start - 3600)).astype(np.int64),
    )
    weight = np.where(
        segment == HOUSEHOLD,
        np.minimum(rng.lognormal(0, 0.75, count), 8.0),
        np.minimum((1 - rng.random(count)) ** (-1 / 1.2), 60.0),
    )
    stays = rng.spawn(1)[0]
    mean = np.where(segment == HOUSEHOLD, MEAN_STAY_DAYS[HOUSEHOLD], MEAN_STAY_DAYS[COMPANY]) * 86400.0
    hazard = stays.gamma(HAZARD_SHAPE, 1 / HAZARD_SHAPE, count) / mean
    stay = stays.exponential(1.0, count) / np.maximum(hazard, 1e-12)
    departure = np.maximum(arrival, start) + np.minimum(stay, 100 * 365 * 86400.0).astype(np.int64)
    return Customers(segment, area, arrival.astype(np.int64), weight, departure.astype(np.int64))


def stay_while_contracted(span: Period, customers: Customers, contracted: list[tuple[int, date | None]]) -> None:
    """A company with a contract stays a customer at least until the contract ends (for good when
    it has no end): (customer index, end date or None) per contract."""
    for customer, ends_on in contracted:
        if ends_on is None or (ends_on - span.first).days + 1 >= span.days:
            until = np.iinfo(np.int64).max
        else:
            until = int(span.midnight[max((ends_on - span.first).days + 1, 0)])
        customers.departure[customer] = max(int(customers.departure[customer]), until)


def choose_customers(
    rng: np.random.Generator, customers: Customers, segment: np.ndarray, created: np.ndarray
) -> np.ndarray:
    """A customer per order: among those who had joined by then and not yet left (alive that UTC
    day), in proportion to their weight; and every customer who joined during the period places
    an order that day (their first). If nobody who has joined is still there, the order goes to
    one who has joined, as if nobody left."""
    chosen = np.full(len(segment), -1, dtype=np.int64)
    start = int(created.min()) if len(created) else 0
    for seg in (HOUSEHOLD, COMPANY):
        pool = np.flatnonzero(customers.segment == seg)
        orders = np.flatnonzero(segment == seg)
        if len(orders) == 0:
            continue
        if len(pool) == 0:
            pool = np.arange(len(customers.segment))
        pool = pool[np.argsort(customers.arrival[pool], kind="stable")]
        joined = customers.arrival[pool]
        eligible = np.maximum(np.searchsorted(joined, created[orders], side="right"), 1)
        u = rng.random(len(orders))
        chosen[orders] = pool[_alive_picks(pool, customers, created[orders], eligible, u)]
        # First orders: newcomers take the first order of their segment on or after joining.
        newcomers = pool[joined >= start]
        by_time = orders[np.argsort(created[orders], kind="stable")]
        base = np.searchsorted(created[by_time], customers.arrival[newcomers], side="left")
        rank = np.arange(len(newcomers))
        slot = np.maximum.accumulate(base - rank) + rank if len(newcomers) else base
        fits = slot < len(by_time)
        chosen[by_time[slot[fits]]] = newcomers[fits]
    return chosen


def _alive_picks(
    pool: np.ndarray, customers: Customers, created: np.ndarray, eligible: np.ndarray, u: np.ndarray
) -> np.ndarray:
    """Per order, a position in `pool` (sorted by arrival) below its `eligible` count, drawn by
    weight among those not yet gone on the order's UTC day; one cumulative sum per day."""
    weight, leaves = customers.weight[pool], customers.departure[pool]
    bucket = created // 86400
    order = np.argsort(bucket, kind="stable")
    days, first = np.unique(bucket[order], return_index=True)
    bounds = np.append(first, len(order))
    pick = np.empty(len(created), dtype=np.int64)
    for day, lo, hi in zip(days.tolist(), bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        mine = order[lo:hi]
        top = int(eligible[mine].max())
        alive = np.where(leaves[:top] > day * 86400, weight[:top], 0.0)
        cumulative = np.cumsum(alive)
        total = cumulative[eligible[mine] - 1]
        gone = total <= 0
        if gone.any():  # nobody there yet or any more: fall back to everyone who has joined
            cumulative_all = np.cumsum(weight[:top])
            lone = mine[gone]
            pick[lone] = np.minimum(
                np.searchsorted(cumulative_all, u[lone] * cumulative_all[eligible[lone] - 1], side="right"),
                eligible[lone] - 1,
            )
            mine, total = mine[~gone], total[~gone]
        found = np.searchsorted(cumulative, u[mine] * total, side="right")
        pick[mine] = np.minimum(found, eligible[mine] - 1)
    return pick
