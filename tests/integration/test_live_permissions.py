"""Services check the store, not the page: a page drawn before an admin disabled someone,
removed their role or before they logged out elsewhere cannot be used to save or download."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.actor import SYSTEM
from core.auth import log_in, log_out
from core.db import reading
from core.errors import PermissionDenied, SessionEnded
from core.models import AuditEntry
from core.services import users
from core.services.customers import customers
from tests.factories import PASSWORD, customer_values, make_area, make_user


@pytest.fixture
def clerk_session(store):
    make_user("clerk1", "clerk")
    return log_in("clerk1", PASSWORD)


def _edit_user(**changes):
    row = users.search_users(actor=SYSTEM, query="clerk1").rows[0]
    return row, {**row, **changes}


def test_a_disabled_user_cannot_save_from_a_page_drawn_before(clerk_session):
    area = make_area()
    row, _ = _edit_user()
    users.disable_user(actor=SYSTEM, user_id=row["id"], expected_version=row["version"])
    with pytest.raises(SessionEnded):
        customers.create(actor=clerk_session.actor, values=customer_values(area))
    assert customers.search(actor=SYSTEM).total == 0


def test_a_disabled_user_cannot_download_from_a_page_drawn_before(clerk_session):
    row, _ = _edit_user()
    users.disable_user(actor=SYSTEM, user_id=row["id"], expected_version=row["version"])
    with pytest.raises(SessionEnded):
        customers.export_csv(actor=clerk_session.actor)


def test_a_removed_role_is_refused_at_once(clerk_session):
    area = make_area()
    row, values = _edit_user(roles=["technician"])
    users.update_user(actor=SYSTEM, user_id=row["id"], values=values, expected_version=row["version"])
    with pytest.raises(PermissionDenied):
        customers.create(actor=clerk_session.actor, values=customer_values(area))


def test_a_session_logged_out_elsewhere_cannot_act(clerk_session):
    log_out(clerk_session.token, clerk_session.actor)
    with pytest.raises(SessionEnded):
        customers.search(actor=clerk_session.actor)


def test_an_export_is_audited_with_its_size(clerk_session):
    area = make_area()
    customers.create(actor=clerk_session.actor, values=customer_values(area))
    customers.export_csv(actor=clerk_session.actor)
    with reading() as session:
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "export")).scalar_one()
    assert (entry.actor_name, entry.entity, entry.detail.split(";")[0]) == ("clerk1", "customers", "1 rows")
