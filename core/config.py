"""Settings: environment variables first, then `.streamlit/secrets.toml`, then defaults.

Every setting has one name, used both as the environment variable and as the
top-level key in secrets.toml, so the README can document a single table.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRETS_FILE = ROOT / ".streamlit" / "secrets.toml"


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    demo: bool = True
    admin_username: str = ""
    admin_password: str = ""
    admin_name: str = ""
    cookie_key: str = ""
    cookie_name: str = "opsdesk_session"
    session_days: float = 7.0
    bcrypt_rounds: int = 12
    lockout_attempts: int = 5
    lockout_minutes: int = 15
    language: str = "zh"
    locale: str = "zh_CN"
    currency: str = "CNY"
    timezone: str = "Asia/Shanghai"
    company_name: str = "Opsdesk"
    import_max_rows: int = 100_000
    tax_rate: Decimal = Decimal("0.06")
    payment_terms_days: int = 7
    contract_horizon_days: int = 56
    max_weekly_hours: Decimal = Decimal(48)  # rostered hours per person per week (Monday to Sunday)
    daily_hours: Decimal = Decimal(8)  # worked hours beyond this in a day are overtime
    late_minutes: int = 10  # clocking in later than this after the shift's start is a late start
    review_weights: str = ""  # e.g. "jobs=20,rating=25,on_time=20,attendance=15,complaints=10,rework=10"
    service_level: Decimal = Decimal("0.95")  # purchase suggestions: chance of not running out over a lead time
    scheduler: bool = True
    trusted_proxy: bool = False
    tls_cert: str = ""  # with tls_key: Streamlit serves HTTPS itself (see ui/serve.py)
    tls_key: str = ""
    encryption_keys: str = ""  # comma-separated Fernet keys, newest first (else the key file)
    blind_index_key: str = ""  # the key of the searchable hashes of phones and emails (else the key file)
    key_file: Path | None = None  # where generated keys live (default data_dir / "encryption.keys")
    backup_dir: Path | None = None  # None: data_dir / "backups"; meant to be a mount off the machine
    backup_keep: str = "7,4,12"  # backups kept: daily, weekly, monthly (see core/backup_files.py)
    backup_hour: int = 1  # the daily backup's hour, company time
    extra: dict[str, str] = field(default_factory=dict)


def _read_secrets(path: Path) -> dict[str, object]:
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_settings(environ: dict[str, str] | None = None, secrets_file: Path = SECRETS_FILE) -> Settings:
    env = dict(os.environ if environ is None else environ)
    stored = _read_secrets(secrets_file)

    def get(name: str, default: str = "") -> str:
        if name in env and env[name] != "":
            return env[name]
        value = stored.get(name)
        return default if value is None else str(value)

    data_dir = Path(get("OPSDESK_DATA_DIR", str(ROOT / "data")))
    default_url = f"sqlite:///{data_dir / 'opsdesk.db'}"
    return Settings(
        database_url=normalise_database_url(get("DATABASE_URL", default_url)),
        data_dir=data_dir,
        demo=_truthy(get("OPSDESK_DEMO", "1")),
        admin_username=get("OPSDESK_ADMIN_USERNAME"),
        admin_password=get("OPSDESK_ADMIN_PASSWORD"),
        admin_name=get("OPSDESK_ADMIN_NAME"),
        cookie_key=get("OPSDESK_COOKIE_KEY"),
        session_days=float(get("OPSDESK_SESSION_DAYS", "7")),
        bcrypt_rounds=int(get("OPSDESK_BCRYPT_ROUNDS", "12")),
        lockout_attempts=int(get("OPSDESK_LOCKOUT_ATTEMPTS", "5")),
        lockout_minutes=int(get("OPSDESK_LOCKOUT_MINUTES", "15")),
        language=get("OPSDESK_LANGUAGE", "zh"),
        locale=get("OPSDESK_LOCALE", "zh_CN"),
        currency=get("OPSDESK_CURRENCY", "CNY"),
        timezone=get("OPSDESK_TIMEZONE", "Asia/Shanghai"),
        company_name=get("OPSDESK_COMPANY_NAME", "Opsdesk"),
        import_max_rows=int(get("OPSDESK_IMPORT_MAX_ROWS", "100000")),
        tax_rate=Decimal(get("OPSDESK_TAX_RATE", "0.06")),
        payment_terms_days=int(get("OPSDESK_PAYMENT_TERMS_DAYS", "7")),
        contract_horizon_days=int(get("OPSDESK_CONTRACT_HORIZON_DAYS", "56")),
        max_weekly_hours=Decimal(get("OPSDESK_MAX_WEEKLY_HOURS", "48")),
        daily_hours=Decimal(get("OPSDESK_DAILY_HOURS", "8")),
        late_minutes=int(get("OPSDESK_LATE_MINUTES", "10")),
        review_weights=get("OPSDESK_REVIEW_WEIGHTS"),
        service_level=Decimal(get("OPSDESK_SERVICE_LEVEL", "0.95")),
        scheduler=_truthy(get("OPSDESK_SCHEDULER", "1")),
        trusted_proxy=_truthy(get("OPSDESK_TRUSTED_PROXY", "0")),
        tls_cert=get("OPSDESK_TLS_CERT"),
        tls_key=get("OPSDESK_TLS_KEY"),
        encryption_keys=get("OPSDESK_ENCRYPTION_KEYS"),
        blind_index_key=get("OPSDESK_BLIND_INDEX_KEY"),
        key_file=Path(get("OPSDESK_KEY_FILE")) if get("OPSDESK_KEY_FILE") else None,
        backup_dir=Path(get("OPSDESK_BACKUP_DIR")) if get("OPSDESK_BACKUP_DIR") else None,
        backup_keep=get("OPSDESK_BACKUP_KEEP", "7,4,12"),
        backup_hour=int(get("OPSDESK_BACKUP_HOUR", "1")),
    )


def normalise_database_url(url: str) -> str:
    """Accept the common `postgres://` spellings and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache(maxsize=1)
def _loaded() -> Settings:
    return load_settings()


_override: Settings | None = None


def get_settings() -> Settings:
    return _override if _override is not None else _loaded()


def override_settings(**changes: object) -> Settings:
    """Replace settings for the rest of the process (tests and command-line tools)."""
    global _override
    _override = replace(get_settings(), **changes)  # type: ignore[arg-type]
    return _override


def reset_settings() -> None:
    global _override
    _override = None
    _loaded.cache_clear()


def cookie_key(settings: Settings | None = None) -> str:
    """The key that signs login cookies: from settings, or generated once into data/.

    The library's own default key is public, so a key is never left to it.
    """
    settings = settings or get_settings()
    if settings.cookie_key:
        return settings.cookie_key
    key_file = settings.data_dir / "cookie_key"
    if not key_file.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process generated it first
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    return key_file.read_text().strip()
