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


BLENDED = Certainty(confident=0.3, margin=0.05, floor=0.1, similar=0.4, vote_below=0.6)


def test_the_similar_questions_vote_can_turn_a_wrong_answer_into_the_right_one():
    """Rasa leans to one topic on shared words; the examples nearest in meaning say another."""
    ranking = [("ehcp-refused", 0.5), ("tribunal-appeal", 0.3), ("senco", 0.2)]
    assert judge(ranking, TOPICS, BLENDED).topics == ["ehcp-refused"]
    verdict = judge(ranking, TOPICS, BLENDED, votes=lambda: [("tribunal-appeal", 0.9), ("senco", 0.1)])
    # 0.6 * 0.3 + 0.4 * 0.9 = 0.54 against 0.6 * 0.5 = 0.30
    assert (verdict.verdict, verdict.topics) == ("answer", ["tribunal-appeal"])


def test_a_split_vote_turns_an_answer_into_did_you_mean():
    ranking = [("ehcp-refused", 0.55), ("tribunal-appeal", 0.3), ("senco", 0.15)]
    verdict = judge(ranking, TOPICS, BLENDED, votes=lambda: [("tribunal-appeal", 0.7), ("ehcp-refused", 0.3)])
    assert verdict.verdict == "clarify" and set(verdict.topics[:2]) == {"ehcp-refused", "tribunal-appeal"}


def test_a_vote_for_out_of_scope_can_stop_a_confident_answer():
    """No topic fits "first time flying with my son, help at the airport?", and the nearest examples say so."""
    ranking = [("senco", 0.55), ("ehcp-request", 0.3), ("out_of_scope", 0.15)]
    assert judge(ranking, TOPICS, BLENDED).verdict == "answer"
    verdict = judge(ranking, TOPICS, BLENDED, votes=lambda: [("out_of_scope", 1.0)])
    assert verdict.verdict != "answer"


def test_a_message_rasa_is_sure_of_never_pays_for_the_vote():
    def votes() -> list[tuple[str, float]]:
        raise AssertionError("Rasa was sure enough: the message must not be embedded")

    verdict = judge([("senco", 0.6), ("ehcp-request", 0.3)], TOPICS, BLENDED, votes=votes)
    assert (verdict.verdict, verdict.topics) == ("answer", ["senco"])
    # the safeguarding intent set aside, what is left is scaled up before the comparison
    ranking = [("safeguarding", 0.5), ("senco", 0.35), ("ehcp-request", 0.15)]
    assert judge(ranking, TOPICS, BLENDED, votes=votes).topics == ["senco"]


def test_the_share_of_the_vote_is_read_and_checked(tmp_path):
    path = tmp_path / "certainty.yml"
    path.write_text("confident: 0.3\nmargin: 0.02\nfloor: 0.1\nsimilar: 0.4\nvote_below: 0.5\n")
    assert (read_certainty(path).similar, read_certainty(path).vote_below) == (0.4, 0.5)
    path.write_text("confident: 0.3\nmargin: 0.02\nfloor: 0.1\nsimilar: 1.5\n")
    with pytest.raises(CertaintyDataError, match="similar"):
        read_certainty(path)


def test_the_out_of_scope_search_scores_are_read_and_checked(tmp_path):
    assert set(read_certainty(CERTAINTY_FILE).out_of_scope_search) == {"en", "ne", "pl", "ro", "uk", "ur"}
    path = tmp_path / "certainty.yml"
    path.write_text("confident: 0.3\nmargin: 0.02\nfloor: 0.1\n")
    assert read_certainty(path).out_of_scope_search == {}  # none given: out of scope is never searched
    path.write_text("confident: 0.3\nmargin: 0.02\nfloor: 0.1\nout_of_scope_search: {en: 12.5, pl: 9}\n")
    assert read_certainty(path).out_of_scope_search == {"en": 12.5, "pl": 9.0}
    for wrong in ("{en: 0}", "{en: lots}", "[12.5]"):
        path.write_text(f"confident: 0.3\nmargin: 0.02\nfloor: 0.1\nout_of_scope_search: {wrong}\n")
        with pytest.raises(CertaintyDataError):
            read_certainty(path)


def test_a_vote_turned_off_is_never_asked_for():
    def votes() -> list[tuple[str, float]]:
        raise AssertionError("vote_below 0 turns the vote off")

    off = Certainty(confident=0.3, margin=0.05, floor=0.1, similar=0.4, vote_below=0.0)
    assert not off.asks_for_votes and BLENDED.asks_for_votes
    assert judge([("senco", 0.2), ("ehcp-request", 0.19)], TOPICS, off, votes=votes).verdict == "clarify"
