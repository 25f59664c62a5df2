"""The executives' KPIs, each computed by DuckDB over the snapshot for a period, the previous
period and the points of its sparkline, all in one pass per group of figures.

Periods are company dates, both ends included. "This month" is the first of the month to the
anchor day (today by default) and is compared with the same span of the previous month (1–12
November against 1–12 October; a day the shorter month lacks becomes its last day); quarters and
years likewise. A custom period is compared with the span of the same length just before it.
The sparkline has the KPI per week (Monday to Sunday, 8 points) or, for a year or a custom
period longer than 120 days, per calendar month (12 points), ending with the one holding the
period's last day (cut at that day).

Definitions (an order is "done" when its status is completed or paid; "done in a span" means
its completion instant falls on a company date of the span):

- revenue: the totals of the orders done in the span, less what was refunded on them (a refund
  lowers an order's revenue, see core.order_rules.balance);
- orders: the orders placed (created) in the span, whatever became of them;
- average order value: revenue / the number of orders done in the span;
- materials: what the orders done in the span used from stock, issues net of returns at the
  unit cost each movement carried (stock_movements with an order), whenever the stock moved;
- labour: the hours worked by attendance (clock-out minus clock-in of the entries clocked in
  during the span; an open entry does not count) × each person's staff.hourly_cost (none: 0).
  Attendance is chosen over booked job hours because it is what the company pays for;
- gross margin: revenue − materials − labour;
- completion rate: of the orders requested for a date of the span, the percentage done;
- on-time rate: of the orders done in the span, the percentage started (their first step to
  "in progress") on the requested date within the requested window, company time — the same
  rule as performance reviews (core.reviews.started_on_time);
- average rating: the mean customer rating of the orders done in the span that were rated;
- customers "order" when they place an order that is not cancelled. Repeat-customer rate: of
  the customers who ordered in the span, the percentage who had ordered before it. New
  customers: those whose first order falls in the span. Lost customers: those who, during the
  span, passed LOST_AFTER_DAYS (180) days without ordering — their last order up to the span's
  end was placed between (start − 180 days) and (end − 180 days);
- staff utilisation: booked job hours (scheduled end − start of the orders assigned to a
  technician, not cancelled, scheduled to start in the span) / rostered shift hours (shifts
  starting in the span), as a percentage;
- as of the span's last day (figures of a moment, not of a span):
  receivables overdue: what customers still owe on done orders completed more than
  settings.payment_terms_days before that day — for today exactly finance's receivables
  "overdue" (core.services.finance: completed orders, total − paid > 0, age > terms); for a past
  day the payments received up to that day are counted instead of today's paid column;
  stock value: on hand × unit cost over all items — for today from the items (as
  core.services.stock_usage.stock_value); for a past day the ledger's balance after the item's
  last movement up to that day × today's unit cost (the store keeps no history of costs);
  low-stock items: active items whose on hand plus what is on order is below their reorder
  level — for today exactly core.services.purchasing.low_stock; for a past day the ledger's
  balance alone against today's reorder level (the store keeps no history of what was on order).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from core.analytics import snapshot
from core.config import get_settings
from core.errors import ValidationFailed
from core.i18n import Bilingual as B
from core.i18n import msg

LOST_AFTER_DAYS = 180
WEEK_POINTS, MONTH_POINTS = 8, 12
KINDS = ("month", "quarter", "year", "custom")
CENT, TENTH = Decimal("0.01"), Decimal("0.1")


@dataclass(frozen=True)
class Kpi:
    key: str
    label: B
    unit: str  # money, count, percent, rating
    higher_is_better: bool = True


KPIS: tuple[Kpi, ...] = (
    Kpi("revenue", B("Revenue", "营收"), "money"),
    Kpi("orders", B("Orders", "订单数"), "count"),
    Kpi("average_order_value", B("Average order value", "客单价"), "money"),
    Kpi("gross_margin", B("Gross margin", "毛利"), "money"),
    Kpi("completion_rate", B("Completion rate", "完工率"), "percent"),
    Kpi("on_time_rate", B("On-time rate", "准时率"), "percent"),
    Kpi("average_rating", B("Average rating", "平均评分"), "rating"),
    Kpi("repeat_customer_rate", B("Repeat-customer rate", "回头客比例"), "percent"),
    Kpi("new_customers", B("New customers", "新客户"), "count"),
    Kpi("lost_customers", B("Lost customers", "流失客户"), "count", higher_is_better=False),
    Kpi("receivables_overdue", B("Receivables overdue", "逾期应收"), "money", higher_is_better=False),
    Kpi("stock_value", B("Stock value", "库存金额"), "money", higher_is_better=False),
    Kpi("low_stock_items", B("Low-stock items", "低库存物料"), "count", higher_is_better=False),
    Kpi("staff_utilisation", B("Staff utilisation", "员工利用率"), "percent"),
)
BY_KEY = {kpi.key: kpi for kpi in KPIS}


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date
    previous_start: date
    previous_end: date
    grain: str  # week, month: the sparkline's points
    points: tuple[tuple[date, date], ...]


def _shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def period(kind: str = "month", *, anchor: date, start: date | None = None, end: date | None = None) -> Period:
    """The period of `kind` holding `anchor` up to it (or the custom start..end) and its previous span."""
    if kind not in KINDS:
        raise ValidationFailed({"kind": msg("Choose a month, a quarter, a year or a custom period.")})
    if kind == "custom":
        errors = {}
        if start is None:
            errors["start"] = msg("Enter the first day.")
        if end is None:
            errors["end"] = msg("Enter the last day.")
        if start and end and start > end:
            errors["start"] = msg("The first day must not be after the last day.")
        if errors:
            raise ValidationFailed(errors)
        assert start is not None and end is not None
        previous_end = start - timedelta(days=1)
        previous_start = previous_end - (end - start)
    else:
        months = {"month": 1, "quarter": 3, "year": 12}[kind]
        end = anchor
        start = date(anchor.year, 1 if kind == "year" else anchor.month - (anchor.month - 1) % months, 1)
        previous_start, previous_end = _shift_months(start, -months), _shift_months(end, -months)
    grain = "month" if kind == "year" or (end - start).days >= 120 else "week"
    return Period(kind, start, end, previous_start, previous_end, grain, _points(grain, end))


def _points(grain: str, end: date) -> tuple[tuple[date, date], ...]:
    if grain == "week":
        monday = end - timedelta(days=end.weekday())
        starts = [monday - timedelta(weeks=WEEK_POINTS - 1 - i) for i in range(WEEK_POINTS)]
        return tuple((s, min(s + timedelta(days=6), end)) for s in starts)
    first = end.replace(day=1)
    starts = [_shift_months(first, -(MONTH_POINTS - 1 - i)) for i in range(MONTH_POINTS)]
    return tuple((s, min(_month_end(s), end)) for s in starts)


# --- the queries: each answers every span at once ------------------------------------------------

SPANS = "spans AS (SELECT unnest($idx) AS idx, unnest($s) AS s, unnest($e) AS e)"

DONE_SQL = f"""
WITH {SPANS},
done AS (
    SELECT id, total - refunded AS net, rating, CAST(completed_at AS DATE) AS day,
           requested_date, window_start, window_end
    FROM orders
    WHERE status IN ('completed', 'paid') AND completed_at IS NOT NULL
      AND completed_at >= CAST($first AS TIMESTAMPTZ) AND completed_at < CAST($after AS TIMESTAMPTZ)
),
started AS (
    SELECT order_id, CAST(min("at") AS TIMESTAMP) AS local_start FROM order_events
    WHERE to_status = 'in_progress' AND order_id IN (SELECT id FROM done) GROUP BY order_id
),
used AS (
    SELECT order_id, -sum(quantity * unit_cost) AS cost FROM stock_movements
    WHERE kind IN ('issue', 'return') AND order_id IN (SELECT id FROM done) GROUP BY order_id
),
daily AS (
    SELECT d.day, count(*) AS done, sum(d.net) AS revenue, sum(d.rating) AS rating_sum, count(d.rating) AS rated,
           count(*) FILTER (WHERE CAST(st.local_start AS DATE) = d.requested_date
                              AND CAST(st.local_start AS TIME) BETWEEN d.window_start AND d.window_end) AS on_time,
           coalesce(sum(u.cost), 0) AS materials
    FROM done d LEFT JOIN started st ON st.order_id = d.id LEFT JOIN used u ON u.order_id = d.id
    GROUP BY d.day
)
SELECT sp.idx, coalesce(sum(y.done), 0) AS done, coalesce(sum(y.revenue), 0) AS revenue,
       sum(y.rating_sum) AS rating_sum, coalesce(sum(y.rated), 0) AS rated,
       coalesce(sum(y.on_time), 0) AS on_time, coalesce(sum(y.materials), 0) AS materials
