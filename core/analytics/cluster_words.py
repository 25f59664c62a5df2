"""A cluster in plain language, in English and Simplified Chinese: its typical customer.

One translated template with placeholders; each placeholder is itself a translated message
(an amount of time, a number of orders, the kind mix) or, for the services, a Bilingual built from
the catalogue's own names, so `core.i18n.translate(description, language)` gives either language.
Money is formatted once in the company's currency (core.formatting.money).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from core.formatting import money, number
from core.i18n import Bilingual, Message, msg

MOST_SERVICES = 3  # services named at most
NAMED_SHARE = 0.1  # a service is named when it takes at least this share (the first one always)
ALMOST_ALL = 0.9  # of companies (or households) for "almost all"
NO_LINES = Bilingual("no services on record", "无服务记录")


def percent(share: float) -> str:
    """0.4237 -> "42%"; a share that is not 0 never reads "0%"."""
    if 0 < share < 0.005:
        return "<1%"
    return f"{Decimal(str(share * 100)).quantize(Decimal(1), ROUND_HALF_UP)}%"


def _figure(value: float) -> str:
    """A typical figure: whole from 10 up, else with one decimal at most (2, 2.5)."""
    places = Decimal(1) if value >= 10 else Decimal("0.1")
    rounded = Decimal(str(value)).quantize(places, ROUND_HALF_UP).normalize()
    return number(rounded)


def ago(days: float) -> Message:
    """How long ago, in the unit a person would use: days, weeks, months or years."""
    if days < 13.5:
        n = max(1, round(days))
        return msg("1 day") if n == 1 else msg("{n} days", n=n)
    if days < 59.5:
        n = round(days / 7)
        return msg("{n} weeks", n=n)
    if days < 700:
        return msg("{n} months", n=round(days / 30.44))
    return msg("{n} years", n=_figure(days / 365.25))


def orders(count: float) -> Message:
    shown = _figure(count)
    return msg("1 order") if shown == "1" else msg("{n} orders", n=shown)


def services(ranked: tuple[tuple[str, Bilingual, float], ...]) -> Bilingual:
    """The favourite services by name, with each one's share: "A (62%), B (20%) and C (12%)"."""
    named = [entry for i, entry in enumerate(ranked[:MOST_SERVICES]) if i == 0 or entry[2] >= NAMED_SHARE]
    if not named:
        return NO_LINES
    english = [f"{name.en} ({percent(share)})" for _, name, share in named]
    chinese = [f"{name.zh}（{percent(share)}）" for _, name, share in named]
    en = english[0] if len(english) == 1 else f"{', '.join(english[:-1])} and {english[-1]}"
    zh = chinese[0] if len(chinese) == 1 else f"{'、'.join(chinese[:-1])}和{chinese[-1]}"
    return Bilingual(en, zh)


def kinds(companies: float) -> Message:
    if companies >= ALMOST_ALL:
        return msg("Almost all companies")
    if companies <= 1 - ALMOST_ALL:
        return msg("Almost all households")
    return msg(
        "{companies} companies, {households} households",
        companies=percent(companies),
        households=percent(1 - companies),
    )


def spend(amount: float) -> str:
    return money(Decimal(str(amount)).quantize(Decimal(1), ROUND_HALF_UP))


def describe(cluster: dict[str, Any]) -> Message:
    """The typical customer of a cluster (number, size, share, centroid, services, companies, per_year)."""
    centroid = cluster["centroid"]
    return msg(
        "{share} of customers ({size}). Last ordered about {recency} ago; {orders} so far, about {per_year} a year; "
        "typically {spend} per order. Mostly {services}. {kinds}.",
        share=percent(cluster["share"]),
        size=number(cluster["size"]),
        recency=ago(centroid["recency_days"]),
        orders=orders(centroid["orders"]),
        per_year=_figure(cluster["per_year"]),
        spend=spend(centroid["average_order_value"]),
        services=services(cluster["services"]),
        kinds=kinds(cluster["companies"]),
    )


def title(number_: int) -> Message:
    return msg("Group {number}", number=number_)
