"""The chat API contract, checked against the real running assistant."""

from __future__ import annotations

import json

import pytest

from tests.conftest import get, post

KINDS = {"answer", "handoff", "safeguarding", "fallback", "chat", "clarify", "search"}
MESSAGE_KEYS = {"kind", "text", "topic", "contacts", "buttons"}


def test_hello_gets_a_chat_reply_with_the_contract_shape(chat, spec_topics, spec_contacts):
    reply = chat("hello", session_id="shape-1")
    assert reply["session_id"] == "shape-1"
    assert reply["language"] == "en"
    assert reply["messages"], "a reply always has at least one message"
    for message in reply["messages"]:
        assert MESSAGE_KEYS <= set(message)
        assert message["kind"] in KINDS
        assert message["kind"] == "answer" or message["topic"] is None or message["topic"] in spec_topics
        assert set(message["contacts"]) <= spec_contacts
        for button in message["buttons"]:
            assert set(button) == {"title", "payload"}
    assert reply["messages"][0]["kind"] == "chat"


def test_a_question_gets_an_answer_from_content_with_contacts(chat, loaded):
    reply = chat("what is an ehcp", session_id="answer-1")
    answer = reply["messages"][0]
    assert answer["kind"] == "answer"
    assert answer["topic"] == "ehcp-what-is"
    assert answer["text"] == loaded.page("ehcp-what-is", "en").sections["answer"]
    assert answer["contacts"] == ["iask", "send-hub"]
    assert {"/tell_me_more", "/simpler", "/talk_to_person"} <= {b["payload"] for b in answer["buttons"]}


def test_easy_read_is_chosen_by_reading_level(chat, loaded):
    reply = chat("what is an ehcp", session_id="easy-1", reading_level="easy")
    assert reply["messages"][0]["text"] == loaded.page("ehcp-what-is", "en").sections["easy"]


def test_easy_read_lasts_for_the_session(chat, loaded):
    chat("hello", session_id="easy-session", reading_level="easy")
    reply = chat("what is mediation", session_id="easy-session")
    assert reply["messages"][0]["text"] == loaded.page("mediation", "en").sections["easy"]
    back = chat("what is mediation", session_id="easy-session", reading_level="standard")
    assert back["messages"][0]["text"] == loaded.page("mediation", "en").sections["answer"]


def test_i_dont_understand_gives_the_easy_read_answer(chat, loaded):
    chat("what is mediation", session_id="understand-1")
    reply = chat("i don't understand", session_id="understand-1")
    assert reply["messages"][0]["text"] == loaded.page("mediation", "en").sections["easy"]


def test_follow_ups_use_the_last_topic(chat, loaded):
    chat("what is mediation", session_id="follow-1")
    simpler = chat("can you explain that more simply", session_id="follow-1")["messages"][0]
    assert (simpler["topic"], simpler["text"]) == ("mediation", loaded.page("mediation", "en").sections["easy"])
    more = chat("tell me more", session_id="follow-1")["messages"][0]
    assert (more["topic"], more["text"]) == ("mediation", loaded.page("mediation", "en").sections["more"])


def test_buttons_send_payloads_that_work(chat):
    reply = chat("what can you do?", session_id="buttons-1")
    areas = [b for b in reply["messages"][0]["buttons"] if b["payload"].startswith("/browse_area")]
    assert len(areas) == 5
    assert reply["messages"][0]["buttons"][-1]["payload"] == "/talk_to_person"
    topics = chat(areas[1]["payload"], session_id="buttons-1")["messages"][0]["buttons"]
    assert "/ehcp-what-is" in {b["payload"] for b in topics}
    answer = chat("/ehcp-what-is", session_id="buttons-1")["messages"][0]
    assert (answer["kind"], answer["topic"]) == ("answer", "ehcp-what-is")


@pytest.mark.parametrize("text", ["when do the bins get collected", "what's the weather tomorrow", "asdfghjkl qwerty"])
def test_out_of_scope_gets_a_fallback_with_a_route_to_a_person(chat, text):
    messages = chat(text, session_id="fallback")["messages"]
    assert [m["kind"] for m in messages] == ["fallback"]
    assert messages[0]["topic"] is None
    assert messages[0]["contacts"], "a fallback always names someone who can help"
    assert "/talk_to_person" in {b["payload"] for b in messages[0]["buttons"]}


