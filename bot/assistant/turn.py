"""One turn of a conversation: the family's message as Rasa understood it, and what the
handlers build in reply to it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.assistant.certainty import Judgement
from bot.assistant.content import Content
from bot.assistant.elsewhere import Elsewhere
from bot.assistant.glossary import Entry
from bot.core.areas import Place
from bot.core.callback_status import CallbackLookup
from bot.core.services import ServiceFinder


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
    # Rasa's intents for this message, most likely first, with their probabilities
    ranking: tuple[tuple[str, float], ...] = ()
    roman: bool = False  # Urdu or Nepali written in Latin letters ("mera beta autistic hai")
    script: str | None = None  # "asked", or the language chosen for Latin-letter messages
    directory_query: str | None = None  # a directory search that waits for the family's town


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
    judgement: Judgement | None = None  # answer, ask "did you mean", or search (bot/assistant/certainty.py)
    elsewhere: Elsewhere | None = None  # a family outside Kent, or a request that is not ours
    services: ServiceFinder | None = None  # the Local Offer's services directory, where this process has one
    callbacks: CallbackLookup | None = None  # where a family's call-back request stands
    restart: bool = False
