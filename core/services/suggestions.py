"""Purchase suggestions driven by the consumption forecast: a reorder point and a quantity per item
(the arithmetic is core.suggestions), and draft purchase orders made from them, one per supplier,
that go through the usual submit and approval steps.

The forecast is read as stored by the newest finished run (ForecastRun status 'done', its
'consumption' series and their weekly points), counted from the current week."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import db
from core import suggestions as rules
from core.actor import Actor
from core.clock import today
from core.config import get_settings
from core.errors import OpsdeskError, ValidationFailed
from core.i18n import Message, msg, translate
from core.models import ForecastPoint, ForecastRun, ForecastSeries, Item, PurchaseOrder, PurchaseOrderLine, Supplier
from core.permissions import service
from core.services.purchasing import _on_order, create_purchase_order

Forecasts = dict[int, tuple[str, list[rules.Week]]]  # item id -> (model, weeks from this week on)

NO_RUN = msg("No forecast has been made yet: run the forecasts first, then purchase suggestions can be worked out.")


def _newest_run(session: Session) -> ForecastRun | None:
    """The run in force, as the forecasts pages see it: the newest one that is done."""
    return session.scalars(
        select(ForecastRun)
        .where(ForecastRun.status == "done")
        .order_by(ForecastRun.finished_at.desc().nulls_last(), ForecastRun.id.desc())
        .limit(1)
    ).first()


def _forecasts(session: Session, run_id: int, first_week: date) -> tuple[set[int], Forecasts]:
    """Items with a consumption series in the run, and for each its model and the weeks from
    `first_week` on (a duplicate series of an item: the first one counts)."""
    series: dict[int, tuple[int, str]] = {}
    for series_id, item_id, model in session.execute(
        select(ForecastSeries.id, ForecastSeries.item_id, ForecastSeries.model)
        .where(
            ForecastSeries.run_id == run_id, ForecastSeries.kind == "consumption", ForecastSeries.item_id.is_not(None)
        )
        .order_by(ForecastSeries.id)
    ):
        series.setdefault(item_id, (series_id, model))
    points: dict[int, list[rules.Week]] = defaultdict(list)
    for series_id, value, low, high, level in session.execute(
        select(ForecastPoint.series_id, ForecastPoint.value, ForecastPoint.low, ForecastPoint.high, ForecastPoint.level)
        .join(ForecastSeries, ForecastSeries.id == ForecastPoint.series_id)
        .where(ForecastSeries.run_id == run_id, ForecastSeries.kind == "consumption", ForecastPoint.week >= first_week)
        .order_by(ForecastPoint.series_id, ForecastPoint.week)
    ):
        points[series_id].append(rules.Week(value, low, high, level))
    found = {item_id: (model, points[series_id]) for item_id, (series_id, model) in series.items() if points[series_id]}
    return set(series), found


def _in_drafts(session: Session) -> dict[int, list[str]]:
    """The draft purchase orders each item is already on (not yet on order, but about to be)."""
    drafts: dict[int, list[str]] = defaultdict(list)
    for item_id, number in session.execute(
        select(PurchaseOrderLine.item_id, PurchaseOrder.number)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .where(PurchaseOrder.status == "draft")
        .order_by(PurchaseOrder.id)
    ):
        if number not in drafts[item_id]:
            drafts[item_id].append(number)
    return drafts


def _notes(supplier: Supplier | None, found: rules.Suggestion) -> list[Message]:
    notes = []
    if supplier is None:
        notes.append(msg("No supplier is set: a lead time of one week is assumed."))
    elif not supplier.active:
        notes.append(msg("The supplier is no longer in use: choose another before ordering."))
    if found.without_interval:
        notes.append(msg("Some forecast weeks have no prediction interval: they add no safety stock."))
    if found.beyond_horizon:
        notes.append(msg("The forecast ends before the lead time and review week do: its last week is repeated."))
    return notes


def _row(item: Item, supplier: Supplier | None, model: str, found: rules.Suggestion, on_order: Decimal) -> dict:
    return {
        "item_id": item.id,
        "sku": item.sku,
        "name_en": item.name_en,
        "name_zh": item.name_zh,
        "unit": item.unit,
        "supplier_id": supplier.id if supplier else None,
        "supplier_name": supplier.name if supplier else None,
        "supplier_active": bool(supplier and supplier.active),
        "lead_time_days": supplier.lead_time_days if supplier else None,
        "lead_weeks": (Decimal(found.lead_weeks.numerator) / found.lead_weeks.denominator).quantize(rules.CENT),
        "model": model,
        "lead_demand": found.lead_demand,
        "safety_stock": found.safety_stock,
        "reorder_point": found.reorder_point,
        "review_demand": found.review_demand,
        "on_hand": item.on_hand,
        "on_order": on_order,
        "position": found.position,
        "reorder_quantity": item.reorder_quantity,
        "order": found.order,
        "suggested": found.quantity,
        "unit_cost": item.unit_cost,
        "value": (found.quantity * item.unit_cost).quantize(rules.CENT),
        "notes": _notes(supplier, found),
        "drafts": [],
    }


def _groups(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items to order per supplier (None: items without one), with the value of each group."""
    grouped: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["order"]:
            grouped[row["supplier_id"]].append(row)
    groups = [
        {
            "supplier_id": supplier_id,
            "supplier_name": lines[0]["supplier_name"],
            "supplier_active": lines[0]["supplier_active"],
            "lead_time_days": lines[0]["lead_time_days"],
            "lines": lines,
            "total": sum((line["value"] for line in lines), Decimal(0)),
        }
        for supplier_id, lines in grouped.items()
    ]
    return sorted(groups, key=lambda g: (g["supplier_id"] is None, g["supplier_name"] or ""))


