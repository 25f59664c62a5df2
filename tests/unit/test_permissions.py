"""The role x module x action matrix, and the rules that keep it the single source of who may do what."""

from __future__ import annotations

import pytest

from core.permissions import (
    ACTIONS,
    MATRIX,
    MODULES,
    ROLES,
    SERVICES,
    allowed,
    matrix_rows,
    service,
)


def test_every_module_in_the_matrix_is_a_known_module_and_vice_versa():
    assert set(MATRIX) == set(MODULES)


@pytest.mark.parametrize("module", sorted(MATRIX))
def test_every_module_can_be_viewed_by_someone(module):
    assert "view" in MATRIX[module]
    assert MATRIX[module]["view"]


@pytest.mark.parametrize(("module", "action"), [(m, a) for m, actions in MATRIX.items() for a in actions])
def test_every_action_is_known_and_every_role_in_the_matrix_is_known(module, action):
    assert action in ACTIONS
    assert MATRIX[module][action] <= set(ROLES)


def test_the_system_role_is_not_a_role_a_user_can_hold():
    assert "system" not in ROLES


def test_a_role_is_allowed_what_the_matrix_lists():
    assert allowed(frozenset({"clerk"}), "customers", "create")
    assert allowed(frozenset({"admin"}), "users", "edit")


def test_a_role_is_refused_what_the_matrix_does_not_list():
    assert not allowed(frozenset({"clerk"}), "customers", "delete")
    assert not allowed(frozenset({"analyst"}), "customers", "edit")
    assert not allowed(frozenset({"admin"}), "customers", "view")
    assert not allowed(frozenset({"technician"}), "users", "view")


def test_several_roles_allow_what_any_one_of_them_allows():
    roles = frozenset({"analyst", "admin"})
    assert allowed(roles, "customers", "view")
    assert allowed(roles, "users", "delete")
    assert not allowed(roles, "customers", "edit")


def test_no_roles_allow_nothing():
    assert not any(allowed(frozenset(), module, action) for module, actions in MATRIX.items() for action in actions)


def test_an_unknown_module_or_action_is_refused():
    assert not allowed(frozenset(ROLES), "payroll", "view")
    assert not allowed(frozenset(ROLES), "audit", "delete")


@pytest.mark.parametrize(("module", "action"), [(m, a) for m in MODULES for a in ACTIONS])
def test_the_system_role_allows_everything(module, action):
    assert allowed(frozenset({"system"}), module, action)


def test_every_role_may_view_and_edit_their_own_profile():
    for role in ROLES:
        assert allowed(frozenset({role}), "profile", "view")
        assert allowed(frozenset({role}), "profile", "edit")


def test_nobody_may_edit_or_delete_the_audit_log():
    assert set(MATRIX["audit"]) == {"view"}


@pytest.mark.parametrize(("module", "action"), [("customers", "approve"), ("audit", "delete"), ("payroll", "view")])
def test_a_service_cannot_be_declared_with_a_permission_outside_the_matrix(module, action):
    before = dict(SERVICES)
    with pytest.raises(ValueError, match=f"{module}.{action}"):
        service(module, action)
    assert before == SERVICES


def test_matrix_rows_have_one_row_per_module_and_action_and_one_column_per_role():
    rows = matrix_rows()
    assert len(rows) == sum(len(actions) for actions in MATRIX.values())
    assert {(row["module"], row["action"]) for row in rows} == {(m, a) for m, acts in MATRIX.items() for a in acts}
    for row in rows:
        assert set(row) == {"module", "action", *ROLES}
        for role in ROLES:
            assert row[role] is (role in MATRIX[row["module"]][row["action"]])


def test_matrix_rows_show_what_a_clerk_may_do_with_customers():
    row = next(r for r in matrix_rows() if (r["module"], r["action"]) == ("customers", "delete"))
    assert row["manager"] is True
    assert row["clerk"] is False
