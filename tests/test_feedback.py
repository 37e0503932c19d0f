"""Feedback on answers: validation, redaction of personal details, storage, and the API."""

from __future__ import annotations

import pytest

from bot.core.feedback import POSTCODE_MARK, NewFeedback, parse_feedback
from bot.core.redact import redact
from bot.core.validation import BadRequest
from bot.storage.store import Store
from tests.conftest import post, web_app

TOPICS = {"mediation", "ehcp-what-is"}


@pytest.mark.parametrize(
    "text,expected",
    [
        ("email me at ann.smith+send@example.org please", "email me at [email] please"),
        ("ring 07911 123456 after 3", "ring [phone] after 3"),
        ("ring 07911123456", "ring [phone]"),
        ("my number is +44 1622 123456.", "my number is [phone]."),
        ("landline (01227) 123 456", "landline [phone]"),
        ("we live at ME14 1XQ", "we live at [postcode]"),
        ("we live at ct21 4jf now", "we live at [postcode] now"),
        ("postcode SW1A1AA", "postcode [postcode]"),
        ("a@b.co, 07911 123456 and TN23 1AB", "[email], [phone] and [postcode]"),
    ],
)
def test_personal_details_are_redacted(text, expected):
    assert redact(text, postcode=POSTCODE_MARK) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The answer did not say how long an EHC needs assessment takes: 20 weeks?",
        "My son is 14 and in year 9.",
        "It took 6 weeks, then 3 more.",
    ],
)
def test_ordinary_comments_are_kept_as_written(text):
    assert redact(text) == text


def test_a_valid_request_is_parsed_and_its_comment_redacted():
    parsed = parse_feedback(
        {"session_id": "s-1", "topic": "mediation", "helpful": False, "comment": "  Call 07911 123456  "}, TOPICS
    )
    assert parsed == NewFeedback("s-1", "mediation", False, "Call [phone]")
    assert parse_feedback({"session_id": "s-1", "topic": None, "helpful": True}, TOPICS) == NewFeedback("s-1", None, True, None)
    assert parse_feedback({"session_id": "s-1", "helpful": True, "comment": "   "}, TOPICS).comment is None


@pytest.mark.parametrize(
    "body,mentions",
    [
        (["a"], "JSON object"),
        ({"topic": "mediation", "helpful": True}, "session_id"),
        ({"session_id": "bad id!", "helpful": True}, "session_id"),
        ({"session_id": "s", "topic": "bins", "helpful": True}, "topic"),
        ({"session_id": "s", "topic": 5, "helpful": True}, "topic"),
        ({"session_id": "s"}, "helpful"),
        ({"session_id": "s", "helpful": "yes"}, "helpful"),
        ({"session_id": "s", "helpful": 1}, "helpful"),
        ({"session_id": "s", "helpful": False, "comment": 5}, "comment"),
        ({"session_id": "s", "helpful": False, "comment": "x" * 1001}, "too long"),
    ],
)
def test_bad_requests_are_rejected_with_a_message(body, mentions):
    with pytest.raises(BadRequest, match=mentions):
        parse_feedback(body, TOPICS)


def test_feedback_is_stored(store: Store):
    store.migrate()
    store.add_feedback(NewFeedback("s-2", "mediation", False, "[email]"))
    store.add_feedback(NewFeedback("s-2", None, True, None))
    rows = store.feedback("s-2")
    assert [(r.topic, r.helpful, r.comment) for r in rows] == [("mediation", False, "[email]"), (None, True, None)]
    assert all(r.created_at is not None for r in rows)


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    var = tmp_path_factory.mktemp("feedback-var")
    with web_app(var) as url:
        yield url, Store(f"sqlite:///{var / 'app.db'}")


def test_the_api_stores_redacted_feedback(web):
    url, store = web
    status, body = post(
        f"{url}/api/feedback",
        {
            "session_id": "api-1",
            "topic": "mediation",
            "helpful": False,
            "comment": "Wrong. I'm at ann@example.org, 07911 123456, ME14 1XQ",
        },
    )
    assert (status, body) == (201, {"status": "stored"})
    [row] = store.feedback("api-1")
    assert row.comment == "Wrong. I'm at [email], [phone], [postcode]"
    assert "ann@" not in row.comment and "07911" not in row.comment


@pytest.mark.parametrize(
    "body,raw,mentions",
    [
        (None, b"{not json", "valid JSON"),
        (None, b"\xff\xfe", "JSON"),
        ({"session_id": "api-2", "helpful": "no"}, None, "helpful"),
        ({"session_id": "api-2", "helpful": True, "topic": "bins"}, None, "topic"),
    ],
)
def test_the_api_answers_bad_input_with_400_and_a_message(web, body, raw, mentions):
    url, store = web
    status, reply = post(f"{url}/api/feedback", body, raw=raw)
    assert status == 400 and mentions in reply["error"]
    assert store.feedback("api-2") == []