FROM spans sp LEFT JOIN daily y ON y.day BETWEEN sp.s AND sp.e
GROUP BY sp.idx
"""

ORDERS_SQL = f"""
WITH {SPANS},
placed AS (
    SELECT CAST(created_at AS DATE) AS day, count(*) AS n FROM orders
    WHERE created_at >= CAST($first AS TIMESTAMPTZ) AND created_at < CAST($after AS TIMESTAMPTZ) GROUP BY 1
),
due AS (
    SELECT requested_date AS day, count(*) AS n, count(*) FILTER (WHERE status IN ('completed', 'paid')) AS done
    FROM orders WHERE requested_date BETWEEN $first AND $last GROUP BY 1
)
SELECT sp.idx,
       (SELECT coalesce(sum(p.n), 0) FROM placed p WHERE p.day BETWEEN sp.s AND sp.e) AS placed,
       (SELECT coalesce(sum(d.n), 0) FROM due d WHERE d.day BETWEEN sp.s AND sp.e) AS due,
       (SELECT coalesce(sum(d.done), 0) FROM due d WHERE d.day BETWEEN sp.s AND sp.e) AS due_done
FROM spans sp
"""

CUSTOMERS_SQL = f"""
WITH {SPANS},
firsts AS (
    SELECT customer_id, CAST(min(created_at) AS DATE) AS first_day FROM orders WHERE status <> 'cancelled' GROUP BY 1),
