"""Where a family's call-back request stands, in words a family can act on: the one place the
chat and `GET /api/callback/{reference}` take them from. Never any personal data."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

from bot.core.i18n import N_

# "CB-" and 8 characters from a 32-letter alphabet (bot/storage/store.py): 40 bits, about a
# million million references; at the lookup's rate limit a guesser finds one in centuries.
REFERENCE = re.compile(r"\bCB-?([ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8})\b", re.IGNORECASE)

WHAT_NEXT = {
    "new": N_(
        "We have your request. Someone from the SEND team will contact you, usually within 2 working days, "
        "at the time you asked for if they can."
    ),
    "in_progress": N_("Someone from the SEND team is working on your request and will contact you soon."),
    "done": N_("The SEND team has been in touch about this request. If you still need help, ask for another call-back."),
    "not_reached": N_(
        "The SEND team tried to contact you but could not reach you. Please ask for another call-back, or phone the SEND team."
    ),
}


def normalise(text: str) -> str | None:
    """The reference in a message ("cb-abcd2345", "CBABCD2345"), as the store writes it."""
    match = REFERENCE.search(text)
    return f"CB-{match.group(1).upper()}" if match else None


def what_next(status: str, _: Callable[[str], str]) -> str:
    return _(WHAT_NEXT.get(status, WHAT_NEXT["new"]))


class CallbackLookup(Protocol):
    def status_of(self, reference: str) -> str | None: ...
