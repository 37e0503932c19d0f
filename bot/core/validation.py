"""What every API endpoint checks the same way, shared so the rules cannot drift apart."""

from __future__ import annotations

import re
from typing import Any, TypeGuard

from bot.core import limits

SESSION_ID = re.compile(rf"^[A-Za-z0-9_-]{{1,{limits.SESSION_ID}}}$")
# Control characters and lone surrogates: PostgreSQL cannot store them, and no family types them.
UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class BadRequest(Exception):
    """A client mistake; the message is safe to show to the client."""


NOT_AN_OBJECT = "The body must be a JSON object."
BAD_SESSION_ID = f"session_id is required: 1 to {limits.SESSION_ID} letters, digits, '-' or '_'."


def is_session_id(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and SESSION_ID.match(value) is not None


def session_id_of(body: Any) -> str:
    """The session id of a JSON body, or BadRequest: the first check of every endpoint that raises."""
    if not isinstance(body, dict):
        raise BadRequest(NOT_AN_OBJECT)
    session_id = body.get("session_id")
    if not is_session_id(session_id):
        raise BadRequest(BAD_SESSION_ID)
    return session_id
