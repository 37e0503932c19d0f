"""Reading and checking the production settings: URLs, counts, limits, networks, secrets.

Each reader names its variable in the error, and never repeats a value that may hold
a password, so a message can be pasted into a ticket as it is.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import os
from pathlib import Path

import limits

from bot.core import connections


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


def count(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name, str(default))
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, got {raw!r}")
    return int(raw)


def database(name: str, raw: str) -> str:
    try:
        return connections.database_url(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} {exc}") from None


def app_database(var_dir: Path) -> str:
    """APP_DATABASE_URL, or its older name BOT_DATABASE_URL; both at once must agree."""
    new, old = os.environ.get("APP_DATABASE_URL"), os.environ.get("BOT_DATABASE_URL")
    if new and old and database("APP_DATABASE_URL", new) != database("BOT_DATABASE_URL", old):
        raise ConfigError("APP_DATABASE_URL and BOT_DATABASE_URL (its older name) are both set, to different databases: keep one")
    if new or old:
        return database("APP_DATABASE_URL" if new else "BOT_DATABASE_URL", new or old or "")
    return f"sqlite:///{var_dir / 'app.db'}"


def redis(name: str) -> str | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        connections.redis_address(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} {exc}") from None
    return raw


def rate_storage(lock_store: str | None) -> str:
    """Where rate limit counters live: the lock store's Redis, so every web replica shares them;
    this process's memory when there is no Redis."""
    name = "BOT_RATE_LIMIT_STORAGE_URL"
    if os.environ.get(name, "").strip() == "memory://":
        return "memory://"
    return redis(name) or lock_store or "memory://"


def rate(name: str, default: str) -> str:
    raw = os.environ.get(name, default)
    try:
        items = limits.parse_many(raw)
    except ValueError:
        raise ConfigError(f"{name} must be limits such as '30/minute' or '30/minute;500/hour', got {raw!r}") from None
    if any(item.amount < 1 for item in items):
        raise ConfigError(f"{name}: each limit must allow at least 1 request, got {raw!r}")
    return raw


def networks(name: str) -> tuple[str, ...]:
    entries = tuple(e.strip() for e in os.environ.get(name, "").split(",") if e.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ConfigError(f"{name}: {entry!r} is not an IP address or network such as 10.0.0.0/8") from None
    return entries


def urls(name: str) -> tuple[str, ...]:
    found = tuple(u.strip().rstrip("/") for u in os.environ.get(name, "").split(",") if u.strip())
    for url in found:
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"{name}: {url!r} must start with http:// or https://")
    return found


def url(name: str, why_one: str) -> str | None:
    found = urls(name)
    if len(found) > 1:
        raise ConfigError(f"{name} must be one URL: {why_one}")
    return found[0] if found else None


def key_prefix(name: str, default: str) -> str:
    raw = os.environ.get(name, default)
    if not raw.isalnum():
        raise ConfigError(f"{name} must be letters and digits only, got {raw!r}")
    return raw


def token(name: str) -> str | None:
    """A given Rasa token; hex or URL-safe characters, so it can never parse as a command-line option."""
    raw = os.environ.get(name)
    if not raw:
        return None
    if len(raw) < 16 or raw.startswith("-") or not all(c.isalnum() or c in "-_." for c in raw):
        raise ConfigError(f"{name} must be at least 16 letters, digits, '-', '_' or '.', and not start with '-'")
    return raw


def flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "true" if default else "false").strip().lower()
    if raw not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        raise ConfigError(f"{name} must be true or false, got {raw!r}")
    return raw in ("1", "true", "yes", "on")


def fernet_key(name: str) -> str | None:
    """A key for the staff console's encrypted cookie: 32 random bytes, URL-safe base64 (as
    `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"` prints)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        key = base64.urlsafe_b64decode(raw.encode())
    except (ValueError, binascii.Error):
        key = b""
    if len(key) != 32:
        raise ConfigError(
            f"{name} must be 32 random bytes in URL-safe base64 (44 characters); generate one with Fernet.generate_key()"
        )
    return raw
