"""The demo company and the first start: deterministic seeding, demo logins, the first administrator."""

from __future__ import annotations

import io
import shutil
import sys

import pytest
from sqlalchemy import func, select, text

from core import bootstrap, config, db
from core.auth import log_in
from core.demo.generate import DEMO_USERS, seed
from core.models import AuditEntry, Base, Customer, ServiceArea, User
from core.permissions import ROLES
from tests.factories import make_user


def use_a_fresh_store(store, request, name: str) -> None:
    """Another empty, migrated store of the same kind (the audit log refuses deletes, so no emptying)."""
    if store.dialect == "sqlite":
        path = request.getfixturevalue("tmp_path") / f"{name}.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        db.use_engine(db.make_engine(f"sqlite:///{path}"))
        return
    tables = [t.name for t in Base.metadata.sorted_tables]
    with store.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


def company() -> list[tuple]:
    with db.reading() as session:
        rows = session.execute(
            select(Customer.code, Customer.name, Customer.phone, Customer.email, Customer.address, ServiceArea.code)
            .join(ServiceArea, Customer.area_id == ServiceArea.id)
            .order_by(Customer.code)
        )
        return [tuple(row) for row in rows]


def count(model: type) -> int:
    with db.reading() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def settings_restored():
    """Settings changed by a test are put back with another override afterwards."""
    before = config.get_settings()
    yield
    config.override_settings(
        demo=before.demo,
        admin_username=before.admin_username,
        admin_password=before.admin_password,
        admin_name=before.admin_name,
    )


# --- Seeding -----------------------------------------------------------------------------


def test_the_same_seed_builds_the_same_company_and_another_seed_a_different_one(store, request):
    made = seed(customers=120, seed_value=7)
    first = company()
    use_a_fresh_store(store, request, "again")
    seed(customers=120, seed_value=7)
    again = company()
    use_a_fresh_store(store, request, "other")
    seed(customers=120, seed_value=8)
    other = company()
    assert made == {"users": len(DEMO_USERS), "areas": 10, "customers": 120}
    assert len(first) == 120
    assert again == first
    assert [row[1:3] for row in other] != [row[1:3] for row in first]


def test_seeded_customers_are_valid_and_numbered_from_one(store):
    seed(customers=50, seed_value=3)
    rows = company()
    assert [row[0] for row in rows] == [f"CU-{n:06d}" for n in range(1, 51)]
    assert all(row[1] and row[2] and row[4] for row in rows)
    with db.reading() as session:
        kinds = set(session.execute(select(Customer.kind)).scalars())
    assert kinds == {"person", "company"}


def test_the_demo_has_one_login_per_role_with_the_role_demo_password(store):
    seed(customers=5)
    assert sorted(user.role for user in DEMO_USERS) == sorted(ROLES)
    for user in DEMO_USERS:
        login = log_in(user.username, f"{user.role}-demo")
        assert login.actor.roles == {user.role}


def test_seeding_is_recorded_in_the_audit_log(store):
    seed(customers=5, seed_value=9)
    with db.reading() as session:
        details = session.execute(select(AuditEntry.detail).where(AuditEntry.action == "demo_seeded")).scalars().all()
    assert details == [f"seed 9: {len(DEMO_USERS)} users, 5 customers"]


def test_the_demo_refuses_a_database_that_already_has_users(store):
    make_user("boss", "admin")
    with pytest.raises(RuntimeError, match="already holds users"):
        seed(customers=5)
    assert (count(User), count(ServiceArea), count(Customer)) == (1, 0, 0)


# --- First start -------------------------------------------------------------------------


def test_first_start_without_the_demo_creates_the_configured_administrator(store, settings_restored, capsys):
    config.override_settings(
        demo=False, admin_username="boss", admin_password="Str0ng-admin-pass", admin_name="The Boss"
    )
    assert bootstrap.main() == 0
    assert "boss" in capsys.readouterr().out.lower()
    login = log_in("boss", "Str0ng-admin-pass")
    assert (login.actor.roles, login.actor.display_name) == ({"admin"}, "The Boss")
    assert count(User) == 1
    assert count(Customer) == 0


def test_an_administrator_username_from_the_settings_is_taken_in_lowercase_as_at_the_prompt(store, settings_restored):
    config.override_settings(demo=False, admin_username="Boss", admin_password="Str0ng-admin-pass", admin_name="")
    assert bootstrap.main() == 0
    assert log_in("boss", "Str0ng-admin-pass").actor.username == "boss"


def test_first_start_refuses_a_weak_administrator_password_and_creates_no_one(store, settings_restored, capsys):
    config.override_settings(demo=False, admin_username="boss", admin_password="short", admin_name="")
    assert bootstrap.main() == 1
    assert "OPSDESK_ADMIN_PASSWORD" in capsys.readouterr().err
    assert count(User) == 0


def test_first_start_with_no_administrator_and_no_terminal_says_what_to_set(
    store, settings_restored, monkeypatch, capsys
):
    config.override_settings(demo=False, admin_username="", admin_password="")
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    assert sys.stdin.isatty() is False
    assert bootstrap.main() == 1
    assert "OPSDESK_ADMIN_USERNAME" in capsys.readouterr().err
    assert count(User) == 0


def test_first_start_with_the_demo_seeds_it_once_and_prints_the_logins(store, settings_restored, capsys):
    config.override_settings(demo=True)
    assert bootstrap.main() == 0
    seeded = count(Customer)
    assert seeded > 0
    assert "clerk-demo" in capsys.readouterr().out
    assert bootstrap.main() == 0
    assert (count(User), count(Customer)) == (len(DEMO_USERS), seeded)


def test_a_later_start_leaves_an_existing_company_alone(store, settings_restored):
    make_user("boss", "admin")
    config.override_settings(demo=False, admin_username="other", admin_password="Str0ng-admin-pass")
    assert bootstrap.main() == 0
    with db.reading() as session:
        assert session.execute(select(User.username)).scalars().all() == ["boss"]
