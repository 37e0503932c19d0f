"""Settings come from environment variables, so one build runs anywhere.

A bad value stops start-up with a message that names the variable, rather than
failing later in a way a person on call has to decode. `TABLE` is the one list of them:
each setting's variable, its default (written once) and how it is read and written, so
`load()` and `Settings.environment()` (what a child process is given) cannot drift apart.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot.core import env
from bot.core.env import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def _port(name: str, default: int) -> int:
    raw = os.environ.get(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a port number, got {raw!r}") from None
    if not 0 <= value <= 65535:
        raise ConfigError(f"{name} must be between 0 and 65535, got {value}")
    return value


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, str(default))
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be more than 0, got {raw!r}")
    return value


def _languages(raw: str) -> tuple[str, ...]:
    codes = tuple(code.strip() for code in raw.split(",") if code.strip())
    if not codes:
        raise ConfigError("BOT_LANGUAGES must list at least one language code, such as 'en'")
    for code in codes:
        if not (code.isalpha() and code.islower() and 2 <= len(code) <= 3):
            raise ConfigError(f"BOT_LANGUAGES: {code!r} is not a language code such as 'en' or 'pl'")
    return codes


ORIGIN = re.compile(r"^https?://[a-z0-9.-]+(:[0-9]{1,5})?$")
FRAME_SOURCE = re.compile(r"^https?://(\*\.)?[a-z0-9.-]+(:[0-9]{1,5})?$")


def _cors_origins(raw: str) -> tuple[str, ...]:
    """Origins allowed to call /api/* from a browser: exact origins only, so a typo fails loudly
    instead of opening the API to every site."""
    origins = tuple(o for o in re.split(r"[\s,]+", raw.strip()) if o)
    for origin in origins:
        if origin == "*":
            raise ConfigError("BOT_CORS_ORIGINS: '*' is not allowed; list each site's origin, such as https://www.kent.gov.uk")
        if not ORIGIN.match(origin):
            raise ConfigError(
                f"BOT_CORS_ORIGINS: {origin!r} is not an origin: write the scheme and host only, "
                "such as https://www.kent.gov.uk (no path, no trailing slash, lower case)"
            )
    return origins


def _frame_ancestors(raw: str) -> tuple[str, ...]:
    """Sites that may show the chat in a frame, as CSP frame-ancestors sources."""
    sources = tuple(s for s in re.split(r"[\s,]+", raw.strip()) if s)
    if not sources:
        raise ConfigError("BOT_FRAME_ANCESTORS must not be empty: use 'none' to forbid framing, or 'self'")
    sources = tuple(f"'{s}'" if s in ("self", "none") else s for s in sources)
    for source in sources:
        if source not in ("'self'", "'none'") and not FRAME_SOURCE.match(source):
            raise ConfigError(
                f"BOT_FRAME_ANCESTORS: {source!r} is not allowed: use 'self', 'none' or origins "
                "such as https://www.kent.gov.uk or https://*.kent.gov.uk"
            )
    if "'none'" in sources and len(sources) > 1:
        raise ConfigError("BOT_FRAME_ANCESTORS: 'none' cannot be combined with other sources")
    return sources


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    rasa_ports: tuple[int, ...]
    action_port: int
    var_dir: Path
    models_dir: Path
    content_dir: Path
    languages: tuple[str, ...]
    max_body_bytes: int
    database_url: str
    smtp_host: str
    smtp_port: int
    smtp_starttls: bool
    smtp_user: str
    smtp_password: str
    email_from: str
    staff_email: str
    email_retry_seconds: float
    tracker_store_url: str
    lock_store_url: str | None
    lock_lifetime_seconds: int
    redis_prefix: str
    rasa_token: str | None
    remote_rasa: tuple[str, ...]
    remote_actions: str | None
    rate_limit_session: str
    rate_limit_ip: str
    rate_limit_callback: str
    rate_limit_storage_url: str
    trusted_proxies: tuple[str, ...]
    frame_ancestors: tuple[str, ...] = ("'self'",)
    cors_origins: tuple[str, ...] = ()
    directory_url: str | None = None
    staff_console: bool = True
    staff_secret: str | None = None
    staff_cookie_secure: bool = True
    callback_overdue_days: int = 2
    rate_limit_login: str = "5/15 minutes"
    rate_limit_login_ip: str = "30/15 minutes"
    rate_limit_status: str = "30/hour"

    def isolated(self, var_dir: Path) -> Settings:
        """The same settings on free ports with their own var folder, for a stack that
        must not disturb a running one (tests, `bot eval`, `bot bench`). Models are shared.

        Its only client is the tool that started it, so the rate limits are set far above
        anything a tool sends; the limiter itself still runs, and is still measured."""
        from bot.core.ports import free_ports

        web, actions, *rasa = free_ports(2 + len(self.rasa_ports))
        tracker = self.tracker_store_url
        if tracker == f"sqlite:///{self.tracker_db}":
            tracker = f"sqlite:///{var_dir / 'rasa-tracker.db'}"
        database = self.database_url
        if database == f"sqlite:///{self.var_dir / 'app.db'}":
            database = f"sqlite:///{var_dir / 'app.db'}"
        unlimited = "100000/second"
        return replace(
            self,
            port=web,
            rasa_ports=tuple(rasa),
            action_port=actions,
            var_dir=var_dir,
            tracker_store_url=tracker,
            database_url=database,
            remote_rasa=(),
            remote_actions=None,
            rate_limit_session=unlimited,
            rate_limit_ip=unlimited,
            rate_limit_callback=unlimited,
        )

    def with_replicas(self, count: int) -> Settings:
        """`bot serve --rasa-replicas N`: replica i listens on BOT_RASA_PORT + i."""
        return check(replace(self, rasa_ports=tuple(self.rasa_ports[0] + i for i in range(count)), remote_rasa=()))

    def environment(self) -> dict[str, str]:
        """These settings as the variables `load()` reads, so a child process sees exactly these."""
        out: dict[str, str] = {}
        for setting in TABLE:
            out.update(setting.written(self))
        return out

    @property
    def build_dir(self) -> Path:
        return self.var_dir / "build"

    @property
    def serve_pid_file(self) -> Path:
        """Where `bot serve` writes its process id, so `bot content reload` can signal it."""
        return self.var_dir / "bot-serve.pid"

    @property
    def tracker_db(self) -> Path:
        """Where the default SQLite tracker store keeps conversations."""
        return self.var_dir / "rasa-tracker.db"

    @property
    def endpoints_file(self) -> Path:
        """Rasa's endpoints file, written from these settings by `bot.nlu.endpoints`."""
        return self.var_dir / "endpoints.yml"

    @property
    def spool_dir(self) -> Path:
        """Call-back requests wait here while the app database is down."""
        return self.var_dir / "spool"

    @property
    def rasa_port(self) -> int:
        return self.rasa_ports[0]

    @property
    def rasa_urls(self) -> tuple[str, ...]:
        """Every Rasa replica the web app spreads sessions over."""
        return self.remote_rasa or tuple(f"http://127.0.0.1:{port}" for port in self.rasa_ports)

    @property
    def rasa_url(self) -> str:
        return self.rasa_urls[0]

    @property
    def action_url(self) -> str:
        return self.remote_actions or f"http://127.0.0.1:{self.action_port}"


def check(settings: Settings) -> Settings:
    """Rules that join several settings; raise ConfigError naming what to change."""
    if len(settings.rasa_urls) > 1 and settings.lock_store_url is None:
        raise ConfigError(
            "LOCK_STORE_URL must name a Redis server (redis://host:6379/0) when more than one Rasa "
            "replica runs: the replicas share it to keep each conversation's messages in order"
        )
    if len(settings.rasa_ports) > 16:
        raise ConfigError(f"at most 16 Rasa replicas run on one host, not {len(settings.rasa_ports)}")
    return settings


Read = Callable[[str, Any, dict[str, Any]], Any]  # (variable, default, the settings read so far) -> value


def _text(name: str, default: Any, _: dict[str, Any]) -> str:
    return os.environ.get(name, default)


def _folder(name: str, default: Any, _: dict[str, Any]) -> Path:
    return Path(os.environ.get(name, default)).resolve()


def _content_folder(name: str, default: Any, so_far: dict[str, Any]) -> Path:
    folder = _folder(name, default, so_far)
    if not folder.is_dir():
        raise ConfigError(f"{name}: {folder} is not a folder")
    return folder


def _body_limit(name: str, default: Any, _: dict[str, Any]) -> int:
    raw = os.environ.get(name, str(default))
    if not raw.isdigit() or int(raw) < 1024:
        raise ConfigError(f"{name} must be a whole number of at least 1024, got {raw!r}")
    return int(raw)


def _rasa_ports(name: str, default: Any, _: dict[str, Any]) -> tuple[int, ...]:
    """BOT_RASA_PORT and BOT_RASA_REPLICAS: replica i listens on the port + i."""
    first = _port(name, default)
    return tuple(first + i for i in range(env.count("BOT_RASA_REPLICAS", 1, 1, 16)))


def _smtp_password(name: str, default: Any, so_far: dict[str, Any]) -> str:
    password = os.environ.get(name, default)
    if so_far["smtp_user"] and not password:
        raise ConfigError(f"BOT_SMTP_USER is set but {name} is not: the mail server login needs both")
    return password


def _tracker_store(name: str, default: Any, so_far: dict[str, Any]) -> str:
    return env.database(name, os.environ.get(name) or f"sqlite:///{so_far['var_dir'] / 'rasa-tracker.db'}")


@dataclass(frozen=True)
class Setting:
    """One setting: the Settings field, its variable, its default, how it is read and written.

    `read` gets the variable's name, the default and the settings read so far (a default can
    depend on an earlier one, as the models folder does on BOT_VAR_DIR). `write` gives the
    variables a child process needs to read the same value back, when that is not simply the
    value under its own variable (the Rasa token is not passed on: the stack gives its own)."""

    field: str
    variable: str
    default: Any
    read: Read = _text
    write: Callable[[Settings], dict[str, str]] | None = None

    def written(self, settings: Settings) -> dict[str, str]:
        if self.write is not None:
            return self.write(settings)
        value = getattr(settings, self.field)
        return {self.variable: "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)}


def _written_as(variable: str, value: Callable[[Settings], str]) -> Callable[[Settings], dict[str, str]]:
    return lambda settings: {variable: value(settings)}


def _listed(field: str, variable: str, default: str, parse: Callable[[str], tuple[str, ...]], separator: str = ",") -> Setting:
    """A setting that is a list, written joined by `separator`."""
    return Setting(
        field,
        variable,
        default,
        lambda n, d, so_far: parse(_text(n, d, so_far)),
        lambda s: {variable: separator.join(getattr(s, field))},
    )


TABLE: tuple[Setting, ...] = (
    Setting("host", "HOST", "127.0.0.1"),
    Setting("port", "PORT", 8000, lambda n, d, _: _port(n, d)),
    Setting(
        "rasa_ports",
        "BOT_RASA_PORT",
        5005,
        _rasa_ports,
        lambda s: {"BOT_RASA_PORT": str(s.rasa_port), "BOT_RASA_REPLICAS": str(len(s.rasa_ports))},
    ),
    Setting("action_port", "BOT_ACTION_PORT", 5055, lambda n, d, _: _port(n, d)),
    Setting("var_dir", "BOT_VAR_DIR", ROOT / "var", _folder),
    Setting("models_dir", "BOT_MODELS_DIR", lambda so_far: so_far["var_dir"] / "models", _folder),
    Setting("content_dir", "BOT_CONTENT_DIR", ROOT / "content", _content_folder),
    _listed("languages", "BOT_LANGUAGES", "en,pl,ro,uk,ur,ne", _languages),
    Setting("max_body_bytes", "BOT_MAX_BODY_BYTES", 16384, _body_limit),
    # APP_DATABASE_URL, or its older name BOT_DATABASE_URL; a child gets the new name only.
    Setting("database_url", "APP_DATABASE_URL", None, lambda n, d, so_far: env.app_database(so_far["var_dir"])),
    Setting("smtp_host", "BOT_SMTP_HOST", "localhost"),
    Setting("smtp_port", "BOT_SMTP_PORT", 25, lambda n, d, _: _port(n, d)),
    Setting("smtp_starttls", "BOT_SMTP_STARTTLS", False, lambda n, d, _: env.flag(n, d)),
    Setting("smtp_user", "BOT_SMTP_USER", ""),
    Setting("smtp_password", "BOT_SMTP_PASSWORD", "", _smtp_password),
    Setting("email_from", "BOT_EMAIL_FROM", "send-assistant@localhost"),
    Setting("staff_email", "BOT_STAFF_EMAIL", "send-callbacks@localhost"),
    Setting("email_retry_seconds", "BOT_EMAIL_RETRY_SECONDS", 60, lambda n, d, _: _seconds(n, d)),
    Setting("tracker_store_url", "TRACKER_STORE_URL", None, _tracker_store),
    Setting("lock_store_url", "LOCK_STORE_URL", None, lambda n, d, _: env.redis(n)),
    Setting("lock_lifetime_seconds", "BOT_LOCK_LIFETIME_SECONDS", 20, lambda n, d, _: env.count(n, d, 2, 600)),
    Setting("redis_prefix", "BOT_REDIS_PREFIX", "kentsend", lambda n, d, _: env.key_prefix(n, d)),
    Setting("rasa_token", "BOT_RASA_TOKEN", None, lambda n, d, _: env.token(n), lambda s: {}),
    # A child is given the addresses in use, its own replicas' included.
    Setting(
        "remote_rasa",
        "BOT_RASA_URLS",
        "",
        lambda n, d, _: env.urls(n),
        _written_as("BOT_RASA_URLS", lambda s: ",".join(s.rasa_urls)),
    ),
    Setting(
        "remote_actions",
        "BOT_ACTION_URL",
        "",
        lambda n, d, _: env.url(n, "the action server is stateless, so one address (or load balancer) serves"),
        _written_as("BOT_ACTION_URL", lambda s: s.action_url),
    ),
    Setting("rate_limit_session", "BOT_RATE_LIMIT_SESSION", "30/minute", lambda n, d, _: env.rate(n, d)),
    Setting("rate_limit_ip", "BOT_RATE_LIMIT_IP", "300/minute", lambda n, d, _: env.rate(n, d)),
    Setting("rate_limit_callback", "BOT_RATE_LIMIT_CALLBACK", "10/hour", lambda n, d, _: env.rate(n, d)),
    # The lock store's Redis unless set, so every web replica shares the counters.
    Setting(
        "rate_limit_storage_url",
        "BOT_RATE_LIMIT_STORAGE_URL",
        None,
        lambda n, d, so_far: env.rate_storage(so_far["lock_store_url"]),
    ),
    _listed("trusted_proxies", "BOT_TRUSTED_PROXIES", "", lambda raw: env.networks("BOT_TRUSTED_PROXIES")),
    _listed("frame_ancestors", "BOT_FRAME_ANCESTORS", "'self'", _frame_ancestors, separator=" "),
    _listed("cors_origins", "BOT_CORS_ORIGINS", "", _cors_origins),
    # The council's Open Referral UK feed; without one, the embedded directory (data/directory/).
    Setting("directory_url", "BOT_DIRECTORY_URL", "", lambda n, d, _: env.url(n, "the directory is read from one feed")),
    # The staff console (/staff/): on unless switched off; its cookie key (see docs/security.md).
    Setting("staff_console", "BOT_STAFF_CONSOLE", True, lambda n, d, _: env.flag(n, d)),
    Setting("staff_secret", "BOT_STAFF_SECRET", None, lambda n, d, _: env.fernet_key(n)),
    Setting("staff_cookie_secure", "BOT_STAFF_COOKIE_SECURE", True, lambda n, d, _: env.flag(n, d)),
    Setting("callback_overdue_days", "BOT_CALLBACK_OVERDUE_DAYS", 2, lambda n, d, _: env.count(n, d, 1, 30)),
    Setting("rate_limit_login", "BOT_RATE_LIMIT_LOGIN", "5/15 minutes", lambda n, d, _: env.rate(n, d)),
    Setting("rate_limit_login_ip", "BOT_RATE_LIMIT_LOGIN_IP", "30/15 minutes", lambda n, d, _: env.rate(n, d)),
    Setting("rate_limit_status", "BOT_RATE_LIMIT_STATUS", "30/hour", lambda n, d, _: env.rate(n, d)),
)


def load() -> Settings:
    """Read the settings from the environment, in TABLE's order; raise ConfigError on a bad value."""
    values: dict[str, Any] = {}
    for setting in TABLE:
        default = setting.default(values) if callable(setting.default) else setting.default
        values[setting.field] = setting.read(setting.variable, default, values)
    return check(Settings(**values))
