"""A real Opsdesk server on a free port, with its own demo database, and Debian's chromium.

Without /usr/bin/chromium these tests are skipped with the reason shown, except
under CI=true, where its absence is a failure.
"""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from core import db
from core.config import ROOT, get_settings, override_settings

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() == "true"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def server_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment the server runs with: its own data directory and demo database."""
    data: Path = tmp_path_factory.mktemp("e2e-data")
    return {
        **os.environ,
        "OPSDESK_DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'opsdesk.db'}",
        "OPSDESK_DEMO": "1",
        "OPSDESK_BCRYPT_ROUNDS": "4",
        "OPSDESK_LANGUAGE": "en",
    }


SERVER_LOG: list[Path] = []  # the running server's log, shown under a failed browser test


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call" and report.failed and SERVER_LOG and SERVER_LOG[0].exists():
        tail = SERVER_LOG[0].read_text(encoding="utf-8", errors="replace")[-8000:]
        report.sections.append(("the server's log (last 8,000 characters)", tail))


@contextmanager
def running_server(env: dict[str, str], log_path: Path, *, scheme: str = "http") -> Iterator[str]:
    """Migrate (and seed) the database of `env`, start `python -m ui.serve` on a free port and yield
    its address once it answers; `scheme="https"` when `env` gives it a certificate (any certificate
    is accepted while waiting: the tests make their own)."""
    subprocess.run([sys.executable, "-m", "core.bootstrap"], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "ui.serve", "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"{scheme}://127.0.0.1:{port}"
    unverified = ssl._create_unverified_context() if scheme == "https" else None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2, context=unverified) as answer:
                if answer.status == 200:
                    break
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail(f"the server did not start; see {log_path}")
    if process.poll() is not None:
        pytest.fail(f"the server stopped at its start; see {log_path}")
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture(scope="session")
def server(server_env: dict[str, str]) -> Iterator[str]:
    data = Path(server_env["OPSDESK_DATA_DIR"])
    SERVER_LOG[:] = [data / "server.log"]
    with running_server(server_env, data / "server.log") as base:
        yield base


@pytest.fixture
def server_database(server: str, server_env: dict[str, str]) -> Iterator[str]:
    """The running server's database as this process's store, so a test can seed what it
    needs through core services before driving the browser. Yields its URL."""
    engine = db.make_engine(server_env["DATABASE_URL"])
    db.use_engine(engine)
    # The server's data directory too: its key file encrypts the contacts this process writes.
    own_data_dir = get_settings().data_dir
    override_settings(data_dir=Path(server_env["OPSDESK_DATA_DIR"]))
    yield server_env["DATABASE_URL"]
    override_settings(data_dir=own_data_dir)
    db.use_engine(None)
    engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if IN_CI:
            pytest.fail(f"{reason}; CI=true requires the browser tests")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()
