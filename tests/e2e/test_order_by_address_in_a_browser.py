"""The New order page reached by its address shows the form's defaults: after a login on that
address (a bookmark opened while logged out) and on a reload.

Such a load runs the page, and the login cookie's component asks for a second run at once. When
the browser asked before it had drawn the first run's widgets, the second run used to draw them
without their values, and the browser showed the widgets' own defaults (the current time in both
window fields, quantity 0.00) while the session held 09:00, 12:00 and 1. It depends on timing,
hence the repeated loads (before the fix about one login in six showed it)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser_support import DESK, WAIT, log_in, settled

pytestmark = pytest.mark.e2e

LOADS = 12


def shows_the_defaults(page: Page) -> None:
    """09:00 to 12:00 and quantity 1.00, found by widget kind (the demo clerk reads Chinese)."""
    quantity = page.get_by_test_id("stNumberInput").first.locator("input")  # the first line's; discount after
    expect(quantity).to_be_visible()
    settled(page)
    window = page.get_by_test_id("stTimeInput").locator("input[type=hidden]")
    expect(window.nth(0)).to_have_value("09:00:00")
    expect(window.nth(1)).to_have_value("12:00:00")
    expect(quantity).to_have_value("1.00")


def test_the_new_order_page_reached_by_its_address_shows_the_default_window_and_quantity(server, browser):
    for _ in range(LOADS):
        context = browser.new_context(viewport=DESK)
        page = context.new_page()
        page.set_default_timeout(WAIT)
        log_in(page, server, "clerk", "clerk-demo", path="order-new")
        expect(page).to_have_url(f"{server}/order-new")
        shows_the_defaults(page)
        page.goto(f"{server}/order-new")
        shows_the_defaults(page)
        context.close()
