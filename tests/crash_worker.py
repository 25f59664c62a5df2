"""The process the crash-safety test kills (tests/integration/test_crash_safety.py).

It runs as the server does — settings from the environment, the app's engine — and calls the
services the pages call, as fast as it can, until it is killed: a new order (one to three lines,
sometimes a discount, sometimes a new customer typed into the order form), then by turns the whole
job (confirmed and dispatched, started, completed with the materials used issued from stock), an
issue of stock to the order, an issue and a partial take-back, or a receipt. After each call has
returned it prints `confirmed <json>` and flushes: the confirmation a user would see on the screen.

    python -m tests.crash_worker CLERK TECHNICIAN CUSTOMER_ID AREA_ID SEED
"""

from __future__ import annotations

import json
import random
import sys
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select

import core.services  # noqa: F401  (registers every service, as the server does)
from core import db
from core.auth import actor_for
from core.models import Item, Service, User
from core.services import jobs, orders, stock
from tests.factories import customer_values, order_values


def confirmed(kind: str, **facts: Any) -> None:
    print("confirmed " + json.dumps({"kind": kind, **facts}, default=str), flush=True)


def movement(row: dict[str, Any]) -> None:
    confirmed(
        "movement", id=row["id"], item_id=row["item_id"], kind_of=row["kind"], quantity=row["quantity"],
        order_id=row["order_id"],
    )  # fmt: skip


def actor(username: str) -> Any:
    with db.reading() as session:
        return actor_for(session.execute(select(User).where(User.username == username)).scalar_one())


def new_order(clerk: Any, rng: random.Random, customer_id: int, area_id: int, services: list[int], n: int) -> dict:
    lines = [
        {"service_id": s, "quantity": Decimal(rng.randint(1, 40))} for s in rng.sample(services, rng.randint(1, 3))
    ]
    values = order_values(customer_id, area_id, discount_pct=Decimal(rng.choice([0, 0, 5, 10])))
    new_customer = None
    if n % 5 == 0:  # the clerk types a new customer into the order form
        values["customer_id"] = None
        phone, email = f"139{rng.randrange(10**8):08d}", f"c{uuid.uuid4().hex[:8]}@example.com"
        new_customer = customer_values(area_id, name=f"客户{n}", phone=phone, email=email)
    order = orders.create_order(
        actor=clerk,
        values=values,
        lines=lines,
        idempotency_key=uuid.uuid4().hex,
        new_customer=new_customer,
        confirm_duplicate=True,
    )
    confirmed(
        "order",
        id=order["id"],
        number=order["number"],
        total=order["total"],
        lines=[[line["service_id"], line["quantity"], line["amount"]] for line in order["lines"]],
    )
    return order


def whole_job(clerk: Any, technician: Any, order: dict, used: list[dict[str, Any]]) -> None:
    booked = orders.confirm_order(actor=clerk, order_id=order["id"], expected_version=order["version"])
    if booked["status"] != "scheduled":  # nobody free: the stream would stop being what the test expects
        raise RuntimeError(f"{order['number']} was not dispatched: {booked['dispatch']}")
    started = jobs.start_job(actor=technician, order_id=order["id"], expected_version=booked["version"])
    done = jobs.complete_job(
        actor=technician, order_id=order["id"], expected_version=started["version"], rating=5, used=used
    )
    confirmed("completed", order_id=done["id"], status=done["status"])


def main(clerk_name: str, technician_name: str, customer_id: int, area_id: int, seed: int) -> None:
    rng = random.Random(seed)
    clerk, technician = actor(clerk_name), actor(technician_name)
    with db.reading() as session:
        services = list(session.execute(select(Service.id).where(Service.active).order_by(Service.id)).scalars())
        items = list(session.execute(select(Item.id).where(Item.active).order_by(Item.id)).scalars())
    n = 0
    while True:  # until killed
        n += 1
        order = new_order(clerk, rng, customer_id, area_id, services, n)
        item_id = rng.choice(items)
        step = n % 4
        if step == 0:
            used = [{"item_id": i, "quantity": Decimal(rng.randint(1, 3))} for i in items]
            whole_job(clerk, technician, order, used)
        elif step == 1:
            movement(stock.issue(actor=clerk, item_id=item_id, quantity=Decimal(2), order_id=order["id"]))
        elif step == 2:
            movement(stock.issue(actor=clerk, item_id=item_id, quantity=Decimal(3), order_id=order["id"]))
            movement(stock.take_back(actor=clerk, item_id=item_id, quantity=Decimal(1), order_id=order["id"]))
        else:
            cost = Decimal(rng.randint(50, 120))
            movement(
                stock.receive(actor=clerk, item_id=item_id, quantity=Decimal(8), unit_cost=cost, reason="delivery")
            )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
