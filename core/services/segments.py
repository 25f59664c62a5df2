"""Customer segments (RFM), churn risk and lifetime value, read from the analytics snapshot.

Definitions: core.analytics.segments (orders counted, scores, the segment map, movement) and
core.analytics.churn (usual interval, risk, lifetime value, backtest). Every figure is as of a
company date, today by default; a date in the future or before the first order is refused.
A campaign download masks phones and email for everyone and addresses for roles that may not edit
customers, with the analysts' datasets' masking (core.analytics.datasets), and is written in the
audit trail.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import Any

from core.actor import Actor
from core.analytics import churn as risk_rules
from core.analytics import segments as rules
from core.analytics import snapshot
from core.analytics.datasets import CUSTOMERS, safe_sql, sees_addresses
from core.audit import record_event
from core.auth import live_roles
from core.clock import today
from core.errors import ValidationFailed
from core.i18n import Bilingual as B
from core.i18n import Message, msg
from core.permissions import service

MAX_PER_PAGE = 500
CENT = Decimal("0.01")
SORTS = {"risk": "s.risk DESC, s.id", "value": "s.lifetime_value DESC, s.id", "monetary": "s.monetary DESC, s.id"}
SORTS["recent"] = "s.recency, s.id"

ROW_SQL = f"""
{risk_rules.with_gaps()}
SELECT s.id, c.code, c.name, c.kind, a.name_{{lang}} AS area, s.r, s.f, s.m, s.segment, s.last_day, s.orders,
       s.monetary, s.recency, s.gap, s.own_interval, s.risk, s.lifetime_value
