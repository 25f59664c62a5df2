"""Materials per service and per job on both databases: what each catalogue service uses per unit,
what an order's job should therefore use, and the technician's confirmation issuing it from stock
in the same step as completing the job."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from core.errors import NotFound
from core.models import Movement, ServiceMaterial
from core.services import jobs, materials, orders
from tests.factories import make_service, order_values
from tests.integration.order_support import field_errors, scheduled
from tests.integration.stock_support import count, make_item, movements, on_hand


@pytest.fixture
def shampoo(store) -> dict:
    return make_item("SHAMPOO-5L", unit_cost="80", stock_on_hand="10")


@pytest.fixture
def gloves(store) -> dict:
    return make_item("GLOVES", unit="pair", category="protective", unit_cost="5", stock_on_hand="40")


@pytest.fixture
def detergent(store) -> dict:
    return make_item("DETERGENT-L", unit="litre", unit_cost="12", stock_on_hand="20")


def per_unit(*rows: tuple[dict, str]) -> list[dict]:
    return [{"item_id": item["id"], "quantity_per_unit": quantity} for item, quantity in rows]


def listed(service_id: int, actor) -> list[tuple[str, Decimal]]:
    return [(r["sku"], r["quantity_per_unit"]) for r in materials.service_materials(actor=actor, service_id=service_id)]


# --- Materials per service ---------------------------------------------------------------


def test_a_service_s_materials_are_replaced_as_a_whole(manager, carpet, shampoo, gloves):
    materials.set_service_materials(
        actor=manager, service_id=carpet, materials=per_unit((shampoo, "0.05"), (gloves, "0.1"))
    )
    assert listed(carpet, manager) == [("GLOVES", Decimal("0.1")), ("SHAMPOO-5L", Decimal("0.05"))]
    materials.set_service_materials(actor=manager, service_id=carpet, materials=per_unit((gloves, "0.2")))
    assert listed(carpet, manager) == [("GLOVES", Decimal("0.2"))]
    assert materials.set_service_materials(actor=manager, service_id=carpet, materials=[]) == []
    assert count(ServiceMaterial) == 0


def test_an_item_listed_twice_is_refused_and_the_list_is_kept(manager, carpet, shampoo):
    materials.set_service_materials(actor=manager, service_id=carpet, materials=per_unit((shampoo, "0.05")))
    errors = field_errors(
        materials.set_service_materials,
        actor=manager,
        service_id=carpet,
        materials=per_unit((shampoo, "0.1"), (shampoo, "0.2")),
    )
    assert errors == {"materials.1.item_id": "This item is already listed."}
    assert listed(carpet, manager) == [("SHAMPOO-5L", Decimal("0.05"))]


@pytest.mark.parametrize("quantity", ["0", "-0.5", "", "lots"])
def test_a_quantity_per_unit_of_zero_or_less_is_refused(manager, carpet, shampoo, quantity):
    errors = field_errors(
        materials.set_service_materials, actor=manager, service_id=carpet, materials=per_unit((shampoo, quantity))
    )
    assert errors == {"materials.0.quantity_per_unit": "The quantity must be more than zero."}
    assert count(ServiceMaterial) == 0


def test_an_unknown_item_or_service_is_refused(manager, carpet):
    errors = field_errors(
        materials.set_service_materials,
        actor=manager,
        service_id=carpet,
        materials=[{"item_id": 999, "quantity_per_unit": "1"}],
    )
    assert set(errors) == {"materials.0.item_id"}
    with pytest.raises(NotFound):
        materials.set_service_materials(actor=manager, service_id=999, materials=[])


# --- What a job should use ---------------------------------------------------------------


def two_service_order(clerk, customer, area, carpet, sofa, carpet_m2: str, seats: str) -> dict:
    return orders.create_order(
        actor=clerk,
        values=order_values(customer["id"], area),
        lines=[
            {"service_id": carpet, "quantity": Decimal(carpet_m2)},
            {"service_id": sofa, "quantity": Decimal(seats)},
        ],
        idempotency_key=uuid.uuid4().hex,
    )


def test_the_proposal_adds_up_each_item_over_the_order_s_lines_rounding_whole_units_up(
    manager, clerk, customer, area, carpet, shampoo, gloves, detergent
):
    sofa = make_service("SOFA", price="40", minutes="20", unit="piece")
    materials.set_service_materials(
        actor=manager, service_id=carpet, materials=per_unit((shampoo, "0.05"), (detergent, "0.0333"))
    )
    materials.set_service_materials(actor=manager, service_id=sofa, materials=per_unit((shampoo, "0.5"), (gloves, "1")))
    order = two_service_order(clerk, customer, area, carpet, sofa, carpet_m2="25", seats="3")
    proposal = materials.proposed_materials(actor=manager, order_id=order["id"])
    assert [(row["sku"], row["quantity"], row["on_hand"]) for row in proposal] == [
        ("DETERGENT-L", Decimal("0.83"), Decimal(20)),  # 25 x 0.0333 = 0.8325, to the hundredth
        ("GLOVES", Decimal(3), Decimal(40)),
        ("SHAMPOO-5L", Decimal(3), Decimal(10)),  # 25 x 0.05 + 3 x 0.5 = 2.75 bottles, so 3
    ]


def test_an_order_whose_services_list_no_materials_proposes_none(manager, clerk, customer, area, carpet):
    order = orders.create_order(
        actor=clerk,
        values=order_values(customer["id"], area),
        lines=[{"service_id": carpet, "quantity": Decimal(10)}],
        idempotency_key=uuid.uuid4().hex,
    )
    assert materials.proposed_materials(actor=manager, order_id=order["id"]) == []


# --- Completing a job with the materials used --------------------------------------------


def started(liu, order: dict) -> dict:
    return jobs.start_job(actor=liu, order_id=order["id"], expected_version=order["version"])


def used(*rows: tuple[dict, str]) -> list[dict]:
    return [{"item_id": item["id"], "quantity": quantity} for item, quantity in rows]


def test_completing_a_job_issues_the_materials_used_against_the_order(
    clerk, customer, area, carpet, liu, liu_staff, shampoo, detergent
):
    job = started(liu, scheduled(clerk, customer, area, carpet))
    done = jobs.complete_job(
        actor=liu,
        order_id=job["id"],
        expected_version=job["version"],
        used=used((shampoo, "2"), (detergent, "1.5")),
    )
    assert done["status"] == "completed"
    assert sorted((m["sku"], m["quantity"], m["cost"]) for m in done["materials"]) == [
        ("DETERGENT-L", Decimal("1.5"), Decimal(18)),
        ("SHAMPOO-5L", Decimal(2), Decimal(160)),
    ]
    assert done["material_cost"] == Decimal("178.00")
    issued = [m for m in movements() if m.kind == "issue"]
    assert {(m.order_id, m.actor_id, m.reason) for m in issued} == {(job["id"], liu.user_id, job["number"])}
    assert (on_hand(shampoo["id"]), on_hand(detergent["id"])) == (Decimal(8), Decimal("18.5"))
    view = orders.get_order(actor=clerk, order_id=job["id"])
    assert view["material_cost"] == Decimal("178.00")


def test_a_job_is_not_completed_when_the_store_lacks_a_material(
    clerk, customer, area, carpet, liu, liu_staff, shampoo, gloves
):
    job = started(liu, scheduled(clerk, customer, area, carpet))
    before = count(Movement)
    errors = field_errors(
        jobs.complete_job,
        actor=liu,
        order_id=job["id"],
        expected_version=job["version"],
        used=used((gloves, "2"), (shampoo, "11")),
    )
    assert errors == {"used.1.quantity": "Only 10.00 bottle of SHAMPOO-5L on hand; 11.00 cannot be taken."}
    assert orders.get_order(actor=clerk, order_id=job["id"])["status"] == "in_progress"
    assert (count(Movement), on_hand(gloves["id"]), on_hand(shampoo["id"])) == (before, Decimal(40), Decimal(10))


def test_a_fraction_of_a_bottle_used_is_refused_under_its_row(clerk, customer, area, carpet, liu, liu_staff, shampoo):
    job = started(liu, scheduled(clerk, customer, area, carpet))
    errors = field_errors(
        jobs.complete_job, actor=liu, order_id=job["id"], expected_version=job["version"], used=used((shampoo, "0.5"))
    )
    assert errors == {"used.0.quantity": "SHAMPOO-5L is counted in whole bottles."}
    assert orders.get_order(actor=clerk, order_id=job["id"])["status"] == "in_progress"


def test_a_proposed_material_left_at_zero_is_not_issued(clerk, customer, area, carpet, liu, liu_staff, shampoo, gloves):
    job = started(liu, scheduled(clerk, customer, area, carpet))
    done = jobs.complete_job(
        actor=liu,
        order_id=job["id"],
        expected_version=job["version"],
        used=used((shampoo, "0"), (gloves, "1")),
    )
    assert [(m["sku"], m["quantity"]) for m in done["materials"]] == [("GLOVES", Decimal(1))]
    assert [m.kind for m in movements(shampoo["id"])] == ["receipt"]


def test_a_job_completed_without_materials_costs_nothing(clerk, customer, area, carpet, liu, liu_staff, shampoo):
    job = started(liu, scheduled(clerk, customer, area, carpet))
    done = jobs.complete_job(actor=liu, order_id=job["id"], expected_version=job["version"])
    assert (done["status"], done["materials"], done["material_cost"]) == ("completed", [], Decimal(0))
