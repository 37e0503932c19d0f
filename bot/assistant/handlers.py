"""Each kind of turn, as a small handler. `HANDLERS` is the one place their order is set.

A handler looks at the turn and either adds its messages and returns True, or returns
False and leaves the turn to the next one. The safety message is not a handler: it is
added before any of them run (bot/assistant/dialogue.py), so no handler can skip it.
A new capability is a new handler here, with its own tests, placed in `HANDLERS`.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.assistant import replies
from bot.assistant.replies import AREA_LABELS, area_buttons, person_button
from bot.assistant.turn import TurnContext
from bot.core.messages import message

Handler = Callable[[TurnContext], bool]


def glossary_term(ctx: TurnContext) -> bool:
    """ "What does SEMH mean?": the term in plain words."""
    entry = ctx.glossary_entry
    if entry is None:
        return False
    text = entry.easy if ctx.turn.reading_level == "easy" else entry.meaning
    ctx.messages.append(
        message(
            "answer",
            f"**{entry.term}**: {text}",
            topic="glossary",
            contacts=ctx.content.topics["glossary"].contacts,
            buttons=[person_button(ctx._)],
        )
    )
    ctx.slots["last_topic"] = "glossary"
    return True


def topic_answer(ctx: TurnContext) -> bool:
    """A question about a topic: its page at the family's reading level."""
    if ctx.intent not in ctx.content.topics:
        return False
    ctx.messages.append(replies.answer(ctx.content, ctx.intent, ctx.turn, ctx._, level=ctx.turn.reading_level, part="answer"))
    ctx.slots["last_topic"] = ctx.intent
    return True


def follow_up(ctx: TurnContext) -> bool:
    """ "Easier words" and "tell me more", about the last topic."""
    if ctx.intent not in ("simpler", "tell_me_more"):
        return False
    last = ctx.turn.last_topic
    if last in ctx.content.topics:
        level = "easy" if ctx.intent == "simpler" else ctx.turn.reading_level
        part = "more" if ctx.intent == "tell_me_more" else "answer"
        ctx.messages.append(replies.answer(ctx.content, last, ctx.turn, ctx._, level=level, part=part))
    else:
        ctx.messages.append(
            message(
                "chat", ctx._("What would you like to know? Type your question, or choose a topic."), buttons=area_buttons(ctx._)
            )
        )
    return True


def talk_to_person(ctx: TurnContext) -> bool:
    """The people who can help, chosen by area and topic; asks for the area when unknown."""
    if ctx.intent != "talk_to_person":
        return False
    ctx.messages.extend(replies.handoff(ctx.content, ctx.turn, ctx.place, ctx.now, ctx._))
    ctx.slots["awaiting_area"] = not ctx.turn.district and not (ctx.place and ctx.place.medway)
    return True


def callback_form(ctx: TurnContext) -> bool:
    """Opens the call-back form, saying what the details are used for."""
    if ctx.intent != "request_callback":
        return False
    text = ctx._(
        "To ask for a call-back, fill in the form with your name, a phone number or email, and what it is about. "
        "We only use these details to contact you about your request, and we delete them after 90 days."
    )
    form = message("chat", text)
    form["form"] = "callback"
    ctx.messages.append(form)
    return True


def browse_area(ctx: TurnContext) -> bool:
    area = ctx.turn.entities.get("area")
    if ctx.intent != "browse_area" or area not in AREA_LABELS:
        return False
    ctx.messages.append(replies.browse(ctx.content, area, ctx.turn.language, ctx._))
    return True


def greet(ctx: TurnContext) -> bool:
    if ctx.intent not in ("greet", "what_can_you_do"):
        return False
    text = ctx._(
        "Hello. I am an automated assistant from Kent County Council. "
        "I can answer questions about special educational needs and disabilities (SEND) in Kent. "
        "Type your question, or choose a topic."
    )
    ctx.messages.append(message("chat", text, buttons=area_buttons(ctx._)))
    return True


def bot_challenge(ctx: TurnContext) -> bool:
    """ "Am I talking to a person?": an honest no, and who can help."""
    if ctx.intent != "bot_challenge":
        return False
    text = ctx._(
        "I am an automated assistant run by Kent County Council, not a person. "
        "I cannot pass this chat to a person, but I can give you the details of people who can help."
    )
    ctx.messages.append(message("chat", text, buttons=[person_button(ctx._)]))
    return True


def thanks(ctx: TurnContext) -> bool:
    if ctx.intent != "thanks":
        return False
    ctx.messages.append(message("chat", ctx._("You're welcome. Ask me another question at any time.")))
    return True


def goodbye(ctx: TurnContext) -> bool:
    if ctx.intent != "goodbye":
        return False
    ctx.messages.append(message("chat", ctx._("Goodbye. You can come back and ask at any time.")))
    return True


def start_again(ctx: TurnContext) -> bool:
    """Forgets the conversation (Rasa restarts the tracker)."""
    if ctx.intent != "start_again":
        return False
    ctx.messages.append(message("chat", ctx._("Let's start again. What would you like to know?"), buttons=area_buttons(ctx._)))
    ctx.restart = True
    return True


def fallback(ctx: TurnContext) -> bool:
    """Anything else, unless a safety message already answered it: say so, and who can help."""
    if ctx.messages:
        return False
    ctx.messages.append(replies.fallback(ctx._))
    return True


# The order turns are tried in. The first handler that returns True answers the turn.
HANDLERS: tuple[Handler, ...] = (
    glossary_term,
    topic_answer,
    follow_up,
    talk_to_person,
    callback_form,
    browse_area,
    greet,
    bot_challenge,
    thanks,
    goodbye,
    start_again,
    fallback,
)
