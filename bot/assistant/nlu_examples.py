"""The example questions Rasa's classifier learns from, with their intents and languages.

Rasa trains on every topic page's example questions (bot/nlu/training.py writes them out) and
on data/nlu/. The safety classifier, the similar-questions index and the cross-validation of
"did you mean" all need the same examples, so they read them here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.assistant.content import Content


@dataclass(frozen=True)
class IntentExample:
    intent: str
    text: str
    language: str


def rasa_examples(path: Path) -> list[tuple[str, str]]:
    """(intent, example) for every example in a Rasa NLU file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        (str(item["intent"]), line.strip()[2:].strip())
        for item in data.get("nlu") or []
        if item.get("intent")
        for line in str(item.get("examples", "")).splitlines()
        if line.strip().startswith("- ")
    ]


def nlu_language(path: Path) -> str:
    """data/nlu/chat.yml and safety.yml are English; the others are named after their language."""
    return "en" if path.stem in ("chat", "safety") else path.stem


def intent_examples(content: Content, nlu: Path) -> list[IntentExample]:
    """Every topic page's example questions in every language, then data/nlu/'s other intents."""
    examples = [
        IntentExample(topic, text, language)
        for (topic, language), page in sorted(content.pages.items())
        for text in page.examples + page.easy_examples
        if topic in content.topics
    ]
    for path in sorted(nlu.glob("*.yml")):
        examples += [IntentExample(intent, text, nlu_language(path)) for intent, text in rasa_examples(path)]
    return examples
