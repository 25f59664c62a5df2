"""The login cookie and a reloaded page's address when the browser is slow to load the cookie
component, or the server's messages are slow to arrive (a busy server): the browser is slowed on
purpose (Playwright holds the component's files and the server's websocket messages back).

Without ui/auth.py's cookie writer, the login's rerun dropped the component before the browser had
loaded it (no cookie, so the next page load asked for the login again); and the library's cookie
reader, drawn before st.navigation, reran a new page load before the browser knew its page, which
then opened the home page instead of the address typed."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Browser, Route, WebSocketRoute, expect

from tests.e2e.browser_support import DESK, WAIT

pytestmark = pytest.mark.e2e

COOKIE = "opsdesk_session"
HELD = 3  # seconds each of the cookie component's files is held back
MESSAGE_DELAY = 0.25  # seconds each message from the server is held back
SLOW = 90_000  # ms: the slowed steps' wait


def _hold_back(route: Route) -> None:
    time.sleep(HELD)  # blocks Playwright's dispatcher only: the browser and the server go on
    route.continue_()


def _log_in(page, server: str, path: str) -> None:
    page.goto(f"{server}/{path}")
    page.get_by_role("textbox", name="Username").fill("manager", timeout=SLOW)
    page.get_by_role("textbox", name="Password").fill("manager-demo", timeout=SLOW)
    page.get_by_role("button", name=re.compile("Log in|登录")).click(timeout=SLOW)
    expect(page.get_by_role("textbox", name="Username")).to_have_count(0, timeout=SLOW)


def test_the_login_cookie_is_written_when_its_component_loads_slowly(server, browser: Browser):
    context = browser.new_context(viewport=DESK)
    try:
        page = context.new_page()
        context.route("**/component/**", _hold_back)
        _log_in(page, server, "orders")
        page.wait_for_function(f"() => document.cookie.includes('{COOKIE}=')", timeout=SLOW)
        assert any(cookie["name"] == COOKIE for cookie in context.cookies())
        page.goto(f"{server}/customers")  # a new page load: the session resumes from the cookie
        expect(page.get_by_role("heading", name=re.compile("^(Customers|客户)$"))).to_be_visible(timeout=SLOW)
        expect(page.get_by_role("textbox", name="Username")).to_have_count(0)
    finally:
        context.close()


@pytest.mark.parametrize(("address", "heading"), [("orders", "Orders|订单"), ("kpis", "KPIs|Key figures|关键指标")])
def test_a_logged_in_reload_over_a_slow_connection_opens_the_address(server, browser: Browser, address, heading):
    signed_in = browser.new_context(viewport=DESK)
    try:
        _log_in(signed_in.new_page(), server, "")
        signed_in.pages[0].wait_for_function(f"() => document.cookie.includes('{COOKIE}=')", timeout=WAIT)
        cookies = signed_in.cookies()
    finally:
        signed_in.close()

    def slow_server(socket: WebSocketRoute) -> None:
        to_server = socket.connect_to_server()

        def deliver(message: str | bytes) -> None:
            time.sleep(MESSAGE_DELAY)
            socket.send(message)

        to_server.on_message(deliver)

    context = browser.new_context(viewport=DESK)
    try:
        context.add_cookies(cookies)
        context.route_web_socket("**/_stcore/stream", slow_server)
        page = context.new_page()
        page.goto(f"{server}/{address}")
        expect(page.get_by_role("heading", name=re.compile(f"^({heading})$"), level=1)).to_be_visible(timeout=SLOW)
        expect(page.get_by_test_id("stApp")).not_to_have_attribute("data-test-script-state", "running", timeout=SLOW)
        assert page.url == f"{server}/{address}"
        expect(page.get_by_role("heading", name=re.compile(f"^({heading})$"), level=1)).to_be_visible()
    finally:
        context.close()
