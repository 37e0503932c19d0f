"""The similar-questions vote (bot/assistant/similar_questions.py), with the real bundled encoder."""

from __future__ import annotations

import numpy as np
import pytest

from bot.assistant.nlu_examples import IntentExample
from bot.assistant.similar_questions import ENCODER, Encoder, SimilarQuestions, cached_embeddings, votes_from
from bot.nlu.certainty_cv import held_out_votes

EXAMPLES = [
    IntentExample("school-transport", "can my son get a taxi to his special school", "en"),
    IntentExample("school-transport", "the school bus is always late and he misses registration", "en"),
    IntentExample("school-transport", "who pays for travel to school when he has an ehcp", "en"),
    IntentExample("bullying-and-discrimination", "other children pick on him because he is autistic", "en"),
    IntentExample("bullying-and-discrimination", "she is being bullied at school and nobody does anything", "en"),
    IntentExample("bullying-and-discrimination", "kids call him names because of his wheelchair", "en"),
    IntentExample("out_of_scope", "what is the weather like tomorrow", "en"),
    IntentExample("safeguarding", "my son is being hurt at home", "en"),
    IntentExample("school-transport", "czy syn może dostać taksówkę do szkoły specjalnej", "pl"),
    IntentExample("bullying-and-discrimination", "dzieci w szkole dokuczają mu, bo ma autyzm", "pl"),
]


class CountingEncoder(Encoder):
    """The real encoder, counting the texts it embeds."""

    def __init__(self) -> None:
        super().__init__(threads=1)
        self.embedded = 0

    def embed(self, texts):
        self.embedded += len(texts)
        return super().embed(texts)


@pytest.fixture(scope="module")
def encoder() -> CountingEncoder:
    return CountingEncoder()


def test_vectors_have_length_one_and_meaning_brings_them_close(encoder):
    vectors = encoder.embed(["he is bullied at school", "other kids are picking on him", "how do I get a school taxi"])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_the_nearest_questions_vote_by_meaning_not_shared_words(encoder, tmp_path):
    index = SimilarQuestions.build(EXAMPLES, tmp_path, encoder)
    votes = index.votes("the taxi to school takes 90 minutes with four other kids and he arrives wrecked", "en")
    assert votes[0][0] == "school-transport"
    assert abs(sum(share for _, share in votes) - 1.0) < 1e-9
    assert index.votes("everyone in his class makes fun of him for his disability", "en")[0][0] == "bullying-and-discrimination"


def test_a_family_s_own_language_votes_and_safeguarding_never_does(encoder, tmp_path):
    index = SimilarQuestions.build(EXAMPLES, tmp_path, encoder)
    votes = dict(index.votes("koledzy wyśmiewają córkę z powodu niepełnosprawności", "pl"))
    assert set(votes) <= {"school-transport", "bullying-and-discrimination"}
    assert max(votes, key=votes.__getitem__) == "bullying-and-discrimination"
    assert "safeguarding" not in dict(index.votes("someone hurts my son at home", "en"))
    # a language with no examples of its own asks the English ones
    assert index.votes("школьне таксі запізнюється", "uk")


def test_examples_are_embedded_once_and_the_cache_keeps_only_what_is_used(encoder, tmp_path):
    texts = [e.text for e in EXAMPLES]
    before = encoder.embedded
    first = cached_embeddings(texts, encoder, tmp_path)
    assert encoder.embedded - before == len(set(texts))
    again = cached_embeddings(texts, encoder, tmp_path)
    assert encoder.embedded - before == len(set(texts))  # nothing embedded the second time
    assert np.array_equal(first, again)
    cached_embeddings([*texts[:3], "a new example question staff added"], encoder, tmp_path)
    assert encoder.embedded - before == len(set(texts)) + 1
    with np.load(tmp_path / f"similar-questions-{ENCODER}.npz") as data:
        assert len(data["keys"]) == 4
    assert not list(tmp_path.glob("*.partial*"))


def test_a_broken_cache_file_is_embedded_again(encoder, tmp_path):
    (tmp_path / f"similar-questions-{ENCODER}.npz").write_bytes(b"not a numpy file")
    vectors = cached_embeddings(["how do i ask for an ehcp"], encoder, tmp_path)
    assert vectors.shape == (1, 384)


def test_closer_examples_weigh_more():
    votes = votes_from(np.array([0.95, 0.90, 0.89, 0.88]), ["a", "b", "b", "b"])
    assert votes[0][0] == "a"  # one close example outweighs three farther ones
    assert votes_from(np.array([]), []) == []


def test_held_out_votes_come_from_other_folds_in_the_same_language():
    examples = [IntentExample("a", f"a{i}", "en") for i in range(10)] + [IntentExample("b", f"b{i}", "pl") for i in range(10)]
    # every English example is identical to every Polish one: a vote across languages would show
    vectors = np.tile([1.0, 0.0], (20, 1)).astype(np.float32)
    votes = held_out_votes(examples, vectors, ["a", "b"], folds=5)
    assert (votes[:10, 0] == 1.0).all() and (votes[10:, 1] == 1.0).all()


def test_an_example_never_votes_for_itself():
    # each example is like itself alone: if it voted, its own intent would take the whole vote
    examples = [IntentExample("a" if i % 2 else "b", f"x{i}", "en") for i in range(20)]
    votes = held_out_votes(examples, np.eye(20, dtype=np.float32), ["a", "b"], folds=5)
    assert votes.max() < 0.9
