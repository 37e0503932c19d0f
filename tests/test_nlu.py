"""Our two Rasa components, trained and reloaded on a few real questions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import FoldingCountVectorsFeaturizer, TfidfLogisticRegressionClassifier

QUESTIONS = {
    "transition-primary-secondary": ["he is in year 6, which secondary school", "moving up from year 6 in september"],
    "transition-post-16": ["she finishes year 11 next summer", "what after year 11 for my son"],
    "sen-support": ["ce ajutor primește la școală", "sprijin în clasă fără plan"],
    "school-transport": ["bus to school for my daughter", "taxi to special school", "स्कुल जाने गाडी"],
}


def _context(name: str) -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), node_name=name)


def _messages(texts: list[str]) -> list[Message]:
    messages = [Message(data={TEXT: text}) for text in texts]
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    tokenizer.process(messages)
    return messages


def _training_data() -> TrainingData:
    messages = []
    for intent, texts in QUESTIONS.items():
        for message in _messages(texts):
            message.set("intent", intent)
            messages.append(message)
    return TrainingData(messages)


def _pipeline(storage: LocalModelStorage, config: dict | None = None):
    featurizers = [
        FoldingCountVectorsFeaturizer.create(
            {**FoldingCountVectorsFeaturizer.get_default_config(), **extra}, storage, Resource(name), _context(name))
        for name, extra in [("words", {}), ("chars", {"analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4})]
    ]
    classifier_config = {**TfidfLogisticRegressionClassifier.get_default_config(), **(config or {})}
    classifier = TfidfLogisticRegressionClassifier.create(
        classifier_config, storage, Resource("classifier"), _context("classifier"))
    return featurizers, classifier, classifier_config


def _features(featurizers, texts: list[str]) -> np.ndarray:
    messages = _messages(texts)
    for featurizer in featurizers:
        featurizer.process(messages)
    return messages, [m.get_sparse_features(TEXT)[1].features.toarray() for m in messages]


@pytest.fixture
def trained(tmp_path: Path):
    storage = LocalModelStorage(tmp_path)
    # nine examples need a weaker penalty than the thousands the real model learns from
    featurizers, classifier, config = _pipeline(storage, {"C": 10.0})
    data = _training_data()
    for featurizer in featurizers:
        featurizer.train(data)
        featurizer.process_training_data(data)
    classifier.train(data)
    return storage, featurizers, classifier, config


def test_numbers_are_kept_so_year_6_and_year_11_differ(trained):
    _, featurizers, _, _ = trained
    _, (six, eleven) = _features(featurizers[:1], ["year 6", "year 11"])
    assert not np.array_equal(six, eleven)


def test_latin_accents_are_ignored_but_other_scripts_are_kept(trained):
    # the virama in स्कुल is a combining mark too, but in Devanagari it is part of the spelling
    _, featurizers, _, _ = trained
    _, (accented, plain, devanagari, stripped) = _features(
        featurizers, ["ce ajutor primește la școală", "ce ajutor primeste la scoala", "स्कुल", "सकुल"])
    assert np.array_equal(accented, plain)
    assert not np.array_equal(devanagari, stripped)


def test_words_in_every_script_stay_whole(trained):
    _, featurizers, _, _ = trained
    vocabulary = featurizers[0].vectorizers[TEXT].vocabulary_
    assert {"स्कुल", "जाने", "गाडी", "primeste", "11", "6"} <= set(vocabulary)
    assert "क" not in vocabulary


def test_the_classifier_uses_the_numbers(trained):
    _, featurizers, classifier, _ = trained
    messages, _ = _features(featurizers, ["year 11", "year 6"])
    classifier.process(messages)
    eleven, six = ({r["name"]: r["confidence"] for r in m.get("intent_ranking")} for m in messages)
    assert eleven["transition-post-16"] > six["transition-post-16"]
    assert six["transition-primary-secondary"] > eleven["transition-primary-secondary"]


def test_a_reloaded_classifier_weighs_messages_as_the_trained_one_did(trained):
    storage, featurizers, classifier, config = trained
    loaded = TfidfLogisticRegressionClassifier.load(config, storage, Resource("classifier"), _context("classifier"))
    texts = ["taxi to school", "ce sprijin primeste in clasa", "after year 11"]
    before, _ = _features(featurizers, texts)
    after, _ = _features(featurizers, texts)
    classifier.process(before)
    loaded.process(after)
    assert [m.get("intent_ranking") for m in before] == [m.get("intent_ranking") for m in after]
    assert np.array_equal(loaded.tfidf.idf_, classifier.tfidf.idf_)


def test_c_is_passed_to_the_logistic_regression(tmp_path: Path):
    _, classifier, _ = _pipeline(LocalModelStorage(tmp_path), {"C": 3.0})
    assert classifier.clf.C == 3.0
