"""Run Rasa's own server, with three speed fixes.

1. Tracker store commits wait for no fsync of their own. SQLite: write-ahead logging with
   `synchronous=NORMAL`; PostgreSQL: `synchronous_commit=off` on Rasa's connections only.
   Both are safe against a crash of the process and never corrupt the database; the last
   messages could be lost on power loss (PostgreSQL: at most about 0.6 s of them), which a
   chat tracker can afford. Rasa's tracker store is synchronous, so every wait for a disk
   stalls all of its conversations. SQLite without it: p95 at 20 conversations 909 ms,
   with it tens of ms (`make bench`).
2. Rasa 3.6 checks every action server response with `jsonschema.validate`, which
   re-checks the whole schema against the JSON Schema meta-schema on every call: about
   60% of Rasa's time per message in our profile (py-spy). We build the validator once
   and validate each response against the same schema, with the same error.
3. For each message Rasa runs its prediction graph through dask's scheduler, whose
   bookkeeping cost more than the intent classifier; bot/nlu/graph_runner.py runs the same
   nodes by plain recursion.

Beside them, one fix of a Rasa bug that several replicas meet:

4. A conversation's ticket lock serves only the oldest unexpired ticket. When a replica
   is killed mid-message, its ticket lives on in Redis until it expires; the message,
   retried on another replica, waits behind it with a ticket issued a moment later, so
   both expire within the same poll interval and the waiter is then never served (Rasa
   compares against "now serving" 0). We serve a ticket when no unexpired ticket is
   ahead of it, which is the same rule whenever the waiter's own ticket is alive.

And one for privacy: Rasa's structured log lines can carry what a family typed (for
example `rest.message.received.timeout text=...`). Rasa Open Source has the hook for
anonymising them but no pipeline behind it; ours replaces those values with
"[redacted]". Database errors are logged with their SQL, so engines are made with
SQLAlchemy's `hide_parameters`: an event that failed to save is not printed either.

Nothing else about Rasa changes; `python -m bot.nlu.rasa_server run ...` takes Rasa's arguments.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from bot.core import lean

os.environ["RASA_TELEMETRY_ENABLED"] = "false"
lean.one_thread_for_maths()  # before numpy loads (bot/core/lean.py says why)


def patch_action_validation() -> None:
    import jsonschema
    from rasa.core.actions.action import RemoteAction

    validators: dict[int, Any] = {}
    original = RemoteAction._validate_action_result

    def validate_with_cached_validator(self: RemoteAction, result: dict[str, Any]) -> bool:
        schema = self.action_response_format_spec()
        validator = validators.get(id(type(self)))
        if validator is None:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = validators[id(type(self))] = cls(schema)
        if jsonschema.exceptions.best_match(validator.iter_errors(result)) is None:
            return True
        return original(self, result)  # the original raises Rasa's own explanatory error

    RemoteAction._validate_action_result = validate_with_cached_validator


def tune_databases() -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _settings(connection: Any, _record: Any) -> None:
        module = type(connection).__module__
        if module.startswith("sqlite3"):
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
        elif module.startswith("psycopg2"):
            cursor = connection.cursor()
            cursor.execute("SET synchronous_commit TO OFF")
            cursor.close()
            connection.commit()


def patch_ticket_lock() -> None:
    from rasa.core.lock import TicketLock

    def is_locked(self: TicketLock, ticket_number: int) -> bool:
        return any(t.number < ticket_number and not t.has_expired() for t in self.tickets)

    TicketLock.is_locked = is_locked


def redact_logs() -> None:
    """Before Rasa configures structlog, which reads `_anonymizer` from the module at that moment."""
    from rasa.utils import log_utils

    original = log_utils._anonymizer
    keys = (
        "text",
        "response_text",
        "user_text",
        "message",
        "user_message",
        "json_message",
        "response",
        "parse_data_text",
        "parse_data_entities",
        "tracker_latest_message",
        "slot_values",
        "rasa_event",
        "rasa_events",
    )

    def redact(logger: Any, name: str, event: dict[str, Any]) -> dict[str, Any]:
        return original(logger, name, {k: "[redacted]" if k in keys else v for k, v in event.items()})

    log_utils._anonymizer = redact

    import sqlalchemy

    create_engine = sqlalchemy.create_engine
    sqlalchemy.create_engine = lambda *args, **kwargs: create_engine(*args, **{"hide_parameters": True, **kwargs})


def run_graphs_without_dask() -> None:
    """The model's prediction graph runs on bot/nlu/graph_runner.py (Rasa's processor loads it)."""
    from rasa.core import processor

    from bot.nlu.graph_runner import SequentialGraphRunner

    processor.DaskGraphRunner = SequentialGraphRunner


def main() -> None:
    tune_databases()
    patch_action_validation()
    patch_ticket_lock()
    run_graphs_without_dask()
    redact_logs()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
