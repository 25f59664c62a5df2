"""The admin's Backups page through the whole app: "Back up now" takes a verified backup that the list
shows; a failed attempt is alarmed there and on the admin's home page; a missing or stale backup is a
warning for admins only; the restore command is on the page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from core import config
from core.backup_files import STATUS_FILE
from tests.pages.conftest import texts, widget

PAGE = "pages/admin/backups.py"
HOME = "pages/account/home.py"
NONE_RECENT = "There is no verified backup from the last 26 hours."


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[config.Settings]:
    """This test's own backup directory. The data directory (the encryption key lives there) stays the
    session's: a failed attempt that is recorded there is removed afterwards."""
    (tmp_path / "backups").mkdir()
    settings = replace(config.get_settings(), backup_dir=tmp_path / "backups")
    monkeypatch.setattr(config, "_override", settings)
    yield settings
    (settings.data_dir / STATUS_FILE).unlink(missing_ok=True)


def test_an_admin_backs_up_now_and_sees_it_verified(app, place):
    at = app("admin").switch_page(PAGE).run()
    assert "No backups yet." in texts(at)
    assert [w.value for w in at.warning] == [NONE_RECENT]
    assert ".venv/bin/python -m core.backups restore NAME" in at.code[0].value
    widget(at.button, "Back up now").click()
    at.run()
    assert not at.exception and not at.error
    [done] = [s.value.replace("\\", "") for s in at.success]  # the name is escaped for Markdown
    assert done.startswith("Backup opsdesk-") and done.endswith("was taken and verified.")
    shown = at.dataframe[0].value
    assert list(shown["Verified"]) == ["✓"]
    assert "counts and checksums match" in shown["Detail"][0]
    assert not at.warning
    assert [path.suffix for path in place.backup_dir.iterdir() if path.name.startswith("opsdesk-")] in (
        [".sqlite3", ".json"],
        [".json", ".sqlite3"],
    )
    home = at.switch_page(HOME).run()
    assert not home.warning


def test_a_failed_backup_is_alarmed_on_the_page_and_on_the_home_page(app, place, monkeypatch, tmp_path):
    monkeypatch.setattr(config, "_override", replace(place, backup_dir=tmp_path / "mnt"))
    at = app("admin").switch_page(PAGE).run()
    widget(at.button, "Back up now").click()
    at.run()
    assert not at.exception and not at.success
    errors = [e.value for e in at.error]
    assert len(errors) == 2  # why this attempt failed, and the alarm of the last failed attempt
    assert all("does not exist" in error for error in errors)
    assert errors[1].startswith("The last backup attempt failed at ")
    home = at.switch_page(HOME).run()
    assert "The last backup attempt failed." in [w.value for w in home.warning]


def test_the_home_page_warns_admins_only(app, place):
    admin = app("admin")
    assert NONE_RECENT in [w.value for w in admin.warning]
    clerk = app("clerk")
    assert not clerk.warning
