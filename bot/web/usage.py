"""How the assistant is used, counted in the web app as replies go out: messages and conversations
per language, answers per topic, handoffs, unanswered questions. Counts are kept in memory and
added to the app database every half minute (and when the app stops), so no family waits on it.

A conversation is counted the first time this process sees its session id that day; the ids
are held only as keyed hashes in memory, for that day, and never stored. Behind several web
replicas a conversation that moves between them can be counted twice: the figures are a guide.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import threading
from collections import Counter
from typing import Any

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.core.hours import LONDON
from bot.storage.store import Store
from bot.web import periodic

log = logging.getLogger(__name__)
FLUSH_SECONDS = 30.0


class Usage:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._counts: Counter[tuple[dt.date, str, str]] = Counter()
        self._seen: set[bytes] = set()
        self._seen_day: dt.date | None = None
        self._key = secrets.token_bytes(16)  # new each start: the hashes mean nothing elsewhere
        self._lock = threading.Lock()

    def record(self, session_id: str, language: str, messages: list[dict[str, Any]], now: dt.datetime | None = None) -> None:
        day = (now or dt.datetime.now(LONDON)).astimezone(LONDON).date()
        with self._lock:
            if day != self._seen_day:
                self._seen, self._seen_day = set(), day
            marker = hashlib.blake2b(session_id.encode(), key=self._key, digest_size=16).digest()
            if marker not in self._seen:
                self._seen.add(marker)
                self._counts[day, "conversations", language] += 1
            self._counts[day, "messages", language] += 1
            for message in messages:
                if message.get("kind") == "answer" and message.get("topic"):
                    self._counts[day, "topics", str(message["topic"])[:64]] += 1
                if message.get("kind") == "handoff":
                    self._counts[day, "handoffs", ""] += 1

    def flush(self) -> None:
        """Add what was counted to the database; kept for the next try if the database is down."""
        with self._lock:
            counts, self._counts = self._counts, Counter()
        if not counts:
            return
        try:
            self.store.add_usage(dict(counts))
        except SQLAlchemyError as exc:
            log.warning("usage counts not saved yet (%s); trying again", type(exc).__name__)
            with self._lock:
                self._counts.update(counts)


USAGE = web.AppKey("usage", Usage)


def add_to(app: web.Application, store: Store, every: float = FLUSH_SECONDS) -> None:
    app[USAGE] = Usage(store)

    periodic.every(app, every, app[USAGE].flush, "saving usage counts", at_exit=True)
