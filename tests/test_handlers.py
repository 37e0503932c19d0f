"""The handler chain: each kind of turn answered by one small handler, in one visible order."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.assistant import handlers
from bot.assistant.dialogue import Responder
from bot.assistant.turn import Turn, TurnContext

NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.timezone.utc)


@pytest.fixture()
def context(loaded):
    def make(intent: str, text: str = "q", **turn: object) -> TurnContext:
        return TurnContext(
            turn=Turn(text, intent, **turn),
            intent=intent,
            content=loaded,
            place=None,
            now=NOW,
            _=lambda s: s,
        )

    return make


def test_the_order_is_written_once_and_the_fallback_is_last():
    assert handlers.HANDLERS[-1] is handlers.fallback
    assert handlers.HANDLERS.index(handlers.glossary_term) < handlers.HANDLERS.index(handlers.topic_answer)


@pytest.mark.parametrize("handler", [h for h in handlers.HANDLERS if h is not handlers.fallback])
def test_a_handler_leaves_a_turn_that_is_not_its_own(context, handler):
    ctx = context("no_such_intent")
    assert handler(ctx) is False
    assert ctx.messages == [] and ctx.slots == {}


def test_a_topic_is_answered_and_remembered(context, loaded):
    ctx = context("mediation")
    assert handlers.topic_answer(ctx)
    assert ctx.messages[0]["topic"] == "mediation" and ctx.slots["last_topic"] == "mediation"


def test_follow_ups_without_a_topic_ask_what_the_family_wants(context):
    ctx = context("simpler")
    assert handlers.follow_up(ctx)
    assert ctx.messages[0]["kind"] == "chat" and ctx.messages[0]["buttons"]


def test_the_fallback_stays_quiet_after_a_safety_message(context):
    ctx = context("nlu_fallback")
    ctx.messages.append({"kind": "safeguarding", "buttons": []})
    assert handlers.fallback(ctx) is False
    assert handlers.fallback(context("nlu_fallback")) is True


def test_start_again_asks_rasa_to_restart(context):
    ctx = context("start_again")
    assert handlers.start_again(ctx) and ctx.restart


def test_a_new_handler_is_one_entry_in_the_chain(loaded):
    """What a new capability looks like: a function, placed in the tuple."""

    def dates(ctx: TurnContext) -> bool:
        if "deadline" not in ctx.turn.text:
            return False
        ctx.messages.append({"kind": "answer", "text": "dates", "buttons": [], "topic": None, "contacts": []})
        return True

    responder = Responder(lambda: loaded, handlers=(dates, *handlers.HANDLERS))
    reply = responder.respond(Turn("when is the deadline", "mediation", 0.9))
    assert [m["text"] for m in reply.messages] == ["dates"]
    assert reply.messages[0]["buttons"][-1]["payload"] == "/talk_to_person"  # the person route still added
