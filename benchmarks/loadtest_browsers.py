"""The real browser sessions of `make loadtest`: each a thread with its own Playwright and Debian
chromium (the flags of the browser tests), logged in as a demo user, opening that role's pages one
after the other until the run ends; clerks also take an order through the *New order* form.

A page counts as loaded when its heading is shown and the app's script has finished its run; it is
an error when that takes longer than the browser tests' wait (a stuck page), or when the page shows
Streamlit's exception box or an error message."""

from __future__ import annotations

import random
import re
import threading
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect, sync_playwright

from benchmarks.loadtest_users import Recorder, World
from tests.e2e.browser_support import DESK, WAIT, in_english, log_in, pick, settled
from tests.e2e.conftest import CHROMIUM, FLAGS

# Roles of the browser sessions, repeated: 5 sessions are 2 clerks, a manager, an analyst, an executive.
BROWSER_ROLES = ("clerk", "manager", "analyst", "clerk", "executive")
NEW_ORDER = "order-new"
# Per role, the pages visited in turn: (address, heading). NEW_ORDER takes an order through the form.
# (Opened by its address rather than from the menu, that form shows the current time as its window
# and 0 as the quantity instead of its defaults 09:00-12:00 and 1: reported, not worked around here.)
VISITS: dict[str, tuple[tuple[str, str], ...]] = {
    "clerk": (
        (NEW_ORDER, "New order"),
        ("orders", "Orders"),
        ("stock-items", "Stock items"),
        ("customers", "Customers"),
    ),
    "manager": (("dashboard", "Dashboard"), ("kpis", "Key figures"), ("orders", "Orders")),
    "analyst": (("dashboard", "Dashboard"), ("orders", "Orders"), ("stock-items", "Stock items")),
    "executive": (("kpis", "Key figures"), ("dashboard", "Dashboard")),
}
FIRST_PAGES_WAIT = 120_000  # ms, for the log-in
ANALYTICS = ("dashboard", "kpis")  # opened once before the run starts
SAVED = re.compile(r"SO-\d{4}-\d{6} · New")
WARM_UP = "browser: log in and first visits"


def problems_on(page: Page) -> list[str]:
    """Streamlit's exception boxes and error messages on the page, with their text."""
    found = []
    for test_id in ("stException", "stAlertContentError"):
        boxes = page.get_by_test_id(test_id)
        found += [f"{test_id}: {boxes.nth(i).inner_text()[:200]}" for i in range(boxes.count())]
    return found


