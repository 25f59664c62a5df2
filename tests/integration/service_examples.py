"""The example calls of the service permission tests: one valid call per service (EXAMPLES), and the
records they act on, made on demand (Seeded)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import time, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from core.actor import SYSTEM, Actor
from core.clock import at, today
from core.db import writing
from core.models import Order
from core.order_rules import transition
from core.services import contracts, orders, payments, users
from core.services import staff as staff_services
from core.services.audit import AuditFilter
from core.services.catalogue import catalogue
from core.services.customers import customers
from tests.factories import (
    PASSWORD,
    customer_values,
    make_area,
    make_customer,
    make_technician,
    make_user,
    order_values,
    record_version,
)
from tests.integration.attendance_examples import ATTENDANCE_EXAMPLES
from tests.integration.backup_examples import BACKUP_EXAMPLES
from tests.integration.cluster_examples import CLUSTER_EXAMPLES
from tests.integration.dashboard_examples import DASHBOARD_EXAMPLES
from tests.integration.dataset_examples import DATASET_EXAMPLES
from tests.integration.follow_up_examples import FOLLOW_UP_EXAMPLES
from tests.integration.forecast_examples import FORECAST_EXAMPLES
from tests.integration.health_examples import HEALTH_EXAMPLES
from tests.integration.kpi_examples import KPI_EXAMPLES
from tests.integration.order_support import tomorrow
from tests.integration.people_examples import PEOPLE_EXAMPLES
from tests.integration.problem_examples import PROBLEM_EXAMPLES
from tests.integration.report_examples import REPORT_EXAMPLES
from tests.integration.review_examples import REVIEW_EXAMPLES
from tests.integration.roster_examples import ROSTER_EXAMPLES
from tests.integration.segment_examples import SEGMENT_EXAMPLES
from tests.integration.staffing_examples import STAFFING_EXAMPLES
from tests.integration.stock_examples import STOCK_EXAMPLES, StockSeeded
from tests.integration.suggestion_examples import SUGGESTION_EXAMPLES


class Seeded(StockSeeded):
    """What the example calls act on, made only when an example asks for it (the matrix is large).

    Records a call changes (orders in a given status, contracts, shifts) are made fresh for each call;
    the technician is linked to the acting user, so the technician's own services have their jobs."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    @cached_property
    def area_id(self) -> int:
        return make_area()

    @cached_property
    def customer(self) -> dict[str, Any]:
        return make_customer(self.area_id)

    @cached_property
    def archived(self) -> dict[str, Any]:
        row = make_customer(self.area_id, name="Old Customer", phone="139 0000 0009", email="old@example.com")
        return customers.archive(actor=SYSTEM, record_id=row["id"], expected_version=row["version"])

    @cached_property
    def other(self) -> Actor:
        """A clerk the admin services act on."""
        return make_user("other", "clerk")

    @cached_property
    def other_version(self) -> int:
        return users.get_user(actor=SYSTEM, user_id=self.other.user_id)["version"]

    @cached_property
    def service(self) -> dict[str, Any]:
        return catalogue.create(
            actor=SYSTEM,
            values={
                "code": "CARPET",
                "name_en": "Carpet",
                "name_zh": "地毯清洗",
                "unit": "m2",
                "unit_price": "8.00",
                "minutes_per_unit": "1.5",
                "skills": ["carpet"],
                "active": True,
            },
        )

    @cached_property
    def technician(self) -> dict[str, Any]:
        """On shift tomorrow in the area, and the acting user's own staff record."""
        staff_id = make_technician("刘强", self.area_id, user=self.actor)
        return staff_services.staff.get(actor=SYSTEM, record_id=staff_id)

    def lines(self, quantity: str = "10") -> list[dict[str, Any]]:
        return [{"service_id": self.service["id"], "quantity": Decimal(quantity)}]

    def new_order(self, actor: Actor = SYSTEM, **changes: Any) -> dict[str, Any]:
        return orders.create_order(
            actor=actor,
            values=order_values(self.customer["id"], self.area_id, **changes),
            lines=self.lines(),
            idempotency_key=str(uuid.uuid4()),
        )

    def confirmed_order(self) -> dict[str, Any]:
        """Confirmed, waiting for a technician (none on shift that day)."""
        order = self.new_order(requested_date=tomorrow() + timedelta(days=1))
        return orders.confirm_order(actor=SYSTEM, order_id=order["id"], expected_version=order["version"])

    def scheduled_order(self) -> dict[str, Any]:
        """Booked for the acting user's technician record."""
        self.technician  # noqa: B018  (made before confirming, so the order is assigned to it)
        order = self.new_order()
        booked = orders.confirm_order(actor=SYSTEM, order_id=order["id"], expected_version=order["version"])
        assert booked["technician_id"] == self.technician["id"]
        return booked

    def in_progress_order(self) -> dict[str, Any]:
        booked = self.scheduled_order()
        with writing(SYSTEM) as session:  # started by the rule itself: start_job is a call under test
            order = session.get(Order, booked["id"])
            transition(session, order, "in_progress", SYSTEM)
            session.commit()
            return {"id": order.id, "version": order.version}

    def order_with_payment(self) -> dict[str, Any]:
        order = self.new_order()
        return payments.record_payment(actor=SYSTEM, order_id=order["id"], amount="50", method="cash")

    def contract(self) -> dict[str, Any]:
        return contracts.create_contract(
            actor=SYSTEM, values=self.contract_values(), lines=[{"service_id": self.service["id"], "quantity": 1}]
        )

    def contract_values(self, **changes: Any) -> dict[str, Any]:
        return {
            "customer_id": self.customer["id"],
            "frequency": "weekly",
            "starts_on": tomorrow(),
            "ends_on": None,
            "window_start": time(18),
            "window_end": time(20),
            "address": "上海市徐汇区虹桥路1号",
            "area_id": self.area_id,
            "channel": "phone",
            "notes": None,
            **changes,
        }

    def shift_id(self) -> int:
        return staff_services.add_shift(
            actor=SYSTEM,
            staff_id=self.technician["id"],
            day=tomorrow() + timedelta(days=2),
            start=time(8),
            end=time(12),
        )["id"]


