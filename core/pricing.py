"""Prices, discounts and tax. The system computes every amount; nobody types a total."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

# The largest discount (percent) each role may give on its own. Above it, a manager other than
# the one who asked approves: large discounts always pass two people.
DISCOUNT_LIMITS: dict[str, Decimal] = {"clerk": Decimal(10), "manager": Decimal(20)}


@dataclass(frozen=True)
class PricedLine:
    service_id: int
    service_code: str
    name_en: str
    name_zh: str
    unit: str
    unit_price: Decimal
    quantity: Decimal
    minutes: int
    amount: Decimal


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    discount_amount: Decimal
    tax_rate: Decimal
    tax_amount: Decimal
    total: Decimal
    minutes: int


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def price_line(service: object, quantity: Decimal) -> PricedLine:
    """A line at the service's current price, copied so later price changes leave it alone."""
    unit_price: Decimal = service.unit_price  # type: ignore[attr-defined]
    per_unit: Decimal = service.minutes_per_unit  # type: ignore[attr-defined]
    return PricedLine(
        service_id=service.id,  # type: ignore[attr-defined]
        service_code=service.code,  # type: ignore[attr-defined]
        name_en=service.name_en,  # type: ignore[attr-defined]
        name_zh=service.name_zh,  # type: ignore[attr-defined]
        unit=service.unit,  # type: ignore[attr-defined]
        unit_price=unit_price,
        quantity=quantity,
        minutes=math.ceil(per_unit * quantity),
        amount=cents(unit_price * quantity),
    )


def price_again(kept: object, quantity: Decimal) -> PricedLine:
    """A line already on an order, at its own copied price (a new quantity, never a new price)."""
    per_unit = Decimal(kept.minutes) / kept.quantity if kept.quantity else Decimal(0)  # type: ignore[attr-defined]
    return PricedLine(
        service_id=kept.service_id,  # type: ignore[attr-defined]
        service_code=kept.service_code,  # type: ignore[attr-defined]
        name_en=kept.name_en,  # type: ignore[attr-defined]
        name_zh=kept.name_zh,  # type: ignore[attr-defined]
        unit=kept.unit,  # type: ignore[attr-defined]
        unit_price=kept.unit_price,  # type: ignore[attr-defined]
        quantity=quantity,
        minutes=math.ceil(per_unit * quantity),
        amount=cents(kept.unit_price * quantity),  # type: ignore[attr-defined]
    )


def totals(amounts: Iterable[Decimal], minutes: int, discount_pct: Decimal, tax_rate: Decimal) -> Totals:
    """Subtotal, then the discount, then tax on what is left; each rounded to the fen."""
    subtotal = cents(sum(amounts, Decimal(0)))
    discount_amount = cents(subtotal * discount_pct / HUNDRED)
    taxable = subtotal - discount_amount
    tax_amount = cents(taxable * tax_rate)
    return Totals(subtotal, discount_amount, tax_rate, tax_amount, taxable + tax_amount, minutes)


def discount_limit(roles: frozenset[str]) -> Decimal:
    if "system" in roles:
        return HUNDRED
    return max((DISCOUNT_LIMITS.get(role, Decimal(0)) for role in roles), default=Decimal(0))


def needs_approval(discount_pct: Decimal, roles: frozenset[str]) -> bool:
    return discount_pct > discount_limit(roles)
