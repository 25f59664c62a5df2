"""The managers' dashboard: each figure is one GROUP BY over the columnar snapshot.

Every figure looks at the same orders: those whose *requested date* falls in the filter's date
range (and that match its areas, services, channels and technicians). The requested date is the
day the customer asked for the work: every order has it from the moment it is taken, it is the
day the work is planned for, and it never moves when an order is later paid or completed, so a
past period's figures stay put. Definitions:

- revenue: the sum of the order totals (after discount, with tax) of the orders not cancelled;
  orders: how many such orders. Per service, an order's total is shared among its lines in
  proportion to their amounts, so the service bars add up to the revenue.
- status funnel: how many of the orders (cancelled ones included) reached each status, from the
  status history (an order that went back from scheduled to confirmed counts once).
- on-time rate: of the jobs started (their first `in_progress` step, which is the order's
  `started_at`), the share started within the requested window: not before its start and not
  after its end, in company time.
- ratings: how many orders received each rating, 1 to 5.
- technician utilisation: the booked hours of a technician's jobs (scheduled end minus start of
  the orders not cancelled) over the hours rostered to them (their shifts starting in the date
  range; shifts belong to no area, service or channel, so only the technician filter narrows them).
- stock consumption: per item, the issues to the orders net of what came back from them (a
  return or a reversal is negative use), in quantity and at the cost each movement carried.

Selecting a bar drills down to its rows: a `drill` key such as `area:3` or `week:2026-11-02`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

import duckdb

from core.analytics import snapshot
from core.clock import at
from core.entities.records import Page
from core.errors import OpsdeskError, ValidationFailed
from core.i18n import msg

GRAINS = ("day", "week", "month")
FUNNEL = ("new", "confirmed", "scheduled", "in_progress", "completed", "paid", "cancelled")
DOWNLOAD_LIMIT = 100_000
LIVE = "f.status <> 'cancelled'"
# The address of a view: ?from=2026-11-01&to=2026-11-30&area=3&area=4&service=…&channel=…&tech=…&grain=week&drill=area:3
LISTS = {"area": "areas", "service": "services", "channel": "channels", "tech": "technicians"}
COLUMNS = ", ".join(
    f"o.{name}"
    for name in (
        "id", "number", "requested_date", "window_start", "window_end", "status", "channel", "area_id",
        "technician_id", "scheduled_start", "scheduled_end", "started_at", "subtotal", "total", "rating",
    )
)  # fmt: skip


@dataclass(frozen=True)
class Filters:
    date_from: date
    date_to: date
    areas: tuple[int, ...] = ()
    services: tuple[int, ...] = ()
    channels: tuple[str, ...] = ()
    technicians: tuple[int, ...] = ()

    def check(self) -> None:
        if self.date_from > self.date_to:
            raise ValidationFailed({"dates": msg("The start date is after the end date.")})

    def sql(self) -> tuple[str, dict[str, Any]]:
        """The CTE `f` of the orders these filters keep, and its parameters."""
        where = ["o.requested_date BETWEEN $date_from AND $date_to"]
        params: dict[str, Any] = {"date_from": self.date_from, "date_to": self.date_to}
        for name, column in (("areas", "o.area_id"), ("channels", "o.channel"), ("technicians", "o.technician_id")):
            if getattr(self, name):
                where.append(f"{column} IN (SELECT UNNEST(${name}))")
                params[name] = list(getattr(self, name))
        if self.services:
            where.append("o.id IN (SELECT order_id FROM order_lines WHERE service_id IN (SELECT UNNEST($services)))")
            params["services"] = list(self.services)
        return f"WITH f AS (SELECT {COLUMNS} FROM orders o WHERE {' AND '.join(where)})", params


@dataclass(frozen=True)
class Drill:
    """What a selected bar or point stands for: a kind and a value, written `kind:value`."""

    kind: str
    value: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"

    @classmethod
    def parse(cls, text: str | None) -> Drill | None:
        """The drill of a link, or None when it is not one this dashboard makes."""
        kind, _, value = (text or "").partition(":")
        if kind in (*GRAINS, *(f"started_{g}" for g in GRAINS)):
            return cls(kind, value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) and _day(value) else None
        if kind in ("area", "service", "technician", "item") or (
            kind == "rating" and value in ("1", "2", "3", "4", "5")
        ):
            return cls(kind, value) if re.fullmatch(r"[0-9]{1,9}", value) else None
        if kind in ("channel", "status") and re.fullmatch(r"[a-z_]{1,12}", value):
            return cls(kind, value)
        return None

    def condition(self) -> tuple[str, dict[str, Any]]:
        """The orders of `f` behind this drill (not for `item`, whose rows are movements)."""
        kind = self.kind.removeprefix("started_")
        if kind in GRAINS:
            bucket = f"CAST(date_trunc('{kind}', f.requested_date) AS DATE) = $bucket"
            if self.kind.startswith("started_"):
                return f"{bucket} AND f.started_at IS NOT NULL", {"bucket": _day(self.value)}
            return f"{LIVE} AND {bucket}", {"bucket": _day(self.value)}
        if kind == "area":
            return f"{LIVE} AND f.area_id = $value", {"value": int(self.value)}
        if kind == "technician":
            return f"{LIVE} AND f.technician_id = $value", {"value": int(self.value)}
        if kind == "channel":
            return f"{LIVE} AND f.channel = $value", {"value": self.value}
        if kind == "rating":
            return "f.rating = $value", {"value": int(self.value)}
        if kind == "service":
            return f"{LIVE} AND f.id IN (SELECT order_id FROM order_lines WHERE service_id = $value)", {
                "value": int(self.value)
            }
        if kind == "status" and self.value == "new":
            return "TRUE", {}
        if kind == "status":
            return "f.id IN (SELECT order_id FROM order_events WHERE to_status = $value)", {"value": self.value}
        raise ValueError(self.kind)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    result = con.execute(sql, params)
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


# Other tables join `f` (rather than `IN (SELECT id FROM f)`): DuckDB then skips their row groups of
# other periods.


# --- the figures: each takes a reader cursor and the filters --------------------------------


def over_time(con: duckdb.DuckDBPyConnection, filters: Filters, grain: str = "week") -> list[dict[str, Any]]:
    """Orders and revenue per day, week (from Monday) or month of the requested date."""
    if grain not in GRAINS:
        raise ValueError(grain)
    cte, params = filters.sql()
    sql = f"""{cte}
        SELECT CAST(date_trunc('{grain}', requested_date) AS DATE) AS bucket, count(*) AS orders,
               CAST(sum(total) AS DECIMAL(18, 2)) AS revenue
        FROM f WHERE {LIVE} GROUP BY bucket ORDER BY bucket"""
    return _rows(con, sql, params)


def by_area(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[dict[str, Any]]:
    """Orders and revenue per service area."""
    cte, params = filters.sql()
    sql = f"""{cte}
        SELECT a.id AS key, a.name_en, a.name_zh, count(*) AS orders, CAST(sum(f.total) AS DECIMAL(18, 2)) AS revenue
        FROM f JOIN service_areas a ON a.id = f.area_id WHERE {LIVE}
        GROUP BY a.id, a.name_en, a.name_zh ORDER BY revenue DESC, a.id"""
    return _rows(con, sql, params)


def by_channel(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[dict[str, Any]]:
    """Orders and revenue per channel the order came through."""
    cte, params = filters.sql()
    sql = f"""{cte}
        SELECT f.channel AS key, count(*) AS orders, CAST(sum(f.total) AS DECIMAL(18, 2)) AS revenue
        FROM f WHERE {LIVE} GROUP BY f.channel ORDER BY revenue DESC, key"""
    return _rows(con, sql, params)


def by_service(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[dict[str, Any]]:
    """Orders and revenue per catalogue service: the orders with a line of it, and the share of
    their totals its lines make (in proportion to the line amounts). With a service filter, only
    the chosen services show."""
    cte, params = filters.sql()
    only = "AND l.service_id IN (SELECT UNNEST($services))" if filters.services else ""
    sql = f"""{cte}
        SELECT s.id AS key, s.code, s.name_en, s.name_zh, count(DISTINCT f.id) AS orders,
               CAST(round(sum(CASE WHEN f.subtotal > 0 THEN l.amount * f.total / f.subtotal ELSE 0 END), 2)
                    AS DECIMAL(18, 2)) AS revenue
        FROM f JOIN order_lines l ON l.order_id = f.id JOIN services s ON s.id = l.service_id
        WHERE {LIVE} {only}
        GROUP BY s.id, s.code, s.name_en, s.name_zh ORDER BY revenue DESC, s.id"""
    return _rows(con, sql, params)


def funnel(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[dict[str, Any]]:
    """How many of the orders reached each status (every order starts as new).

    The flow only steps back from scheduled to confirmed, so an order now scheduled or further
    on reached every status before its own; only the history of the orders now confirmed or
    cancelled is read (counting their distinct orders per status is what costs)."""
    cte, params = filters.sql()
    sql = f"""{cte}
        SELECT 'now' AS source, status, count(*) AS orders FROM f GROUP BY status
        UNION ALL
        SELECT 'history', e.to_status, count(DISTINCT e.order_id) FROM order_events e
        JOIN f ON f.id = e.order_id WHERE f.status IN ('confirmed', 'cancelled') GROUP BY e.to_status"""
    found = {(row["source"], row["status"]): row["orders"] for row in _rows(con, sql, params)}
    flow = FUNNEL[:-1]
    reached = {"new": sum(n for (source, _s), n in found.items() if source == "now")}
    for rank, status in enumerate(flow[1:], start=1):
        further = sum(found.get(("now", later), 0) for later in flow[rank:] if later != "confirmed")
        reached[status] = further + found.get(("history", status), 0)
    reached["cancelled"] = found.get(("now", "cancelled"), 0)
    return [{"status": status, "orders": reached[status]} for status in FUNNEL]


def on_time(con: duckdb.DuckDBPyConnection, filters: Filters, grain: str = "week") -> list[dict[str, Any]]:
    """Per day, week or month of the requested date: jobs started, those started within the
    requested window, and the rate (None when nothing started). An order's `started_at` is stamped
    with the very moment of its `in_progress` step (core.order_rules.transition) and the flow never
    enters `in_progress` twice, so it is the first `in_progress` event, read without a join."""
    if grain not in GRAINS:
        raise ValueError(grain)
    cte, params = filters.sql()
    sql = f"""{cte}
        SELECT CAST(date_trunc('{grain}', requested_date) AS DATE) AS bucket, count(*) AS started,
               count(*) FILTER (WHERE CAST(started_at AS TIMESTAMP)
                   BETWEEN requested_date + window_start AND requested_date + window_end) AS on_time
        FROM f WHERE started_at IS NOT NULL GROUP BY bucket ORDER BY bucket"""
    rows = _rows(con, sql, params)
    return [{**row, "rate": row["on_time"] / row["started"] if row["started"] else None} for row in rows]


def ratings(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[dict[str, Any]]:
    """How many orders received each rating from 1 to 5."""
    cte, params = filters.sql()
    sql = f"{cte} SELECT rating, count(*) AS orders FROM f WHERE rating IS NOT NULL GROUP BY rating"
    counted = {row["rating"]: row["orders"] for row in _rows(con, sql, params)}
    return [{"rating": stars, "orders": counted.get(stars, 0)} for stars in range(1, 6)]


def utilisation(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[dict[str, Any]]:
    """Per technician with booked or rostered hours: booked hours, rostered hours and their
    ratio (None without a roster), highest first."""
    cte, params = filters.sql()
    only = "AND staff_id IN (SELECT UNNEST($technicians))" if filters.technicians else ""
    sql = f"""{cte},
        booked AS (SELECT technician_id AS staff_id,
                          sum(epoch_us(scheduled_end) - epoch_us(scheduled_start)) / 3.6e9 AS hours
                   FROM f WHERE {LIVE} AND technician_id IS NOT NULL AND scheduled_start IS NOT NULL
                   GROUP BY technician_id),
        rostered AS (SELECT staff_id, sum(epoch_us(ends_at) - epoch_us(starts_at)) / 3.6e9 AS hours FROM shifts
                     WHERE starts_at >= $from_at AND starts_at < $to_at {only} GROUP BY staff_id)
        SELECT st.id AS key, st.name, coalesce(b.hours, 0) AS booked, coalesce(r.hours, 0) AS rostered,
               b.hours / nullif(r.hours, 0) AS utilisation
        FROM staff st LEFT JOIN booked b ON b.staff_id = st.id LEFT JOIN rostered r ON r.staff_id = st.id
        WHERE b.hours IS NOT NULL OR r.hours IS NOT NULL
        ORDER BY utilisation DESC NULLS LAST, st.name"""
    span = {"from_at": at(filters.date_from, time.min), "to_at": at(filters.date_to + timedelta(days=1), time.min)}
    return _rows(con, sql, {**params, **span})


def stock_consumption(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[dict[str, Any]]:
    """Per item: quantity issued to the orders net of returns, and its cost, costliest first."""
    cte, params = filters.sql()
    sql = f"""{cte}
        SELECT i.id AS key, i.sku, i.name_en, i.name_zh, i.unit, -sum(m.quantity) AS quantity,
               CAST(-sum(m.quantity * m.unit_cost) AS DECIMAL(18, 2)) AS cost
        FROM stock_movements m JOIN f ON f.id = m.order_id JOIN items i ON i.id = m.item_id
        WHERE m.kind IN ('issue', 'return')
        GROUP BY i.id, i.sku, i.name_en, i.name_zh, i.unit HAVING sum(m.quantity) <> 0
        ORDER BY cost DESC, i.id"""
    return _rows(con, sql, params)


def figures(filters: Filters, grain: str = "week") -> dict[str, Any]:
    """Every figure of the dashboard, read in one go from the caught-up snapshot."""
    filters.check()
    with snapshot.reader() as con:
        return {
            "over_time": over_time(con, filters, grain),
            "area": by_area(con, filters),
            "service": by_service(con, filters),
            "channel": by_channel(con, filters),
            "funnel": funnel(con, filters),
            "on_time": on_time(con, filters, grain),
            "ratings": ratings(con, filters),
            "utilisation": utilisation(con, filters),
            "stock": stock_consumption(con, filters),
        }


# --- the rows behind a bar ------------------------------------------------------------------


def _order_rows(limit: str) -> str:
    """The orders of `picked` in order, `limit` of them."""
    return f"""
    , shown AS (SELECT * FROM picked ORDER BY requested_date, number {limit})
    SELECT p.id, p.number, p.requested_date, p.window_start, p.window_end, p.status, p.channel,
           a.name_en AS area_en, a.name_zh AS area_zh, st.name AS technician, p.total, p.rating, p.started_at
    FROM shown p JOIN service_areas a ON a.id = p.area_id LEFT JOIN staff st ON st.id = p.technician_id
    ORDER BY p.requested_date, p.number"""


def _movement_rows(limit: str) -> str:
    return f"""
    , shown AS (SELECT * FROM picked ORDER BY "at", id {limit})
    SELECT m.id, m."at", m.kind, o.number, m.quantity, i.unit, m.unit_cost,
           CAST(m.quantity * m.unit_cost AS DECIMAL(18, 2)) AS value, m.actor_name, m.reason
    FROM shown m JOIN f o ON o.id = m.order_id JOIN items i ON i.id = m.item_id
    ORDER BY m."at", m.id"""


def _picked(filters: Filters, drill: Drill) -> tuple[str, dict[str, Any], Callable[[str], str]]:
    cte, params = filters.sql()
    if drill.kind == "item":
        picked = (
            ", picked AS (SELECT m.* FROM stock_movements m JOIN f ON f.id = m.order_id"
            " WHERE m.item_id = $value AND m.kind IN ('issue', 'return'))"
        )
        return cte + picked, {**params, "value": int(drill.value)}, _movement_rows
    condition, extra = drill.condition()
    return f"{cte}, picked AS (SELECT f.* FROM f WHERE {condition})", {**params, **extra}, _order_rows


def drill_page(filters: Filters, drill: Drill, page: int = 1, page_size: int = 25) -> Page:
    """One page of the rows behind a drill (orders, or stock movements for an item), and their count."""
    filters.check()
    cte, params, rows = _picked(filters, drill)
    with snapshot.reader() as con:
        total = con.execute(f"{cte} SELECT count(*) FROM picked", params).fetchall()[0][0]
        pages = max(1, -(-total // page_size))
        page = min(max(1, page), pages)
        found = _rows(con, cte + rows(f"LIMIT {int(page_size)} OFFSET {(page - 1) * int(page_size)}"), params)
    return Page(rows=found, total=total, page=page, page_size=page_size)


def drill_all(filters: Filters, drill: Drill, limit: int = DOWNLOAD_LIMIT) -> list[dict[str, Any]]:
    """All the rows behind a drill, for a download; refused beyond `limit` rows."""
    filters.check()
    cte, params, rows = _picked(filters, drill)
    with snapshot.reader() as con:
        total = con.execute(f"{cte} SELECT count(*) FROM picked", params).fetchall()[0][0]
        if total > limit:
            raise OpsdeskError(
                msg(
                    "{total} rows is more than the {limit} a download may hold: narrow the filters.",
                    total=total,
                    limit=limit,
                )
            )
        return _rows(con, cte + rows(""), params)


def link(filters: Filters, grain: str, drill: Drill | None = None) -> dict[str, str | list[str]]:
    """The query parameters of a view (the reverse of core.services.dashboards.resolve)."""
    params: dict[str, str | list[str]] = {"from": filters.date_from.isoformat(), "to": filters.date_to.isoformat()}
    for name, field in LISTS.items():
        values = getattr(filters, field)
        if values:
            params[name] = [str(v) for v in values]
    params["grain"] = grain
    if drill is not None:
        params["drill"] = drill.key
    return params


def default_period(today: date) -> tuple[date, date]:
    """The last 90 days up to today."""
    return today - timedelta(days=89), today
