"""The materials each catalogue service consumes per unit, and what a job should therefore
use: the technician sees the proposal and confirms what was really used."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm.attributes import flag_modified

from core import db
from core.actor import Actor
from core.entities.stock import WHOLE_UNITS
from core.errors import NotFound, ValidationFailed
from core.i18n import Message, msg
from core.models import Item, Order, Service, ServiceMaterial
from core.order_rules import decimal
from core.permissions import service


def _rows(session: Any, service_id: int) -> list[dict[str, Any]]:
    found = session.execute(
        select(ServiceMaterial, Item)
        .join(Item, Item.id == ServiceMaterial.item_id)
        .where(ServiceMaterial.service_id == service_id)
        .order_by(Item.sku)
    ).all()
    return [
        {
            "item_id": i.id,
            "sku": i.sku,
            "name_en": i.name_en,
            "name_zh": i.name_zh,
            "unit": i.unit,
            "quantity_per_unit": m.quantity_per_unit,
        }
        for m, i in found
    ]


@service("catalogue", "view")
def service_materials(*, actor: Actor, service_id: int) -> list[dict[str, Any]]:
    with db.reading() as session:
        return _rows(session, service_id)


@service("catalogue", "edit")
def set_service_materials(*, actor: Actor, service_id: int, materials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Replace the service's list of materials per unit (an empty list: it uses none)."""
    errors: dict[str, Message] = {}
    seen: set[int] = set()
    with db.writing(actor) as session:
        if session.get(Service, service_id) is None:
            raise NotFound(msg("Service {id} does not exist.", id=service_id))
        chosen = []
        for index, row in enumerate(materials):
            item = session.get(Item, row.get("item_id") or 0)
            per_unit = decimal(row.get("quantity_per_unit"))
            if item is None:
                errors[f"materials.{index}.item_id"] = msg("Choose an item in use.")
            elif item.id in seen:
                errors[f"materials.{index}.item_id"] = msg("This item is already listed.")
            if per_unit is None or per_unit <= 0:
                errors[f"materials.{index}.quantity_per_unit"] = msg("The quantity must be more than zero.")
            if item is not None and per_unit is not None and per_unit > 0:
                seen.add(item.id)
                chosen.append(
                    ServiceMaterial(
                        service_id=service_id, item_id=item.id, quantity_per_unit=Decimal(str(row["quantity_per_unit"]))
                    )
                )
        if errors:
            raise ValidationFailed(errors)
        session.execute(delete(ServiceMaterial).where(ServiceMaterial.service_id == service_id))
        session.add_all(chosen)
        # The list is part of the service: its stamp and version move, so the analytics snapshot re-reads it.
        flag_modified(session.get(Service, service_id), "updated_at")
        session.flush()
        rows = _rows(session, service_id)
        session.commit()
    return rows


def _rounded(item: Item, quantity: Decimal) -> Decimal:
    if item.unit in WHOLE_UNITS:
        return quantity.to_integral_value(rounding=ROUND_CEILING)
    return quantity.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@service("jobs", "view")
def proposed_materials(*, actor: Actor, order_id: int) -> list[dict[str, Any]]:
    """What the order's services typically use, for the quantities sold (whole units rounded up)."""
    with db.reading() as session:
        order = session.get(Order, order_id)
        if order is None:
            raise NotFound(msg("Order {id} does not exist.", id=order_id))
        totals: dict[int, Decimal] = {}
        for line in order.lines:
            for material in session.execute(
                select(ServiceMaterial).where(ServiceMaterial.service_id == line.service_id)
            ).scalars():
                totals[material.item_id] = totals.get(material.item_id, Decimal(0)) + (
                    material.quantity_per_unit * line.quantity
                )
        proposal = []
        for item_id, quantity in totals.items():
            item = session.get(Item, item_id)
            proposal.append(
                {
                    "item_id": item.id,
                    "sku": item.sku,
                    "name_en": item.name_en,
                    "name_zh": item.name_zh,
                    "unit": item.unit,
                    "quantity": _rounded(item, quantity),
                    "on_hand": item.on_hand,
                }
            )
        return sorted(proposal, key=lambda row: row["sku"])
