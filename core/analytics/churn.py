"""Churn risk and expected lifetime value per customer, and a backtest of how well the risk ranks.

Orders count as in core.analytics.segments (not cancelled, dated by `created_day`, up to the
as-of date; archived customers left out). For each scored customer:

- usual interval g: their own gaps between orders with the typical gap T counted PRIOR_GAPS (1)
  more times, g = (last day − first day + PRIOR_GAPS × T) / (orders − 1 + PRIOR_GAPS), so a
  rhythm seen over few orders leans towards the typical one. T, the typical gap, is the median own mean gap,
  (last − first) / (orders − 1), of the customers of their kind (person or company) who ordered
  on two different days or more as of the same date; failing that, the median over all
  customers; failing that (nobody has ordered twice yet) DEFAULT_GAP_DAYS. A customer without
  an own gap (a single order, or all orders on one day) gets g = T. The interval is at least
  MIN_GAP_DAYS; `own_interval` says whether the customer's own gaps went into it;
- how sure we are of that rhythm: k = own gaps + PRIOR_GAPS (orders − 1 + 1, or 1 with none).
  An active customer orders at random with a rate whose spread given k gaps averaging g is a
  gamma (shape k, mean 1/g), so the chance that they stay silent for d days is
  S(d) = (1 + d / (k g))^(−k): exp(−d / g) for a long regular history, a heavier tail for few
  orders (three intervals overdue: 0.05 after many orders, 0.25 after one);
- chance they are still a customer: after each order a customer leaves before the next with
  chance q = g / (g + STAY_DAYS) (a typical stay of STAY_DAYS against their rhythm: an assumed
  constant, not fitted; the backtest shows how well it serves), so
  P(alive) = (1 − q) S(d) / ((1 − q) S(d) + q): 1 − q on the day of an order, falling as the
  silence d grows, faster the more regular orders they have;
- churn risk = the chance of no counted order within the next H days (H = the backtest horizon,
  BACKTEST_DAYS by default): 1 − P(alive) + P(alive) × Z, with Z = ((k g + d) / (k g + d + H))^k
  the chance that an active customer, whose rate the silence so far has made look slower, places
  nothing in H days. It lies in [0, 1], rises with d and falls as H grows;
- expected lifetime value over LTV_DAYS (365 by default) = average order value (monetary /
  orders) × the orders their rhythm gives in that time, LTV_DAYS / g, × P(alive).

Backtest: score as of a past date B (today − horizon by default; B + horizon must not be after
today), then label each customer scored at B as churned when they placed no counted order in
(B, B + horizon]. The ROC AUC (sklearn.metrics.roc_auc_score) of the risk against that label says
how well the risk ranks them (0.5 is chance, 1 perfect); beside it the counts, the share who
churned overall and the share among the top decile by risk (the ceil(n / 10) riskiest).
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from core.analytics.segments import BOUNDS_SQL, a_day, scored_sql
from core.errors import ValidationFailed
from core.i18n import Message, msg

DEFAULT_GAP_DAYS = 180.0
MIN_GAP_DAYS = 1.0
PRIOR_GAPS = 1  # the typical gap counts as this many of the customer's own
STAY_DAYS = 730.0  # a typical stay as a customer (two years), against which a rhythm is weighed
LTV_DAYS = 365
BACKTEST_DAYS = 180
MAX_DAYS = 3650


def risk_sql(day: str = "$as_of", ltv_days: str = "$ltv_days", horizon: str = "$horizon") -> str:
    """Per scored customer as of `day`: the RFM columns of `scored_sql` and own_interval, gap,
    alive, risk (of no order within `horizon` days), lifetime_value (DOUBLE)."""
    return f"""
    SELECT g.*, (1 - alive) + alive * pow((k * gap + recency) / (k * gap + recency + {horizon}), k) AS risk,
           CAST(monetary AS DOUBLE) / orders * alive * CAST({ltv_days} AS DOUBLE) / gap AS lifetime_value
    FROM (
        SELECT g.*, (1 - q) * silent / ((1 - q) * silent + q) AS alive
        FROM (
            SELECT g.*, gap / (gap + {STAY_DAYS}) AS q, pow(1 + recency / (k * gap), -k) AS silent
            FROM (
                SELECT g.*, own_gap IS NOT NULL AS own_interval, CAST(own_gaps + {PRIOR_GAPS} AS DOUBLE) AS k,
                       greatest((own_span + {PRIOR_GAPS} * typical) / (own_gaps + {PRIOR_GAPS}), {MIN_GAP_DAYS}) AS gap
                FROM (
                    SELECT g.*, coalesce(t.gap, o.gap, {DEFAULT_GAP_DAYS}) AS typical,
                           CASE WHEN own_gap IS NULL THEN 0 ELSE orders - 1 END AS own_gaps,
                           CASE WHEN own_gap IS NULL THEN 0 ELSE date_diff('day', first_day, last_day) END AS own_span
                    FROM g LEFT JOIN (SELECT kind, median(own_gap) AS gap FROM g GROUP BY kind) t ON t.kind = g.kind
                    CROSS JOIN (SELECT median(own_gap) AS gap FROM g) o
                ) g
            ) g
        ) g
    ) g"""


def with_gaps(day: str = "$as_of") -> str:
    """The WITH clause `risk_sql` reads (the scored customers with their own gap, as `g`)."""
    return f"""WITH g AS (
        SELECT *, CASE WHEN orders >= 2 AND last_day > first_day
                       THEN date_diff('day', first_day, last_day) / (orders - 1) END AS own_gap
        FROM ({scored_sql(day)})
    )"""


def interval_of(own_days: float, own_gaps: int, typical: float) -> tuple[float, float]:
    """(g, k): the usual interval from `own_gaps` gaps spanning `own_days` and the typical gap."""
    k = own_gaps + PRIOR_GAPS
    return max((own_days + PRIOR_GAPS * typical) / k, MIN_GAP_DAYS), float(k)


def alive_of(days_since: float, gap: float, k: float) -> float:
    """P(still a customer) after `days_since` days of silence (the SQL's twin)."""
    q = gap / (gap + STAY_DAYS)
    silent = (1 + days_since / (k * gap)) ** -k
    return (1 - q) * silent / ((1 - q) * silent + q)


def risk_of(days_since: float, gap: float, k: float, horizon: int = BACKTEST_DAYS) -> float:
    """The churn risk formula in Python (the SQL's twin, for tests and explanations)."""
    alive = alive_of(days_since, gap, k)
    return (1 - alive) + alive * ((k * gap + days_since) / (k * gap + days_since + horizon)) ** k


def checked_days(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
        raise ValidationFailed({field: msg("Enter a whole number of days from 1 to {most}.", most=MAX_DAYS)})
    return value


BACKTEST_SQL = f"""
{with_gaps()}
SELECT s.risk, NOT EXISTS (
    SELECT 1 FROM orders o WHERE o.customer_id = s.id AND o.status <> 'cancelled'
    AND o.created_day > $as_of AND o.created_day <= $until
) AS churned
FROM ({risk_sql()}) s ORDER BY s.risk DESC, s.id
"""


def backtest(con: Any, as_of: date | None, horizon_days: int, today: date) -> dict[str, Any]:
    """Risk as of a past date against who came back within the horizon after it (see above)."""
    horizon = checked_days(horizon_days, "horizon_days")
    latest = today - timedelta(days=horizon)
    day = a_day(as_of) or latest
    if day > latest:
        raise ValidationFailed(
            {
                "as_of": msg(
                    "A backtest over {days} days needs its date at least {days} days ago: choose {latest} or earlier.",
                    days=horizon,
                    latest=latest.isoformat(),
                )
            }
        )
    customers, first = con.execute(BOUNDS_SQL).fetchall()[0]
    if not customers:
        raise ValidationFailed({"as_of": msg("There are no customers yet.")})
    if first is None or day < first:
        raise ValidationFailed(
            {
                "as_of": msg(
                    "Not enough history for a backtest over {days} days: it needs orders placed on or before {day}.",
                    days=horizon,
                    day=day.isoformat(),
                )
            }
        )
    until = day + timedelta(days=horizon)
    params = {"as_of": day, "until": until, "ltv_days": LTV_DAYS, "horizon": horizon}
    rows = con.execute(BACKTEST_SQL, params).fetchall()
    risks = [float(r[0]) for r in rows]
    churned = [bool(r[1]) for r in rows]
    positives = sum(churned)
    top = math.ceil(len(rows) / 10)
    problem: Message | None = None
    auc: float | None = None
    if positives == 0 or positives == len(rows):
        problem = msg(
            "Either every customer scored on that date churned or every one came back: the ranking cannot be measured."
        )
    else:
        from sklearn.metrics import roc_auc_score  # loaded only when a backtest runs

        auc = float(roc_auc_score(churned, risks))
    return {
        "as_of": day,
        "until": until,
        "horizon_days": horizon,
        "customers": len(rows),
        "churned": positives,
        "returned": len(rows) - positives,
        "auc": auc,
        "churned_share": positives / len(rows) if rows else None,
        "top_decile_customers": top,
        "top_decile_churned_share": sum(churned[:top]) / top if top else None,
        "problem": problem,
    }
