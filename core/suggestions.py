"""Purchase suggestions from the consumption forecast: the arithmetic, without the database.

For one item, with its supplier's lead time L = lead_time_days / 7 weeks (one week when the item
has no supplier) and the weekly forecast counted from the current week:

* demand over the lead time D_L is the forecast mean summed over the first ceil(L) weeks, the
  last week counted for the fraction of it the lead time covers (10 days = 1 week + 3/7 of the next);
* the weekly uncertainty sigma comes from the stored prediction interval at `level` percent:
  (high - low) / (2 z) for a symmetric interval, z the two-sided normal quantile of the level
  (80% -> 1.2816). An interval clipped at zero (consumption cannot go below it) is not
  symmetric, so the wider half over z is used, which is the same number for a symmetric one;
* sigma over the lead time is the square root of the summed weekly variances; a week counted in
  part adds that part of its variance (demand on separate days taken as independent);
* safety stock SS = z(service level) x sigma_L, z from the standard normal inverse CDF: at 95%,
  1.645 sigma_L covers the lead time's demand 95 times out of 100;
* reorder point ROP = D_L + SS. When stock on hand plus on order is below it, order
  ROP + the demand of the review period (the week after the lead time, by default) - position,
  at least the item's reorder quantity, rounded up: whole units (`WHOLE_UNITS`, the rule the
  stock ledger's `quantity_problem` enforces) to the next whole, other units to the cent.

A forecast shorter than the lead time plus the review period repeats its last week (flagged).
Weeks without an interval add no safety stock (flagged): the page says so beside the figure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from statistics import NormalDist
from typing import Any

from core.entities.stock import WHOLE_UNITS
from core.errors import ValidationFailed
from core.i18n import msg

STALE_DAYS = 35  # a forecast whose history ended longer ago than this is still used, but flagged
REVIEW_WEEKS = 1  # how often purchasing looks again: an order covers the lead time and this much more
ASSUMED_LEAD_DAYS = 7  # an item without a supplier: one week, and the row says it was assumed
LOWEST_LEVEL, HIGHEST_LEVEL = Decimal("0.5"), Decimal("0.9999")  # exclusive bounds of a service level
CENT = Decimal("0.01")
_NORMAL = NormalDist()


@dataclass(frozen=True)
class Week:
    """One week of the consumption forecast: its mean and, when the model gave one, its prediction
    interval (low, high) at `level` percent."""

    mean: float
    low: float | None = None
    high: float | None = None
    level: float | None = None


@dataclass(frozen=True)
class Window:
    """The forecast over a stretch of weeks: expected demand, its variance, and whether some week
    had no interval (adding no variance) or lay beyond the forecast (its last week repeated)."""

    demand: float
    variance: float
    without_interval: bool
    beyond_horizon: bool


@dataclass(frozen=True)
class Suggestion:
    """What to do about one item: the figures behind the decision, and the quantity (0 when the
    stock position reaches the reorder point)."""

    lead_weeks: Fraction
    lead_demand: Decimal
    safety_stock: Decimal
    reorder_point: Decimal
    review_demand: Decimal
    position: Decimal
    order: bool
    quantity: Decimal
    without_interval: bool
    beyond_horizon: bool


def parse_service_level(raw: Any) -> Decimal:
    """The chance of not running out over a lead time, as a fraction strictly between 0.5 and 0.9999.
    Anything else (a percentage like 95, text, 1) is refused on the field "service_level"."""
    level: Decimal | None
    try:
        level = None if isinstance(raw, bool) else Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        level = None
    if level is None or not level.is_finite() or not LOWEST_LEVEL < level < HIGHEST_LEVEL:
        raise ValidationFailed(
            {"service_level": msg("The service level must be above 0.5 and below 0.9999 (0.95 means 95%).")}
        )
    return level


def service_z(level: Decimal) -> float:
    """How many standard deviations of demand the safety stock holds: one-sided, 0.95 -> 1.6449."""
    return _NORMAL.inv_cdf(float(level))


def interval_z(level_percent: float) -> float:
    """Half the width of a two-sided `level_percent`% normal interval in standard deviations: 80 -> 1.2816."""
    return _NORMAL.inv_cdf(0.5 + float(level_percent) / 200)


def weekly_sigma(week: Week) -> float | None:
    """The week's standard deviation read off its interval; None without a usable interval."""
    if week.low is None or week.high is None or week.level is None or not 0 < week.level < 100:
        return None
    if not all(math.isfinite(x) for x in (week.mean, week.low, week.high)):
        return None
    return max(week.high - week.mean, week.mean - week.low, 0.0) / interval_z(week.level)


