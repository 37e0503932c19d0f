"""The facts families act on, read from the rendered answer in every language.

Each fact in tests/facts/*.yml names a topic, a section, its source and, per language,
patterns the rendered section must match. They were written when a review of the answers
found wrong deadlines and duties (issue 13): a translation that drifts from the corrected
English, or an edit that brings an old error back, fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

FACTS_DIR = Path(__file__).parent / "facts"
LANGUAGES = ("en", "pl", "ro", "uk", "ur", "ne")
SECTIONS = ("answer", "more", "easy")


def _facts() -> list[dict]:
    return [fact for path in sorted(FACTS_DIR.glob("*.yml")) for fact in yaml.safe_load(path.read_text(encoding="utf-8"))]


FACTS = _facts()


def test_every_fact_is_well_formed_and_covers_every_language():
    ids = [fact["id"] for fact in FACTS]
    assert len(ids) == len(set(ids)), "duplicate fact ids"
    assert len(FACTS) >= 20
    for fact in FACTS:
        assert fact["section"] in SECTIONS and fact.get("source"), fact["id"]
        assert set(fact["says"]) == set(LANGUAGES), f"{fact['id']}: needs patterns for {LANGUAGES}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("fact", FACTS, ids=lambda f: f["id"])
def test_the_answer_says_the_fact(loaded, fact, language):
    page = loaded.page(fact["topic"], language)
    assert page is not None, f"no {language} page for {fact['topic']}"
    text = page.sections.get(fact["section"], "")
    missing = [pattern for pattern in fact["says"][language] if not re.search(pattern, text, re.IGNORECASE)]
    assert not missing, f"{page.path.name} ({language}, {fact['section']}) does not say {missing} (source: {fact['source']})"


def test_the_old_august_rule_is_gone_everywhere(loaded):
    """The fact sheet once said an August deadline moves to 'the next working day'; it is the
    first working day in September."""
    wrong = re.compile(r"(in|or in) august,? it moves to the next working day", re.IGNORECASE)
    pages = [
        p.path.name
        for (topic, language), p in loaded.pages.items()
        if language == "en" and any(wrong.search(text) for text in p.sections.values())
    ]
    assert pages == []
