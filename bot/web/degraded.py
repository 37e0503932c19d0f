"""What a family is told when the assistant cannot answer: never silence, always a phone number.

When the action server is down, Rasa replies with no messages at all; when every Rasa
replica is down, there is no reply. The web app then answers from the contacts
directory itself. The safety check cannot run without the action server, so the
emergency line and 24-hour services are always included.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.core import hours
from bot.core.contacts import Contact
from bot.core.i18n import gettext_for
from bot.core.messages import card, message

# Shown when they have a phone number: SEND advice always (with its opening hours),
# services for a child or person at risk only while they are open.
SEND_CONTACTS = ("iask", "send-hub")
SAFETY_CONTACTS = ("childrens-social-care", "social-care-out-of-hours", "samaritans")


class Directory:
    """Who to phone, from the current contacts (bot/web/staff_files.py keeps them current)."""

    def __init__(self, contacts: dict[str, Contact]) -> None:
        self.contacts = contacts

    def reachable(self, now: dt.datetime) -> list[Contact]:
        send = [self.contacts[c] for c in SEND_CONTACTS if c in self.contacts]
        safety = [
            self.contacts[c]
            for c in SAFETY_CONTACTS
            if c in self.contacts and hours.is_open(self.contacts[c].hours, now) is not False
        ]
        return [c for c in send + safety if c.phone]

    def message(self, language: str, now: dt.datetime | None = None) -> dict[str, Any]:
        """A fallback message in the chat contract's shape, with the phone numbers as text and as cards."""
        now = now or dt.datetime.now(dt.timezone.utc)
        _ = gettext_for(language)
        contacts = self.reachable(now)
        lines = [
            _("Sorry, I cannot answer right now. Please try again in a few minutes."),
            "",
            _("If someone is in danger right now, call 999."),
            "",
        ]
        # this message has no call-back button, so no card offers one
        cards = [card(c, now, language, _, offer_callback=False) for c in contacts]
        if cards:
            lines.append(_("You can talk to a person:"))
            lines.extend(
                f"- **{shown['name']}**, "
                + _("phone {number}").format(number=shown["phone"])
                + (f". {shown['status']}." if shown["status"] else "")
                for shown in cards
            )
        text = "\n".join(lines).strip()
        return message("fallback", text, contacts=[c.id for c in contacts], cards=cards, language=language)

    def error(self, language: str, now: dt.datetime | None = None) -> str:
        """For a 503 from the chat: when to try again, and who to phone meanwhile."""
        _ = gettext_for(language)
        return self._phone(_("The assistant is not available right now. Please try again in a few minutes."), language, now)

    def callback_error(self, language: str, now: dt.datetime | None = None) -> str:
        """For a 503 from the call-back form: the request is not kept, so the family must phone."""
        _ = gettext_for(language)
        return self._phone(_("We could not save your call-back request just now. Please phone instead."), language, now)

    def _phone(self, first: str, language: str, now: dt.datetime | None) -> str:
        _ = gettext_for(language)
        now = now or dt.datetime.now(dt.timezone.utc)
        text = first
        advice = next((c for c in self.reachable(now) if c.id in SEND_CONTACTS), None)
        if advice is not None:
            text += " " + _("For SEND advice, phone {name} on {number}.").format(name=advice.name, number=advice.phone)
            state = hours.status(advice.hours, now, language, _)
            text += f" {state}." if state else ""
        return text + " " + _("If someone is in danger right now, call 999.")
