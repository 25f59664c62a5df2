"""Settings: environment first, then secrets.toml, then defaults; and the cookie key."""

from __future__ import annotations

import stat
from dataclasses import replace
from pathlib import Path

import pytest

from core.config import cookie_key, load_settings, normalise_database_url


@pytest.fixture
def secrets_file(tmp_path: Path) -> Path:
    path = tmp_path / "secrets.toml"
    path.write_text(
        'OPSDESK_COMPANY_NAME = "Secret Cleaning Co"\n'
        'OPSDESK_LANGUAGE = "en"\n'
        "OPSDESK_BCRYPT_ROUNDS = 10\n"
        "OPSDESK_DEMO = false\n"
        'DATABASE_URL = "postgres://opsdesk:pw@db.example.com:5432/opsdesk"\n',
        encoding="utf-8",
    )
    return path


def test_without_environment_or_secrets_the_defaults_apply(tmp_path):
    settings = load_settings(environ={}, secrets_file=tmp_path / "missing.toml")
    assert settings.language == "zh"
    assert settings.bcrypt_rounds == 12
    assert settings.lockout_attempts == 5
    assert settings.lockout_minutes == 15
    assert settings.currency == "CNY"
    assert settings.timezone == "Asia/Shanghai"
    assert settings.demo is True
    assert settings.cookie_key == ""
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("opsdesk.db")


def test_secrets_override_the_defaults(secrets_file):
    settings = load_settings(environ={}, secrets_file=secrets_file)
    assert settings.company_name == "Secret Cleaning Co"
    assert settings.language == "en"
    assert settings.bcrypt_rounds == 10
    assert settings.demo is False


def test_the_environment_overrides_the_secrets(secrets_file):
    environ = {"OPSDESK_COMPANY_NAME": "Env Cleaning Co", "OPSDESK_BCRYPT_ROUNDS": "11", "OPSDESK_DEMO": "yes"}
    settings = load_settings(environ=environ, secrets_file=secrets_file)
    assert settings.company_name == "Env Cleaning Co"
    assert settings.bcrypt_rounds == 11
    assert settings.demo is True
    assert settings.language == "en"  # not in the environment: still from the secrets


def test_an_empty_environment_variable_does_not_hide_the_secret(secrets_file):
    settings = load_settings(environ={"OPSDESK_COMPANY_NAME": ""}, secrets_file=secrets_file)
    assert settings.company_name == "Secret Cleaning Co"


def test_the_data_directory_moves_the_default_database(tmp_path):
    settings = load_settings(environ={"OPSDESK_DATA_DIR": str(tmp_path / "store")}, secrets_file=tmp_path / "none.toml")
    assert settings.data_dir == tmp_path / "store"
    assert settings.database_url == f"sqlite:///{tmp_path / 'store' / 'opsdesk.db'}"


def test_a_postgres_url_from_the_secrets_uses_the_psycopg_driver(secrets_file):
    settings = load_settings(environ={}, secrets_file=secrets_file)
    assert settings.database_url == "postgresql+psycopg://opsdesk:pw@db.example.com:5432/opsdesk"


def test_a_postgresql_url_from_the_environment_uses_the_psycopg_driver(secrets_file):
    settings = load_settings(environ={"DATABASE_URL": "postgresql://u@localhost/ops"}, secrets_file=secrets_file)
    assert settings.database_url == "postgresql+psycopg://u@localhost/ops"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgresql://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgresql+psycopg://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("sqlite:///data/opsdesk.db", "sqlite:///data/opsdesk.db"),
    ],
)
def test_database_urls_are_normalised(url, expected):
    assert normalise_database_url(url) == expected


# --- the cookie key --------------------------------------------------------------------------------


def test_a_cookie_key_is_generated_once_into_the_data_directory(test_settings, tmp_path):
    settings = replace(test_settings, cookie_key="", data_dir=tmp_path / "fresh" / "data")
    first = cookie_key(settings)
    key_file = settings.data_dir / "cookie_key"
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert cookie_key(settings) == first
    assert cookie_key(replace(settings)) == first  # a restart reads the same file


def test_a_generated_cookie_key_is_long_random_and_never_the_librarys_default(test_settings, tmp_path):
    first = cookie_key(replace(test_settings, cookie_key="", data_dir=tmp_path / "one"))
    second = cookie_key(replace(test_settings, cookie_key="", data_dir=tmp_path / "two"))
    assert first != "some_key"
    assert len(first) >= 32
    assert first != second


def test_a_cookie_key_in_the_settings_wins_and_writes_no_file(test_settings, tmp_path):
    settings = replace(test_settings, cookie_key="from-secrets-0123456789abcdef0123", data_dir=tmp_path)
    assert cookie_key(settings) == "from-secrets-0123456789abcdef0123"
    assert not (tmp_path / "cookie_key").exists()


def test_the_cookie_key_setting_is_read_from_the_environment(tmp_path):
    settings = load_settings(
        environ={"OPSDESK_COOKIE_KEY": "env-key-0123456789abcdef0123456789"}, secrets_file=tmp_path / "none.toml"
    )
    assert cookie_key(settings) == "env-key-0123456789abcdef0123456789"


def test_the_tests_use_their_own_cookie_key(test_settings):
    assert cookie_key() == test_settings.cookie_key
