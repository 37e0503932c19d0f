"""The one custom action: a thin edge between Rasa and bot.assistant.dialogue."""

from __future__ import annotations

import signal
from typing import Any

from bot.core import lean

lean.keep_out()  # this process never runs a neural network: spaCy without TensorFlow saves ~350 MB
lean.one_thread_for_maths()  # before numpy loads: one conversation's maths at a time, no spinning helpers

from rasa_sdk import Action, Tracker  # noqa: E402
from rasa_sdk.events import EventType, Restarted, SlotSet  # noqa: E402
from rasa_sdk.executor import CollectingDispatcher  # noqa: E402

from bot.assistant.certainty import read_certainty  # noqa: E402
from bot.assistant.content import LiveContent  # noqa: E402
from bot.assistant.dialogue import Responder  # noqa: E402
from bot.assistant.language import detector  # noqa: E402
from bot.assistant.safety_training import NLU_DATA, safety_classifier  # noqa: E402
from bot.assistant.similar_questions import similar_questions  # noqa: E402
from bot.assistant.turn import Turn  # noqa: E402
from bot.core import settings  # noqa: E402
from bot.storage.directory import Directory  # noqa: E402
from bot.storage.store import Store  # noqa: E402

READING_LEVELS = ("standard", "easy")


def build_responder(config: settings.Settings) -> Responder:
    """Built when the action server starts, so bad content or settings stop it at once.

    Everything staff own (answers, contacts, phrase lists, areas) follows the files by itself,
    in a background thread; SIGHUP asks it to reload now. No conversation waits for a reload.
    """
    content = LiveContent(config.content_dir)
    signal.signal(signal.SIGHUP, lambda *_: content.reload_soon())
    store = Store(config.database_url)
    services = Directory(store)  # searched live: a finished sync shows at once
    classifier = safety_classifier(content.get(), config)
    certainty = read_certainty()
    # Like Rasa's model, the similar-questions index follows the examples when the assistant
    # restarts; with the vote turned off (data/certainty.yml) it is not loaded at all.
    similar = similar_questions(content.get(), NLU_DATA, config.models_dir) if certainty.asks_for_votes else None
    detector(config.languages).load_models()
    lean.release_freed_memory()  # what loading the models used and freed (bot/core/lean.py)
    return Responder(content.get, classifier=classifier, services=services, callbacks=store, certainty=certainty, similar=similar)


CONFIG = settings.load()
RESPONDER = build_responder(CONFIG)


def turn_from_tracker(tracker: Tracker) -> Turn:
    """The latest message and the session's slots; the web app's choices arrive as metadata."""
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    metadata = message.get("metadata") or {}
    text = message.get("text") or ""
    # The client's language switch decides; without it, the message's own language does.
    session_language = tracker.get_slot("language") or CONFIG.languages[0]
    script = tracker.get_slot("script")
    roman = False
    language = metadata.get("language")
    if not language:
        language, roman = detector(CONFIG.languages).detect_script(text, session_language)
        if roman and script == "en":
            language = "en"  # Urdu or Nepali in Latin letters, from a family who chose English answers
    level = metadata.get("reading_level") or tracker.get_slot("reading_level") or "standard"
    return Turn(
        text=text,
        intent=intent.get("name") or "nlu_fallback",
        confidence=float(intent.get("confidence") or 0.0),
        entities={e["entity"]: e.get("value") for e in message.get("entities") or []},
        language=language,
        reading_level=level if level in READING_LEVELS else "standard",
        last_topic=tracker.get_slot("last_topic"),
        district=tracker.get_slot("district"),
        awaiting_area=bool(tracker.get_slot("awaiting_area")),
        awaiting_date=tracker.get_slot("awaiting_date"),
        ranking=tuple(
            (str(r.get("name")), float(r.get("confidence") or 0.0)) for r in message.get("intent_ranking") or [] if r.get("name")
        ),
        roman=roman,
        script=script,
        directory_query=tracker.get_slot("directory_query"),
    )


class ActionReply(Action):
    def name(self) -> str:
        return "action_reply"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        reply = RESPONDER.respond(turn_from_tracker(tracker))
        for message in reply.messages:
            dispatcher.utter_message(json_message=message)
        if reply.restart:
            return [Restarted()]
        # Only changed slots: every event is stored and re-read on each later message.
        return [SlotSet(name, value) for name, value in reply.slots.items() if tracker.get_slot(name) != value]
