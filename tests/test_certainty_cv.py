"""Choosing the "did you mean" thresholds by cross-validation (bot/nlu/certainty_cv.py)."""

from __future__ import annotations

import numpy as np

from bot.assistant.certainty import Certainty
from bot.nlu.certainty_cv import (
    MAX_CLARIFY,
    MAX_SEARCH,
    MAX_VOTED,
    choose,
    choose_share,
    figures_at,
    held_out_probabilities,
    out_of_scope_search,
    rasa_top,
)


def test_held_out_probabilities_come_from_models_that_never_saw_the_example():
    pairs = [("ehcp", f"how do i get an ehcp number {i}") for i in range(10)]
    pairs += [("transport", f"school bus to school for my son {i}") for i in range(10)]
    classes, probabilities = held_out_probabilities(pairs, folds=5)
    assert classes == ["ehcp", "transport"]
    assert probabilities.shape == (20, 2)
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert (probabilities[:10, 0] > 0.5).all() and (probabilities[10:, 1] > 0.5).all()


def test_the_chosen_thresholds_keep_clarify_and_search_within_their_limits():
    rng = np.random.default_rng(1)
    n, k = 400, 4
    logits = rng.normal(size=(n, k))
    labels = rng.integers(0, k, size=n)
    logits[np.arange(n), labels] += rng.uniform(0, 4, size=n)  # mostly right, sometimes not
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    classes = ["a", "b", "c", "d"]
    thresholds, figures, always = choose(classes, probabilities, [classes[i] for i in labels], set(classes))
    assert figures.clarify <= MAX_CLARIFY and figures.search <= MAX_SEARCH + 1 / n
    never = figures_at(
        labels,
        probabilities.argmax(axis=1),
        probabilities.max(axis=1),
        np.sort(probabilities, axis=1)[:, -2],
        Certainty(0, 0, 0),
    )
    assert always == never
    assert figures.confident_wrong < never.confident_wrong
    assert 0 < thresholds.floor <= thresholds.confident


def _synthetic(seed: int, n: int = 600, k: int = 4) -> tuple[list[str], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, k, size=n)
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), labels] += rng.uniform(0, 3, size=n)
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return ["a", "b", "c", "d"], probabilities, labels


def test_an_informative_vote_gets_a_share_and_cuts_confident_wrong_answers():
    classes, probabilities, labels = _synthetic(2)
    rng = np.random.default_rng(3)
    votes = np.full(probabilities.shape, 0.1 / 3)
    right = rng.random(len(labels)) < 0.8  # the nearest examples are right four times in five
    votes[np.arange(len(labels)), np.where(right, labels, (labels + 1) % 4)] = 0.9
    names = [classes[i] for i in labels]
    thresholds, figures, always, shares = choose_share(classes, probabilities, votes, names, set(classes))
    assert thresholds.similar > 0 and thresholds.vote_below > 0
    assert (rasa_top(classes, probabilities) < thresholds.vote_below).mean() <= MAX_VOTED
    assert figures.confident_wrong < shares[(0.0, 0.0)].confident_wrong
    assert figures.clarify <= MAX_CLARIFY
    assert always == choose(classes, probabilities, names, set(classes))[2]


def test_a_vote_that_knows_nothing_gets_no_share():
    classes, probabilities, labels = _synthetic(4)
    votes = np.random.default_rng(5).dirichlet(np.ones(4), size=len(labels))
    thresholds, *_ = choose_share(classes, probabilities, votes, [classes[i] for i in labels], set(classes))
    assert thresholds.similar == 0.0


def test_rasa_top_sets_the_safeguarding_intent_aside_as_judge_does():
    probabilities = np.array([[0.5, 0.35, 0.15]])
    assert rasa_top(["safeguarding", "senco", "ehcp-request"], probabilities)[0] == 0.7


def test_out_of_scope_is_searched_only_above_what_nearly_all_out_of_scope_examples_score(loaded, tmp_path):
    nlu = tmp_path / "nlu"
    nlu.mkdir()
    everyday = ["when are my bins collected", "how do i pay my council tax", "whats the weather tomorrow"] * 3
    send = "disabled facilities grant for a wheelchair accessible downstairs bathroom"  # matches our pages strongly
    lines = "".join(f"    - {text}\n" for text in [*everyday, send])
    (nlu / "chat.yml").write_text(f'version: "3.1"\nnlu:\n- intent: out_of_scope\n  examples: |\n{lines}')
    scores = sorted(loaded.search.best_score(text, "en") for text in [*everyday, send])
    chosen = out_of_scope_search(loaded, nlu, share=0.1)
    assert set(chosen) == {"en"} and chosen["en"] >= loaded.search.min_score
    assert chosen["en"] == round(max(float(np.quantile(scores, 0.9)), loaded.search.min_score), 1)
    assert loaded.search.best_score(send, "en") > chosen["en"]  # the one SEND question in ten is above it
