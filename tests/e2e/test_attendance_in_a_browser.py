"""Attendance in a real browser: the technician clocks in on a phone, starts and completes a job
seeded for them, clocks out; then the manager opens Attendance and sees the person's hours of the
month, as the service computes them."""

from __future__ import annotations

import re
import time as wall
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from core.actor import SYSTEM
from core.clock import today, utcnow
from core.services import attendance, orders
from core.services import staff as staff_services
from tests.e2e.browser_support import DESK, PHONE, WAIT, in_english, job_card, log_in, pick, seed
from tests.factories import order_values

pytestmark = pytest.mark.e2e
expect.set_options(timeout=WAIT)
WORKED_SECONDS = 45  # at least this long between the taps, so the hours show as more than 0.00


def this_month(staff_id: int) -> dict[str, Any]:
    [row] = attendance.monthly_report(actor=SYSTEM, year=today().year, month=today().month, staff_id=staff_id)
    return row


def close_open_entries(staff_id: int) -> None:
    """The demo technician starts with nothing open (a missing clock-out would refuse the tap)."""
    this_month = attendance.list_entries(actor=SYSTEM, year=today().year, month=today().month, staff_id=staff_id)
    missing = attendance.missing_clock_outs(actor=SYSTEM)
    for entry in [*missing, *this_month]:
        if entry["staff_id"] == staff_id and entry["clock_out"] is None:
            attendance.correct_entry(
                actor=SYSTEM,
                entry_id=entry["id"],
                clock_in=entry["clock_in"],
                clock_out=min(entry["clock_in"] + timedelta(hours=8), utcnow()),
                reason="E2E: closed before the test",
                expected_version=entry["version"],
            )


def seed_job() -> dict[str, Any]:
    """The demo technician on shift now, nothing open on their clock, and a job today assigned to them."""
    data = seed()
    close_open_entries(data["staff_id"])
    start, end = data["window"]
    order = orders.create_order(
        actor=SYSTEM,
        values=order_values(data["customer"]["id"], data["area"], day=today(), window_start=start, window_end=end),
        lines=[{"service_id": data["service_id"], "quantity": Decimal(30)}],
        idempotency_key=str(uuid.uuid4()),
    )
    booked = orders.confirm_order(actor=SYSTEM, order_id=order["id"], expected_version=order["version"])
    assert booked["technician_id"] == data["staff_id"], "the job went to someone else"
    person = staff_services.staff.get(actor=SYSTEM, record_id=data["staff_id"])
    return {**data, "number": booked["number"], "employee_no": person["employee_no"]}


def technician_works_a_shift(browser: Browser, base: str, data: dict[str, Any]) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(WAIT)
    log_in(page, base, "technician", "technician-demo", path="my-jobs")
    in_english(page)
    expect(page.get_by_role("heading", name="My jobs today")).to_be_visible()
    expect(page.get_by_text("Not clocked in")).to_be_visible()
    page.get_by_role("button", name="Clock in").click()
    expect(page.get_by_text(re.compile(r"Clocked in since \d\d:\d\d"))).to_be_visible()
    clocked_in = wall.monotonic()

    number = data["number"]
    card = job_card(page, number)
    card.get_by_role("button", name="Start").click()
    expect(page.get_by_text(f"{number} · In progress")).to_be_visible()
    card = job_card(page, number)
    card.get_by_role("radio", name="4 out of 5 stars").click()
    card.get_by_role("button", name="Complete").click()
    expect(page.get_by_text(f"{number} · Completed")).to_be_visible()

    page.wait_for_timeout(max(0, WORKED_SECONDS - (wall.monotonic() - clocked_in)) * 1000)
    page.get_by_role("button", name="Clock out").click()
    expect(page.get_by_role("button", name="Clock in")).to_be_visible()
    context.close()


def figure(page: Page, label: str) -> Locator:
    """The value of the figure with this label (the person's month at a glance)."""
    label_box = page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    return page.get_by_test_id("stMetric").filter(has=label_box).get_by_test_id("stMetricValue")


def manager_sees_the_hours(browser: Browser, base: str, data: dict[str, Any], month: dict[str, Any]) -> None:
    context = browser.new_context(viewport=DESK)
    page = context.new_page()
    page.set_default_timeout(WAIT)
    log_in(page, base, "manager", "manager-demo", path="attendance")
    in_english(page)
    expect(page.get_by_role("heading", name="Attendance", exact=True)).to_be_visible()
    pick(page, "Staff member", re.compile(re.escape(f"({data['employee_no']})")))
    expect(figure(page, "Hours")).to_have_text(f"{month['hours']:.2f}")
    expect(figure(page, "Days")).to_have_text(str(month["days"]))
    context.close()


def test_a_technician_clocks_in_works_and_clocks_out_and_the_manager_sees_the_hours(server, server_database, browser):
    data = seed_job()
    before = this_month(data["staff_id"])["hours"]
    started = utcnow()
    technician_works_a_shift(browser, server, data)
    [entry] = [
        e
        for e in attendance.list_entries(
            actor=SYSTEM, year=today().year, month=today().month, staff_id=data["staff_id"]
        )
        if e["clock_in"] >= started
    ]
    assert entry["clock_out"] is not None
    assert (entry["clock_out"] - entry["clock_in"]).total_seconds() >= WORKED_SECONDS
    month = this_month(data["staff_id"])
    after = month["hours"]
    assert after > before and abs(after - before - entry["hours"]) <= Decimal("0.01")  # each rounded to 0.01 h
    done = orders.get_order(actor=SYSTEM, order_id=orders.find_order(actor=SYSTEM, number=data["number"]))
    assert (done["status"], done["rating"]) == ("completed", 4)
    manager_sees_the_hours(browser, server, data, month)
