"""A manager filters the dashboard, clicks a bar, sees the rows behind it and downloads them, in a
real browser on the demo company."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import expect

from tests.e2e.browser_support import DESK, WAIT, in_english, log_in, pick, settled


def test_a_manager_filters_drills_into_a_bar_and_downloads_its_rows(server, browser):
    context = browser.new_context(viewport=DESK, accept_downloads=True)
    page = context.new_page()
    try:
        log_in(page, server, "manager", "manager-demo")
        in_english(page)
        page.goto(f"{server}/dashboard")
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

        # Filter: web orders only; the address follows, so the view can be shared.
        pick(page, "Channels", "Website")
        page.keyboard.press("Escape")
        expect(page).to_have_url(re.compile(r"channel=web"), timeout=WAIT)

        # Click the first bar of "Revenue by area", once the filtered view has been drawn.
        settled(page)
        chart = page.locator(".js-plotly-plot").filter(has_text="Revenue by area")
        expect(chart.locator(".bars path").first).to_be_visible()
        area = chart.locator(".xtick text").first.text_content()
        chart.locator(".bars path").first.click(force=True)
        expect(page.get_by_text(f"The rows behind: Area: {area}")).to_be_visible()
        expect(page).to_have_url(re.compile(r"drill=area%3A\d+|drill=area:\d+"))

        counted = page.get_by_text(re.compile(r"Page 1 of \d+ · \d+ records"))
        expect(counted).to_be_visible()
        total = int(re.search(r"· (\d+) records", counted.text_content()).group(1))
        assert total > 0

        with page.expect_download() as waiting:
            page.get_by_role("button", name="Download CSV").click()
        path = waiting.value.path()
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        assert len(rows) == total
        assert {row["Channel"] for row in rows} == {"Website"}
        assert {row["Area"] for row in rows} == {area}
        assert all(re.fullmatch(r"SO-\d{4}-\d+", row["Number"]) for row in rows)
    finally:
        context.close()
