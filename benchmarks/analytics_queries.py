"""The aggregates `benchmarks/analytics.py` measures, each written three ways over the same data.

- `duck`: DuckDB SQL over the snapshot's tables (real units, TIMESTAMPTZ in the company's zone,
  and the local days the snapshot stores beside the instants, e.g. `completed_day`).
  The same text runs on Opsdesk's snapshot (a) and on the floor: Arrow tables registered in a
  bare DuckDB connection (d).
- `store`: the same aggregate as SQL on the operational SQLite store (b): money and quantities
  are integers in hundredths there, instants naive UTC text shifted to the local day.
- `frame`: what a typical Streamlit page does (c): `pandas.read_sql` of the columns it needs
  from every row, then filters and `groupby` in pandas.

Each answers the same question; `fingerprint` lets the benchmark check that the four ways agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

DONE = ("completed", "paid")
STAMP = "%Y-%m-%d %H:%M:%S.%f"


@dataclass(frozen=True)
class Window:
    """The dates the queries filter on, fixed once per run."""

    today: date
    offset_hours: int  # the company's UTC offset (Asia/Shanghai: +8, no summer time)

    @property
    def year_ago(self) -> str:
        return (self.today - timedelta(days=365)).isoformat()

    @property
    def days90(self) -> str:
        return (self.today - timedelta(days=90)).isoformat()

    @property
    def period(self) -> str:  # the KPI period: the last 30 days, against the 30 before
        return (self.today - timedelta(days=30)).isoformat()

    @property
    def before(self) -> str:
        return (self.today - timedelta(days=60)).isoformat()

    @property
    def shift(self) -> str:
        return f"'{self.offset_hours:+d} hours'"


@dataclass(frozen=True)
class Query:
    name: str
    tables: tuple[str, ...]  # snapshot tables the floor needs in Arrow
    duck: Callable[[Window], str]
    store: Callable[[Window], str]
    frame: Callable[[Any, Window], pd.DataFrame]  # (SQLAlchemy connection, window)


def _read(con: Any, sql: str) -> pd.DataFrame:
    return pd.read_sql(sql, con)


def _local(column: pd.Series, w: Window) -> pd.Series:
    return pd.to_datetime(column, format=STAMP) + pd.Timedelta(hours=w.offset_hours)


def _revenue_by_month(con: Any, w: Window) -> pd.DataFrame:
    df = _read(con, "SELECT status, completed_at, total FROM orders")
    df = df[df.status.isin(DONE)]
    df = df.assign(month=_local(df.completed_at, w).dt.to_period("M"))
    out = df.groupby("month").agg(revenue=("total", "sum"), orders=("total", "size")).reset_index()
    return out.assign(revenue=out.revenue / 100)


def _orders_by_area(con: Any, w: Window) -> pd.DataFrame:
    df = _read(con, "SELECT area_id, requested_date, status, total FROM orders")
    areas = _read(con, "SELECT id, name_en FROM service_areas")
    df = df[(df.requested_date >= w.year_ago) & (df.status != "cancelled")]
    df = df.merge(areas, left_on="area_id", right_on="id")
    out = df.groupby("name_en").agg(orders=("total", "size"), revenue=("total", "sum")).reset_index()
    return out.assign(revenue=out.revenue / 100).sort_values("revenue", ascending=False)


def _revenue_by_service(con: Any, w: Window) -> pd.DataFrame:
    lines = _read(con, "SELECT order_id, service_code, quantity, amount FROM order_lines")
    orders = _read(con, "SELECT id, status, requested_date FROM orders")
    orders = orders[orders.status.isin(DONE) & (orders.requested_date >= w.year_ago)]
    df = lines.merge(orders, left_on="order_id", right_on="id")
    out = df.groupby("service_code").agg(quantity=("quantity", "sum"), revenue=("amount", "sum")).reset_index()
    return out.assign(quantity=out.quantity / 100, revenue=out.revenue / 100)


def _orders_by_channel(con: Any, w: Window) -> pd.DataFrame:
    df = _read(con, "SELECT channel, requested_date FROM orders")
    df = df[df.requested_date >= w.year_ago]
    df = df.assign(month=df.requested_date.str.slice(0, 7))
    return df.groupby(["month", "channel"]).size().rename("orders").reset_index()


def _status_funnel(con: Any, w: Window) -> pd.DataFrame:
    df = _read(con, "SELECT status FROM orders")
    return df.groupby("status").size().rename("orders").reset_index()


def _orders_per_day(con: Any, w: Window) -> pd.DataFrame:
    df = _read(con, "SELECT requested_date, status, total FROM orders")
    df = df[df.requested_date >= w.days90]
    df = df.assign(done=df.total.where(df.status.isin(DONE), 0))
    out = df.groupby("requested_date").agg(orders=("total", "size"), revenue=("done", "sum")).reset_index()
    return out.assign(revenue=out.revenue / 100)


def _kpi_periods(con: Any, w: Window) -> pd.DataFrame:
    df = _read(con, "SELECT requested_date, status, total, rating, customer_id FROM orders")
    df = df[df.requested_date >= w.before]
    df = df.assign(period=(df.requested_date >= w.period).map({True: "current", False: "previous"}))
    done = df[df.status.isin(DONE)]
    out = done.groupby("period").agg(
        revenue=("total", "sum"),
        orders=("total", "size"),
        rating=("rating", "mean"),
        customers=("customer_id", "nunique"),
    )
    cancelled = df.assign(c=df.status == "cancelled").groupby("period").c.mean()
    out = out.assign(revenue=out.revenue / 100, average=out.revenue / 100 / out.orders, cancelled=cancelled)
    return out.reset_index()


def _consumption_by_item(con: Any, w: Window) -> pd.DataFrame:
    moves = _read(con, "SELECT item_id, kind, quantity, unit_cost, at FROM stock_movements")
    items = _read(con, "SELECT id, sku FROM items")
    moves = moves[(moves.kind == "issue") & (moves["at"] >= w.year_ago)]
    moves = moves.assign(month=_local(moves["at"], w).dt.to_period("M"), used=-moves.quantity / 100)
    moves = moves.assign(cost=moves.used * moves.unit_cost / 100)
    df = moves.merge(items, left_on="item_id", right_on="id")
    return df.groupby(["sku", "month"]).agg(used=("used", "sum"), cost=("cost", "sum")).reset_index()


def _new_customers(con: Any, w: Window) -> pd.DataFrame:
    df = _read(con, "SELECT created_at FROM customers")
    df = df.assign(month=_local(df.created_at, w).dt.to_period("M"))
    return df.groupby("month").size().rename("customers").reset_index()


DONE_SQL = "('completed', 'paid')"

QUERIES: tuple[Query, ...] = (
    Query(
        "revenue_by_month",
        ("orders",),
        lambda w: (
            "SELECT date_trunc('month', completed_day) AS month, sum(total) AS revenue, "
            f"count(*) AS orders FROM orders WHERE status IN {DONE_SQL} GROUP BY 1 ORDER BY 1"
        ),
        lambda w: (
            f"SELECT strftime('%Y-%m', completed_at, {w.shift}) AS month, sum(total) / 100.0 AS revenue, "
            f"count(*) AS orders FROM orders WHERE status IN {DONE_SQL} GROUP BY 1 ORDER BY 1"
        ),
        _revenue_by_month,
    ),
    Query(
        "orders_by_area",
        ("orders", "service_areas"),
        lambda w: (
            "SELECT a.name_en, count(*) AS orders, sum(o.total) AS revenue FROM orders o "
            f"JOIN service_areas a ON a.id = o.area_id WHERE o.requested_date >= DATE '{w.year_ago}' "
            "AND o.status <> 'cancelled' GROUP BY a.name_en ORDER BY revenue DESC"
        ),
        lambda w: (
            "SELECT a.name_en, count(*) AS orders, sum(o.total) / 100.0 AS revenue FROM orders o "
            f"JOIN service_areas a ON a.id = o.area_id WHERE o.requested_date >= '{w.year_ago}' "
            "AND o.status <> 'cancelled' GROUP BY a.name_en ORDER BY revenue DESC"
        ),
        _orders_by_area,
    ),
    Query(
        "revenue_by_service",
        ("orders", "order_lines"),
        lambda w: (
            "SELECT l.service_code, sum(l.quantity) AS quantity, sum(l.amount) AS revenue "
            "FROM order_lines l JOIN orders o ON o.id = l.order_id "
            f"WHERE o.status IN {DONE_SQL} AND o.requested_date >= DATE '{w.year_ago}' GROUP BY 1 ORDER BY 1"
        ),
        lambda w: (
            "SELECT l.service_code, sum(l.quantity) / 100.0 AS quantity, sum(l.amount) / 100.0 AS revenue "
            "FROM order_lines l JOIN orders o ON o.id = l.order_id "
            f"WHERE o.status IN {DONE_SQL} AND o.requested_date >= '{w.year_ago}' GROUP BY 1 ORDER BY 1"
        ),
        _revenue_by_service,
    ),
    Query(
        "orders_by_channel_month",
        ("orders",),
        lambda w: (
            "SELECT strftime(requested_date, '%Y-%m') AS month, channel, count(*) AS orders FROM orders "
            f"WHERE requested_date >= DATE '{w.year_ago}' GROUP BY 1, 2 ORDER BY 1, 2"
        ),
        lambda w: (
            "SELECT substr(requested_date, 1, 7) AS month, channel, count(*) AS orders FROM orders "
            f"WHERE requested_date >= '{w.year_ago}' GROUP BY 1, 2 ORDER BY 1, 2"
        ),
        _orders_by_channel,
    ),
    Query(
        "status_funnel",
        ("orders",),
        lambda w: "SELECT status, count(*) AS orders FROM orders GROUP BY 1 ORDER BY 1",
        lambda w: "SELECT status, count(*) AS orders FROM orders GROUP BY 1 ORDER BY 1",
        _status_funnel,
    ),
    Query(
        "orders_per_day_90d",
        ("orders",),
        lambda w: (
            "SELECT requested_date, count(*) AS orders, "
            f"coalesce(sum(total) FILTER (WHERE status IN {DONE_SQL}), 0) AS revenue FROM orders "
            f"WHERE requested_date >= DATE '{w.days90}' GROUP BY 1 ORDER BY 1"
        ),
        lambda w: (
            "SELECT requested_date, count(*) AS orders, "
            f"sum(CASE WHEN status IN {DONE_SQL} THEN total ELSE 0 END) / 100.0 AS revenue FROM orders "
            f"WHERE requested_date >= '{w.days90}' GROUP BY 1 ORDER BY 1"
        ),
        _orders_per_day,
    ),
    Query(
        "kpi_period_vs_previous",
        ("orders",),
        lambda w: (
            f"SELECT CASE WHEN requested_date >= DATE '{w.period}' THEN 'current' ELSE 'previous' END AS p, "
            f"sum(total) FILTER (WHERE status IN {DONE_SQL}) AS revenue, "
            f"count(*) FILTER (WHERE status IN {DONE_SQL}) AS orders, "
            f"avg(rating) FILTER (WHERE status IN {DONE_SQL}) AS rating, "
            f"count(DISTINCT customer_id) FILTER (WHERE status IN {DONE_SQL}) AS customers, "
            "avg(CASE WHEN status = 'cancelled' THEN 1.0 ELSE 0.0 END) AS cancelled "
            f"FROM orders WHERE requested_date >= DATE '{w.before}' GROUP BY 1 ORDER BY 1"
        ),
        lambda w: (
            f"SELECT CASE WHEN requested_date >= '{w.period}' THEN 'current' ELSE 'previous' END AS p, "
            f"sum(CASE WHEN status IN {DONE_SQL} THEN total END) / 100.0 AS revenue, "
            f"sum(status IN {DONE_SQL}) AS orders, avg(CASE WHEN status IN {DONE_SQL} THEN rating END) AS rating, "
            f"count(DISTINCT CASE WHEN status IN {DONE_SQL} THEN customer_id END) AS customers, "
            "avg(status = 'cancelled') AS cancelled "
            f"FROM orders WHERE requested_date >= '{w.before}' GROUP BY 1 ORDER BY 1"
        ),
        _kpi_periods,
    ),
    Query(
        "consumption_by_item_month",
        ("stock_movements", "items"),
        lambda w: (
            "SELECT i.sku, date_trunc('month', m.at_day) AS month, sum(-m.quantity) AS used, "
            "sum(-m.quantity * m.unit_cost) AS cost FROM stock_movements m JOIN items i ON i.id = m.item_id "
            f"WHERE m.kind = 'issue' AND m.at >= TIMESTAMP '{w.year_ago}' AT TIME ZONE 'UTC' "
            "GROUP BY 1, 2 ORDER BY 1, 2"
        ),
        lambda w: (
            f"SELECT i.sku, strftime('%Y-%m', m.at, {w.shift}) AS month, sum(-m.quantity) / 100.0 AS used, "
            "sum(-m.quantity * m.unit_cost) / 10000.0 AS cost FROM stock_movements m JOIN items i ON i.id = m.item_id "
            f"WHERE m.kind = 'issue' AND m.at >= '{w.year_ago}' GROUP BY 1, 2 ORDER BY 1, 2"
        ),
        _consumption_by_item,
    ),
    Query(
        "new_customers_by_month",
        ("customers",),
        lambda w: (
            "SELECT date_trunc('month', created_day) AS month, count(*) AS customers "
            "FROM customers GROUP BY 1 ORDER BY 1"
        ),
        lambda w: (
            f"SELECT strftime('%Y-%m', created_at, {w.shift}) AS month, count(*) AS customers "
            "FROM customers GROUP BY 1 ORDER BY 1"
        ),
        _new_customers,
    ),
)


def fingerprint(frame: pd.DataFrame) -> tuple[int, float]:
    """Rows and the sum of the last column: equal whichever way the aggregate was computed."""
    last = pd.to_numeric(frame.iloc[:, -1], errors="coerce").astype(float)
    return len(frame), round(float(last.sum()), 1)