def lead_weeks(lead_time_days: int | None) -> Fraction:
    """A supplier's lead time in weeks, exactly (10 days = 10/7); without a supplier, one week."""
    return Fraction(ASSUMED_LEAD_DAYS if lead_time_days is None else max(lead_time_days, 0), 7)


def spans(start: Fraction, end: Fraction) -> list[tuple[int, Fraction]]:
    """The weeks (0 = the current one) that the stretch [start, end) covers, with the share of each."""
    covered = []
    week = math.floor(start)
    while week < end:
        share = min(end, week + 1) - max(start, Fraction(week))
        if share > 0:
            covered.append((week, share))
        week += 1
    return covered


def window(weeks: Sequence[Week], start: Fraction, end: Fraction) -> Window:
    """Expected demand and its variance over [start, end) in weeks; the forecast must hold a week.
    A negative or missing mean counts as no demand (consumption never gives stock back)."""
    if not weeks:
        raise ValueError("a forecast without weeks cannot be summed")
    demand = variance = 0.0
    without_interval = beyond = False
    for index, share in spans(start, end):
        beyond = beyond or index >= len(weeks)
        week = weeks[min(index, len(weeks) - 1)]
        mean = week.mean if math.isfinite(week.mean) else 0.0
        demand += float(share) * max(mean, 0.0)
        sigma = weekly_sigma(week)
        if sigma is None:
            without_interval = True
        else:
            variance += float(share) * sigma**2
    return Window(demand, variance, without_interval, beyond)


def cents(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def round_up(quantity: Decimal, unit: str) -> Decimal:
    """An order never falls short: whole units up to the next whole, other units up to the cent
    (what `core.stock.quantity_problem` accepts on a purchase order line)."""
    if unit in WHOLE_UNITS:
        return quantity.to_integral_value(rounding=ROUND_CEILING)
    return quantity.quantize(CENT, rounding=ROUND_CEILING)


def suggest(
    weeks: Sequence[Week],
    *,
    lead_time_days: int | None,
    service_level: Decimal,
    on_hand: Decimal,
    on_order: Decimal,
    reorder_quantity: Decimal,
    unit: str,
    review_weeks: int = REVIEW_WEEKS,
) -> Suggestion:
    """Reorder point and order quantity of one item (see the module's description). Figures are
    rounded to the cent before they are compared, so the page shows exactly what was decided on."""
    lead = lead_weeks(lead_time_days)
    over_lead = window(weeks, Fraction(0), lead)
    review = window(weeks, lead, lead + review_weeks)
    lead_demand = cents(over_lead.demand)
    safety = cents(service_z(service_level) * math.sqrt(over_lead.variance))
    reorder_point = lead_demand + safety
    review_demand = cents(review.demand)
    position = on_hand + on_order
    order = position < reorder_point
    quantity = Decimal(0)
    if order:
        quantity = round_up(max(reorder_point + review_demand - position, reorder_quantity), unit)
    return Suggestion(
        lead_weeks=lead,
        lead_demand=lead_demand,
        safety_stock=safety,
        reorder_point=reorder_point,
        review_demand=review_demand,
        position=position,
        order=order,
        quantity=quantity,
        without_interval=over_lead.without_interval,
        beyond_horizon=over_lead.beyond_horizon or review.beyond_horizon,
    )


def week_of(day: date) -> date:
    """The Monday of the day's week: forecast weeks before it are over and are not counted."""
    return day - timedelta(days=day.weekday())


def is_stale(as_of: date, today: date) -> bool:
    """A forecast whose history ended more than STALE_DAYS ago: still used, but the page flags it."""
    return (today - as_of).days > STALE_DAYS
