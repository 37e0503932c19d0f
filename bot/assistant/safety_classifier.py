"""The learned layer for safety: disclosures said indirectly, in any of the six languages.

The phrase lists (bot/assistant/safety.py) catch danger said plainly. Families and young people
more often hint at it ("he says it's our secret", "they'd be better off without me"),
and no list can hold every way of saying that. This classifier is trained on its own
examples (data/safety/<language>.yml), written the way families and young people write,
with look-alikes that are not danger ("this process is killing me") and every topic
example question as ordinary messages. It runs on every message, beside the phrase lists
and whatever the topic classifier thinks, and can only ever add a safety message.

Three small models, all scikit-learn logistic regressions over character and word
n-grams (the same text folding as the phrase lists):
- safety: is this a safeguarding message at all? Its thresholds, one for each language, are
  chosen by cross-validation to favour recall (`bot safety cv`), and kept in data/safety.yml.
  A long message is scored whole and sentence by sentence; a sentence read out of its message
  has its own, higher thresholds (see SafetyClassifier.assess);
- category: which situation, so the message names the right people;
- speaker: is a young person writing about themselves, so the message speaks to them.

A trained model is cached under var/models/ by a hash of its data, so the action server
starts in a second when nothing has changed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline

from bot.core.text import fold

log = logging.getLogger(__name__)

# The situations the examples are sorted into; SITUATION_OF says whom each one is routed to.
CATEGORIES = (
    "child_disclosure",
    "sexual_abuse",
    "physical_harm_neglect",
    "domestic_abuse",
    "young_person_at_home",
    "self_harm",
    "parent_crisis",
    "missing_child",
    "exploitation",
    "staff_concern",
)
SITUATION_OF = {
    "child_disclosure": "child_at_risk",
    "sexual_abuse": "child_at_risk",
    "physical_harm_neglect": "child_at_risk",
    "young_person_at_home": "child_at_risk",
    "domestic_abuse": "domestic_abuse",
    "self_harm": "self_harm",
    "parent_crisis": "parent_crisis",
    "missing_child": "missing_child",
    "exploitation": "exploitation",
    "staff_concern": "staff_concern",
}
# A message often fits two situations ("the coach buys him things and says it's their secret"
# is both a child's disclosure and a concern about staff): every category whose probability is
# at least this share of the top one is routed too, so the message names both kinds of help.
# On the evaluation cases that name a contact, 0.6 routed 51 of 57 right and 0.4 routed 52.
CATEGORY_SHARE = 0.4
MAX_CATEGORIES = 3
SPEAKERS = ("family", "young_person")
NONE = "none"
SEED = 0
# Look-alikes ("this process is killing me") are few beside thousands of topic questions, yet
# they are what the classifier most needs to learn; in cross-validation, counting each three
# times cut false alarms on held-out look-alikes by about a fifth at the same recall.
LOOK_ALIKE_WEIGHT = 3.0
MODEL_VERSION = "4"  # bump when the features or models change, so a cached model is not reused


class SafetyDataError(ValueError):
    """A malformed example file; the message names the file and the problem."""


@dataclass(frozen=True)
class Example:
    text: str
    category: str  # one of CATEGORIES, or NONE
    speaker: str | None  # one of SPEAKERS for a safeguarding example
    language: str
    ordinary: bool = False  # a topic example question, not one written for this classifier


@dataclass(frozen=True)
class Assessment:
    """What the classifier makes of one message."""

    score: float  # probability that the message needs the safety message
    categories: tuple[str, ...]  # the likely situations, most likely first, if it does
    young_person: float  # probability that a young person is writing about themselves
    flagged: bool

    @property
    def situations(self) -> list[str]:
        return list(dict.fromkeys(SITUATION_OF[c] for c in self.categories))


def load_examples(folder: Path) -> list[Example]:
    """Every example file in the folder: <language>.yml with `family`, `young_person` and `none`."""
    examples: list[Example] = []
    for path in sorted(folder.glob("*.yml")):
        language = path.stem
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise SafetyDataError(f"{path}: not valid YAML: {exc}") from None
        unknown = set(data) - {*SPEAKERS, NONE}
        if unknown:
            raise SafetyDataError(f"{path}: unknown keys {sorted(unknown)} (use {', '.join(SPEAKERS)} or {NONE})")
        for speaker in SPEAKERS:
            for category, texts in (data.get(speaker) or {}).items():
                if category not in CATEGORIES:
                    raise SafetyDataError(
                        f"{path}: {speaker}: unknown category '{category}' (use one of {', '.join(CATEGORIES)})"
                    )
                examples += [Example(str(t), category, speaker, language) for t in texts or [] if str(t).strip()]
        examples += [Example(str(t), NONE, None, language) for t in data.get(NONE) or [] if str(t).strip()]
    return examples


def ordinary_examples(pages: Iterable[tuple[str, Sequence[str]]]) -> list[Example]:
    """Topic example questions, as (language, questions) pairs: the ordinary messages the
    classifier must leave alone."""
    return [Example(text, NONE, None, language, ordinary=True) for language, texts in pages for text in texts]


def _normalise(text: str) -> str:
    return fold(text).lower()


def _features() -> FeatureUnion:
    """Character n-grams carry misspellings and every script; words carry who does what."""
    return FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, preprocessor=_normalise),
            ),
            (
                "words",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    min_df=1,
                    token_pattern=r"(?u)\b\w+\b",
                    preprocessor=_normalise,
                ),
            ),
        ]
    )


def _logistic_regression(class_weight: str | None = "balanced", c: float = 10.0) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight=class_weight, max_iter=3000, random_state=SEED)


def _model(class_weight: str | None = "balanced", c: float = 10.0) -> Pipeline:
    return Pipeline([("features", _features()), ("model", _logistic_regression(class_weight, c))])


class _Features:
    """A fitted union of TF-IDF vectorizers, applied to one message without sklearn's per-call
    work: `Pipeline.predict_proba` checks every step is fitted, rebuilds each idf diagonal and
    builds sparse matrices, and that was most of the action server's time for each message
    (py-spy under `bot bench`). The same vocabulary, idf weights and norms give the same numbers."""

    def __init__(self, union: FeatureUnion) -> None:
        self._parts = []
        offset = 0
        for _, vectorizer in union.transformer_list:
            if vectorizer.norm != "l2" or not vectorizer.use_idf:
                raise ValueError("only l2-normalised TF-IDF features can be scored lean")
            self._parts.append(
                (vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_, offset, vectorizer.sublinear_tf)
            )
            offset += len(vectorizer.vocabulary_)

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The message's non-zero features: their columns and values, as the union would give."""
        columns: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for analyze, vocabulary, idf, offset, sublinear in self._parts:
            counts: dict[int, int] = {}
            for term in analyze(text):
                column = vocabulary.get(term)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            if not counts:
                continue
            index = np.fromiter(counts, dtype=np.intp, count=len(counts))
            value = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            if sublinear:
                value = np.log(value) + 1.0
            value *= idf[index]
            value /= np.sqrt(value @ value)
            columns.append(index + offset)
            values.append(value)
        if not columns:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        return np.concatenate(columns), np.concatenate(values)


