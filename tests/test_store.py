"""Call-back storage on SQLite and PostgreSQL, migrations, and the retention purge."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import text, update

from bot.core.feedback import NewFeedback
from bot.storage.store import CallbackRequest, Feedback, NewCallback, purge_conversations

REQUEST = NewCallback("s1", "Ann Smith", "07911 123456", None, "after 3pm", "mediation", "Thanet", "About mediation")


def test_migrations_create_the_schema_and_run_twice(store):
    store.migrate()
    store.migrate()
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0005"


def test_a_request_is_stored_pending_then_marked_sent(store):
    store.migrate()
    row = store.add_callback(REQUEST)
    assert row.reference.startswith("CB-") and len(row.reference) == 11
    assert [r.reference for r in store.pending_emails()] == [row.reference]
    store.record_attempt(row.reference, "ConnectionRefusedError")
    assert store.get(row.reference).email_attempts == 1 and store.get(row.reference).email_status == "pending"
    store.record_attempt(row.reference, None)
    saved = store.get(row.reference)
    assert (saved.email_status, saved.email_attempts, saved.last_error) == ("sent", 2, None)
    assert (saved.name, saved.phone, saved.district) == ("Ann Smith", "07911 123456", "Thanet")
    assert store.pending_emails() == []


def test_purge_deletes_only_requests_and_feedback_past_retention(store):
    store.migrate()
    old, new = store.add_callback(REQUEST), store.add_callback(REQUEST)
    old_feedback = store.add_feedback(NewFeedback("old-session", "mediation", False, "[email removed]"))
    store.add_feedback(NewFeedback("new-session", "mediation", True, None))
    with store.engine.begin() as connection:
        connection.execute(
            update(CallbackRequest.__table__)
            .where(CallbackRequest.reference == old.reference)
            .values(created_at=dt.datetime(2026, 1, 1))
        )
        connection.execute(
            update(Feedback.__table__).where(Feedback.id == old_feedback.id).values(created_at=dt.datetime(2026, 1, 1))
        )
    purged = store.purge(dt.timedelta(days=90))
    assert (purged.callbacks, purged.feedback) == (1, 1)
    assert store.get(old.reference) is None and store.get(new.reference) is not None
    assert store.feedback("old-session") == [] and len(store.feedback("new-session")) == 1


def test_purge_deletes_old_conversation_events(tmp_path):
    db = tmp_path / "rasa-tracker.db"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, timestamp REAL, data TEXT)")
        now = dt.datetime.now(dt.timezone.utc).timestamp()
        connection.executemany(
            "INSERT INTO events (sender_id, timestamp, data) VALUES (?, ?, ?)",
            [("a", now - 100 * 86400, "old"), ("a", now, "new")],
        )
    assert purge_conversations(f"sqlite:///{db}", dt.timedelta(days=90)) == 1
    with sqlite3.connect(db) as connection:
        assert [r[0] for r in connection.execute("SELECT data FROM events")] == ["new"]


@pytest.mark.stack
def test_purge_command(tmp_path):
    env = {"BOT_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "bot.ops.cli", "data", "purge", "--older-than", "90d"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "deleted 0 call-back requests, 0 feedback responses, 0 unanswered questions and 0 conversation events older than 90 days"
    )
    bad = subprocess.run(
        [sys.executable, "-m", "bot.ops.cli", "data", "purge", "--older-than", "soon"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert bad.returncode == 2 and "not a period like 90d" in bad.stderr


def test_email_retries_back_off_then_stop_with_a_visible_failed_status(tmp_path, config, caplog):
    """Retries once never stopped and never backed off."""
    import dataclasses

    from bot.core.ports import free_ports
    from bot.storage.mailer import MAX_ATTEMPTS, deliver_pending
    from bot.storage.store import Store

    store = Store(f"sqlite:///{tmp_path / 'app.db'}")
    store.migrate()
    row = store.add_callback(REQUEST)
    nobody = dataclasses.replace(config, smtp_host="127.0.0.1", smtp_port=free_ports(1)[0], email_retry_seconds=60)
    now = dt.datetime.utcnow()
    assert deliver_pending(store, nobody, now) == (0, 1)
    assert deliver_pending(store, nobody, now + dt.timedelta(seconds=30)) == (0, 0), "not due yet: backing off"
    assert deliver_pending(store, nobody, now + dt.timedelta(seconds=61)) == (0, 1)
    assert deliver_pending(store, nobody, now + dt.timedelta(seconds=90)) == (0, 0), "the wait has doubled"
    later = now
    for _ in range(MAX_ATTEMPTS):
        later += dt.timedelta(hours=2)
        deliver_pending(store, nobody, later)
    saved = store.get(row.reference)
    assert (saved.email_status, saved.email_attempts) == ("failed", MAX_ATTEMPTS)
    assert store.pending_emails() == []
    assert any(
        r.levelname == "ERROR" and row.reference in r.getMessage() and "no more tries" in r.getMessage() for r in caplog.records
    )
