"""The login and the permissions held against a real browser: a copied cookie after logout, a user
disabled while their page is open, the lockout, every address opened logged out, a customer whose
name is HTML, and a clerk typing the address of a manager's page."""

from __future__ import annotations

import random
import re
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select, update

from core import db
from core.actor import SYSTEM, Actor
from core.auth import actor_for
from core.clock import today, utcnow
from core.errors import PermissionDenied
from core.models import AuditEntry, LoginThrottle, User
from core.permissions import SERVICES, allowed
from core.services import follow_ups, orders, users
from tests.e2e.browser_support import DESK, WAIT, in_english, log_in, settled
from tests.factories import PASSWORD, make_area, make_customer, make_service, make_user, order_values
from ui.navigation import PAGES

pytestmark = pytest.mark.e2e

LOG_OUT = re.compile("Log out|退出登录")
XSS = "<img src=x onerror=alert(1)>"


def demo_actor(username: str) -> Actor:
    with db.reading() as session:
        return actor_for(session.execute(select(User).where(User.username == username)).scalar_one())


def events(action: str, entity_id: str) -> int:
    with db.reading() as session:
        return session.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == action, AuditEntry.entity_id == entity_id)
        ).scalar_one()


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Wait for something the server writes to its store (as expect() waits for the page)."""
    deadline = time.monotonic() + WAIT / 1000
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"the server never got to: {what}")
        time.sleep(0.1)


def only_the_login(page: Page) -> None:
    """The login form and nothing of the app: no menu, no logout, no page title, no table."""
    expect(page.get_by_role("textbox", name=re.compile("Username|用户名"))).to_be_visible()
    expect(page.get_by_role("textbox", name=re.compile("Password|密码"))).to_be_visible()
    settled(page)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    expect(page.get_by_role("button", name=LOG_OUT)).to_have_count(0)
    expect(page.locator("h1")).to_have_text(["Opsdesk"])  # the company's name over the form, alone
    expect(page.get_by_role("gridcell", include_hidden=True)).to_have_count(0)


def attempt(page: Page, username: str, password: str) -> None:
    page.get_by_role("textbox", name="Username").fill(username)
    box = page.get_by_role("textbox", name="Password")
    box.fill(password)
    box.press("Enter")


def test_a_session_cookie_copied_before_logout_does_not_log_in_after(server, browser: Browser):
    owner = browser.new_context(viewport=DESK)
    copies: list = []
    try:
        page = owner.new_page()
        log_in(page, server, "manager", "manager-demo", path="customers")
        expect(page.get_by_role("button", name=LOG_OUT)).to_be_visible()
        cookies = owner.cookies()
        assert any(cookie["name"] == "opsdesk_session" for cookie in cookies)

        before = browser.new_context(viewport=DESK)  # the copy logs in while its session lives
        copies.append(before)
        before.add_cookies(cookies)
        copied = before.new_page()
        copied.goto(f"{server}/customers")
        expect(copied.get_by_role("button", name=LOG_OUT)).to_be_visible()

        page.get_by_role("button", name=LOG_OUT).click()
        only_the_login(page)

        after = browser.new_context(viewport=DESK)
        copies.append(after)
        after.add_cookies(cookies)
        stolen = after.new_page()
        for path in ("", "customers"):
            stolen.goto(f"{server}/{path}")
            only_the_login(stolen)
        copied.reload()  # the context that used the copy before the logout is out too
        only_the_login(copied)
    finally:
        for context in (owner, *copies):
            context.close()


def test_a_disabled_user_is_out_at_the_next_click(server, server_database, browser: Browser):
    username = f"leaving-{uuid.uuid4().hex[:6]}"
    person = make_user(username, "clerk")
    context = browser.new_context(viewport=DESK)
    try:
        page = context.new_page()
        log_in(page, server, username, PASSWORD, path="customers")
        expect(page.get_by_role("heading", name="Customers")).to_be_visible()
        expect(page.get_by_role("gridcell", include_hidden=True).first).to_be_attached()

        admin = demo_actor("admin")  # the admin's own service call, as the Users page makes it
        row = users.get_user(actor=admin, user_id=person.user_id)
        users.disable_user(actor=admin, user_id=person.user_id, expected_version=row["version"])

        page.get_by_test_id("stSidebar").get_by_role("link", name="Orders", exact=True).click()
        only_the_login(page)
        expect(page.get_by_text(re.compile("This account is disabled|Your session has ended"))).to_be_visible()
        expect(page.get_by_role("heading", name="Orders")).to_have_count(0)

        attempt(page, username, PASSWORD)  # and the right password no longer opens it
        expect(page.get_by_text("This account is disabled. Ask an administrator.")).to_be_visible()
        only_the_login(page)
        assert events("login_disabled", str(person.user_id)) == 1
    finally:
        context.close()


def test_the_sixth_password_is_refused_even_when_right_until_the_lock_expires(
    server, server_env, server_database, browser: Browser
):
    attempts = int(server_env.get("OPSDESK_LOCKOUT_ATTEMPTS") or 5)
    minutes = int(server_env.get("OPSDESK_LOCKOUT_MINUTES") or 15)
    assert attempts == 5, "the server runs with the default lockout"
    username = f"locked-{uuid.uuid4().hex[:6]}"  # a user of its own: no other test is locked out
    person = make_user(username, "clerk")
    context = browser.new_context(viewport=DESK)
    try:
        page = context.new_page()
        page.goto(server)
        for tried in range(1, attempts + 1):
            attempt(page, username, f"wrong-{tried}")
            wait_until(lambda tried=tried: events("login_failed", username) == tried, f"failed login {tried}")
            expect(page.get_by_text("Wrong username or password.")).to_be_visible()

        attempt(page, username, "wrong-6")
        wait_until(lambda: events("login_locked", username) == 1, "the sixth attempt refused by the lock")
        locked = re.compile(r"Too many failed attempts\. This account is locked; try again in \d+ minutes\.")
        expect(page.get_by_text(locked)).to_be_visible()

        attempt(page, username, PASSWORD)  # the right password, still locked
        wait_until(lambda: events("login_locked", username) == 2, "the right password refused by the lock")
        expect(page.get_by_text(locked)).to_be_visible()
        only_the_login(page)
        with db.reading() as session:
            throttle = session.get(LoginThrottle, username)
            assert throttle.locked_until > utcnow() + timedelta(minutes=minutes - 1)
        assert events("login", str(person.user_id)) == 0

        # The lock runs out (its time moved to the past, as if `minutes` went by): the right password opens.
        with db.writing(SYSTEM) as session:
            session.execute(
                update(LoginThrottle)
                .where(LoginThrottle.username == username)
                .values(locked_until=utcnow() - timedelta(seconds=1))
            )
            session.commit()
        log_in(page, server, username, PASSWORD)
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
    finally:
        context.close()


@pytest.mark.parametrize("spec", [spec for spec in PAGES if not spec.public], ids=lambda spec: spec.url)
def test_every_page_address_opened_logged_out_shows_only_the_login(server, browser: Browser, spec):
    context = browser.new_context(viewport=DESK)
    try:
        page = context.new_page()
        page.goto(f"{server}/{spec.url}?id=1")
        only_the_login(page)
        expect(page.get_by_role("heading", name=spec.title, exact=True)).to_have_count(0)
    finally:
        context.close()


def seed_html_customer() -> dict:
    """A customer named like an HTML tag, with an order and a follow-up due today for the manager."""
    tag = uuid.uuid4().hex[:6].upper()
    area = make_area(code=f"XSS-{tag}", name_en=f"XSS district {tag}", name_zh=f"测试区{tag}")
    phone = f"137{random.randrange(10**8):08d}"
    customer = make_customer(area, name=XSS, phone=phone, email=f"xss{tag.lower()}@example.com")
    service_id = make_service(f"XSS-{tag}", price="10.00")
    order = orders.create_order(
        actor=SYSTEM,
        values=order_values(customer["id"], area),
        lines=[{"service_id": service_id, "quantity": 5}],
        idempotency_key=str(uuid.uuid4()),
    )
    manager = demo_actor("manager")
    follow_ups.add_follow_up(
        actor=SYSTEM, customer_id=customer["id"], due_on=today(), note=f"Call {XSS}", assigned_to_id=manager.user_id
    )
    return {"customer": customer, "order": order}


def test_a_customer_named_like_html_shows_as_text_everywhere(server, server_database, browser: Browser):
    data = seed_html_customer()
    code, number = data["customer"]["code"], data["order"]["number"]
    context = browser.new_context(viewport=DESK)
    dialogs: list[str] = []
    try:
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        log_in(page, server, "manager", "manager-demo")
        in_english(page)

        def nothing_ran(where: str) -> None:
            settled(page)
            for frame in page.frames:
                assert frame.locator("img[src='x'], [onerror]").count() == 0, f"an <img> from the name on {where}"
            assert dialogs == [], f"a dialog opened on {where}: {dialogs}"

        text = page.get_by_text(XSS, exact=False)

        page.goto(f"{server}/customers")
        search = page.get_by_role("searchbox", name="Search")
        search.fill(code)
        search.press("Enter")
        expect(page.get_by_role("gridcell", name=XSS, include_hidden=True)).to_be_attached()
        nothing_ran("the customer list")

        page.goto(f"{server}/customer?id={data['customer']['id']}")
        expect(page.get_by_role("heading", name=f"{code} · {XSS}")).to_be_visible()
        nothing_ran("the customer's page")

        page.goto(f"{server}/order-new")
        search = page.get_by_role("searchbox", name="Find the customer")
        search.fill(code)
        search.press("Enter")
        page.get_by_role("combobox", name="Customer *", exact=True).click()
        expect(page.get_by_role("option", name=re.compile(re.escape(XSS)))).to_be_visible()
        nothing_ran("the order form's customer picker")
        page.keyboard.press("Escape")

        page.goto(f"{server}/orders")
        search = page.get_by_role("searchbox").first
        search.fill(number)
        search.press("Enter")
        expect(page.get_by_role("gridcell", name=XSS, include_hidden=True)).to_be_attached()
        nothing_ran("the order list")

        page.goto(f"{server}/order?id={data['order']['id']}")
        expect(text.first).to_be_visible()
        nothing_ran("the order's page")

        page.goto(f"{server}/follow-ups")
        expect(page.get_by_role("gridcell", name=XSS, include_hidden=True).first).to_be_attached()
        page.get_by_role("combobox", name="Follow-up *", exact=True).click()
        expect(page.get_by_role("option", name=re.compile(re.escape(XSS))).first).to_be_visible()
        nothing_ran("the follow-ups")
        page.keyboard.press("Escape")

        for path, heading in (
            ("", re.compile("Welcome")),
            ("dashboard", "Dashboard"),
            ("segments", "Customer segments"),
        ):
            page.goto(f"{server}/{path}")
            expect(page.get_by_role("heading", name=heading).first).to_be_visible()
            nothing_ran(path or "home")
    finally:
        context.close()


def test_a_clerk_cannot_reach_manager_pages_by_their_address(server, server_database, browser: Browser):
    clerk = demo_actor("clerk")
    closed = [spec for spec in PAGES if not spec.public and not allowed(clerk.roles, spec.module, spec.action)]
    assert {"discounts", "users", "attendance", "kpis"} <= {spec.url for spec in closed}
    context = browser.new_context(viewport=DESK)
    try:
        page = context.new_page()
        log_in(page, server, "clerk", "clerk-demo")
        in_english(page)
        home = page.get_by_role("heading", name=re.compile("^Welcome, "))
        for spec in closed:
            page.goto(f"{server}/{spec.url}?id=1")
            expect(page.get_by_role("dialog")).to_contain_text("Page not found")
            expect(home).to_be_visible()  # the clerk's own home page runs instead
            settled(page)
            expect(page.locator("h1"), f"/{spec.url}").to_have_count(1)
            expect(page.get_by_role("heading", name=spec.title, exact=True), f"/{spec.url}").to_have_count(0)
    finally:
        context.close()

    refused = []
    for name, guarded in SERVICES.items():
        module, action = guarded.permission
        if allowed(clerk.roles, module, action):
            continue
        with pytest.raises(PermissionDenied):  # refused before the service reads any argument
            guarded(actor=clerk)
        refused.append(name)
    assert "core.services.orders.decide_discount" in refused
    assert "core.services.users.disable_user" in refused