def _probabilities(model: LogisticRegression, row: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """`model.predict_proba` for one feature row: a sigmoid for two classes, else the softmax."""
    columns, values = row
    decision = model.coef_[:, columns] @ values + model.intercept_
    if len(decision) == 1:
        positive = 1.0 / (1.0 + np.exp(-decision[0]))
        return np.array([1.0 - positive, positive])
    exponent = np.exp(decision - decision.max())
    return exponent / exponent.sum()


class SafetyClassifier:
    def __init__(
        self,
        safety: Pipeline,
        category: Pipeline,
        speaker: Pipeline,
        thresholds: Mapping[str, float],
        sentence_thresholds: Mapping[str, float] | None = None,
    ) -> None:
        self._safety = safety
        self._category = category
        self._speaker = speaker
        self.thresholds = dict(thresholds)
        self.sentence_thresholds = dict(sentence_thresholds or {})
        self._lean()

    def _lean(self) -> None:
        self._safety_features = _Features(self._safety.named_steps["features"])
        # the category and speaker models share one set of features (see train)
        self._situation_features = _Features(self._category.named_steps["features"])

    def __getstate__(self) -> dict:
        """The fitted pipelines are what is cached; the lean scorers are rebuilt from them."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_safety_features", "_situation_features")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lean()

    @classmethod
    def train(
        cls, examples: Sequence[Example], thresholds: Mapping[str, float], sentence_thresholds: Mapping[str, float] | None = None
    ) -> SafetyClassifier:
        texts = [e.text for e in examples]
        safety = _model().fit(texts, [e.category != NONE for e in examples], model__sample_weight=_weights(examples))
        positives = [e for e in examples if e.category != NONE]
        category = _model().fit([e.text for e in positives], [e.category for e in positives])
        # The speaker model reads the same texts through the same features: fit them once.
        features = category.named_steps["features"]
        speaker_model = _logistic_regression().fit(
            features.transform([e.text for e in positives]), [e.speaker == "young_person" for e in positives]
        )
        speaker = Pipeline([("features", features), ("model", speaker_model)])
        for pipeline in (safety, category):
            for _, vectorizer in pipeline.named_steps["features"].transformer_list:
                vectorizer.stop_words_ = None  # the terms min_df left out: for introspection only, and large
        return cls(safety, category, speaker, thresholds, sentence_thresholds)

    def threshold(self, language: str | None = None) -> float:
        """The language's own threshold; for a language without one, the lowest (the most cautious)."""
        own = self.thresholds.get(language or "")
        return own if own is not None else min(self.thresholds.values())

    def sentence_threshold(self, language: str | None = None) -> float:
        """The threshold for one sentence of a long message: the language's own, else the
        lowest; never below the threshold for the whole message."""
        own = self.sentence_thresholds.get(language or "")
        if own is None:
            own = min(self.sentence_thresholds.values(), default=0.0)
        return max(own, self.threshold(language))

    def score(self, texts: Sequence[str]) -> np.ndarray:
        model = self._safety.named_steps["model"]
        return np.array([_probabilities(model, self._safety_features.row(text))[1] for text in texts])

    def assess(self, text: str, language: str | None = None) -> Assessment:
        """A disclosure at the end of a long question about a school place is one sentence in
        many, so each sentence of a long message is scored as well as the whole. A sentence read
        out of its message is weaker evidence: "he hits his big brother" alarms, where the whole
        message ("... when he's overloaded, nobody gets hurt, is there a siblings group") does
        not. In cross-validation, sentences judged by the whole message's thresholds added 5
        points of false alarms on look-alikes for 1 point of recall on long disclosures, so a
        sentence has its own thresholds, chosen for a lower recall (`bot safety cv`)."""
        parts = segments(text)
        scores = self.score(parts)
        whole, sentence = float(scores[0]), float(scores[1:].max(initial=0.0))
        score = max(whole, sentence)
        flagged = whole >= self.threshold(language) or sentence >= self.sentence_threshold(language)
        row = self._situation_features.row(text)
        probabilities = _probabilities(self._category.named_steps["model"], row)
        young = float(_probabilities(self._speaker.named_steps["model"], row)[1])
        ranked = sorted(zip(probabilities, self._category.named_steps["model"].classes_), reverse=True)
        categories = tuple(str(c) for p, c in ranked[:MAX_CATEGORIES] if p >= CATEGORY_SHARE * ranked[0][0])
        return Assessment(score, categories, young, flagged)


SENTENCE_END = re.compile(r"(?<=[.!?।۔؟\n])\s+")
MIN_SEGMENT_WORDS = 6
LONG_MESSAGE_WORDS = 20  # shorter messages are scored whole: one sentence is already most of it


def segments(text: str) -> list[str]:
    """The message, and each of its sentences when it is long (short ones joined to the next)."""
    if len(text.split()) < LONG_MESSAGE_WORDS:
        return [text]
    parts: list[str] = []
    pending = ""
    for sentence in SENTENCE_END.split(text.strip()):
        pending = f"{pending} {sentence}".strip()
        if len(pending.split()) >= MIN_SEGMENT_WORDS:
            parts.append(pending)
            pending = ""
    if pending and parts:
        parts[-1] = f"{parts[-1]} {pending}"
    return [text, *parts] if len(parts) > 1 else [text]


# Cross-validation ----------------------------------------------------------------------


@dataclass
class LanguageFigures:
    positives: int
    negatives: int
    true_positives: int
    false_positives: int

    @property
    def recall(self) -> float:
        return self.true_positives / self.positives if self.positives else 1.0

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_positives / self.negatives if self.negatives else 0.0


def _weights(examples: Sequence[Example]) -> np.ndarray:
    return np.array([LOOK_ALIKE_WEIGHT if e.category == NONE and not e.ordinary else 1.0 for e in examples])


@dataclass(frozen=True)
class HeldOut:
    """Each example's scores from a model that never saw it: the whole message, and its best
    sentence (0 for a message too short to be split)."""

    whole: np.ndarray
    sentences: np.ndarray


def held_out_scores(examples: Sequence[Example], folds: int = 5, seed: int = SEED) -> HeldOut:
    """Each example's safety scores from a model that never saw it (stratified by language,
    label, and look-alike or ordinary question)."""
    texts = np.array([e.text for e in examples], dtype=object)
    labels = np.array([e.category != NONE for e in examples])
    weights = _weights(examples)
    strata = [f"{e.language}:{e.category != NONE}:{e.ordinary}" for e in examples]
    whole, sentences = np.zeros(len(examples)), np.zeros(len(examples))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, strata):
        model = _model().fit(list(texts[train]), labels[train], model__sample_weight=weights[train])
        whole[test] = model.predict_proba(list(texts[test]))[:, 1]
        for i in test:
            parts = segments(texts[i])[1:]
            if parts:
                sentences[i] = model.predict_proba(parts)[:, 1].max()
    return HeldOut(whole, sentences)


