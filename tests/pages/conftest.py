"""AppTest helpers: the whole app from app.py, logged in through the real login form; and the shop
the order page tests work in (a file may define its own `shop`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Error

from core.config import ROOT
from tests.factories import PASSWORD, make_area, make_customer, make_service, make_technician, make_user

TIMEOUT = 30


def open_app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    return at.run()


def widget(items, label: str):
    """The widget with this label (AppTest lists widgets by type, not by label)."""
    found = [item for item in items if item.label == label]
    assert found, f"no widget labelled {label!r}; labels: {[item.label for item in items]}"
    return found[0]


def log_in(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    widget(at.text_input, "Username").input(username)
    widget(at.text_input, "Password").input(password)
    widget(at.button, "Log in").click()
    at.run()
    return at.run()  # in a browser the cookie component triggers this rerun


def texts(at: AppTest) -> str:
    """Everything the page says, for `in` checks."""
    parts = [
        e.value
        for kind in ("title", "header", "subheader", "markdown", "caption", "error", "warning", "info", "success")
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


@pytest.fixture
def app(sqlite_store) -> Callable[..., AppTest]:
    """Open the app logged in as a new user holding `roles`."""

    def opened(*roles: str, username: str | None = None) -> AppTest:
        name = username or "_".join(roles) + "_user"
        make_user(name, *roles)
        return log_in(open_app(), name)

    return opened


def message_under(at: AppTest, key: str) -> str | None:
    """The error shown right below the field with this key, if any."""

    def search(block: Block) -> Any:
        children = list(block.children.values())
        for index, child in enumerate(children):
            if getattr(child, "key", None) == key:
                after = children[index + 1] if index + 1 < len(children) else None
                return after.value if isinstance(after, Error) else None
            if isinstance(child, Block):
                found = search(child)
                if found is not False:
                    return found
        return False

    found = search(at._tree)
    assert found is not False, f"no field with key {key!r}"
    return found  # type: ignore[return-value]


@pytest.fixture
def shop(sqlite_store) -> dict[str, Any]:
    """An area, a customer in it, a carpet service at ¥8.00/m², and a technician on shift tomorrow."""
    area = make_area()
    customer = make_customer(area, address="上海市徐汇区漕溪北路100号")
    service = make_service("CARPET", price="8.00", minutes="1.5")
    sofa = make_service("SOFA", price="120.00", minutes="60", skills=("upholstery",), unit="piece")
    technician = make_technician("Wang Lei", area, skills=("carpet", "upholstery"))
    return {"area": area, "customer": customer, "service": service, "sofa": sofa, "technician": technician}


def by_key(at: AppTest, key: str) -> Any:
    """The form field with this key, whatever its kind."""
    for kind in ("text_input", "text_area", "selectbox", "date_input"):
        for item in getattr(at, kind):
            if item.key == key:
                return item
    raise AssertionError(f"no field with key {key!r}")


def fill(at: AppTest, form: str, **values: Any) -> AppTest:
    """Set the fields `form.name` of an entity form (ui.forms keys) without running the page."""
    for name, value in values.items():
        by_key(at, f"{form}.{name}").set_value(value)
    return at
