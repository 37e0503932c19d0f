"""Settings come from environment variables, so one build runs anywhere.

A bad value stops start-up with a message that names the variable, rather than
failing later in a way a person on call has to decode.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


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
            raise ConfigError(f"BOT_CORS_ORIGINS: {origin!r} is not an origin: write the scheme and host only, "
                              "such as https://www.kent.gov.uk (no path, no trailing slash, lower case)")
    return origins


def _frame_ancestors(raw: str) -> tuple[str, ...]:
    """Sites that may show the chat in a frame, as CSP frame-ancestors sources."""
    sources = tuple(s for s in re.split(r"[\s,]+", raw.strip()) if s)
    if not sources:
        raise ConfigError("BOT_FRAME_ANCESTORS must not be empty: use 'none' to forbid framing, or 'self'")
    sources = tuple(f"'{s}'" if s in ("self", "none") else s for s in sources)
    for source in sources:
        if source not in ("'self'", "'none'") and not FRAME_SOURCE.match(source):
            raise ConfigError(f"BOT_FRAME_ANCESTORS: {source!r} is not allowed: use 'self', 'none' or origins "
                              "such as https://www.kent.gov.uk or https://*.kent.gov.uk")
    if "'none'" in sources and len(sources) > 1:
        raise ConfigError("BOT_FRAME_ANCESTORS: 'none' cannot be combined with other sources")
    return sources


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    rasa_port: int
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
    frame_ancestors: tuple[str, ...] = ("'self'",)
    cors_origins: tuple[str, ...] = ()

    def isolated(self, var_dir: Path) -> "Settings":
        """The same settings on free ports with their own var folder, for a stack that
        must not disturb a running one (tests, `bot eval`, `bot bench`). Models are shared."""
        from bot.ports import free_ports

        web, rasa, actions = free_ports(3)
        return replace(self, port=web, rasa_port=rasa, action_port=actions, var_dir=var_dir)

    @property
    def build_dir(self) -> Path:
        return self.var_dir / "build"

    @property
    def serve_pid_file(self) -> Path:
        """Where `bot serve` writes its process id, so `bot content reload` can signal it."""
        return self.var_dir / "bot-serve.pid"

    @property
    def tracker_db(self) -> Path:
        return self.var_dir / "rasa-tracker.db"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"


def load() -> Settings:
    """Read the settings from the environment; raise ConfigError on a bad value."""
    var_dir = Path(os.environ.get("BOT_VAR_DIR", ROOT / "var")).resolve()
    content_dir = Path(os.environ.get("BOT_CONTENT_DIR", ROOT / "content")).resolve()
    if not content_dir.is_dir():
        raise ConfigError(f"BOT_CONTENT_DIR: {content_dir} is not a folder")
    max_body = os.environ.get("BOT_MAX_BODY_BYTES", "16384")
    if not max_body.isdigit() or int(max_body) < 1024:
        raise ConfigError(f"BOT_MAX_BODY_BYTES must be a whole number of at least 1024, got {max_body!r}")
    return Settings(
        host=os.environ.get("HOST", "127.0.0.1"),
        port=_port("PORT", 8000),
        rasa_port=_port("BOT_RASA_PORT", 5005),
        action_port=_port("BOT_ACTION_PORT", 5055),
        var_dir=var_dir,
        models_dir=Path(os.environ.get("BOT_MODELS_DIR", var_dir / "models")).resolve(),
        content_dir=content_dir,
        languages=_languages(os.environ.get("BOT_LANGUAGES", "en,pl,ro,uk,ur,ne")),
        max_body_bytes=int(max_body),
        database_url=os.environ.get("BOT_DATABASE_URL", f"sqlite:///{var_dir / 'app.db'}"),
        smtp_host=os.environ.get("BOT_SMTP_HOST", "localhost"),
        smtp_port=_port("BOT_SMTP_PORT", 25),
        smtp_starttls=os.environ.get("BOT_SMTP_STARTTLS", "false").lower() in ("1", "true", "yes"),
        smtp_user=os.environ.get("BOT_SMTP_USER", ""),
        smtp_password=os.environ.get("BOT_SMTP_PASSWORD", ""),
        email_from=os.environ.get("BOT_EMAIL_FROM", "send-assistant@localhost"),
        staff_email=os.environ.get("BOT_STAFF_EMAIL", "send-callbacks@localhost"),
        email_retry_seconds=_seconds("BOT_EMAIL_RETRY_SECONDS", 60),
        frame_ancestors=_frame_ancestors(os.environ.get("BOT_FRAME_ANCESTORS", "'self'")),
        cors_origins=_cors_origins(os.environ.get("BOT_CORS_ORIGINS", "")),
    )