placed AS (
    SELECT DISTINCT customer_id, CAST(created_at AS DATE) AS day FROM orders WHERE status <> 'cancelled'
      AND created_at >= CAST($first - {LOST_AFTER_DAYS} AS TIMESTAMPTZ) AND created_at < CAST($after AS TIMESTAMPTZ)
),
chained AS (  -- only the days any span looks at; a later day than them all only needs to be later than `e`
    SELECT p.customer_id, p.day, f.first_day, lead(p.day) OVER (PARTITION BY p.customer_id ORDER BY p.day) AS next_day
    FROM placed p JOIN firsts f ON f.customer_id = p.customer_id
)
SELECT sp.idx,
       (SELECT count(DISTINCT c.customer_id) FROM chained c WHERE c.day BETWEEN sp.s AND sp.e) AS active,
       (SELECT count(DISTINCT c.customer_id) FROM chained c
         WHERE c.day BETWEEN sp.s AND sp.e AND c.first_day < sp.s) AS repeat,
       (SELECT count(*) FROM chained c WHERE c.day = c.first_day AND c.day BETWEEN sp.s AND sp.e) AS new,
       (SELECT count(*) FROM chained c
         WHERE c.day BETWEEN sp.s - {LOST_AFTER_DAYS} AND sp.e - {LOST_AFTER_DAYS}
           AND (c.next_day IS NULL OR c.next_day > sp.e)) AS lost
FROM spans sp
"""

STAFF_SQL = f"""
WITH {SPANS},
worked AS (
    SELECT CAST(a.clock_in AS DATE) AS day,
           sum(epoch(a.clock_out - a.clock_in) / 3600 * coalesce(CAST(s.hourly_cost AS DOUBLE), 0)) AS cost
    FROM attendance a JOIN staff s ON s.id = a.staff_id
    WHERE a.clock_out IS NOT NULL AND a.clock_in >= CAST($first AS TIMESTAMPTZ)
      AND a.clock_in < CAST($after AS TIMESTAMPTZ) GROUP BY 1
),
booked AS (
    SELECT CAST(scheduled_start AS DATE) AS day, sum(epoch(scheduled_end - scheduled_start)) / 3600 AS hours
    FROM orders
    WHERE technician_id IS NOT NULL AND status <> 'cancelled' AND scheduled_end IS NOT NULL
      AND scheduled_start >= CAST($first AS TIMESTAMPTZ) AND scheduled_start < CAST($after AS TIMESTAMPTZ) GROUP BY 1
),
rostered AS (
    SELECT CAST(starts_at AS DATE) AS day, sum(epoch(ends_at - starts_at)) / 3600 AS hours FROM shifts
    WHERE starts_at >= CAST($first AS TIMESTAMPTZ) AND starts_at < CAST($after AS TIMESTAMPTZ) GROUP BY 1
)
SELECT sp.idx,
       (SELECT coalesce(sum(w.cost), 0) FROM worked w WHERE w.day BETWEEN sp.s AND sp.e) AS labour,
       (SELECT coalesce(sum(b.hours), 0) FROM booked b WHERE b.day BETWEEN sp.s AND sp.e) AS booked,
       (SELECT coalesce(sum(r.hours), 0) FROM rostered r WHERE r.day BETWEEN sp.s AND sp.e) AS rostered
