"""Usage counts for the console's charts (bot/web/usage.py): counted as replies go out, added to
the real app database in one go, never holding a session id."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from bot.core.hours import LONDON
from bot.storage.store import Store
from bot.web.reports import charts
from bot.web.usage import Usage

NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)


def test_conversations_messages_topics_and_handoffs_are_counted_per_day(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'app.db'}")
    store.migrate()
    usage = Usage(store)
    answer = [{"kind": "answer", "topic": "ehcp-what-is"}]
    usage.record("session-a", "en", answer, NOW)
    usage.record("session-a", "en", [{"kind": "handoff", "topic": None}], NOW)
    usage.record("session-b", "pl", answer, NOW)
    usage.record("session-a", "en", answer, NOW + dt.timedelta(days=1))  # a new day: counted again
    usage.flush()
    usage.record("session-c", "en", answer, NOW)
    usage.flush()  # added to what is there
    rows = {(u.day.isoformat(), u.metric, u.key): u.count for u in store.usage(dt.date(2026, 12, 1))}
    assert rows[("2026-12-07", "conversations", "en")] == 2
    assert rows[("2026-12-07", "conversations", "pl")] == 1
    assert rows[("2026-12-07", "messages", "en")] == 3
    assert rows[("2026-12-07", "topics", "ehcp-what-is")] == 3
    assert rows[("2026-12-07", "handoffs", "")] == 1
    assert rows[("2026-12-08", "conversations", "en")] == 1
    with store.engine.connect() as connection:
        stored = " ".join(" ".join(map(str, r)) for r in connection.execute(text("SELECT * FROM usage_daily")))
    assert "session" not in stored


def test_the_charts_describe_their_numbers_in_text():
    numbers = {
        "closed": [],
        "feedback": [("mediation", True, 3), ("mediation", False, 1)],
        "unanswered": {"fallback": 2},
        "usage": [(dt.date(2026, 12, 7), "conversations", "en", 5), (dt.date(2026, 12, 7), "topics", "mediation", 4)],
    }
    rendered = {title: str(chart) for title, chart in charts(numbers)}
    assert "Conversations each day: Mon 7 Dec 5" in rendered["Conversations each day"]
    assert "mediation 75%" in rendered["Answers found helpful, by topic"]
    assert "role='img'" in rendered["Most asked topics"]
    assert "No call-backs closed yet" in rendered["Time to call back"]
