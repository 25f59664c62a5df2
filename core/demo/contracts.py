"""A handful of recurring contracts (weekly, fortnightly, monthly office cleaning) from the
most loyal companies; their visits become orders that carry the contract and the date,
found with the app's own core.recurrence.occurrences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from core.demo.catalogue import COMPANY, INDEX, PriceTables
from core.demo.demand import Customers
from core.demo.seasons import Period
from core.recurrence import occurrences

SHARE = 0.04  # of all orders, roughly
WINDOW_CHOICES = (7, 7, 8)  # 09:00–12:00, 13:00–17:00 (see baskets.WINDOWS)
NOTES = {
    "weekly": "每周办公室保洁，钥匙在前台",
    "fortnightly": "隔周保洁，含会议室地毯",
    "monthly": "每月地毯及玻璃清洁，月结",
}


@dataclass
class Plan:
    customer: int
    frequency: str
    starts_on: date
    ends_on: date | None
    active: bool
    window: int
    lines: list[tuple[int, int]]  # (service index, size index in the company tables)
    days: list[int]  # visits inside the period (day indices)
    signed: int  # epoch seconds


def plan_contracts(
    rng: np.random.Generator, span: Period, customers: Customers, tables: PriceTables, orders: int
) -> list[Plan]:
    companies = np.flatnonzero(customers.segment == COMPANY)
    if len(companies) == 0 or orders < 100:
        return []
    loyal = companies[np.argsort(-customers.weight[companies], kind="stable")].tolist()
    target, planned, plans = SHARE * orders, 0, []
    last_day = span.day(span.days - 1)
    today = span.day(span.today)
    while planned < target and loyal:
        customer = loyal.pop(0)
        frequency = ("weekly", "fortnightly", "monthly")[int(np.searchsorted([0.45, 0.7], rng.random()))]
        starts_on = span.first + timedelta(days=int(rng.integers(-200, max(span.today - 60, -199))))
        if starts_on.weekday() >= 5:  # offices want weekdays
            starts_on += timedelta(days=7 - starts_on.weekday() + int(rng.integers(5)))
        ends_on = starts_on + timedelta(days=int(rng.integers(120, 500))) if rng.random() < 0.2 else None
        size = int(rng.integers(0, 200))
        lines = [(INDEX["OFFICE-CLEAN"], size)]
        if frequency == "monthly":
            lines.append((INDEX[("OFFICE-CARPET", "WINDOW")[int(rng.integers(2))]], int(rng.integers(0, 128))))
        minutes = sum(int(tables.minutes[COMPANY, s, k]) for s, k in lines)
        if minutes > 400:
            lines = lines[:1]
        days = [
            (visit - span.first).days
            for visit in occurrences(frequency, starts_on, last_day, ends_on)
            if visit >= span.first
        ]
        if not days:
            continue
        signed = int(span.midnight[0]) + (starts_on - span.first).days * 86400 - 7 * 86400 + 10 * 3600
        customers.arrival[customer] = min(int(customers.arrival[customer]), signed - 30 * 86400)
        plans.append(
            Plan(
                customer=customer,
                frequency=frequency,
                starts_on=starts_on,
                ends_on=ends_on,
                active=ends_on is None or ends_on >= today,
                window=WINDOW_CHOICES[int(rng.integers(len(WINDOW_CHOICES)))],
                lines=lines,
                days=days,
                signed=signed,
            )
        )
        planned += len(days)
    return plans


def visits(rng: np.random.Generator, span: Period, plans: list[Plan]) -> tuple[np.ndarray, ...]:
    """Per visit: contract index, day, and when the contract generator created its order
    (some weeks ahead, on a morning run; never after yesterday)."""
    index = np.array([i for i, plan in enumerate(plans) for _ in plan.days], dtype=np.int64)
    day = np.array([d for plan in plans for d in plan.days], dtype=np.int64)
    signed = np.array([plans[i].signed for i in index.tolist()], dtype=np.int64)
    ahead = rng.integers(28, 57, len(day)) * 86400 - rng.integers(8 * 3600, 10 * 3600, len(day))
    created = np.maximum(span.midnight[day] - ahead, signed + 3600)
    created = np.minimum(created, span.now - 3600)
    return index, day, created
