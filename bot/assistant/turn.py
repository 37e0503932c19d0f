"""One turn of a conversation: the family's message as Rasa understood it, and what the
handlers build in reply to it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.assistant.content import Content
from bot.assistant.glossary import Entry
from bot.core.areas import Place


@dataclass
class Turn:
    """One message from the family, as Rasa understood it, with the session's state."""

    text: str
    intent: str
    confidence: float = 1.0
    entities: dict[str, Any] = field(default_factory=dict)
    language: str = "en"
    reading_level: str = "standard"
    last_topic: str | None = None
    district: str | None = None
    awaiting_area: bool = False  # the last reply asked which town or district they live in
    awaiting_date: str | None = None  # the last reply asked for a date this calculation needs


@dataclass
class Reply:
    messages: list[dict[str, Any]]
    slots: dict[str, Any]
    restart: bool = False


@dataclass
class TurnContext:
    """What every handler reads, and the reply they add to, for one turn.

    `intent` starts as Rasa's and may be refined before the handlers run (a low-confidence
    "thanks" is a fallback; "who do I ring" is a request for a person).
    """

    turn: Turn
    intent: str
    content: Content
    place: Place | None
    now: dt.datetime
    _: Callable[[str], str]
    messages: list[dict[str, Any]] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)
    glossary_entry: Entry | None = None
    restart: bool = False