def _work_out(raw_level: Any) -> dict[str, Any]:
    level = rules.parse_service_level(get_settings().service_level if raw_level is None else raw_level)
    day = today()
    result: dict[str, Any] = {
        "service_level": level,
        "review_weeks": rules.REVIEW_WEEKS,
        "run": None,
        "stale": False,
        "message": NO_RUN,
        "rows": [],
        "groups": [],
        "total": Decimal(0),
        "without_forecast": [],
    }
    with db.reading() as session:
        run = _newest_run(session)
        if run is None:
            return result
        stale = rules.is_stale(run.as_of, day)
        result["run"] = {
            "id": run.id,
            "as_of": run.as_of,
            "finished_at": run.finished_at,
            "horizon_weeks": run.horizon_weeks,
            "age_days": (day - run.as_of).days,
        }
        result["stale"] = stale
        result["message"] = (
            msg(
                "The newest forecast reads the history up to {day}, {days} days ago: "
                "run the forecasts again for fresher suggestions.",
                day=run.as_of.isoformat(),
                days=(day - run.as_of).days,
            )
            if stale
            else None
        )
        with_series, forecasts = _forecasts(session, run.id, rules.week_of(day))
        on_order = _on_order(session)
        drafts = _in_drafts(session)
        suppliers = {s.id: s for s in session.execute(select(Supplier)).scalars()}
        rows, missing = [], []
        for item in session.execute(select(Item).where(Item.active.is_(True)).order_by(Item.sku)).scalars():
            if item.id not in forecasts:
                reason = (
                    msg("The forecast has no weeks from this week on: run the forecasts again.")
                    if item.id in with_series
                    else msg("No consumption forecast: the item was not used in the history the forecast read.")
                )
                missing.append(
                    {
                        "item_id": item.id,
                        "sku": item.sku,
                        "name_en": item.name_en,
                        "name_zh": item.name_zh,
                        "unit": item.unit,
                        "on_hand": item.on_hand,
                        "reason": reason,
                    }
                )
                continue
            model, weeks = forecasts[item.id]
            supplier = suppliers.get(item.supplier_id) if item.supplier_id else None
            coming = on_order.get(item.id, Decimal(0))
            found = rules.suggest(
                weeks,
                lead_time_days=supplier.lead_time_days if supplier else None,
                service_level=level,
                on_hand=item.on_hand,
                on_order=coming,
                reorder_quantity=item.reorder_quantity,
                unit=item.unit,
            )
            row = _row(item, supplier, model, found, coming)
            row["drafts"] = drafts.get(item.id, [])
            rows.append(row)
    result["rows"], result["without_forecast"] = rows, missing
    result["groups"] = _groups(rows)
    result["total"] = sum((g["total"] for g in result["groups"]), Decimal(0))
    return result


