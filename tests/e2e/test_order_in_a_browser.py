"""An order's whole life in a real browser: a clerk takes it and dispatches it, the technician
completes it on a phone, the cashier takes the payment, and the customer looks it up."""

from __future__ import annotations

import random
import re
import uuid
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from core.actor import SYSTEM
from core.auth import actor_for
from core.clock import local, today, utcnow
from core.db import reading
from core.errors import ValidationFailed
from core.models import Staff, User
from core.services import orders
from core.services import staff as staff_services
from tests.factories import make_area, make_customer, make_service, make_technician

pytestmark = pytest.mark.e2e
WAIT = 20_000
expect.set_options(timeout=WAIT)
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1400, "height": 1000}


def _half_hour(moment: datetime) -> time:
    return time(moment.hour, 30 if moment.minute >= 30 else 0)


def seed() -> dict[str, Any]:
    """What the scenario needs, added to the demo company: a customer in an area of their own,
    a service, and the demo technician covering that area with a shift running now. Only that
    technician covers the area, so the automatic dispatch can only choose them."""
    tag = uuid.uuid4().hex[:6].upper()
    area = make_area(code=f"E2E-{tag}", name_en=f"E2E district {tag}", name_zh=f"测试区{tag}")
    phone = f"139{random.randrange(10**8):08d}"
    customer = make_customer(
        area, name=f"E2E 顾客 {tag}", phone=phone, email=f"e2e{tag.lower()}@example.com", address=f"上海市测试路{tag}号"
    )
    service = f"E2E-{tag}"
    make_service(service, price="10.00", minutes="1", skills=("carpet",), unit="m2")  # 30 m² → 30 minutes

    now = local(utcnow())
    shift_start = (now - timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    shift_end = shift_start + timedelta(hours=12)
    with reading() as session:
        user = session.execute(select(User).where(User.username == "technician")).scalar_one()
        linked = session.execute(select(Staff).where(Staff.user_id == user.id)).scalar_one_or_none()
        technician = actor_for(user)
    if linked is None:
        staff_id = make_technician(
            "刘强",
            area,
            skills=("carpet",),
            user=technician,
            shift_day=shift_start.date(),
            shift=(shift_start.time(), shift_end.time()),
        )
    else:  # the demo's technician: add the area and the skill, and make sure they work now
        staff_id = linked.id
        row = staff_services.staff.get(actor=SYSTEM, record_id=staff_id)
        values = {name: row[name] for name in ("name", "public_name", "phone", "position", "status", "user_id")}
        values.update(
            status="active",
            position="technician",
            areas=sorted({*row["areas"], area}),
            skills=sorted({*row["skills"], "carpet"}),
        )
        staff_services.staff.update(
            actor=SYSTEM, record_id=staff_id, values=values, expected_version=row["version"], confirm_duplicate=True
        )
        for shift in staff_services.shifts_between(
            actor=SYSTEM, date_from=today() - timedelta(days=1), date_to=today() + timedelta(days=1), staff_id=staff_id
        ):
            if shift["starts_at"] < shift_end and shift["ends_at"] > shift_start:
                staff_services.remove_shift(actor=SYSTEM, shift_id=shift["id"])
        try:
            staff_services.add_shift(
                actor=SYSTEM, staff_id=staff_id, day=shift_start.date(), start=shift_start.time(), end=shift_end.time()
            )
        except ValidationFailed as refused:
            raise AssertionError(f"could not put the demo technician on shift: {refused.errors}") from None
    window_start = _half_hour(now)
    window_end = time(23, 30) if window_start >= time(20, 30) else time(window_start.hour + 3, window_start.minute)
    return {
        "customer": customer,
        "phone": phone,
        "service": service,
        "staff_id": staff_id,
        "window": (window_start, window_end),
    }


def log_in(page: Page, base: str, username: str, password: str, path: str = "") -> None:
    page.goto(f"{base}/{path}")
    page.get_by_role("textbox", name="Username").fill(username)
    password_box = page.get_by_role("textbox", name="Password")
    password_box.fill(password)
    password_box.press("Enter")
    expect(page.get_by_role("textbox", name="Username")).to_have_count(0)
    # The login cookie is written by a component after the login; a reload before that logs out.
    page.wait_for_function("() => document.cookie.includes('opsdesk_session=')", timeout=WAIT)


def in_english(page: Page) -> None:
    """The demo users read Chinese; switch in the sidebar (opened first on a phone)."""
    sidebar = page.get_by_test_id("stSidebar")
    phone = page.viewport_size["width"] < 640  # a phone starts with the sidebar closed
    if phone:
        page.get_by_test_id("stExpandSidebarButton").click()
    sidebar.get_by_role("radio", name="English").click()
    expect(sidebar.get_by_role("button", name="Log out")).to_be_visible()
    if phone:  # the open sidebar covers the page
        sidebar.get_by_role("button", name="Collapse sidebar").click()


def pick(page: Page, label: str, option: str | re.Pattern[str]) -> None:
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option).first.click()


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


def job_card(page: Page, number: str):
    """The bordered card of one job on the technician's page (the innermost block naming it)."""
    return page.get_by_test_id("stVerticalBlock").filter(has=page.get_by_text(f"{number} · ")).last


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
