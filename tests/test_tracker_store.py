"""The tracker store that reuses what it saved (bot/nlu/tracker_store.py), on SQLite and PostgreSQL.

Each test compares with Rasa's own SQLTrackerStore reading the same database: what the
kept tracker holds, and what is written, must be what Rasa alone would read and write.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from bot.nlu.tracker_store import CachedSQLTrackerStore
from tests import servers

DOMAIN = Domain.from_dict({"slots": {"topic": {"type": "text", "mappings": [{"type": "custom"}]}}, "actions": ["action_reply"]})


def run(coroutine):
    return asyncio.run(coroutine)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty tracker database: a SQLite file (one host) or PostgreSQL (several replicas)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    request.getfixturevalue("postgres")  # skips, with the reason, when PostgreSQL cannot be started
    with servers.fresh_database("tracker") as url:
        yield url


def store(url: str, **kwargs) -> CachedSQLTrackerStore:
    return CachedSQLTrackerStore(domain=DOMAIN, host=url, **kwargs)


def plain(url: str) -> SQLTrackerStore:
    return SQLTrackerStore(domain=DOMAIN, host=url)


async def message(store, sender: str, text: str, topic: str) -> None:
    """What Rasa does for one message: read (or start) the conversation, add its events, save."""
    tracker = await store.get_or_create_tracker(sender)
    if not any(isinstance(e, SessionStarted) for e in tracker.events):
        tracker.update_with_events(
            [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")], DOMAIN
        )
    tracker.update_with_events(
        [
            UserUttered(text),
            ActionExecuted("action_reply"),
            SlotSet("topic", topic),
            BotUttered(f"about {topic}"),
            ActionExecuted("action_listen"),
        ],
        DOMAIN,
    )
    await store.save(tracker)


def rows(url: str, sender: str) -> list[dict]:
    """Every event stored for the conversation, as Rasa reads them across sessions."""
    tracker = run(plain(url).retrieve_full_tracker(sender))
    return [] if tracker is None else [e.as_dict() for e in tracker.events]


def same(tracker, other) -> bool:
    return [e.as_dict() for e in tracker.events] == [e.as_dict() for e in other.events]


def test_the_next_message_reuses_the_saved_tracker_which_holds_what_a_read_would(url):
    cached = store(url)
    for i, topic in enumerate(["ehcp", "transport", "annual-review"]):
        run(message(cached, "family-1", f"question {i}", topic))
    assert cached.hits == 2
    kept = run(cached.retrieve("family-1"))
    read = run(plain(url).retrieve("family-1"))
    assert same(kept, read)
    assert kept.get_slot("topic") == "annual-review"


def test_nothing_is_written_twice_or_left_out(url):
    cached, reference = store(url), plain(url)
    for i in range(4):
        run(message(cached, "family-2", f"question {i}", f"topic-{i}"))
        run(message(reference, "family-3", f"question {i}", f"topic-{i}"))
    ours, rasas = rows(url, "family-2"), rows(url, "family-3")
    assert len(ours) == len(rasas) == 3 + 1 + 4 * 5  # Rasa's first action_listen, the session start, 5 a message
    assert [e["event"] for e in ours] == [e["event"] for e in rasas]


def test_a_message_answered_by_another_replica_is_read_from_the_database(url):
    first, second = store(url), store(url)
    run(message(first, "family-4", "question 1", "ehcp"))
    run(message(second, "family-4", "question 2", "transport"))  # the load balancer chose the other replica
    run(message(first, "family-4", "question 3", "annual-review"))
    assert first.hits == 0
    texts = [e.get("text") for e in rows(url, "family-4") if e["event"] == "user"]
    assert texts == ["question 1", "question 2", "question 3"]


def test_a_message_that_failed_half_way_is_not_kept(url):
    cached = store(url)
    run(message(cached, "family-5", "question 1", "ehcp"))
    tracker = run(cached.retrieve("family-5"))
    tracker.update(UserUttered("never answered"))  # the action server failed: no save
    again = run(cached.retrieve("family-5"))
    assert again is not tracker
    assert "never answered" not in [getattr(e, "text", None) for e in again.events]
    assert same(again, run(plain(url).retrieve("family-5")))


def test_a_tracker_that_grew_after_it_was_saved_is_not_reused(url):
    """Rasa's create_tracker saves a new conversation and goes on adding events to it."""
    cached = store(url)
    tracker = run(cached.get_or_create_tracker("family-6"))
    tracker.update(ActionExecuted("action_session_start"))
    assert run(cached.retrieve("family-6")) is not tracker
    assert cached.hits == 0


def test_only_the_latest_session_is_kept(url):
    cached = store(url)
    run(message(cached, "family-7", "question 1", "ehcp"))
    tracker = run(cached.retrieve("family-7"))
    tracker.update_with_events(
        [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")], DOMAIN
    )
    tracker.update_with_events([UserUttered("a week later"), ActionExecuted("action_reply")], DOMAIN)
    run(cached.save(tracker))
    kept = run(cached.retrieve("family-7"))
    assert isinstance(kept.events[0], SessionStarted)
    assert same(kept, run(plain(url).retrieve("family-7")))


def test_at_most_cache_size_conversations_are_kept(url):
    cached = store(url, cache_size=2)
    for sender in ["a", "b", "c"]:
        run(message(cached, sender, "hello", "ehcp"))
    for sender in ["c", "b", "a"]:
        run(message(cached, sender, "again", "ehcp"))
    assert (cached.hits, cached.misses) == (2, 4)  # "a" was the oldest, and no longer kept


def test_rasa_builds_this_store_from_the_endpoints_file(url):
    """Rasa falls back to a tracker store in memory, with only a warning, if the class cannot be loaded."""
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import EndpointConfig

    from bot.nlu.endpoints import TRACKER_STORE

    built = TrackerStore.create(EndpointConfig(url=url, type=TRACKER_STORE), domain=DOMAIN)
    assert isinstance(built, CachedSQLTrackerStore)
