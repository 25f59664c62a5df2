"""Receiving a purchase order in a real browser: a barcode scanner types the code and Enter into
the scan box, which finds the item at once (an unknown code says so), and the receipt posts to
the ledger against the purchase order."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from core.actor import SYSTEM
from core.services import purchasing, stock
from tests.e2e.browser_support import DESK, WAIT, in_english, log_in
from tests.factories import make_user

pytestmark = pytest.mark.e2e
expect.set_options(timeout=WAIT)


def seed() -> dict[str, Any]:
    """A supplier, a new item with a barcode of its own, and an ordered purchase order for 3 of it."""
    tag = uuid.uuid4().hex[:8].upper()
    requester = make_user(f"e2e-clerk-{tag.lower()}", "clerk")
    approver = make_user(f"e2e-boss-{tag.lower()}", "manager")
    supplier = stock.suppliers.create(
        actor=SYSTEM, values={"name": f"E2E supplier {tag}", "lead_time_days": 3, "active": True}
    )
    barcode = f"69{uuid.uuid4().int % 10**11:011d}"
    item = stock.items.create(
        actor=SYSTEM,
        values={
            "sku": f"E2E-{tag}",
            "barcode": barcode,
            "name_en": f"E2E carpet shampoo {tag}",
            "name_zh": f"测试地毯清洁剂{tag}",
            "category": "chemicals",
            "unit": "bottle",
            "unit_cost": "10",
            "reorder_level": "0",
            "reorder_quantity": "5",
            "supplier_id": supplier["id"],
            "active": True,
        },
    )
    po = purchasing.create_purchase_order(
        actor=requester,
        supplier_id=supplier["id"],
        lines=[{"item_id": item["id"], "quantity": 3, "unit_cost": 9}],
    )
    po = purchasing.submit_purchase_order(actor=requester, po_id=po["id"], expected_version=po["version"])
    po = purchasing.approve_purchase_order(actor=approver, po_id=po["id"], expected_version=po["version"])
    po = purchasing.mark_ordered(actor=requester, po_id=po["id"], expected_version=po["version"])
    assert po["status"] == "ordered"
    unknown = f"E2E-NONE-{tag}"
    assert stock.find_item(actor=SYSTEM, code=unknown) is None
    return {"item": item, "barcode": barcode, "po": po, "unknown": unknown}


def scan(page: Page, code: str) -> None:
    """What a scanner does: it types the code into the focused box and presses Enter."""
    box = page.get_by_role("textbox", name="Barcode or SKU")
    expect(box).to_have_value("")  # the previous scan was looked up and the box emptied
    box.click()
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def clerk_receives_by_scanning(browser: Browser, base: str, data: dict[str, Any]) -> None:
    context = browser.new_context(viewport=DESK)
    page = context.new_page()
    page.set_default_timeout(WAIT)
    po = data["po"]
    log_in(page, base, "clerk", "clerk-demo")
    in_english(page)
    sidebar = page.get_by_test_id("stSidebar")
    link = sidebar.get_by_role("link", name="Receive goods")
    more = sidebar.get_by_role("button", name=re.compile(r"^View \d+ more$"))
    expect(link.or_(more).first).to_be_visible()
    if more.is_visible():  # a long navigation shows its first links only
        more.click()
    link.click()
    expect(page.get_by_role("heading", name="Receive goods")).to_be_visible()
    page.get_by_role("combobox", name="Purchase order").click()
    page.get_by_role("option", name=f"{po['number']} · {po['supplier_name']}").click()
    expect(page.get_by_text("Scan each item as it is unpacked; it appears here.")).to_be_visible()

    scan(page, data["unknown"])
    expect(page.get_by_text(f"No item has the code {data['unknown']}.")).to_be_visible()

    # The table is drawn on a canvas; its accessible copy inside the canvas holds the cells.
    row = page.get_by_test_id("stDataFrame").locator("tbody [role=row]")
    for count in range(1, 4):
        scan(page, data["barcode"])
        expect(row).to_have_count(1)  # one line on the purchase order, scanned three times
        expect(row.locator("[aria-colindex='1']")).to_have_text(f"{data['item']['sku']} · {data['item']['name_en']}")
        expect(row.locator("[aria-colindex='4']")).to_have_text(str(count))  # Receiving now
    expect(page.get_by_text(f"No item has the code {data['unknown']}.")).to_have_count(0)
    page.get_by_role("button", name="Receive", exact=True).click()
    expect(page.get_by_text(f"Goods received on {po['number']}.")).to_be_visible()
    context.close()


def test_a_purchase_order_received_with_the_scanner(server, server_database, browser):
    data = seed()
    clerk_receives_by_scanning(browser, server, data)
    item_id, po_id = data["item"]["id"], data["po"]["id"]
    assert stock.items.get(actor=SYSTEM, record_id=item_id)["on_hand"] == Decimal(3)
    received = purchasing.get_purchase_order(actor=SYSTEM, po_id=po_id)
    assert received["status"] == "received"
    assert [line["received"] for line in received["lines"]] == [Decimal(3)]
    movements = stock.ledger(actor=SYSTEM, item_id=item_id).rows
    assert [(m["kind"], m["quantity"], m["balance_after"], m["purchase_order_id"], m["reason"]) for m in movements] == [
        ("receipt", Decimal(3), Decimal(3), po_id, data["po"]["number"])
    ]
    assert movements[0]["unit_cost"] == Decimal(9)
