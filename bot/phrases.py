"""Staff-owned phrase lists, matched on every message whatever the classifier says.

One YAML file per language in a folder: each key is a label with its phrases.
Phrases under `ignore` are figures of speech: a match that lies inside one of them
does not count. Matching ignores case and the accents of Latin letters ("să se sinucidă" matches "sa se
sinucida"), because on a phone many families type without them; curly apostrophes count
as straight ones.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import spacy
import yaml
from spacy.matcher import PhraseMatcher

IGNORE = "ignore"


class PhraseLists:
    def __init__(self, folder: Path, labels: tuple[str, ...]) -> None:
        self.labels = labels
        self._nlp = spacy.blank("xx")
        self._matcher = PhraseMatcher(self._nlp.vocab, attr="LOWER")
        for path in sorted(folder.glob("*.yml")):
            lists = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for label, phrases in lists.items():
                if label not in labels and label != IGNORE:
                    raise ValueError(f"{path}: unknown list '{label}' (use one of {', '.join(labels)}, or {IGNORE})")
                self._matcher.add(label, [self._nlp.make_doc(fold(p)) for p in phrases])

    def find(self, text: str) -> list[str]:
        """The labels whose phrases occur in the text, in the order the labels were given."""
        doc = self._nlp.make_doc(fold(text))
        matches = [(self._nlp.vocab.strings[match_id], start, end) for match_id, start, end in self._matcher(doc)]
        ignored = [(start, end) for label, start, end in matches if label == IGNORE]
        found = {label for label, start, end in matches
                 if label != IGNORE and not any(i <= start and end <= j for i, j in ignored)}
        return [label for label in self.labels if label in found]


def fold(text: str) -> str:
    """Drop the accents of Latin letters (ă→a, ż→z, ł→l), keeping every other script whole:
    Devanagari vowel signs are combining marks too, and they are part of the word."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", text.replace("’", "'").replace("ł", "l").replace("Ł", "L")):
        if unicodedata.combining(ch) and out and "LATIN" in unicodedata.name(out[-1], ""):
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))
