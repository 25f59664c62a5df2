"""Full backups of the store, each verified by a restore, kept by a retention policy; and the restore.

    python -m core.backups backup           take a backup now and verify it
    python -m core.backups list             the backups, newest first, with their verification
    python -m core.backups verify NAME      restore NAME into a scratch database and compare again
    python -m core.backups restore NAME     bring NAME back as the live database (server stopped)

A backup is taken every day at OPSDESK_BACKUP_HOUR (company time) by the server's scheduler, from
the admin's Backups page, and from the command line. It goes to OPSDESK_BACKUP_DIR (default
data_dir/backups), which should be a mount off this machine. Each one is verified right after it
is written: restored into a scratch database, whose row counts and checksums per table must equal
those of the store at the backup's moment (the manifest NAME.json keeps both the figures and the
result). Then the backups the policy no longer keeps are deleted (core/backup_files.py). A failed
attempt is recorded with its time and reason in backup-status.json (in the backup directory, or in
data_dir when that cannot be written) and shown on the admin's pages.

A restore first verifies the chosen backup (a corrupt or truncated one is refused, the live
database untouched), refuses while another program (the server) has the database open, takes a
safety backup of the live database, then replaces it and checks the result against the manifest.
How each engine does it is in core/backup_engines.py; files, manifests and retention in
core/backup_files.py.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL

from core import backup_engines as engines
from core import backup_files as files
from core import db
from core.backup_files import BackupBusy, BackupError
from core.clock import utcnow
from core.config import Settings, get_settings
from core.i18n import msg

log = logging.getLogger("opsdesk.backups")
OVERDUE_AFTER = timedelta(hours=26)  # admins are warned when the newest verified backup is older
FRESH_AT_START = timedelta(hours=24)  # a server start backs up unless a verified backup is this young

ENGINES: dict[str, dict[str, Any]] = {
    "sqlite": {
        "suffix": ".sqlite3",
        "dump": engines.sqlite_dump,
        "scratch": engines.sqlite_scratch,
        "in_use": engines.sqlite_in_use,
        "restore": engines.sqlite_restore,
    },
    "postgresql": {
        "suffix": ".pgdump",
        "dump": engines.pg_dump,
        "scratch": engines.pg_scratch,
        "in_use": engines.pg_in_use,
        "restore": engines.pg_restore,
    },
}


@dataclass(frozen=True)
class BackupInfo:
    name: str
    path: Path
    taken_at: datetime  # UTC
    size_bytes: int
    engine: str  # "sqlite" or "postgresql"
    verified: bool | None  # None: no manifest (never verified)
    detail: str


@dataclass(frozen=True)
class BackupFailure:
    at: datetime
    message: str


@dataclass(frozen=True)
class BackupStatus:
    backups: list[BackupInfo]  # newest first
    newest_verified: BackupInfo | None
    failure: BackupFailure | None  # the newest failed attempt, if later than the newest verified backup
    overdue: bool  # no verified backup newer than 26 hours


def _url() -> URL:
    return db.get_engine().url


def _kind(url: URL) -> str:
    return "sqlite" if url.get_backend_name() == "sqlite" else "postgresql"


def _info(path: Path, manifest: dict[str, Any] | None) -> BackupInfo:
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    taken_at = None
    if manifest:
        try:
            taken_at = datetime.fromisoformat(manifest["taken_at"])
        except (KeyError, TypeError, ValueError):
            taken_at = None
    if taken_at is None:
        found = re.search(r"(\d{8}T\d{6}Z)", path.name)
        taken_at = datetime.strptime(found.group(1), "%Y%m%dT%H%M%S%z") if found else None
    verified = manifest.get("verified") if manifest else None
    return BackupInfo(
        name=path.stem,
        path=path,
        taken_at=taken_at or datetime.fromtimestamp(path.stat().st_mtime).astimezone(),
        size_bytes=size,
        engine=files.SUFFIXES[path.suffix],
        verified=verified if isinstance(verified, bool) else None,
        detail=str(manifest.get("detail", "")) if manifest else "No manifest: never verified.",
    )


def list_backups(settings: Settings | None = None) -> list[BackupInfo]:
    """The backups in the backup directory, newest first."""
    where = files.directory(settings or get_settings())
    found = [_info(path, files.read_json(path.with_suffix(".json"))) for path in files.data_files(where)]
    return sorted(found, key=lambda info: (info.taken_at, info.name), reverse=True)


def status(now: datetime | None = None, settings: Settings | None = None) -> BackupStatus:
    """The backups, the newest verified one, the newest failed attempt if it came after it, and
    whether the newest verified backup is older than 26 hours."""
    settings = settings or get_settings()
    now = now or utcnow()
    backups = list_backups(settings)
    newest = next((info for info in backups if info.verified), None)
    failures = sorted(files.recorded_failures(settings), reverse=True)
    failure = None
    if failures and (newest is None or failures[0][0] > newest.taken_at):
        failure = BackupFailure(at=failures[0][0], message=failures[0][1])
    overdue = newest is None or now - newest.taken_at > OVERDUE_AFTER
    return BackupStatus(backups=backups, newest_verified=newest, failure=failure, overdue=overdue)


def _check(kind: str, url: URL, path: Path, manifest: dict[str, Any] | None, work: Path) -> tuple[bool, str]:
    """Verify a backup file: its SHA-256, then a restore into a scratch database compared with the
    figures of the moment of the backup. Returns (verified, detail)."""
    if manifest and manifest.get("sha256") and files.sha256_of(path) != manifest["sha256"]:
        return False, "The file is not the one written at the backup (SHA-256 differs): it is truncated or damaged."
    try:
        restored = ENGINES[kind]["scratch"](url, path, work)
    except BackupError as error:
        return False, f"Restoring it into a scratch database failed: {error.message}"
    except Exception as error:  # a driver's or the tool's error: the file cannot be trusted
        return False, f"Restoring it into a scratch database failed: {type(error).__name__}: {error}"
    rows = sum(table["rows"] for table in restored.values())
    if not manifest or "tables" not in manifest:
        return True, f"Restored into a scratch database: {len(restored)} tables, {rows:,} rows (no figures to compare)."
    problems = files.differences(manifest["tables"], restored)
    if problems:
        return False, "The restored copy differs from the database at the backup: " + "; ".join(problems[:5])
    return True, f"Restored into a scratch database: {len(restored)} tables, {rows:,} rows; counts and checksums match."


def _take(settings: Settings, started: datetime, label: str = "") -> BackupInfo:
    where = files.usable_directory(settings)
    files.clear_leftovers(settings)
    url = _url()
    kind = _kind(url)
    name = files.new_name(where, started, label)
    final = where / f"{name}{ENGINES[kind]['suffix']}"
    with engines.scratch_dir(settings.data_dir) as work:
        figures, size, digest = ENGINES[kind]["dump"](url, final, Path(work))
        manifest: dict[str, Any] = {
            "name": name,
            "file": final.name,
            "taken_at": started.isoformat(),
            "engine": kind,
            "size_bytes": size,
            "sha256": digest,
            "tables": figures,
        }
        manifest["verified"], manifest["detail"] = _check(kind, url, final, manifest, Path(work))
    manifest["verified_at"] = utcnow().isoformat()
    files.write_json(where / f"{name}.json", manifest)
    return _info(final, manifest)


def _failure(error: BaseException, settings: Settings) -> BackupError:
    if isinstance(error, BackupError):
        return error
    if isinstance(error, OSError):
        return engines.os_failure(error, files.directory(settings))
    if isinstance(error, engines.psycopg.Error):
        return engines.pg_failure(error)
    return BackupError(msg("The backup failed: {reason}", reason=f"{type(error).__name__}: {error}"))


def _prune(settings: Settings) -> list[str]:
    """Delete the backups the retention policy no longer keeps; returns their names."""
    doomed = files.to_delete(list_backups(settings), files.parse_keep(settings.backup_keep))
    for info in doomed:
        info.path.unlink(missing_ok=True)
        info.path.with_suffix(".json").unlink(missing_ok=True)
    return [info.name for info in doomed]


def take_backup(settings: Settings | None = None) -> BackupInfo:
    """Take a full backup of the store, verify it, and apply the retention policy. A failure is
    recorded (status file) and raised as a BackupError with a message for the admin."""
    settings = settings or get_settings()
    started = utcnow()
    try:
        files.parse_keep(settings.backup_keep)
        with files.exclusive(settings):
            info = _take(settings, started)
            if not info.verified:
                raise BackupError(
                    msg(
                        "Backup {name} was written but did not pass its verification: {detail}",
                        name=info.name,
                        detail=info.detail,
                    )
                )
            try:
                _prune(settings)
            except (OSError, BackupError):  # the backup itself is good; the next one prunes again
                log.exception("backups the retention policy no longer keeps could not be deleted")
            return info
    except BackupBusy:
        raise
    except Exception as error:
        failed = _failure(error, settings)
        files.record_failure(settings, started, failed.message)
        raise failed from error


def backup_if_due(*, at_start: bool, settings: Settings | None = None) -> BackupInfo | None:
    """The scheduler's daily backup. At a server start it is skipped when a verified backup is
    younger than a day (restarts do not pile up backups); at the daily hour it always runs."""
    settings = settings or get_settings()
    newest = status(settings=settings).newest_verified
    if at_start and newest is not None and utcnow() - newest.taken_at < FRESH_AT_START:
        return None
    return take_backup(settings)


def _find(name: str, settings: Settings) -> tuple[Path, dict[str, Any] | None]:
    where = files.directory(settings)
    if re.fullmatch(r"[A-Za-z0-9._-]+", name or ""):
        for path in files.data_files(where):
            if name in (path.name, path.stem):
                return path, files.read_json(path.with_suffix(".json"))
    raise BackupError(
        msg(
            "There is no backup named {name} in {path} (python -m core.backups list shows them).",
            name=name,
            path=str(where),
        )
    )


def verify_backup(name: str, settings: Settings | None = None) -> BackupInfo:
    """Verify a backup again (its file may have been damaged since); the manifest keeps the result."""
    settings = settings or get_settings()
    with files.exclusive(settings):
        return _reverify(name, settings)


def _reverify(name: str, settings: Settings) -> BackupInfo:
    path, manifest = _find(name, settings)
    kind = files.SUFFIXES[path.suffix]
    with engines.scratch_dir(settings.data_dir) as work:
        verified, detail = _check(kind, _url(), path, manifest, Path(work))
    if manifest is None:
        return BackupInfo(path.stem, path, _info(path, None).taken_at, path.stat().st_size, kind, verified, detail)
    manifest.update(verified=verified, detail=detail, verified_at=utcnow().isoformat())
    with contextlib.suppress(OSError):  # a read-only backup directory: the result is still returned
        files.write_json(path.with_suffix(".json"), manifest)
    return _info(path, manifest)


def restore_backup(name: str, settings: Settings | None = None, *, safety_backup: bool = True) -> dict[str, Any]:
    """Bring backup NAME back as the live database. Refused, with the live database untouched, when
    the backup does not verify, is of the other engine, or another program has the database open.
    Returns {"restored": BackupInfo, "safety": BackupInfo | None}."""
    settings = settings or get_settings()
    try:
        with files.exclusive(settings):
            return _restore(name, settings, safety_backup)
    except BackupError:
        raise
    except Exception as error:
        raise _failure(error, settings) from error


def _restore(name: str, settings: Settings, safety_backup: bool) -> dict[str, Any]:
    url = _url()
    kind = _kind(url)
    path, _manifest = _find(name, settings)
    if files.SUFFIXES[path.suffix] != kind:
        raise BackupError(
            msg(
                "Backup {name} is of a {engine} database; the configured database is {current}. Nothing was changed.",
                name=name,
                engine=files.SUFFIXES[path.suffix],
                current=kind,
            )
        )
    chosen = _reverify(name, settings)
    if not chosen.verified:
        raise BackupError(
            msg(
                "Backup {name} cannot be restored: {detail} The live database was not touched.",
                name=name,
                detail=chosen.detail,
            )
        )
    db.get_engine().dispose()  # this process's own idle connections are not "another program"
    if ENGINES[kind]["in_use"](url):
        raise BackupError(
            msg(
                "The database is in use by another program, probably the Opsdesk server. Stop the server "
                "(make run) first, then run the restore again. Nothing was changed."
            )
        )
    safety = None
    if safety_backup and (kind != "sqlite" or engines.sqlite_exists(url)):  # a lost SQLite file has nothing to save
        safety = _take(settings, utcnow(), "before-restore")
        if not safety.verified:
            raise BackupError(
                msg(
                    "The safety backup of the live database did not pass its verification ({detail}), so "
                    "nothing was restored. Add --no-safety-backup to restore anyway.",
                    detail=safety.detail,
                )
            )
    _path, manifest = _find(name, settings)
    with engines.scratch_dir(settings.data_dir) as work:
        restored = ENGINES[kind]["restore"](url, path, Path(work))
    problems = files.differences(manifest["tables"], restored) if manifest and "tables" in manifest else []
    if problems:
        raise BackupError(
            msg("The restored database differs from backup {name}: {detail}", name=name, detail="; ".join(problems))
        )
    return {"restored": chosen, "safety": safety}


def _describe(info: BackupInfo) -> str:
    mark = {True: "verified", False: "FAILED", None: "unverified"}[info.verified]
    return f"{info.name}  {info.taken_at:%Y-%m-%d %H:%M} UTC  {info.size_bytes:,} bytes  {mark}  {info.detail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.backups", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("backup", help="take a backup now and verify it")
    commands.add_parser("list", help="the backups, newest first")
    verify = commands.add_parser("verify", help="restore a backup into a scratch database and compare")
    verify.add_argument("name")
    restore = commands.add_parser("restore", help="bring a backup back as the live database (stop the server first)")
    restore.add_argument("name")
    restore.add_argument("--no-safety-backup", action="store_true", help="do not back up the live database first")
    arguments = parser.parse_args(argv)
    settings = get_settings()
    try:
        if arguments.command == "backup":
            print(_describe(take_backup(settings)))
        elif arguments.command == "list":
            current = status(settings=settings)
            print(f"Backups in {files.directory(settings)} (keep daily,weekly,monthly: {settings.backup_keep})")
            for info in current.backups:
                print(_describe(info))
            if current.failure:
                print(f"Last attempt FAILED at {current.failure.at:%Y-%m-%d %H:%M} UTC: {current.failure.message}")
            if current.overdue:
                print("WARNING: no verified backup in the last 26 hours.")
        elif arguments.command == "verify":
            info = verify_backup(arguments.name, settings)
            print(_describe(info))
            return 0 if info.verified else 1
        else:
            done = restore_backup(arguments.name, settings, safety_backup=not arguments.no_safety_backup)
            if done["safety"] is not None:
                print(f"Safety backup of the database as it was: {done['safety'].name}")
            print(f"Restored {done['restored'].name} ({done['restored'].detail})")
    except BackupError as error:
        print(f"Error: {error.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
