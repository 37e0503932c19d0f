""" "Add to my calendar" (bot/web/calendar.py) and the dates form's data, through the real web app
in process (no Rasa needed: these never reach it)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from aiohttp.test_utils import TestClient, TestServer
from icalendar import Calendar

from bot.core.validation import BadRequest
from bot.web import calendar
from bot.web.app import create_app

LANGUAGES = ("en", "pl")


def test_the_file_has_the_deadline_and_a_reminder_a_week_before():
    body = calendar.ics(
        "Last day to register your appeal", dt.date(2026, 9, 14), "en", dt.datetime(2026, 7, 20, tzinfo=dt.timezone.utc)
    )
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["summary"]) == "Last day to register your appeal"
    assert event.decoded("dtstart") == dt.date(2026, 9, 14) and event.decoded("dtend") == dt.date(2026, 9, 15)
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("trigger") == -dt.timedelta(days=7)
    assert "Check the date on your letter" in str(event["description"])


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date": "2026-09-14"}, "what is required"),
        ({"what": "x" * 201, "date": "2026-09-14"}, "too long"),
        ({"what": "a\nb", "date": "2026-09-14"}, "control characters"),
        ({"what": "Appeal"}, "date is required"),
        ({"what": "Appeal", "date": "14/09/2026"}, "YYYY-MM-DD"),
        ({"what": "Appeal", "date": "1066-10-14"}, "between"),
        ({"what": "Appeal", "date": "2026-09-14", "language": "xx"}, "language must be one of"),
    ],
)
def test_a_bad_link_gets_a_clear_message(query, message):
    with pytest.raises(BadRequest, match=message):
        calendar.parse(query, LANGUAGES)


def test_the_web_app_serves_the_file_and_the_form(config, tmp_path):
    async def scenario() -> None:
        async with TestClient(TestServer(create_app(config.isolated(tmp_path / "var"), "token"))) as client:
            response = await client.get(
                "/api/dates.ics", params={"what": "Ostatni dzień", "date": "2026-09-14", "language": "pl"}
            )
            assert response.status == 200 and response.content_type == "text/calendar"
            assert "deadline-2026-09-14.ics" in response.headers["Content-Disposition"]
            (event,) = Calendar.from_ical(await response.read()).walk("VEVENT")
            assert str(event["summary"]) == "Ostatni dzień"
            bad = await client.get("/api/dates.ics", params={"what": "x", "date": "soon"})
            assert bad.status == 400 and "YYYY-MM-DD" in (await bad.json())["error"]

            strings = await (await client.get("/api/strings", params={"language": "pl"})).json()
            forms = {form["id"]: form for form in strings["date_forms"]}
            appeal = forms["appeal"]
            assert [(i["id"], i["optional"]) for i in appeal["inputs"]] == [("decision", False), ("mediation", True)]
            assert forms["school-transfer"]["inputs"][0]["day_optional"] is True
            assert strings["strings"]["dates_button"]

    asyncio.run(scenario())
