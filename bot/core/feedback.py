"""Feedback on answers: checking a request, and taking personal details out of comments.

Families are asked not to type personal details, but some will. A comment is kept to
improve answers, not to contact anyone, so it is redacted like every chat message
(bot/core/redact.py) before it is stored: nothing personal reaches the database or its backups.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from bot.core import limits
from bot.core.redact import redact
from bot.core.validation import UNPRINTABLE, BadRequest, session_id_of

# A comment is not used to route anyone, so a full postcode goes whole (not kept as its district).
POSTCODE_MARK = "[postcode]"


@dataclass(frozen=True)
class NewFeedback:
    session_id: str
    topic: str | None
    helpful: bool
    comment: str | None


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
        comment = redact(comment.strip(), postcode=POSTCODE_MARK) or None
    return NewFeedback(session_id, topic, helpful, comment)
