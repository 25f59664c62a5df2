"""An order's whole life in a real browser: a clerk takes it and dispatches it, the technician
completes it on a phone, the cashier takes the payment, and the customer looks it up."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from core.actor import SYSTEM
from core.clock import today
from core.services import orders
from tests.e2e.browser_support import DESK, PHONE, WAIT, in_english, job_card, log_in, pick, seed

pytestmark = pytest.mark.e2e


def type_parts(page: Page, label: str, parts: list[tuple[str, str]]) -> None:
    """Date and time inputs are typed part by part (day, month, year; hour, minute)."""
    for part, text in parts:
        page.get_by_role("spinbutton", name=f"{part}, {label}").click()
        page.keyboard.type(text)
    page.keyboard.press("Tab")


def clerk_takes_and_dispatches(browser: Browser, base: str, data: dict[str, Any]) -> tuple[Page, str]:
    page = browser.new_context(viewport=DESK).new_page()
    page.set_default_timeout(WAIT)
    log_in(page, base, "clerk", "clerk-demo")
    in_english(page)
    page.get_by_test_id("stSidebar").get_by_role("link", name="New order").click()
    customer = data["customer"]
    search = page.get_by_role("searchbox", name="Find the customer")
    search.fill(customer["code"])
    search.press("Enter")
    pick(page, "Customer *", re.compile(re.escape(customer["code"])))
    expect(page.get_by_role("textbox", name="Service address *")).to_have_value(customer["address"])
    day, (start, end) = today(), data["window"]
    # Day first: each step stays on or after today, the earliest date the field accepts.
    type_parts(page, "Requested date *", [("day", f"{day:%d}"), ("month", f"{day:%m}"), ("year", f"{day:%Y}")])
    type_parts(page, "Window from *", [("hour", f"{start:%H}"), ("minute", f"{start:%M}")])
    type_parts(page, "to *", [("hour", f"{end:%H}"), ("minute", f"{end:%M}")])
    pick(page, "Service", re.compile(re.escape(data["service"]), re.IGNORECASE))
    quantity = page.get_by_role("spinbutton", name="Quantity")
    quantity.fill("30")
    quantity.press("Enter")
    expect(page.get_by_text(re.compile(r"Total: ¥318\.00"))).to_be_visible()  # 30 × ¥10 + 6 % tax
    page.get_by_role("button", name="Save the order").click()

    heading = page.get_by_role("heading", name=re.compile(r"SO-\d{4}-\d{6} · New"))
    expect(heading).to_be_visible()
    number = re.search(r"SO-\d{4}-\d{6}", heading.inner_text()).group(0)
    page.get_by_role("button", name="Confirm and dispatch").click()
    expect(page.get_by_role("heading", name=f"{number} · Scheduled")).to_be_visible()
    expect(page.get_by_text(re.compile(r"has the skills, is on shift and free at"))).to_be_visible()
    return page, number


def technician_completes_on_a_phone(browser: Browser, base: str, data: dict[str, Any], number: str) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(WAIT)
    log_in(page, base, "technician", "technician-demo", path="my-jobs")
    in_english(page)
    expect(page.get_by_role("heading", name="My jobs today")).to_be_visible()
    card = job_card(page, number)
    expect(card.get_by_role("heading", name=re.compile(re.escape(data["customer"]["name"])))).to_be_visible()
    start = card.get_by_role("button", name="Start")
    expect(start).to_be_visible()  # drawn in English: the run that switched the language is done
    start.click()
    # What the page says after each step, not the one-time "Started…" notice (a rerun clears it).
    expect(page.get_by_text(f"{number} · In progress")).to_be_visible()
    card = job_card(page, number)
    card.get_by_role("textbox", name="Materials used").fill("2 L carpet shampoo")
    card.get_by_role("radio", name="5 out of 5 stars").click()
    card.get_by_role("textbox", name="Customer's comment").fill("Very clean")
    card.get_by_role("button", name="Complete").click()
    expect(page.get_by_text(f"{number} · Completed")).to_be_visible()
    context.close()


def cashier_takes_the_payment(page: Page, number: str) -> None:
    """On the order page the clerk still has open; the service checks the stored order, now completed."""
    payments_tab = page.get_by_role("tab", name="Payments")
    payments_tab.click()
    expect(payments_tab).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("spinbutton", name="Amount")).to_have_value("318.00")
    pick(page, "Method", "WeChat Pay")
    page.get_by_role("textbox", name="Reference (transaction number)").fill("WX-E2E-1")
    page.get_by_role("button", name="Take a payment").click()
    expect(page.get_by_role("heading", name=f"{number} · Paid")).to_be_visible()
    page.context.close()


def customer_looks_it_up(browser: Browser, base: str, data: dict[str, Any], number: str) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)  # no login, no cookie
    page = context.new_page()
    page.set_default_timeout(WAIT)
    page.goto(f"{base}/track")
    expect(page.get_by_role("heading", name="Check your order")).to_be_visible()
    page.get_by_role("textbox", name="Order number").fill(number)
    page.get_by_role("textbox", name="Phone number on the order").fill(data["phone"])
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_text("The work is done and paid. Thank you!")).to_be_visible()
    expect(page.get_by_text(data["customer"]["name"])).to_have_count(0)
    context.close()


def test_an_order_from_intake_to_the_customers_lookup(server, server_database, browser):
    data = seed()
    clerk, number = clerk_takes_and_dispatches(browser, server, data)
    technician_completes_on_a_phone(browser, server, data, number)
    cashier_takes_the_payment(clerk, number)
    customer_looks_it_up(browser, server, data, number)
    done = orders.get_order(actor=SYSTEM, order_id=orders.find_order(actor=SYSTEM, number=number))
    assert (done["status"], done["technician_id"], done["rating"], done["materials_used"]) == (
        "paid",
        data["staff_id"],
        5,
        "2 L carpet shampoo",
    )
    assert (done["requested_date"], done["paid"], done["balance"]) == (today(), done["total"], 0)
