"""Whether the topic classifier is sure enough to answer, or should ask "did you mean", or search.

A wrong answer said with confidence sends a tired parent down the wrong road, so when the
top topic is unlikely, or barely ahead of the next, the assistant asks. The thresholds are
chosen by cross-validation on the training examples (`bot nlu cv`, bot/nlu/certainty_cv.py)
and kept in data/certainty.yml.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.core.settings import ROOT

CERTAINTY_FILE = ROOT / "data" / "certainty.yml"
MAX_CANDIDATES = 3
# Intents that say nothing about which topic a question is: Rasa's own "no idea" (an entry the
# fallback classifier adds, not a probability), and the safeguarding intent, which the safety
# layer has already weighed (bot/assistant/dialogue.py).
NOT_TOPICS = ("nlu_fallback", "safeguarding")


class CertaintyDataError(ValueError):
    """data/certainty.yml is missing or wrong; the message says what to write."""


@dataclass(frozen=True)
class Certainty:
    confident: float  # answer directly at or above this probability ...
    margin: float  # ... when the second topic is at least this far behind
    floor: float  # below this, no topic fits: search the pages instead
    # the share of the similar-questions vote in the ranking judged (bot/assistant/similar_questions.py);
    # the rest is Rasa's
    similar: float = 0.0
    # ... asked for only when Rasa's top intent is below this: it costs 10-70 ms of CPU a message
    vote_below: float = 0.0
    # For each language, the search score (bot/assistant/search.py) above which a message Rasa
    # calls out of scope is still offered pages: Rasa's out-of-scope examples are bins, parking
    # and the weather, so a message whose words match our own pages this strongly is more
    # likely a SEND question no topic covers. None given: out of scope is never searched.
    out_of_scope_search: dict[str, float] = field(default_factory=dict)

    @property
    def asks_for_votes(self) -> bool:
        """Whether any message is judged with the similar-questions vote (0 in either turns it off)."""
        return self.similar > 0 and self.vote_below > 0


@dataclass(frozen=True)
class Judgement:
    """'answer' (with its topic), 'clarify' (with 2-3 candidate topics), 'search' (with the
    topics nearest in meaning, when they are known, to offer first), or 'other' (the top
    intent is not a topic: small talk, out of scope)."""

    verdict: str
    topics: list[str] = field(default_factory=list)


def read_certainty(path: Path = CERTAINTY_FILE) -> Certainty:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        certainty = Certainty(
            float(data["confident"]),
            float(data["margin"]),
            float(data["floor"]),
            float(data.get("similar", 0.0)),
            float(data.get("vote_below", 0.0)),
            {str(language): float(score) for language, score in (data.get("out_of_scope_search") or {}).items()},
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CertaintyDataError(
            f"{path}: needs 'confident', 'margin' and 'floor', numbers between 0 and 1 from `bot nlu cv` ({exc})"
        ) from None
    values = (certainty.confident, certainty.margin, certainty.floor, certainty.similar, certainty.vote_below)
    if not all(0.0 <= value <= 1.0 for value in values) or certainty.similar == 1.0:
        raise CertaintyDataError(f"{path}: confident, margin, floor, similar and vote_below must be between 0 and 1")
    if any(score <= 0 for score in certainty.out_of_scope_search.values()):
        raise CertaintyDataError(f"{path}: out_of_scope_search scores must be above 0, one for each language")
    return certainty


def judge(
    ranking: Sequence[tuple[str, float]],
    topics: Container[str],
    certainty: Certainty,
    votes: Callable[[], Sequence[tuple[str, float]]] | None = None,
) -> Judgement:
    """What to do with the classifier's ranking of intents (most likely first). Intents in
    NOT_TOPICS are left out and the rest scaled to add up as before: "my gut tells me he is
    not developing, who do I go to first" scored 0.81 safeguarding and 0.12 worried-about-my-child;
    once the safety layer has found no danger, the question is about development.

    `votes` gives the similar-questions vote (intents and shares adding up to 1). It is blended
    in, `certainty.similar` to Rasa's rest, when Rasa's top intent is below `certainty.vote_below`:
    a message Rasa is sure of is judged without the cost of embedding it."""
    safeguarding = sum(p for i, p in ranking if i == "safeguarding")
    scale = 1.0 / (1.0 - safeguarding) if safeguarding < 1.0 else 1.0
    ranked = sorted(((p * scale, i) for i, p in ranking if i not in NOT_TOPICS), reverse=True)
    if ranked and votes is not None and certainty.asks_for_votes and ranked[0][0] < certainty.vote_below:
        ranked = _blend(ranked, votes(), certainty.similar)
    if not ranked:
        return Judgement("search")
    p1, top = ranked[0]
    candidates = [(p, i) for p, i in ranked if i in topics]
    if top not in topics:  # small talk or out of scope, unless nothing is likely at all
        return Judgement("search") if p1 < certainty.floor else Judgement("other")
    p2 = candidates[1][0] if len(candidates) > 1 else 0.0
    if p1 >= certainty.confident and p1 - p2 >= certainty.margin:
        return Judgement("answer", [top])
    if p1 < certainty.floor:
        return Judgement("search")
    # the top two always; a third only when it is a real contender
    offered = [i for n, (p, i) in enumerate(candidates[:MAX_CANDIDATES]) if n < 2 or p >= certainty.floor]
    return Judgement("clarify", offered)


def _blend(ranked: Sequence[tuple[float, str]], votes: Sequence[tuple[str, float]], similar: float) -> list[tuple[float, str]]:
    blended = {intent: (1.0 - similar) * p for p, intent in ranked}
    for intent, share in votes:
        if intent not in NOT_TOPICS:
            blended[intent] = blended.get(intent, 0.0) + similar * share
    return sorted(((p, intent) for intent, p in blended.items()), reverse=True)
