"""What the assistant says back: one turn in, a list of messages out.

Rasa decides what the family means (the intent); this module decides the reply, from
content and the contacts directory, in a fixed order: the safety message first, then
what the words add to the intent (a request for a person, a glossary term), then the
first handler in bot/assistant/handlers.py that answers the turn. It has no Rasa
imports, so it can be tested and reasoned about on its own.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Sequence

from bot.assistant import elsewhere, replies
from bot.assistant.certainty import MAX_CANDIDATES, Certainty, Judgement, judge, read_certainty
from bot.assistant.content import Content
from bot.assistant.glossary import asks_what_a_word_means
from bot.assistant.handlers import HANDLERS, Handler
from bot.assistant.safety import SITUATIONS, SafetyMatcher
from bot.assistant.safety_classifier import SafetyClassifier
from bot.assistant.similar_questions import SimilarQuestions
from bot.assistant.turn import Reply, Turn, TurnContext
from bot.core.callback_status import CallbackLookup
from bot.core.i18n import gettext_for
from bot.core.messages import TALK_TO_PERSON
from bot.core.services import ServiceFinder

log = logging.getLogger(__name__)

# Short or unknown text ("hmm", "blah blah") drifts towards the short small-talk intents,
# so they need a clearer win than a topic does before we act on them.
SMALL_TALK = {
    "greet",
    "goodbye",
    "thanks",
    "start_again",
    "bot_challenge",
    "what_can_you_do",
    "simpler",
    "tell_me_more",
    "talk_to_person",
}
SMALL_TALK_MIN_CONFIDENCE = 0.5
TOPIC_FOR_HANDOFF_CONFIDENCE = 0.5
# The speaker model's probability above which a safety message speaks to a young person.
YOUNG_PERSON_CONFIDENCE = 0.5
# Rasa's `safeguarding` intent counts when the safety classifier gives the message at least this
# share of its threshold. On the evaluation set the intent alone caught no disclosure that the
# phrase lists and the classifier missed, and it alone raised three false alarms.
RASA_CORROBORATION = 0.5


class Responder:
    """Builds replies from the current content; one instance serves every conversation."""

    def __init__(
        self,
        content: Callable[[], Content],
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
        classifier: SafetyClassifier | None = None,
        handlers: tuple[Handler, ...] = HANDLERS,
        certainty: Certainty | None = None,
        councils: elsewhere.Councils | None = None,
        services: ServiceFinder | None = None,
        callbacks: CallbackLookup | None = None,
        similar: SimilarQuestions | None = None,
    ) -> None:
        self._content = content
        self.now = now
        self.classifier = classifier
        self.handlers = handlers
        self.certainty = certainty or read_certainty()
        self.councils = councils or elsewhere.Councils()
        self.services = services
        self.callbacks = callbacks
        self.similar = similar

    def assess_safety(self, turn: Turn, safety: SafetyMatcher) -> tuple[list[str], bool]:
        """The situations a message is about, and whether a young person wrote it about themselves.

        The phrase lists and the safety classifier, either one enough; the topic classifier's
        `safeguarding` intent adds to them when the safety classifier half agrees, so a
        topic classifier alone never decides (bot/assistant/safety.py says why).
        """
        found = set(safety.situations(turn.text))
        young = False
        rasa_agrees = turn.intent == "safeguarding"
        if self.classifier is not None:
            assessment = self.classifier.assess(turn.text, turn.language)
            corroborated = assessment.score >= RASA_CORROBORATION * self.classifier.threshold(turn.language)
            if assessment.flagged or (rasa_agrees and corroborated):
                found.update(assessment.situations)
            young = assessment.young_person >= YOUNG_PERSON_CONFIDENCE
        elif rasa_agrees:
            found.add("child_at_risk")
        return [s for s in SITUATIONS if s in found], bool(found) and young

    def respond(self, turn: Turn) -> Reply:
        """Safety first, then what the turn means, then the first handler that answers it."""
        content = self._content()  # one version of everything staff own for the whole turn
        ctx = TurnContext(
            turn=turn,
            intent=turn.intent,
            content=content,
            place=content.places.find(turn.text),
            now=self.now(),
            _=gettext_for(turn.language),
            services=self.services,
            callbacks=self.callbacks,
            slots={
                "language": turn.language,
                "reading_level": turn.reading_level,
                "awaiting_area": False,
                "awaiting_date": None,
                "directory_query": None,
            },
        )
        if ctx.place is not None and ctx.place.district:
            ctx.slots["district"] = turn.district = ctx.place.district

        situations, young_person = self.assess_safety(turn, content.safety)
        if situations:
            ctx.messages.append(
                replies.safeguarding(ctx.content, situations, young_person, turn.reading_level, ctx.now, turn.language, ctx._)
            )
            log.warning("safeguarding message shown: situations=%s young_person=%s", ",".join(situations), young_person)

        self._understand(ctx)
        for handler in self.handlers:
            if handler(ctx):
                break
        if ctx.restart:
            return Reply(ctx.messages, {}, restart=True)
        if not any(m["kind"] == "handoff" or any(b["payload"] == TALK_TO_PERSON for b in m["buttons"]) for m in ctx.messages):
            ctx.messages[-1]["buttons"].append(replies.person_button(ctx._))  # a route to a person is always there
        if turn.roman and not turn.script:  # asked once, after this turn's answer
            ctx.slots["script"] = "asked"
            ctx.messages.append(replies.which_script(turn.language, ctx._))
        for message in ctx.messages:
            message["language"] = turn.language
        return Reply(ctx.messages, ctx.slots)

    def _understand(self, ctx: TurnContext) -> None:
        """Refine Rasa's intent with what the phrase lists and the glossary see in the words."""
        turn = ctx.turn
        if ctx.intent in SMALL_TALK and turn.confidence < SMALL_TALK_MIN_CONFIDENCE:
            ctx.intent = "nlu_fallback"
        if not turn.text.startswith("/"):  # a button's payload is exact: never unsure, never elsewhere
            about_send = ctx.intent != "out_of_scope"
            ctx.elsewhere = elsewhere.find(turn.text, ctx.place, ctx.content.scope, self.councils, about_send)
            if ctx.elsewhere is not None:
                return
            ctx.judgement = self._judge(ctx)
        if ctx.content.handoff.find(turn.text) or (turn.awaiting_area and ctx.place is not None):
            # "who do I ring in Faversham about an assessment": the answer, then people chosen by topic and area
            if ctx.intent in ctx.content.topics and turn.confidence >= TOPIC_FOR_HANDOFF_CONFIDENCE:
                ctx.messages.append(replies.answer(ctx.content, ctx.intent, turn, ctx._, level=turn.reading_level, part="answer"))
                turn.last_topic = ctx.slots["last_topic"] = ctx.intent
            ctx.intent = "talk_to_person"
            ctx.judgement = None
        if ctx.intent == "glossary" or asks_what_a_word_means(turn.text):
            # a term only the English glossary has is still better explained in English than not at all
            ctx.glossary_entry = ctx.content.glossary(turn.language).find(turn.text) or ctx.content.glossary("en").find(turn.text)
        if ctx.intent == "glossary" and ctx.glossary_entry is None and turn.last_topic in ctx.content.topics:
            ctx.intent = "simpler"  # "what does that mean?" about the last answer

    def _judge(self, ctx: TurnContext) -> Judgement | None:
        """Answer, ask "did you mean", or search: only for a topic or for nothing Rasa knows."""
        if ctx.intent not in ctx.content.topics and ctx.intent not in ("nlu_fallback", "out_of_scope", "safeguarding"):
            return None
        if not ctx.turn.ranking:
            return Judgement("search") if ctx.intent == "nlu_fallback" else None
        similar, turn = self.similar, ctx.turn
        # asked for at most once a turn: judging and the out-of-scope check may both want it
        votes = functools.cache(lambda: similar.votes(turn.text, turn.language)) if similar is not None else None
        judgement = judge(turn.ranking, ctx.content.topics, self.certainty, votes)
        if judgement.verdict == "other" and ctx.intent == "out_of_scope":
            nearest = self._nearest_topics_if_ours(ctx, votes)
            if nearest:
                return Judgement("search", nearest)
        if judgement.verdict == "answer":
            ctx.intent = judgement.topics[0]  # the safeguarding intent set aside, the topic behind it
        return judgement

    def _nearest_topics_if_ours(self, ctx: TurnContext, votes: Callable[[], Sequence[tuple[str, float]]] | None) -> list[str]:
        """For a message Rasa calls out of scope that is more likely a SEND question no topic
        covers ("if the special schools are full, will the council pay for an independent one"),
        the topics of the example questions nearest to it in meaning; else none. It is ours when
        its words match our pages as strongly as few of Rasa's own out-of-scope examples do
        (data/certainty.yml, `out_of_scope_search`), and the nearest example questions are a
        topic's. Either alone offered pages for "can I pay council tax in instalments" too; the
        nearest examples are only asked for (10-70 ms) when the words match."""
        turn = ctx.turn
        strong = self.certainty.out_of_scope_search.get(turn.language)
        if strong is None or votes is None or not ctx.content.search.find(turn.text, turn.language, min_score=strong):
            return []
        nearest = [intent for intent, _share in votes()]
        if not nearest or nearest[0] not in ctx.content.topics:
            return []
        return [intent for intent in nearest if intent in ctx.content.topics][:MAX_CANDIDATES]
