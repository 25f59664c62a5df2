"""The record of the last errors: what it keeps of a logged exception (and what it never keeps), which
loggers it listens to, Streamlit's report of a page's exception, and the file that outlives a restart."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import error_log
from core.error_log import ErrorEntry, RecentErrors

HERE = "tests/unit/test_error_log.py"


@pytest.fixture(autouse=True)
def installed():
    error_log.uninstall()  # from a clean slate, whatever an earlier app run installed
    error_log.install(context=lambda: ("orders", "clerk1"))
    yield
    error_log.uninstall()


def fail_to_save() -> None:
    raise ValueError("the order total does not match its lines")


def test_a_logged_exception_is_kept_with_its_type_place_page_and_user():
    try:
        fail_to_save()
    except ValueError:
        logging.getLogger("opsdesk.scheduler").exception("scheduled job %s failed", "generate contract orders")
    [entry] = error_log.recent()
    assert (entry.logger, entry.level, entry.message) == (
        "opsdesk.scheduler",
        "ERROR",
        "scheduled job generate contract orders failed",
    )
    assert (entry.exception, entry.detail) == ("ValueError", "the order total does not match its lines")
    assert entry.where is not None and entry.where.startswith(f"{HERE}:") and entry.where.endswith(" in fail_to_save")
    assert (entry.page, entry.user) == ("orders", "clerk1")


def test_contacts_passwords_and_sql_parameters_are_never_kept():
    error = RuntimeError(
        "(psycopg.errors.UniqueViolation) duplicate key for zhang.wei@example.com, call 138 1234 5678\n"
        "DETAIL:  Key (phone)=(13812345678) already exists.\n[parameters: {'password': 'hunter2-secret'}]"
    )
    logging.getLogger("opsdesk.customers").error("password=hunter2-secret for 139-0000-1111", exc_info=error)
    [entry] = error_log.recent()
    kept = json.dumps(entry.__dict__, default=str)
    for secret in ("zhang.wei", "example.com", "1234 5678", "13812345678", "hunter2", "0000-1111", "DETAIL"):
        assert secret not in kept
    assert entry.detail == "(psycopg.errors.UniqueViolation) duplicate key for ***@***, call ***"
    assert entry.message == "password=*** for ***"


def test_only_errors_of_opsdesk_and_streamlit_page_reports_are_kept_newest_first():
    logging.getLogger("opsdesk.health").warning("a warning is not an error")
    logging.getLogger("sqlalchemy.pool").error("another library's error is its own business")
    logging.getLogger("opsdesk.backups").error("first")
    logging.getLogger("opsdesk").critical("second")
    logging.getLogger("streamlit.error_util").error("Uncaught app execution")
    assert [(e.logger, e.message) for e in error_log.recent()] == [
        ("streamlit.error_util", "Uncaught app execution"),
        ("opsdesk", "second"),
        ("opsdesk.backups", "first"),
    ]
    assert [e.message for e in error_log.recent(limit=1)] == ["Uncaught app execution"]


def test_only_the_newest_are_kept():
    for number in range(error_log.KEEP + 5):
        logging.getLogger("opsdesk.load").error("error %d", number)
    kept = error_log.recent()
    assert len(kept) == error_log.KEEP
    assert (kept[0].message, kept[-1].message) == (f"error {error_log.KEEP + 4}", "error 5")


def test_an_exception_a_page_raises_is_recorded_from_streamlits_report():
    def page() -> None:
        import streamlit as st

        st.title("Orders")
        raise KeyError("missing column")

    at = AppTest.from_function(page).run()
    assert at.exception  # the page showed Streamlit's error
    [entry] = error_log.recent()
    assert (entry.logger, entry.exception, entry.detail) == ("streamlit.error_util", "KeyError", "'missing column'")


def test_the_file_brings_the_last_errors_back_after_a_restart(tmp_path: Path):
    error_log.uninstall()
    error_log.install(tmp_path / "logs")
    logging.getLogger("opsdesk.backups").error("the backup directory is read-only")
    with (tmp_path / "logs" / error_log.FILE_NAME).open("a") as handle:
        handle.write('{"at": "2026-')  # a line cut short by a crash
    restarted = RecentErrors()
    restarted.keep_in(tmp_path / "logs")
    [entry] = restarted.newest()
    assert isinstance(entry, ErrorEntry) and entry.message == "the backup directory is read-only"
    assert entry == error_log.recent()[0]
