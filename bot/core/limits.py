"""The API's limits, written once.

The web app checks requests against these, the served OpenAPI description states them
(bot/web/openapi.py fills them into openapi.yaml, which leaves them out), and the widget
gets them from /api/strings, so a limit changed here is changed everywhere at once.
Each is a number of characters.
"""

from __future__ import annotations

SESSION_ID = 128
TEXT = 2000  # a chat message, or a button's payload
COMMENT = 1000  # feedback on an answer
NAME = 100
PHONE = 32
EMAIL = 254  # RFC 5321's longest address
PREFERRED_TIME = 100
MESSAGE = 1000  # what a call-back is about
TOPIC = 64
DISTRICT = 64
WHAT = 200  # what a worked-out date is, in a calendar link

# Where each limit appears in openapi.yaml: (schema, property) -> maxLength.
MAX_LENGTHS: dict[tuple[str, str], int] = {
    ("ChatRequest", "text"): TEXT,
    ("FeedbackRequest", "comment"): COMMENT,
    ("CallbackRequest", "name"): NAME,
    ("CallbackRequest", "phone"): PHONE,
    ("CallbackRequest", "email"): EMAIL,
    ("CallbackRequest", "preferred_time"): PREFERRED_TIME,
    ("CallbackRequest", "message"): MESSAGE,
}

# What the widget needs to say before it sends (`maxlength` on its fields).
FOR_CLIENTS = {"text": TEXT, "comment": COMMENT, "name": NAME}
