"""Choose when the assistant is sure enough to answer, by cross-validation on the training examples.

`bot nlu cv` runs it and prints the thresholds to put in data/certainty.yml. It trains a
scikit-learn copy of Rasa's pipeline (config.yml: word and character 2-4 n-gram counts with
accents folded, then logistic regression with balanced class weights) on k-1 folds of every
intent's examples and scores the held-out fold, so each example gets the probabilities a model
that never saw it would give. The evaluation cases (tests/eval/) are never used here.

From those held-out probabilities, over topic examples only:
- `confident` and `margin`: answer directly when the top topic's probability is at least
  `confident` and beats the second topic by at least `margin`; otherwise ask "did you mean".
  Of the pairs that send at most MAX_CLARIFY of the examples to a clarify, the one that
  turns the most wrong answers into questions is chosen.
- `floor`: below it the top topic is so unlikely that listing candidates would mislead, so
  the assistant searches the pages instead. It is the probability under which only
  MAX_SEARCH of the examples fall.
- `similar` and `vote_below`: the share of the similar-questions vote (bot/assistant/similar_questions.py)
  in the ranking judged, and the probability of Rasa's top intent under which the vote is asked
  for at all (embedding a message costs 10-70 ms of CPU). Each example's vote comes from the
  examples of its language outside its fold. For each pair that asks for the vote on at most
  MAX_VOTED of the examples, the thresholds are chosen as above; the pair that leaves the fewest
  confident wrong answers is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from bot.assistant.certainty import NOT_TOPICS, Certainty
from bot.assistant.content import Content
from bot.assistant.nlu_examples import IntentExample, intent_examples
from bot.assistant.similar_questions import Encoder, cached_embeddings, votes_from
from bot.core.text import fold
from bot.nlu.training import classifier_setting

# At most this share of in-catalogue examples may get a clarify (the issue allows 1 in 10; the
# evaluation set is worded differently from the training data, so keep a margin).
MAX_CLARIFY = 0.07
# At most this share of in-catalogue examples may fall below the floor and get a search.
MAX_SEARCH = 0.01
SEED = 20261207
SIMILAR_SHARES = tuple(np.round(np.arange(0.0, 0.61, 0.1), 1))
VOTE_BELOW = tuple(np.round(np.arange(0.3, 1.01, 0.1), 1))
# At most this share of Rasa's out-of-scope examples, in each language, may be offered pages
# (`out_of_scope_search`): searching costs a family little, so a SEND question Rasa took for
# out of scope is worth a few "these pages might help" on questions about bins and parking.
MAX_OUT_OF_SCOPE_SEARCH = 0.1
# At most this share of topic examples may pay for the vote: the action server's CPU is shared
# by every conversation, and the vote's whole gain in cross-validation came from under it.
MAX_VOTED = 0.3
_PUNCTUATION = re.compile(r"[^\w\s']+")  # Rasa's WhitespaceTokenizer splits on these too


@dataclass(frozen=True)
class Figures:
    """What the thresholds do to the held-out topic examples."""

    examples: int
    accuracy: float  # top topic right, before any clarify
    clarify: float  # share of examples that get a clarify
    caught: float  # share of wrong top topics that get a clarify or a search instead
    confident_wrong: float  # share of examples answered directly with a wrong topic
    search: float  # share of examples below the floor


def _normalise(text: str) -> str:
    return " ".join(_PUNCTUATION.sub(" ", fold(text).lower()).split())


def _features(train: list[str], test: list[str]) -> tuple[object, object]:
    words = CountVectorizer(token_pattern=r"(?u)\S+", lowercase=False)
    chars = CountVectorizer(analyzer="char_wb", ngram_range=(2, 4), lowercase=False)
    train_n, test_n = [_normalise(t) for t in train], [_normalise(t) for t in test]
    x_train = hstack([words.fit_transform(train_n), chars.fit_transform(train_n)]).tocsr()
    x_test = hstack([words.transform(test_n), chars.transform(test_n)]).tocsr()
    return x_train, x_test


def held_out_probabilities(pairs: list[tuple[str, str]], folds: int = 5) -> tuple[list[str], np.ndarray]:
    """Each example's intent probabilities from a model trained without its fold: (classes, matrix)."""
    labels = np.array([intent for intent, _ in pairs])
    texts = [text for _, text in pairs]
    classes = sorted(set(labels))
    out = np.zeros((len(pairs), len(classes)))
    max_iter = int(classifier_setting("max_iter"))
    for train_idx, test_idx in _folds(labels, folds):
        x_train, x_test = _features([texts[i] for i in train_idx], [texts[i] for i in test_idx])
        model = LogisticRegression(max_iter=max_iter, class_weight="balanced", random_state=SEED)
        model.fit(x_train, labels[train_idx])
        columns = [classes.index(c) for c in model.classes_]
        out[np.ix_(test_idx, np.array(columns))] = model.predict_proba(x_test)
    return classes, out


