"""The Rasa launcher's fixes keep Rasa's behaviour: bad action responses are still rejected."""

from __future__ import annotations

import sqlite3
import time
from collections import deque

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot.nlu import rasa_server


@pytest.fixture(scope="module", autouse=True)
def patched():
    rasa_server.patch_action_validation()
    rasa_server.tune_databases()
    rasa_server.patch_ticket_lock()
    rasa_server.redact_logs()


def test_valid_action_responses_pass():
    action = RemoteAction("action_reply", EndpointConfig("http://127.0.0.1:1"))
    response = {"events": [{"event": "slot", "name": "language", "value": "en"}], "responses": [{"custom": {}}]}
    assert action._validate_action_result(response) is True
    assert action._validate_action_result(response) is True


def test_invalid_action_responses_are_still_rejected():
    action = RemoteAction("action_reply", EndpointConfig("http://127.0.0.1:1"))
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": "not a list"})


def test_sqlite_engines_use_write_ahead_logging(tmp_path):
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    assert sqlite3.connect(tmp_path / "x.db").execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_postgresql_commits_of_the_tracker_store_wait_for_no_disk_flush(postgres):
    from sqlalchemy import create_engine, text

    from tests import servers

    with servers.fresh_database("tune") as url:
        engine = create_engine(url)
        with engine.connect() as connection:
            assert connection.execute(text("SHOW synchronous_commit")).scalar() == "off"
        engine.dispose()


def test_a_waiter_is_served_once_every_ticket_ahead_of_it_has_expired():
    from rasa.core.lock import Ticket, TicketLock

    now = time.time()
    dead_holder, waiter, later = Ticket(0, now - 1), Ticket(1, now - 0.5), Ticket(2, now + 20)
    lock = TicketLock("s", deque([dead_holder, waiter, later]))
    assert not lock.is_locked(1), "the killed replica's ticket and the waiter's own both expired: serve it"
    assert TicketLock("s", deque([Ticket(0, now + 20), Ticket(1, now + 20)])).is_locked(1), "a live ticket ahead"
    assert TicketLock("s", deque([Ticket(0, now - 1), Ticket(1, now + 20), Ticket(2, now + 20)])).is_locked(2)
    assert not TicketLock("s", deque([Ticket(0, now + 20)])).is_locked(0)


def test_rasa_log_lines_never_carry_what_a_family_typed():
    from rasa.utils import log_utils

    event = log_utils._anonymizer(None, "error", {"event": "rest.message.received.timeout", "text": "my son Tom, 07911 123456"})
    assert event == {"event": "rest.message.received.timeout", "text": "[redacted]"}


def test_database_errors_in_rasa_s_log_never_show_the_values():
    import sqlalchemy

    engine = sqlalchemy.create_engine("sqlite://")
    with pytest.raises(sqlalchemy.exc.OperationalError) as error, engine.connect() as connection:
        connection.execute(sqlalchemy.text("INSERT INTO events VALUES (:text)"), {"text": "my son Tom"})
    assert "my son Tom" not in str(error.value)


def test_models_are_loaded_with_the_runner_that_needs_no_dask():
    from rasa.core import processor

    from bot.nlu.graph_runner import SequentialGraphRunner

    rasa_server.run_graphs_without_dask()
    assert processor.DaskGraphRunner is SequentialGraphRunner
