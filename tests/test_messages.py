import datetime as dt

import pytest

from bot.core.contacts import Contact
from bot.core.messages import KINDS, card, contact_line, message, to_html

# Monday 7 December 2026, 10:00 and 22:00 in London (GMT in December).
MORNING = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.timezone.utc)
NIGHT = dt.datetime(2026, 12, 7, 22, 0, tzinfo=dt.timezone.utc)
OFFICE = Contact(id="iask", name="IASK", phone="03000 41 3000", hours="office hours", email="iask@kent.gov.uk")


def same(text: str) -> str:
    return text


def test_html_is_sanitised():
    html = to_html("Hi <script>x</script> [a](javascript:alert(1)) [b](https://gov.uk)")
    assert "<script" not in html and 'href="javascript' not in html
    assert 'href="https://gov.uk"' in html


def test_a_message_has_every_field_the_contract_requires():
    built = message("answer", "**Mediation** is free.", topic="mediation", contacts=("iask",))
    assert built == {
        "kind": "answer",
        "text": "**Mediation** is free.",
        "html": "<p><strong>Mediation</strong> is free.</p>\n",
        "topic": "mediation",
        "contacts": ["iask"],
        "buttons": [],
    }
    assert message("chat", "Hello", language="pl")["language"] == "pl"
    assert message("handoff", "x", cards=[])["cards"] == []


def test_an_unknown_kind_is_refused():
    assert set(KINDS) == {"answer", "handoff", "safeguarding", "fallback", "chat", "clarify", "search"}
    with pytest.raises(ValueError, match="unknown message kind 'warning'"):
        message("warning", "x")


def test_a_card_follows_the_clock_and_offers_a_call_back_only_when_closed():
    day, night = card(OFFICE, MORNING, "en", same), card(OFFICE, NIGHT, "en", same)
    assert day["open_now"] is True and day["callback"] is False
    assert night["open_now"] is False and night["callback"] is True
    assert card(OFFICE, NIGHT, "en", same, offer_callback=False)["callback"] is False
    assert day["tel"] == "tel:+443000413000" and day["email"] == "iask@kent.gov.uk"


def test_a_contact_line_names_every_way_to_get_in_touch():
    line = contact_line(OFFICE, "Open until 5pm", same)
    assert line == "**IASK**, phone 03000 41 3000, email iask@kent.gov.uk. Open until 5pm."
