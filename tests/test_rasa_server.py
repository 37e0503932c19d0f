"""The Rasa launcher's fixes keep Rasa's behaviour: bad action responses are still rejected."""

from __future__ import annotations

import sqlite3

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot import rasa_server


@pytest.fixture(scope="module", autouse=True)
def patched():
    rasa_server.patch_action_validation()
    rasa_server.tune_sqlite()


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
