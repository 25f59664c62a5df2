"""The admin's System health page through the whole app: the database, the backups (none yet, a
verified one, a failed attempt, an overdue one), the error a page raised with its page and user, who
is signed in, and the analytics snapshot (not loaded by looking at it). Other roles cannot open it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import backups, config, error_log
from core.analytics import snapshot
from core.backup_files import BackupError
from core.services import problems
from tests.factories import make_area, make_user
from tests.pages.conftest import log_in, open_app, texts

PAGE = "pages/admin/health.py"


@pytest.fixture(autouse=True)
def clean(sqlite_store, tmp_path: Path):
    """Backups in a directory of the test's own, no snapshot loaded, and an empty error record
    (installed as app.py installs it: with the page and the user)."""
    before = config.get_settings()
    (tmp_path / "backups").mkdir()
    config.override_settings(backup_dir=tmp_path / "backups")
    snapshot.close()
    error_log.uninstall()
    from ui import error_record

    error_record.install()
    yield
    error_log.uninstall()
    snapshot.close()
    config.override_settings(backup_dir=before.backup_dir, backup_keep=before.backup_keep)


def health(at: AppTest) -> AppTest:
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def frame(at: AppTest, column: str):
    """The table that has this column."""
    found = [table.value for table in at.dataframe if column in table.value.columns]
    assert found, f"no table with a {column!r} column"
    return found[0]


def test_an_admin_sees_the_database_sessions_errors_and_an_unloaded_snapshot(app):
    at = health(app("admin", username="boss"))
    shown = texts(at)
    for section in ("System health", "Backups", "Database", "Last errors", "Signed in", "Analytics snapshot"):
        assert section in [h.value for h in at.subheader] + [h.value for h in at.title]
    engine = next(m for m in at.metric if m.label == "Engine")
    assert engine.value.startswith("SQLite 3.")
    assert "users" in list(frame(at, "Table")["Table"])
    people = frame(at, "Username")
    assert list(people["Username"]) == ["boss"] and list(people["Sessions"]) == [1]
    assert next(m for m in at.metric if m.label == "Active sessions").value == "1"
    assert "No errors recorded." in shown
    assert "Not loaded yet in this server process" in shown
    assert snapshot.if_loaded() is None  # looking did not load it


def test_without_any_backup_the_admin_is_warned(app):
    at = health(app("admin", username="boss"))
    assert "No backup has been taken yet." in texts(at)
    links = [link.proto for link in at.get("page_link")]
    assert any(link.page.endswith("backups") for link in links), links  # to the Backups page
    assert [w.value for w in at.warning] == ["There is no verified backup from the last 26 hours."]
    assert not at.error


def test_a_verified_backup_is_shown_and_no_warning_remains(app):
    taken = backups.take_backup()
    at = health(app("admin", username="boss"))
    assert next(m for m in at.metric if m.label == "Verified").value == "yes"
    assert list(frame(at, "File")["File"]) == [taken.name]
    assert not at.warning and not at.error


def test_a_failed_attempt_after_it_is_an_alarm(app):
    backups.take_backup()
    config.override_settings(backup_keep="every day")  # a bad retention setting: the next attempt fails
    with pytest.raises(BackupError):
        backups.take_backup()
    at = health(app("admin", username="boss"))
    [alarm] = at.error
    assert alarm.value.startswith("The last backup attempt failed at ")
    assert "OPSDESK\\_BACKUP\\_KEEP must be" in alarm.value
    assert next(m for m in at.metric if m.label == "Verified").value == "yes"  # the earlier one is still listed


def test_a_verified_backup_older_than_the_limit_is_warned_about(app, monkeypatch):
    backups.take_backup()
    monkeypatch.setattr(backups, "OVERDUE_AFTER", timedelta(0))  # as if 26 hours had passed
    at = health(app("admin", username="boss"))
    [warning] = at.warning
    assert warning.value.startswith("The newest verified backup is ") and "more than 0 hours" in warning.value


def test_an_error_a_page_raised_is_listed_with_its_page_and_user(app, monkeypatch):
    def broken(**_kwargs):
        raise ZeroDivisionError("division by zero")

    at = app("admin", username="boss")
    monkeypatch.setattr(problems, "problems", broken)
    at.switch_page("pages/admin/problems.py").run()
    assert at.exception  # Streamlit showed it (no details: showErrorDetails is "none" in a browser)
    monkeypatch.undo()
    at = health(at)
    errors = frame(at, "Exception")
    assert list(errors["Exception"]) == ["ZeroDivisionError: division by zero"]
    assert (errors["Page"][0], errors["User"][0], errors["Logger"][0]) == ("problems", "boss", "streamlit.error_util")
    where = errors["In the code"][0]  # the deepest frame of Opsdesk's own files: here, the broken service
    assert where.startswith("tests/pages/test_health_page.py:") and where.endswith(" in broken")


def test_a_loaded_snapshot_says_when_it_caught_up_and_what_it_has_not_read(sqlite_store):
    make_user("boss", "admin")
    with snapshot.reader():
        pass
    make_area(code="SH-PD", name_en="Pudong", name_zh="浦东新区")  # saved after the snapshot's last catch-up
    at = health(log_in(open_app(), "boss"))
    assert "Not loaded yet in this server process" not in texts(at)
    assert next(m for m in at.metric if m.label == "Changes not read yet").value == "1"
    tables = frame(at, "Newest change held").set_index("Table")
    assert (tables.loc["service_areas", "Rows"], tables.loc["service_areas", "Not read yet"]) == ("0", "1")
    assert tables.loc["users", "Not read yet"] == "0"


@pytest.mark.parametrize("role", ["manager", "clerk", "analyst", "executive", "technician"])
def test_no_other_role_can_open_it(sqlite_store, role):
    make_user("someone", role)
    at = log_in(open_app(), "someone")
    with pytest.raises(ValueError):  # st.navigation did not register the page for them
        at.switch_page(PAGE)
