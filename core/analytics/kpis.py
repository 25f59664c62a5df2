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
- on-time rate: of the orders done in the span, the percentage started (the order's
  `started_at`, stamped by its step to "in progress") on the requested date within the requested
  window, company time — the same rule as the dashboard and performance reviews
  (core.reviews.started_on_time);
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
    SELECT id, total - refunded AS net, rating, completed_day AS day, started_at, requested_date,
           window_start, window_end
    FROM orders
    WHERE status IN ('completed', 'paid') AND completed_day BETWEEN $first AND $last
),
used AS (  -- per day the orders were done: the materials their movements carried
    SELECT d.day, -sum(m.quantity * m.unit_cost) AS cost FROM stock_movements m JOIN done d ON d.id = m.order_id
    WHERE m.kind IN ('issue', 'return') GROUP BY d.day
),
daily AS (
    SELECT d.day, count(*) AS done, sum(d.net) AS revenue, sum(d.rating) AS rating_sum, count(d.rating) AS rated,
           count(*) FILTER (WHERE CAST(d.started_at AS TIMESTAMP)
                              BETWEEN d.requested_date + d.window_start AND d.requested_date + d.window_end) AS on_time
    FROM done d GROUP BY d.day
)
SELECT sp.idx, coalesce(sum(y.done), 0) AS done, coalesce(sum(y.revenue), 0) AS revenue,
       sum(y.rating_sum) AS rating_sum, coalesce(sum(y.rated), 0) AS rated,
       coalesce(sum(y.on_time), 0) AS on_time, coalesce(sum(u.cost), 0) AS materials
FROM spans sp LEFT JOIN daily y ON y.day BETWEEN sp.s AND sp.e LEFT JOIN used u ON u.day = y.day
GROUP BY sp.idx
"""

ORDERS_SQL = f"""
WITH {SPANS},
daily AS (
    SELECT day, sum(placed) AS placed, sum(due) AS due, sum(due_done) AS due_done FROM (
        SELECT created_day AS day, 1 AS placed, 0 AS due, 0 AS due_done FROM orders
        WHERE created_day BETWEEN $first AND $last
        UNION ALL
        SELECT requested_date, 0, 1, CASE WHEN status IN ('completed', 'paid') THEN 1 ELSE 0 END FROM orders
        WHERE requested_date BETWEEN $first AND $last
    ) GROUP BY day
)
SELECT sp.idx, coalesce(sum(y.placed), 0) AS placed, coalesce(sum(y.due), 0) AS due,
       coalesce(sum(y.due_done), 0) AS due_done
FROM spans sp LEFT JOIN daily y ON y.day BETWEEN sp.s AND sp.e
GROUP BY sp.idx
"""

CUSTOMERS_SQL = f"""
WITH {SPANS},
firsts AS (
    SELECT customer_id, min(created_day) AS first_day FROM orders WHERE status <> 'cancelled' GROUP BY 1),
placed AS (
    SELECT DISTINCT customer_id, created_day AS day FROM orders WHERE status <> 'cancelled'
      AND created_day BETWEEN $first - {LOST_AFTER_DAYS} AND $last
),
chained AS (  -- only the days any span looks at; a later day than them all only needs to be later than `e`
    SELECT p.customer_id, p.day, f.first_day, lead(p.day) OVER (PARTITION BY p.customer_id ORDER BY p.day) AS next_day
    FROM placed p JOIN firsts f ON f.customer_id = p.customer_id
),
active AS (
    SELECT sp.idx, count(DISTINCT c.customer_id) AS active,
           count(DISTINCT c.customer_id) FILTER (WHERE c.first_day < sp.s) AS repeat,
           count(*) FILTER (WHERE c.day = c.first_day) AS new
    FROM spans sp JOIN chained c ON c.day BETWEEN sp.s AND sp.e GROUP BY sp.idx
),
lost AS (
    SELECT sp.idx, count(*) AS lost FROM spans sp
    JOIN chained c ON c.day BETWEEN sp.s - {LOST_AFTER_DAYS} AND sp.e - {LOST_AFTER_DAYS}
    WHERE c.next_day IS NULL OR c.next_day > sp.e GROUP BY sp.idx
)
SELECT sp.idx, coalesce(a.active, 0) AS active, coalesce(a.repeat, 0) AS repeat, coalesce(a.new, 0) AS new,
       coalesce(l.lost, 0) AS lost
