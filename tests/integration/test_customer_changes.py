"""Changing customers: concurrent edits never overwrite silently, archiving, history."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

import core.services.records as service_records
from core import db, formatting
from core.errors import ConcurrentEdit
from core.i18n import translate
from core.models import AuditEntry, Customer
from core.services.customers import customers
from tests.factories import customer_values
from tests.integration.customer_support import add, phone
from tests.threads import run_in_threads

SQL = "'; DROP TABLE customers; --"
HTML = "<script>alert(1)</script>"


# --- Concurrent edits --------------------------------------------------------------------


def test_saving_over_a_newer_version_names_who_changed_it_and_when_and_keeps_their_change(
    clerk, manager, area, monkeypatch
):
    row = add(area, clerk, 1)
    monkeypatch.setattr("core.audit_trail.utcnow", lambda: datetime(2025, 3, 1, 2, 30, tzinfo=UTC))
    customers.update(
        actor=manager,
        record_id=row["id"],
        values=customer_values(area, phone=phone(1), email="c1@example.com", name="经理改的"),
        expected_version=1,
    )
    monkeypatch.undo()
    with pytest.raises(ConcurrentEdit) as refused:
        customers.update(
            actor=clerk,
            record_id=row["id"],
            values=customer_values(area, phone=phone(1), email="c1@example.com", name="文员改的"),
            expected_version=1,
        )
    error = refused.value
    assert error.changed_by == "Wangfang"
    assert error.changed_at == datetime(2025, 3, 1, 2, 30, tzinfo=UTC)
    text = translate(error.message, "en")
    assert "Wangfang" in text
    assert formatting.moment(error.changed_at) in text
    assert "10:30" in text  # the company's wall clock (Shanghai), not UTC
    stored = customers.get(actor=clerk, record_id=row["id"])
    assert (stored["name"], stored["version"]) == ("经理改的", 2)


def test_two_people_saving_the_same_version_at_once_only_one_succeeds(clerk, manager, area):
    row = add(area, clerk, 1)
    people = [(clerk, "文员改的"), (manager, "经理改的")]

    def save(index: int) -> str:
        actor, name = people[index]
        values = customer_values(area, phone=phone(1), email="c1@example.com", name=name)
        try:
            customers.update(actor=actor, record_id=row["id"], values=values, expected_version=1)
        except ConcurrentEdit:
            return "refused"
        return name

    outcomes = run_in_threads(save, 2)
    assert outcomes.count("refused") == 1
    winner = next(o for o in outcomes if o != "refused")
    stored = customers.get(actor=clerk, record_id=row["id"])
    assert (stored["name"], stored["version"]) == (winner, 2)


def test_a_write_slipping_in_between_the_version_check_and_the_save_is_never_overwritten(
    clerk, manager, area, store, monkeypatch
):
    """SQLite's write lock keeps the other writer out; on PostgreSQL the versioned UPDATE catches it."""
    row = add(area, clerk, 1)
    original = service_records._refuse_unconfirmed_duplicates
    attempts: list[str] = []

    def slip_in(*args, **kwargs):
        original(*args, **kwargs)
        if attempts:
            return
        if store.dialect == "sqlite":
            other = sqlite3.connect(store.url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                attempts.append("written")
            except sqlite3.OperationalError:
                attempts.append("locked out")
            finally:
                other.close()
            return
        with db.writing(manager) as other:
            other.get(Customer, row["id"]).name = "经理改的"
            other.commit()
        attempts.append("written")

    monkeypatch.setattr(service_records, "_refuse_unconfirmed_duplicates", slip_in)
    values = customer_values(area, phone=phone(1), email="c1@example.com", name="文员改的")
    if store.dialect == "sqlite":
        customers.update(actor=clerk, record_id=row["id"], values=values, expected_version=1)
        assert attempts == ["locked out"]
        expected = "文员改的"
    else:
        with pytest.raises(ConcurrentEdit) as refused:
            customers.update(actor=clerk, record_id=row["id"], values=values, expected_version=1)
        assert attempts == ["written"]
        assert refused.value.changed_by == "Wangfang"
        expected = "经理改的"
    stored = customers.get(actor=clerk, record_id=row["id"])
    assert (stored["name"], stored["version"]) == (expected, 2)


# --- Archiving ---------------------------------------------------------------------------


def test_an_archived_customer_is_hidden_from_search_unless_asked_for(clerk, manager, area):
    row = add(area, clerk, 1, name="归档客户")
    archived = customers.archive(actor=manager, record_id=row["id"], expected_version=row["version"])
    assert archived["archived_at"].tzinfo is UTC
    assert customers.search(actor=clerk, query="归档").total == 0
    shown = customers.search(actor=clerk, query="归档", include_archived=True)
    assert [r["code"] for r in shown.rows] == [row["code"]]


def test_a_restored_customer_is_found_again(clerk, manager, area):
    row = add(area, clerk, 1, name="归档客户")
    archived = customers.archive(actor=manager, record_id=row["id"], expected_version=row["version"])
    restored = customers.restore(actor=manager, record_id=row["id"], expected_version=archived["version"])
    assert restored["archived_at"] is None
    assert customers.search(actor=clerk, query="归档").total == 1


# --- History -----------------------------------------------------------------------------


def test_history_lists_the_creation_and_each_change_newest_first(clerk, manager, area):
    row = add(area, clerk, 1)
    customers.update(
        actor=manager,
        record_id=row["id"],
        values=customer_values(area, phone=phone(1), email="c1@example.com", name="王芳"),
        expected_version=1,
    )
    history = customers.history(actor=clerk, record_id=row["id"])
    assert [(h["action"], h["who"]) for h in history] == [("update", "wangfang"), ("create", "clerk1")]
    assert history[0]["changes"] == {"name": ["张伟", "王芳"]}
    assert history[0]["at"].tzinfo is UTC
    assert history[1]["changes"]["code"] == [None, "CU-000001"]
    assert history[1]["changes"]["phone"][1] != phone(1)  # contact details are masked in the trail


def test_history_of_one_customer_leaves_out_the_others(clerk, area):
    add(area, clerk, 1)
    second = add(area, clerk, 2)
    assert len(customers.history(actor=clerk, record_id=second["id"])) == 1
    with db.reading() as session:
        assert (
            session.execute(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "customers")
            ).scalar_one()
            == 2
        )
