"""An analyst opens the at-risk segment of the demo company in a real browser, sees its customers
and downloads them for a campaign: every customer of the segment, contacts masked for an analyst,
and the download written in the audit trail."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from core import db
from core.models import AuditEntry
from tests.e2e.browser_support import DESK, WAIT, in_english, log_in


def exports() -> int:
    with db.reading() as session:
        return session.execute(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "segment:at_risk")
        ).scalar_one()


def test_an_analyst_opens_the_at_risk_segment_and_downloads_it(server, server_database, browser):
    context = browser.new_context(viewport=DESK, accept_downloads=True)
    page = context.new_page()
    try:
        log_in(page, server, "analyst", "analyst-demo")
        in_english(page)
        page.goto(f"{server}/segments?segment=at_risk")
        expect(page.get_by_role("heading", name="Customer segments")).to_be_visible(timeout=WAIT)
        expect(page.get_by_text("Customers of the segment")).to_be_visible(timeout=WAIT)

        counted = page.get_by_text(re.compile(r"Page 1 of \d+ · \d+ records")).first  # the Segments tab leads
        expect(counted).to_be_visible(timeout=WAIT)
        total = int(re.search(r"· (\d+) records", counted.text_content()).group(1))
        assert total > 0

        before = exports()
        with page.expect_download(timeout=WAIT) as waiting:
            page.get_by_role("button", name="Download for a campaign (CSV)").click()
        path = waiting.value.path()
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        assert len(rows) == total
        assert {row["Segment"] for row in rows} == {"At risk"}
        assert all(re.fullmatch(r"CU-\d{6}", row["Code"]) for row in rows), rows[0]["Code"]
        assert all("*" in row["Phone"] for row in rows)  # contacts are masked in every download
        assert all(float(row["Churn risk"]) >= 0 for row in rows)
        assert exports() == before + 1
    finally:
        context.close()
