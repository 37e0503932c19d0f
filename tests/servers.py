"""Real PostgreSQL and Redis for the tests.

A server that is not running is started (as .ci/run does); one that cannot be started
makes its tests skip with the reason, which pytest prints in its summary (-ra).
TEST_POSTGRES_URL and TEST_REDIS_URL point the tests at other servers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from email import message_from_bytes
from pathlib import Path

import redis
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.ops.bench import scratch_database

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]


def _postgres_answers() -> bool:
    engine = create_engine(POSTGRES, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS, socket_timeout=3, socket_connect_timeout=3).ping())
    except redis.RedisError:
        return False


def _start(command: list[str]) -> str:
    """Run a start command; '' on success, else why not."""
    if shutil.which(command[0]) is None:
        return f"{command[0]} is not installed"
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    return "" if result.returncode == 0 else f"'{' '.join(command[:3])}' failed: {(result.stderr or result.stdout).strip()[:200]}"


def _wait(answers: Callable[[], bool], seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if answers():
            return True
        time.sleep(0.5)
    return False


def postgres_unavailable() -> str | None:
    """None when PostgreSQL answers (started here if need be); otherwise the reason."""
    if _postgres_answers():
        return None
    url = make_url(POSTGRES)
    if url.host not in ("127.0.0.1", "localhost"):
        return f"PostgreSQL at {url.host}:{url.port} does not answer"
    versions = sorted(p.name for p in Path("/etc/postgresql").iterdir()) if Path("/etc/postgresql").is_dir() else []
    if not versions:
        return "PostgreSQL does not answer on 127.0.0.1:5432 and no cluster is installed (/etc/postgresql)"
    problem = _start(["pg_ctlcluster", "--skip-systemctl-redirect", versions[0], "main", "start"])
    if problem or not _wait(_postgres_answers):
        return f"PostgreSQL does not answer on 127.0.0.1:5432 and could not be started: {problem or 'no answer after 20 s'}"
    return None


def redis_unavailable() -> str | None:
    """None when Redis answers (started here if need be); otherwise the reason."""
    if _redis_answers():
        return None
    if not REDIS.startswith(("redis://127.0.0.1", "redis://localhost")):
        return f"Redis at {REDIS.split('@')[-1]} does not answer"
    try:
        for folder in ("/var/lib/redis", "/var/log/redis"):
            Path(folder).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"Redis does not answer on 127.0.0.1:6379 and cannot be started here: {exc}"
    problem = _start(REDIS_START)
    if problem or not _wait(_redis_answers):
        return f"Redis does not answer on 127.0.0.1:6379 and could not be started: {problem or 'no answer after 20 s'}"
    return None


def fresh_database(label: str = "db") -> AbstractContextManager[str]:
    """A new, empty PostgreSQL database for one test run, dropped afterwards; yields its URL."""
    return scratch_database(POSTGRES, f"bot_test_{label}")


def set_database_up(url: str, up: bool) -> None:
    """Take a database down (no new connections, current ones cut) or bring it back: a real
    PostgreSQL refusal for the app, without stopping a server other work on this machine shares."""
    name = make_url(url).database
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"ALTER DATABASE {name} ALLOW_CONNECTIONS {'true' if up else 'false'}"))
            if not up:
                connection.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"), {"name": name}
                )
    finally:
        admin.dispose()


class Inbox:
    """What a real local SMTP server (aiosmtpd) received."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def start_smtp(port: int) -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox
