"""Backups on both databases: each backup is verified by a restore into a scratch database and
brings back exactly what was there; bad input (a missing or read-only backup directory, a disk that
fills during the backup, a damaged backup chosen for restore, a database still in use) gives a clear
message, is recorded for the admin and leaves the live database untouched."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import select

from core import backup_engines, backup_files, backups, config, db, scheduler
from core.clock import utcnow
from core.errors import OpsdeskError
from core.i18n import msg
from core.models import ServiceArea
from tests.conftest import Store, _postgres_store
from tests.factories import make_area, make_user


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> config.Settings:
    """Settings with this test's own data directory, so the backups go to its data/backups."""
    settings = replace(config.get_settings(), data_dir=tmp_path / "data", backup_dir=None)
    monkeypatch.setattr(config, "_override", settings)
    return settings


@pytest.fixture
def postgres_only(postgres_url: str) -> Iterator[Store]:
    """The store on PostgreSQL only, for what only PostgreSQL has (pg_dump)."""
    chosen = _postgres_store(postgres_url)
    db.use_engine(chosen.engine)
    yield chosen
    db.use_engine(None)


def use(monkeypatch: pytest.MonkeyPatch, **changes: object) -> config.Settings:
    settings = replace(config.get_settings(), **changes)
    monkeypatch.setattr(config, "_override", settings)
    return settings


def areas() -> list[str]:
    with db.reading() as session:
        return list(session.execute(select(ServiceArea.code).order_by(ServiceArea.code)).scalars())


def manifest(info: backups.BackupInfo) -> dict:
    return json.loads(info.path.with_suffix(".json").read_text(encoding="utf-8"))


