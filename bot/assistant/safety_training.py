"""Where the safety classifier's examples come from, and how its threshold is chosen.

Examples: data/safety/<language>.yml (disclosures said indirectly, and look-alikes),
plus every topic example question in content/ as an ordinary message, except those the
phrase lists already treat as danger. The thresholds, one for each language, live in data/safety.yml; `bot safety
cv` measures them by cross-validation and prints the figures to put there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.assistant.content import Content
from bot.assistant.nlu_examples import nlu_language, rasa_examples
from bot.assistant.safety_classifier import (
    NONE,
    Example,
    LanguageFigures,
    SafetyClassifier,
    choose_thresholds,
    figures_at,
    held_out_scores,
    load_examples,
    load_or_train,
    ordinary_examples,
    read_thresholds,
)
from bot.core.settings import ROOT, Settings

DATA = ROOT / "data" / "safety"
NLU_DATA = ROOT / "data" / "nlu"
SAFEGUARDING_INTENT = "safeguarding"
THRESHOLD_FILE = ROOT / "data" / "safety.yml"
# Held-out recall each language's threshold must reach. Issue 12 asks for 100% on the English
# cases and 95% in each other language; the phrase lists and Rasa's intent add to it.
MIN_RECALL = 0.95
# Held-out recall each language's sentence threshold must reach: one sentence of a long message,
# read without the rest, is judged at the score that 90% of held-out disclosures reach
# (bot/assistant/safety_classifier.py, SafetyClassifier.assess, says why).
SENTENCE_MIN_RECALL = 0.90
# Cross-validation runs, each with its own shuffle of the folds; the thresholds are their median.
RUNS = 3


def training_examples(content: Content, data: Path = DATA, nlu: Path = NLU_DATA) -> list[Example]:
    """The written examples, then every ordinary question: topic examples and Rasa's other
    intents (greetings, small talk, out of scope), except what the phrase lists call danger."""
    written = load_examples(data)
    pages = [(language, page.examples + page.easy_examples) for (_topic, language), page in sorted(content.pages.items())]
    chat = [(nlu_language(path), _rasa_examples(path)) for path in sorted(nlu.glob("*.yml"))]
    ordinary = ordinary_examples(
        (language, [e for e in texts if not content.safety.situations(e)]) for language, texts in pages + chat
    )
    return written + ordinary


def _rasa_examples(path: Path) -> list[str]:
    """Examples of every intent in a Rasa NLU file except `safeguarding`."""
    return [text for intent, text in rasa_examples(path) if intent != SAFEGUARDING_INTENT]


def safety_classifier(content: Content, settings: Settings) -> SafetyClassifier:
    """The classifier for the current examples: from var/models/ when cached, else trained (about a minute)."""
    return load_or_train(
        training_examples(content),
        read_thresholds(THRESHOLD_FILE),
        settings.models_dir,
        read_thresholds(THRESHOLD_FILE, "sentence_thresholds"),
    )


@dataclass
class CrossValidation:
    thresholds: dict[str, float]
    sentence_thresholds: dict[str, float]
    figures: dict[str, LanguageFigures]
    written_negatives: dict[str, LanguageFigures]

    def lines(self) -> list[str]:
        out = [
            f"thresholds (for each language the highest with held-out recall >= {MIN_RECALL:.0%}, median of {RUNS} runs):",
            *(f"  {language}: {value:.2f}" for language, value in sorted(self.thresholds.items())),
            f"sentence_thresholds (the same, for held-out recall >= {SENTENCE_MIN_RECALL:.0%}):",
            *(f"  {language}: {value:.2f}" for language, value in sorted(self.sentence_thresholds.items())),
            "language  threshold  positives  recall  precision  false alarms: topic questions   look-alikes",
        ]
        for language, f in sorted(self.figures.items()):
            w = self.written_negatives.get(language, LanguageFigures(0, 0, 0, 0))
            topic_alarms, topic_total = f.false_positives - w.false_positives, f.negatives - w.negatives
            out.append(
                f"{language:<9} {self.thresholds[language]:>9.2f}  {f.positives:>9}  {f.recall:>6.1%}  {f.precision:>8.1%}   "
                f"{topic_alarms:>4}/{topic_total:<5} = {topic_alarms / max(topic_total, 1):>5.1%}   "
                f"{w.false_positives:>4}/{w.negatives:<4} = {w.false_alarm_rate:.1%}"
            )
        return out


def cross_validate(examples: list[Example], folds: int = 5, runs: int = RUNS) -> CrossValidation:
    """Thresholds from `runs` shuffles of the folds; the figures are those of the first run at them,
    each long message judged whole and by its sentences, as the classifier judges a message.
    A disclosure inside a long message is scored as one sentence on its own, so the sentence
    thresholds are chosen on the held-out scores of the disclosures themselves."""
    held_out = [held_out_scores(examples, folds, seed=seed) for seed in range(runs)]
    thresholds = choose_thresholds(examples, [h.whole for h in held_out], MIN_RECALL)
    sentence_thresholds = choose_thresholds(examples, [h.whole for h in held_out], SENTENCE_MIN_RECALL)
    sentence_thresholds = {k: max(v, thresholds[k]) for k, v in sentence_thresholds.items()}
    first = held_out[0]
    look_alikes = [i for i, e in enumerate(examples) if e.category == NONE and not e.ordinary]
    return CrossValidation(
        thresholds,
        sentence_thresholds,
        figures_at(examples, first.whole, thresholds, first.sentences, sentence_thresholds),
        figures_at(
            [examples[i] for i in look_alikes],
            first.whole[look_alikes],
            thresholds,
            first.sentences[look_alikes],
            sentence_thresholds,
        ),
    )