def _import_csv(context: Seeded) -> bytes:
    return (
        "name,kind,phone,email,address,area_id,source\n"
        f"Imported Co,company,13900000001,imported@example.com,1 Road,{context.area_id},web\n"
    ).encode()


def _other_user_values(context: Seeded) -> dict[str, Any]:
    return {
        "username": context.other.username,
        "display_name": "Renamed",
        "email": None,
        "language": "en",
        "roles": ["clerk", "analyst"],
    }


def _version_of(order: dict[str, Any]) -> dict[str, Any]:
    return {"order_id": order["id"], "expected_version": order["version"]}


def _order_edit(c: Seeded) -> dict[str, Any]:
    order = c.new_order()
    return {
        "order_id": order["id"],
        "values": order_values(c.customer["id"], c.area_id, notes="门禁密码 1234"),
        "lines": c.lines("12"),
        "expected_version": order["version"],
    }


def _contract_version(contract: dict[str, Any]) -> dict[str, Any]:
    return {"contract_id": contract["id"], "expected_version": contract["version"]}


def _contract_edit(c: Seeded) -> dict[str, Any]:
    return {
        **_contract_version(c.contract()),
        "values": c.contract_values(frequency="fortnightly"),
        "lines": [{"service_id": c.service["id"], "quantity": 2}],
    }


def _my_jobs(c: Seeded) -> dict[str, Any]:
    c.technician  # noqa: B018  (the caller's own technician record, with tomorrow's shift)
    return {"day": tomorrow()}


def _generate_orders(c: Seeded) -> dict[str, Any]:
    c.contract()
    return {"until": tomorrow()}


CATALOGUE_CSV = (
    "code,name_en,name_zh,unit,unit_price,minutes_per_unit,skills,active\nWINDOW,Windows,擦窗,m2,5,1,window,yes\n"
).encode()


