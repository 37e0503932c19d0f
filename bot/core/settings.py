"""Settings come from environment variables, so one build runs anywhere.

A bad value stops start-up with a message that names the variable, rather than
failing later in a way a person on call has to decode.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

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
        return {
            "HOST": self.host,
            "PORT": str(self.port),
            "BOT_RASA_PORT": str(self.rasa_port),
            "BOT_RASA_REPLICAS": str(len(self.rasa_ports)),
            "BOT_ACTION_PORT": str(self.action_port),
            "BOT_RASA_URLS": ",".join(self.rasa_urls),
            "BOT_ACTION_URL": self.action_url,
            "BOT_VAR_DIR": str(self.var_dir),
            "BOT_MODELS_DIR": str(self.models_dir),
            "BOT_CONTENT_DIR": str(self.content_dir),
            "BOT_LANGUAGES": ",".join(self.languages),
            "BOT_MAX_BODY_BYTES": str(self.max_body_bytes),
            "APP_DATABASE_URL": self.database_url,
            "TRACKER_STORE_URL": self.tracker_store_url,
            "LOCK_STORE_URL": self.lock_store_url or "",
            "BOT_LOCK_LIFETIME_SECONDS": str(self.lock_lifetime_seconds),
            "BOT_REDIS_PREFIX": self.redis_prefix,
            "BOT_RATE_LIMIT_SESSION": self.rate_limit_session,
            "BOT_RATE_LIMIT_IP": self.rate_limit_ip,
            "BOT_RATE_LIMIT_CALLBACK": self.rate_limit_callback,
            "BOT_RATE_LIMIT_STORAGE_URL": self.rate_limit_storage_url,
            "BOT_TRUSTED_PROXIES": ",".join(self.trusted_proxies),
            "BOT_FRAME_ANCESTORS": " ".join(self.frame_ancestors),
            "BOT_CORS_ORIGINS": ",".join(self.cors_origins),
            "BOT_SMTP_HOST": self.smtp_host,
            "BOT_SMTP_PORT": str(self.smtp_port),
            "BOT_SMTP_STARTTLS": str(self.smtp_starttls).lower(),
            "BOT_SMTP_USER": self.smtp_user,
            "BOT_SMTP_PASSWORD": self.smtp_password,
            "BOT_EMAIL_FROM": self.email_from,
            "BOT_STAFF_EMAIL": self.staff_email,
            "BOT_EMAIL_RETRY_SECONDS": str(self.email_retry_seconds),
        }

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


def load() -> Settings:
    """Read the settings from the environment; raise ConfigError on a bad value."""
    var_dir = Path(os.environ.get("BOT_VAR_DIR", ROOT / "var")).resolve()
    content_dir = Path(os.environ.get("BOT_CONTENT_DIR", ROOT / "content")).resolve()
    if not content_dir.is_dir():
        raise ConfigError(f"BOT_CONTENT_DIR: {content_dir} is not a folder")
    max_body = os.environ.get("BOT_MAX_BODY_BYTES", "16384")
    if not max_body.isdigit() or int(max_body) < 1024:
        raise ConfigError(f"BOT_MAX_BODY_BYTES must be a whole number of at least 1024, got {max_body!r}")
    rasa_port = _port("BOT_RASA_PORT", 5005)
    replicas = env.count("BOT_RASA_REPLICAS", 1, 1, 16)
    lock_store = env.redis("LOCK_STORE_URL")
    smtp_user, smtp_password = env.smtp_login("BOT_SMTP_USER", "BOT_SMTP_PASSWORD")
    return check(
        Settings(
            host=os.environ.get("HOST", "127.0.0.1"),
            port=_port("PORT", 8000),
            rasa_ports=tuple(rasa_port + i for i in range(replicas)),
            action_port=_port("BOT_ACTION_PORT", 5055),
            var_dir=var_dir,
            models_dir=Path(os.environ.get("BOT_MODELS_DIR", var_dir / "models")).resolve(),
            content_dir=content_dir,
            languages=_languages(os.environ.get("BOT_LANGUAGES", "en,pl,ro,uk,ur,ne")),
            max_body_bytes=int(max_body),
            database_url=env.app_database(var_dir),
            smtp_host=os.environ.get("BOT_SMTP_HOST", "localhost"),
            smtp_port=_port("BOT_SMTP_PORT", 25),
            smtp_starttls=env.flag("BOT_SMTP_STARTTLS", False),
            smtp_user=smtp_user,
            smtp_password=smtp_password,
            email_from=os.environ.get("BOT_EMAIL_FROM", "send-assistant@localhost"),
            staff_email=os.environ.get("BOT_STAFF_EMAIL", "send-callbacks@localhost"),
            email_retry_seconds=_seconds("BOT_EMAIL_RETRY_SECONDS", 60),
            tracker_store_url=env.database(
                "TRACKER_STORE_URL", os.environ.get("TRACKER_STORE_URL") or f"sqlite:///{var_dir / 'rasa-tracker.db'}"
            ),
            lock_store_url=lock_store,
            lock_lifetime_seconds=env.count("BOT_LOCK_LIFETIME_SECONDS", 20, 2, 600),
            redis_prefix=env.key_prefix("BOT_REDIS_PREFIX", "kentsend"),
            rasa_token=env.token("BOT_RASA_TOKEN"),
            remote_rasa=env.urls("BOT_RASA_URLS"),
            remote_actions=env.url("BOT_ACTION_URL", "the action server is stateless, so one address (or load balancer) serves"),
            rate_limit_session=env.rate("BOT_RATE_LIMIT_SESSION", "30/minute"),
            rate_limit_ip=env.rate("BOT_RATE_LIMIT_IP", "300/minute"),
            rate_limit_callback=env.rate("BOT_RATE_LIMIT_CALLBACK", "10/hour"),
            rate_limit_storage_url=env.rate_storage(lock_store),
            trusted_proxies=env.networks("BOT_TRUSTED_PROXIES"),
            frame_ancestors=_frame_ancestors(os.environ.get("BOT_FRAME_ANCESTORS", "'self'")),
            cors_origins=_cors_origins(os.environ.get("BOT_CORS_ORIGINS", "")),
        )
    )
