"""ui/serve.py turns OPSDESK_TLS_CERT and OPSDESK_TLS_KEY into Streamlit's options, and refuses
a half or broken pair with what is wrong before the server starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import load_settings
from tests.certificates import self_signed
from ui.serve import tls_options


def settings(tmp_path: Path, cert: object = "", key: object = ""):
    return load_settings(
        {"OPSDESK_DATA_DIR": str(tmp_path), "OPSDESK_TLS_CERT": str(cert), "OPSDESK_TLS_KEY": str(key)},
        secrets_file=tmp_path / "no-secrets.toml",
    )


def test_without_a_certificate_the_server_speaks_plain_http(tmp_path):
    assert tls_options(settings(tmp_path)) == []


def test_a_certificate_and_its_key_become_streamlits_options(tmp_path):
    cert, key = self_signed(tmp_path)
    assert tls_options(settings(tmp_path, cert, key)) == [
        "--server.sslCertFile",
        str(cert),
        "--server.sslKeyFile",
        str(key),
    ]


def test_half_a_pair_is_refused(tmp_path):
    cert, key = self_signed(tmp_path)
    for half in (settings(tmp_path, cert=cert), settings(tmp_path, key=key)):
        with pytest.raises(SystemExit, match="OPSDESK_TLS_CERT and OPSDESK_TLS_KEY go together"):
            tls_options(half)


def test_a_missing_file_is_named(tmp_path):
    cert, _key = self_signed(tmp_path)
    with pytest.raises(SystemExit, match=r"OPSDESK_TLS_KEY: .*missing\.key is not a file"):
        tls_options(settings(tmp_path, cert, tmp_path / "missing.key"))


def test_a_key_of_another_certificate_is_refused(tmp_path):
    cert, _key = self_signed(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    _other_cert, other_key = self_signed(other)
    with pytest.raises(SystemExit, match="are not a PEM certificate and its private key"):
        tls_options(settings(tmp_path, cert, other_key))
    with pytest.raises(SystemExit, match="are not a PEM certificate and its private key"):
        tls_options(settings(tmp_path, other_key, cert))  # swapped
