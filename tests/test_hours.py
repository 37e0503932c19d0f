"""Opening hours in London time, with England and Wales bank holidays from the holidays package."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core import hours

UTC = dt.timezone.utc
LONDON = hours.LONDON


def at(text: str, tz: dt.tzinfo = LONDON) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=tz)


def say(text: str) -> str:
    return text


@pytest.mark.parametrize(
    "moment,expected",
    [
        ("2026-11-30 08:59", False),  # Monday before nine
        ("2026-11-30 09:00", True),
        ("2026-11-30 16:59", True),
        ("2026-11-30 17:00", False),
        ("2026-11-28 12:00", False),  # Saturday
        ("2026-11-29 12:00", False),  # Sunday
        ("2026-12-25 12:00", False),  # Christmas Day, a Friday
        ("2026-12-28 12:00", False),  # Boxing Day observed, a Monday
        ("2027-03-29 12:00", False),  # Easter Monday
        ("2027-05-03 10:00", False),  # Early May bank holiday
    ],
)
def test_office_hours(moment, expected):
    assert hours.is_open("office hours", at(moment)) is expected


def test_the_clock_change_is_handled_in_london_time():
    # 08:30 UTC is 08:30 in winter (closed) but 09:30 in summer time (open).
    assert hours.is_open("office hours", at("2027-03-26 08:30", UTC)) is False  # Good Friday anyway
    assert hours.is_open("office hours", at("2027-03-24 08:30", UTC)) is False  # GMT: 08:30
    assert hours.is_open("office hours", at("2027-03-30 08:30", UTC)) is True  # BST: 09:30
    # Autumn: 16:30 UTC is 17:30 in summer time (closed) and 16:30 after the clocks go back (open).
    assert hours.is_open("office hours", at("2026-10-23 16:30", UTC)) is False
    assert hours.is_open("office hours", at("2026-10-26 16:30", UTC)) is True


@pytest.mark.parametrize(
    "moment,expected",
    [
        ("2026-11-30 10:00", "Open now until 5pm"),
        ("2026-11-30 17:00", "Closed now; opens tomorrow at 9am"),
        ("2026-11-30 07:00", "Closed now; opens today at 9am"),
        ("2026-11-27 17:30", "Closed now; opens Monday at 9am"),
        ("2026-12-24 17:30", "Closed now; opens Tuesday at 9am"),  # Christmas Day and Boxing Day observed
    ],
)
def test_status_lines(moment, expected):
    assert hours.status("office hours", at(moment), "en", say) == expected


def test_always_and_out_of_hours_and_unknown():
    monday_noon, monday_night = at("2026-11-30 12:00"), at("2026-11-30 22:00")
    assert hours.is_open("always", monday_night) is True
    assert hours.is_open("outside office hours", monday_noon) is False
    assert hours.is_open("outside office hours", monday_night) is True
    assert hours.is_open(None, monday_noon) is None
    assert hours.status(None, monday_noon, "en", say) is None
    assert hours.status("outside office hours", monday_noon, "en", say) == "Closed now; opens at 5pm"


def test_times_in_other_languages_use_babel():
    assert hours.clock(dt.time(17, 0), "pl") == "17:00"
    assert hours.clock(dt.time(9, 30), "en") == "9:30am"
