"""Each kind of turn, as a small handler. `HANDLERS` is the one place their order is set.

A handler looks at the turn and either adds its messages and returns True, or returns
False and leaves the turn to the next one. The safety message is not a handler: it is
added before any of them run (bot/assistant/dialogue.py), so no handler can skip it.
A new capability is a new handler here, with its own tests, placed in `HANDLERS`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.assistant import replies
from bot.assistant.dates import GUIDE_CONTACTS, DateAnswer, assign, choose_calculation, dates_message, find_dates
from bot.assistant.replies import AREA_LABELS, area_buttons, person_button
from bot.assistant.search import MAX_RESULTS
from bot.assistant.services import find_services
from bot.assistant.turn import TurnContext
from bot.core import callback_status, you_said_we_did
from bot.core.date_words import DateWords
from bot.core.deadlines import Calculation, work_out
from bot.core.hours import LONDON
from bot.core.messages import TALK_TO_PERSON, message, to_html

Handler = Callable[[TurnContext], bool]
PARAGRAPH = "\n\n"


def work_out_dates(ctx: TurnContext) -> bool:
    """ "The refusal letter is dated 14 July 2026: when is the last day to appeal?": the family's
    own deadlines, worked out. Asks for the date a rule needs when the message has none, and
    reads the reply as that date. The "Work out my dates" form arrives as the `dates_form` entity."""
    rules, turn = ctx.content.deadlines, ctx.turn
    words = ctx.content.date_words.get_words(turn.language)
    if not rules.calculations or words is None:
        return False
    today = ctx.now.astimezone(LONDON).date()
    if ctx.intent == "work_out_dates":
        return _dates_from_form(ctx, words, str(turn.entities.get("dates_form") or ""), today)
    asked = words.ask.found(turn.text)
    topic = ctx.intent if ctx.intent in ctx.content.topics else None
    calculation = rules.calculations.get(turn.awaiting_date or "")
    if calculation is None:
        if not (asked or rules.for_topic(topic)):
            return False
        calculation = choose_calculation(rules, words, turn.text, topic)
        if calculation is None:
            return False
    needed = calculation.missing({})
    found = find_dates(turn.text, turn.language, today, future=bool(needed and needed[0].future))
    if not found:
        if turn.awaiting_date or not asked:
            return False  # no date in the reply: an ordinary question after all
        page = topic if topic in calculation.topics else calculation.topics[0]  # the page the family asked about
        ctx.messages.append(replies.answer(ctx.content, page, turn, ctx._, level=turn.reading_level, part="answer"))
        _ask_for(ctx, words, calculation, needed[0].id)
        ctx.slots["last_topic"] = page
        return True
    given, assumed = assign(calculation, words, turn.text, found)
    missing = calculation.missing(given)
    if missing:
        _ask_for(ctx, words, calculation, missing[0].id)
        return True
    _answer(ctx, words, DateAnswer(calculation, given, assumed, work_out(calculation, given)), today)
    return True


def _dates_from_form(ctx: TurnContext, words: DateWords, form: str, today: dt.date) -> bool:
    """The form's choice, "appeal;decision=2026-07-14": checked here too, as any client may send it."""
    name, _sep, rest = form.partition(";")
    calculation = ctx.content.deadlines.calculations.get(name)
    given: dict[str, dt.date] = {}
    try:
        for pair in filter(None, rest.split(";")):
            key, _eq, value = pair.partition("=")
            given[key] = dt.date.fromisoformat(value)
    except ValueError:
        calculation = None
    known = {i.id for i in calculation.inputs} if calculation else set()
    if calculation is None or set(given) - known or calculation.missing(given):
        ctx.messages.append(message("chat", ctx._("I could not read those dates. Please check them and try again.")))
        return True
    _answer(ctx, words, DateAnswer(calculation, given, [], work_out(calculation, given)), today)
    return True


def _ask_for(ctx: TurnContext, words: DateWords, calculation: Calculation, input_id: str) -> None:
    intro = ctx._("I can work out the dates for you.")
    ctx.messages.append(message("chat", f"{intro} {words.questions[input_id]}", topic=calculation.topics[0]))
    ctx.slots["awaiting_date"] = calculation.id
    ctx.slots["last_topic"] = calculation.topics[0]


def _answer(ctx: TurnContext, words: DateWords, answer: DateAnswer, today: dt.date) -> None:
    topic = answer.calculation.topics[0]
    contacts = ctx.content.topics[topic].contacts if topic in ctx.content.topics else []
    helpers = [ctx.content.contacts[c] for c in GUIDE_CONTACTS if c in ctx.content.contacts]
    reply = dates_message(answer, words, topic, list(contacts), ctx.turn.language, ctx.turn.reading_level, today, ctx._, helpers)
    if topic in ctx.content.topics:  # the topic's own page is one press away
        title = str(replies.page_for(ctx.content, topic, ctx.turn.language).meta.get("title", ctx.content.topics[topic].title))
        reply["buttons"].append({"title": title, "payload": f"/{topic}"})
    ctx.messages.append(reply)
    ctx.slots["last_topic"] = topic


