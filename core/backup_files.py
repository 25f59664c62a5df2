"""The files of the backups: where they go, how their bytes are written (under a hidden partial name,
renamed only when complete, so a half-written backup never looks like one), their manifests, the
status file of failed attempts, the lock that lets one backup or restore run at a time, and the
retention policy.

A backup NAME is two files in the backup directory: the data (NAME.sqlite3, an SQLite database made
with the online backup API, or NAME.pgdump, pg_dump's custom format) and NAME.json, its manifest:
when it was taken (UTC), the engine, the size and SHA-256 of the data file, the row count and
checksum of every table at the moment of the backup, and whether restoring it into a scratch
database gave back exactly those figures (verified) with a line of detail.

Retention (OPSDESK_BACKUP_KEEP, "daily,weekly,monthly", default "7,4,12"): of the verified backups,
the newest of each of the 7 newest company days that have one, of each of the 4 newest ISO weeks and
of each of the 12 newest months are kept (as borg and restic count). The newest verified backup is
always kept. A backup whose verification failed is deleted once a newer verified one exists; a data
file without a manifest is never deleted automatically (`python -m core.backups verify NAME`).
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from core.clock import local
from core.config import Settings
from core.errors import OpsdeskError
from core.i18n import Message, msg

SUFFIXES = {".sqlite3": "sqlite", ".pgdump": "postgresql"}
PREFIX = "opsdesk-"
STATUS_FILE = "backup-status.json"
LOCK_FILE = ".backup.lock"
CHUNK = 1024 * 1024
FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
Figures = dict[str, dict[str, Any]]  # table -> {"rows": int, "checksum": str}


class BackupError(OpsdeskError):
    """A backup, verification or restore that could not be done; the message says why."""


class BackupBusy(BackupError):
    """Another backup or restore holds the lock: not a failed attempt."""


def directory(settings: Settings) -> Path:
    return settings.backup_dir if settings.backup_dir is not None else settings.data_dir / "backups"


def usable_directory(settings: Settings) -> Path:
    """The backup directory, ready to write in. The default one (data_dir/backups) is created; a
    configured one must exist: it is meant to be a mount, and creating it would put the backups on
    this machine's disk whenever the mount is missing."""
    where = directory(settings)
    if settings.backup_dir is None:
        try:
            where.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise BackupError(
                msg("The backup directory {path} cannot be created: {reason}", path=str(where), reason=reason(error))
            ) from error
    if not where.is_dir():
        raise BackupError(
            msg(
                "The backup directory {path} does not exist. Create it, or mount the backup share there "
                "(OPSDESK_BACKUP_DIR).",
                path=str(where),
            )
        )
    probe = where / f".write-test-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise BackupError(
            msg("The backup directory {path} is not writable: {reason}", path=str(where), reason=reason(error))
        ) from error
    return where


def reason(error: OSError) -> str:
    return error.strerror or str(error)


def disk_full(where: Path) -> BackupError:
    return BackupError(
        msg(
            "The disk holding {path} is full: the backup was not completed and its partial file was removed. "
            "Free some space there and try again.",
            path=str(where),
        )
    )


def write(out: Any, chunk: bytes) -> None:
    """The one place a backup's bytes reach the backup directory."""
    out.write(chunk)


def write_stream(chunks: Iterable[bytes], final: Path) -> tuple[int, str]:
    """Write `chunks` to FINAL's hidden partial name, fsync, and rename it to FINAL; returns the size
    and SHA-256. On any failure (the source's included) the partial file is removed."""
    partial = final.with_name(f".{final.name}.partial")
    digest, size = hashlib.sha256(), 0
    try:
        with partial.open("xb") as out:
            for chunk in chunks:
                write(out, chunk)
                digest.update(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, final)
        sync_directory(final.parent)
    except BaseException as error:
        partial.unlink(missing_ok=True)
        if isinstance(error, OSError) and error.errno in FULL:
            raise disk_full(final.parent) from error
        raise
    return size, digest.hexdigest()


