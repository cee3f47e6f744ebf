"""Settings from `TRAJECTORIES_*` environment variables, checked once at start-up.

A bad value stops start-up with one line that names the variable (`ConfigError`), instead of a
stack trace at the first request.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PREFIX = "TRAJECTORIES_"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    base_url: str
    timezone: str
    var_dir: Path
    calendars_dir: Path
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    mail_from: str = "noreply@trajectories.localhost"
    production: bool = False
    #: Storage for rate limits (Flask-Limiter), e.g. redis://127.0.0.1:6379; memory by default.
    ratelimit_storage_uri: str = "memory://"
    #: Who writes the track and organiser feed files after a change: "scheduler" (the
    #: scheduler's leader, from the publication requests in the database; production's default)
    #: or "web" (a background thread in the process that saved; the default otherwise, for
    #: `trajectories serve` without --scheduler). The saving process writes the edition's feed.
    feed_publisher: str = "web"


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{PREFIX}{name}: expected true or false, got {raw!r}")


def _check_url(name: str, value: str, schemes: tuple[str, ...]) -> str:
    parts = urlsplit(value)
    scheme = parts.scheme.split("+")[0]
    if scheme not in schemes or (scheme not in ("sqlite",) and not parts.netloc):
        raise ConfigError(f"{PREFIX}{name}: not a valid {'/'.join(schemes)} URL: {value!r}")
    return value


def _secret_key(var_dir: Path, production: bool, given: str | None) -> str:
    if given:
        return given
    if production:
        raise ConfigError(f"{PREFIX}SECRET_KEY: required in production")
    # Development: generate once and keep it, so sessions and signed links survive restarts.
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_settings(environ: dict[str, str] | None = None, **overrides) -> Settings:
    """Read and validate the settings; `overrides` (lower-case names) win over the environment."""
    env = dict(os.environ if environ is None else environ)

    def get(name: str, default: str | None = None) -> str | None:
        if name.lower() in overrides:
            return overrides[name.lower()]
        return env.get(PREFIX + name, default)

    production = _bool("PRODUCTION", str(get("PRODUCTION", "0")))
    var_dir = Path(get("VAR_DIR", str(PROJECT_ROOT / "var"))).resolve()
    calendars_dir = Path(get("CALENDARS_DIR", str(PROJECT_ROOT / "calendars"))).resolve()

    database_url = get("DATABASE_URL") or f"sqlite:///{var_dir / 'trajectories.db'}"
    _check_url("DATABASE_URL", database_url, ("sqlite", "postgresql", "postgres"))

    base_url = (get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    _check_url("BASE_URL", base_url, ("http", "https"))

    timezone = get("TIMEZONE") or "Europe/Amsterdam"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{PREFIX}TIMEZONE: unknown time zone {timezone!r}") from None

    port_raw = str(get("SMTP_PORT", "8025"))
    try:
        smtp_port = int(port_raw)
        if not 0 < smtp_port < 65536:
            raise ValueError
    except ValueError:
        raise ConfigError(f"{PREFIX}SMTP_PORT: not a port number: {port_raw!r}") from None

    mail_from = get("MAIL_FROM") or "noreply@trajectories.localhost"
    if "@" not in mail_from:
        # yagmail would silently turn a user without "@" into a gmail.com address.
        raise ConfigError(f"{PREFIX}MAIL_FROM: not an email address: {mail_from!r}")

    smtp_ssl = _bool("SMTP_SSL", str(get("SMTP_SSL", "0")))
    smtp_starttls = _bool("SMTP_STARTTLS", str(get("SMTP_STARTTLS", "0")))
    if smtp_ssl and smtp_starttls:
        raise ConfigError(f"{PREFIX}SMTP_SSL and {PREFIX}SMTP_STARTTLS: choose one")

    feed_publisher = get("FEED_PUBLISHER") or ("scheduler" if production else "web")
    if feed_publisher not in ("scheduler", "web"):
        raise ConfigError(f"{PREFIX}FEED_PUBLISHER: expected scheduler or web, got "
                          f"{feed_publisher!r}")
    return Settings(
        database_url=database_url,
        secret_key=_secret_key(var_dir, production, get("SECRET_KEY")),
        base_url=base_url,
        timezone=timezone,
        var_dir=var_dir,
        calendars_dir=calendars_dir,
        smtp_host=get("SMTP_HOST") or "127.0.0.1",
        smtp_port=smtp_port,
        smtp_user=get("SMTP_USER") or "",
        smtp_password=get("SMTP_PASSWORD") or "",
        smtp_starttls=smtp_starttls,
        smtp_ssl=smtp_ssl,
        mail_from=mail_from,
        production=production,
        ratelimit_storage_uri=get("RATELIMIT_STORAGE_URI") or "memory://",
        feed_publisher=feed_publisher,
    )


def check_rate_limit_storage(settings: Settings, workers: int) -> None:
    """Refuse, in production, rate limits counted per process where more than one process serves:
    with `memory://` each gunicorn worker (and each host) counts alone, so 5 workers allow 5 times
    the limit. One worker on a SQLite database (one host by construction) may keep it."""
    uri = settings.ratelimit_storage_uri
    per_process = urlsplit(uri).scheme.split("+")[-1] == "memory"
    one_host = settings.database_url.startswith("sqlite")
    if settings.production and per_process and (workers > 1 or not one_host):
        raise ConfigError(
            f"{PREFIX}RATELIMIT_STORAGE_URI: {uri} counts per process, so {workers} gunicorn "
            f"worker(s){'' if one_host else ' on each host sharing the database'} would each "
            f"allow the whole limit; production needs a shared storage such as "
            f"redis://127.0.0.1:6379")
