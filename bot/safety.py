"""The pattern layer for safety: phrases the classifier cannot outvote.

A message about a child at risk or a person in crisis must get the safety message
first. The Rasa classifier has a `safeguarding` intent too, but a missed prediction
must never hide a safety message, so the staff-owned phrase lists in
content/safety/ are checked on every message.
"""

from __future__ import annotations

from pathlib import Path

from bot.phrases import PhraseLists

# Most urgent first: the order decides which contacts lead the safety message.
SITUATIONS = ("self_harm", "child_at_risk", "abuse", "missing_child", "parent_crisis")


class SafetyMatcher(PhraseLists):
    def __init__(self, folder: Path) -> None:
        super().__init__(folder, SITUATIONS)

    def situations(self, text: str) -> list[str]:
        return self.find(text)
