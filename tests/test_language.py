"""Which language a message is in: clear messages switch, short or unclear ones keep the session's."""

from __future__ import annotations

import pytest

from bot.assistant.language import detector

ALL = ("en", "pl", "ro", "uk", "ur", "ne")


@pytest.mark.parametrize(
    "text,language",
    [
        ("Co to jest EHCP?", "pl"),
        ("Kim jest SENCO?", "pl"),
        ("jak zlozyc wniosek o ehcp dla syna", "pl"),
        ("fiul meu are autism si nu primeste ajutor la scoala", "ro"),
        ("Ce este un EHCP?", "ro"),
        ("Що таке EHCP?", "uk"),
        ("як подати заявку на оцінку потреб", "uk"),
        ("EHCP کیا ہے؟", "ur"),
        ("میرے بیٹے کو اسکول میں مدد نہیں مل رہی", "ur"),
        ("EHCP के हो?", "ne"),
        ("मेरो छोरालाई विद्यालयमा सहयोग चाहिन्छ", "ne"),
        ("my son has autism and needs help at school", "en"),
    ],
)
def test_a_clear_message_sets_the_language(text, language):
    assert detector(ALL).detect(text, "en" if language != "en" else "pl") == language


@pytest.mark.parametrize("text", ["ok", "EHCP", "SENCO?", "dziękuję", "/talk_to_person", "👍", "Margate", "12"])
def test_short_messages_and_buttons_keep_the_sessions_language(text):
    assert detector(ALL).detect(text, "ro") == "ro"


def test_only_configured_languages_are_chosen():
    assert detector(("en", "pl")).detect("copilul meu are nevoie de ajutor la scoala", "en") in ("en", "pl")
    assert detector(("en",)).detect("Co to jest EHCP?", "en") == "en"


ALL = ("en", "pl", "uk", "ro", "ur", "ne")


@pytest.mark.parametrize(
    "text,language",
    [
        ("mera beta autistic hai, EHCP kaise milega", "ur"),
        ("meri beti ko school mein koi madad nahi mil rahi", "ur"),
        ("mero chhora lai autism chha, EHCP kasari paune", "ne"),
        ("mero chhori school jana mandaina, ke garne", "ne"),
    ],
)
def test_urdu_and_nepali_in_latin_letters_are_recognised(text, language):
    assert detector(ALL).detect_script(text, "en") == (language, True)


@pytest.mark.parametrize(
    "text",
    ["my son has autism and needs an EHCP", "hai sa vorbim despre scoala copilului meu", "mój syn ma autyzm i potrzebuje pomocy"],
)
def test_english_polish_and_romanian_are_not_taken_for_roman_urdu_or_nepali(text):
    assert detector(ALL).detect_script(text, "en")[1] is False


def test_the_models_can_be_loaded_before_the_first_message():
    languages = ("en", "pl", "ro", "uk", "ur", "ne")
    found = detector(languages)
    found.load_models()
    found.load_models()  # once loaded, loading again changes nothing
    assert found.detect("mój syn ma autyzm i potrzebuje pomocy w szkole", "en") == "pl"
    detector(("en",)).load_models()  # one language: no Lingua, nothing to load
