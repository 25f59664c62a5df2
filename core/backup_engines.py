"""How each database is backed up, restored into a scratch database and restored for good.

SQLite: the online backup API (`sqlite3.Connection.backup`, one step, so the copy is one consistent
moment even while the server writes; WAL mode lets writers go on) from a raw connection to the
store's file into a local scratch file; the figures are computed on that file right away; then its
bytes are streamed to the backup directory (often a network mount, where SQLite's locking cannot be
trusted). A restore copies back with the same API, into the live file only when no other program
has it open.

PostgreSQL: a REPEATABLE READ transaction exports its snapshot (`pg_export_snapshot()`), computes
the figures in it and hands it to `pg_dump --snapshot` (custom format, streamed to the backup
directory), so both see the same moment. Verification restores with pg_restore into a scratch
database, created and dropped; a restore for good goes into a fresh database that then takes the
live one's name (the old one is dropped once the new one is checked).

Figures: per table, its row count and a checksum that does not depend on row order (the sum of
the first 60 bits of each row's hash), computed the same way on the source and on the copy.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL

from core.backup_files import FULL, BackupError, Figures, chunks_of, disk_full, reason, write_stream
from core.i18n import msg

SQLITE_FULL = 13


# --- SQLite ----------------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError(msg("An in-memory SQLite database cannot be backed up."))
    return Path(url.database)


def _open_live(path: Path, timeout: float = 30.0) -> sqlite3.Connection:
    if not path.is_file():
        raise BackupError(msg("The database file {path} does not exist.", path=str(path)))
    return sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=timeout, isolation_level=None)


def _open_backup(path: Path) -> sqlite3.Connection:
    """A backup file, read-only and without locks (it never changes once written)."""
    return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, isolation_level=None)


def sqlite_figures(connection: sqlite3.Connection) -> Figures:
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    figures: Figures = {}
    for table in tables:
        rows, total = 0, 0
        quoted = '"' + table.replace('"', '""') + '"'
        for row in connection.execute(f"SELECT * FROM {quoted}"):  # a table name from the schema, quoted
            rows += 1
            total += int.from_bytes(hashlib.sha256(repr(row).encode()).digest()[:8], "big") >> 4
        figures[table] = {"rows": rows, "checksum": format(total, "x")}
    return figures


def _sqlite_failure(error: sqlite3.Error, where: Path) -> BackupError:
    if getattr(error, "sqlite_errorcode", None) == SQLITE_FULL:
        return disk_full(where)
    return BackupError(msg("SQLite refused: {reason}", reason=str(error)))


def _integrity(connection: sqlite3.Connection) -> None:
    problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    if problems != ["ok"]:
        raise BackupError(msg("The copy fails SQLite's integrity check: {reason}", reason="; ".join(problems[:3])))


def sqlite_dump(url: URL, final: Path, work: Path) -> tuple[Figures, int, str]:
    """Back the store up into FINAL; returns the figures at the backup's moment, size and SHA-256."""
    staging = work / "snapshot.sqlite3"
    try:
        with closing(_open_live(_sqlite_path(url))) as source, closing(sqlite3.connect(staging)) as target:
            source.backup(target)
            figures = sqlite_figures(target)
    except sqlite3.Error as error:
        raise _sqlite_failure(error, work) from error
    try:
        size, digest = write_stream(chunks_of(staging), final)
    finally:
        staging.unlink(missing_ok=True)
    return figures, size, digest


def sqlite_scratch(_url: URL, backup: Path, work: Path) -> Figures:
    """Restore a backup file into a scratch database and return its figures (integrity checked)."""
    scratch = work / "scratch.sqlite3"
    try:
        with closing(_open_backup(backup)) as source, closing(sqlite3.connect(scratch)) as target:
            source.backup(target)
            _integrity(target)
            return sqlite_figures(target)
    except sqlite3.DatabaseError as error:
        if getattr(error, "sqlite_errorcode", None) == SQLITE_FULL:
            raise disk_full(work) from error
        raise BackupError(msg("It is not a readable SQLite database: {reason}", reason=str(error))) from error
    finally:
        scratch.unlink(missing_ok=True)


