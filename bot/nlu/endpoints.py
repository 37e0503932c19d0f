"""Rasa's endpoints file, written from the settings at start.

One static file cannot say both "SQLite and in-memory locks on one host" and
"PostgreSQL and Redis locks for several replicas", so the file is generated. Secrets
never go into it: the file names environment variables (`${TRACKER_STORE_URL}`,
`${BOT_LOCK_STORE_PASSWORD}`) and Rasa reads their values from its own environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.core.connections import redis_address
from bot.core.settings import Settings

TRACKER_STORE = "bot.nlu.tracker_store.CachedSQLTrackerStore"
LOCK_STORE = "bot.nlu.lock_store.ThreadedRedisLockStore"
HEADER = "# Written by bot/nlu/endpoints.py from the settings each time Rasa starts: edits here are lost.\n"


def rasa_environment(settings: Settings) -> dict[str, str]:
    """The variables the endpoints file refers to, and the lock lifetime Rasa reads itself."""
    variables = {"TRACKER_STORE_URL": settings.tracker_store_url, "TICKET_LOCK_LIFETIME": str(settings.lock_lifetime_seconds)}
    if settings.lock_store_url:
        address = redis_address(settings.lock_store_url)
        if address.password:
            variables["BOT_LOCK_STORE_PASSWORD"] = address.password
    return variables


def endpoints(settings: Settings) -> dict[str, Any]:
    config: dict[str, Any] = {
        "action_endpoint": {"url": f"{settings.action_url}/webhook"},
        # Rasa's SQL tracker store, reusing the trackers it has just saved (bot/nlu/tracker_store.py).
        "tracker_store": {"type": TRACKER_STORE, "url": "${TRACKER_STORE_URL}"},
    }
    if settings.lock_store_url:
        address = redis_address(settings.lock_store_url)
        # Rasa's Redis lock store, its Redis calls off the event loop (bot/nlu/lock_store.py).
        lock: dict[str, Any] = {
            "type": LOCK_STORE,
            "url": address.host,
            "port": address.port,
            "db": address.db,
            "use_ssl": address.ssl,
            "key_prefix": settings.redis_prefix,
        }
        if address.username:
            lock["username"] = address.username
        if address.password:
            lock["password"] = "${BOT_LOCK_STORE_PASSWORD}"
        config["lock_store"] = lock
    else:
        config["lock_store"] = {"type": "in_memory"}
    return config


def write(settings: Settings) -> Path:
    path = settings.endpoints_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + yaml.safe_dump(endpoints(settings), sort_keys=False), encoding="utf-8")
    return path
