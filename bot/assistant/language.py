"""Which language a message is written in, so a family is answered in the language they wrote.

Two offline detectors, both with their models inside the package (nothing is downloaded
at run time), each limited to the languages we answer in:

- Lingua is the more accurate on short messages and on text typed without diacritics
  ("fiul meu are autism"), but it has no Nepali.
- py3langid knows Nepali and every other script we might add.

A message switches the session's language when Lingua is confident, when the two agree,
or when py3langid is confident about a language Lingua does not know. Anything else, and
anything very short ("ok", "EHCP?", a button), keeps the session's language.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import yaml
from lingua import Language, LanguageDetector, LanguageDetectorBuilder
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from bot.core.settings import ROOT

# Words in capitals are SEND acronyms (EHCP, SENCO) that families use in every language.
_ACRONYM = re.compile(r"\b[A-Z]{2,}s?\b")
MIN_WORDS = 2  # words besides acronyms; one non-Latin word is enough, its script says a lot
LINGUA_CONFIDENT = 0.8
LANGID_CONFIDENT = 0.9
# Urdu and Nepali typed in Latin letters: neither detector knows them, so common words decide
# (data/roman.yml). Two words from one list, and more than from the other, are enough.
ROMAN_FILE = ROOT / "data" / "roman.yml"
ROMAN_MIN_WORDS = 2
_LATIN_WORD = re.compile(r"[a-z]+")


@cache
def roman_words() -> dict[str, frozenset[str]]:
    data = yaml.safe_load(ROMAN_FILE.read_text(encoding="utf-8")) or {}
    return {language: frozenset(str(w).lower() for w in words) for language, words in data.items()}


def roman(text: str, languages: tuple[str, ...]) -> str | None:
    """'ur' or 'ne' for Urdu or Nepali written in Latin letters ("mera beta autistic hai"), else None."""
    words = _LATIN_WORD.findall(text.lower())
    counts = {lang: sum(w in listed for w in words) for lang, listed in roman_words().items() if lang in languages}
    if not counts:
        return None
    best = max(counts, key=lambda lang: counts[lang])
    others = max((n for lang, n in counts.items() if lang != best), default=0)
    return best if counts[best] >= ROMAN_MIN_WORDS and counts[best] > others else None


class Detector:
    def __init__(self, languages: tuple[str, ...]) -> None:
        self.languages = languages
        self._langid = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
        self._langid.set_languages([code for code in languages if code in set(self._langid.nb_classes)])
        known = {language.iso_code_639_1.name.lower(): language for language in Language.all()}
        self._lingua_codes = {known[code]: code for code in languages if code in known}
        self._lingua: LanguageDetector | None = (
            LanguageDetectorBuilder.from_languages(*self._lingua_codes).build() if len(self._lingua_codes) > 1 else None
        )

    def load_models(self) -> None:
        """Load Lingua's models now rather than on the first message in Latin letters, which
        waited 0.8 s for them. A Latin-script text loads the models of every Latin-script
        language we answer in; Cyrillic and Arabic script each fit one of our languages, and
        Lingua decides them without a model."""
        if self._lingua is not None:
            self._lingua.compute_language_confidence_values("my son needs help at school")

    def detect(self, text: str, current: str) -> str:
        """The message's language if it is clear enough, otherwise the session's language."""
        return self.detect_script(text, current)[0]

    def detect_script(self, text: str, current: str) -> tuple[str, bool]:
        """The message's language as `detect` finds it, and whether it is Urdu or Nepali in Latin letters."""
        if len(self.languages) < 2 or text.startswith("/"):
            return current, False
        words = [w for w in _ACRONYM.sub(" ", text).split() if len(w) >= 2 and any(ch.isalpha() for ch in w)]
        latin_only = all(not ch.isalpha() or "LATIN" in unicodedata.name(ch, "") for word in words for ch in word)
        if not words or (latin_only and len(words) < MIN_WORDS):
            return current, False
        romanised = roman(text, self.languages) if latin_only else None
        if romanised is not None:
            return romanised, True
        return self._detect(text, current), False

    def _detect(self, text: str, current: str) -> str:
        guess, probability = self._langid.classify(text)
        lingua_guess, confidence = self._lingua_best(text)
        if lingua_guess is not None and (confidence >= LINGUA_CONFIDENT or lingua_guess == guess):
            return lingua_guess
        if probability >= LANGID_CONFIDENT and guess not in self._lingua_codes.values():
            return guess
        return current

    def _lingua_best(self, text: str) -> tuple[str | None, float]:
        if self._lingua is None:
            return None, 0.0
        values = self._lingua.compute_language_confidence_values(text)
        if not values:
            return None, 0.0
        return self._lingua_codes[values[0].language], values[0].value


@cache
def detector(languages: tuple[str, ...]) -> Detector:
    """One detector per set of languages: building one loads both models."""
    return Detector(languages)