FROM spans sp
"""

# Figures of a moment, for each past day (the `e` of a span before today). An order is owed at
# `e` until the day its payments reached its total ("settled"); only those owed are looked at.
PAST_SQL = f"""
WITH {SPANS},
early_last AS (SELECT item_id, CAST(max("at") AS DATE) AS day FROM stock_movements
    WHERE "at" < CAST($lo AS TIMESTAMPTZ) GROUP BY item_id),
closing AS (
    SELECT m.item_id, el.day, arg_max(m.balance_after, m.id) AS balance
    FROM stock_movements m JOIN early_last el ON el.item_id = m.item_id
    WHERE m."at" < CAST($lo AS TIMESTAMPTZ) AND m."at" >= CAST(el.day AS TIMESTAMPTZ) GROUP BY m.item_id, el.day
    UNION ALL
    SELECT item_id, CAST("at" AS DATE) AS day, arg_max(balance_after, id) AS balance
    FROM stock_movements WHERE "at" >= CAST($lo AS TIMESTAMPTZ) GROUP BY item_id, CAST("at" AS DATE)
),
pairs AS (
    SELECT sp.idx, sp.e, i.id AS item_id, i.unit_cost, i.active, i.reorder_level FROM spans sp CROSS JOIN items i
),
stock AS (
    SELECT p.idx, sum(coalesce(c.balance, 0) * p.unit_cost) AS value,
           count(*) FILTER (WHERE p.active AND coalesce(c.balance, 0) < p.reorder_level) AS low
    FROM pairs p ASOF LEFT JOIN closing c ON p.item_id = c.item_id AND p.e >= c.day
    GROUP BY p.idx
),
paid_early AS (SELECT order_id, sum(amount) AS paid FROM payments
    WHERE kind = 'payment' AND received_at < CAST($lo_next AS TIMESTAMPTZ) GROUP BY order_id),
candidates AS (SELECT o.id, o.total, o.completed_at FROM orders o LEFT JOIN paid_early pe ON pe.order_id = o.id
    WHERE o.status IN ('completed', 'paid') AND o.completed_at < CAST($done_before AS TIMESTAMPTZ)
      AND (pe.paid IS NULL OR pe.paid < o.total)
),
paid_so_far AS (
    SELECT order_id, CAST(received_at AS DATE) AS day,
           sum(sum(amount)) OVER (PARTITION BY order_id ORDER BY CAST(received_at AS DATE)) AS paid
    FROM payments WHERE kind = 'payment' AND order_id IN (SELECT id FROM candidates)
    GROUP BY order_id, CAST(received_at AS DATE)
),
settled AS (
    SELECT o.id, o.total, CAST(o.completed_at AS DATE) AS done_day,
           min(p.day) FILTER (WHERE p.paid >= o.total) AS settled_day
    FROM candidates o LEFT JOIN paid_so_far p ON p.order_id = o.id
    GROUP BY o.id, o.total, CAST(o.completed_at AS DATE)
),
owing AS (
    SELECT sp.idx, sp.e, s.id, s.total FROM spans sp
    JOIN settled s ON s.done_day < sp.e - $terms AND (s.settled_day IS NULL OR s.settled_day > sp.e)
),
overdue AS (
    SELECT w.idx, sum(w.total - coalesce(p.paid, 0)) AS overdue
    FROM owing w ASOF LEFT JOIN paid_so_far p ON w.id = p.order_id AND w.e >= p.day
    GROUP BY w.idx
)
SELECT sp.idx, coalesce(o.overdue, 0) AS overdue, coalesce(st.value, 0) AS stock_value, coalesce(st.low, 0) AS low_stock
FROM spans sp LEFT JOIN overdue o ON o.idx = sp.idx LEFT JOIN stock st ON st.idx = sp.idx
"""

# The same figures today, from the live columns the operational services read.
NOW_SQL = """
WITH on_order AS (
    SELECT l.item_id, greatest(sum(l.quantity - l.received), 0) AS coming
    FROM purchase_order_lines l JOIN purchase_orders p ON p.id = l.purchase_order_id
    WHERE p.status IN ('submitted', 'approved', 'ordered') GROUP BY l.item_id
)
SELECT
    (SELECT coalesce(sum(total - paid), 0) FROM orders
      WHERE status = 'completed' AND total - paid > 0
        AND coalesce(CAST(completed_at AS DATE), requested_date) < CAST($today AS DATE) - $terms) AS overdue,
    (SELECT coalesce(sum(on_hand * unit_cost), 0) FROM items) AS stock_value,
    (SELECT count(*) FROM items i LEFT JOIN on_order o ON o.item_id = i.id
      WHERE i.active AND i.on_hand + coalesce(o.coming, 0) < i.reorder_level) AS low_stock
