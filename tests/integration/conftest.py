"""Fixtures shared by the integration tests: a clerk, a manager and a service area in the store,
and for the order, dispatch, job and payment tests a customer, a carpet service and a technician."""

from __future__ import annotations

import pytest

from tests.factories import make_area, make_customer, make_service, make_technician, make_user


@pytest.fixture
def clerk(store):
    return make_user("clerk1", "clerk")


@pytest.fixture
def manager(store):
    return make_user("wangfang", "manager")


@pytest.fixture
def area(store):
    return make_area()


@pytest.fixture
def carpet(store) -> int:
    """Carpet cleaning at ¥8.00/m², 1.5 minutes per m², needing the carpet skill."""
    return make_service("CARPET", price="8.00", minutes="1.5", skills=("carpet",))


@pytest.fixture
def customer(area) -> dict:
    return make_customer(area)


@pytest.fixture
def liu(store) -> object:
    return make_user("liuqiang", "technician")


@pytest.fixture
def liu_staff(area, liu) -> int:
    return make_technician("刘强", area, user=liu)
