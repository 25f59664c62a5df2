"""Prices, discounts and tax: every amount is computed, rounded half-up to the fen."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from core.pricing import discount_limit, needs_approval, price_line, totals

TAX = Decimal("0.06")


def service(price: str = "8.00", minutes: str = "1.5") -> SimpleNamespace:
    return SimpleNamespace(
        id=7,
        code="CARPET",
        name_en="Carpet",
        name_zh="地毯清洗",
        unit="m2",
        unit_price=Decimal(price),
        minutes_per_unit=Decimal(minutes),
    )


def roles(*names: str) -> frozenset[str]:
    return frozenset(names)


# --- Lines -------------------------------------------------------------------------------


def test_a_line_is_the_unit_price_times_the_quantity():
    line = price_line(service("8.00"), Decimal("20"))
    assert line.amount == Decimal("160.00")


def test_a_line_amount_is_rounded_half_up_to_the_fen():
    # 8.33 x 0.5 = 4.165: half-up gives 4.17 (banker's rounding would give 4.16)
    assert price_line(service("8.33"), Decimal("0.5")).amount == Decimal("4.17")


def test_a_line_amount_below_half_a_fen_is_rounded_down():
    assert price_line(service("8.33"), Decimal("0.3")).amount == Decimal("2.50")  # 2.499


def test_a_line_copies_the_service_name_unit_and_price():
    line = price_line(service("12.50"), Decimal("2"))
    assert (line.service_id, line.service_code, line.name_en, line.name_zh, line.unit, line.unit_price) == (
        7,
        "CARPET",
        "Carpet",
        "地毯清洗",
        "m2",
        Decimal("12.50"),
    )


def test_a_line_s_minutes_are_rounded_up_to_the_whole_minute():
    assert price_line(service(minutes="1.5"), Decimal("3")).minutes == 5  # 4.5
    assert price_line(service(minutes="0.1"), Decimal("0.01")).minutes == 1  # 0.001


def test_whole_minutes_are_kept_as_they_are():
    assert price_line(service(minutes="1.5"), Decimal("2")).minutes == 3


# --- Totals ------------------------------------------------------------------------------


def test_totals_go_subtotal_then_discount_then_six_percent_tax_on_what_is_left():
    figures = totals([Decimal("100.00"), Decimal("60.00")], 45, Decimal(10), TAX)
    assert (figures.subtotal, figures.discount_amount, figures.tax_amount, figures.total) == (
        Decimal("160.00"),
        Decimal("16.00"),
        Decimal("8.64"),
        Decimal("152.64"),
    )
    assert (figures.tax_rate, figures.minutes) == (TAX, 45)


def test_without_a_discount_the_total_is_the_subtotal_plus_tax():
    figures = totals([Decimal("160.00")], 30, Decimal(0), TAX)
    assert (figures.discount_amount, figures.tax_amount, figures.total) == (
        Decimal("0.00"),
        Decimal("9.60"),
        Decimal("169.60"),
    )


def test_the_discount_amount_is_rounded_half_up_to_the_fen():
    # 0.50 x 1% = 0.005 -> 0.01
    assert totals([Decimal("0.50")], 0, Decimal(1), TAX).discount_amount == Decimal("0.01")


def test_the_tax_is_rounded_half_up_to_the_fen():
    # 0.75 x 6% = 0.045 -> 0.05 (banker's rounding would give 0.04)
    assert totals([Decimal("0.75")], 0, Decimal(0), TAX).tax_amount == Decimal("0.05")


def test_each_step_is_rounded_before_the_next():
    figures = totals([Decimal("33.33")], 0, Decimal(15), TAX)
    # discount 4.9995 -> 5.00; taxable 28.33; tax 1.6998 -> 1.70
    assert (figures.discount_amount, figures.tax_amount, figures.total) == (
        Decimal("5.00"),
        Decimal("1.70"),
        Decimal("30.03"),
    )


def test_the_total_is_always_taxable_amount_plus_tax():
    figures = totals([Decimal("19.99"), Decimal("0.01"), Decimal("7.77")], 0, Decimal("12.5"), TAX)
    assert figures.total == figures.subtotal - figures.discount_amount + figures.tax_amount


def test_a_full_discount_leaves_nothing_to_pay():
    figures = totals([Decimal("160.00")], 0, Decimal(100), TAX)
    assert (figures.discount_amount, figures.tax_amount, figures.total) == (
        Decimal("160.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )


def test_no_lines_come_to_zero():
    figures = totals([], 0, Decimal(0), TAX)
    assert (figures.subtotal, figures.total) == (Decimal("0.00"), Decimal("0.00"))


# --- Discount limits ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("held", "limit"),
    [
        (roles("clerk"), Decimal(10)),
        (roles("manager"), Decimal(20)),
        (roles("clerk", "manager"), Decimal(20)),
        (roles("clerk", "analyst"), Decimal(10)),
        (roles("analyst"), Decimal(0)),
        (roles("technician"), Decimal(0)),
        (roles(), Decimal(0)),
        (roles("system"), Decimal(100)),
    ],
)
def test_the_discount_limit_is_the_highest_of_the_roles_held(held, limit):
    assert discount_limit(held) == limit


def test_a_clerk_may_give_up_to_ten_percent_on_their_own():
    assert not needs_approval(Decimal(10), roles("clerk"))
    assert needs_approval(Decimal("10.01"), roles("clerk"))


def test_a_manager_may_give_up_to_twenty_percent_and_a_larger_discount_needs_a_second_person():
    assert not needs_approval(Decimal(20), roles("manager"))
    assert needs_approval(Decimal("20.01"), roles("manager"))
    assert needs_approval(Decimal(100), roles("clerk", "manager"))


def test_a_role_without_a_limit_needs_approval_for_any_discount_but_none_for_no_discount():
    assert needs_approval(Decimal("0.5"), roles("analyst"))
    assert not needs_approval(Decimal(0), roles("analyst"))


def test_the_system_never_needs_approval():
    assert not needs_approval(Decimal(100), roles("system"))
