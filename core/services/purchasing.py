"""Purchasing: what runs low, a plan of what to buy from whom, and purchase orders from draft
to closed — approved by someone other than the requester, received in parts, each receipt a
ledger movement."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import Any

from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import Session

from core import db
from core.actor import Actor
from core.clock import today, utcnow
from core.entities import records
from core.errors import NotFound, OpsdeskError, ValidationFailed
from core.i18n import Bilingual, Message, msg
from core.models import Fixed, Item, PurchaseOrder, PurchaseOrderLine, Supplier
from core.numbering import format_number, reserve
from core.order_rules import decimal
from core.permissions import service
from core.stock import Link, post, quantity_problem

STATUSES: dict[str, Bilingual] = {
    "draft": Bilingual("Draft", "草稿"),
    "submitted": Bilingual("Submitted", "已提交"),
    "approved": Bilingual("Approved", "已批准"),
    "ordered": Bilingual("Ordered", "已下单"),
    "received": Bilingual("Received", "已收货"),
    "closed": Bilingual("Closed", "已关闭"),
    "cancelled": Bilingual("Cancelled", "已取消"),
}
OPEN = ("submitted", "approved", "ordered")  # what is on its way counts as on order


class OverReceipt(OpsdeskError):
    """More is being received than was ordered: allowed only once the person confirms."""

    def __init__(self, lines: list[dict[str, Any]]) -> None:
        super().__init__(msg("More than ordered is being received; confirm to accept it."))
        self.lines = lines


def _on_order(session: Session) -> dict[int, Decimal]:
    outstanding = func.sum(PurchaseOrderLine.quantity - PurchaseOrderLine.received)
    rows = session.execute(
        # Arithmetic on scaled-integer columns loses their type: read the sum back as quantities.
        select(PurchaseOrderLine.item_id, type_coerce(outstanding, Fixed(2)))
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .where(PurchaseOrder.status.in_(OPEN))
        .group_by(PurchaseOrderLine.item_id)
    ).all()
    return {item_id: max(Decimal(0), total) for item_id, total in rows}


def _suggested(item: Item, on_order: Decimal) -> Decimal:
    """Enough to climb back above the reorder level, at least the reorder quantity, in whole units."""
    short = item.reorder_level - (item.on_hand + on_order)
    wanted = max(item.reorder_quantity, short)
    return wanted.to_integral_value(rounding=ROUND_CEILING)


@service("purchasing", "view")
def low_stock(*, actor: Actor) -> list[dict[str, Any]]:
    """Items whose stock plus what is on order is below their reorder level."""
    with db.reading() as session:
        on_order = _on_order(session)
        suppliers = {s.id: s.name for s in session.execute(select(Supplier)).scalars()}
        rows = []
        for item in session.execute(select(Item).where(Item.active.is_(True)).order_by(Item.sku)).scalars():
            coming = on_order.get(item.id, Decimal(0))
            if item.on_hand + coming < item.reorder_level:
                rows.append(
                    {
                        "item_id": item.id,
                        "sku": item.sku,
                        "name_en": item.name_en,
                        "name_zh": item.name_zh,
                        "unit": item.unit,
                        "on_hand": item.on_hand,
                        "on_order": coming,
                        "reorder_level": item.reorder_level,
                        "supplier_id": item.supplier_id,
                        "supplier_name": suppliers.get(item.supplier_id),
                        "unit_cost": item.unit_cost,
                        "suggested": _suggested(item, coming),
                    }
                )
        return rows


@service("purchasing", "view")
def purchase_plan(*, actor: Actor) -> list[dict[str, Any]]:
    """The low items grouped by preferred supplier, with the quantities proposed."""
    plan: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for row in low_stock(actor=actor):
        plan[row["supplier_id"]].append(row)
    return [
        {
            "supplier_id": supplier,
            "supplier_name": rows[0]["supplier_name"],
            "lines": rows,
            "total": sum((r["suggested"] * r["unit_cost"] for r in rows), Decimal(0)),
        }
        for supplier, rows in plan.items()
    ]


def _po(session: Session, po_id: int) -> PurchaseOrder:
    po = session.execute(select(PurchaseOrder).where(PurchaseOrder.id == po_id).with_for_update()).scalar_one_or_none()
    if po is None:
        raise NotFound(msg("Purchase order {id} does not exist.", id=po_id))
    return po


def _view(session: Session, po: PurchaseOrder) -> dict[str, Any]:
    row = {c.key: getattr(po, c.key) for c in PurchaseOrder.__table__.columns}
    supplier = session.get(Supplier, po.supplier_id)
    row["supplier_name"] = supplier.name if supplier else ""
    row["lines"] = []
    for line in po.lines:
        item = session.get(Item, line.item_id)
        row["lines"].append(
            {
                "id": line.id,
                "item_id": line.item_id,
                "sku": item.sku,
                "name_en": item.name_en,
                "name_zh": item.name_zh,
                "unit": item.unit,
                "barcode": item.barcode,
                "quantity": line.quantity,
                "unit_cost": line.unit_cost,
                "received": line.received,
            }
        )
    row["total"] = sum((line.quantity * line.unit_cost for line in po.lines), Decimal(0))
    return row


def _lines(session: Session, lines: list[dict[str, Any]]) -> list[PurchaseOrderLine]:
    errors: dict[str, Message] = {}
    made = []
    for index, line in enumerate(lines):
        item = session.get(Item, line.get("item_id") or 0)
        quantity, cost = decimal(line.get("quantity")), decimal(line.get("unit_cost"))
        if item is None or not item.active:
            errors[f"lines.{index}.item_id"] = msg("Choose an item in use.")
            continue
        problem = quantity_problem(item, quantity)
        if problem is not None:
            errors[f"lines.{index}.quantity"] = problem
        if cost is None or cost < 0:
            errors[f"lines.{index}.unit_cost"] = msg("Enter the cost of one unit (0 or more).")
        if problem is None and cost is not None and cost >= 0:
            made.append(PurchaseOrderLine(item_id=item.id, quantity=quantity, unit_cost=cost, received=Decimal(0)))
    if not lines:
        errors["lines"] = msg("Add at least one item.")
    if errors:
        raise ValidationFailed(errors)
    return made


@service("purchasing", "create")
def create_purchase_order(
    *, actor: Actor, supplier_id: int, lines: list[dict[str, Any]], expected_on: date | None = None, notes: str = ""
) -> dict[str, Any]:
    """A draft purchase order, numbered PO-YYYY-NNNNNN."""
    with db.writing(actor) as session:
        supplier = session.get(Supplier, supplier_id or 0)
        if supplier is None or not supplier.active:
            raise ValidationFailed({"supplier_id": msg("Choose a supplier we work with.")})
        po_lines = _lines(session, lines)
        year = today().year
        po = PurchaseOrder(
            number=format_number("PO", reserve(session, f"purchase-orders-{year}"), year=year),
            supplier_id=supplier.id,
            status="draft",
            requested_by_id=actor.user_id,
            expected_on=expected_on,
            notes=notes.strip()[:1000] or None,
        )
        po.lines = po_lines
        session.add(po)
        session.flush()
        view = _view(session, po)
        session.commit()
    return view


@service("purchasing", "create")
def draft_from_plan(*, actor: Actor, supplier_id: int) -> dict[str, Any]:
    """The plan's proposal for one supplier as a draft purchase order, at the items' current cost."""
    proposal = next((p for p in purchase_plan(actor=actor) if p["supplier_id"] == supplier_id), None)
    if proposal is None:
        raise OpsdeskError(msg("Nothing runs low from this supplier."))
    return create_purchase_order(
        actor=actor,
        supplier_id=supplier_id,
        lines=[
            {"item_id": r["item_id"], "quantity": r["suggested"], "unit_cost": r["unit_cost"]}
            for r in proposal["lines"]
        ],
    )


@service("purchasing", "edit")
def update_purchase_order(
    *,
    actor: Actor,
    po_id: int,
    lines: list[dict[str, Any]],
    expected_version: int,
    expected_on: date | None = None,
    notes: str = "",
) -> dict[str, Any]:
    with db.writing(actor) as session:
        po = _po(session, po_id)
        records.check_version(session, po, expected_version)
        if po.status != "draft":
            raise OpsdeskError(msg("Only a draft can be changed."))
        po.lines = _lines(session, lines)
        po.expected_on, po.notes = expected_on, notes.strip()[:1000] or None
        records.save(session, po)
        view = _view(session, po)
        session.commit()
    return view


def _step(
    actor: Actor, po_id: int, expected_version: int, allowed: tuple[str, ...], target: str, extra: Any = None
) -> dict[str, Any]:
    with db.writing(actor) as session:
        po = _po(session, po_id)
        records.check_version(session, po, expected_version)
        if po.status not in allowed:
            raise OpsdeskError(
                msg(
                    "A purchase order that is {current} cannot become {target}.",
                    current=STATUSES[po.status],
                    target=STATUSES[target],
                )
            )
        if extra is not None:
            extra(po)
        po.status = target
        records.save(session, po)
        view = _view(session, po)
        session.commit()
    return view


@service("purchasing", "edit")
def submit_purchase_order(*, actor: Actor, po_id: int, expected_version: int) -> dict[str, Any]:
    return _step(actor, po_id, expected_version, ("draft",), "submitted")


@service("purchase_approval", "edit")
def approve_purchase_order(*, actor: Actor, po_id: int, expected_version: int) -> dict[str, Any]:
    """Approval by a manager who is not the one who asked for the purchase."""

    def check(po: PurchaseOrder) -> None:
        if po.requested_by_id is not None and po.requested_by_id == actor.user_id:
            raise OpsdeskError(msg("Someone other than the requester must approve this purchase order."))
        po.approved_by_id, po.approved_at = actor.user_id, utcnow()

    return _step(actor, po_id, expected_version, ("submitted",), "approved", check)


@service("purchasing", "edit")
def mark_ordered(*, actor: Actor, po_id: int, expected_version: int) -> dict[str, Any]:
    """The order went to the supplier."""

    def stamp(po: PurchaseOrder) -> None:
        po.ordered_at = utcnow()

    return _step(actor, po_id, expected_version, ("approved",), "ordered", stamp)


@service("purchasing", "edit")
def close_purchase_order(*, actor: Actor, po_id: int, expected_version: int) -> dict[str, Any]:
    """Nothing more is expected (all received, or the rest will not come)."""
    return _step(actor, po_id, expected_version, ("ordered", "received"), "closed")


@service("purchasing", "delete")
def cancel_purchase_order(*, actor: Actor, po_id: int, expected_version: int, reason: str) -> dict[str, Any]:
    if not (reason or "").strip():
        raise ValidationFailed({"reason": msg("Say why.")})

    def check(po: PurchaseOrder) -> None:
        if any(line.received for line in po.lines):
            raise OpsdeskError(msg("Goods were received on this purchase order; close it instead."))
        po.cancel_reason = reason.strip()[:300]

    return _step(actor, po_id, expected_version, ("draft", "submitted", "approved", "ordered"), "cancelled", check)


@service("purchasing", "edit")
def receive_goods(
    *, actor: Actor, po_id: int, receipts: list[dict[str, Any]], confirm_over: bool = False
) -> dict[str, Any]:
    """Post what arrived, line by line (a partial delivery is fine); more than ordered needs the
    person's confirmation. When every line is complete, the purchase order is received."""
    with db.writing(actor) as session:
        po = _po(session, po_id)
        if po.status != "ordered":
            raise OpsdeskError(msg("Goods are received on an ordered purchase order."))
        lines = {line.id: line for line in po.lines}
        errors: dict[str, Message] = {}
        over: list[dict[str, Any]] = []
        wanted: list[tuple[PurchaseOrderLine, Decimal]] = []
        for index, receipt in enumerate(receipts):
            line = lines.get(receipt.get("line_id") or 0)
            if line is None:
                errors[f"receipts.{index}.line_id"] = msg("That item is not on this purchase order.")
                continue
            quantity = decimal(receipt.get("quantity"))
            problem = quantity_problem(session.get(Item, line.item_id), quantity)
            if problem is not None:
                errors[f"receipts.{index}.quantity"] = problem
                continue
            wanted.append((line, quantity))
        now: dict[int, tuple[PurchaseOrderLine, Decimal]] = {}
        for line, quantity in wanted:  # two rows for one line count together
            now[line.id] = (line, now.get(line.id, (line, Decimal(0)))[1] + quantity)
        for line, quantity in now.values():
            if line.received + quantity > line.quantity:
                over.append({"line_id": line.id, "ordered": line.quantity, "received": line.received, "now": quantity})
        if not receipts:
            errors["receipts"] = msg("Enter what arrived.")
        if errors:
            raise ValidationFailed(errors)
        if over and not confirm_over:
            raise OverReceipt(over)
        for line, quantity in wanted:
            post(
                session,
                actor,
                line.item_id,
                "receipt",
                quantity,
                unit_cost=line.unit_cost,
                reason=po.number,
                link=Link(purchase_order_id=po.id),
            )
            line.received += quantity
        if all(line.received >= line.quantity for line in po.lines):
            po.status = "received"
        records.save(session, po)
        view = _view(session, po)
        session.commit()
    return view


@service("purchasing", "view")
def get_purchase_order(*, actor: Actor, po_id: int) -> dict[str, Any]:
    with db.reading() as session:
        po = session.get(PurchaseOrder, po_id)
        if po is None:
            raise NotFound(msg("Purchase order {id} does not exist.", id=po_id))
        return _view(session, po)


@service("purchasing", "view")
def list_purchase_orders(*, actor: Actor, statuses: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    statement = select(PurchaseOrder).order_by(PurchaseOrder.id.desc())
    if statuses:
        statement = statement.where(PurchaseOrder.status.in_(statuses))
    with db.reading() as session:
        return [_view(session, po) for po in session.execute(statement.limit(500)).scalars()]