FROM spans sp LEFT JOIN active a ON a.idx = sp.idx LEFT JOIN lost l ON l.idx = sp.idx
"""

STAFF_SQL = f"""
WITH {SPANS},
daily AS (
    SELECT day, sum(labour) AS labour, sum(booked) AS booked, sum(rostered) AS rostered FROM (
        SELECT a.clock_in_day AS day,
               (epoch(a.clock_out) - epoch(a.clock_in)) / 3600 * coalesce(CAST(s.hourly_cost AS DOUBLE), 0) AS labour,
               0 AS booked, 0 AS rostered
        FROM attendance a JOIN staff s ON s.id = a.staff_id
        WHERE a.clock_out IS NOT NULL AND a.clock_in_day BETWEEN $first AND $last
        UNION ALL
        SELECT scheduled_start_day, 0, (epoch(scheduled_end) - epoch(scheduled_start)) / 3600, 0 FROM orders
        WHERE technician_id IS NOT NULL AND status <> 'cancelled' AND scheduled_end IS NOT NULL
          AND scheduled_start_day BETWEEN $first AND $last
        UNION ALL
        SELECT starts_day, 0, 0, (epoch(ends_at) - epoch(starts_at)) / 3600 FROM shifts
        WHERE starts_day BETWEEN $first AND $last
    ) GROUP BY day
)
SELECT sp.idx, coalesce(sum(y.labour), 0) AS labour, coalesce(sum(y.booked), 0) AS booked,
       coalesce(sum(y.rostered), 0) AS rostered
FROM spans sp LEFT JOIN daily y ON y.day BETWEEN sp.s AND sp.e
GROUP BY sp.idx
"""

# Figures of a moment, for each past day (the `e` of a span before today). An order is owed at
# `e` until the day its payments reached its total ("settled"); only those owed are looked at.
PAST_SQL = f"""
WITH {SPANS},
early_last AS (SELECT item_id, max(at_day) AS day FROM stock_movements WHERE at_day < $lo GROUP BY item_id),
closing AS (
    SELECT m.item_id, el.day, arg_max(m.balance_after, m.id) AS balance
    FROM stock_movements m JOIN early_last el ON el.item_id = m.item_id AND m.at_day = el.day
    GROUP BY m.item_id, el.day
    UNION ALL
    SELECT item_id, at_day AS day, arg_max(balance_after, id) AS balance
    FROM stock_movements WHERE at_day >= $lo GROUP BY item_id, at_day
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
    WHERE kind = 'payment' AND received_day <= $lo GROUP BY order_id),
candidates AS (SELECT o.id, o.total, o.completed_day FROM orders o LEFT JOIN paid_early pe ON pe.order_id = o.id
    WHERE o.status IN ('completed', 'paid') AND o.completed_day < $done_before
      AND (pe.paid IS NULL OR pe.paid < o.total)
),
paid_so_far AS (
    SELECT order_id, received_day AS day, sum(sum(amount)) OVER (PARTITION BY order_id ORDER BY received_day) AS paid
    FROM payments WHERE kind = 'payment' AND order_id IN (SELECT id FROM candidates)
    GROUP BY order_id, received_day
),
settled AS (
    SELECT o.id, o.total, o.completed_day AS done_day, min(p.day) FILTER (WHERE p.paid >= o.total) AS settled_day
    FROM candidates o LEFT JOIN paid_so_far p ON p.order_id = o.id
    GROUP BY o.id, o.total, o.completed_day
),
owing AS (
    SELECT sp.idx, sp.e, s.id, s.total FROM spans sp
    JOIN settled s ON s.done_day < sp.e - $terms AND (s.settled_day IS NULL OR s.settled_day > sp.e)
),
paid_by_end AS (  -- what was paid by the span's end: the running sum only grows (an ASOF join is slower here)
    SELECT w.idx, w.id, max(p.paid) AS paid FROM owing w JOIN paid_so_far p ON p.order_id = w.id AND p.day <= w.e
    GROUP BY w.idx, w.id
),
overdue AS (
    SELECT w.idx, sum(w.total - coalesce(b.paid, 0)) AS overdue
    FROM owing w LEFT JOIN paid_by_end b ON b.idx = w.idx AND b.id = w.id
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
        AND coalesce(completed_day, requested_date) < CAST($today AS DATE) - $terms) AS overdue,
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
            subset.update(done_before=max(ends) - timedelta(days=terms))
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
