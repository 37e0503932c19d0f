"""Interface strings in the family's language, through Babel's gettext catalogs in locales/.

Answers come from content; everything else the assistant says (buttons, prompts,
labels) is wrapped in `_()` here so `pybabel extract` can find it.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from bot.core.settings import ROOT

LOCALES = ROOT / "locales"
RTL = {"ur", "ar", "fa", "he", "ps"}


@cache
def translations(language: str) -> NullTranslations:
    """The catalog for a language, or the English source strings when there is none.

    The .po file translators edit is read directly, so there is no compiled file to go
    stale; `make messages` still compiles the catalogs to check them.
    """
    path = LOCALES / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain="messages")


def N_(text: str) -> str:
    """Mark a string for translation where it is defined; it is translated where it is used."""
    return text


def gettext_for(language: str) -> Callable[[str], str]:
    return translations(language).gettext


def direction(language: str) -> str:
    return "rtl" if language in RTL else "ltr"
