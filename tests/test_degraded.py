"""The reply when the assistant cannot answer: phone numbers for the hour it is, and 999."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.contacts import load_contacts
from bot.web.degraded import Directory

TUESDAY_11AM = dt.datetime(2026, 12, 1, 11, 0, tzinfo=dt.timezone.utc)
TUESDAY_11PM = dt.datetime(2026, 12, 1, 23, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def directory(config):
    contacts, problems = load_contacts(config.content_dir / "contacts.yml")
    assert [p for p in problems if p.severity == "error"] == []
    return Directory(contacts)


def test_in_office_hours_iask_and_children_s_social_care(directory):
    message = directory.message("en", TUESDAY_11AM)
    assert message["kind"] == "fallback" and message["topic"] is None
    assert message["contacts"] == ["iask", "childrens-social-care", "samaritans"]
    assert "call 999" in message["text"] and "03000 41 3000. Open now until 5pm." in message["text"]
    assert [card["tel"] for card in message["cards"]] == ["tel:+443000413000", "tel:+443000411111", "tel:116123"]
    assert "<strong>" in message["html"] and "<script" not in message["html"]


def test_at_night_the_out_of_hours_service_and_when_iask_opens(directory):
    message = directory.message("en", TUESDAY_11PM)
    assert message["contacts"] == ["iask", "social-care-out-of-hours", "samaritans"]
    assert "03000 41 3000. Closed now; opens tomorrow at 9am." in message["text"]
    error = directory.error("en", TUESDAY_11PM)
    assert "try again in a few minutes" in error and "03000 41 3000" in error and "999" in error
    assert "phone instead" in directory.callback_error("en", TUESDAY_11PM)
