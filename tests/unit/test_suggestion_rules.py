"""The arithmetic of purchase suggestions, checked against figures worked out by hand.

Intervals are built from a chosen sigma with the table value z(80%) = 1.28155 (two-sided), so
sigma comes back out; z(95%) one-sided = 1.64485."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

import pytest

from core.errors import ValidationFailed
from core.stock import quantity_problem
from core.suggestions import (
    Week,
    interval_z,
    is_stale,
    lead_weeks,
    parse_service_level,
    round_up,
    service_z,
    spans,
    suggest,
    week_of,
    weekly_sigma,
    window,
)

Z80 = 1.2815515655446004  # from a normal table: 80% of a normal lies within ±1.28155 sigma


def week(mean: float, sigma: float | None = None, level: int = 80) -> Week:
    """A forecast week whose 80% interval is mean ± 1.28155 sigma."""
    if sigma is None:
        return Week(mean)
    return Week(mean, mean - Z80 * sigma, mean + Z80 * sigma, level)


# --- The normal quantiles -----------------------------------------------------------------


def test_the_interval_quantile_is_two_sided():
    assert interval_z(80) == pytest.approx(1.28155, abs=1e-5)
    assert interval_z(95) == pytest.approx(1.95996, abs=1e-5)


def test_the_service_level_quantile_is_one_sided():
    assert service_z(Decimal("0.95")) == pytest.approx(1.64485, abs=1e-5)
    assert service_z(Decimal("0.9")) == pytest.approx(1.28155, abs=1e-5)


# --- Sigma from the interval ----------------------------------------------------------------


def test_sigma_is_read_off_a_symmetric_interval():
    # (52.8155 - 27.1845) / (2 x 1.28155) = 10
    assert weekly_sigma(week(40, 10)) == pytest.approx(10)
    # a 95% interval 40 ± 19.6 is sigma 10 too
    assert weekly_sigma(Week(40, 20.4, 59.6, 95)) == pytest.approx(10, abs=1e-3)


def test_an_interval_clipped_at_zero_uses_its_upper_half():
    # mean 5, sigma 10: the 80% interval would be -7.8 .. 17.8; stored clipped as 0 .. 17.8
    clipped = Week(5, 0, 5 + Z80 * 10, 80)
    assert weekly_sigma(clipped) == pytest.approx(10)


def test_a_week_without_a_usable_interval_has_no_sigma():
    assert weekly_sigma(Week(40)) is None
    assert weekly_sigma(Week(40, 30, 50, None)) is None
    assert weekly_sigma(Week(40, 30, 50, 100)) is None
    assert weekly_sigma(Week(40, float("nan"), 50, 80)) is None


# --- Lead time in weeks, and the share of each week -----------------------------------------


def test_the_lead_time_is_in_exact_weeks_and_one_week_without_a_supplier():
    assert lead_weeks(10) == Fraction(10, 7)
    assert lead_weeks(14) == 2
    assert lead_weeks(None) == 1
    assert lead_weeks(0) == 0


def test_a_stretch_covers_whole_weeks_and_a_share_of_the_last():
    assert spans(Fraction(0), Fraction(10, 7)) == [(0, 1), (1, Fraction(3, 7))]
    assert spans(Fraction(10, 7), Fraction(17, 7)) == [(1, Fraction(4, 7)), (2, Fraction(3, 7))]
    assert spans(Fraction(0), Fraction(2)) == [(0, 1), (1, 1)]
    assert spans(Fraction(0), Fraction(0)) == []


def test_demand_over_ten_days_is_a_week_and_three_sevenths_of_the_next():
    weeks = [week(70, 7), week(140, 14), week(210, 21)]
    lead = window(weeks, Fraction(0), Fraction(10, 7))
    assert lead.demand == pytest.approx(70 + 140 * 3 / 7)  # 130
    assert lead.variance == pytest.approx(49 + 196 * 3 / 7)  # 133: a part week adds that part of its variance
    assert not lead.without_interval and not lead.beyond_horizon
    review = window(weeks, Fraction(10, 7), Fraction(17, 7))
    assert review.demand == pytest.approx(140 * 4 / 7 + 210 * 3 / 7)  # 80 + 90 = 170


def test_a_short_forecast_repeats_its_last_week_and_says_so():
    stretch = window([week(30, 5)], Fraction(0), Fraction(2))
    assert (stretch.demand, stretch.variance, stretch.beyond_horizon) == (pytest.approx(60), pytest.approx(50), True)


def test_weeks_without_an_interval_add_demand_but_no_variance():
    stretch = window([week(30, 5), Week(20)], Fraction(0), Fraction(2))
    assert (stretch.demand, stretch.variance, stretch.without_interval) == (50, pytest.approx(25), True)


def test_a_negative_forecast_counts_as_no_demand():
    assert window([Week(-4), Week(6)], Fraction(0), Fraction(2)).demand == 6


def test_a_forecast_without_weeks_cannot_be_summed():
    with pytest.raises(ValueError):
        window([], Fraction(0), Fraction(1))


# --- Reorder point and quantity -------------------------------------------------------------

WEEKS = [week(70, 7), week(140, 14), week(210, 21)]


def _suggest(on_hand: str, on_order: str = "0", unit: str = "bottle", reorder_quantity: str = "0", **extra):
    return suggest(
        WEEKS,
        lead_time_days=extra.pop("lead_time_days", 10),
        service_level=extra.pop("service_level", Decimal("0.95")),
        on_hand=Decimal(on_hand),
        on_order=Decimal(on_order),
        reorder_quantity=Decimal(reorder_quantity),
        unit=unit,
    )


def test_reorder_point_is_lead_time_demand_plus_safety_stock():
    found = _suggest("20", "30")
    # D_L = 130; sigma_L = sqrt(133) = 11.5326; SS = 1.64485 x 11.5326 = 18.969 -> 18.97
    assert (found.lead_demand, found.safety_stock, found.reorder_point) == (
        Decimal("130.00"),
        Decimal("18.97"),
        Decimal("148.97"),
    )
    assert found.review_demand == Decimal("170.00")
    assert found.position == Decimal(50)
    # 148.97 + 170 - 50 = 268.97 bottles: 269
    assert (found.order, found.quantity) == (True, Decimal(269))


def test_a_higher_service_level_holds_more_safety_stock():
    # z(0.99) = 2.32635: 2.32635 x 11.5326 = 26.83
    assert _suggest("0", service_level=Decimal("0.99")).safety_stock == Decimal("26.83")
    # z(0.8) = 0.84162: 9.71
    assert _suggest("0", service_level=Decimal("0.8")).safety_stock == Decimal("9.71")


def test_items_not_counted_in_whole_units_are_ordered_to_the_cent():
    assert _suggest("20", "30", unit="litre").quantity == Decimal("268.97")


def test_at_least_the_reorder_quantity_is_ordered():
    assert _suggest("20", "30", reorder_quantity="300").quantity == Decimal(300)


def test_nothing_is_ordered_while_the_position_reaches_the_reorder_point():
    reached = _suggest("100", "48.97")
    assert (reached.order, reached.quantity) == (False, Decimal(0))
    short = _suggest("100", "48.96")
    # 148.97 + 170 - 148.96 = 170.01 bottles: 171
    assert (short.order, short.quantity) == (True, Decimal(171))


def test_two_weeks_of_lead_time_add_their_variances():
    found = suggest(
        [week(40, 10), week(60, 20), week(80, 5)],
        lead_time_days=14,
        service_level=Decimal("0.95"),
        on_hand=Decimal(0),
        on_order=Decimal(0),
        reorder_quantity=Decimal(0),
        unit="kg",
    )
    # D_L = 100; sigma_L = sqrt(100 + 400) = 22.3607; SS = 36.78; review = week 3 = 80
    assert (found.lead_demand, found.safety_stock, found.review_demand) == (
        Decimal("100.00"),
        Decimal("36.78"),
        Decimal("80.00"),
    )
    assert found.quantity == Decimal("216.78")


def test_without_a_supplier_one_week_is_assumed():
    found = _suggest("0", lead_time_days=None)
    # D_L = 70; SS = 1.64485 x 7 = 11.51; review = 140
    assert (found.lead_weeks, found.lead_demand, found.safety_stock, found.review_demand) == (
        1,
        Decimal("70.00"),
        Decimal("11.51"),
        Decimal("140.00"),
    )


def test_whole_units_round_up_and_others_to_the_cent():
    assert round_up(Decimal("2.01"), "bottle") == 3
    assert round_up(Decimal("3"), "piece") == 3
    assert round_up(Decimal("2.001"), "litre") == Decimal("2.01")
    assert round_up(Decimal("2.5"), "kg") == Decimal("2.50")
    for unit, quantity in (("bottle", "2.01"), ("litre", "2.001")):
        item = SimpleNamespace(unit=unit, sku="X")
        assert quantity_problem(item, round_up(Decimal(quantity), unit)) is None  # a purchase order takes it


# --- Service level and staleness ------------------------------------------------------------


@pytest.mark.parametrize("raw", ["0.95", Decimal("0.5001"), 0.9, "0.9998"])
def test_service_levels_between_a_half_and_0_9999_are_taken(raw):
    assert parse_service_level(raw) == Decimal(str(raw))


@pytest.mark.parametrize("raw", ["0.5", "0.9999", "1", "95", "-0.9", "abc", "", None, True, "NaN", "Infinity"])
def test_other_service_levels_are_refused_on_their_field(raw):
    with pytest.raises(ValidationFailed) as refused:
        parse_service_level(raw)
    assert set(refused.value.errors) == {"service_level"}


def test_a_forecast_is_stale_after_35_days():
    assert not is_stale(date(2026, 3, 1), date(2026, 4, 5))  # 35 days
    assert is_stale(date(2026, 3, 1), date(2026, 4, 6))


def test_weeks_start_on_monday():
    assert week_of(date(2026, 12, 2)) == date(2026, 11, 30)  # a Wednesday
    assert week_of(date(2026, 11, 30)) == date(2026, 11, 30)