def choose_thresholds(examples: Sequence[Example], runs: Sequence[np.ndarray], min_recall: float) -> dict[str, float]:
    """Each language's threshold: in every cross-validation run, the highest whose held-out recall
    in that language is at least `min_recall` (missing a disclosure costs far more than a safety
    message a family did not need); then the median over the runs, since one shuffle of the folds
    alone moved the choice between 0.14 and 0.24. A language whose examples separate well keeps
    a higher threshold, and so fewer false alarms, instead of the lowest any language needs."""
    languages = np.array([e.language for e in examples])
    positive = np.array([e.category != NONE for e in examples])
    candidates = np.round(np.arange(0.05, 0.96, 0.01), 2)
    chosen: dict[str, list[float]] = {str(language): [] for language in sorted(set(languages))}
    for scores in runs:
        for language, values in chosen.items():
            held_out = scores[positive & (languages == language)]
            recall = (held_out[:, None] >= candidates[None, :]).mean(axis=0) if len(held_out) else np.ones(len(candidates))
            kept = candidates[recall >= min_recall]
            values.append(float(kept.max()) if len(kept) else float(candidates[0]))
    return {language: round(float(np.median(values)), 2) for language, values in chosen.items()}


def figures_at(
    examples: Sequence[Example],
    scores: np.ndarray,
    thresholds: Mapping[str, float],
    sentences: np.ndarray | None = None,
    sentence_thresholds: Mapping[str, float] | None = None,
) -> dict[str, LanguageFigures]:
    """Per language, at each language's threshold (languages without one are left out); with
    `sentences`, a message is flagged too when its best sentence reaches the sentence threshold."""
    out: dict[str, LanguageFigures] = {}
    for i, (example, score) in enumerate(zip(examples, scores)):
        if example.language not in thresholds:
            continue
        figures = out.setdefault(example.language, LanguageFigures(0, 0, 0, 0))
        flagged = score >= thresholds[example.language]
        if sentences is not None and sentence_thresholds:
            flagged = flagged or sentences[i] >= sentence_thresholds.get(example.language, 1.0)
        if example.category != NONE:
            figures.positives += 1
            figures.true_positives += flagged
        else:
            figures.negatives += 1
            figures.false_positives += flagged
    return out


