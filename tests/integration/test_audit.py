"""The audit trail: written by the store for every change, browsable by admins, never editable (both databases)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

import core.audit
from core import db
from core.actor import Actor
from core.audit import record_event
from core.auth import log_in
from core.clock import utcnow
from core.errors import LoginRefused, PermissionDenied
from core.models import AuditEntry, Customer, User
from core.permissions import SERVICES
from core.services import users
from core.services.audit import AuditFilter, export_audit, search_audit
from core.services.customers import customers
from tests.factories import customer_values, make_area, make_customer, make_user

T0 = datetime(2020, 1, 1, 8, 0, tzinfo=UTC)
WINDOW = AuditFilter(since=T0, until=T0 + timedelta(days=1))


def entries(entity: str | None = None, entity_id: object = None, action: str | None = None) -> list[AuditEntry]:
    statement = select(AuditEntry).order_by(AuditEntry.id)
    if entity is not None:
        statement = statement.where(AuditEntry.entity == entity)
    if entity_id is not None:
        statement = statement.where(AuditEntry.entity_id == str(entity_id))
    if action is not None:
        statement = statement.where(AuditEntry.action == action)
    with db.reading() as session:
        return list(session.execute(statement).scalars())


def snapshot() -> list[tuple]:
    with db.reading() as session:
        return [tuple(row) for row in session.execute(text("SELECT * FROM audit_log ORDER BY id"))]


def is_aware_utc(value: datetime) -> bool:
    return value.tzinfo is not None and value.utcoffset() == timedelta(0)


# --- what a change writes -------------------------------------------------------


def test_creating_a_customer_writes_every_field_with_contact_details_masked(store):
    clerk = make_user("clerk1", "clerk")
    row = make_customer(make_area(), clerk)
    [created] = entries("customers", row["id"])
    assert (created.action, created.actor_id, created.actor_name) == ("create", clerk.user_id, "clerk1")
    assert created.changes["name"] == [None, "张伟"]
    assert created.changes["code"] == [None, "CU-000001"]
    assert created.changes["phone"] == [None, "138****5678"]
    assert created.changes["email"] == [None, "z***@example.com"]
    assert created.changes["address"][1].startswith("上海市") and "****" in created.changes["address"][1]
    assert "contact_person" not in created.changes  # empty fields are left out


def test_full_contact_details_never_reach_the_trail(store):
    clerk = make_user("clerk1", "clerk")
    row = make_customer(make_area(), clerk)
    customers.update(
        actor=clerk,
        record_id=row["id"],
        expected_version=row["version"],
        values=customer_values(row["area_id"], phone="13998765432", email="wei.zhang@example.org"),
    )
    trail = json.dumps([e.changes for e in entries("customers")], ensure_ascii=False)
    for secret in ("13812345678", "13998765432", "zhangwei@", "wei.zhang@", "漕溪北路"):
        assert secret not in trail


def test_an_update_writes_only_the_changed_fields_before_and_after(store):
    clerk = make_user("clerk1", "clerk")
    manager = make_user("boss", "manager")
    row = make_customer(make_area(), clerk)
    customers.update(
        actor=manager,
        record_id=row["id"],
        expected_version=row["version"],
        values=customer_values(row["area_id"], phone="139 8765 4321", notes="VIP"),
    )
    updated = entries("customers", row["id"])[-1]
    assert (updated.action, updated.actor_name) == ("update", "boss")
    assert updated.changes == {"phone": ["138****5678", "139****4321"], "notes": [None, "VIP"]}


def test_saving_without_changes_writes_no_update_row(store):
    clerk = make_user("clerk1", "clerk")
    row = make_customer(make_area(), clerk)
    customers.update(
        actor=clerk, record_id=row["id"], expected_version=row["version"], values=customer_values(row["area_id"])
    )
    assert [e.action for e in entries("customers", row["id"])] == ["create"]


def test_the_password_hash_is_never_stored_in_the_trail(store):
    admin = make_user("root", "admin")
    alice = make_user("alice", "clerk")
    users.reset_password(actor=admin, user_id=alice.user_id, new_password="battery-staple-42")
    created, reset = entries("users", alice.user_id)
    assert created.changes["password_hash"] == [None, "***"]
    assert reset.changes["password_hash"] == ["***", "***"]
    assert "$2" not in json.dumps([e.changes for e in entries()])


def test_role_changes_are_recorded_as_lists_before_and_after(store):
    admin = make_user("root", "admin")
    alice = make_user("alice", "clerk")
    row = users.get_user(actor=admin, user_id=alice.user_id)
    users.update_user(
        actor=admin,
        user_id=alice.user_id,
        values={**row, "roles": ["manager", "analyst"]},
        expected_version=row["version"],
    )
    created, changed = entries("users", alice.user_id)
    assert created.changes["roles"] == [[], ["clerk"]]
    assert changed.changes["roles"] == [["clerk"], ["analyst", "manager"]]


# --- stamps ---------------------------------------------------------------------


def test_the_store_stamps_who_created_and_who_last_changed(store):
    clerk = make_user("clerk1", "clerk")
    manager = make_user("boss", "manager")
    row = make_customer(make_area(), clerk)
    with db.reading() as session:
        created = session.get(Customer, row["id"])
    assert created.created_by_id == created.updated_by_id == clerk.user_id
    customers.update(
        actor=manager,
        record_id=row["id"],
        expected_version=row["version"],
        values=customer_values(row["area_id"], notes="VIP"),
    )
    with db.reading() as session:
        updated = session.get(Customer, row["id"])
    assert updated.created_by_id == clerk.user_id
    assert updated.updated_by_id == manager.user_id
    assert updated.created_at == created.created_at
    assert updated.updated_at >= created.updated_at
    assert updated.version == created.version + 1


def test_stamps_and_audit_times_are_aware_utc(store):
    before = utcnow() - timedelta(seconds=1)
    clerk = make_user("clerk1", "clerk")
    row = make_customer(make_area(), clerk)
    with db.reading() as session:
        customer = session.get(Customer, row["id"])
        user = session.get(User, clerk.user_id)
    after = utcnow() + timedelta(seconds=1)
    for value in (customer.created_at, customer.updated_at, user.created_at, entries("customers")[0].at):
        assert is_aware_utc(value)
        assert before <= value <= after


# --- events ---------------------------------------------------------------------


def test_a_permission_refusal_is_logged_and_nothing_is_written(store):
    analyst = make_user("ana", "analyst")
    area = make_area()
    with pytest.raises(PermissionDenied):
        customers.create(actor=analyst, values=customer_values(area), confirm_duplicate=True)
    [denied] = entries(action="denied")
    assert (denied.actor_id, denied.actor_name, denied.entity, denied.detail) == (
        analyst.user_id,
        "ana",
        "customers",
        "create",
    )
    assert entries("customers", action="create") == []
    with db.reading() as session:
        assert session.execute(select(func.count()).select_from(Customer)).scalar_one() == 0


def test_only_admins_browse_the_trail_and_a_refusal_is_logged(store):
    manager = make_user("boss", "manager")
    with pytest.raises(PermissionDenied):
        search_audit(actor=manager, where=AuditFilter())
    with pytest.raises(PermissionDenied):
        export_audit(actor=manager, where=AuditFilter())
    assert [(e.entity, e.detail) for e in entries(action="denied")] == [("audit", "view"), ("audit", "view")]


# --- browsing -------------------------------------------------------------------


@pytest.fixture
def trail(store, monkeypatch) -> dict[str, Actor]:
    """Four events an hour apart on 1 January 2020, far from the rows written today."""
    people = {
        "admin": make_user("root", "admin"),
        "alice": make_user("alice", "clerk"),
        "bob": make_user("bob_ops", "manager"),
    }
    clock = {"now": T0}
    monkeypatch.setattr(core.audit, "utcnow", lambda: clock["now"])
    events = [
        ("alice", "login", "users"),
        ("bob", "login", "users"),
        ("alice", "logout", "users"),
        ("bob", "denied", "customers"),
    ]
    for hour, (who, action, entity) in enumerate(events):
        clock["now"] = T0 + timedelta(hours=hour)
        record_event(
            people[who],
            action,
            entity=entity,
            entity_id=people[who].user_id,
            detail="delete" if action == "denied" else None,
        )
    monkeypatch.undo()
    return people


def found(actor: Actor, **where: object) -> list[tuple[str, str]]:
    page = search_audit(actor=actor, where=AuditFilter(**{"since": WINDOW.since, "until": WINDOW.until, **where}))
    return [(row["who"], row["action"]) for row in page.rows]


def test_the_trail_lists_newest_first(trail):
    assert found(trail["admin"]) == [
        ("bob_ops", "denied"),
        ("alice", "logout"),
        ("bob_ops", "login"),
        ("alice", "login"),
    ]


def test_the_trail_filters_by_who_ignoring_case(trail):
    assert found(trail["admin"], who="ALI") == [("alice", "logout"), ("alice", "login")]


def test_who_is_matched_literally_not_as_a_pattern(trail):
    assert found(trail["admin"], who="_") == [("bob_ops", "denied"), ("bob_ops", "login")]
    assert found(trail["admin"], who="%") == []


def test_the_trail_filters_by_action_entity_and_id(trail):
    admin, alice = trail["admin"], trail["alice"]
    assert found(admin, action="login") == [("bob_ops", "login"), ("alice", "login")]
    assert found(admin, entity="customers") == [("bob_ops", "denied")]
    assert found(admin, entity_id=str(alice.user_id)) == [("alice", "logout"), ("alice", "login")]
    assert found(admin, action="login", entity_id=str(alice.user_id)) == [("alice", "login")]


def test_the_trail_filters_by_time_with_since_included_and_until_excluded(trail):
    admin = trail["admin"]
    assert found(admin, since=T0 + timedelta(hours=1), until=T0 + timedelta(hours=3)) == [
        ("alice", "logout"),
        ("bob_ops", "login"),
    ]
    recent = search_audit(actor=admin, where=AuditFilter(since=T0 + timedelta(days=1)))
    assert recent.total > 0 and all(row["at"] > T0 + timedelta(days=1) for row in recent.rows)


def test_the_trail_is_paginated(trail):
    admin = trail["admin"]
    first = search_audit(actor=admin, where=WINDOW, page=1, page_size=3)
    second = search_audit(actor=admin, where=WINDOW, page=2, page_size=3)
    beyond = search_audit(actor=admin, where=WINDOW, page=99, page_size=3)
    assert (first.total, first.pages, len(first.rows), len(second.rows)) == (4, 2, 3, 1)
    assert second.rows[0]["action"] == "login" and second.rows[0]["who"] == "alice"
    assert beyond.page == 2 and beyond.rows == second.rows


def test_the_export_is_a_csv_with_a_header_in_time_order(trail):
    data = export_audit(actor=trail["admin"], where=WINDOW)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["id", "at_utc", "who", "action", "entity", "entity_id", "changes", "detail"]
    assert [(r[2], r[3]) for r in rows[1:]] == [
        ("alice", "login"),
        ("bob_ops", "login"),
        ("alice", "logout"),
        ("bob_ops", "denied"),
    ]
    assert datetime.fromisoformat(rows[1][1]) == T0
    assert rows[4][7] == "delete"


def test_the_export_never_hands_a_spreadsheet_a_formula(store):
    """A failed login records the typed username; in the export it must stay text, as customer exports do."""
    admin = make_user("root", "admin")
    with pytest.raises(LoginRefused):
        log_in('=HYPERLINK("http://evil.example","x")', "whatever-password")
    rows = list(csv.reader(io.StringIO(export_audit(actor=admin, where=AuditFilter()).decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert any("hyperlink" in cell for cell in cells)
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]


# --- append-only ----------------------------------------------------------------


def test_the_database_refuses_to_update_audit_rows(store):
    make_customer(make_area(), make_user("clerk1", "clerk"))
    before = snapshot()
    assert before
    with pytest.raises(DBAPIError), store.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET action = 'tampered', actor_name = 'nobody'"))
    assert snapshot() == before


def test_the_database_refuses_to_delete_audit_rows(store):
    make_customer(make_area(), make_user("clerk1", "clerk"))
    before = snapshot()
    with pytest.raises(DBAPIError), store.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": before[0][0]})
    with pytest.raises(DBAPIError), store.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log"))
    assert snapshot() == before


def test_no_service_edits_or_deletes_the_trail():
    audit_services = {name: fn.permission for name, fn in SERVICES.items() if "audit" in name}
    assert audit_services == {
        "core.services.audit.search_audit": ("audit", "view"),
        "core.services.audit.audit_choices": ("audit", "view"),
        "core.services.audit.export_audit": ("audit", "view"),
    }
    assert {action for fn in SERVICES.values() if fn.permission[0] == "audit" for action in [fn.permission[1]]} == {
        "view"
    }


def test_no_code_in_core_updates_or_deletes_audit_rows():
    core_dir = Path(core.audit.__file__).parent
    pattern = re.compile(r"(update|delete)\(\s*AuditEntry|(UPDATE|DELETE FROM)\s+audit_log")
    offenders = [str(path) for path in core_dir.rglob("*.py") if pattern.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
