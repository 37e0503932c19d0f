"""Directory questions in the chat (bot/assistant/services.py): which messages are directory
questions, the services found in six languages, "Show more", and what a family hears when
nothing matches. The real content and a SQLite directory of the fixture feed's services."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.assistant.dialogue import Responder
from bot.assistant.services import Search
from bot.assistant.turn import Turn
from bot.storage.directory import Directory
from bot.storage.store import Store
from tests import feed_server

NOW = dt.datetime(2026, 12, 7, 11, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def directory(tmp_path_factory) -> Directory:
    return feed_server.load(Store(f"sqlite:///{tmp_path_factory.mktemp('directory') / 'app.db'}"))


@pytest.fixture(scope="module")
def responder(loaded, directory) -> Responder:
    return Responder(lambda: loaded, now=lambda: NOW, services=directory)


def ask(responder: Responder, text: str, intent: str = "nlu_fallback", language: str = "en", **turn) -> list[dict]:
    ranking = ((intent, 0.9),) if intent != "nlu_fallback" else ()
    return responder.respond(Turn(text=text, intent=intent, confidence=0.9, language=language, ranking=ranking, **turn)).messages


def services_in(messages: list[dict]) -> list[str]:
    return [s["id"] for m in messages for s in m.get("services") or []]


def fid(key: str) -> str:
    return feed_server.fixture_id(key)


# A question in each language, as a family might type it; Rasa's topic where the words alone would not do.
QUESTIONS = [
    ("en", "is there an autism support group for parents near Ashford?", "local-offer", "ashford-autism"),
    ("pl", "czy jest grupa wsparcia dla rodziców dzieci z autyzmem w Ashford?", "local-offer", "ashford-autism"),
    ("uk", "чи є група підтримки для батьків дітей з аутизмом в Ешфорді?", "local-offer", "ashford-autism"),
    ("ro", "unde poate fiul meu de 17 ani să găsească un loc de muncă în Dover?", "preparing-for-adulthood", "dover-work"),
    ("ur", "ڈوور میں میرا 17 سالہ بیٹا نوکری کہاں ڈھونڈ سکتا ہے؟", "preparing-for-adulthood", "dover-work"),
    ("ne", "थानेटमा अपाङ्ग बच्चाहरूको लागि बिदाको क्लब छ?", "activities-and-clubs", "thanet-holiday"),
    ("pl", "kluby wakacyjne dla niepełnosprawnych dzieci w Thanet", "activities-and-clubs", "thanet-holiday"),
    ("en", "where can my 17 year old get help finding work in Dover?", "preparing-for-adulthood", "dover-work"),
    ("en", "wheelchair sports for my 10 year old near ME14", "activities-and-clubs", "maidstone-wheelchair"),
    ("uk", "чи є щось для глухих дітей у Кенті? шукаю групу для родини", "sensory-impairment", "kent-deaf"),
]


@pytest.mark.parametrize(("language", "text", "intent", "expected"), QUESTIONS)
def test_a_directory_question_in_each_language_finds_the_right_services(responder, language, text, intent, expected):
    messages = ask(responder, text, intent, language)
    answer = next(m for m in messages if m["topic"] == "find-a-service")
    assert answer["kind"] == "answer"
    assert fid(expected) == answer["services"][0]["id"], [s["name"] for s in answer["services"]]
    assert len(answer["services"]) <= 5
    if language != "en":
        assert answer["text"] != ask(responder, text, intent, "en")[0]["text"]  # said in the family's language
    assert any(b["payload"] == "/talk_to_person" for b in answer["buttons"])


def test_an_age_in_the_message_filters_the_services(responder):
    messages = ask(responder, "holiday club for my 17 year old in Thanet", "activities-and-clubs")
    assert fid("thanet-holiday") not in services_in(messages)  # it takes 5 to 16


def test_an_ordinary_question_that_names_a_place_is_not_a_directory_search(responder):
    messages = ask(responder, "how do I apply for an EHCP in Dover", "ehcp-request")
    assert messages[0]["topic"] == "ehcp-request" and not services_in(messages)


def test_no_match_says_so_and_names_the_area_team(responder):
    messages = ask(responder, "is there a speech and language group near Dover?", "therapies")
    answer = messages[0]
    assert answer["topic"] == "find-a-service" and answer["services"] == []
    assert "could not find" in answer["text"] and "send-area-south" in answer["contacts"]


def test_show_more_sends_the_same_search_on(responder):
    first = ask(responder, "what services are there near me?", "local-offer")[0]
    more = next(b for b in first["buttons"] if b["title"] == "Show more")
    assert more["payload"].startswith('/find_services{"directory_query": ')
    query = json.loads(more["payload"].removeprefix("/find_services"))["directory_query"]
    second = ask(responder, more["payload"], "find_services", entities={"directory_query": query})[0]
    assert second["services"] and not set(services_in([first])) & set(services_in([second]))
    assert second["text"].startswith("Services 6 to")


def test_out_of_date_records_are_flagged(responder):
    messages = ask(responder, "sensory play for toddlers near Sevenoaks", "early-years")
    old = next(s for s in services_in(messages) if s == fid("sevenoaks-old"))
    card = next(s for m in messages for s in m["services"] if s["id"] == old)
    assert card["out_of_date"] and "out of date" in messages[0]["text"]


def test_a_broken_show_more_payload_is_not_a_search():
    assert Search.decode("needs=autism;age=ten") is None
    search = Search(("autism", "parent-support"), "Ashford", "TN23", 9, 5)
    assert Search.decode(search.encode()) == search
    assert search.page_url() == "/services?need=autism&need=parent-support&area=Ashford&age=9"


def test_without_a_place_the_family_is_asked_for_it_and_the_search_waits(responder):
    reply = responder.respond(
        Turn(text="are there any autism support groups?", intent="local-offer", ranking=(("local-offer", 0.9),))
    )
    answer = reply.messages[0]
    assert "town or district" in answer["text"] and reply.slots["directory_query"]
    follow = responder.respond(Turn(text="Ashford", intent="nlu_fallback", directory_query=reply.slots["directory_query"]))
    assert follow.messages[0]["services"][0]["id"] == fid("ashford-autism")
    assert follow.slots["directory_query"] is None  # asked once; answered
