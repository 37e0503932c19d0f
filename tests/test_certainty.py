"""When the assistant answers, asks "did you mean", or searches (bot/assistant/certainty.py)."""

from __future__ import annotations

import pytest

from bot.assistant.certainty import CERTAINTY_FILE, Certainty, CertaintyDataError, judge, read_certainty

SURE = Certainty(confident=0.4, margin=0.1, floor=0.1)
TOPICS = {"ehcp-request", "ehcp-refused", "tribunal-appeal", "senco"}


def test_a_clear_winner_is_answered():
    verdict = judge([("ehcp-request", 0.7), ("ehcp-refused", 0.1)], TOPICS, SURE)
    assert (verdict.verdict, verdict.topics) == ("answer", ["ehcp-request"])


def test_two_close_topics_get_a_did_you_mean_with_both():
    verdict = judge([("ehcp-refused", 0.45), ("tribunal-appeal", 0.40), ("senco", 0.01)], TOPICS, SURE)
    assert (verdict.verdict, verdict.topics) == ("clarify", ["ehcp-refused", "tribunal-appeal"])


def test_a_third_topic_is_offered_only_when_it_is_a_real_contender():
    verdict = judge([("ehcp-refused", 0.30), ("tribunal-appeal", 0.25), ("senco", 0.2)], TOPICS, SURE)
    assert verdict.topics == ["ehcp-refused", "tribunal-appeal", "senco"]


def test_nothing_likely_means_search():
    assert judge([("nlu_fallback", 0.2), ("senco", 0.05), ("ehcp-request", 0.04)], TOPICS, SURE).verdict == "search"


def test_small_talk_or_out_of_scope_is_left_to_its_handler():
    assert judge([("out_of_scope", 0.8), ("senco", 0.1)], TOPICS, SURE).verdict == "other"


def test_the_fallback_classifiers_own_intent_is_ignored():
    verdict = judge([("nlu_fallback", 0.2), ("senco", 0.15), ("ehcp-request", 0.14)], TOPICS, SURE)
    assert (verdict.verdict, verdict.topics) == ("clarify", ["senco", "ehcp-request"])


def test_the_shipped_thresholds_are_read(tmp_path):
    certainty = read_certainty(CERTAINTY_FILE)
    assert 0 < certainty.floor < certainty.confident < 1


@pytest.mark.parametrize(
    "text",
    ["", "confident: 0.4\nmargin: 0.1\n", "confident: high\nmargin: 0.1\nfloor: 0.1\n", "confident: 2\nmargin: 0\nfloor: 0\n"],
)
def test_a_broken_thresholds_file_says_what_to_write(tmp_path, text):
    path = tmp_path / "certainty.yml"
    path.write_text(text)
    with pytest.raises(CertaintyDataError, match="certainty.yml"):
        read_certainty(path)


def test_the_safeguarding_intent_is_set_aside_and_the_topics_behind_it_weighed():
    """The safety layer decides about danger; what is left is which topic the question is about."""
    verdict = judge([("safeguarding", 0.81), ("senco", 0.12), ("ehcp-request", 0.04)], TOPICS, SURE)
    assert (verdict.verdict, verdict.topics) == ("answer", ["senco"])
