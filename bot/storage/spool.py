"""Call-back requests are kept on local disk while the app database is down, and written later.

A family who asked for a call-back must not be lost because PostgreSQL restarted. The
request gets its reference at once, is written to one file per request (fsynced,
readable by this user only) and moved into the database by `drain` when it answers
again; the email to staff follows from there as usual. Writing is idempotent by
reference, so a drain cut short by a crash never stores a request twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import threading
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bot.core.settings import Settings
from bot.storage.mailer import deliver_pending
from bot.storage.store import NewCallback, Store, new_reference, utcnow

log = logging.getLogger(__name__)
_catching_up = threading.Lock()  # one round at a time, so a spooled request is moved once


class NotSaved(Exception):
    """Neither the database nor the spool could keep the request."""


class Spool:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def put(self, reference: str, request: NewCallback, created_at: dt.datetime) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        record = {"reference": reference, "created_at": created_at.isoformat(), "request": dataclasses.asdict(request)}
        partial = self.folder / f".{reference}.json.partial"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(record, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, self.folder / f"{reference}.json")

    def waiting(self) -> list[Path]:
        return sorted(self.folder.glob("CB-*.json")) if self.folder.is_dir() else []

    def drain(self, store: Store) -> int:
        """Move every spooled request into the database; returns how many. A database error stops it
        (and propagates); what is left waits for the next round. A file that cannot be read is set
        aside as `.bad` with an error in the log, and the others still move."""
        moved = 0
        for path in self.waiting():
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
                request = NewCallback(**record["request"])
                created_at = dt.datetime.fromisoformat(record["created_at"])
                reference = str(record["reference"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                path.replace(path.with_suffix(".bad"))
                log.error(
                    "call-back spool file %s cannot be read (%s); set aside as %s for staff to check",
                    path.name,
                    type(exc).__name__,
                    path.with_suffix(".bad").name,
                )
                continue
            store.add_callback(request, reference=reference, created_at=created_at)
            path.unlink()
            moved += 1
            log.info("call-back %s: moved from the spool into the database", reference)
        return moved


def save(store: Store, spool: Spool, request: NewCallback) -> str:
    """Store a call-back request, or spool it while the database is down; returns its reference."""
    try:
        return store.add_callback(request).reference
    except SQLAlchemyError as exc:
        reference = new_reference()
        try:
            spool.put(reference, request, utcnow())
        except OSError as spool_error:
            log.error(
                "call-back not saved: database (%s) and spool (%s) both failed", type(exc).__name__, type(spool_error).__name__
            )
            raise NotSaved from spool_error
        log.warning("call-back %s: database not answering (%s); kept in the spool", reference, type(exc).__name__)
        return reference


def catch_up(store: Store, spool: Spool, settings: Settings) -> None:
    """Bring the database up to date and email staff: migrate if start-up could not, move spooled
    requests in, send pending emails. While the database is down it logs and waits for the next round."""
    try:
        with _catching_up:
            if not store.migrated:
                store.migrate()
            spool.drain(store)
            deliver_pending(store, settings)
    except SQLAlchemyError as exc:
        log.warning("call-backs wait: the database is not answering (%s)", type(exc).__name__)
    except Exception:  # anything else must not stop later rounds: log it, and try again next round
        log.exception("call-back round failed; trying again next round")
