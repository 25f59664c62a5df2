"""The stock, purchasing, count, materials and usage part of the service permission examples:
the records they act on (StockSeeded, mixed into Seeded) and one valid call per service."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from core.actor import SYSTEM
from core.services import counts, purchasing, stock
from tests.factories import record_version
from tests.integration.stock_support import item_values, make_item, make_supplier, supplier_values


class StockSeeded:
    """Stock records made on demand; `new_order` and `service` come from the class it is mixed into."""

    new_order: Callable[..., dict[str, Any]]
    service: dict[str, Any]

    @cached_property
    def supplier(self) -> dict[str, Any]:
        return make_supplier("上海洁净化工")

    @cached_property
    def item(self) -> dict[str, Any]:
        """An item in use with 50 on hand."""
        row = make_item("SHAMPOO-5L", stock_on_hand="50", supplier_id=self.supplier["id"])
        return stock.items.get(actor=SYSTEM, record_id=row["id"])

    def low_item(self) -> dict[str, Any]:
        """An item of the supplier with nothing on hand, below its reorder level."""
        return make_item("WAX-1L", supplier_id=self.supplier["id"], reorder_level="5", reorder_quantity="10")

    def receipt(self) -> dict[str, Any]:
        return stock.receive(actor=SYSTEM, item_id=self.item["id"], quantity="5", unit_cost="80", reason="found")

    def order_with_material(self) -> dict[str, Any]:
        order = self.new_order()
        stock.issue(actor=SYSTEM, item_id=self.item["id"], quantity="2", order_id=order["id"])
        return order

    def purchase_order(self, status: str = "draft") -> dict[str, Any]:
        """A purchase order asked for by the system user (so any manager may approve it)."""
        po = purchasing.create_purchase_order(
            actor=SYSTEM,
            supplier_id=self.supplier["id"],
            lines=[{"item_id": self.item["id"], "quantity": "10", "unit_cost": "80"}],
        )
        steps = [
            ("submitted", purchasing.submit_purchase_order),
            ("approved", purchasing.approve_purchase_order),
            ("ordered", purchasing.mark_ordered),
        ]
        for reached, step in steps:
            if po["status"] == status:
                break
            po = step(actor=SYSTEM, po_id=po["id"], expected_version=po["version"])
            assert po["status"] == reached
        return po

    def stock_count(self, status: str = "open") -> dict[str, Any]:
        self.item  # noqa: B018  (a count lists the items in use)
        sheet = counts.open_count(actor=SYSTEM)
        if status == "open":
            return sheet
        sheet = counts.record_counted(actor=SYSTEM, count_id=sheet["id"], item_id=self.item["id"], counted="48")
        return counts.submit_count(actor=SYSTEM, count_id=sheet["id"], expected_version=sheet["version"])

    def adjustment(self) -> dict[str, Any]:
        return counts.request_adjustment(actor=SYSTEM, item_id=self.item["id"], quantity="-1", reason="broken")


def _po_version(po: dict[str, Any]) -> dict[str, Any]:
    return {"po_id": po["id"], "expected_version": po["version"]}


def _count_version(sheet: dict[str, Any]) -> dict[str, Any]:
    return {"count_id": sheet["id"], "expected_version": sheet["version"]}


ITEMS_CSV = (
    "sku,barcode,name_en,name_zh,category,unit,unit_cost,reorder_level,reorder_quantity,active\n"
    "GLOVES,6901234500001,Gloves,手套,protective,pair,5,10,20,yes\n"
).encode()
SUPPLIERS_CSV = "name,contact_person,lead_time_days,active\n苏州工具,王经理,5,yes\n".encode()

STOCK_EXAMPLES: dict[str, Callable[[Any], dict[str, Any]]] = {
    # --- Stock items and suppliers (entity services) ---
    "core.services.items.search": lambda c: {"query": "shampoo"},
    "core.services.items.get": lambda c: {"record_id": c.item["id"]},
    "core.services.items.options": lambda c: {},
    "core.services.items.duplicates": lambda c: {"values": {"sku": "SHAMPOO-5L"}},
    "core.services.items.create": lambda c: {"values": item_values("GLOVES")},
    "core.services.items.update": lambda c: {
        "record_id": c.item["id"],
        "values": {**c.item, "name_en": "Carpet shampoo 5 L"},
        "expected_version": c.item["version"],
    },
    "core.services.items.archive": lambda c: record_version(c.item),
    "core.services.items.restore": lambda c: record_version(c.item),
    "core.services.items.history": lambda c: {"record_id": c.item["id"]},
    "core.services.items.export_csv": lambda c: {"query": ""},
    "core.services.items.check_import": lambda c: {"data": ITEMS_CSV},
    "core.services.items.run_import": lambda c: {"data": ITEMS_CSV},
    "core.services.suppliers.search": lambda c: {"query": "上海"},
    "core.services.suppliers.get": lambda c: {"record_id": c.supplier["id"]},
    "core.services.suppliers.options": lambda c: {},
    "core.services.suppliers.duplicates": lambda c: {"values": {"name": "上海洁净化工"}},
    "core.services.suppliers.create": lambda c: {"values": supplier_values("苏州工具")},
    "core.services.suppliers.update": lambda c: {
        "record_id": c.supplier["id"],
        "values": {**c.supplier, "lead_time_days": 10},
        "expected_version": c.supplier["version"],
    },
    "core.services.suppliers.archive": lambda c: record_version(c.supplier),
    "core.services.suppliers.restore": lambda c: record_version(c.supplier),
    "core.services.suppliers.history": lambda c: {"record_id": c.supplier["id"]},
    "core.services.suppliers.export_csv": lambda c: {"query": ""},
    "core.services.suppliers.check_import": lambda c: {"data": SUPPLIERS_CSV},
    "core.services.suppliers.run_import": lambda c: {"data": SUPPLIERS_CSV},
    # --- Stock movements ---
    "core.services.stock.find_item": lambda c: {"code": c.item["sku"]},
    "core.services.stock.receive": lambda c: {
        "item_id": c.item["id"],
        "quantity": "5",
        "unit_cost": "82",
        "reason": "transfer",
    },
    "core.services.stock.issue": lambda c: {"item_id": c.item["id"], "quantity": "1", "order_id": c.new_order()["id"]},
    "core.services.stock.take_back": lambda c: {
        "item_id": c.item["id"],
        "quantity": "1",
        "order_id": c.order_with_material()["id"],
    },
    "core.services.stock.reverse": lambda c: {"movement_id": c.receipt()["id"], "reason": "wrong item"},
    "core.services.stock.ledger": lambda c: {"item_id": c.item["id"]},
    # --- Purchasing ---
    "core.services.purchasing.low_stock": lambda c: {},
    "core.services.purchasing.purchase_plan": lambda c: {},
    "core.services.purchasing.create_purchase_order": lambda c: {
        "supplier_id": c.supplier["id"],
        "lines": [{"item_id": c.item["id"], "quantity": "10", "unit_cost": "80"}],
    },
    "core.services.purchasing.draft_from_plan": lambda c: {"supplier_id": c.low_item()["supplier_id"]},
    "core.services.purchasing.update_purchase_order": lambda c: {
        **_po_version(c.purchase_order()),
        "lines": [{"item_id": c.item["id"], "quantity": "12", "unit_cost": "80"}],
    },
    "core.services.purchasing.submit_purchase_order": lambda c: _po_version(c.purchase_order()),
    "core.services.purchasing.approve_purchase_order": lambda c: _po_version(c.purchase_order("submitted")),
    "core.services.purchasing.mark_ordered": lambda c: _po_version(c.purchase_order("approved")),
    "core.services.purchasing.close_purchase_order": lambda c: _po_version(c.purchase_order("ordered")),
    "core.services.purchasing.cancel_purchase_order": lambda c: {
        **_po_version(c.purchase_order()),
        "reason": "no longer needed",
    },
    "core.services.purchasing.receive_goods": lambda c: {
        "po_id": (po := c.purchase_order("ordered"))["id"],
        "receipts": [{"line_id": po["lines"][0]["id"], "quantity": "4"}],
    },
    "core.services.purchasing.get_purchase_order": lambda c: {"po_id": c.purchase_order()["id"]},
    "core.services.purchasing.list_purchase_orders": lambda c: {},
    # --- Stock counts and adjustments ---
    "core.services.counts.open_count": lambda c: {"category": c.item["category"]},
    "core.services.counts.record_counted": lambda c: {
        "count_id": c.stock_count()["id"],
        "item_id": c.item["id"],
        "counted": "49",
    },
    "core.services.counts.submit_count": lambda c: _count_version(
        counts.record_counted(actor=SYSTEM, count_id=c.stock_count()["id"], item_id=c.item["id"], counted="49")
    ),
    "core.services.counts.approve_count": lambda c: _count_version(c.stock_count("submitted")),
    "core.services.counts.cancel_count": lambda c: _count_version(c.stock_count()),
    "core.services.counts.get_count": lambda c: {"count_id": c.stock_count()["id"]},
    "core.services.counts.list_counts": lambda c: {},
    "core.services.counts.request_adjustment": lambda c: {
        "item_id": c.item["id"],
        "quantity": "-2",
        "reason": "damaged",
    },
    "core.services.counts.decide_adjustment": lambda c: {"adjustment_id": c.adjustment()["id"], "approve": True},
    "core.services.counts.list_adjustments": lambda c: {},
    # --- Materials per service and per job ---
    "core.services.materials.service_materials": lambda c: {"service_id": c.service["id"]},
    "core.services.materials.set_service_materials": lambda c: {
        "service_id": c.service["id"],
        "materials": [{"item_id": c.item["id"], "quantity_per_unit": "0.05"}],
    },
    "core.services.materials.proposed_materials": lambda c: {"order_id": c.new_order()["id"]},
    # --- Usage analysis ---
    "core.services.stock_usage.by_month": lambda c: {},
    "core.services.stock_usage.by_service": lambda c: {},
    "core.services.stock_usage.by_technician": lambda c: {},
    "core.services.stock_usage.order_costs": lambda c: {},
    "core.services.stock_usage.stock_value": lambda c: {},
    "core.services.stock_usage.slow_moving": lambda c: {"days": 30},
}
