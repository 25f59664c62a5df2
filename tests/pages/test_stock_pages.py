"""The warehouse pages through AppTest: receiving by scan, issuing to an order, the ledger, low
stock into a draft purchase order, counts, the purchase order's approval, a service's materials
and the technician completing a job with them."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from core.actor import SYSTEM
from core.clock import at as moment_at
from core.clock import today
from core.services import counts, dispatch, jobs, materials, orders, purchasing
from tests.factories import make_area, make_customer, make_service, make_technician, make_user, order_values
from tests.integration.stock_support import make_item, make_supplier, on_hand
from tests.pages.conftest import log_in, message_under, open_app, texts, widget


@pytest.fixture
def warehouse(sqlite_store) -> dict[str, Any]:
    """A supplier, SHAMPOO (5 on hand, reorder below 10) and GLOVES (none), and an ordered
    purchase order for 2 SHAMPOO."""
    clerk = make_user("clerk1", "clerk")
    boss = make_user("boss", "manager")
    supplier = make_supplier("ACME", lead_time_days=3)
    common = {"unit_cost": "10", "reorder_quantity": "5"}
    shampoo = make_item(
        "SHAMPOO", stock_on_hand="5", barcode="690000001", supplier_id=supplier["id"], reorder_level="10", **common
    )
    gloves = make_item("GLOVES", barcode="690000002", **common)
    po = purchasing.create_purchase_order(
        actor=clerk, supplier_id=supplier["id"], lines=[{"item_id": shampoo["id"], "quantity": 2, "unit_cost": 9}]
    )
    po = purchasing.submit_purchase_order(actor=clerk, po_id=po["id"], expected_version=po["version"])
    po = purchasing.approve_purchase_order(actor=boss, po_id=po["id"], expected_version=po["version"])
    po = purchasing.mark_ordered(actor=clerk, po_id=po["id"], expected_version=po["version"])
    return {"clerk": clerk, "boss": boss, "supplier": supplier, "shampoo": shampoo, "gloves": gloves, "po": po}


def visit(at: AppTest, script: str, **params: str) -> AppTest:
    for name, value in params.items():
        at.query_params[name] = value
    return at.switch_page(script).run()


def scan(at: AppTest, key: str, code: str) -> AppTest:
    """What a scanner does: type the code and Enter (a text input submits on Enter)."""
    return at.text_input(key=key).input(code).run()


def test_receiving_a_purchase_order_by_scanning_warns_before_taking_more_than_ordered(warehouse):
    at = visit(log_in(open_app(), "clerk1"), "pages/stock/receive.py", po=str(warehouse["po"]["id"]))
    assert not at.exception, at.exception
    scan(at, "receive.scan.code", "nope")
    assert "No item has the code nope." in texts(at)
    scan(at, "receive.scan.code", "690000002")
    assert "GLOVES is not on purchase order" in texts(at)
    for _ in range(3):
        scan(at, "receive.scan.code", "690000001")
    assert on_hand(warehouse["shampoo"]["id"]) == 5  # nothing posts until Receive

    widget(at.button, "Receive").click().run()
    assert "More than ordered" in texts(at)
    assert on_hand(warehouse["shampoo"]["id"]) == 5
    widget(at.button, "Receive anyway").click().run()
    assert "Goods received on" in texts(at)
    assert on_hand(warehouse["shampoo"]["id"]) == 8
    assert purchasing.get_purchase_order(actor=SYSTEM, po_id=warehouse["po"]["id"])["status"] == "received"


def test_receiving_without_a_purchase_order_needs_a_quantity_and_a_reason(warehouse):
    at = visit(log_in(open_app(), "clerk1"), "pages/stock/receive.py")
    scan(at, "receive.free.code", "GLOVES")
    widget(at.button, "Receive into stock").click().run()
    assert message_under(at, "receive.free.quantity") and message_under(at, "receive.free.reason")
    assert on_hand(warehouse["gloves"]["id"]) == 0
    at.text_input(key="receive.free.quantity").input("-4")
    at.text_input(key="receive.free.reason").input("sample").run()
    widget(at.button, "Receive into stock").click().run()
    assert message_under(at, "receive.free.quantity")
    assert at.text_input(key="receive.free.reason").value == "sample"  # kept after the refusal
    at.text_input(key="receive.free.quantity").input("4").run()
    widget(at.button, "Receive into stock").click().run()
    assert "Received GLOVES" in texts(at)
    assert on_hand(warehouse["gloves"]["id"]) == 4


def test_issuing_to_an_order_names_what_is_available(warehouse):
    area = make_area()
    service = make_service("CARPET", price="8.00", minutes="1.5")
    order = orders.create_order(
        actor=SYSTEM,
        values=order_values(make_customer(area)["id"], area),
        lines=[{"service_id": service, "quantity": 1}],
        idempotency_key="issue-1",
    )
    at = visit(log_in(open_app(), "clerk1"), "pages/stock/issue.py")
    scan(at, "issue.code", "690000001")
    at.text_input(key="issue.order").input(order["number"])
    at.text_input(key="issue.quantity").input("50").run()
    widget(at.button, "Issue").click().run()
    assert "Only 5" in (message_under(at, "issue.quantity") or "")
    assert on_hand(warehouse["shampoo"]["id"]) == 5
    at.text_input(key="issue.quantity").input("2").run()
    widget(at.button, "Issue").click().run()
    assert "on hand now 3" in texts(at)
    assert on_hand(warehouse["shampoo"]["id"]) == 3

    at.text_input(key="issue.order").input("SO-NOPE").run()
    scan(at, "issue.code", "690000001")
    at.text_input(key="issue.quantity").input("1").run()
    widget(at.button, "Issue").click().run()
    assert "No order has the number" in (message_under(at, "issue.order") or "")
    assert on_hand(warehouse["shampoo"]["id"]) == 3

    at = visit(at, "pages/orders/detail.py", id=str(order["id"]))
    assert not at.exception, at.exception
    assert "Material cost" in texts(at)
    assert orders.get_order(actor=SYSTEM, order_id=order["id"])["material_cost"] == Decimal("20.00")


def test_every_stock_page_opens_for_a_manager(warehouse):
    at = log_in(open_app(), "boss")
    for script in (
        "pages/stock/ledger.py",
        "pages/stock/low_stock.py",
        "pages/stock/counts.py",
        "pages/stock/usage.py",
        "pages/stock/purchase_orders.py",
        "pages/stock/items.py",
        "pages/stock/suppliers.py",
    ):
        at = visit(at, script)
        assert not at.exception, (script, at.exception)
        assert not at.error, (script, [e.value for e in at.error])
    at = visit(at, "pages/stock/ledger.py")
    scan(at, "ledger.code", "zzz")
    assert "No item has the code zzz." in texts(at)


def test_low_stock_becomes_a_draft_purchase_order(warehouse):
    at = visit(log_in(open_app(), "boss"), "pages/stock/low_stock.py")
    assert "SHAMPOO" in str([frame.value for frame in at.dataframe])
    widget(at.button, "Create a draft purchase order").click().run()
    assert not at.exception, at.exception
    assert "created." in texts(at)
    drafts = purchasing.list_purchase_orders(actor=SYSTEM, statuses=("draft",))
    assert [draft["supplier_name"] for draft in drafts] == ["ACME"]


def test_a_count_by_scan_posts_its_difference_once_approved(warehouse):
    at = visit(log_in(open_app(), "boss"), "pages/stock/counts.py")
    widget(at.button, "Open a count").click().run()
    assert not at.exception, at.exception
    at = visit(at, "pages/stock/count.py", id=str(counts.list_counts(actor=SYSTEM)[0]["id"]))
    scan_key = next(w.key for w in at.text_input if w.key and w.key.endswith(".scan.code"))
    scan(at, scan_key, "690000001")
    counted_key = next(w.key for w in at.text_input if w.key and w.key.endswith(".counted"))
    at.text_input(key=counted_key).input("4")
    widget(at.button, "Record").click().run()
    assert "Counted SHAMPOO" in texts(at)
    widget(at.button, "Submit for approval").click().run()
    assert on_hand(warehouse["shampoo"]["id"]) == 5  # nothing posts before the approval
    widget(at.button, "Approve and post").click().run()
    assert not at.exception, at.exception
    assert on_hand(warehouse["shampoo"]["id"]) == 4


def test_a_purchase_order_is_approved_by_someone_else(warehouse):
    po = purchasing.create_purchase_order(
        actor=warehouse["clerk"],
        supplier_id=warehouse["supplier"]["id"],
        lines=[{"item_id": warehouse["gloves"]["id"], "quantity": 1, "unit_cost": 1}],
    )
    at = visit(log_in(open_app(), "clerk1"), "pages/stock/purchase_order.py", id=str(po["id"]))
    assert not at.exception, at.exception
    widget(at.button, "Submit for approval").click().run()
    assert "Submitted." in texts(at)
    assert not [button for button in at.button if button.label == "Approve"]  # a clerk never approves
    manager = visit(log_in(open_app(), "boss"), "pages/stock/purchase_order.py", id=str(po["id"]))
    widget(manager.button, "Approve").click().run()
    assert "Approved." in texts(manager)
    assert purchasing.get_purchase_order(actor=SYSTEM, po_id=po["id"])["status"] == "approved"


def test_an_adjustment_needs_a_reason(warehouse):
    at = visit(log_in(open_app(), "clerk1"), "pages/stock/ledger.py")
    scan(at, "ledger.adjust.code", "GLOVES")
    at.text_input(key="ledger.adjust.quantity").input("-1").run()
    widget(at.button, "Ask for the adjustment").click().run()
    assert message_under(at, "ledger.adjust.reason")
    assert at.text_input(key="ledger.adjust.quantity").value == "-1"


def test_the_technician_confirms_the_proposed_materials(warehouse):
    area = make_area()
    service = make_service("CARPET", price="8.00", minutes="1.5")
    at = visit(log_in(open_app(), "boss"), "pages/catalogue/detail.py", id=str(service))
    assert not at.exception, at.exception
    widget(at.button, "Add an item").click().run()
    next(box for box in at.selectbox if box.key and box.key.startswith("service.")).set_value(
        warehouse["shampoo"]["id"]
    ).run()
    per_unit = next(w.key for w in at.text_input if w.key and w.key.endswith("quantity_per_unit"))
    at.text_input(key=per_unit).input("0.5").run()
    widget(at.button, "Save the materials").click().run()
    assert not at.exception, at.exception
    assert materials.service_materials(actor=SYSTEM, service_id=service)[0]["quantity_per_unit"] == Decimal("0.5")

    technician = make_user("tech1", "technician")
    staff = make_technician("Wang Lei", area, user=technician, shift_day=today())
    order = orders.create_order(
        actor=SYSTEM,
        values=order_values(make_customer(area)["id"], area, day=today()),
        lines=[{"service_id": service, "quantity": 20}],
        idempotency_key="job-1",
    )
    order = orders.confirm_order(actor=warehouse["boss"], order_id=order["id"], expected_version=order["version"])
    dispatch.assign(
        actor=warehouse["boss"],
        order_id=order["id"],
        staff_id=staff,
        start=moment_at(today(), time(10)),
        expected_version=orders.get_order(actor=SYSTEM, order_id=order["id"])["version"],
    )
    order = orders.get_order(actor=SYSTEM, order_id=order["id"])
    jobs.start_job(actor=technician, order_id=order["id"], expected_version=order["version"])

    phone = visit(log_in(open_app(), "tech1"), "pages/jobs/today.py")
    used = f"jobs.complete.{order['id']}.used.{warehouse['shampoo']['id']}"
    assert phone.text_input(key=used).value == "10"  # 20 m² × 0.5 proposed
    widget(phone.button, "Complete").click().run()
    assert "Only 5" in (message_under(phone, used) or "")
    assert orders.get_order(actor=SYSTEM, order_id=order["id"])["status"] == "in_progress"
    phone.text_input(key=used).input("3")
    widget(phone.button, "Complete").click().run()
    assert "Completed" in texts(phone)
    done = orders.get_order(actor=SYSTEM, order_id=order["id"])
    assert (done["status"], done["material_cost"]) == ("completed", Decimal("30.00"))
    assert on_hand(warehouse["shampoo"]["id"]) == 2


def page_links(at: AppTest) -> list[str]:
    return [element.proto.label for element in at.get("page_link")]


def test_the_home_page_shows_what_waits_for_each_person(warehouse):
    po = purchasing.create_purchase_order(
        actor=warehouse["clerk"],
        supplier_id=warehouse["supplier"]["id"],
        lines=[{"item_id": warehouse["gloves"]["id"], "quantity": 1, "unit_cost": 1}],
    )
    purchasing.submit_purchase_order(actor=warehouse["clerk"], po_id=po["id"], expected_version=po["version"])
    manager = log_in(open_app(), "boss")
    assert "Waiting for you" in texts(manager)
    assert {"Items running low: 1", "Purchase orders to approve: 1"} <= set(page_links(manager))
    clerk = log_in(open_app(), "clerk1")  # asked for it, so it is not theirs to approve
    assert "Items running low: 1" in page_links(clerk)
    assert not [label for label in page_links(clerk) if "to approve" in label]
