"""The widget's interface strings: every language, each named in its own words, with its direction."""

from __future__ import annotations

import pytest

from bot.web.widget_strings import STRINGS, widget_strings

LANGUAGES = ("en", "pl", "ro", "uk", "ur", "ne")


def test_each_language_is_named_in_its_own_words():
    names = [language["name"] for language in widget_strings("en", LANGUAGES)["languages"]]
    assert names == ["English", "Polski", "Română", "Українська", "اردو", "नेपाली"]


def test_urdu_is_right_to_left_and_the_others_left_to_right():
    assert widget_strings("ur", LANGUAGES)["direction"] == "rtl"
    assert {language["code"]: language["direction"] for language in widget_strings("en", LANGUAGES)["languages"]} == {
        "en": "ltr",
        "pl": "ltr",
        "ro": "ltr",
        "uk": "ltr",
        "ur": "rtl",
        "ne": "ltr",
    }


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_every_string_is_translated_and_keeps_its_placeholder(language):
    strings = widget_strings(language, LANGUAGES)["strings"]
    assert set(strings) == set(STRINGS)
    assert [key for key, text in strings.items() if text == STRINGS[key]] == []
    assert "{reference}" in strings["callback_reference"]


def test_english_is_the_source_text():
    assert widget_strings("en", ("en",))["strings"] == STRINGS
