"""Feedback on answers: checking a request, and taking personal details out of comments.

Families are asked not to type personal details, but some will. A comment is kept to
improve answers, not to contact anyone, so emails, phone numbers and postcodes are
replaced before it is stored: nothing personal reaches the database or its backups.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

import phonenumbers

from bot.core import limits
from bot.core.validation import UNPRINTABLE, BadRequest, session_id_of

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+", re.UNICODE)
# UK postcodes, with or without the space: outward code (A9, A99, AA9, AA99, A9A, AA9A) + inward code (9AA).
POSTCODE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}\b", re.IGNORECASE)
REMOVED_EMAIL = "[email removed]"
REMOVED_PHONE = "[phone number removed]"
REMOVED_POSTCODE = "[postcode removed]"


@dataclass(frozen=True)
class NewFeedback:
    session_id: str
    topic: str | None
    helpful: bool
    comment: str | None


def redact(text: str) -> str:
    """The comment with emails, phone numbers and UK postcodes replaced by a note saying so.

    Emails go first, so the digits in an address are not mistaken for a phone number.
    Phone numbers use libphonenumber's matcher at its most lenient level, because a
    number someone mistyped is still theirs.
    """
    text = EMAIL.sub(REMOVED_EMAIL, text)
    matches = list(phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE))
    for match in reversed(matches):
        text = text[: match.start] + REMOVED_PHONE + text[match.end :]
    return POSTCODE.sub(REMOVED_POSTCODE, text)


def parse_feedback(body: Any, topics: AbstractSet[str]) -> NewFeedback:
    """Check a feedback request; raise BadRequest naming the first bad field."""
    session_id = session_id_of(body)
    topic = body.get("topic")
    if topic is not None and (not isinstance(topic, str) or topic not in topics):
        raise BadRequest("topic must be a topic id from the catalogue, or null.")
    helpful = body.get("helpful")
    if not isinstance(helpful, bool):
        raise BadRequest("helpful is required and must be true or false.")
    comment = body.get("comment")
    if comment is not None:
        if not isinstance(comment, str):
            raise BadRequest("comment must be text.")
        if len(comment) > limits.COMMENT:
            raise BadRequest(f"comment is too long: at most {limits.COMMENT} characters.")
        if UNPRINTABLE.search(comment):
            raise BadRequest("comment must not contain control characters.")
        comment = redact(comment.strip()) or None
    return NewFeedback(session_id, topic, helpful, comment)
