"""The pattern layer for safety: phrases the classifier cannot outvote.

A message about a child at risk or a person in crisis must get the safety message
first. The Rasa classifier has a `safeguarding` intent too, but a missed prediction
must never hide a safety message, so these staff-owned phrase lists are checked on
every message, in the message's language and in English.
"""

from __future__ import annotations

from pathlib import Path

import spacy
import yaml
from spacy.matcher import PhraseMatcher

SITUATIONS = ("self_harm", "child_at_risk", "abuse", "missing_child", "parent_crisis")
IGNORE = "ignore"


class SafetyMatcher:
    def __init__(self, folder: Path) -> None:
        self._nlp = spacy.blank("xx")
        self._matcher = PhraseMatcher(self._nlp.vocab, attr="LOWER")
        for path in sorted(folder.glob("*.yml")):
            lists = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for situation, phrases in lists.items():
                if situation not in SITUATIONS and situation != IGNORE:
                    raise ValueError(f"{path}: unknown situation '{situation}' (use one of {', '.join(SITUATIONS)})")
                self._matcher.add(situation, [self._nlp.make_doc(p) for p in phrases])

    def situations(self, text: str) -> list[str]:
        """The situations the text matches, most urgent first."""
        doc = self._nlp.make_doc(text.replace("’", "'"))
        matches = [(self._nlp.vocab.strings[match_id], start, end) for match_id, start, end in self._matcher(doc)]
        ignored = [(start, end) for label, start, end in matches if label == IGNORE]
        found = {label for label, start, end in matches
                 if label != IGNORE and not any(i <= start and end <= j for i, j in ignored)}
        return [s for s in SITUATIONS if s in found]