EXAMPLES: dict[str, Callable[[Seeded], dict[str, Any]]] = {
    "core.services.audit.search_audit": lambda c: {"where": AuditFilter()},
    "core.services.audit.audit_choices": lambda c: {},
    "core.services.audit.export_audit": lambda c: {"where": AuditFilter(action="create")},
    "core.services.customers.search": lambda c: {"query": "张"},
    "core.services.customers.get": lambda c: {"record_id": c.customer["id"]},
    "core.services.customers.options": lambda c: {},
    "core.services.customers.duplicates": lambda c: {"values": {"phone": c.customer["phone"]}},
    "core.services.customers.create": lambda c: {
        "values": customer_values(c.area_id, phone="139 0000 0002", email="new@example.com")
    },
    "core.services.customers.update": lambda c: {
        "record_id": c.customer["id"],
        "values": customer_values(c.area_id, name="王芳"),
        "expected_version": c.customer["version"],
    },
    "core.services.customers.archive": lambda c: {
        "record_id": c.customer["id"],
        "expected_version": c.customer["version"],
    },
    "core.services.customers.restore": lambda c: {
        "record_id": c.archived["id"],
        "expected_version": c.archived["version"],
    },
    "core.services.customers.history": lambda c: {"record_id": c.customer["id"]},
    "core.services.customers.export_csv": lambda c: {"query": ""},
    "core.services.customers.check_import": lambda c: {"data": _import_csv(c)},
    "core.services.customers.run_import": lambda c: {"data": _import_csv(c)},
    "core.services.customers.reveal_contacts": lambda c: {"customer_id": c.customer["id"]},
    "core.services.permissions.permission_matrix": lambda c: {},
    "core.services.profile.set_language": lambda c: {"language": "zh"},
    "core.services.profile.change_password": lambda c: {
        "current_password": PASSWORD,
        "new_password": "another-horse-7",
    },
    "core.services.users.search_users": lambda c: {"query": "other"},
    "core.services.users.get_user": lambda c: {"user_id": c.other.user_id},
    "core.services.users.create_user": lambda c: {
        "values": {"username": "newcomer", "display_name": "Newcomer", "language": "zh", "roles": ["clerk"]},
        "password": "newcomer-pass-1",
    },
    "core.services.users.update_user": lambda c: {
        "user_id": c.other.user_id,
        "values": _other_user_values(c),
        "expected_version": c.other_version,
    },
    "core.services.users.reset_password": lambda c: {"user_id": c.other.user_id, "new_password": "fresh-start-42"},
    "core.services.users.disable_user": lambda c: {"user_id": c.other.user_id, "expected_version": c.other_version},
    "core.services.users.enable_user": lambda c: {"user_id": c.other.user_id, "expected_version": c.other_version},
    "core.services.users.unlock_user": lambda c: {"username": c.other.username},
    # --- Orders ---
    "core.services.orders.create_order": lambda c: {
        "values": order_values(c.customer["id"], c.area_id),
        "lines": c.lines(),
        "idempotency_key": "form-1",
    },
    "core.services.reference.service_areas": lambda c: {},
    "core.services.orders.quote": lambda c: {"lines": c.lines(), "discount_pct": "5"},
    "core.services.orders.update_order": _order_edit,
    "core.services.orders.get_order": lambda c: {"order_id": c.new_order()["id"]},
    "core.services.orders.find_order": lambda c: {"number": "SO-2026-000001"},
    "core.services.orders.search_orders": lambda c: {"query": "张"},
    "core.services.orders.confirm_order": lambda c: _version_of(c.new_order()),
    "core.services.orders.cancel_order": lambda c: {**_version_of(c.new_order()), "reason": "客户改期"},
    "core.services.orders.decide_discount": lambda c: {
        **_version_of(c.new_order(actor=c.other, discount_pct=Decimal(20))),
        "approve": True,
    },
    "core.services.orders.pending_discounts": lambda c: {},
    "core.services.orders.customer_summary": lambda c: {"customer_id": c.customer["id"]},
    # --- Dispatch ---
    "core.services.dispatch.assign": lambda c: {
        **_version_of(c.scheduled_order()),
        "staff_id": c.technician["id"],
        "start": at(tomorrow(), time(13)),
    },
    "core.services.dispatch.unassign": lambda c: _version_of(c.scheduled_order()),
    "core.services.dispatch.dispatch_again": lambda c: {"order_id": c.confirmed_order()["id"]},
    "core.services.dispatch.board": lambda c: {"day": tomorrow()},
    "core.services.dispatch.technicians": lambda c: {},
    # --- The technician's own jobs (the technician record is the caller's) ---
    "core.services.jobs.my_jobs": _my_jobs,
    "core.services.jobs.start_job": lambda c: _version_of(c.scheduled_order()),
    "core.services.jobs.call_customer": lambda c: {"order_id": c.scheduled_order()["id"]},
    "core.services.jobs.complete_job": lambda c: {**_version_of(c.in_progress_order()), "rating": 5},
    # --- Money ---
    "core.services.payments.record_payment": lambda c: {
        "order_id": c.new_order()["id"],
        "amount": "10",
        "method": "wechat",
    },
    "core.services.payments.refund": lambda c: {
        "order_id": c.order_with_payment()["id"],
        "amount": "10",
        "method": "cash",
        "reason": "少做一间",
    },
    "core.services.payments.payments_of": lambda c: {"order_id": c.order_with_payment()["id"]},
    "core.services.finance.receivables": lambda c: {},
    "core.services.finance.settlement": lambda c: {"date_from": today(), "date_to": today()},
    "core.services.finance.settlement_csv": lambda c: {"date_from": today(), "date_to": today(), "language": "zh"},
    # --- Contracts ---
    "core.services.contracts.create_contract": lambda c: {
        "values": c.contract_values(),
        "lines": [{"service_id": c.service["id"], "quantity": 1}],
    },
    "core.services.contracts.update_contract": _contract_edit,
    "core.services.contracts.end_contract": lambda c: _contract_version(c.contract()),
    "core.services.contracts.list_contracts": lambda c: {},
    "core.services.contracts.get_contract": lambda c: {"contract_id": c.contract()["id"]},
    "core.services.contracts.generate_orders": _generate_orders,
    # --- Catalogue (entity services) ---
    "core.services.catalogue.search": lambda c: {"query": "carpet"},
    "core.services.catalogue.get": lambda c: {"record_id": c.service["id"]},
    "core.services.catalogue.options": lambda c: {},
    "core.services.catalogue.duplicates": lambda c: {"values": {"code": "CARPET"}},
    "core.services.catalogue.create": lambda c: {
        "values": {
            "code": "WINDOW",
            "name_en": "Windows",
            "name_zh": "擦窗",
            "unit": "m2",
            "unit_price": "5",
            "minutes_per_unit": "1",
            "skills": ["window"],
            "active": True,
        },
    },
    "core.services.catalogue.update": lambda c: {
        "record_id": c.service["id"],
        "values": {**c.service, "unit_price": "9.00"},
        "expected_version": c.service["version"],
    },
    "core.services.catalogue.archive": lambda c: record_version(c.service),
    "core.services.catalogue.restore": lambda c: record_version(c.service),
    "core.services.catalogue.history": lambda c: {"record_id": c.service["id"]},
    "core.services.catalogue.export_csv": lambda c: {"query": ""},
    "core.services.catalogue.check_import": lambda c: {"data": CATALOGUE_CSV},
    "core.services.catalogue.run_import": lambda c: {"data": CATALOGUE_CSV},
    **STOCK_EXAMPLES,
    **DASHBOARD_EXAMPLES,
    **ROSTER_EXAMPLES,
    **ATTENDANCE_EXAMPLES,
    **PEOPLE_EXAMPLES,
    **REVIEW_EXAMPLES,
    **DATASET_EXAMPLES,
    **KPI_EXAMPLES,
    **REPORT_EXAMPLES,
    **FOLLOW_UP_EXAMPLES,
    **STAFFING_EXAMPLES,
    **SUGGESTION_EXAMPLES,
    **SEGMENT_EXAMPLES,
    **CLUSTER_EXAMPLES,
    **FORECAST_EXAMPLES,
    **PROBLEM_EXAMPLES,
    **BACKUP_EXAMPLES,
    **HEALTH_EXAMPLES,
}
