"""Text as families type it on a phone: the one way every layer folds it before matching.

The phrase lists, Rasa's featurizer and the safety classifier all fold text the same way,
so a phrase a member of staff writes with accents matches a message typed without them.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Drop the accents of Latin letters (ă→a, ż→z, ł→l), keeping every other script whole:
    Devanagari vowel signs are combining marks too, and they are part of the word."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", text.replace("’", "'").replace("ł", "l").replace("Ł", "L")):
        if unicodedata.combining(ch) and out and "LATIN" in unicodedata.name(out[-1], ""):
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))
