"""Which quantities may move through the stock ledger, and the kinds of movement it knows."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from core.entities.stock import ITEM_UNITS, WHOLE_UNITS
from core.i18n import translate
from core.stock import KINDS, quantity_problem


def item(unit: str = "bottle") -> SimpleNamespace:
    return SimpleNamespace(sku="SHAMPOO-5L", unit=unit)


def problem(unit: str, quantity: Decimal | None) -> str | None:
    found = quantity_problem(item(unit), quantity)
    return None if found is None else translate(found, "en")


# --- Zero, negative and not a number -----------------------------------------------------


@pytest.mark.parametrize("quantity", [Decimal(0), Decimal("-1"), Decimal("-0.5"), None, Decimal("NaN")])
def test_nothing_or_less_than_nothing_cannot_move(quantity):
    assert problem("litre", quantity) == "The quantity must be more than zero."


def test_infinity_cannot_move():
    assert problem("litre", Decimal("Infinity")) == "The quantity must be more than zero."


# --- Decimals and whole units ------------------------------------------------------------


def test_more_than_two_decimals_are_refused():
    assert problem("litre", Decimal("1.005")) == "At most two decimals."


def test_two_decimals_of_a_litre_or_a_kilo_are_fine():
    assert problem("litre", Decimal("2.25")) is None
    assert problem("kg", Decimal("0.5")) is None


@pytest.mark.parametrize("unit", sorted(WHOLE_UNITS))
def test_a_fraction_of_a_unit_counted_whole_is_refused_naming_the_item(unit):
    assert problem(unit, Decimal("1.5")) == f"SHAMPOO-5L is counted in whole {unit}s."


@pytest.mark.parametrize("unit", sorted(WHOLE_UNITS))
def test_a_whole_number_of_a_unit_counted_whole_is_fine_even_written_with_decimals(unit):
    assert problem(unit, Decimal("3")) is None
    assert problem(unit, Decimal("3.00")) is None


def test_litre_and_kg_are_the_units_that_allow_fractions():
    assert {choice.value for choice in ITEM_UNITS} - WHOLE_UNITS == {"litre", "kg"}


# --- Kinds of movement -------------------------------------------------------------------


def test_the_ledger_knows_receipts_issues_returns_adjustments_and_counts():
    assert set(KINDS) == {"receipt", "issue", "return", "adjustment", "count"}


def test_every_kind_of_movement_has_both_languages():
    for label in KINDS.values():
        assert label.en and label.zh and label.en != label.zh
