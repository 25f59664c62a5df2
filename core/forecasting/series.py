"""The weekly series forecasts are made of, read from the analytics snapshot.

- demand: the jobs of a service in an area per week — the order lines of the orders that count
  (every status but cancelled), by the week (Monday to Sunday) of the order's requested date;
- consumption: what an item was used per week — the stock issued to orders minus what was
  returned from them (stock_movements of kind issue / return with an order), by the week of the
  movement's local day (`at_day`), in the item's unit.

Only whole weeks are used: `as_of` is the Sunday that ends the last complete week. A series starts
at its first week with anything in it and runs to `as_of` with the empty weeks as zeros. Archived
services, areas and items are left out; an active item that was never consumed has no series
(`build` counts those as `unused_items`, for the run's message).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import duckdb
import numpy as np

WEEK = timedelta(days=7)

DEMAND_SQL = """
SELECT l.service_id, o.area_id, CAST(date_trunc('week', o.requested_date) AS DATE) AS week,
       CAST(COUNT(*) AS DOUBLE) AS value
FROM orders o
JOIN order_lines l ON l.order_id = o.id
JOIN services s ON s.id = l.service_id AND s.active
JOIN service_areas a ON a.id = o.area_id AND a.active
WHERE o.status <> 'cancelled' AND o.requested_date <= $as_of {extra}
GROUP BY ALL
"""

CONSUMPTION_SQL = """
SELECT m.item_id, CAST(date_trunc('week', m.at_day) AS DATE) AS week, CAST(-SUM(m.quantity) AS DOUBLE) AS value
FROM stock_movements m
JOIN items i ON i.id = m.item_id AND i.active
WHERE m.kind IN ('issue', 'return') AND m.order_id IS NOT NULL AND m.at_day <= $as_of {extra}
GROUP BY ALL
"""


@dataclass
class WeeklySeries:
    """One series: its key (service and area, or item), its first Monday and a value per week."""

    kind: str  # demand, consumption
    start: date  # the Monday of the first week
    values: np.ndarray
    service_id: int | None = None
    area_id: int | None = None
    item_id: int | None = None
    labels: dict[str, Any] = field(default_factory=dict)

    @property
    def uid(self) -> str:
        if self.kind == "demand":
            return f"demand:{self.service_id}:{self.area_id}"
        return f"consumption:{self.item_id}"

    @property
    def weeks(self) -> list[date]:
        return [self.start + WEEK * i for i in range(len(self.values))]


def as_of_for(day: date) -> date:
    """The Sunday that ends the last whole week before `day` (on a Sunday: the one a week before,
    since that day is not over)."""
    return day - timedelta(days=day.weekday() + 1)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weekly(rows: list[tuple[Any, ...]], as_of: date) -> dict[tuple[Any, ...], tuple[date, np.ndarray]]:
    """Rows of (key..., week, value) -> per key its first week with something in it and its values
    up to the week of `as_of`, the empty weeks filled with zeros."""
    found: dict[tuple[Any, ...], dict[date, float]] = defaultdict(dict)
    for *key, week, value in rows:
        found[tuple(key)][week] = float(value or 0)
    last = monday(as_of)
    series = {}
    for key, weeks in found.items():
        used = [week for week, value in weeks.items() if value != 0]
        if not used:
            continue
        first = min(used)
        values = np.zeros((last - first).days // 7 + 1)
        for week, value in weeks.items():
            if week >= first:
                values[(week - first).days // 7] = value
        series[key] = (first, values)
    return series


def build(con: duckdb.DuckDBPyConnection, as_of: date) -> tuple[list[WeeklySeries], int]:
    """Every demand and consumption series up to `as_of`, and how many active items were never
    consumed (no series)."""
    params = {"as_of": as_of}
    demand = _weekly(con.sql(DEMAND_SQL.format(extra=""), params=params).fetchall(), as_of)
    used = _weekly(con.sql(CONSUMPTION_SQL.format(extra=""), params=params).fetchall(), as_of)
    items = con.sql("SELECT COUNT(*) FROM items WHERE active").fetchall()[0][0]
    found = [
        WeeklySeries("demand", first, values, service_id=service, area_id=area)
        for (service, area), (first, values) in sorted(demand.items())
    ]
    found += [
        WeeklySeries("consumption", first, values, item_id=item) for (item,), (first, values) in sorted(used.items())
    ]
    return found, int(items) - len(used)


def history(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    as_of: date,
    *,
    service_id: int | None = None,
    area_id: int | None = None,
    item_id: int | None = None,
) -> list[dict[str, Any]]:
    """One series' weekly history up to `as_of` (for the chart beside its forecast):
    [{"week": Monday, "value": float}], oldest first; [] when it has none."""
    if kind == "demand":
        sql = DEMAND_SQL.format(extra="AND l.service_id = $service AND o.area_id = $area")
        rows = con.sql(sql, params={"as_of": as_of, "service": service_id, "area": area_id}).fetchall()
    else:
        sql = CONSUMPTION_SQL.format(extra="AND m.item_id = $item")
        rows = con.sql(sql, params={"as_of": as_of, "item": item_id}).fetchall()
    weekly = _weekly(rows, as_of)
    if not weekly:
        return []
    ((first, values),) = weekly.values()
    return [{"week": first + WEEK * i, "value": float(v)} for i, v in enumerate(values)]
