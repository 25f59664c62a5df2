"""Every page a role can reach opens without an error, on the demo company (real volumes of
orders, shifts, payments), in English and in Chinese."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from core import db
from core.actor import SYSTEM
from core.demo.generate import DEMO_USERS, seed
from core.forecasting import runs
from core.models import User
from core.permissions import ROLES, allowed
from tests.pages.conftest import log_in, open_app
from ui.navigation import PAGES

DETAIL_IDS = {"customer": "1", "order": "1", "user": "1", "service": "1", "staff-member": "1"}


@pytest.fixture(scope="module")
def company(sqlite_template, tmp_path_factory):
    """One seeded demo database with a forecast run, for the module, copied per test (seeding takes a few
    seconds)."""
    import shutil

    from core import db

    path = tmp_path_factory.mktemp("company") / "demo.db"
    shutil.copy(sqlite_template, path)
    engine = db.make_engine(f"sqlite:///{path}")
    db.use_engine(engine)
    seed(customers=150, orders=1500, seed_value=7)
    runs.start_run(SYSTEM, wait=True)  # a forecast in force: the forecast, suggestion and roster pages show it
    assert runs.latest_run() is not None
    db.use_engine(None)
    return path


@pytest.fixture
def demo_store(company, tmp_path):
    import shutil

    from core import db

    path = tmp_path / "demo.db"
    shutil.copy(company, path)
    db.use_engine(db.make_engine(f"sqlite:///{path}"))
    yield
    db.use_engine(None)


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_the_role_can_reach_opens_without_an_error(demo_store, role, language):
    demo = next(user for user in DEMO_USERS if user.role == role)
    with db.writing(SYSTEM) as session:  # the language the person reads, kept in their profile
        session.execute(update(User).where(User.username == demo.username).values(language=language))
        session.commit()
    at = log_in(open_app(), demo.username, demo.password)
    for spec in PAGES:
        if not (spec.public or allowed(frozenset({role}), spec.module, spec.action)):
            continue
        if spec.url in DETAIL_IDS:
            at.query_params["id"] = DETAIL_IDS[spec.url]
        at.switch_page(spec.script).run()
        assert not at.exception, f"{role} on {spec.url}: {at.exception}"
        assert not [e for e in at.error if "Traceback" in str(e.value)], spec.url