"""


def _rows(con: Any, sql: str, params: dict[str, Any]) -> dict[int, dict[str, Any]]:
    used = {name: value for name, value in params.items() if f"${name}" in sql}
    cursor = con.execute(sql, used)
    rows = cursor.fetchall()
    names = [column[0] for column in cursor.description]
    found = [dict(zip(names, row, strict=True)) for row in rows]
    return {row["idx"]: row for row in found} if "idx" in names else {0: found[0]}


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def _share(part: Any, whole: Any) -> Decimal | None:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH) if whole else None


def figures(spans: Sequence[tuple[date, date]], *, today: date) -> list[dict[str, Decimal | int | None]]:
    """Every KPI for each (first day, last day) span, in the order given."""
    if not spans:
        return []
    terms = get_settings().payment_terms_days
    params: dict[str, Any] = {
        "idx": list(range(len(spans))),
        "s": [s for s, _e in spans],
        "e": [e for _s, e in spans],
        "first": min(s for s, _e in spans),
        "last": max(e for _s, e in spans),
        "after": max(e for _s, e in spans) + timedelta(days=1),  # company days as instant bounds: no cast per row
        "terms": terms,
        "today": today,
    }
    past = [i for i, (_s, e) in enumerate(spans) if e < today]
    with snapshot.reader() as con:
        done = _rows(con, DONE_SQL, params)
        orders = _rows(con, ORDERS_SQL, params)
        customers = _rows(con, CUSTOMERS_SQL, params)
        staff = _rows(con, STAFF_SQL, params)
        now = _rows(con, NOW_SQL, params)[0]
        moments: dict[int, dict[str, Any]] = {}
        if past:
            ends = [spans[i][1] for i in past]  # lo..: company days bounding the rows that can matter
            subset = {**params, "idx": past, "s": [spans[i][0] for i in past], "e": ends, "lo": min(ends)}
            subset.update(lo_next=min(ends) + timedelta(days=1), done_before=max(ends) - timedelta(days=terms))
            moments = _rows(con, PAST_SQL, subset)
    result = []
    for i in range(len(spans)):
        d, o, c, w = done[i], orders[i], customers[i], staff[i]
        moment = moments.get(i, now)
        revenue, materials, labour = _money(d["revenue"]), _money(d["materials"]), _money(w["labour"])
        result.append(
            {
                "revenue": revenue,
                "orders": int(o["placed"]),
                "average_order_value": (revenue / d["done"]).quantize(CENT) if d["done"] else None,
                "gross_margin": revenue - materials - labour,
                "materials": materials,
                "labour": labour,
                "completion_rate": _share(o["due_done"], o["due"]),
                "on_time_rate": _share(d["on_time"], d["done"]),
                "average_rating": (Decimal(d["rating_sum"]) / d["rated"]).quantize(CENT) if d["rated"] else None,
                "repeat_customer_rate": _share(c["repeat"], c["active"]),
                "new_customers": int(c["new"]),
                "lost_customers": int(c["lost"]),
                "receivables_overdue": _money(moment["overdue"]),
                "stock_value": _money(moment["stock_value"]),
                "low_stock_items": int(moment["low_stock"]),
                "staff_utilisation": _share(Decimal(str(w["booked"])), Decimal(str(w["rostered"]))),
            }
        )
    return result