def test_are_you_a_robot_says_it_is_automated(chat):
    message = chat("are you a robot?", session_id="robot-1")["messages"][0]
    assert message["kind"] == "chat"
    assert "automated" in message["text"] and "not a person" in message["text"]
    assert "/talk_to_person" in {b["payload"] for b in message["buttons"]}


def test_talk_to_a_person_in_a_district_names_the_area_team(chat):
    messages = chat("I want to talk to someone in Thanet", session_id="person-1")["messages"]
    assert messages[0]["kind"] == "handoff"
    assert "send-area-east" in messages[0]["contacts"]
    assert "automated" in messages[0]["text"]


def test_safety_message_comes_first(chat):
    messages = chat("my daughter is talking about hurting herself", session_id="safe-1")["messages"]
    assert messages[0]["kind"] == "safeguarding"
    assert "999" in messages[0]["text"]


def test_restart_clears_the_session(chat):
    chat("what is mediation", session_id="restart-1")
    chat("start again", session_id="restart-1")
    message = chat("tell me more", session_id="restart-1")["messages"][0]
    assert message["kind"] == "chat" and message["topic"] is None


def test_user_text_is_never_echoed_unescaped(chat):
    reply = chat("<script>alert(1)</script><img src=x onerror=alert(2)>", session_id="xss-1")
    raw = json.dumps(reply)
    assert "<script" not in raw and "onerror" not in raw


BAD_BODIES = [
    pytest.param(None, b"{not json", "valid JSON", id="invalid-json"),
    pytest.param(None, b"\xff\xfe", "JSON", id="not-utf8"),
    pytest.param(["a", "list"], None, "JSON object", id="not-an-object"),
    pytest.param({"text": "hi"}, None, "session_id", id="missing-session"),
    pytest.param({"session_id": "", "text": "hi"}, None, "session_id", id="empty-session"),
    pytest.param({"session_id": "a" * 129, "text": "hi"}, None, "session_id", id="long-session"),
    pytest.param({"session_id": "bad id!", "text": "hi"}, None, "session_id", id="session-characters"),
    pytest.param({"session_id": 5, "text": "hi"}, None, "session_id", id="session-not-string"),
    pytest.param({"session_id": "a"}, None, "text", id="missing-text"),
    pytest.param({"session_id": "a", "text": ""}, None, "text", id="empty-text"),
    pytest.param({"session_id": "a", "text": "   "}, None, "text", id="blank-text"),
    pytest.param({"session_id": "a", "text": "x" * 2001}, None, "too long", id="long-text"),
    pytest.param({"session_id": "a", "text": ["hi"]}, None, "text", id="text-not-string"),
    pytest.param({"session_id": "a", "text": "hi", "language": "xx"}, None, "language", id="unknown-language"),
    pytest.param({"session_id": "a", "text": "hi", "language": 7}, None, "language", id="language-not-string"),
    pytest.param({"session_id": "a", "text": "hi", "reading_level": "hard"}, None, "reading_level", id="bad-reading-level"),
]


@pytest.mark.parametrize("body,raw,mentions", BAD_BODIES)
def test_bad_input_gets_400_with_a_message(assistant, body, raw, mentions):
    status, reply = post(f"{assistant}/api/chat", body, raw=raw)
    assert status == 400
    assert mentions in reply["error"]


def test_longest_allowed_text_is_accepted(chat):
    assert chat("x" * 2000, session_id="long-ok")["messages"]


def test_oversized_body_gets_413_and_the_server_keeps_serving(assistant, chat, config):
    status, reply = post(f"{assistant}/api/chat", None, raw=b'{"session_id":"a","text":"' + b"x" * config.max_body_bytes + b'"}')
    assert status == 413
    assert "too large" in reply["error"]
    assert chat("hello", session_id="after-413")["messages"]


def test_wrong_method_and_path_get_json_errors(assistant):
    assert get(f"{assistant}/api/chat")[0] == 405
    assert get(f"{assistant}/api/nothing")[0] == 404


def test_health_is_ok_when_model_and_actions_are_up(assistant):
    status, body = get(f"{assistant}/api/health")
    assert status == 200
    assert body == {"status": "ok", "model": True, "actions": True, "replicas": [{"name": "rasa-1", "model": True}]}
