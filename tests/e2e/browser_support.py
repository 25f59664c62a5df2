"""What the browser tests share: the viewports and the wait, logging in and switching to English
in a real browser, a customer, a service and the demo technician on shift now (seeded through
core services into the running server's database), and the card of a job on the phone page."""

from __future__ import annotations

import random
import re
import uuid
from datetime import datetime, time, timedelta
from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.actor import SYSTEM
from core.auth import actor_for
from core.clock import local, today, utcnow
from core.db import reading
from core.errors import ValidationFailed
from core.models import Staff, User
from core.services import staff as staff_services
from tests.factories import make_area, make_customer, make_service, make_technician

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
    service_id = make_service(service, price="10.00", minutes="1", skills=("carpet",), unit="m2")  # 30 m² → 30 minutes

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
        # Their shifts that overlap the new one, and the rest of their week, so that the weekly
        # hours limit leaves room for it (the demo rosters a full week).
        sunday = today() + timedelta(days=6 - today().weekday())
        for shift in staff_services.shifts_between(
            actor=SYSTEM, date_from=today() - timedelta(days=1), date_to=sunday, staff_id=staff_id
        ):
            if shift["ends_at"] > shift_start:
                staff_services.remove_shift(actor=SYSTEM, shift_id=shift["id"])
        try:
            staff_services.add_shift(
                actor=SYSTEM,
                staff_id=staff_id,
                day=shift_start.date(),
                start=shift_start.time(),
                end=shift_end.time(),
                overnight=shift_end.date() > shift_start.date(),
            )
        except ValidationFailed as refused:
            raise AssertionError(f"could not put the demo technician on shift: {refused.errors}") from None
    window_start = _half_hour(now)
    window_end = time(23, 30) if window_start >= time(20, 30) else time(window_start.hour + 3, window_start.minute)
    return {
        "customer": customer,
        "phone": phone,
        "service": service,
        "service_id": service_id,
        "area": area,
        "staff_id": staff_id,
        "window": (window_start, window_end),
    }


def log_in(page: Page, base: str, username: str, password: str, path: str = "", wait: int = WAIT) -> None:
    """`wait` (ms) for each step: longer for a server's very first pages on a busy machine."""
    page.goto(f"{base}/{path}")
    page.get_by_role("textbox", name="Username").fill(username, timeout=wait)
    password_box = page.get_by_role("textbox", name="Password")
    password_box.fill(password, timeout=wait)
    password_box.press("Enter", timeout=wait)
    expect(page.get_by_role("textbox", name="Username")).to_have_count(0, timeout=wait)
    # The login cookie is written by a component after the login; a reload before that logs out.
    page.wait_for_function("() => document.cookie.includes('opsdesk_session=')", timeout=wait)


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


def settled(page: Page, wait: int = WAIT) -> None:
    """Wait (up to `wait` ms) until the app's script has finished its run: a chart drawn by a run
    still going may be drawn again (and its elements replaced) when the run ends."""
    expect(page.get_by_test_id("stApp")).not_to_have_attribute("data-test-script-state", "running", timeout=wait)


def pick(page: Page, label: str, option: str | re.Pattern[str]) -> None:
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option).first.click()


def job_card(page: Page, number: str):
    """The bordered card of one job on the technician's page (the innermost block naming it)."""
    return page.get_by_test_id("stVerticalBlock").filter(has=page.get_by_text(f"{number} · ")).last