def chunks_of(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        yield from iter(lambda: handle.read(CHUNK), b"")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    for chunk in chunks_of(path):
        digest.update(chunk)
    return digest.hexdigest()


def sync_directory(path: Path) -> None:
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass  # some network filesystems cannot sync a directory
    finally:
        os.close(handle)


def write_json(path: Path, content: dict[str, Any]) -> None:
    """Write a small JSON file atomically (a temporary name, then a rename)."""
    text = json.dumps(content, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    temporary = path.with_name(f".{path.name}.partial")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return content if isinstance(content, dict) else None


def data_files(where: Path) -> list[Path]:
    """The backups' data files in a directory (never the hidden partial ones)."""
    try:
        found = list(where.iterdir())
    except OSError:
        return []
    return [p for p in found if p.name.startswith(PREFIX) and p.suffix in SUFFIXES and p.is_file()]


def new_name(where: Path, moment: datetime, label: str = "") -> str:
    stamp = PREFIX + moment.strftime("%Y%m%dT%H%M%SZ") + (f"-{label}" if label else "")
    name, number = stamp, 1
    while any((where / f"{name}{ending}").exists() for ending in (*SUFFIXES, ".json")):
        number += 1
        name = f"{stamp}-{number}"
    return name


# --- failed attempts -------------------------------------------------------------------------------


def record_failure(settings: Settings, moment: datetime, message: Message) -> Path | None:
    """Keep the newest failed attempt in the backup directory's status file, or in data_dir's when the
    backup directory cannot be written; None if neither can."""
    content = {"failed_at": moment.isoformat(), "message": str(message)}
    for where in (directory(settings), settings.data_dir):
        try:
            if where == settings.data_dir:
                where.mkdir(parents=True, exist_ok=True)
            write_json(where / STATUS_FILE, content)
        except OSError:
            continue
        return where / STATUS_FILE
    return None


def recorded_failures(settings: Settings) -> list[tuple[datetime, str]]:
    found = []
    for where in {directory(settings), settings.data_dir}:
        content = read_json(where / STATUS_FILE)
        try:
            found.append((datetime.fromisoformat(content["failed_at"]), str(content["message"])))  # type: ignore[index]
        except (TypeError, KeyError, ValueError):
            continue
    return found


def clear_leftovers(settings: Settings) -> None:
    """Remove what a backup killed halfway left behind: partial files in the backup directory and
    scratch folders in data_dir. Called with the lock held, so none of them is in use."""
    for partial in directory(settings).glob(".*.partial"):
        partial.unlink(missing_ok=True)
    for scratch in settings.data_dir.glob(".backup-work-*"):
        shutil.rmtree(scratch, ignore_errors=True)


# --- one at a time ---------------------------------------------------------------------------------


@contextmanager
def exclusive(settings: Settings) -> Iterator[None]:
    """Hold the backup lock (a file in data_dir, on this machine) for a backup or a restore."""
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        handle = (settings.data_dir / LOCK_FILE).open("a")
    except OSError as error:
        raise BackupError(
            msg(
                "The data directory {path} is not writable: {reason}", path=str(settings.data_dir), reason=reason(error)
            )
        ) from error
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise BackupBusy(
                msg("A backup or restore is running right now; try again when it has finished.")
            ) from error
        yield


# --- retention -------------------------------------------------------------------------------------


def parse_keep(text: str) -> tuple[int, int, int]:
    """ "7,4,12" -> (7, 4, 12): daily, weekly and monthly backups kept."""
    parts = [part.strip() for part in text.split(",")]
    try:
        numbers = tuple(int(part) for part in parts)
    except ValueError:
        numbers = ()
    if len(numbers) != 3 or min(numbers) < 0:
        raise BackupError(
            msg(
                "OPSDESK_BACKUP_KEEP must be three whole numbers (daily, weekly and monthly backups kept), like "
                '"7,4,12"; it is "{value}".',
                value=text,
            )
        )
    return numbers  # type: ignore[return-value]


PERIODS: tuple[Callable[[datetime], object], ...] = (
    lambda moment: local(moment).date(),
    lambda moment: local(moment).isocalendar()[:2],
    lambda moment: (local(moment).year, local(moment).month),
)


def kept(moments: dict[str, datetime], policy: tuple[int, int, int]) -> set[str]:
    """Of verified backups (name -> when taken), the names the policy keeps; the newest always."""
    newest_first = sorted(moments, key=lambda name: moments[name], reverse=True)
    keep = set(newest_first[:1])
    for count, period in zip(policy, PERIODS, strict=True):
        seen: set[object] = set()
        for name in newest_first:
            key = period(moments[name])
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.add(key)
            keep.add(name)
    return keep


def to_delete(backups: list[Any], policy: tuple[int, int, int]) -> list[Any]:
    """Of the backups (BackupInfo), those the policy no longer keeps: verified ones outside it, and
    failed ones older than the newest verified one. Unverified ones (no manifest) stay."""
    verified = {info.name: info.taken_at for info in backups if info.verified}
    keep = kept(verified, policy)
    newest = max(verified.values(), default=None)
    return [
        info
        for info in backups
        if (info.verified and info.name not in keep)
        or (info.verified is False and newest is not None and info.taken_at < newest)
    ]


def differences(expected: Figures, found: Figures) -> list[str]:
    """What differs between the figures of the source and of a restored copy, one line per table."""
    lines = []
    for table in sorted(set(expected) | set(found)):
        want, got = expected.get(table), found.get(table)
        if want is None or got is None:
            lines.append(f"{table}: {'missing from the copy' if got is None else 'not in the source'}")
        elif want["rows"] != got["rows"]:
            lines.append(f"{table}: {want['rows']} rows at the backup, {got['rows']} restored")
        elif want["checksum"] != got["checksum"]:
            lines.append(f"{table}: same {want['rows']} rows but different content (checksum)")
    return lines
