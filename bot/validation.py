"""What every API endpoint checks the same way, shared so the rules cannot drift apart."""

from __future__ import annotations

import re

SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


class BadRequest(Exception):
    """A client mistake; the message is safe to show to the client."""
