"""Interface strings in the family's language, through Babel's gettext catalogs in locales/.

Answers come from content; everything else the assistant says (buttons, prompts,
labels) is wrapped in `_()` here so `pybabel extract` can find it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

from babel.support import NullTranslations, Translations

from bot.settings import ROOT

LOCALES = ROOT / "locales"
RTL = {"ur", "ar", "fa", "he", "ps"}


@lru_cache(maxsize=None)
def translations(language: str) -> NullTranslations:
    """The compiled catalog for a language, or the English source strings when there is none."""
    return Translations.load(str(LOCALES), [language], domain="messages")


def gettext_for(language: str) -> Callable[[str], str]:
    return translations(language).gettext


def direction(language: str) -> str:
    return "rtl" if language in RTL else "ltr"
