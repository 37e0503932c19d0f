"""What a database or Redis URL in the settings may be, checked before anything connects.

A URL often carries a password, so no message here ever repeats the URL itself:
only its scheme, or the part that is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DATABASE_SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg2")
REDIS_SCHEMES = ("redis", "rediss")


def database_url(raw: str) -> str:
    """The URL SQLAlchemy and Rasa can use; `postgres://` (as some hosts write it) becomes `postgresql://`."""
    text = raw.strip()
    if text.startswith("postgres://"):
        text = "postgresql://" + text.removeprefix("postgres://")
    try:
        url = make_url(text)
    except ArgumentError:
        raise ValueError("must be a URL such as sqlite:///var/app.db or postgresql://user:password@host:5432/name") from None
    if url.drivername not in DATABASE_SCHEMES:
        raise ValueError(f"must start with sqlite:/// or postgresql://, not {url.drivername}://")
    if not url.database:
        raise ValueError("must name the database (the file for SQLite, the database name for PostgreSQL)")
    return text


def is_postgresql(url: str) -> bool:
    return url.startswith("postgresql")


@dataclass(frozen=True)
class RedisAddress:
    host: str
    port: int
    db: int
    username: str | None
    password: str | None
    ssl: bool


def redis_address(raw: str) -> RedisAddress:
    """The parts of `redis://[[user]:password@]host[:port][/db]` (or `rediss://` for TLS)."""
    parts = urlsplit(raw.strip())
    if parts.scheme not in REDIS_SCHEMES:
        raise ValueError(f"must start with redis:// or rediss://, not {parts.scheme or '(nothing)'}://")
    if not parts.hostname:
        raise ValueError("must name the Redis host, as in redis://127.0.0.1:6379/0")
    try:
        port = parts.port or 6379
    except ValueError:
        raise ValueError("has a port that is not a number") from None
    path = parts.path.strip("/")
    if path and not path.isdigit():
        raise ValueError(f"must end with a database number such as /0, not /{path}")
    return RedisAddress(
        host=parts.hostname,
        port=port,
        db=int(path or 0),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        ssl=parts.scheme == "rediss",
    )
