"""The pattern layer: phrases that always bring the safety message, and figures of speech that do not."""

from __future__ import annotations

import pytest

from bot.assistant.safety import SafetyMatcher
from bot.core.problems import ProblemError
from tests.conftest import write


@pytest.fixture(scope="module")
def safety(config):
    return SafetyMatcher(config.content_dir / "safety")


@pytest.mark.parametrize(
    "text,situation",
    [
        ("my daughter is talking about hurting herself", "self_harm"),
        ("My Son Says He Wants To Die", "self_harm"),
        ("she's been self-harming since year 8", "self_harm"),
        ("I think he is being abused", "abuse"),
        ("my child has gone missing", "missing_child"),
        ("i cant cope anymore", "parent_crisis"),
        ("I can’t cope anymore", "parent_crisis"),
        ("he is not safe at home", "child_at_risk"),
    ],
)
def test_alarm_phrases_are_found(safety, text, situation):
    assert situation in safety.situations(text)


@pytest.mark.parametrize(
    "text",
    [
        "the school is killing me with paperwork",
        "my son is in danger of falling behind in maths",
        "what is a safe space in school",
        "how do I cope with the annual review meeting",
    ],
)
def test_figures_of_speech_are_not_alarms(safety, text):
    assert safety.situations(text) == []


def test_an_ignored_phrase_does_not_hide_a_real_alarm(safety):
    assert "self_harm" in safety.situations("he is in danger of failing and says he wants to die")


def test_an_unknown_situation_is_a_clear_error(tmp_path):
    write(tmp_path / "en.yml", "sadness: [sad]\n")
    with pytest.raises(ProblemError, match=r"en\.yml:1: error: unknown list 'sadness'"):
        SafetyMatcher(tmp_path)


@pytest.mark.parametrize(
    "text,situation",
    [
        ("Moja córka mówi, że chce umrzeć", "self_harm"),
        ("syn zaginął wczoraj wieczorem", "missing_child"),
        ("Myślę, że ojczym bije córkę", "abuse"),
        ("Już nie daję rady z tym wszystkim", "parent_crisis"),
    ],
)
def test_alarm_phrases_are_found_in_polish(safety, text, situation):
    assert situation in safety.situations(text)


@pytest.mark.parametrize("text", ["Szkoła mnie wykańcza papierkową robotą", "Co to jest EHCP?"])
def test_polish_figures_of_speech_are_not_alarms(safety, text):
    assert safety.situations(text) == []


def test_every_configured_language_has_safety_and_person_phrases_for_every_situation(config):
    import yaml

    from bot.assistant.safety import SITUATIONS

    for language in config.languages:
        lists = yaml.safe_load((config.content_dir / "safety" / f"{language}.yml").read_text(encoding="utf-8"))
        assert all(lists.get(situation) for situation in SITUATIONS), language
        person = yaml.safe_load((config.content_dir / "handoff" / f"{language}.yml").read_text(encoding="utf-8"))
        assert len(person["person"]) >= 10, language


@pytest.mark.parametrize(
    "text,situation",
    [
        ("mój syn mówi, że chce umrzeć", "self_harm"),
        ("fiica mea vrea să se sinucidă", "self_harm"),
        ("мій син каже, що хоче вбити себе", "self_harm"),
        ("میری بیٹی خودکشی کی باتیں کر رہی ہے", "self_harm"),
        ("मेरो छोरा आत्महत्या गर्छु भन्छ", "self_harm"),
    ],
)
def test_alarm_phrases_are_found_in_every_language(safety, text, situation):
    assert situation in safety.situations(text)
