"""Whether a contact is open now, in Europe/London time, closed on bank holidays.

Bank holidays come from the maintained `holidays` package (England and Wales), not a
hand-kept list, so a new year needs no edit here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache
from zoneinfo import ZoneInfo

import holidays
from babel.dates import format_date, format_time

LONDON = ZoneInfo("Europe/London")
OPEN_AT = dt.time(9, 0)
CLOSE_AT = dt.time(17, 0)
KINDS = ("always", "office", "outside_office")


@cache
def _bank_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (England's bank holidays off):
    a request made on Friday has waited 1 working day on Monday."""
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + dt.timedelta(days=n)))


def bank_holiday_name(day: dt.date) -> str | None:
    """The English name of a bank holiday in England ("Good Friday"), or None."""
    return _bank_holidays(day.year).get(day)


def office_open(moment: dt.datetime) -> bool:
    local = moment.astimezone(LONDON)
    return is_working_day(local.date()) and OPEN_AT <= local.time() < CLOSE_AT


def next_office_opening(moment: dt.datetime) -> dt.datetime:
    local = moment.astimezone(LONDON)
    day = local.date()
    if local.time() >= OPEN_AT:
        day += dt.timedelta(days=1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, OPEN_AT, tzinfo=LONDON)


def kind_of(hours: str | None) -> str | None:
    """Read the `hours` field staff write in contacts.yml: 'always', 'office hours', 'outside office hours'."""
    text = (hours or "").strip().lower()
    if text.startswith("always"):
        return "always"
    if text.startswith("outside office hours"):
        return "outside_office"
    if text.startswith("office hours"):
        return "office"
    return None


def is_open(hours: str | None, moment: dt.datetime) -> bool | None:
    """True or False, or None when the hours are not known."""
    kind = kind_of(hours)
    if kind is None:
        return None
    return kind == "always" or office_open(moment) == (kind == "office")


def clock(moment: dt.time, language: str) -> str:
    """'5pm', '9:30am' in English (GOV.UK style); Babel's short time elsewhere."""
    if language == "en":
        hour = moment.hour % 12 or 12
        minutes = f":{moment.minute:02d}" if moment.minute else ""
        return f"{hour}{minutes}{'am' if moment.hour < 12 else 'pm'}"
    return format_time(moment, "short", locale=language)


def status(hours: str | None, moment: dt.datetime, language: str, _: Callable[[str], str]) -> str | None:
    """A line for a contact card: 'Open now until 5pm', 'Closed now; opens Monday at 9am'."""
    kind = kind_of(hours)
    if kind is None:
        return None
    if kind == "always":
        return _("Open now: 24 hours a day, every day")
    local = moment.astimezone(LONDON)
    if kind == "office":
        if office_open(local):
            return _("Open now until {time}").format(time=clock(CLOSE_AT, language))
        opening = next_office_opening(local)
        return _("Closed now; opens {day} at {time}").format(
            day=_day(opening.date(), local.date(), language, _), time=clock(OPEN_AT, language)
        )
    if office_open(local):
        return _("Closed now; opens at {time}").format(time=clock(CLOSE_AT, language))
    return _("Open now")


def _day(day: dt.date, today: dt.date, language: str, _: Callable[[str], str]) -> str:
    if day == today:
        return _("today")
    if day == today + dt.timedelta(days=1):
        return _("tomorrow")
    return format_date(day, "EEEE", locale=language)
