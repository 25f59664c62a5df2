"""An order from intake to payment and the customer's lookup, on both databases."""

from __future__ import annotations

import uuid
from decimal import Decimal

from core.services import jobs, orders, payments
from core.tracking import look_up
from tests.factories import make_area, make_customer, make_service, make_technician, make_user, order_values


def test_an_order_goes_from_intake_to_paid_and_the_customer_can_look_it_up(store):
    clerk, tech_user = make_user("clerk1", "clerk"), make_user("liuqiang", "technician")
    area = make_area()
    carpet = make_service()
    make_technician("刘强", area, user=tech_user)
    customer = make_customer(area)
    created = orders.create_order(
        actor=clerk,
        values=order_values(customer["id"], area),
        lines=[{"service_id": carpet, "quantity": Decimal("20")}],
        idempotency_key=str(uuid.uuid4()),
    )
    assert created["number"].startswith("SO-") and created["status"] == "new"
    assert (created["subtotal"], created["tax_amount"], created["total"]) == (
        Decimal("160.00"),
        Decimal("9.60"),
        Decimal("169.60"),
    )
    confirmed = orders.confirm_order(actor=clerk, order_id=created["id"], expected_version=created["version"])
    assert confirmed["status"] == "scheduled", confirmed["dispatch"]
    assert confirmed["technician_name"] == "刘强"
    job = jobs.start_job(actor=tech_user, order_id=created["id"], expected_version=confirmed["version"])
    done = jobs.complete_job(
        actor=tech_user,
        order_id=created["id"],
        expected_version=job["version"],
        materials="地毯清洁剂 1 瓶",
        rating=5,
        comment="很满意",
    )
    assert done["status"] == "completed"
    half = payments.record_payment(actor=clerk, order_id=created["id"], amount="100", method="wechat")
    assert (half["status"], half["balance"]) == ("completed", Decimal("69.60"))
    paid = payments.record_payment(actor=clerk, order_id=created["id"], amount="69.60", method="cash")
    assert paid["status"] == "paid"
    status = look_up(created["number"], "138-1234-5678", client="test")
    assert status is not None and status.status == "paid"
    assert look_up(created["number"], "139 0000 0000", client="test") is None
