"""A family's own dates, worked out: find the dates in a message, decide which rule they are
for, and say the deadlines in the family's language.

Dates are written as people speak ("14 July 2026", "14/07/2026", "the 14th of july",
"14 lipca 2026 r.", "२०२६ जुलाई १४"). A few patterns find where a date could be; dateparser,
restricted to the family's language and English, day first as in the UK, decides whether it
is one, so month names, inflections and ordinals in all six languages come from a maintained
library, not from lists kept here. The arithmetic is bot/core/deadlines.py; the words are
content/dates/<language>.yml.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import dateparser
from babel.dates import format_date

from bot.core.contacts import Contact
from bot.core.date_words import DateWords, digits
from bot.core.deadlines import Calculation, Moved, Result, Rules, progress
from bot.core.messages import contact_line, message
from bot.core.text import fold

# Where a date could be, after digits are made 0-9. A "word" is a run without digits or
# punctuation, so Devanagari and Urdu month names with their vowel signs count.
_WORD = r"[^\s\d,./\-–()?!:;\"'،۔]+"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"\d{4}"
PATTERNS: tuple[tuple[re.Pattern[str], bool], ...] = (  # (pattern, has a day)
    (re.compile(r"(?<!\d)\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})(?!\d)"), True),
    (re.compile(r"(?<!\d)\d{4}-\d{1,2}-\d{1,2}(?!\d)"), True),
    (re.compile(rf"(?<!\d){_DAY}\s*(?:of\s+)?{_WORD}(?:,?\s*{_YEAR}(?!\d))?", re.IGNORECASE), True),
    (re.compile(rf"{_WORD}\s+{_DAY}(?:,?\s*{_YEAR})?(?!\d)", re.IGNORECASE), True),
    (re.compile(rf"(?<!\d){_YEAR}\s+{_WORD}\s+{_DAY}(?!\d)", re.IGNORECASE), True),
    (re.compile(rf"{_WORD}\s+{_YEAR}(?!\d)", re.IGNORECASE), False),
)
HAS_YEAR = re.compile(r"\d{4}|\d{1,2}[./-]\d{1,2}[./-]\d{2}(?!\d)")

GUIDE_CONTACTS = ("iask", "ipsea")


@dataclass(frozen=True)
class FoundDate:
    date: dt.date
    start: int
    end: int
    year_given: bool


def find_dates(text: str, language: str, today: dt.date, future: bool = False) -> list[FoundDate]:
    """The dates in a message, left to right. A date with no year is the most recent such
    date that is not in the future (or, for a date that lies ahead, the next one)."""
    plain = digits(text)
    if not any(ch.isdigit() for ch in plain):
        return []
    languages = list(dict.fromkeys([language, "en"]))
    settings: dict[str, Any] = {
        "DATE_ORDER": "DMY",
        "PREFER_DAY_OF_MONTH": "first",
        "PREFER_DATES_FROM": "future" if future else "past",
        "RELATIVE_BASE": dt.datetime.combine(today, dt.time()),
        "REQUIRE_PARTS": ["month"],
        "PARSERS": ["custom-formats", "absolute-time"],
    }
    candidates: list[FoundDate] = []
    for pattern, has_day in PATTERNS:
        if not has_day and not future:
            continue  # "in March 2026" is too vague for a letter's date
        for position in range(len(plain)):
            match = pattern.match(plain, position)
            if match is None or (position and plain[position - 1].isalnum() and not plain[position].isdigit()):
                continue
            span = match.group(0).strip()
            date = _parse(span, languages, settings)
            if date is None:
                continue
            year_given = bool(HAS_YEAR.search(span))
            if not year_given and (date > today if not future else date < today):
                date = date.replace(year=date.year + (1 if future else -1))
            candidates.append(FoundDate(date, match.start(), match.end(), year_given))
    # The longest reading of each stretch of text wins ("14 July 2026" over "July 2026").
    chosen: list[FoundDate] = []
    for found in sorted(candidates, key=lambda f: (f.start - f.end, f.start)):
        if all(found.end <= other.start or found.start >= other.end for other in chosen):
            chosen.append(found)
    return sorted(chosen, key=lambda f: f.start)


def _parse(span: str, languages: list[str], settings: dict[str, Any]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(span)  # 2026-07-14, which day-first parsing would misread
    except ValueError:
        parsed = dateparser.parse(span, languages=languages, settings=settings)
        return parsed.date() if parsed else None


def say_date(day: dt.date, language: str) -> str:
    """A date in full in the family's language; English as GOV.UK writes it, "Monday 14 September 2026"."""
    if language == "en":
        return format_date(day, "EEEE d MMMM y", locale="en_GB")
    return format_date(day, "full", locale=language)


@dataclass
class DateAnswer:
    """What the assistant needs to say about one calculation, before it is put into words."""

    calculation: Calculation
    given: dict[str, dt.date]
    assumed_years: list[str]  # input ids whose year the family did not give
    results: list[Result]


def choose_calculation(rules: Rules, words: DateWords, text: str, topic: str | None) -> Calculation | None:
    """The calculation a message is about, from its words and its topic. The words staff wrote
    count for more than the topic classifier's guess ("a complaint ... when should I have had a
    reply" is a complaint, whatever topic it was taken for); the topic decides when no words do."""
    best, best_score = None, 0
    for calculation in rules.calculations.values():
        phrases = words.calculation_words.get(calculation.id)
        score = 2 * phrases.weight(text) if phrases else 0
        if topic in calculation.topics:
            score += 1
        if score > best_score:
            best, best_score = calculation, score
    return best