FROM ({risk_rules.risk_sql()}) s JOIN customers c ON c.id = s.id JOIN service_areas a ON a.id = c.area_id
WHERE ($segment IS NULL OR s.segment = $segment) AND s.orders >= $min_orders
"""
ROW_KEYS = (
    "id",
    "code",
    "name",
    "kind",
    "area",
    "r",
    "f",
    "m",
    "segment",
    "last_order_day",
    "orders",
    "monetary",
    "recency_days",
    "usual_interval_days",
    "own_interval",
    "churn_risk",
    "lifetime_value",
)


def _segment(segment: str | None, *, required: bool = False) -> str | None:
    if (segment is None and required) or (segment is not None and segment not in rules.BY_KEY):
        raise ValidationFailed({"segment": msg("Choose one of the segments.")})
    return segment


def _paging(page: Any, per_page: Any) -> tuple[int, int]:
    errors: dict[str, Message] = {}
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        errors["page"] = msg("Enter a page number of 1 or more.")
    if isinstance(per_page, bool) or not isinstance(per_page, int) or not 1 <= per_page <= MAX_PER_PAGE:
        errors["per_page"] = msg("Enter a number of rows per page from 1 to {most}.", most=MAX_PER_PAGE)
    if errors:
        raise ValidationFailed(errors)
    return page, per_page


def _row(values: tuple[Any, ...]) -> dict[str, Any]:
    row = dict(zip(ROW_KEYS, values, strict=True))
    row["monetary"] = Decimal(row["monetary"])
    row["lifetime_value"] = Decimal(str(row["lifetime_value"])).quantize(CENT)
    row["churn_risk"] = float(row["churn_risk"])
    row["usual_interval_days"] = float(row["usual_interval_days"])
    return row


def _page(
    con: Any, day: date, segment: str | None, order: str, page: int, per_page: int, language: str, min_orders: int = 1,
    horizon: int = risk_rules.BACKTEST_DAYS,
) -> dict[str, Any]:  # fmt: skip
    params = {"as_of": day, "ltv_days": risk_rules.LTV_DAYS, "segment": segment, "min_orders": min_orders}
    params["horizon"] = horizon
    base = ROW_SQL.replace("{lang}", "zh" if language == "zh" else "en")
    # The count rides along as a window over every matching row, so the customers are scored once.
    paged = f"SELECT *, count(*) OVER () AS total FROM ({base}) s ORDER BY {order} LIMIT {per_page} "
    found = con.execute(f"{paged} OFFSET {(page - 1) * per_page}", params).fetchall()
    counted = found or con.execute(f"SELECT count(*) FROM ({base})", params).fetchall()  # past the last page
    total = int(counted[0][-1])
    rows = [_row(r[:-1]) for r in found]
    return {
        "as_of": day,
        "rows": rows,
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": max(1, math.ceil(total / per_page)),
    }


@service("segments", "view")
def overview(*, actor: Actor, as_of: date | None = None, period_days: int = 90) -> dict[str, Any]:
    """The segments as of a date: one summary row per segment (key, label, customers,
    customer_share, revenue, revenue_share, average_recency, average_orders), the totals, the
    customers not scored (no order yet), and the movement since `period_days` before."""
    period = rules.checked_period(period_days)
    with snapshot.reader() as con:
        day = rules.checked_day(con, as_of, today())
        found = rules.board(con, day, period)
    return {
        "as_of": day,
        "period_days": period,
        "segments": found["rows"],
        "labels": {s.key: s.label for s in rules.SEGMENTS},
        "customers": found["customers"],
        "revenue": found["revenue"],
        "unscored": found["unscored"],
        "movement": found["movement"],
    }


@service("segments", "view")
def customers(
    *,
    actor: Actor,
    segment: str | None = None,
    as_of: date | None = None,
    page: int = 1,
    per_page: int = 50,
    sort: str = "value",
    language: str = "en",
) -> dict[str, Any]:
    """One page of the scored customers (of a segment, or all), with scores, segment, churn risk
    (the chance of no order in the next BACKTEST_DAYS days) and lifetime value; `sort` is value,
    risk, monetary or recent."""
    chosen = _segment(segment)
    page, per_page = _paging(page, per_page)
    if sort not in SORTS:
        raise ValidationFailed({"sort": msg("Choose how to sort the list.")})
    with snapshot.reader() as con:
        day = rules.checked_day(con, as_of, today())
        return _page(con, day, chosen, SORTS[sort], page, per_page, language)


@service("segments", "view")
def churn(
    *,
    actor: Actor,
    as_of: date | None = None,
    segment: str | None = None,
    min_orders: int = 1,
    page: int = 1,
    per_page: int = 50,
    horizon_days: int = risk_rules.BACKTEST_DAYS,
    language: str = "en",
) -> dict[str, Any]:
    """The customers by churn risk (the chance of no order in the next `horizon_days` days),
    riskiest first (one page), with the backtest over `horizon_days` beside it; when the history
    is too short for the backtest, `backtest` is None and `backtest_problem` says why."""
    chosen = _segment(segment)
    page, per_page = _paging(page, per_page)
    if isinstance(min_orders, bool) or not isinstance(min_orders, int) or min_orders < 1:
        raise ValidationFailed({"min_orders": msg("Enter a whole number of orders of 1 or more.")})
    horizon = risk_rules.checked_days(horizon_days, "horizon_days")
    now = today()
    with snapshot.reader() as con:
        day = rules.checked_day(con, as_of, now)
        found = _page(con, day, chosen, SORTS["risk"], page, per_page, language, min_orders, horizon)
        try:
            found["backtest"], found["backtest_problem"] = risk_rules.backtest(con, None, horizon, now), None
        except ValidationFailed as refused:
            found["backtest"], found["backtest_problem"] = None, refused.errors["as_of"]
    return found


@service("segments", "view")
def backtest(
    *, actor: Actor, as_of: date | None = None, horizon_days: int = risk_rules.BACKTEST_DAYS
) -> dict[str, Any]:
    """Risk as of `as_of` (today − horizon by default) against who came back within the horizon:
    as_of, until, horizon_days, customers, churned, returned, auc (None when one class is empty,
    with `problem`), churned_share, top_decile_customers, top_decile_churned_share."""
    with snapshot.reader() as con:
        return risk_rules.backtest(con, as_of, horizon_days, today())


@service("segments", "view")
def segment_customer_ids(*, actor: Actor, segment: str, as_of: date | None = None) -> list[int]:
    """Every customer id of the segment as of the date (today by default), ascending."""
    chosen = _segment(segment, required=True)
    with snapshot.reader() as con:
        day = rules.checked_day(con, as_of, today())
        sql = f"SELECT id FROM ({rules.scored_sql()}) WHERE segment = $segment ORDER BY id"
        return [int(r[0]) for r in con.execute(sql, {"as_of": day, "segment": chosen}).fetchall()]


CAMPAIGN_COLUMNS = ("code", "name", "kind", "contact_person", "phone", "phone_alt", "email", "address")


def _masked(actor: Actor) -> bool:
    return not sees_addresses(actor.roles if actor.is_system else live_roles(actor))


@service("segments", "view")
def campaign_rows(*, actor: Actor, segment: str, as_of: date | None = None, language: str = "en") -> dict[str, Any]:
    """Every customer of the segment for a campaign download: the customer's columns of the
    analysts' customers dataset (contacts masked, addresses too for roles that may not edit customers,
    formula-like text quoted) with area, segment, last order day, orders, monetary, churn risk and
    lifetime value. Returns columns (name, label), rows (dicts), masked; audited as an export."""
    chosen = _segment(segment, required=True)
    masked = _masked(actor)
    lang = "zh" if language == "zh" else "en"
    picked = [c for name in CAMPAIGN_COLUMNS if (c := CUSTOMERS.column(name)) is not None]
    selects = [f'{safe_sql(f"CAST({c.expression(lang, masked)} AS VARCHAR)")} AS "{c.name}"' for c in picked]
    sql = (
        f"{risk_rules.with_gaps()} SELECT {', '.join(selects)}, a.name_{lang} AS area, s.last_day, s.orders, "
        f"s.monetary, s.risk, s.lifetime_value FROM ({risk_rules.risk_sql()}) s JOIN customers c ON c.id = s.id "
        f"JOIN service_areas a ON a.id = c.area_id WHERE s.segment = $segment ORDER BY s.lifetime_value DESC, s.id"
    )
    with snapshot.reader() as con:
        day = rules.checked_day(con, as_of, today())
        params = {"as_of": day, "segment": chosen, "ltv_days": risk_rules.LTV_DAYS, "horizon": risk_rules.BACKTEST_DAYS}
        found = con.execute(sql, params).fetchall()
    names = [c.name for c in picked] + ["area", "last_order_day", "orders", "monetary", "churn_risk", "lifetime_value"]
    rows = []
    for values in found:
        row = dict(zip(names, values, strict=True))
        row["segment"] = rules.BY_KEY[chosen].label.get(lang)
        row["churn_risk"] = round(float(row["churn_risk"]), 4)
        row["lifetime_value"] = Decimal(str(row["lifetime_value"])).quantize(CENT)
        rows.append(row)
    labels = {c.name: c.label.get(lang) for c in picked}
    record_event(
        actor,
        "export",
        entity=f"segment:{chosen}",
        detail=f"{len(rows)} rows; as of {day}; masked contacts; {'masked' if masked else 'full'} addresses",
    )
    return {"as_of": day, "columns": [*labels.items(), *_extra_labels(lang)], "rows": rows, "masked": masked}


def _extra_labels(lang: str) -> list[tuple[str, str]]:
    extra = {
        "area": B("Area", "区域"),
        "segment": B("Segment", "分群"),
        "last_order_day": B("Last order", "最近下单"),
        "orders": B("Orders", "订单数"),
        "monetary": B("Spent", "消费金额"),
        "churn_risk": B("Churn risk", "流失风险"),
        "lifetime_value": B("Expected value (12 months)", "预期价值（12个月）"),
    }
    return [(k, v.get(lang)) for k, v in extra.items()]
