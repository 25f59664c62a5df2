"""A clerk in a real browser: log in, create a customer, find it by search; and a
copied login cookie stops working once its owner logs out."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.browser_support import DESK, WAIT, log_in

pytestmark = pytest.mark.e2e


def test_a_clerk_creates_a_customer_and_finds_it_by_search(server, browser):
    page = browser.new_page(viewport=DESK)
    page.set_default_timeout(WAIT)
    log_in(page, server, "clerk", "clerk-demo")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("radio", name="English").click()
    expect(sidebar.get_by_role("link", name="New customer")).to_be_visible()

    sidebar.get_by_role("link", name="New customer").click()
    name = f"E2E 测试 {uuid.uuid4().hex[:6]}"
    page.get_by_role("textbox", name="Name *").fill(name)
    page.get_by_role("textbox", name="Phone *").fill("139 0000 1234")
    page.get_by_role("textbox", name="Email").fill("e2e@example.com")
    page.get_by_role("textbox", name="Address *").fill("上海市徐汇区漕溪北路1号")
    page.get_by_role("combobox", name="Service area *").click()
    page.get_by_role("option", name=re.compile("Xuhui")).click()
    page.get_by_role("button", name="Save").click()
    duplicate = page.get_by_role("button", name="Save anyway")
    heading = page.get_by_role("heading", name=re.compile(re.escape(name)))
    expect(heading.or_(duplicate)).to_be_visible()
    if duplicate.is_visible():
        duplicate.click()
    expect(heading).to_be_visible()
    code = re.search(r"CU-\d{6}", heading.inner_text()).group(0)

    sidebar.get_by_role("link", name="Customers", exact=True).click()
    search = page.get_by_role("searchbox", name="Search")
    search.fill(name)
    search.press("Enter")
    expect(page.get_by_text("Page 1 of 1 · 1 records")).to_be_visible()
    # The grid draws on a canvas; its cells are read from the accessible table behind it.
    expect(page.get_by_role("gridcell", name=code, include_hidden=True)).to_be_attached(timeout=WAIT)
    expect(page.get_by_role("gridcell", name=name, include_hidden=True)).to_be_attached(timeout=WAIT)
    page.close()


def test_a_copied_login_cookie_stops_working_after_logout(server, browser):
    owner = browser.new_context(viewport={"width": 1300, "height": 900})
    page = owner.new_page()
    page.set_default_timeout(WAIT)
    log_in(page, server, "manager", "manager-demo", path="customers")
    expect(page.get_by_role("gridcell", include_hidden=True).first).to_be_attached(timeout=WAIT)
    cookies = owner.cookies()
    assert any(cookie["name"] == "opsdesk_session" for cookie in cookies)

    thief = browser.new_context(viewport={"width": 1300, "height": 900})
    stolen = thief.new_page()
    stolen.set_default_timeout(WAIT)
    thief.add_cookies(cookies)
    stolen.goto(f"{server}/customers")
    expect(stolen.get_by_test_id("stSidebar")).to_be_visible()  # the copy works while the session lives

    page.get_by_test_id("stSidebar").get_by_role("button", name=re.compile("Log out|退出登录")).click()
    expect(page.get_by_role("textbox", name=re.compile("Username|用户名")).first).to_be_visible()

    stolen.goto(f"{server}/customers")
    expect(stolen.get_by_role("textbox", name=re.compile("Username|用户名")).first).to_be_visible()
    expect(stolen.get_by_role("gridcell", include_hidden=True)).to_have_count(0)
    owner.close()
    thief.close()