def assign(calculation: Calculation, words: DateWords, text: str, found: list[FoundDate]) -> tuple[dict[str, dt.date], list[str]]:
    """Which date is which: a date belongs to the input whose words come last before it, since
    the date before ("decision letter 14 July, mediation certificate 20 November"); failing that,
    to the first input named after it, up to the next date ("14 July was the decision"); failing
    that, to the first date still needed."""
    folded = "".join(fold(ch) or ch for ch in text).lower()
    given: dict[str, dt.date] = {}
    assumed: list[str] = []
    for index, item in enumerate(found):
        before = folded[found[index - 1].end if index else 0 : item.start]
        after = folded[item.end : found[index + 1].start if index + 1 < len(found) else item.end + 40]
        open_inputs = [i for i in calculation.inputs if i.id not in given]
        named_before = [(max(p), i.id) for i in open_inputs if (p := _positions(words, i.id, before))]
        named_after = [(min(p), i.id) for i in open_inputs if (p := _positions(words, i.id, after))]
        missing = calculation.missing(given)
        if named_before:
            best: str | None = max(named_before)[1]
        elif named_after:
            best = min(named_after)[1]
        else:
            best = missing[0].id if missing else None
        if best is None:
            continue
        given[best] = item.date
        if not item.year_given:
            assumed.append(best)
    return given, assumed


def _positions(words: DateWords, input_id: str, text: str) -> list[int]:
    phrases = words.input_words.get(input_id)
    return phrases.positions(text) if phrases else []


def dates_message(
    answer: DateAnswer,
    words: DateWords,
    topic: str,
    contacts: list[str],
    language: str,
    level: str,
    today: dt.date,
    _: Callable[[str], str],
    helpers: Sequence[Contact] = (),
) -> dict[str, Any]:
    """The deadlines as one answer: each date said in full, why it moved, how far along the family
    is, and always that this is a guide, who can check it (`helpers`, with how to reach them),
    and to send things early."""
    lines: list[str] = []
    items: list[dict[str, Any]] = []
    easy = level == "easy"
    next_found = False
    for result in answer.results:
        what = words.what[result.deadline.id]
        rule = words.rules[result.deadline.id][result.period.start]
        when = say_date(result.date, language)
        passed = result.date < today
        why = moved_text(result.moved, language, _) if result.moved else None
        items.append(
            {
                "what": what,
                "date": result.date.isoformat(),
                "rule": rule,
                "why_moved": why,
                "moved_from": result.moved.original.isoformat() if result.moved else None,
                "passed": passed,
            }
        )
        line = "- " + _("{what}: {date}.").format(what=what, date=f"**{when}**")
        if not easy:
            line += " " + _("This is {rule}.").format(rule=rule)
        if why:
            line += " " + why
        if passed:
            line += " " + _("This date has passed.")
        elif answer.calculation.progress and not next_found:
            line += " " + _("This is the next date.")
            next_found = True
        lines.append(line)
    head, after = [], []
    if any(r.deadline.moves == "tribunal" and r.date < today for r in answer.results):
        after.append(_("The Tribunal can sometimes accept a late appeal. Ask IASK or IPSEA for advice straight away."))
    for input_id in answer.assumed_years:
        head.append(_("You did not say the year, so I used {date}.").format(date=say_date(answer.given[input_id], language)))
    where = progress(answer.calculation, answer.given, today)
    if where is not None and where.week <= where.of:
        head.append(_("Today is in week {week} of {weeks}.").format(week=where.week, weeks=where.of))
    elif where is not None:
        head.append(_("The {weeks} weeks have passed.").format(weeks=where.of))
    gave = "\n".join(f"- {words.labels[i]}: {say_date(d, language)}" for i, d in answer.given.items())
    if easy:
        intro = _("Your dates:")
        guide = _(
            "These dates are a guide. Check the date on your letter. IASK can check it with you. Do things before the last day."
        )
    else:
        intro = _("From the dates you gave:") + "\n\n" + gave + "\n\n" + _("I have worked out:")
        guide = _(
            "This is a guide worked out from the dates you gave. Check the date on your letter. "
            "IASK or IPSEA can check it with you, for free. Send things before the last day, not on it."
        )
    reach = "\n".join(f"- {contact_line(c, None, _)}" for c in helpers)
    text = "\n\n".join(filter(None, [*head, intro, "\n".join(lines), *after, guide, reach]))
    out = message(
        "answer",
        text,
        topic=topic,
        contacts=list(dict.fromkeys([*contacts, *GUIDE_CONTACTS])),
    )
    out["dates"] = items
    return out


def moved_text(moved: Moved, language: str, _: Callable[[str], str]) -> str:
    """Why a deadline is later than the plain count, in the family's language."""
    original = say_date(moved.original, language)
    if moved.reason == "august":
        return _("It moved from {date}: a deadline in August moves to the first working day in September.").format(date=original)
    if moved.reason == "christmas":
        return _(
            "It moved from {date}: a deadline from 25 December to 1 January moves to the next working day in January."
        ).format(date=original)
    if moved.reason == "weekend":
        return _("It moved from {date}, a weekend, to the next working day.").format(date=original)
    if moved.holiday and language == "en":
        return f"It moved from {original}, a bank holiday ({moved.holiday}), to the next working day."
    return _("It moved from {date}, a bank holiday, to the next working day.").format(date=original)
