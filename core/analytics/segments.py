"""RFM segmentation of the customers, computed by DuckDB over the snapshot as of a company date.

Definitions:

- an order counts when its status is not 'cancelled'; its date is `orders.created_day` (the
  company's local day it was placed); only orders placed up to the as-of date count;
- recency = days from the customer's last counted order to the as-of date;
  frequency = the number of counted orders; monetary = the sum of `total - refunded` of those
  orders (refunds as the store has them today: it keeps no history of when they were made);
- archived customers (merged duplicates, closed records) are left out everywhere;
- scored customers are those with at least one counted order as of the date; the others that
  existed then (`customers.created_day` up to the date) are counted as "unscored";
- quintile scores 1–5 rank the scored customers, as DuckDB's ntile(5) would, by
  1 + floor(5 × (rank − 1) / n) with rank() — the same cut points as ntile(5) for distinct values,
  but equal values share the lower score (ntile would split a tie arbitrarily, so two customers
  with the same one order could land in different segments). Recency is ranked from the
  longest silence (score 1) to the most recent (score 5); frequency and monetary from the least;
- the segment comes from the scores by the widely used RFM segment map (the R × F grid, with
  monetary telling the big spenders apart among the frequent customers who went quiet); the
  first rule that matches wins, and the eight rules cover every combination:

  =============  ==============================  ============================================
  segment        rule                            who
  =============  ==============================  ============================================
  champions      R ≥ 4 and F ≥ 4                 bought recently, buy often
  loyal          R ≥ 3 and F ≥ 3                 buy regularly, still active
  new            R ≥ 4 and F = 1                 first order recently
  promising      R ≥ 3 and F ≤ 2                 recent, few orders yet
  can't lose     R ≤ 2 and F ≥ 4 and M ≥ 4       were frequent big spenders, gone quiet
  at risk        R ≤ 2 and F ≥ 3                 used to buy often, gone quiet
  hibernating    R = 2 and F ≤ 2                 few orders, long ago
  lost           R = 1 and F ≤ 2                 few orders, longest ago
  =============  ==============================  ============================================

- revenue share = the segment's monetary / the monetary of all scored customers;
- movement: each customer's segment as of (as_of − period_days) against as of as_of, counted
  for the customers scored at both dates; those scored now but without a counted order at the
  earlier date are "new since", per segment now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from core.errors import ValidationFailed
from core.i18n import Bilingual as B
from core.i18n import msg

MAX_PERIOD_DAYS = 3650


@dataclass(frozen=True)
class Segment:
    key: str
    label: B
    r: tuple[int, int]  # lowest and highest score the rule accepts
    f: tuple[int, int]
    m: tuple[int, int] = (1, 5)

    def holds(self, r: int, f: int, m: int) -> bool:
        return all(low <= score <= high for score, (low, high) in ((r, self.r), (f, self.f), (m, self.m)))

    def condition(self, r: str = "r", f: str = "f", m: str = "m") -> str:
        return " AND ".join(
            f"{col} BETWEEN {low} AND {high}" for col, (low, high) in ((r, self.r), (f, self.f), (m, self.m))
        )


SEGMENTS: tuple[Segment, ...] = (
    Segment("champions", B("Champions", "重要价值客户"), r=(4, 5), f=(4, 5)),
    Segment("loyal", B("Loyal", "忠诚客户"), r=(3, 5), f=(3, 5)),
    Segment("new", B("New", "新客户"), r=(4, 5), f=(1, 1)),
    Segment("promising", B("Promising", "潜力客户"), r=(3, 5), f=(1, 2)),
    Segment("cant_lose", B("Can't lose", "不能失去的客户"), r=(1, 2), f=(4, 5), m=(4, 5)),
    Segment("at_risk", B("At risk", "流失风险客户"), r=(1, 2), f=(3, 5)),
    Segment("hibernating", B("Hibernating", "沉睡客户"), r=(2, 2), f=(1, 2)),
    Segment("lost", B("Lost", "已流失客户"), r=(1, 1), f=(1, 2)),
)
BY_KEY = {s.key: s for s in SEGMENTS}


def segment_of(r: int, f: int, m: int) -> str:
    """The key of the first segment whose rule the scores meet (every combination meets one)."""
    return next(s.key for s in SEGMENTS if s.holds(r, f, m))


SEGMENT_SQL = "CASE " + " ".join(f"WHEN {s.condition()} THEN '{s.key}'" for s in SEGMENTS) + " END"


def scored_sql(day: str = "$as_of") -> str:
    """The per-customer figures as of the date parameter `day`, as a SELECT: id, kind, created_day,
    orders, first_day, last_day, monetary, recency, r, f, m, segment (one row per scored customer)."""
    return f"""
    SELECT *, {SEGMENT_SQL} AS segment FROM (
        SELECT *,
               1 + (5 * (rank() OVER (ORDER BY recency DESC) - 1)) // count(*) OVER () AS r,
               1 + (5 * (rank() OVER (ORDER BY orders) - 1)) // count(*) OVER () AS f,
               1 + (5 * (rank() OVER (ORDER BY monetary) - 1)) // count(*) OVER () AS m
        FROM (
            SELECT c.id, c.kind, c.created_day, k.orders, k.first_day, k.last_day, k.monetary,
                   date_diff('day', k.last_day, CAST({day} AS DATE)) AS recency
            FROM (
                SELECT customer_id, count(*) AS orders, min(created_day) AS first_day,
                       max(created_day) AS last_day, sum(total - refunded) AS monetary
                FROM orders WHERE status <> 'cancelled' AND created_day <= CAST({day} AS DATE)
                GROUP BY customer_id
            ) k JOIN customers c ON c.id = k.customer_id
            WHERE c.archived_at IS NULL
        )
    )"""


# The overview in one reading: each customer scored now, beside their segment at the earlier date.
BOARD_SQL = f"""
SELECT p.segment AS before, n.segment AS now, count(*) AS customers, sum(n.monetary) AS revenue,
       sum(n.recency) AS recency, sum(n.orders) AS orders, count(*) FILTER (WHERE n.created_day <= $as_of) AS existed
