""" "Add to my calendar": one worked-out deadline as an iCalendar file, with a reminder a week before.

Everything the file holds comes from the link the chat gave the family (what the date is,
the date, the language); nothing about the child is stored on the server to make it.
The file is built with the maintained `icalendar` package (RFC 5545: line folding,
escaping), not by hand.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from aiohttp import web
from icalendar import Alarm, Calendar, Event

from bot.core import limits
from bot.core.i18n import gettext_for
from bot.core.validation import BadRequest

REMIND_BEFORE = dt.timedelta(days=7)
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def parse(query: dict[str, str], languages: tuple[str, ...]) -> tuple[str, dt.date, str]:
    """What the date is, the date and the language; BadRequest with a message a client can act on."""
    what = (query.get("what") or "").strip()
    if not what:
        raise BadRequest("what is required: say what the date is, for example 'Last day to register your appeal'.")
    if len(what) > limits.WHAT:
        raise BadRequest(f"what is too long: at most {limits.WHAT} characters.")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in what):
        raise BadRequest("what must not contain control characters.")
    try:
        day = dt.date.fromisoformat(query.get("date") or "")
    except ValueError:
        raise BadRequest("date is required, written YYYY-MM-DD, for example 2026-09-14.") from None
    if not EARLIEST <= day <= LATEST:
        raise BadRequest(f"date must be between {EARLIEST} and {LATEST}.")
    language = query.get("language") or languages[0]
    if language not in languages:
        raise BadRequest(f"language must be one of: {', '.join(languages)}.")
    return what, day, language


def ics(what: str, day: dt.date, language: str, now: dt.datetime) -> bytes:
    """An all-day event on the deadline, and a reminder a week before it."""
    _ = gettext_for(language)
    calendar = Calendar()
    calendar.add("prodid", "-//Kent County Council//SEND assistant//EN")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", hashlib.sha256(f"{what}|{day}".encode()).hexdigest()[:32] + "@send-assistant.kent.gov.uk")
    event.add("dtstamp", now)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", what)
    event.add(
        "description",
        _(
            "This is a guide worked out from the dates you gave. Check the date on your letter. "
            "IASK or IPSEA can check it with you, for free. Send things before the last day, not on it."
        ),
    )
    event.add("transp", "TRANSPARENT")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", what)
    alarm.add("trigger", -REMIND_BEFORE)
    event.add_component(alarm)
    calendar.add_component(event)
    return calendar.to_ical()


def add_route(app: web.Application, languages: tuple[str, ...]) -> None:
    async def dates_ics(request: web.Request) -> web.Response:
        try:
            what, day, language = parse(dict(request.query), languages)
        except BadRequest as exc:
            return web.json_response({"error": str(exc)}, status=400)
        body = ics(what, day, language, dt.datetime.now(dt.timezone.utc))
        return web.Response(
            body=body,
            content_type="text/calendar",
            charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="deadline-{day.isoformat()}.ics"'},
        )

    app.router.add_get("/api/dates.ics", dates_ics)
