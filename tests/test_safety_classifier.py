"""The safety classifier: its data, its training and cache, and how its thresholds are chosen."""

from __future__ import annotations

import pickle
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import yaml

from bot.assistant.safety_classifier import (
    CATEGORIES,
    NONE,
    Example,
    SafetyClassifier,
    SafetyDataError,
    choose_thresholds,
    figures_at,
    load_examples,
    load_or_train,
    read_thresholds,
    segments,
)
from bot.assistant.safety_training import DATA, THRESHOLD_FILE, _rasa_examples, cross_validate
from tests.conftest import write

LANGUAGES = ("en", "pl", "ro", "uk", "ur", "ne")
EVAL_DIR = Path(__file__).parent / "eval"

SMALL = """\
family:
  child_disclosure:
    - she says the man at swimming told her its their secret
    - he says uncle told him not to tell mummy about the games
    - she said the babysitter hurts her when we are out and not to tell
  domestic_abuse:
    - my partner threw a plate at me in front of the kids
    - he shoves me when the children are watching
    - my husband smashes things and the kids hide upstairs
young_person:
  self_harm:
    - everyone would be better off without me
    - i cant do this anymore i just want to disappear
none:
  - this process is killing me
  - i could murder a cup of tea after that meeting
  - the school keeps secrets about his support
  - when is the annual review
  - how do i ask for an ehcp
  - what is a senco
  - the taxi was late again this morning
  - who can help with his reading
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("safety")
    write(folder / "en.yml", SMALL)
    return load_examples(folder)


def test_examples_are_read_with_their_category_speaker_and_language(small):
    assert Counter(e.category for e in small) == {"child_disclosure": 3, "domestic_abuse": 3, "self_harm": 2, NONE: 8}
    assert {e.speaker for e in small if e.category == "self_harm"} == {"young_person"}
    assert {e.language for e in small} == {"en"}


@pytest.mark.parametrize(
    "text,message",
    [
        ("family:\n  dragons: [a]\n", "unknown category 'dragons'"),
        ("parents:\n  self_harm: [a]\n", r"unknown keys \['parents'\]"),
        ("family: [unclosed\n", "not valid YAML"),
    ],
)
def test_malformed_example_files_are_reported(tmp_path, text, message):
    write(tmp_path / "en.yml", text)
    with pytest.raises(SafetyDataError, match=message):
        load_examples(tmp_path)


def test_a_trained_classifier_flags_disclosures_and_names_the_situation(small):
    classifier = SafetyClassifier.train(small, {"en": 0.5})
    flagged = classifier.assess("he told me the man at swimming said it is their secret")
    assert flagged.flagged and flagged.situations[0] == "child_at_risk"
    assert not classifier.assess("when is the annual review meeting").flagged
    young = classifier.assess("i think everyone would be better off without me")
    assert young.young_person > 0.5


def test_the_lean_scores_are_sklearns_own_numbers(small):
    """assess() skips sklearn's per-call checks (most of the action server's time): same numbers."""
    classifier = SafetyClassifier.train(small, {"en": 0.5})
    texts = ["he said its our secret and not to tell mummy", "when is the annual review", "", "zzzz qqqq", "Ő ő ж ب"]
    for restored in (classifier, pickle.loads(pickle.dumps(classifier))):
        assert np.allclose(restored.score(texts), classifier._safety.predict_proba(texts)[:, 1], rtol=0, atol=1e-12)
        for text in texts:
            assessment = restored.assess(text)
            category = dict(zip(classifier._category.classes_, classifier._category.predict_proba([text])[0]))
            assert assessment.categories[0] == max(category, key=category.__getitem__)
            assert abs(assessment.young_person - classifier._speaker.predict_proba([text])[0, 1]) < 1e-12


def test_the_cache_is_reused_for_the_same_examples_and_renewed_for_new_ones(small, tmp_path):
    first = load_or_train(small, {"en": 0.5}, tmp_path)
    cached = list(tmp_path.glob("safety-*.joblib"))
    assert len(cached) == 1
    again = load_or_train(small, {"en": 0.4}, tmp_path)
    assert again.threshold("en") == 0.4 and list(tmp_path.glob("safety-*.joblib")) == cached
    assert np.allclose(first.score(["my partner threw a plate"]), again.score(["my partner threw a plate"]))
    cached[0].write_bytes(b"not a model")  # a truncated file is trained again, not a crash
    assert load_or_train(small, {"en": 0.5}, tmp_path).assess("he shoves me in front of the kids").score > 0
    load_or_train([*small, Example("a new one", NONE, None, "en")], {"en": 0.5}, tmp_path)
    assert len(list(tmp_path.glob("safety-*.joblib"))) == 2


def test_a_long_message_is_scored_sentence_by_sentence_too():
    short = "he told me its a secret"
    assert segments(short) == [short]
    long = (
        "my son is in year 5 and has an ehcp for autism. we are looking at specialist schools for year 7 "
        "and the consultation. also he told me his stepdad makes him stand in the garden in the dark."
    )
    parts = segments(long)
    assert parts[0] == long and parts[-1] == "also he told me his stepdad makes him stand in the garden in the dark."
    assert len(parts) == 4


def test_a_sentence_of_a_long_message_is_judged_by_its_own_higher_threshold(small):
    long = (
        "my son is in year 5 and has an ehcp for autism. we are looking at specialist schools for year 7 "
        "and the consultation. also he says uncle told him not to tell mummy about the games."
    )
    classifier = SafetyClassifier.train(small, {"en": 0.5})
    whole, *sentences = classifier.score(segments(long))
    best = max(sentences)
    assert whole < best  # the disclosure is clearer on its own than inside the question
    classifier.thresholds = {"en": (whole + best) / 2}  # the whole message alone is not flagged
    classifier.sentence_thresholds = {"en": best - 0.001}
    assert classifier.assess(long, "en").flagged and classifier.assess(long, "en").score == best
    classifier.sentence_thresholds = {"en": best + 0.001}
    assert not classifier.assess(long, "en").flagged
    classifier.sentence_thresholds = {}  # none given: a sentence is judged as the whole message
    assert classifier.sentence_threshold("en") == classifier.threshold("en") and classifier.assess(long, "en").flagged
    classifier.sentence_thresholds = {"en": 0.01}  # never below the whole message's threshold
    assert classifier.sentence_threshold("en") == classifier.threshold("en")


def test_rasa_small_talk_is_an_ordinary_example_but_its_safeguarding_intent_is_not(tmp_path):
    write(
        tmp_path / "chat.yml",
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hello there\n'
        "- intent: safeguarding\n  examples: |\n    - my son is not safe\n",
    )
    assert _rasa_examples(tmp_path / "chat.yml") == ["hello there"]


def test_each_language_keeps_the_highest_threshold_that_holds_its_recall():
    examples = [
        Example("a", "self_harm", "family", "en"),
        Example("b", "self_harm", "family", "pl"),
        Example("c", NONE, None, "en"),
        Example("d", NONE, None, "pl"),
    ]
    scores = np.array([0.9, 0.3, 0.2, 0.1])
    assert choose_thresholds(examples, [scores], min_recall=1.0) == {"en": 0.9, "pl": 0.3}
    figures = figures_at(examples, scores, {"en": 0.9, "pl": 0.3})
    assert (figures["en"].recall, figures["pl"].recall, figures["en"].false_positives) == (1.0, 1.0, 0)
    assert figures_at(examples, scores, {"en": 0.15})["en"].precision == 0.5
    assert set(figures_at(examples, scores, {"en": 0.15})) == {"en"}
    sentences = np.array([0.0, 0.0, 0.8, 0.0])  # "c" has one alarming sentence
    assert figures_at(examples, scores, {"en": 0.9}, sentences, {"en": 0.7})["en"].false_positives == 1
    assert figures_at(examples, scores, {"en": 0.9}, sentences, {"en": 0.85})["en"].false_positives == 0


def test_the_thresholds_are_the_median_of_several_shuffles():
    examples = [Example("a", "self_harm", "family", "en"), Example("c", NONE, None, "en")]
    runs = [np.array([0.4, 0.1]), np.array([0.6, 0.1]), np.array([0.2, 0.1])]
    assert choose_thresholds(examples, runs, min_recall=1.0) == {"en": 0.4}


def test_cross_validation_chooses_a_sentence_threshold_no_lower_than_the_message_threshold(small):
    result = cross_validate(list(small), folds=2, runs=2)
    assert set(result.thresholds) == set(result.sentence_thresholds) == {"en"}
    assert result.sentence_thresholds["en"] >= result.thresholds["en"]
    text = "\n".join(result.lines())
    assert "sentence_thresholds (the same, for held-out recall >= 90%):" in text and "look-alikes" in text


def test_a_language_without_its_own_threshold_gets_the_most_cautious(small):
    classifier = SafetyClassifier.train(small, {"en": 0.5, "pl": 0.2})
    assert classifier.threshold("pl") == 0.2 and classifier.threshold("en") == 0.5
    assert classifier.threshold("so") == 0.2 and classifier.threshold(None) == 0.2


def test_the_threshold_file_is_read_and_checked(tmp_path):
    thresholds = read_thresholds(THRESHOLD_FILE)
    assert set(thresholds) == set(LANGUAGES) and all(0 < t < 1 for t in thresholds.values())
    sentences = read_thresholds(THRESHOLD_FILE, "sentence_thresholds")
    assert set(sentences) == set(LANGUAGES) and all(thresholds[k] <= t < 1 for k, t in sentences.items())
    with pytest.raises(SafetyDataError, match="needs 'sentence_thresholds"):
        read_thresholds(write(tmp_path / "safety.yml", "thresholds: {en: 0.3}\n"), "sentence_thresholds")
    with pytest.raises(SafetyDataError, match="between 0 and 1"):
        read_thresholds(write(tmp_path / "safety.yml", "thresholds: {en: 2, pl: 0.3}\n"))
    with pytest.raises(SafetyDataError, match="needs 'thresholds"):
        read_thresholds(write(tmp_path / "safety.yml", "threshold: 0.5\n"))
    with pytest.raises(SafetyDataError, match="needs 'thresholds"):
        read_thresholds(write(tmp_path / "safety.yml", "thresholds: [0.5]\n"))


# The real data (issue 12) ----------------------------------------------------------------


def test_every_category_has_at_least_60_examples_across_the_six_languages():
    examples = load_examples(DATA)
    per_category = Counter(e.category for e in examples)
    assert all(per_category[c] >= 60 for c in CATEGORIES), per_category
    assert per_category[NONE] >= 180
    per_language = Counter(e.language for e in examples if e.category != NONE)
    assert set(per_language) == set(LANGUAGES) and min(per_language.values()) >= 120, per_language


def test_no_evaluation_case_is_a_training_example():
    """An eval case copied from the examples would measure memory, not understanding."""
    trained = {" ".join(e.text.lower().split()) for e in load_examples(DATA)}
    cases = [c for path in EVAL_DIR.glob("*.yml") for c in yaml.safe_load(path.read_text(encoding="utf-8"))]
    copied = [c["id"] for c in cases if " ".join(str(c.get("text", "")).lower().split()) in trained]
    assert copied == []


def test_the_real_classifier_flags_indirect_disclosures_in_every_language(safety_classifier):
    """One fresh message per language, none of them in the examples or the eval set."""
    messages = {
        "en": "since the new lodger moved in my daughter wont sleep in her own room and says he comes in at night",
        "pl": "corka mowi ze wujek zabiera ja do auta i kaze nic nie mowic mamie",
        "ro": "baiatul meu zice ca antrenorul il pune sa stea dupa ora singur cu el si sa nu spuna nimanui",
        "uk": "донька каже, що новий друг мами просить її нікому не казати, що він робить, коли мами немає",
        "ur": "میری بیٹی کہتی ہے کہ وین والا انکل اسے اکیلے میں چھوتا ہے اور کہتا ہے کسی کو مت بتانا",
        "ne": "मेरो छोरीले भन्छे ट्याक्सी चलाउने अंकलले उसलाई छुन्छ र कसैलाई नभन्नु भन्छ",
    }
    missed = [language for language, text in messages.items() if not safety_classifier.assess(text).flagged]
    assert missed == []
