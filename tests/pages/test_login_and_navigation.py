"""The login gate and the navigation each role gets, driven through the whole app."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import jwt
import pytest
from sqlalchemy import event
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from core import auth, db
from core.actor import SYSTEM
from core.config import ROOT, get_settings
from core.errors import SessionEnded
from core.permissions import ROLES, allowed
from core.services import profile, users
from tests.factories import PASSWORD, make_area, make_customer, make_user
from tests.pages.conftest import TIMEOUT, log_in, open_app, texts, widget
from ui.auth import TOKEN_KEY
from ui.navigation import PAGES


def shows_login_form(at: AppTest) -> bool:
    return [w.label for w in at.text_input] == ["Username", "Password"] and "Log in" in [b.label for b in at.button]


def try_password(at: AppTest, username: str, password: str) -> AppTest:
    widget(at.text_input, "Username").input(username)
    widget(at.text_input, "Password").input(password)
    widget(at.button, "Log in").click()
    return at.run()


def open_url(url_path: str) -> AppTest:
    """A fresh browser session whose first request is an address such as /customers.

    AppTest offers no public way to request a URL path; st.navigation identifies a
    page by the hash of its url_path, which is what a typed address resolves to.
    """
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at._page_hash = calc_hash(url_path)
    return at.run()


def send_cookie(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """Make every following run see the login cookie, as a browser's request would carry it.

    AppTest cannot seed st.context.cookies (they come from the websocket client), so the
    client context streamlit reads them from is replaced.
    """
    client = SimpleNamespace(headers=[], cookies={get_settings().cookie_name: value}, remote_ip=None)
    monkeypatch.setattr("streamlit.runtime.context._get_client_context", lambda: client)


def cookie_for(username: str, token: str, key: str | None = None) -> str:
    payload = {"username": username, "exp_date": (datetime.now() + timedelta(days=1)).timestamp(), "sid": token}
    return jwt.encode(payload, key or get_settings().cookie_key, algorithm="HS256")


class TestLoggingIn:
    def test_a_new_visitor_sees_the_login_form(self, sqlite_store):
        at = open_app()
        assert shows_login_form(at)
        assert not at.exception

    def test_a_wrong_password_is_refused_and_the_login_stays(self, sqlite_store):
        make_user("clerk1", "clerk")
        at = try_password(open_app(), "clerk1", "not-the-password")
        assert [e.value for e in at.error] == ["Wrong username or password."]
        assert shows_login_form(at)
        assert TOKEN_KEY not in at.session_state

    def test_the_right_password_opens_the_home_page(self, sqlite_store):
        make_user("clerk1", "clerk")
        at = log_in(open_app(), "clerk1")
        assert "Welcome, Clerk1" in texts(at)
        assert not shows_login_form(at)

    def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(self, sqlite_store):
        make_user("clerk1", "clerk")
        at = open_app()
        for _ in range(5):
            at = try_password(at, "clerk1", "not-the-password")
        at = try_password(at, "clerk1", PASSWORD)
        assert [e.value for e in at.error] == [
            "Too many failed attempts. This account is locked; try again in 15 minutes."
        ]
        assert shows_login_form(at)


class TestNavigation:
    @pytest.mark.parametrize("role", sorted(ROLES))
    def test_each_role_can_open_exactly_the_pages_the_matrix_allows(self, app, role):
        at = app(role)
        reachable = []
        for spec in PAGES:
            try:
                at.switch_page(spec.script)
            except ValueError:  # st.navigation did not register the page for this user
                continue
            reachable.append(spec.script)
        expected = [
            spec.script for spec in PAGES if spec.public or allowed(frozenset({role}), spec.module, spec.action)
        ]
        assert reachable == expected

    def test_a_clerk_typing_the_users_address_lands_on_home_without_running_it(self, sqlite_store):
        make_user("clerk1", "clerk")
        make_user("admin1", "admin")
        at = log_in(open_app(), "clerk1")
        at._page_hash = calc_hash("users")  # as if the clerk typed /users
        at.run()
        assert "Welcome, Clerk1" in texts(at)
        assert "Admin1" not in texts(at) and not at.dataframe
        assert not at.exception

    def test_the_home_page_links_only_to_allowed_pages(self, app):
        at = app("analyst")
        assert [link.label for link in at.page_link] == [
            "Orders",
            "Customers",
            "Receivables",
            "Settlement report",
            "Service catalogue",
            "Attendance",
            "Dashboard",
            "Reports",
            "Data",
            "Customer segments",
            "Forecasts",
            "Stock items",
            "Stock ledger",
            "Low stock",
            "Purchase suggestions",
            "Purchase orders",
            "Stock counts",
            "Material usage",
            "Suppliers",
            "My profile",
            "My leave",
        ]


class TestLoggedOutAddresses:
    @pytest.fixture
    def statements(self, sqlite_store):
        seen: list[str] = []

        def record(_conn, _cursor, statement, *_args):
            seen.append(statement.lower())

        engine = db.get_engine()
        event.listen(engine, "before_cursor_execute", record)
        yield seen
        event.remove(engine, "before_cursor_execute", record)

    def test_a_page_address_without_login_shows_the_login_and_queries_no_data(self, statements):
        make_customer(make_area())
        statements.clear()
        at = open_url("customers")
        assert shows_login_form(at)
        assert "张伟" not in texts(at) and not at.dataframe
        assert [s for s in statements if "customers" in s] == []

    def test_the_same_address_opens_its_page_once_logged_in(self, statements):
        make_customer(make_area())
        make_user("clerk1", "clerk")
        at = open_url("customers")
        statements.clear()
        log_in(at, "clerk1")
        assert [title.value for title in at.title] == ["Customers"]
        assert any("from customers" in s for s in statements)
        assert at.dataframe


class TestEndingSessions:
    def test_a_disabled_user_is_logged_out_at_their_next_click(self, sqlite_store):
        admin = make_user("admin1", "admin")
        clerk = make_user("clerk1", "clerk")
        at = log_in(open_app(), "clerk1")
        version = users.get_user(actor=admin, user_id=clerk.user_id)["version"]
        users.disable_user(actor=admin, user_id=clerk.user_id, expected_version=version)
        at.run()
        assert shows_login_form(at)
        assert [i.value for i in at.info] == ["Your session has ended. Please log in again."]
        assert "Welcome" not in texts(at)

    def test_a_disabled_user_cannot_log_in_again(self, sqlite_store):
        clerk = make_user("clerk1", "clerk")
        version = users.get_user(actor=SYSTEM, user_id=clerk.user_id)["version"]
        users.disable_user(actor=SYSTEM, user_id=clerk.user_id, expected_version=version)
        at = try_password(open_app(), "clerk1", PASSWORD)
        assert [e.value for e in at.error] == ["This account is disabled. Ask an administrator."]
        assert shows_login_form(at)

    def test_the_log_out_button_ends_the_session_in_the_store(self, sqlite_store):
        make_user("clerk1", "clerk")
        at = log_in(open_app(), "clerk1")
        token = at.session_state[TOKEN_KEY]
        auth.resume(token)  # the session is open
        widget(at.sidebar.button, "Log out").click()
        at.run()
        assert shows_login_form(at)
        with pytest.raises(SessionEnded):
            auth.resume(token)

    def test_after_logging_out_a_rerun_does_not_log_back_in(self, sqlite_store):
        make_user("clerk1", "clerk")
        at = log_in(open_app(), "clerk1")
        widget(at.sidebar.button, "Log out").click()
        at.run()
        at.run()
        assert shows_login_form(at)
        assert TOKEN_KEY not in at.session_state


class TestLoginCookie:
    def test_a_valid_cookie_logs_in_without_the_form(self, sqlite_store, monkeypatch):
        make_user("clerk1", "clerk")
        token = auth.log_in("clerk1", PASSWORD).token
        send_cookie(monkeypatch, cookie_for("clerk1", token))
        at = open_app()
        assert "Welcome, Clerk1" in texts(at)
        assert not shows_login_form(at)

    def test_a_cookie_stops_working_once_its_session_is_logged_out(self, sqlite_store, monkeypatch):
        make_user("clerk1", "clerk")
        login = auth.log_in("clerk1", PASSWORD)
        send_cookie(monkeypatch, cookie_for("clerk1", login.token))
        assert "Welcome, Clerk1" in texts(open_app())
        auth.log_out(login.token, login.actor)
        at = open_app()
        assert shows_login_form(at)
        assert "Welcome" not in texts(at)

    def test_a_cookie_stops_working_after_a_password_change(self, sqlite_store, monkeypatch):
        make_user("clerk1", "clerk")
        login = auth.log_in("clerk1", PASSWORD)
        send_cookie(monkeypatch, cookie_for("clerk1", login.token))
        profile.change_password(actor=login.actor, current_password=PASSWORD, new_password="brand-new-pass-3")
        assert shows_login_form(open_app())

    def test_a_cookie_signed_with_another_key_is_ignored(self, sqlite_store, monkeypatch):
        make_user("clerk1", "clerk")
        token = auth.log_in("clerk1", PASSWORD).token
        send_cookie(monkeypatch, cookie_for("clerk1", token, key="someone-elses-key-0123456789abcdef"))
        assert shows_login_form(open_app())

    def test_a_cookie_naming_another_user_than_its_session_is_ignored(self, sqlite_store, monkeypatch):
        make_user("clerk1", "clerk")
        make_user("admin1", "admin")
        token = auth.log_in("clerk1", PASSWORD).token
        send_cookie(monkeypatch, cookie_for("admin1", token))
        at = open_app()
        assert shows_login_form(at)
        assert "Admin1" not in texts(at)