def callback_lookup(ctx: TurnContext) -> bool:
    """ "What's happening with my call-back CB-ABCD2345?": its status and what happens next,
    never its details (the reference alone is no proof of who is asking)."""
    reference = callback_status.normalise(ctx.turn.text)
    if reference is None or ctx.callbacks is None:
        return False
    status = ctx.callbacks.status_of(reference)
    if status is None:
        text = ctx._("I could not find a call-back request with the reference {reference}. Check it, or ask for a new call-back.")
        ctx.messages.append(message("chat", text.format(reference=reference), buttons=[person_button(ctx._)]))
        return True
    text = ctx._("Your call-back request {reference}:").format(reference=reference)
    topic = "callback-status" if "callback-status" in ctx.content.topics else None
    ctx.messages.append(message("answer", f"{text} {callback_status.what_next(status, ctx._)}", topic=topic))
    return True


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


def elsewhere(ctx: TurnContext) -> bool:
    """Another council's area, another UK nation, "write me a letter", or instructions to the
    assistant: said kindly, with who can help."""
    found = ctx.elsewhere
    if found is None:
        return False
    if found.kind == "instructions":  # "ignore your rules and...": nothing a message says changes what we do
        ctx.messages.append(replies.fallback(ctx._))
    else:
        ctx.messages.append(replies.elsewhere(ctx.content, found, ctx.now, ctx.turn.language, ctx._))
    return True


def clarify(ctx: TurnContext) -> bool:
    """ "Did you mean...": the classifier is unsure, so ask rather than guess (bot/assistant/certainty.py)."""
    if ctx.judgement is None or ctx.judgement.verdict != "clarify":
        return False
    buttons = replies.topic_buttons(ctx.content, ctx.judgement.topics, ctx.turn.language)
    buttons.append({"title": ctx._("Something else"), "payload": TALK_TO_PERSON})
    ctx.messages.append(message("clarify", ctx._("I am not sure I understood. Did you mean one of these?"), buttons=buttons))
    return True


def topic_answer(ctx: TurnContext) -> bool:
    """A question about a topic: its page at the family's reading level."""
    if ctx.intent not in ctx.content.topics:
        return False
    if ctx.judgement is not None and ctx.judgement.verdict != "answer":
        return False
    ctx.messages.append(replies.answer(ctx.content, ctx.intent, ctx.turn, ctx._, level=ctx.turn.reading_level, part="answer"))
    if ctx.intent == you_said_we_did.TOPIC:
        _latest_changes(ctx)
    ctx.slots["last_topic"] = ctx.intent
    return True


def _latest_changes(ctx: TurnContext) -> None:
    """The feedback topic's answer shows what changed lately (content/you-said-we-did.md), before
    its last paragraph, so it still ends with who can help."""
    entries = ctx.content.you_said_we_did[:3]
    if entries:
        lines = [ctx._("What changed because of what families said:")]
        lines += [f"- **{e.said}**. {e.did.split(PARAGRAPH)[0]}" for e in entries]
        answer = ctx.messages[-1]
        body, _, last = answer["text"].rpartition(PARAGRAPH)
        answer["text"] = PARAGRAPH.join(filter(None, (body, "\n".join(lines), last)))
        answer["html"] = to_html(answer["text"])


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


def search_pages(ctx: TurnContext) -> bool:
    """No topic fits: the pages whose words best match, in the family's language (else English)."""
    if ctx.judgement is None or ctx.judgement.verdict != "search":
        return False
    search = ctx.content.search
    found = search.find(ctx.turn.text, ctx.turn.language) or search.find(ctx.turn.text, "en")
    # the topics whose example questions are nearest in meaning, when the judgement found them, lead
    found = list(dict.fromkeys([*ctx.judgement.topics, *found]))[:MAX_RESULTS]
    if not found:
        return False
    text = ctx._("I could not find an exact answer. These pages might help:")
    buttons = replies.topic_buttons(ctx.content, found, ctx.turn.language)
    ctx.messages.append(message("search", text, contacts=replies.FALLBACK_CONTACTS, buttons=buttons))
    return True


def choose_script(ctx: TurnContext) -> bool:
    """The family's answer to "which script?" for Urdu or Nepali typed in Latin letters; remembered."""
    if ctx.intent != "choose_script":
        return False
    chosen = ctx.turn.entities.get("script")
    if chosen not in ("en", "ur", "ne"):
        return False
    ctx.slots["script"] = chosen
    ctx.slots["language"] = ctx.turn.language = chosen
    ctx.messages.append(message("chat", ctx._("Thank you. I will answer in this language. What would you like to know?")))
    return True


def fallback(ctx: TurnContext) -> bool:
    """Anything else, unless a safety message already answered it: say so, and who can help."""
    if ctx.messages:
        return False
    ctx.messages.append(replies.fallback(ctx._))
    return True


# The order turns are tried in. The first handler that returns True answers the turn.
HANDLERS: tuple[Handler, ...] = (
    work_out_dates,
    callback_lookup,
    choose_script,
    glossary_term,
    elsewhere,
    find_services,
    clarify,
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
    search_pages,
    fallback,
)
