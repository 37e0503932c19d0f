"""Take what families volunteer about themselves out of text before it is stored anywhere.

Families are asked not to type personal details, but a worried parent will: a phone number,
an email, their address, their child's date of birth. The web app redacts every chat message
before it forwards it (so Rasa's tracker, the logs and the app database never hold them), after
the area and dates have been read from it: a full postcode keeps its district ("CT9 1AB" ->
"CT9"), so the family is still sent to the right team, and only dates said to be a birthday go.
"""

from __future__ import annotations

import re

import phonenumbers

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+", re.UNICODE)
# UK postcodes, with or without the space: outward code (A9, A99, AA9, AA99, A9A, AA9A) + inward code (9AA).
POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*[0-9][A-Z]{2}\b", re.IGNORECASE)
STREET_WORDS = (
    "road|rd|street|st|avenue|ave|lane|ln|close|drive|dr|way|crescent|gardens|grove|place|court|"
    "terrace|hill|park|rise|view|walk|mews|square|row|parade"
)
# "12 Elm Road", "Flat 3, 45 High Street": a house number, one to three words, a street word.
ADDRESS = re.compile(
    rf"\b(?:flat\s+\d+[a-z]?,?\s+)?\d{{1,4}}[a-z]?,?\s+(?:[A-Za-z'-]+\s+){{1,3}}(?:{STREET_WORDS})\b", re.IGNORECASE
)
# A date after "born", "DOB", "date of birth" or "birthday" (in six languages): digits, or a day and month name.
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_MONTH = r"[^\W\d_]{3,12}"  # a month's name in any script: "March", "marca", "березня"
_DATE = rf"(?:{_DAY}[\s./-]+(?:\d{{1,2}}|{_MONTH})[\s./-]+\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}|{_DAY}\s+{_MONTH})"
# What comes before a date of birth, in the six languages families write in.
_BORN = "|".join(
    (
        r"born(?:\s+on)?|d\.?o\.?b\.?:?|date\s+of\s+birth:?(?:\s+is)?|birthday(?:\s+is)?",
        r"urodzon[ya]|urodzi[lł][ao]?\s+si[eę]|data\s+urodzenia:?",
        r"народи(?:вся|лася|лись)|дата\s+народження:?",
        r"n[aăâ]scut[aă]?(?:\s+[iî]n|\s+pe)?|data\s+na[sș]terii:?",
        r"تاریخ\s+پیدائش:?|پیدا\s+ہو(?:ا|ئی)",
        r"जन्म\s*मिति:?|जन्मेको|जन्मेकी",
    )
)
BIRTH = re.compile(rf"(?<!\w)({_BORN})\s+{_DATE}", re.IGNORECASE)

# What a UK number looks like even when mistyped: 0 or +44, then 9 to 11 more digits.
PHONE_LIKE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|0)\d(?:[\s-]?\d){8,10}(?!\d)")

EMAIL_MARK = "[email]"
PHONE_MARK = "[phone]"
ADDRESS_MARK = "[address]"
BIRTH_MARK = "[date of birth]"


def redact(text: str, postcode: str | None = None) -> str:
    """Emails, phone numbers, addresses, dates of birth and full postcodes replaced.

    Emails first, so an address's digits are not read as a phone number. Phone numbers with
    libphonenumber's matcher at its "valid" level (its most lenient level reads a year as a
    number, and dates must survive), then anything shaped like a UK number, since a mistyped
    number is still theirs. A full postcode becomes its district, or `postcode` when given."""
    text = EMAIL.sub(EMAIL_MARK, text)
    text = BIRTH.sub(lambda m: f"{m.group(1)} {BIRTH_MARK}", text)
    matches = list(phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.VALID))
    for match in reversed(matches):
        text = text[: match.start] + PHONE_MARK + text[match.end :]
    text = PHONE_LIKE.sub(PHONE_MARK, text)
    text = ADDRESS.sub(ADDRESS_MARK, text)
    return POSTCODE.sub(lambda m: postcode if postcode is not None else m.group(1).upper(), text)
