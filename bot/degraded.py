"""What a family is told when the assistant cannot answer: never silence, always a phone number.

When the action server is down, Rasa replies with no messages at all; when every Rasa
replica is down, there is no reply. The web app then answers from the contacts
directory itself. The safety check cannot run without the action server, so the
emergency line and 24-hour services are always included.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import nh3
from markdown_it import MarkdownIt

from bot import hours
from bot.contacts import Contact, load_contacts, tel_link
from bot.i18n import gettext_for

# Shown when they have a phone number: SEND advice always (with its opening hours),
# services for a child or person at risk only while they are open.
SEND_CONTACTS = ("iask", "send-hub")
SAFETY_CONTACTS = ("childrens-social-care", "social-care-out-of-hours", "samaritans")
_markdown = MarkdownIt("commonmark", {"html": False})


class Directory:
    """The contacts directory, read once when the web app starts."""

    def __init__(self, content_dir: Path) -> None:
        contacts, _ = load_contacts(content_dir / "contacts.yml")
        self.contacts: dict[str, Contact] = contacts

    def reachable(self, now: dt.datetime) -> list[Contact]:
        send = [self.contacts[c] for c in SEND_CONTACTS if c in self.contacts]
        safety = [self.contacts[c] for c in SAFETY_CONTACTS
                  if c in self.contacts and hours.is_open(self.contacts[c].hours, now) is not False]
        return [c for c in send + safety if c.phone]

    def message(self, language: str, now: dt.datetime | None = None) -> dict[str, Any]:
        """A fallback message in the chat contract's shape, with the phone numbers as text and as cards."""
        now = now or dt.datetime.now(dt.timezone.utc)
        _ = gettext_for(language)
        contacts = self.reachable(now)
        lines = [_("Sorry, I cannot answer right now. Please try again in a few minutes."), "",
                 _("If someone is in danger right now, call 999."), ""]
        cards = [{"id": c.id, "name": c.name, "role": c.role, "phone": c.phone, "tel": tel_link(c.phone),
                  "open_now": hours.is_open(c.hours, now), "status": hours.status(c.hours, now, language, _),
                  "callback": False} for c in contacts]
        if cards:
            lines.append(_("You can talk to a person:"))
            lines.extend(f"- **{card['name']}**, " + _("phone {number}").format(number=card["phone"])
                         + (f". {card['status']}." if card["status"] else "") for card in cards)
        text = "\n".join(lines).strip()
        return {"kind": "fallback", "text": text, "html": nh3.clean(_markdown.render(text)), "topic": None,
                "contacts": [c.id for c in contacts], "buttons": [], "cards": cards, "language": language}

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
