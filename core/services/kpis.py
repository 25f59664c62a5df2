"""The executives' KPI page: every KPI of a period against the previous one, with its sparkline
and the manager's target (definitions: core.analytics.kpis). Targets are KpiTarget rows, audited
like every stamped record."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core import db
from core.actor import Actor
from core.analytics import kpis as rules
from core.clock import today
from core.errors import ValidationFailed
from core.i18n import Message, msg
from core.models import KpiTarget
from core.permissions import service

LIMITS = {"percent": (Decimal(0), Decimal(100)), "rating": (Decimal(1), Decimal(5))}
LARGEST = Decimal("1e12")


def _targets() -> dict[str, tuple[Decimal, bool]]:
    with db.reading() as session:
        return {row.kpi: (row.target, row.higher_is_better) for row in session.execute(select(KpiTarget)).scalars()}


def _change(value: Decimal | int | None, previous: Decimal | int | None) -> tuple[Decimal | None, Decimal | None]:
    """(value − previous, the same in percent of previous); None where it cannot be said."""
    if value is None or previous is None:
        return None, None
    delta = Decimal(value) - Decimal(previous)
    return delta, (delta * 100 / abs(Decimal(previous))).quantize(rules.TENTH) if previous else None


def _off_target(value: Decimal | int | None, target: Decimal | None, higher_is_better: bool) -> bool:
    if value is None or target is None:
        return False
    return Decimal(value) < target if higher_is_better else Decimal(value) > target


def _board(chosen: rules.Period, targets: dict[str, tuple[Decimal, bool]], *, today: date) -> list[dict[str, Any]]:
    """One card per KPI: value, previous value, change, sparkline, target and whether it is off."""
    spans = [(chosen.start, chosen.end), (chosen.previous_start, chosen.previous_end), *chosen.points]
    found = rules.figures(spans, today=today)
    current, previous, points = found[0], found[1], found[2:]
    cards = []
    for kpi in rules.KPIS:
        target, higher = targets.get(kpi.key, (None, kpi.higher_is_better))
        delta, percent = _change(current[kpi.key], previous[kpi.key])
        cards.append(
            {
                "key": kpi.key,
                "label": kpi.label,
                "unit": kpi.unit,
                "value": current[kpi.key],
                "previous": previous[kpi.key],
                "change": delta,
                "change_pct": percent,
                "sparkline": [None if p[kpi.key] is None else float(p[kpi.key]) for p in points],
                "target": target,
                "higher_is_better": higher,
                "off_target": _off_target(current[kpi.key], target, higher),
            }
        )
    return cards


@service("kpis", "view")
def overview(
    *,
    actor: Actor,
    kind: str = "month",
    start: date | None = None,
    end: date | None = None,
    anchor: date | None = None,
) -> dict[str, Any]:
    """The period (this month to date by default), its previous span and one card per KPI."""
    now = today()
    chosen = rules.period(kind, anchor=anchor or now, start=start, end=end)
    return {"period": chosen, "cards": _board(chosen, _targets(), today=now)}


def _target_problem(kpi: rules.Kpi, value: Decimal | None) -> Message | None:
    if value is None:
        return msg("Enter a number.")
    low, high = LIMITS.get(kpi.unit, (None, None))
    if low is not None and high is not None and not low <= value <= high:
        return msg("Enter a number from {low} to {high}.", low=str(low), high=str(high))
    if kpi.unit == "count" and value != value.to_integral_value():
        return msg("Enter a whole number.")
    if abs(value) >= LARGEST:
        return msg("This number is too large.")
    if value < 0 and kpi.key != "gross_margin":  # only a margin may be planned below zero
        return msg("Enter 0 or more.")
    return None


def _number(raw: Any) -> Decimal | None:
    """The number typed, to the 4 decimals a target keeps; None for anything else."""
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
        if not value.is_finite():
            return None
        return value if abs(value) >= LARGEST else value.quantize(Decimal("0.0001"))
    except ArithmeticError:
        return None


@service("kpis", "edit")
def set_target(*, actor: Actor, kpi: str, target: Any, higher_is_better: bool | None = None) -> dict[str, Any]:
    """Set (or, with an empty target, remove) the target of one KPI; `higher_is_better` defaults
    to the KPI's own sense (fewer lost customers is better)."""
    definition = rules.BY_KEY.get(kpi)
    if definition is None:
        raise ValidationFailed({"kpi": msg("Choose a KPI.")})
    clearing = target is None or str(target).strip() == ""
    value = None if clearing else _number(target)
    if not clearing:
        problem = _target_problem(definition, value)
        if problem is not None:
            raise ValidationFailed({"target": problem})
    higher = definition.higher_is_better if higher_is_better is None else bool(higher_is_better)
    with db.writing(actor) as session:
        row = session.execute(select(KpiTarget).where(KpiTarget.kpi == kpi)).scalar_one_or_none()
        if clearing:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(KpiTarget(kpi=kpi, target=value, higher_is_better=higher))
        else:
            row.target, row.higher_is_better = value, higher  # type: ignore[assignment]
        session.commit()
    return {"kpi": kpi, "target": value, "higher_is_better": higher}
