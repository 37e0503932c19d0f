"""Rasa's SQL tracker store, keeping the conversations this process has just saved.

For every message Rasa reads the conversation's events from the database, decodes each
from JSON and replays them one by one into a tracker: about 40% of the Rasa server's time
under load (py-spy, 20 conversations). Yet the tracker it rebuilds is, almost always, the one
this same process saved a few seconds earlier.

So a tracker is kept in memory after it is saved, and the next message of that conversation
takes it after one indexed query: the newest event id the database holds for the
conversation. Anything that makes the kept tracker doubtful sends that message back to
Rasa's own read, so the answers never depend on what is kept:
- another replica answered in between: the database has a newer event id;
- a message failed half-way, or Rasa went on using a tracker after saving it (its
  create_tracker does): the tracker has more events than were saved, and events are only
  ever added to a tracker, so its length tells;
- the process restarted, or the conversation fell out of the last CACHE_SIZE: nothing is kept.

A kept tracker holds exactly what a read would give: the events from the conversation's
latest `SessionStarted` on (the events before it are dropped when it is put back; the
session start resets a tracker's state, so they change nothing). Saving writes the events
after those the process knows are stored, instead of counting them in the database again.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

# About 100 KB a tracker at the end of a long conversation: at most about 50 MB.
CACHE_SIZE = 500


class CachedSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQLTrackerStore (same tables, same answers), reusing trackers it saved itself."""

    def __init__(self, *args: Any, cache_size: int = CACHE_SIZE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cache_size = cache_size
        # conversation id -> (tracker, the newest event id stored for it, how many of its events are stored)
        self._kept: OrderedDict[str, tuple[DialogueStateTracker, int, int]] = OrderedDict()
        self.hits = self.misses = 0

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        kept = self._kept.get(sender_id)
        if kept is not None:
            tracker, newest, stored = kept
            if len(tracker.events) == stored and await asyncio.to_thread(self._is_newest, sender_id, newest):
                self.hits += 1
                if sender_id in self._kept:  # other conversations may have pushed it out meanwhile
                    self._kept.move_to_end(sender_id)
                return tracker
            self._kept.pop(sender_id, None)
        self.misses += 1
        return await super().retrieve(sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save, which also learns the newest event id in the same transaction."""
        await self.stream_events(tracker)
        kept = self._kept.get(tracker.sender_id)
        stored = kept[2] if kept is not None and kept[0] is tracker else None
        newest = await asyncio.to_thread(self._write, tracker, stored)
        _drop_earlier_sessions(tracker)
        self._kept[tracker.sender_id] = (tracker, newest, len(tracker.events))
        self._kept.move_to_end(tracker.sender_id)
        while len(self._kept) > self.cache_size:
            self._kept.popitem(last=False)

    def _write(self, tracker: DialogueStateTracker, stored: int | None) -> int:
        """Write the events after the first `stored` (all that are new when None); return the newest id.

        It runs in a worker thread: Rasa's event loop serves other conversations while the
        database answers, instead of waiting with them (the conversation itself is locked)."""
        with self.session_scope() as session:
            if stored is None:
                events: Iterable[Event] = super()._additional_events(session, tracker)
            else:
                events = itertools.islice(tracker.events, stored, len(tracker.events))
            rows = [self._row(tracker.sender_id, event) for event in events]
            session.add_all(rows)
            session.flush()  # gives the rows their ids
            newest = max((row.id for row in rows), default=None) or self._newest_event_id(session, tracker.sender_id)
            session.commit()
        return newest

    def _row(self, sender_id: str, event: Event) -> Any:
        """One event as Rasa's SQLTrackerStore.save writes it."""
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )

    def _is_newest(self, sender_id: str, newest: int) -> bool:
        with self.session_scope() as session:
            return self._newest_event_id(session, sender_id) == newest

    def _newest_event_id(self, session: Any, sender_id: str) -> int:
        newest = session.query(sa.func.max(self.SQLEvent.id)).filter(self.SQLEvent.sender_id == sender_id).scalar()
        return int(newest or 0)


def _drop_earlier_sessions(tracker: DialogueStateTracker) -> None:
    """Keep the events from the latest session start on, as a read from the database would."""
    starts = [i for i, event in enumerate(tracker.events) if isinstance(event, SessionStarted)]
    for _ in range(starts[-1] if starts else 0):
        tracker.events.popleft()