class BrowserSession:
    """One person in a browser. `wait` (ms): how long a page may take before it counts as stuck;
    `shots`: where a screenshot of the first few failures goes."""

    def __init__(self, index: int, base: str, world: World, recorder: Recorder, seed: int, **options: Any) -> None:
        self.index = index
        self.role = BROWSER_ROLES[index % len(BROWSER_ROLES)]
        self.base = base
        self.world = world
        self.recorder = recorder
        self.rng = random.Random(seed * 1000 + 500 + index)
        self.wait: int = options.get("wait", WAIT)
        self.shots: Path | None = options.get("shots")
        self.failures = 0
        self.ready = threading.Event()  # logged in and warmed up (or failed trying)
        self.page: Page | None = None

    def run(self, go: threading.Event, stop: threading.Event) -> None:
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
                try:
                    self._session(browser, go, stop)
                finally:
                    browser.close()
        except Exception as failed:  # a browser that cannot start is an error of the run
            self.recorder.error("browser: start", failed)
        finally:
            self.ready.set()

    def _session(self, browser: Any, go: threading.Event, stop: threading.Event) -> None:
        page = self.page = browser.new_context(viewport=DESK).new_page()
        page.set_default_timeout(self.wait)
        if self.recorder.timed(WARM_UP, self._warm_up, self.evidence) is None:
            return
        self.recorder.forget(WARM_UP)  # its time is not a figure of the run
        self.ready.set()
        go.wait()
        visits = VISITS[self.role]
        turn = 0
        while not stop.is_set():
            url, heading = visits[turn % len(visits)]
            turn += 1
            self.visit(url, heading)
            if url == NEW_ORDER:  # a form once opened is finished, also when the run ends meanwhile
                self.save_order()

    def evidence(self) -> str:
        """What the page showed when an action failed, and a screenshot of the first few failures."""
        page = self.page
        try:
            shown = problems_on(page) if page else []
            if page:
                headings = page.get_by_role("heading", level=1).all_inner_texts()
                shown.append(f"address {page.url}, heading {headings[:1]}")
            if page and self.shots and self.failures < 3:
                self.failures += 1
                self.shots.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=self.shots / f"browser-{self.index}-{self.role}-{self.failures}.png")
        except Exception as failed:  # the page itself may be gone
            return f" (nothing more to see: {type(failed).__name__})"
        return f" (the page shows: {'; '.join(shown)})" if shown else ""

    def _warm_up(self) -> bool:
        """Log in, switch to English, and open the analytics pages once: the server's first one
        builds its analytics snapshot, which is not what a user waits for afterwards."""
        assert self.page is not None
        # A server's first pages import the whole app; on a busy machine that can outlast the wait.
        try:
            log_in(self.page, self.base, self.role, f"{self.role}-demo", wait=max(self.wait, FIRST_PAGES_WAIT))
        except AssertionError:  # Enter pressed at once after typing was not taken: click, as people do
            self.page.get_by_role("button", name="Log in").click()
            expect(self.page.get_by_role("textbox", name="Username")).to_have_count(0, timeout=self.wait)
            self.page.wait_for_function("() => document.cookie.includes('opsdesk_session=')", timeout=self.wait)
            self.recorder.note(f"browser {self.index} ({self.role}): the log-in form took Enter only after a click")
        in_english(self.page)
        for url, heading in VISITS[self.role]:
            if url in ANALYTICS:
                self._open(url, heading)
        return True

    def _open(self, url: str, heading: str) -> None:
        """A page by its address (a new page load: the session resumes from the login cookie), except
        the order form, which clerks open from the menu of the page they are on."""
        page = self.page
        assert page is not None
        if url == NEW_ORDER:
            page.get_by_test_id("stSidebar").get_by_role("link", name=heading, exact=True).click()
        else:
            page.goto(f"{self.base}/{url}")
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=self.wait)
        settled(page, self.wait)
        found = problems_on(page)
        if found:
            raise AssertionError(f"{url}: " + "; ".join(found))

    def visit(self, url: str, heading: str) -> None:
        self.recorder.timed(f"browser: open {heading}", lambda: self._open(url, heading), self.evidence)

    def save_order(self) -> None:
        """Fill the New order form already open (timed apart: it includes the robot's typing), then
        time Save until the order's page is shown; its number is checked against the store at the end."""
        page = self.page
        assert page is not None
        _customer, _area, _address, code = self.rng.choice(self.world.customers)
        _service, service = self.rng.choice(self.world.services)

        def fill() -> bool:
            search = page.get_by_role("searchbox", name="Find the customer")
            search.fill(code)
            search.press("Enter")
            pick(page, "Customer *", re.compile(re.escape(code)))
            expect(page.get_by_role("textbox", name="Service address *")).not_to_have_value("", timeout=self.wait)
            pick(page, "Service", re.compile(f"^{re.escape(service)} · "))
            quantity = page.get_by_role("spinbutton", name="Quantity")
            quantity.fill(str(self.rng.randint(1, 20)))
            quantity.press("Enter")
            settled(page, self.wait)
            return True

        if self.recorder.timed("browser: fill order form", fill, self.evidence) is None:
            return

        def save() -> str:
            page.get_by_role("button", name="Save the order").click()
            heading = page.get_by_role("heading", name=SAVED)
            expect(heading).to_be_visible(timeout=self.wait)
            settled(page, self.wait)
            found = problems_on(page)
            if found:
                raise AssertionError("; ".join(found))
            return SAVED.search(heading.inner_text()).group(0).split(" ")[0]

        number = self.recorder.timed("browser: save order", save, self.evidence)
        if number is not None:
            with self.recorder.lock:
                self.recorder.browser_orders.append(number)