def _folds(labels: np.ndarray, folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The same folds for Rasa's copy and the similar-questions vote."""
    return list(StratifiedKFold(folds, shuffle=True, random_state=SEED).split(np.zeros(len(labels)), labels))


def held_out_votes(examples: list[IntentExample], vectors: np.ndarray, classes: list[str], folds: int = 5) -> np.ndarray:
    """Each example's similar-questions vote, from the examples of its language outside its fold
    (examples of NOT_TOPICS intents neither vote nor get a vote). `vectors` has a row per example."""
    labels = np.array([e.intent for e in examples])
    languages = np.array([e.language for e in examples])
    voting = ~np.isin(labels, NOT_TOPICS)
    out = np.zeros((len(examples), len(classes)))
    for train_idx, test_idx in _folds(labels, folds):
        train_idx, test_idx = train_idx[voting[train_idx]], test_idx[voting[test_idx]]
        for language in sorted(set(languages[test_idx].tolist())):
            voters = train_idx[languages[train_idx] == language]
            asking = test_idx[languages[test_idx] == language]
            for row, similarities in zip(asking, vectors[asking] @ vectors[voters].T):
                for intent, share in votes_from(similarities, labels[voters].tolist()):
                    out[row, classes.index(intent)] = share
    return out


def _top_two(probabilities: np.ndarray, topic_columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: the top intent's column and probability, and the second-best topic's probability."""
    best = probabilities.argmax(axis=1)
    p1 = probabilities[np.arange(len(best)), best]
    topic_p = np.sort(probabilities[:, topic_columns], axis=1)
    p2 = np.where(np.isin(best, topic_columns), topic_p[:, -2], topic_p[:, -1])
    return best, p1, p2


def figures_at(truth: np.ndarray, best: np.ndarray, p1: np.ndarray, p2: np.ndarray, t: Certainty) -> Figures:
    right = best == truth
    unsure = (p1 < t.confident) | (p1 - p2 < t.margin)
    below = p1 < t.floor
    clarify = unsure & ~below
    wrong = ~right
    return Figures(
        examples=len(truth),
        accuracy=float(right.mean()),
        clarify=float(clarify.mean()),
        caught=float((unsure & wrong).sum() / max(1, wrong.sum())),
        confident_wrong=float((~unsure & wrong).mean()),
        search=float(below.mean()),
    )


def choose(
    classes: list[str], probabilities: np.ndarray, labels: Iterable[str], topics: set[str]
) -> tuple[Certainty, Figures, Figures]:
    """The thresholds, from the held-out probabilities of the topic examples; what they do, and
    what answering every question directly would do."""
    labels = np.array(list(labels))
    topic_columns = np.array([i for i, c in enumerate(classes) if c in topics])
    rows = np.isin(labels, list(topics))
    truth = np.array([classes.index(label) for label in labels[rows]])
    best, p1, p2 = _top_two(probabilities[rows], topic_columns)
    always = figures_at(truth, best, p1, p2, Certainty(0.0, 0.0, 0.0))
    floor = float(np.floor(np.quantile(p1, MAX_SEARCH) * 100) / 100)
    chosen: tuple[Certainty, Figures] | None = None
    for confident in np.round(np.arange(0.10, 0.71, 0.02), 2):
        for margin in np.round(np.arange(0.0, 0.41, 0.02), 2):
            thresholds = Certainty(float(confident), float(margin), floor)
            figures = figures_at(truth, best, p1, p2, thresholds)
            if figures.clarify <= MAX_CLARIFY and (chosen is None or figures.caught > chosen[1].caught):
                chosen = (thresholds, figures)
    assert chosen is not None, "confident 0.10 with margin 0 sends almost nothing to a clarify"
    return (*chosen, always)


def rasa_top(classes: list[str], probabilities: np.ndarray) -> np.ndarray:
    """Per row, the top intent's probability as `certainty.judge` sees it: the safeguarding intent
    set aside and the rest scaled up."""
    kept = np.array([c not in NOT_TOPICS for c in classes])
    set_aside = probabilities[:, ~kept].sum(axis=1)
    return probabilities[:, kept].max(axis=1) / np.clip(1.0 - set_aside, 1e-9, None)


def choose_share(
    classes: list[str], probabilities: np.ndarray, votes: np.ndarray, labels: list[str], topics: set[str]
) -> tuple[Certainty, Figures, Figures, dict[tuple[float, float], Figures]]:
    """The share of the similar-questions vote and when to ask for it, with the fewest confident
    wrong answers within MAX_VOTED; its thresholds, what they do, what answering every question
    directly would do, and each pair's figures."""
    top = rasa_top(classes, probabilities)
    rows = np.isin(labels, list(topics))
    tried: dict[tuple[float, float], tuple[Certainty, Figures]] = {}
    always: Figures | None = None
    for share in SIMILAR_SHARES:
        for below in VOTE_BELOW if share else (0.0,):
            voted = top < below
            if voted[rows].mean() > MAX_VOTED:
                continue
            blended = np.where(voted[:, None], (1.0 - share) * probabilities + share * votes, probabilities)
            thresholds, figures, direct = choose(classes, blended, labels, topics)
            tried[(float(share), float(below))] = (replace(thresholds, similar=float(share), vote_below=float(below)), figures)
            always = always or direct  # share 0: Rasa alone
    best = min(tried, key=lambda pair: (round(tried[pair][1].confident_wrong, 4), pair))
    assert always is not None
    return (*tried[best], always, {pair: figures for pair, (_, figures) in tried.items()})


def cross_validate(
    content: Content, nlu: Path, models_dir: Path, folds: int = 5
) -> tuple[Certainty, Figures, Figures, dict[tuple[float, float], Figures]]:
    """The thresholds and share chosen, what they do, what answering every question directly
    would do, and each share's figures."""
    examples = intent_examples(content, nlu)
    pairs = [(e.intent, e.text) for e in examples]
    classes, probabilities = held_out_probabilities(pairs, folds)
    voting = [i for i, e in enumerate(examples) if e.intent not in NOT_TOPICS]
    embedded = cached_embeddings([examples[i].text for i in voting], Encoder(), models_dir)
    vectors = np.zeros((len(examples), embedded.shape[1]), dtype=np.float32)
    vectors[voting] = embedded
    votes = held_out_votes(examples, vectors, classes, folds)
    return choose_share(classes, probabilities, votes, [intent for intent, _ in pairs], set(content.topics))


def out_of_scope_search(content: Content, nlu: Path, share: float = MAX_OUT_OF_SCOPE_SEARCH) -> dict[str, float]:
    """For each language, the search score that at most `share` of Rasa's out-of-scope examples
    in it reach (never below the index's own minimum). Rasa's out-of-scope examples are
    everyday and council questions, not SEND ones; a message Rasa calls out of scope that
    matches our pages more strongly than nearly all of them is offered the pages."""
    scores: dict[str, list[float]] = {}
    for example in intent_examples(content, nlu):
        if example.intent == "out_of_scope":
            scores.setdefault(example.language, []).append(content.search.best_score(example.text, example.language))
    return {
        language: round(max(float(np.quantile(values, 1.0 - share)), content.search.min_score), 1)
        for language, values in sorted(scores.items())
    }
