"""Opsdesk served over HTTPS by Streamlit itself (OPSDESK_TLS_CERT, OPSDESK_TLS_KEY), with a
self-signed certificate made for the test: https answers with that certificate, plain http on the
same port does not, and a login over it sets a Secure cookie."""

from __future__ import annotations

import http.client
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.certificates import self_signed
from tests.e2e.browser_support import DESK, log_in
from tests.e2e.conftest import running_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def https_server(server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    data = tmp_path_factory.mktemp("e2e-https")
    cert_file, key_file = self_signed(data)
    env = {
        **server_env,
        "OPSDESK_DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'opsdesk.db'}",
        "OPSDESK_SCHEDULER": "0",
        "OPSDESK_TLS_CERT": str(cert_file),
        "OPSDESK_TLS_KEY": str(key_file),
    }
    with running_server(env, data / "server.log", scheme="https") as base:
        yield {"base": base, "cert": cert_file}


def test_https_serves_the_app_with_its_certificate_and_plain_http_on_that_port_does_not(https_server):
    base = https_server["base"]
    assert base.startswith("https://")
    trusting_ours = ssl.create_default_context(cafile=str(https_server["cert"]))  # verified, not merely accepted
    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=10, context=trusting_ours) as answer:
        assert answer.status == 200
        assert answer.read() == b"ok"
    with urllib.request.urlopen(f"{base}/", timeout=10, context=trusting_ours) as answer:
        assert answer.status == 200
        assert b'<div id="root">' in answer.read()

    with pytest.raises(urllib.error.URLError) as untrusted:  # the certificate is the one made here
        urllib.request.urlopen(f"{base}/_stcore/health", timeout=10, context=ssl.create_default_context())
    assert isinstance(untrusted.value.reason, ssl.SSLCertVerificationError)

    plain = base.replace("https://", "http://", 1)
    with pytest.raises((OSError, http.client.HTTPException)):  # the TLS handshake fails: no answer at all
        urllib.request.urlopen(f"{plain}/_stcore/health", timeout=10).read()


def test_a_login_over_https_sets_a_secure_cookie(https_server, browser: Browser):
    context = browser.new_context(viewport=DESK, ignore_https_errors=True)
    try:
        page = context.new_page()
        log_in(page, https_server["base"], "manager", "manager-demo")
        expect(page.get_by_test_id("stSidebar")).to_be_visible()
        cookie = next(cookie for cookie in context.cookies() if cookie["name"] == "opsdesk_session")
        assert cookie["secure"] is True
        assert cookie["sameSite"] == "Strict"
    finally:
        context.close()


def test_a_login_over_plain_http_sets_a_cookie_that_is_not_secure(server, browser: Browser):
    """The other side of the same switch: on http the cookie cannot be Secure (it would be dropped)."""
    context = browser.new_context(viewport=DESK)
    try:
        page = context.new_page()
        log_in(page, server, "analyst", "analyst-demo")
        cookie = next(cookie for cookie in context.cookies() if cookie["name"] == "opsdesk_session")
        assert cookie["secure"] is False
    finally:
        context.close()