def sqlite_exists(url: URL) -> bool:
    return _sqlite_path(url).is_file()


def sqlite_in_use(url: URL) -> bool:
    """Whether another connection (the server's) has the store open: leaving WAL mode needs none."""
    path = _sqlite_path(url)
    if not path.exists():
        return False
    try:
        with closing(_open_live(path, timeout=0)) as live:
            mode = live.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
            if mode.lower() != "delete":
                return True
            live.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            return True
        raise
    return False


def sqlite_restore(url: URL, backup: Path, work: Path) -> Figures:
    """Replace the live store's content with the backup's (the caller has verified it and checked
    that nobody else has the store open); returns the restored store's figures."""
    path = _sqlite_path(url)
    if not path.exists():  # the store was lost altogether: the restore makes it anew
        path.parent.mkdir(parents=True, exist_ok=True)
        sqlite3.connect(path).close()
    try:
        with closing(_open_live(path, timeout=0)) as live, closing(_open_backup(backup)) as source:
            if live.execute("PRAGMA journal_mode=DELETE").fetchone()[0].lower() != "delete":
                raise BackupError(msg("Another program opened the database; stop the Opsdesk server first."))
            live.execute("PRAGMA locking_mode=EXCLUSIVE")  # nobody gets in until it is done
            source.backup(live)
            _integrity(live)
            figures = sqlite_figures(live)
            live.execute("PRAGMA locking_mode=NORMAL")
            live.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as error:
        raise _sqlite_failure(error, path.parent) from error
    return figures


# --- PostgreSQL ------------------------------------------------------------------------------------


