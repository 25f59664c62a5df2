"""Changing orders after they are taken: editing, catalogue price changes, cancelling and the status
flow, and the audit trail and status history every change leaves."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest
from sqlalchemy import select

from core import db
from core.errors import ConcurrentEdit, OpsdeskError
from core.i18n import translate
from core.models import AuditEntry
from core.order_status import InvalidTransition
from core.services import jobs, orders, payments
from core.services.catalogue import catalogue
from tests.factories import make_service, make_technician, order_values
from tests.integration.order_support import edit, events, place, refused

# --- Editing -----------------------------------------------------------------------------


def test_an_edit_computes_the_amounts_again(clerk, area, customer, carpet):
    created = place(clerk, customer["id"], area, carpet, quantity="10")
    changed = edit(clerk, created, quantity="25")
    assert (changed["subtotal"], changed["total"]) == (Decimal("200.00"), Decimal("212.00"))
    assert changed["version"] == created["version"] + 1
    assert [line["quantity"] for line in changed["lines"]] == [Decimal("25.00")]


def test_an_edit_over_someone_else_s_newer_change_is_refused(clerk, area, customer, carpet):
    created = place(clerk, customer["id"], area, carpet)
    edit(clerk, created, quantity="12")
    with pytest.raises(ConcurrentEdit):
        edit(clerk, created, quantity="30")
    assert orders.get_order(actor=clerk, order_id=created["id"])["lines"][0]["quantity"] == Decimal("12.00")


def test_an_edit_is_checked_like_a_new_order(clerk, area, customer, carpet):
    created = place(clerk, customer["id"], area, carpet)
    errors = refused(edit, actor=clerk, order=created, quantity="0", window_end=time(8))
    assert set(errors) == {"lines.0.quantity", "window_end"}


def test_a_scheduled_order_cannot_be_edited(clerk, area, customer, carpet):
    make_technician("刘强", area)
    created = place(clerk, customer["id"], area, carpet)
    scheduled = orders.confirm_order(actor=clerk, order_id=created["id"], expected_version=created["version"])
    assert scheduled["status"] == "scheduled"
    with pytest.raises(OpsdeskError):
        edit(clerk, scheduled, quantity="30")


# --- Catalogue price changes -------------------------------------------------------------


def test_a_catalogue_price_change_leaves_existing_orders_alone(clerk, manager, area, customer, carpet):
    created = place(clerk, customer["id"], area, carpet, quantity="20")
    row = catalogue.get(actor=manager, record_id=carpet)
    catalogue.update(
        actor=manager, record_id=carpet, values={**row, "unit_price": "12.00"}, expected_version=row["version"]
    )
    stored = orders.get_order(actor=clerk, order_id=created["id"])
    assert stored["lines"][0]["unit_price"] == Decimal("8.00")
    assert (stored["subtotal"], stored["total"]) == (Decimal("160.00"), Decimal("169.60"))
    assert place(clerk, customer["id"], area, carpet, quantity="20")["subtotal"] == Decimal("240.00")


def test_an_edit_keeps_the_lines_own_prices_after_the_catalogue_changes(clerk, manager, area, customer, carpet):
    created = place(clerk, customer["id"], area, carpet, quantity="10")
    row = catalogue.get(actor=manager, record_id=carpet)
    catalogue.update(
        actor=manager,
        record_id=carpet,
        values={**row, "unit_price": "20", "active": False},
        expected_version=row["version"],
    )
    changed = edit(clerk, created, quantity="10", address="上海市徐汇区新地址9号")
    assert (changed["lines"][0]["unit_price"], changed["subtotal"]) == (Decimal("8.00"), Decimal("80.00"))
    more = edit(clerk, changed, quantity="12")
    assert more["subtotal"] == Decimal("96.00")


# --- Cancelling and the status flow ------------------------------------------------------


def test_cancelling_needs_a_reason(clerk, area, customer, carpet):
    created = place(clerk, customer["id"], area, carpet)
    errors = refused(
        orders.cancel_order, actor=clerk, order_id=created["id"], reason="  ", expected_version=created["version"]
    )
    assert set(errors) == {"reason"}
    assert orders.get_order(actor=clerk, order_id=created["id"])["status"] == "new"


def test_a_cancelled_order_keeps_its_reason_in_the_order_and_its_history(clerk, area, customer, carpet):
    created = place(clerk, customer["id"], area, carpet)
    cancelled = orders.cancel_order(
        actor=clerk, order_id=created["id"], reason="客户改期", expected_version=created["version"]
    )
    assert (cancelled["status"], cancelled["cancel_reason"]) == ("cancelled", "客户改期")
    last = events(created["id"])[-1]
    assert (last.from_status, last.to_status, last.note, last.actor_id) == (
        "new",
        "cancelled",
        "客户改期",
        clerk.user_id,
    )


def test_an_order_with_money_received_cannot_be_cancelled(clerk, area, customer, carpet):
    created = place(clerk, customer["id"], area, carpet)
    payments.record_payment(actor=clerk, order_id=created["id"], amount="50", method="cash")
    current = orders.get_order(actor=clerk, order_id=created["id"])
    with pytest.raises(OpsdeskError) as refusal:
        orders.cancel_order(
            actor=clerk, order_id=created["id"], reason="changed mind", expected_version=current["version"]
        )
    assert "refund" in str(refusal.value.message)
    assert orders.get_order(actor=clerk, order_id=created["id"])["status"] == "new"


def test_a_completed_order_cannot_be_cancelled(clerk, manager, area, customer, carpet):
    make_technician("刘强", area)
    created = place(clerk, customer["id"], area, carpet)
    scheduled = orders.confirm_order(actor=clerk, order_id=created["id"], expected_version=created["version"])
    started = jobs.start_job(actor=manager, order_id=created["id"], expected_version=scheduled["version"])
    done = jobs.complete_job(actor=manager, order_id=created["id"], expected_version=started["version"])
    with pytest.raises(InvalidTransition):
        orders.cancel_order(actor=clerk, order_id=created["id"], reason="too late", expected_version=done["version"])


def test_starting_a_job_that_is_not_scheduled_is_refused(clerk, manager, area, customer, carpet):
    created = place(clerk, customer["id"], area, carpet)
    with pytest.raises(InvalidTransition) as refusal:
        jobs.start_job(actor=manager, order_id=created["id"], expected_version=created["version"])
    assert "Next possible: Cancelled, Confirmed." in translate(refusal.value.message, "en")
    assert orders.get_order(actor=clerk, order_id=created["id"])["status"] == "new"


def test_confirming_twice_is_refused(clerk, area, customer, carpet):
    created = place(clerk, customer["id"], area, carpet)
    confirmed = orders.confirm_order(actor=clerk, order_id=created["id"], expected_version=created["version"])
    assert confirmed["status"] == "confirmed"  # no technician yet
    with pytest.raises(InvalidTransition):
        orders.confirm_order(actor=clerk, order_id=created["id"], expected_version=confirmed["version"])


def test_confirming_with_a_stale_version_is_refused(clerk, area, customer, carpet):
    created = place(clerk, customer["id"], area, carpet)
    edit(clerk, created, quantity="11")
    with pytest.raises(ConcurrentEdit):
        orders.confirm_order(actor=clerk, order_id=created["id"], expected_version=created["version"])


# --- Audit and history -------------------------------------------------------------------


def audit_changes(order_id: int) -> list[tuple[str, int | None, dict]]:
    with db.reading() as session:
        rows = session.execute(
            select(AuditEntry)
            .where(AuditEntry.entity == "orders", AuditEntry.entity_id == str(order_id))
            .order_by(AuditEntry.id)
        ).scalars()
        return [(row.action, row.actor_id, row.changes or {}) for row in rows]


def test_every_change_writes_audit_rows_and_the_status_history_with_who_and_when(
    clerk, manager, area, customer, carpet
):
    created = place(clerk, customer["id"], area, carpet)
    changed = edit(clerk, created, quantity="12")
    confirmed = orders.confirm_order(actor=manager, order_id=created["id"], expected_version=changed["version"])
    orders.cancel_order(actor=clerk, order_id=created["id"], reason="duplicate", expected_version=confirmed["version"])
    trail = audit_changes(created["id"])
    assert trail[0][:2] == ("create", clerk.user_id)
    assert [(who, changes["total"]) for action, who, changes in trail if "total" in changes][1:] == [
        (clerk.user_id, ["84.80", "101.76"])
    ]
    assert [(who, changes["status"]) for action, who, changes in trail if "status" in changes][1:] == [
        (manager.user_id, ["new", "confirmed"]),
        (clerk.user_id, ["confirmed", "cancelled"]),
    ]
    history = [(e.from_status, e.to_status, e.actor_id, e.actor_name) for e in events(created["id"])]
    assert history == [
        (None, "new", clerk.user_id, clerk.display_name),
        ("new", "confirmed", manager.user_id, manager.display_name),
        ("confirmed", "cancelled", clerk.user_id, clerk.display_name),
    ]
    shown = orders.get_order(actor=clerk, order_id=created["id"])["events"]
    assert [e["to_status"] for e in shown] == ["new", "confirmed", "cancelled"]
    assert all(e["at"] is not None for e in shown)


def test_changing_only_an_order_s_lines_is_in_the_audit_trail(clerk, area, customer, carpet):
    sofa = make_service("SOFA", price="8.00", minutes="1.5")
    created = place(clerk, customer["id"], area, carpet, quantity="10")
    orders.update_order(
        actor=clerk,
        order_id=created["id"],
        values=order_values(customer["id"], area),
        lines=[{"service_id": sofa, "quantity": "10"}],
        expected_version=created["version"],
    )
    assert orders.get_order(actor=clerk, order_id=created["id"])["lines"][0]["service_code"] == "SOFA"
    updates = [changes for action, _who, changes in audit_changes(created["id"]) if action == "update"]
    assert updates, "the edit replaced the carpet line by a sofa line, but the audit trail shows no change"


def test_the_audit_trail_names_the_changed_amounts_and_who_changed_them(clerk, area, customer, carpet):
    created = place(clerk, customer["id"], area, carpet, quantity="10")
    edit(clerk, created, quantity="20")
    with db.reading() as session:
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.entity == "orders", AuditEntry.action == "update")
        ).scalar_one()
    assert entry.actor_id == clerk.user_id
    assert entry.changes["total"] == ["84.80", "169.60"]
