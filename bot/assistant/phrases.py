"""Staff-owned phrase lists, matched on every message whatever the classifier says.

One YAML file per language in a folder: each key is a label with its phrases.
Phrases under `ignore` are figures of speech: a match that lies inside one of them
does not count. Matching ignores case and the accents of Latin letters ("să se sinucidă" matches "sa se
sinucida"), because on a phone many families type without them; curly apostrophes count
as straight ones.
"""

from __future__ import annotations

from pathlib import Path

import spacy
import yaml
from spacy.matcher import PhraseMatcher

from bot.core import yamlfile
from bot.core.problems import Problem, ProblemError, invalid_yaml, yaml_line_of
from bot.core.text import fold

IGNORE = "ignore"


class PhraseLists:
    """The phrase lists in one folder, one YAML file per language; raises ProblemError
    (file and line) for a file that cannot be used, so a reload keeps the last good lists.
    No folder (None) means no phrases: what a content load with broken lists holds, which is
    reported and never served."""

    def __init__(self, folder: Path | None, labels: tuple[str, ...]) -> None:
        self.labels = labels
        self._nlp = spacy.blank("xx")
        self._matcher = PhraseMatcher(self._nlp.vocab, attr="LOWER")
        for path in sorted(folder.glob("*.yml")) if folder is not None else []:
            text = path.read_text(encoding="utf-8")
            try:
                lists, node = yamlfile.load(text) or {}, yamlfile.compose(text)
            except yaml.YAMLError as exc:
                raise ProblemError(invalid_yaml(path, exc)) from None
            if not isinstance(lists, dict):
                raise ProblemError(Problem(path, 1, "error", "must map each list's name to its phrases"))
            for label, phrases in lists.items():
                line = yaml_line_of(node, str(label)) if node is not None else 1
                if label not in labels and label != IGNORE:
                    message = f"unknown list '{label}' (use one of {', '.join(labels)}, or {IGNORE})"
                    raise ProblemError(Problem(path, line, "error", message))
                if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
                    raise ProblemError(Problem(path, line, "error", f"'{label}' must be a list of phrases"))
                self._matcher.add(label, [self._nlp.make_doc(fold(p)) for p in phrases])

    def find(self, text: str) -> list[str]:
        """The labels whose phrases occur in the text, in the order the labels were given."""
        doc = self._nlp.make_doc(fold(text))
        matches = [(self._nlp.vocab.strings[match_id], start, end) for match_id, start, end in self._matcher(doc)]
        ignored = [(start, end) for label, start, end in matches if label == IGNORE]
        found = {
            label for label, start, end in matches if label != IGNORE and not any(i <= start and end <= j for i, j in ignored)
        }
        return [label for label in self.labels if label in found]