# Loading and caching -------------------------------------------------------------------


def read_thresholds(path: Path, key: str = "thresholds") -> dict[str, float]:
    """Each language's threshold (`thresholds`, or `sentence_thresholds`), chosen by
    cross-validation, from data/safety.yml."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        thresholds = {str(language): float(value) for language, value in data[key].items()}
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SafetyDataError(
            f"{path}: needs '{key}:' with a number between 0 and 1 for each language, from `bot safety cv` ({exc})"
        ) from None
    wrong = [f"{language}: {value}" for language, value in thresholds.items() if not 0.0 < value < 1.0]
    if not thresholds or wrong:
        raise SafetyDataError(f"{path}: {key} must be between 0 and 1, one for each language ({', '.join(wrong)})")
    return thresholds


def _digest(examples: Sequence[Example]) -> str:
    digest = hashlib.sha256(MODEL_VERSION.encode())
    digest.update(Path(__file__).read_bytes())
    for e in examples:
        digest.update(f"{e.language}\t{e.category}\t{e.speaker}\t{e.text}\n".encode())
    return digest.hexdigest()[:16]


def load_or_train(
    examples: Sequence[Example],
    thresholds: Mapping[str, float],
    models_dir: Path,
    sentence_thresholds: Mapping[str, float] | None = None,
) -> SafetyClassifier:
    """The trained classifier for these examples, from the cache when it is there."""
    path = models_dir / f"safety-{_digest(examples)}.joblib"
    if path.exists():
        try:
            classifier: SafetyClassifier = joblib.load(path)
            classifier.thresholds = dict(thresholds)
            classifier.sentence_thresholds = dict(sentence_thresholds or {})
            return classifier
        except Exception as exc:  # a truncated or incompatible cache file: train again
            log.warning("safety model %s could not be read (%s); training it again", path.name, exc)
    classifier = SafetyClassifier.train(examples, thresholds, sentence_thresholds)
    models_dir.mkdir(parents=True, exist_ok=True)
    # Several processes may train at once (test workers, a restart of every replica): each
    # writes its own file and renames it into place, and a file another removed first is fine.
    partial = path.with_suffix(f".{os.getpid()}.partial")
    joblib.dump(classifier, partial)
    partial.replace(path)
    for old in sorted(models_dir.glob("safety-*.joblib"), key=lambda p: p.stat().st_mtime, reverse=True)[3:]:
        old.unlink(missing_ok=True)
    return classifier
