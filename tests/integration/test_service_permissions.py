"""Every service, called as every role, does exactly what the permission matrix says.

EXAMPLES (in service_examples.py) holds one valid call per service; a service added without an
example, or a public function in core.services that is not registered as a service, fails here.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from dataclasses import fields
from typing import Any

import pytest
from sqlalchemy import select

import core.services
from core.db import reading
from core.errors import OpsdeskError, PermissionDenied
from core.models import AuditEntry
from core.permissions import MATRIX, ROLES, SERVICES, allowed
from core.services.records import EntityServices
from tests.factories import make_user
from tests.integration.service_examples import EXAMPLES, Seeded

# Generated for every entity, but catalogue services, staff, stock items and suppliers are not
# archived: even when the role may call them, they refuse (with a domain message, not a permission
# refusal).
REFUSED_FOR_EVERYONE = {
    "core.services.catalogue.archive",
    "core.services.catalogue.restore",
    "core.services.staff.archive",
    "core.services.staff.restore",
    "core.services.items.archive",
    "core.services.items.restore",
    "core.services.suppliers.archive",
    "core.services.suppliers.restore",
}


# Public functions in core.services that build services rather than being one.
NOT_SERVICES = {"core.services.records.entity_services"}


def _denials(username: str) -> list[tuple[str | None, str | None]]:
    with reading() as session:
        rows = session.execute(
            select(AuditEntry.entity, AuditEntry.detail).where(
                AuditEntry.action == "denied", AuditEntry.actor_name == username
            )
        ).all()
    return [tuple(row) for row in rows]


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_service_answers_each_role_as_the_matrix_says(sqlite_store, name: str, role: str):
    actor = make_user(f"{role}_caller", role)
    context = Seeded(actor)
    call = SERVICES[name]
    module, action = call.permission
    kwargs = EXAMPLES[name](context)
    if allowed(actor.roles, module, action) and name in REFUSED_FOR_EVERYONE:
        with pytest.raises(OpsdeskError) as refused:
            call(actor=actor, **kwargs)
        assert not isinstance(refused.value, PermissionDenied)
        assert _denials(actor.username) == []
    elif allowed(actor.roles, module, action):
        call(actor=actor, **kwargs)
        assert _denials(actor.username) == []
    else:
        with pytest.raises(PermissionDenied) as refused:
            call(actor=actor, **kwargs)
        assert (refused.value.module, refused.value.action) == (module, action)
        assert _denials(actor.username) == [(module, action)]


def test_every_registered_service_has_an_example():
    missing = sorted(set(SERVICES) - set(EXAMPLES))
    assert missing == [], f"add an example call to EXAMPLES for: {missing}"


def test_every_example_names_a_registered_service():
    assert sorted(set(EXAMPLES) - set(SERVICES)) == []


def _service_modules() -> list[Any]:
    return [
        importlib.import_module(f"core.services.{info.name}") for info in pkgutil.iter_modules(core.services.__path__)
    ]


def test_every_public_function_in_core_services_is_a_registered_service():
    registered = {id(function) for function in SERVICES.values()}
    unregistered = []
    for module in _service_modules():
        for name, value in vars(module).items():
            qualified = f"{module.__name__}.{name}"
            if name.startswith("_") or qualified in NOT_SERVICES:
                continue
            if inspect.isfunction(value) and value.__module__ == module.__name__ and id(value) not in registered:
                unregistered.append(qualified)
            if isinstance(value, EntityServices):
                for item in fields(value):
                    member = getattr(value, item.name)
                    if callable(member) and not isinstance(member, type) and id(member) not in registered:
                        unregistered.append(f"{qualified}.{item.name}")
    assert unregistered == [], f"not registered with core.permissions.service: {unregistered}"


def test_every_service_checks_a_permission_that_is_in_the_matrix():
    outside = {
        name: function.permission
        for name, function in SERVICES.items()
        if function.permission[1] not in MATRIX.get(function.permission[0], {})
    }
    assert outside == {}
