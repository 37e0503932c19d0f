"""A family's own dates in the chat (bot/assistant/dates.py and the `work_out_dates` handler),
and the same dates from `bot dates` for staff on the phone."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.assistant import handlers
from bot.assistant.dates import find_dates, say_date
from bot.assistant.dialogue import Responder
from bot.assistant.turn import Turn
from bot.ops import cli

TODAY = dt.date(2026, 12, 7)
NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def responder(loaded):
    return Responder(lambda: loaded, now=lambda: NOW)


def found(text: str, language: str = "en", future: bool = False) -> list[tuple[str, bool]]:
    return [(f.date.isoformat(), f.year_given) for f in find_dates(text, language, TODAY, future)]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("the refusal letter is dated 14 July 2026, when can I appeal", "en"),
        ("letter dated 14/07/2026", "en"),
        ("letter dated 14.7.26", "en"),
        ("the letter says 2026-07-14", "en"),
        ("it came on the 14th of July 2026", "en"),
        ("it came on July 14, 2026", "en"),
        ("Decyzja z 14 lipca 2026 r., do kiedy mam czas?", "pl"),
        ("Лист датований 14 липня 2026 року", "uk"),
        ("Scrisoarea din 14 iulie 2026", "ro"),
        ("فیصلے کا خط 14 جولائی 2026 کو آیا", "ur"),
        ("فیصلے کا خط ۱۴ جولائی ۲۰۲۶ کو آیا", "ur"),  # Urdu digits
        ("निर्णय पत्र १४ जुलाई २०२६ मा आयो", "ne"),  # Nepali digits
        ("निर्णय पत्र २०२६ जुलाई १४ मा आयो", "ne"),  # year first, as Nepali dates are often written
        ("mera decision letter 14 July 2026 ka hai", "ur"),  # Roman Urdu
    ],
)
def test_dates_as_families_write_them_in_six_languages(text, language):
    assert found(text, language) == [("2026-07-14", True)]


def test_a_date_without_a_year_is_the_last_one_not_in_the_future():
    assert found("the letter came on 14 July") == [("2026-07-14", False)]
    assert found("the letter came on 20 December") == [("2025-12-20", False)]
    assert found("14 lipca", "pl") == [("2026-07-14", False)]


def test_a_move_without_a_year_is_the_next_one_and_a_month_is_enough():
    assert found("he moves school on 1 September", future=True) == [("2027-09-01", False)]
    assert found("she starts college in September 2027", future=True) == [("2027-09-01", True)]
    assert found("the review was in March 2026") == []  # a letter's date needs its day


@pytest.mark.parametrize(
    "text",
    ["my son is 14 and in year 9", "we asked 3 days ago", "within 6 weeks", "he has 2 EHCPs", "call 03000 41 3000", "hello"],
)
def test_numbers_that_are_not_dates_are_left_alone(text):
    assert found(text) == []


def test_two_dates_are_found_in_order():
    assert found("decision 14 July 2026, mediation certificate 20 November 2026") == [
        ("2026-07-14", True),
        ("2026-11-20", True),
    ]


def test_dates_are_said_in_full_in_the_familys_language():
    assert say_date(dt.date(2026, 9, 14), "en") == "Monday 14 September 2026"
    assert say_date(dt.date(2026, 9, 14), "pl") == "poniedziałek, 14 września 2026"


def reply(responder, text: str, intent: str = "nlu_fallback", **turn: object):
    return responder.respond(Turn(text=text, intent=intent, **turn))


def only_dates(result) -> dict:
    (answer,) = [m for m in result.messages if m.get("dates")]
    return answer


def test_the_question_from_the_issue_gets_the_last_day_to_appeal(responder):
    result = reply(
        responder, "the refusal letter is dated 14 July 2026, when is the last day I can appeal?", intent="ehcp-refused"
    )
    answer = only_dates(result)
    assert answer["kind"] == "answer" and answer["topic"] == "tribunal-appeal"
    assert answer["dates"] == [
        {
            "what": "Last day to register your appeal",
            "date": "2026-09-14",
            "rule": "2 months from the decision letter",
            "why_moved": None,
            "moved_from": None,
            "passed": True,
        }
    ]
    assert "Monday 14 September 2026" in answer["text"] and "Tuesday 14 July 2026" in answer["text"]
    assert "guide" in answer["text"] and "Check the date on your letter" in answer["text"]
    assert {"iask", "ipsea"} <= set(answer["contacts"]) and "phone 03000 41 3000" in answer["text"]
    assert "late appeal" in answer["text"]  # the date has passed: say what can still be done
    assert result.slots["last_topic"] == "tribunal-appeal"


def test_a_moved_date_says_why(responder):
    answer = only_dates(reply(responder, "decision letter 10 June 2026, what is the deadline to appeal?"))
    (item,) = answer["dates"]
    assert item["date"] == "2026-09-01" and item["moved_from"] == "2026-08-10"
    assert "first working day in September" in item["why_moved"] and item["why_moved"] in answer["text"]


def test_without_a_date_the_assistant_answers_then_asks_and_uses_the_reply(responder):
    first = reply(responder, "when is the last day I can appeal?", intent="tribunal-appeal")
    kinds = [(m["kind"], m["topic"]) for m in first.messages]
    assert kinds[0] == ("answer", "tribunal-appeal")  # the page first: nothing is lost
    assert kinds[1] == ("chat", "tribunal-appeal") and "decision letter" in first.messages[1]["text"]
    assert first.slots["awaiting_date"] == "appeal"
    second = reply(responder, "It was 10 June 2026", awaiting_date="appeal")
    assert only_dates(second)["dates"][0]["date"] == "2026-09-01"
    assert second.slots["awaiting_date"] is None


def test_a_reply_without_a_date_is_an_ordinary_question_again(responder):
    result = reply(responder, "what is mediation", intent="mediation", awaiting_date="appeal")
    assert result.messages[0]["topic"] == "mediation" and not result.messages[0].get("dates")
    assert result.slots["awaiting_date"] is None


def test_an_ordinary_question_with_when_gets_the_page_not_a_question(responder):
    result = reply(responder, "how long does an EHC needs assessment take", intent="ehcp-timeline")
    assert [m["kind"] for m in result.messages] == ["answer"] and result.slots["awaiting_date"] is None


def test_how_far_along_a_request_is(responder):
    answer = only_dates(reply(responder, "we asked for an assessment on 1 October 2026, how far along are we?"))
    assert answer["topic"] == "ehcp-timeline" and "week 10 of 20" in answer["text"]
    assert [(d["date"], d["passed"]) for d in answer["dates"]] == [
        ("2026-11-12", True),
        ("2027-01-21", False),
        ("2027-02-18", False),
    ]
    assert "This date has passed" in answer["text"] and "This is the next date" in answer["text"]


def test_the_year_assumed_is_said(responder):
    answer = only_dates(reply(responder, "the decision letter came on 14 July, when is the deadline to appeal"))
    assert answer["dates"][0]["date"] == "2026-09-14"
    assert "You did not say the year, so I used Tuesday 14 July 2026" in answer["text"]


def test_the_mediation_certificate_and_the_decision_are_told_apart(responder):
    text = "mediation certificate dated 20 November 2026, and the decision letter was 14 July 2026. Deadline to appeal?"
    (item,) = only_dates(reply(responder, text))["dates"]
    assert item["date"] == "2026-12-21" and item["rule"] == "1 month from the mediation certificate"


def test_easy_read_gives_the_same_dates_in_short_sentences(responder):
    standard = only_dates(reply(responder, "draft plan sent 19 November 2026, what is the last day to comment"))
    easy = only_dates(reply(responder, "draft plan sent 19 November 2026, what is the last day to comment", reading_level="easy"))
    assert [d["date"] for d in easy["dates"]] == [d["date"] for d in standard["dates"]] == ["2026-12-04"]
    assert easy["topic"] == "ehcp-draft-plan" and len(easy["text"]) < len(standard["text"])
    assert "This is 15 days" not in easy["text"]


def test_the_answer_is_in_the_familys_language(responder):
    answer = only_dates(
        reply(responder, "Decyzja z 14 lipca 2026 r. Do kiedy mogę się odwołać?", "tribunal-appeal", language="pl")
    )
    assert answer["dates"][0]["date"] == "2026-09-14"
    assert "poniedziałek, 14 września 2026" in answer["text"]


def test_the_form_sends_its_dates_as_an_entity(responder):
    result = reply(responder, "/work_out_dates", "work_out_dates", entities={"dates_form": "appeal;decision=2026-10-30"})
    (item,) = only_dates(result)["dates"]
    assert item["date"] == "2027-01-04" and "25 December to 1 January" in item["why_moved"]


@pytest.mark.parametrize(
    "form",
    ["", "appeal", "appeal;decision=14/07/2026", "appeal;mediation=2026-07-14", "nonsense;a=2026-01-01", "appeal;colour=red"],
)
def test_a_broken_form_gets_a_clear_message(responder, form):
    result = reply(responder, "/work_out_dates", "work_out_dates", entities={"dates_form": form})
    assert result.messages[0]["kind"] == "chat" and "could not read those dates" in result.messages[0]["text"]


def test_the_dates_handler_comes_first_but_leaves_other_turns(loaded):
    assert handlers.HANDLERS[0] is handlers.work_out_dates
    responder = Responder(lambda: loaded, now=lambda: NOW)
    result = responder.respond(Turn(text="what is an EHCP", intent="ehcp-what-is"))
    assert result.messages[0]["topic"] == "ehcp-what-is" and "dates" not in result.messages[0]


def test_a_safety_message_still_comes_first(responder):
    result = reply(responder, "my son wants to kill himself. the appeal letter is dated 14 July 2026, when is the deadline")
    assert result.messages[0]["kind"] == "safeguarding" and any(m.get("dates") for m in result.messages)


def test_bot_dates_prints_the_same_dates_for_staff(capsys):
    assert cli.main(["dates", "appeal", "--decision", "2026-07-14", "--today", "2026-12-07", "--format", "json"]) == 0
    (item,) = json.loads(capsys.readouterr().out)
    assert item["date"] == "2026-09-14" and item["rule"] == "2 months from the decision letter"
    assert cli.main(["dates", "appeal", "--decision", "2026-03-12", "--mediation", "2026-04-20", "--language", "pl"]) == 0
    assert "środa, 20 maja 2026" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["dates", "appeal"], "takes --decision YYYY-MM-DD [--mediation YYYY-MM-DD]"),
        (["dates", "appeal", "--decision", "14/07/2026"], "written YYYY-MM-DD"),
        (["dates", "appeal", "--colour", "2026-07-14"], "takes --decision"),
        (["dates", "nonsense", "--decision", "2026-07-14"], "unknown calculation 'nonsense'"),
        (["dates", "appeal", "--decision", "2026-07-14", "--language", "xx"], "--language must be one of"),
    ],
)
def test_bot_dates_says_what_is_wrong(capsys, argv, message):
    assert cli.main(argv) == 2
    assert message in capsys.readouterr().err


def test_the_words_staff_wrote_outweigh_a_wrong_topic_guess(responder):
    text = "i put a formal complaint in to kcc on monday 20th april 2026. when should i have had a full reply by?"
    answer = only_dates(reply(responder, text, intent="ehcp-timeline"))  # what the classifier once guessed
    assert answer["topic"] == "complaint-council" and answer["dates"][1]["date"] == "2026-05-19"


def test_a_deadline_question_without_a_date_gets_the_page_it_asked_about(responder):
    result = reply(responder, "the council has missed the deadline for his plan, what can we do?", intent="ehcp-delays")
    assert result.messages[0]["topic"] == "ehcp-delays" and result.slots["last_topic"] == "ehcp-delays"
    assert result.slots["awaiting_date"] == "assessment"


def test_a_dates_answer_offers_its_topic_page(responder, loaded):
    answer = only_dates(reply(responder, "draft plan sent 19 November 2026, what is the last day to comment"))
    assert {"title": loaded.page("ehcp-draft-plan", "en").meta["title"], "payload": "/ehcp-draft-plan"} in answer["buttons"]