def failure_message() -> str:
    found = backups.status().failure
    assert found is not None
    return found.message


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make a directory unwritable, even for root (who ignores permissions: then it is made
    immutable), and check that it really is."""
    as_root = os.geteuid() == 0
    if as_root:
        subprocess.run(["chattr", "+i", str(path)], check=True)
    else:
        path.chmod(0o555)
    try:
        with pytest.raises(OSError):
            (path / "probe").write_bytes(b"")
        yield
    finally:
        if as_root:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        else:
            path.chmod(0o755)


class TestBackupAndRestore:
    def test_a_backup_is_verified_and_a_restore_brings_back_what_was_there(self, store, place):
        make_area("SH-XH")
        make_user("lina", "clerk")
        info = backups.take_backup()
        assert (info.verified, info.engine) == (True, store.dialect)
        assert info.path.parent == place.data_dir / "backups"
        kept = manifest(info)
        assert kept["tables"]["service_areas"]["rows"] == 1 and kept["tables"]["users"]["rows"] == 1
        assert kept["sha256"] == hashlib.sha256(info.path.read_bytes()).hexdigest()
        assert kept["verified"] is True and "counts and checksums match" in kept["detail"]
        assert backups.status().newest_verified == info

        make_area("SH-PD", "Pudong", "浦东新区")
        done = backups.restore_backup(info.name)
        assert areas() == ["SH-XH"]
        safety = done["safety"]
        assert safety.verified and manifest(safety)["tables"]["service_areas"]["rows"] == 2
        make_area("SH-JA", "Jing'an", "静安区")  # the restored store takes writes again
        assert areas() == ["SH-JA", "SH-XH"]

    def test_a_copy_that_does_not_match_the_moment_of_the_backup_fails_its_verification(
        self, store, place, monkeypatch
    ):
        make_area()
        scratch = backups.ENGINES[store.dialect]["scratch"]

        def one_row_lost(*args):
            figures = scratch(*args)
            figures["service_areas"] = {**figures["service_areas"], "rows": 0}
            return figures

        monkeypatch.setitem(backups.ENGINES[store.dialect], "scratch", one_row_lost)
        with pytest.raises(OpsdeskError) as refused:
            backups.take_backup()
        assert "did not pass its verification" in str(refused.value.message)
        assert "service_areas: 1 rows at the backup, 0 restored" in str(refused.value.message)
        [kept] = backups.list_backups()
        assert kept.verified is False
        assert "did not pass its verification" in failure_message()

    def test_what_a_killed_backup_left_behind_is_cleared_by_the_next(self, sqlite_store, place):
        where = place.data_dir / "backups"
        (place.data_dir / ".backup-work-killed").mkdir(parents=True)
        (place.data_dir / ".backup-work-killed" / "snapshot.sqlite3").write_bytes(b"half")
        where.mkdir()
        (where / ".opsdesk-20261130T010000Z.sqlite3.partial").write_bytes(b"half")
        assert backups.list_backups() == []  # a partial file is never taken for a backup
        info = backups.take_backup()
        assert sorted(path.name for path in where.iterdir()) == [f"{info.name}.json", info.path.name]
        assert sorted(path.name for path in place.data_dir.iterdir()) == [".backup.lock", "backups"]

    def test_a_newer_good_backup_clears_the_alarm_and_26_hours_make_it_overdue(self, sqlite_store, place):
        backup_files.record_failure(place, utcnow() - timedelta(minutes=5), msg("pg_dump failed: {reason}", reason="x"))
        assert backups.status().failure is not None and backups.status().overdue
        info = backups.take_backup()
        assert backups.status().failure is None
        assert not backups.status(now=info.taken_at + timedelta(hours=25)).overdue
        assert backups.status(now=info.taken_at + timedelta(hours=27)).overdue

    def test_the_daily_job_backs_up_at_its_hour_and_at_start_only_without_a_fresh_backup(
        self, sqlite_store, place, monkeypatch
    ):
        use(monkeypatch, backup_hour=4)
        job = scheduler.backup_job()
        assert job.hour == 4 and job.name in [found.name for found in scheduler.standard_jobs()]
        job.run()  # the run at a server start, with no backup yet
        [first] = backups.list_backups()
        job.run()  # another start: a verified backup younger than a day exists
        assert backups.list_backups() == [first]
        job.last_day = date(2026, 1, 1)  # it ran before in this process: the daily run always backs up
        job.run()
        [second] = backups.list_backups()  # the same day's older one is not kept (newest per day)
        assert second.name != first.name and second.taken_at > first.taken_at


class TestBadInput:
    def test_a_configured_backup_directory_that_does_not_exist_is_not_created(self, sqlite_store, place, monkeypatch):
        missing = place.data_dir.parent / "mnt" / "backups"
        use(monkeypatch, backup_dir=missing)
        with pytest.raises(OpsdeskError) as refused:
            backups.take_backup()
        assert f"The backup directory {missing} does not exist" in str(refused.value.message)
        assert not missing.exists()
        assert (place.data_dir / backup_files.STATUS_FILE).is_file()  # recorded where it can be
        assert "does not exist" in failure_message()

    def test_a_read_only_backup_directory(self, sqlite_store, place, monkeypatch, tmp_path):
        mount = tmp_path / "mnt"
        mount.mkdir()
        use(monkeypatch, backup_dir=mount)
        make_area()
        with read_only(mount):
            with pytest.raises(OpsdeskError) as refused:
                backups.take_backup()
            assert list(mount.iterdir()) == []
        assert f"The backup directory {mount} is not writable" in str(refused.value.message)
        assert "is not writable" in failure_message()
        assert areas() == ["SH-XH"]

    def test_a_default_directory_that_cannot_be_created(self, sqlite_store, place, monkeypatch, tmp_path):
        place.data_dir.mkdir()
        (place.data_dir / "backups").write_text("a file where the directory should be")
        with pytest.raises(OpsdeskError) as refused:
            backups.take_backup()
        assert f"The backup directory {place.data_dir / 'backups'} cannot be created" in str(refused.value.message)
        assert "cannot be created" in failure_message()

    def test_a_read_only_data_directory(self, sqlite_store, place, monkeypatch, tmp_path):
        data = tmp_path / "locked"
        data.mkdir()
        use(monkeypatch, data_dir=data)
        with read_only(data), pytest.raises(OpsdeskError) as refused:
            backups.take_backup()
        assert f"The data directory {data} is not writable" in str(refused.value.message)

    def test_a_disk_that_fills_during_the_backup(self, store, place, monkeypatch):
        make_area()

        def fill(out, chunk):
            out.write(chunk[: len(chunk) // 2])
            out.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(backup_files, "write", fill)
        with pytest.raises(OpsdeskError) as refused:
            backups.take_backup()
        where = place.data_dir / "backups"
        assert f"The disk holding {where} is full" in str(refused.value.message)
        assert "partial file was removed" in str(refused.value.message)
        assert sorted(path.name for path in where.iterdir()) == [backup_files.STATUS_FILE]
        assert sorted(path.name for path in place.data_dir.iterdir()) == [".backup.lock", "backups"]
        assert "is full" in failure_message()
        assert areas() == ["SH-XH"]
        monkeypatch.undo()
        make_area("SH-PD", "Pudong", "浦东新区")  # the live store is fine
        assert areas() == ["SH-PD", "SH-XH"]

    def test_pg_dump_failing_halfway(self, postgres_only, place, monkeypatch, tmp_path):
        make_area()
        broken = tmp_path / "pg_dump"
        broken.write_text("#!/bin/sh\nprintf 'PGDMP half a dump'\necho 'pg_dump: error: connection lost' >&2\nexit 1\n")
        broken.chmod(0o755)
        monkeypatch.setattr(backup_engines, "pg_tool", lambda name, major: str(broken))
        with pytest.raises(OpsdeskError) as refused:
            backups.take_backup()
        assert str(refused.value.message) == "pg_dump failed: pg_dump: error: connection lost"
        where = place.data_dir / "backups"
        assert sorted(path.name for path in where.iterdir()) == [backup_files.STATUS_FILE]
        assert failure_message() == "pg_dump failed: pg_dump: error: connection lost"
        assert areas() == ["SH-XH"]

    @pytest.mark.parametrize("damage", ["overwritten", "truncated"])
    def test_a_damaged_backup_is_refused_for_restore(self, store, place, damage):
        make_area()
        info = backups.take_backup()
        make_area("SH-PD", "Pudong", "浦东新区")
        size = info.path.stat().st_size
        with info.path.open("r+b") as handle:
            if damage == "truncated":
                handle.truncate(size // 2)
            else:
                handle.seek(size // 2)
                handle.write(b"\x00 not a backup \xff" * 64)
        with pytest.raises(OpsdeskError) as refused:
            backups.restore_backup(info.name)
        text = str(refused.value.message)
        assert text.startswith(f"Backup {info.name} cannot be restored: The file is not the one written at the backup")
        assert text.endswith("The live database was not touched.")
        assert areas() == ["SH-PD", "SH-XH"]
        assert [found.verified for found in backups.list_backups()] == [False]  # no safety backup was taken

    def test_a_file_that_is_no_backup_at_all_is_refused(self, store, place):
        make_area()
        where = place.data_dir / "backups"
        where.mkdir(parents=True)
        suffix = backups.ENGINES[store.dialect]["suffix"]
        (where / f"opsdesk-20260101T000000Z{suffix}").write_bytes(b"PGDMP? no: garbage " * 400)
        with pytest.raises(OpsdeskError) as refused:
            backups.restore_backup("opsdesk-20260101T000000Z")
        assert "cannot be restored: Restoring it into a scratch database failed" in str(refused.value.message)
        assert areas() == ["SH-XH"]

    def test_a_restore_is_refused_while_another_program_has_the_database_open(self, store, place):
        make_area()
        info = backups.take_backup()
        make_area("SH-PD", "Pudong", "浦东新区")
        if store.dialect == "sqlite":
            other = sqlite3.connect(store.engine.url.database)
        else:
            other = psycopg.connect(store.url.replace("postgresql+psycopg", "postgresql"))
        try:
            other.execute("SELECT count(*) FROM service_areas").fetchone()
            with pytest.raises(OpsdeskError) as refused:
                backups.restore_backup(info.name)
        finally:
            other.close()
        assert "Stop the server (make run) first" in str(refused.value.message)
        assert areas() == ["SH-PD", "SH-XH"]
        assert len(backups.list_backups()) == 1  # refused before the safety backup

    def test_an_unknown_name_or_a_path_is_refused(self, sqlite_store, place):
        for name in ("opsdesk-20990101T000000Z", "../opsdesk.db"):
            with pytest.raises(OpsdeskError) as refused:
                backups.restore_backup(name)
            assert f"There is no backup named {name}" in str(refused.value.message)


def test_the_command_line_backs_up_lists_and_restores(sqlite_template, tmp_path):
    live = tmp_path / "live.db"
    shutil.copy(sqlite_template, live)
    mount = tmp_path / "mnt"
    mount.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{live}",
        "OPSDESK_DATA_DIR": str(tmp_path / "data"),
        "OPSDESK_BACKUP_DIR": str(mount),
    }

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "core.backups", *arguments],
            cwd=config.ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def notes() -> list[str]:
        with closing(sqlite3.connect(live)) as connection, connection:
            return [row[0] for row in connection.execute("SELECT text FROM note ORDER BY text")]

    with closing(sqlite3.connect(live)) as connection, connection:
        connection.execute("CREATE TABLE note (text TEXT)")
        connection.execute("INSERT INTO note VALUES ('kept')")
    taken = run("backup")
    assert taken.returncode == 0, taken.stderr
    name = taken.stdout.split()[0]
    assert "verified" in taken.stdout and (mount / f"{name}.sqlite3").is_file()
    with closing(sqlite3.connect(live)) as connection, connection:
        connection.execute("INSERT INTO note VALUES ('later')")
    listed = run("list")
    assert name in listed.stdout and "WARNING" not in listed.stdout
    restored = run("restore", name)
    assert restored.returncode == 0, restored.stderr
    assert "Safety backup of the database as it was: " in restored.stdout
    assert notes() == ["kept"]
    for lost in (live, live.with_name("live.db-wal"), live.with_name("live.db-shm")):
        lost.unlink(missing_ok=True)  # the store is lost altogether: a restore makes it anew
    again = run("restore", name)
    assert again.returncode == 0, again.stderr
    assert "Safety backup" not in again.stdout and notes() == ["kept"]
    unknown = run("restore", "opsdesk-19990101T000000Z")
    assert unknown.returncode == 1 and "There is no backup named opsdesk-19990101T000000Z" in unknown.stderr
