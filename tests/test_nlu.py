"""Our featurizer, trained with Rasa's own classifier on a few real questions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.classifier import ColumnOrderLogisticRegressionClassifier
from bot.nlu.featurizer import FoldingCountVectorsFeaturizer

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


def _pipeline(storage: LocalModelStorage):
    featurizers = [
        FoldingCountVectorsFeaturizer.create(
            {**FoldingCountVectorsFeaturizer.get_default_config(), **extra}, storage, Resource(name), _context(name)
        )
        for name, extra in [("words", {}), ("chars", {"analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4})]
    ]
    classifier = LogisticRegressionClassifier.create(
        LogisticRegressionClassifier.get_default_config(), storage, Resource("classifier"), _context("classifier")
    )
    return featurizers, classifier


def _features(featurizers, texts: list[str]) -> tuple[list[Message], list[np.ndarray]]:
    messages = _messages(texts)
    for featurizer in featurizers:
        featurizer.process(messages)
    return messages, [m.get_sparse_features(TEXT)[1].features.toarray() for m in messages]


@pytest.fixture
def trained(tmp_path: Path):
    featurizers, classifier = _pipeline(LocalModelStorage(tmp_path))
    data = _training_data()
    for featurizer in featurizers:
        featurizer.train(data)
        featurizer.process_training_data(data)
    classifier.train(data)
    return featurizers, classifier


def test_numbers_are_kept_so_year_6_and_year_11_differ(trained):
    featurizers, _ = trained
    _, (six, eleven) = _features(featurizers[:1], ["year 6", "year 11"])
    assert not np.array_equal(six, eleven)


def test_latin_accents_are_ignored_but_other_scripts_are_kept(trained):
    # the virama in स्कुल is a combining mark too, but in Devanagari it is part of the spelling
    featurizers, _ = trained
    _, (accented, plain, devanagari, stripped) = _features(
        featurizers, ["ce ajutor primește la școală", "ce ajutor primeste la scoala", "स्कुल", "सकुल"]
    )
    assert np.array_equal(accented, plain)
    assert not np.array_equal(devanagari, stripped)


def test_words_in_every_script_stay_whole(trained):
    featurizers, _ = trained
    vocabulary = featurizers[0].vectorizers[TEXT].vocabulary_
    assert {"स्कुल", "जाने", "गाडी", "primeste", "11", "6"} <= set(vocabulary)
    assert "क" not in vocabulary


def test_the_classifier_uses_the_numbers(trained):
    featurizers, classifier = trained
    messages, _ = _features(featurizers, ["year 11", "year 6"])
    classifier.process(messages)
    eleven, six = ({r["name"]: r["confidence"] for r in m.get("intent_ranking")} for m in messages)
    assert eleven["transition-post-16"] > six["transition-post-16"]
    assert six["transition-primary-secondary"] > eleven["transition-primary-secondary"]


def test_the_classifier_reads_the_same_sentence_matrix_as_rasas_own(trained, tmp_path):
    featurizers, _ = trained
    ours = ColumnOrderLogisticRegressionClassifier.create(
        ColumnOrderLogisticRegressionClassifier.get_default_config(), LocalModelStorage(tmp_path), Resource("c"), _context("c")
    )
    messages, _ = _features(featurizers, ["year 11", "co to jest EHCP? syn ma autyzm", "स्कुल जाने गाडी", "zzz"])
    expected = LogisticRegressionClassifier._create_X(ours, messages)
    matrix = ours._create_X(messages)
    assert matrix.shape == expected.shape and (matrix != expected).nnz == 0


def test_the_weights_are_kept_in_column_order_and_single_precision_with_the_same_answers(tmp_path):
    """Half the memory of Rasa's own classifier (21 MB of the Rasa server's), and the same ranking."""
    storage = LocalModelStorage(tmp_path)
    featurizers, rasas = _pipeline(storage)
    ours = ColumnOrderLogisticRegressionClassifier.create(
        ColumnOrderLogisticRegressionClassifier.get_default_config(), storage, Resource("ours"), _context("ours")
    )
    data = _training_data()
    for featurizer in featurizers:
        featurizer.train(data)
        featurizer.process_training_data(data)
    rasas.train(data)
    ours.train(data)
    assert ours.clf.coef_.dtype == np.float32 and ours.clf.coef_.flags.f_contiguous
    texts = ["year 11 next summer", "taxi to school", "sprijin în clasă", "स्कुल जाने गाडी", "zzz"]
    theirs = rasas.process(_features(featurizers, texts)[0])
    mine = ours.process(_features(featurizers, texts)[0])
    for a, b in zip(theirs, mine):
        ranking_a, ranking_b = a.get("intent_ranking"), b.get("intent_ranking")
        assert [r["name"] for r in ranking_a] == [r["name"] for r in ranking_b]
        assert max(abs(x["confidence"] - y["confidence"]) for x, y in zip(ranking_a, ranking_b)) < 1e-5