@service("purchasing", "view")
def purchase_suggestions(*, actor: Actor, service_level: Any = None) -> dict[str, Any]:
    """Reorder point and suggested quantity of every active item with a consumption forecast, at a
    service level (default: the setting OPSDESK_SERVICE_LEVEL); the items to order grouped per
    supplier with their value; the items without a forecast, each with the reason. Without any
    finished forecast run, `run` is None and `message` says what to do."""
    return _work_out(service_level)


def _skipped(row: dict[str, Any], reason: Message) -> dict[str, Any]:
    return {"item_id": row["item_id"], "sku": row["sku"], "reason": reason}


def _chosen(item_ids: Any) -> set[int]:
    try:
        return {int(i) for i in item_ids}
    except (TypeError, ValueError):
        raise ValidationFailed({"item_ids": msg("Choose the items from the suggestions.")}) from None


@service("purchasing", "create")
def draft_suggested_orders(
    *, actor: Actor, service_level: Any = None, item_ids: list[int] | None = None
) -> dict[str, Any]:
    """Draft purchase orders for the suggested items (all of them, or those of `item_ids`), one per
    supplier, made by create_purchase_order (same checks, numbering and audit) at the items' current
    cost, expected after the supplier's lead time. They still need submitting and approving by
    someone else. Items without a supplier in use, or already on a draft, are left out and listed."""
    found = _work_out(service_level)
    if found["run"] is None:
        raise OpsdeskError(NO_RUN)
    chosen = None if item_ids is None else _chosen(item_ids)
    wanted = [r for r in found["rows"] if r["order"] and (chosen is None or r["item_id"] in chosen)]
    if not wanted:
        raise OpsdeskError(msg("Nothing to order: stock on hand and on order covers every reorder point."))
    skipped: list[dict[str, Any]] = []
    per_supplier: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in wanted:
        if row["supplier_id"] is None:
            skipped.append(_skipped(row, msg("No supplier is set for this item.")))
        elif not row["supplier_active"]:
            skipped.append(_skipped(row, msg("The item's supplier is no longer in use.")))
        elif row["drafts"]:
            reason = msg("Already on draft purchase order {number}.", number=", ".join(row["drafts"]))
            skipped.append(_skipped(row, reason))
        else:
            per_supplier[row["supplier_id"]].append(row)
    if not per_supplier:
        raise OpsdeskError(
            msg("No draft was made: the items to order have no supplier in use or are already on a draft.")
        )
    percent = f"{(found['service_level'] * 100).normalize():f}"
    note = translate(
        msg("Suggested from forecast run {run} at a {level}% service level.", run=found["run"]["id"], level=percent),
        get_settings().language,
    )
    orders = []
    for supplier_id, rows in per_supplier.items():
        lead_days = rows[0]["lead_time_days"]
        orders.append(
            create_purchase_order(
                actor=actor,
                supplier_id=supplier_id,
                lines=[
                    {"item_id": r["item_id"], "quantity": r["suggested"], "unit_cost": r["unit_cost"]} for r in rows
                ],
                expected_on=today() + timedelta(days=lead_days),
                notes=note,
            )
        )
    return {"orders": orders, "skipped": skipped}