FROM ({scored_sql("$as_of")}) n LEFT JOIN ({scored_sql("$previous")}) p ON p.id = n.id
GROUP BY ALL
"""
SUMMARY_SQL = f"""
SELECT NULL, segment, count(*), sum(monetary), sum(recency), sum(orders), count(*) FILTER (WHERE created_day <= $as_of)
FROM ({scored_sql()}) GROUP BY segment
"""
EXISTED_SQL = "SELECT count(*) FROM customers WHERE archived_at IS NULL AND created_day <= $as_of"

BOUNDS_SQL = """
SELECT (SELECT count(*) FROM customers WHERE archived_at IS NULL),
       (SELECT min(o.created_day) FROM orders o JOIN customers c ON c.id = o.customer_id
        WHERE o.status <> 'cancelled' AND c.archived_at IS NULL)
"""


def a_day(value: Any, field: str = "as_of") -> date | None:
    """The date given (None: none), refused when it is not a calendar date."""
    if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
        raise ValidationFailed({field: msg("Enter a date.")})
    return value


def checked_day(con: Any, as_of: date | None, today: date, field: str = "as_of") -> date:
    """The as-of date (today by default), refused when it is in the future, when there are no
    customers or no counted orders at all, or when it is before the first counted order."""
    day = a_day(as_of, field) or today
    if day > today:
        raise ValidationFailed({field: msg("The date must not be after today.")})
    customers, first = con.execute(BOUNDS_SQL).fetchall()[0]
    if not customers:
        raise ValidationFailed({field: msg("There are no customers yet.")})
    if first is None:
        raise ValidationFailed({field: msg("No customer has placed an order yet.")})
    if day < first:
        raise ValidationFailed(
            {field: msg("The first order was placed on {day}: choose that day or later.", day=first.isoformat())}
        )
    return day


def checked_period(period_days: Any) -> int:
    if isinstance(period_days, bool) or not isinstance(period_days, int) or not 1 <= period_days <= MAX_PERIOD_DAYS:
        raise ValidationFailed(
            {"period_days": msg("Enter a whole number of days from 1 to {most}.", most=MAX_PERIOD_DAYS)}
        )
    return period_days


def _board(groups: list[tuple[Any, ...]], existed: int) -> dict[str, Any]:
    """Summary rows per segment (all eight, in the map's order), totals, unscored and movement
    from the (before, now, customers, revenue, recency sum, orders sum, existed) groups."""
    sums = {s.key: [0, Decimal(0), 0, 0] for s in SEGMENTS}
    matrix = {b.key: {n.key: 0 for n in SEGMENTS} for b in SEGMENTS}
    new_since = {n.key: 0 for n in SEGMENTS}
    scored_existing = 0
    for before, now, customers, revenue, recency, orders, existing in groups:
        total = sums[now]
        total[0] += int(customers)
        total[1] += Decimal(revenue)
        total[2] += int(recency)
        total[3] += int(orders)
        scored_existing += int(existing)
        if before is None:
            new_since[now] += int(customers)
        else:
            matrix[before][now] += int(customers)
    all_customers = sum(v[0] for v in sums.values())
    all_revenue = sum((v[1] for v in sums.values()), Decimal(0))
    rows = []
    for s in SEGMENTS:
        customers, revenue, recency, orders = sums[s.key]
        rows.append(
            {
                "key": s.key,
                "label": s.label,
                "customers": customers,
                "customer_share": customers / all_customers if all_customers else None,
                "revenue": revenue,
                "revenue_share": float(revenue / all_revenue) if all_revenue else None,
                "average_recency": recency / customers if customers else None,
                "average_orders": orders / customers if customers else None,
            }
        )
    return {
        "rows": rows,
        "customers": all_customers,
        "revenue": all_revenue,
        "unscored": existed - scored_existing,
        "matrix": matrix,
        "new_since": new_since,
    }


def _existed(con: Any, day: date) -> int:
    return int(con.execute(EXISTED_SQL, {"as_of": day}).fetchall()[0][0])


def summary(con: Any, day: date) -> dict[str, Any]:
    """As of the day: one row per segment (key, label, customers, customer_share, revenue,
    revenue_share, average_recency, average_orders), the totals (customers, revenue) and the
    customers not scored (unscored)."""
    found = _board(con.execute(SUMMARY_SQL, {"as_of": day}).fetchall(), _existed(con, day))
    return {key: found[key] for key in ("rows", "customers", "revenue", "unscored")}


def board(con: Any, day: date, period_days: int) -> dict[str, Any]:
    """The summary of `summary` and the movement since (day − period_days), in one reading:
    movement = {previous, matrix: {before: {now: customers}}, new_since: {now: customers}}."""
    previous = day - timedelta(days=period_days)
    groups = con.execute(BOARD_SQL, {"as_of": day, "previous": previous}).fetchall()
    found = _board(groups, _existed(con, day))
    moved = {"previous": previous, "matrix": found.pop("matrix"), "new_since": found.pop("new_since")}
    return {**found, "movement": moved}
