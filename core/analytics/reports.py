"""The operational reports: for a day, an ISO week (Monday to Sunday), a calendar month or a year,
orders, customers, revenue, costs and margin per area, service, technician or channel, each
section with a total row. Every figure is a DuckDB query over the columnar snapshot.

What the figures mean:

- Orders: *placed* are the orders created in the period (as on the KPI page); *due* are those
  whose requested (service) day falls in it, and of those, how many are completed (completed or
  paid), cancelled and still open; the completion rate is completed / due (as on the KPI page).
- Customers (the KPI page's rule): counted from orders that are not cancelled, by the day they
  were placed (created), company time. *Active*: ordered in the period. *New*: ordered in the
  period, and their first order ever is in the period.
  *Lost*: customers who crossed the line of 180 days without an order during the period, i.e.
  their last order up to the period's end was on a day D with D + 180 days within the period
  (so with nothing in the 180 days up to the period's end); counted in the group of that last order.
- Revenue: completed and paid orders by their completion day (company time), at their total
  (tax included, as invoiced) less what was refunded on them, as on the KPI page.
- Costs of those same orders: materials are the stock issued to the order net of what came back
  (issues minus returns, at the unit cost of each movement, whenever they were moved); labour is
  the job's hours (started to completed; the lines' planned minutes when the start is unknown)
  times the technician's hourly cost (nothing when the cost or the technician is unknown).
- Margin: revenue minus materials minus labour; the margin rate is margin / revenue. (The KPI
  page counts labour from attendance, which no area, service or channel can be charged with; here
  it is the hours of each job, so the two gross margins differ by the time not spent on jobs.)

Per service, an order with several services is shared among them in proportion to its lines'
amounts (equally when they are all zero): its revenue and costs are split by that share, and it
counts once in the orders and customers of each of its services. The total row counts each order
and customer once, so a service breakdown can add up to more than its total; money rows are
rounded to the cent per row, so they can differ from the total by a cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from core.analytics import snapshot
from core.clock import at
from core.i18n import Bilingual as B

PERIODS: dict[str, B] = {
    "day": B("Day", "日"),
    "week": B("Week", "周"),
    "month": B("Month", "月"),
    "year": B("Year", "年"),
}
GROUPINGS: dict[str, B] = {
    "area": B("Area", "区域"),
    "service": B("Service", "服务"),
    "technician": B("Technician", "技师"),
    "channel": B("Channel", "渠道"),
}
CHANNEL_LABELS: dict[str, B] = {
    "phone": B("Phone", "电话"),
    "web": B("Website", "网站"),
    "app": B("App", "App"),
    "walk_in": B("Walk-in", "到店"),
}
LOST_AFTER_DAYS = 180
TOTAL = B("Total", "合计")
UNASSIGNED = B("Unassigned", "未指派")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Column:
    name: str
    label: B
    kind: str  # text, int, number, money, pct, date


@dataclass(frozen=True)
class Section:
    key: str
    title: B
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]  # the last one is the total row

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip([c.name for c in self.columns], row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Report:
    period: str
    start: date
    end: date
    grouping: str
    sections: tuple[Section, ...]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def period_bounds(period: str, on: date) -> tuple[date, date]:
    """The first and last day of the day, ISO week, month or year that contains `on`."""
    if period == "day":
        return on, on
    if period == "week":
        start = on - timedelta(days=on.weekday())
        return start, start + timedelta(days=6)
    if period == "month":
        start = on.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return start, following - timedelta(days=1)
    if period == "year":
        return date(on.year, 1, 1), date(on.year, 12, 31)
    raise ValueError(period)


def _groups(grouping: str, *, weighted: bool = False) -> str:
    """SQL of og(order_id, gkey, label_en, label_zh, weight, is_total) over the orders in `scope`;
    the weights (an order's share per service) are worked out only when `weighted`, else 1."""
    if grouping == "service" and not weighted:
        body = """
            SELECT d.order_id, CAST(d.service_id AS VARCHAR), COALESCE(sv.name_en, CAST(d.service_id AS VARCHAR)),
                   COALESCE(sv.name_zh, CAST(d.service_id AS VARCHAR)), 1.0
            FROM (SELECT DISTINCT l.order_id, l.service_id FROM order_lines l JOIN scope o ON o.id = l.order_id) AS d
                 LEFT JOIN services sv ON sv.id = d.service_id"""
    elif grouping == "service":
        share = "SUM(SUM(l.amount)) OVER (PARTITION BY l.order_id)"
        body = f"""
            SELECT l.order_id, CAST(l.service_id AS VARCHAR) AS gkey,
                   COALESCE(sv.name_en, ANY_VALUE(l.name_en)) AS label_en,
                   COALESCE(sv.name_zh, ANY_VALUE(l.name_zh)) AS label_zh,
                   CASE WHEN {share} > 0 THEN CAST(SUM(l.amount) AS DOUBLE) / CAST({share} AS DOUBLE)
                        ELSE 1.0 / COUNT(*) OVER (PARTITION BY l.order_id) END AS weight
            FROM order_lines l JOIN scope o ON o.id = l.order_id LEFT JOIN services sv ON sv.id = l.service_id
            GROUP BY l.order_id, l.service_id, sv.name_en, sv.name_zh"""
    elif grouping == "area":
        body = """
            SELECT o.id, CAST(o.area_id AS VARCHAR), COALESCE(a.name_en, CAST(o.area_id AS VARCHAR)),
                   COALESCE(a.name_zh, CAST(o.area_id AS VARCHAR)), 1.0
            FROM scope o LEFT JOIN service_areas a ON a.id = o.area_id"""
    elif grouping == "technician":
        body = f"""
            SELECT o.id, COALESCE(CAST(s.id AS VARCHAR), ''), COALESCE(s.name, '{UNASSIGNED.en}'),
                   COALESCE(s.name, '{UNASSIGNED.zh}'), 1.0
            FROM scope o LEFT JOIN staff s ON s.id = o.technician_id"""
    elif grouping == "channel":
        labels = ", ".join(f"('{code}', '{label.en}', '{label.zh}')" for code, label in CHANNEL_LABELS.items())
        body = f"""
            SELECT o.id, o.channel, COALESCE(ch.en, o.channel), COALESCE(ch.zh, o.channel), 1.0
            FROM scope o LEFT JOIN (VALUES {labels}) AS ch(code, en, zh) ON ch.code = o.channel"""
    else:
        raise ValueError(grouping)
    return f"""og AS (
        SELECT *, 0 AS is_total FROM ({body}) AS g(order_id, gkey, label_en, label_zh, weight)
        UNION ALL
        SELECT id, NULL, '{TOTAL.en}', '{TOTAL.zh}', 1.0, 1 FROM scope)"""


KEYS = "id, area_id, channel, technician_id"  # what every grouping needs of an order
GROUP_COLUMNS = "og.is_total, og.gkey, og.label_en, og.label_zh"
ORDER_ROWS = "ORDER BY og.is_total, og.label_en, og.gkey"


def _orders(con: Any, grouping: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    sql = f"""
        WITH scope AS (
            SELECT {KEYS}, status, requested_date, created_at FROM orders
            WHERE requested_date BETWEEN $start AND $end OR (created_at >= $t0 AND created_at < $t1)),
        {_groups(grouping)}
        SELECT {GROUP_COLUMNS},
               COUNT(*) FILTER (WHERE o.created_at >= $t0 AND o.created_at < $t1),
               COUNT(*) FILTER (WHERE o.requested_date BETWEEN $start AND $end),
               COUNT(*) FILTER (WHERE o.requested_date BETWEEN $start AND $end AND o.status IN ('completed', 'paid')),
               COUNT(*) FILTER (WHERE o.requested_date BETWEEN $start AND $end AND o.status = 'cancelled')
        FROM og JOIN scope o ON o.id = og.order_id
        GROUP BY ALL {ORDER_ROWS}"""
    return con.execute(sql, params).fetchall()


def _customers(con: Any, grouping: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    sql = f"""
        WITH kept AS (
            SELECT {KEYS}, customer_id, created_at FROM orders WHERE status <> 'cancelled' AND created_at < $t1),
        span AS (
            SELECT customer_id, MIN(created_at) AS first_at, MAX(created_at) AS last_at,
                   CAST(MAX(created_at) AS DATE) AS last_day
            FROM kept GROUP BY customer_id),
        scope AS (
            SELECT * FROM kept WHERE created_at >= $t0
            UNION ALL
            SELECT k.* FROM kept k JOIN span ON span.customer_id = k.customer_id AND k.created_at = span.last_at
            WHERE k.created_at < $t0 AND span.last_day + $lost BETWEEN $start AND $end),
        {_groups(grouping)}
        SELECT {GROUP_COLUMNS},
               COUNT(DISTINCT o.customer_id) FILTER (WHERE o.created_at >= $t0 AND span.first_at >= $t0),
               COUNT(DISTINCT o.customer_id) FILTER (WHERE o.created_at >= $t0),
               COUNT(DISTINCT o.customer_id) FILTER (
                   WHERE o.created_at = span.last_at AND span.last_day + $lost BETWEEN $start AND $end)
        FROM og JOIN scope o ON o.id = og.order_id JOIN span ON span.customer_id = o.customer_id
        GROUP BY ALL {ORDER_ROWS}"""
    return con.execute(sql, {**params, "lost": LOST_AFTER_DAYS}).fetchall()


def _money(con: Any, grouping: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    sql = f"""
        WITH scope AS (
            SELECT {KEYS}, total, refunded, started_at, completed_at FROM orders
            WHERE status IN ('completed', 'paid') AND completed_at >= $t0 AND completed_at < $t1),
        used AS (
            SELECT m.order_id, -SUM(m.quantity * m.unit_cost) AS materials
            FROM stock_movements m JOIN scope o ON o.id = m.order_id
            WHERE m.kind IN ('issue', 'return') GROUP BY m.order_id),
        planned AS (
            SELECT l.order_id, SUM(l.minutes) AS minutes
            FROM order_lines l JOIN scope o ON o.id = l.order_id GROUP BY l.order_id),
        per AS (
            SELECT o.id, CAST(o.total - o.refunded AS DOUBLE) AS revenue,
                   CAST(COALESCE(u.materials, 0) AS DOUBLE) AS materials,
                   CASE WHEN o.started_at IS NOT NULL AND o.completed_at > o.started_at
                        THEN (epoch(o.completed_at) - epoch(o.started_at)) / 3600.0
                        ELSE COALESCE(p.minutes, 0) / 60.0 END AS hours,
                   CAST(COALESCE(s.hourly_cost, 0) AS DOUBLE) AS rate
            FROM scope o LEFT JOIN used u ON u.order_id = o.id LEFT JOIN planned p ON p.order_id = o.id
                 LEFT JOIN staff s ON s.id = o.technician_id),
        {_groups(grouping, weighted=True)}
        SELECT {GROUP_COLUMNS}, COUNT(*),
               SUM(per.revenue * og.weight), SUM(per.materials * og.weight),
               SUM(per.hours * og.weight), SUM(per.hours * per.rate * og.weight)
        FROM og JOIN per ON per.id = og.order_id
        GROUP BY ALL {ORDER_ROWS}"""
    return con.execute(sql, {"t0": params["t0"], "t1": params["t1"]}).fetchall()


def _cents(value: float | None) -> Decimal:
    return Decimal(str(round(value or 0.0, 2))).quantize(CENT)


def _rate(part: Decimal | int, whole: Decimal | int) -> float | None:
    """A share to four places (half away from zero), as a fraction: 0.875 is 87.5 %."""
    if not whole:
        return None
    return float((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def _label(row: tuple[Any, ...], language: str) -> str:
    return row[3] if language == "zh" else row[2]


def _with_total(rows: list[tuple[Any, ...]], width: int) -> list[tuple[Any, ...]]:
    """The total row is there even when no order matched (every figure zero)."""
    if rows and rows[-1][0] == 1:
        return rows
    return [*rows, (1, None, TOTAL.en, TOTAL.zh, *([0] * width))]


def _c(name: str, en: str, zh: str, kind: str) -> Column:
    return Column(name, B(en, zh), kind)


def build_report(period: str, on: date, grouping: str, language: str = "en") -> Report:
    """Every section of the report, with group labels in `language` (the caller checked the choices)."""
    start, end = period_bounds(period, on)
    # Instants bound the company days (comparing them is far cheaper than casting every row to a date).
    params = {"start": start, "end": end, "t0": at(start, time.min), "t1": at(end + timedelta(days=1), time.min)}
    with snapshot.reader() as con:
        orders = _with_total(_orders(con, grouping, params), 4)
        customers = _with_total(_customers(con, grouping, params), 3)
        money = _with_total(_money(con, grouping, params), 5)
    group = Column("group", GROUPINGS[grouping], "text")
    order_rows = tuple(
        (_label(r, language), r[4], r[5], r[6], r[7], r[5] - r[6] - r[7], _rate(r[6], r[5])) for r in orders
    )
    customer_rows = tuple((_label(r, language), r[4], r[5], r[6]) for r in customers)
    revenue_rows, cost_rows, margin_rows = [], [], []
    for r in money:
        revenue, materials, labour = _cents(r[5]), _cents(r[6]), _cents(r[8])
        count = r[4]
        revenue_rows.append((_label(r, language), count, revenue, (revenue / count).quantize(CENT) if count else None))
        cost_rows.append((_label(r, language), count, _cents(r[7]), materials, labour, materials + labour))
        margin = revenue - materials - labour
        margin_rows.append((_label(r, language), revenue, materials + labour, margin, _rate(margin, revenue)))
    sections = (
        Section(
            "orders",
            B("Orders", "订单"),
            (
                group,
                _c("placed", "Placed", "下单数", "int"),
                _c("due", "Due", "应服务", "int"),
                _c("completed", "Completed", "已完工", "int"),
                _c("cancelled", "Cancelled", "已取消", "int"),
                _c("open", "Open", "进行中", "int"),
                _c("completion_rate", "Completion rate", "完工率", "pct"),
            ),
            order_rows,
        ),
        Section(
            "customers",
            B("Customers", "客户"),
            (
                group,
                _c("new", "New", "新客户", "int"),
                _c("active", "Active", "活跃客户", "int"),
                _c("lost", "Lost", "流失客户", "int"),
            ),
            customer_rows,
        ),
        Section(
            "revenue",
            B("Revenue", "收入"),
            (
                group,
                _c("orders", "Completed orders", "完工订单", "int"),
                _c("revenue", "Revenue", "收入", "money"),
                _c("average", "Average order value", "平均客单价", "money"),
            ),
            tuple(revenue_rows),
        ),
        Section(
            "costs",
            B("Costs", "成本"),
            (
                group,
                _c("orders", "Completed orders", "完工订单", "int"),
                _c("hours", "Labour hours", "工时", "number"),
                _c("materials", "Materials", "材料成本", "money"),
                _c("labour", "Labour", "人工成本", "money"),
                _c("costs", "Total costs", "成本合计", "money"),
            ),
            tuple(cost_rows),
        ),
        Section(
            "margin",
            B("Margin", "毛利"),
            (
                group,
                _c("revenue", "Revenue", "收入", "money"),
                _c("costs", "Costs", "成本", "money"),
                _c("margin", "Margin", "毛利", "money"),
                _c("margin_rate", "Margin rate", "毛利率", "pct"),
            ),
            tuple(margin_rows),
        ),
    )
    return Report(period, start, end, grouping, sections)
