"""The shape of every message the chat API returns, built in one place.

The assistant's replies, the web app's own "cannot answer right now" message and the
messages it passes on from Rasa all use these constructors, so a field added to the
contract (openapi.yaml, `ChatMessage`) is added once and every path carries it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypedDict

import nh3
from markdown_it import MarkdownIt

from bot.core import hours
from bot.core.contacts import Contact, tel_link
from bot.core.services import ServiceCard

KINDS = ("answer", "handoff", "safeguarding", "fallback", "chat", "clarify", "search")
TALK_TO_PERSON = "/talk_to_person"

_markdown = MarkdownIt("commonmark", {"html": False})


class Button(TypedDict):
    title: str
    payload: str


class Card(TypedDict):
    """What a client needs to show a contact: details, a tel: link, and whether it is open now."""

    id: str
    name: str
    role: str | None
    phone: str | None
    tel: str | None
    text_relay: str | None
    text: str | None
    email: str | None
    web: str | None
    open_now: bool | None
    status: str | None
    callback: bool


def to_html(markdown_text: str) -> str:
    """Markdown to safe HTML: raw HTML in content is never passed through, and nh3 cleans the rest."""
    return nh3.clean(_markdown.render(markdown_text))


def message(
    kind: str,
    text: str,
    *,
    topic: str | None = None,
    contacts: Sequence[str] = (),
    buttons: Sequence[Button] = (),
    cards: Sequence[Card] | None = None,
    language: str | None = None,
    services: Sequence[ServiceCard] | None = None,
) -> dict[str, Any]:
    """One chat message in the contract's shape; `cards`, `language` and `services` (the
    directory's services, bot/core/services.py) only when known."""
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r} (use one of {', '.join(KINDS)})")
    out: dict[str, Any] = {
        "kind": kind,
        "text": text,
        "html": to_html(text),
        "topic": topic,
        "contacts": list(contacts),
        "buttons": list(buttons),
    }
    if cards is not None:
        out["cards"] = list(cards)
    if language is not None:
        out["language"] = language
    if services is not None:
        out["services"] = list(services)
    return out


def card(contact: Contact, now: dt.datetime, language: str, _: Callable[[str], str], offer_callback: bool = True) -> Card:
    """A contact as a card, open or closed by the clock. A closed service offers a call-back
    unless the caller cannot take one (the web app while the assistant is down)."""
    open_now = hours.is_open(contact.hours, now)
    return Card(
        id=contact.id,
        name=contact.name,
        role=contact.role,
        phone=contact.phone,
        tel=tel_link(contact.phone),
        text_relay=contact.text_relay,
        text=contact.text,
        email=contact.email,
        web=contact.web,
        open_now=open_now,
        status=hours.status(contact.hours, now, language, _),
        callback=offer_callback and open_now is False,
    )


def contact_line(contact: Contact, status: str | None, _: Callable[[str], str]) -> str:
    """A contact as one line of markdown: name, then every way to reach them, then whether open."""
    parts = [f"**{contact.name}**"]
    if contact.phone:
        parts.append(_("phone {number}").format(number=contact.phone))
    if contact.text:
        parts.append(contact.text)
    if contact.text_relay:
        parts.append(_("text relay {number}").format(number=contact.text_relay))
    if contact.email:
        parts.append(_("email {address}").format(address=contact.email))
    if contact.web:
        website = _("website")
        parts.append(f"[{website}]({contact.web})")
    line = ", ".join(parts)
    return f"{line}. {status}." if status else line