def _conninfo(url: URL, database: str | None = None) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password, and the environment carrying it (never on a command line)."""
    plain = url.set(drivername="postgresql", password=None, database=database or url.database)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return plain.render_as_string(hide_password=False), env


def _connect(url: URL, database: str | None = None, **options: Any) -> psycopg.Connection[Any]:
    conninfo, env = _conninfo(url, database)
    return psycopg.connect(conninfo, password=env.get("PGPASSWORD"), **options)


def _server_major(connection: psycopg.Connection[Any]) -> int:
    return int(connection.execute("SHOW server_version_num").fetchone()[0]) // 10000  # type: ignore[index]


def pg_tool(name: str, major: int) -> str:
    """pg_dump or pg_restore of the server's major version (Debian keeps each in its own folder),
    else the one on PATH if it is at least as new."""
    for candidate in (f"/usr/lib/postgresql/{major}/bin/{name}", shutil.which(name)):
        if not candidate or not os.access(candidate, os.X_OK):
            continue
        found = subprocess.run([candidate, "--version"], capture_output=True, text=True, check=False).stdout
        version = re.search(r"(\d+)(?:\.\d+)?", found)
        if version and int(version.group(1)) >= major:
            return candidate
    raise BackupError(
        msg(
            "{tool} for PostgreSQL {major} is not installed (apt install postgresql-client-{major}).",
            tool=name,
            major=major,
        )
    )


def pg_figures(connection: psycopg.Connection[Any]) -> Figures:
    for setting in ("TimeZone = 'UTC'", "DateStyle = 'ISO, YMD'", "extra_float_digits = 3", "bytea_output = 'hex'"):
        connection.execute(f"SET LOCAL {setting}" if not connection.autocommit else f"SET {setting}")
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
    ]
    figures: Figures = {}
    for table in tables:
        query = sql.SQL(
            "SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint), 0)::numeric "
            "FROM {} AS t"
        ).format(sql.Identifier(table))
        rows, total = connection.execute(query).fetchone()  # type: ignore[misc]
        figures[table] = {"rows": int(rows), "checksum": format(int(total), "x")}
    return figures


def _run_restore(url: URL, database: str, backup: Path, *extra: str) -> None:
    with closing(_connect(url, autocommit=True)) as connection:
        tool = pg_tool("pg_restore", _server_major(connection))
    conninfo, env = _conninfo(url, database)
    done = subprocess.run(
        [tool, "--exit-on-error", "--no-owner", *extra, f"--dbname={conninfo}", str(backup)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise BackupError(msg("pg_restore refused it: {reason}", reason=" ".join(lines[-2:]) or done.returncode))


def pg_dump(url: URL, final: Path, work: Path) -> tuple[Figures, int, str]:
    with closing(_connect(url)) as connection:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        tool = pg_tool("pg_dump", _server_major(connection))
        snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        figures = pg_figures(connection)
        conninfo, env = _conninfo(url)
        with (work / "pg_dump.err").open("w+") as errors:
            process = subprocess.Popen(
                [tool, "--format=custom", f"--snapshot={snapshot}", f"--dbname={conninfo}"],
                stdout=subprocess.PIPE,
                stderr=errors,
                env=env,
            )

            def output() -> Any:
                assert process.stdout is not None
                yield from iter(lambda: process.stdout.read(1024 * 1024), b"")  # type: ignore[union-attr]
                if process.wait() != 0:
                    errors.seek(0)
                    lines = [line for line in errors.read().splitlines() if line.strip()]
                    raise BackupError(
                        msg("pg_dump failed: {reason}", reason=" ".join(lines[-2:]) or process.returncode)
                    )

            try:
                size, digest = write_stream(output(), final)
            finally:
                if process.poll() is None:
                    process.kill()
                process.wait()
        connection.rollback()
    return figures, size, digest


def _drop(url: URL, database: str) -> None:
    with closing(_connect(url, autocommit=True)) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))


def _create(url: URL, database: str) -> None:
    try:
        with closing(_connect(url, autocommit=True)) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    except psycopg.Error as error:
        raise BackupError(
            msg("A scratch database cannot be created (the database user needs CREATEDB): {reason}", reason=str(error))
        ) from error


def pg_scratch(url: URL, backup: Path, work: Path) -> Figures:
    scratch = f"opsdesk_verify_{uuid.uuid4().hex[:12]}"
    _create(url, scratch)
    try:
        _run_restore(url, scratch, backup, "--no-privileges")
        with closing(_connect(url, scratch, autocommit=True)) as connection:
            return pg_figures(connection)
    finally:
        _drop(url, scratch)


def pg_in_use(url: URL) -> bool:
    with closing(_connect(url, autocommit=True)) as connection:
        others = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        ).fetchone()[0]  # type: ignore[index]
    return bool(others)


def pg_restore(url: URL, backup: Path, work: Path) -> Figures:
    """Restore into a fresh database, check it, then give it the live database's name."""
    live = str(url.database)
    fresh, old = f"{live}_restoring_{uuid.uuid4().hex[:8]}", f"{live}_replaced_{uuid.uuid4().hex[:8]}"
    _create(url, fresh)
    try:
        _run_restore(url, fresh, backup)
        with closing(_connect(url, fresh, autocommit=True)) as connection:
            figures = pg_figures(connection)
        with closing(_maintenance(url)) as connection:
            for was, becomes in ((live, old), (fresh, live)):
                connection.execute(
                    sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(was), sql.Identifier(becomes))
                )
    except BaseException:
        _drop(url, fresh)
        raise
    _drop(url.set(database=live), old)
    return figures


def _maintenance(url: URL) -> psycopg.Connection[Any]:
    """A connection to another database of the server, to rename the live one."""
    for database in ("postgres", "template1"):
        try:
            return _connect(url, database, autocommit=True)
        except psycopg.OperationalError:
            continue
    raise BackupError(msg("Neither the postgres nor the template1 database of the server can be reached."))


def pg_failure(error: psycopg.Error) -> BackupError:
    return BackupError(msg("PostgreSQL refused: {reason}", reason=str(error).strip().splitlines()[0]))


def os_failure(error: OSError, where: Path) -> BackupError:
    if error.errno in FULL:
        return disk_full(where)
    return BackupError(
        msg("The backup could not be written to {path}: {reason}", path=str(where), reason=reason(error))
    )


def scratch_dir(data_dir: Path) -> tempfile.TemporaryDirectory[str]:
    data_dir.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix=".backup-work-", dir=data_dir)
