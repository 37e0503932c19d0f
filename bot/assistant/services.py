"""'Is there an autism support group for parents near Ashford?': services from the Local Offer's
directory, near the family, for the child's age and need.

A message is a directory question when it names a Kent place (or says "near me") and asks for
a group, club or service or is about a topic content/directory.yml lists; or when it asks for a
group, club or service and names a kind of service (content/directory.yml says exactly). The needs found in
any language become English search terms, since the feed's records are in English.
The "Show more" button sends the same search back with the `directory_query` entity.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from bot.assistant import replies
from bot.assistant.turn import TurnContext
from bot.core.areas import POSTCODE
from bot.core.messages import message
from bot.core.services import Found, ServiceQuery, card

TOPIC = "find-a-service"
INTENT = "find_services"  # the "Show more" button's payload
PAGE_SIZE = 5
# Whom a family with no results is offered, when their area team is not known.
FALLBACK_CONTACTS = ("send-hub", "family-hubs")


@dataclass(frozen=True)
class Search:
    """What the family asked for, as it travels in the "Show more" button."""

    needs: tuple[str, ...]
    district: str | None
    postcode: str | None
    age: int | None
    offset: int = 0

    def encode(self) -> str:
        parts = {"needs": ",".join(self.needs), "district": self.district or "", "postcode": self.postcode or ""}
        parts["age"] = "" if self.age is None else str(self.age)
        parts["offset"] = str(self.offset)
        return ";".join(f"{k}={v}" for k, v in parts.items())

    @classmethod
    def decode(cls, text: str) -> Search | None:
        try:
            parts = dict(p.split("=", 1) for p in text.split(";") if p)
            return cls(
                needs=tuple(n for n in parts.get("needs", "").split(",") if n),
                district=parts.get("district") or None,
                postcode=parts.get("postcode") or None,
                age=int(parts["age"]) if parts.get("age") else None,
                offset=max(0, int(parts.get("offset") or 0)),
            )
        except (ValueError, KeyError):
            return None

    def page_url(self) -> str:
        """The same search on the directory page (/services), which shows every result."""
        query = {"need": list(self.needs), "area": self.district or "", "age": "" if self.age is None else str(self.age)}
        return "/services?" + urlencode({k: v for k, v in query.items() if v}, doseq=True)


def understand(ctx: TurnContext) -> Search | None:
    """The directory search a message asks for, or None if it is not a directory question."""
    turn, rules = ctx.turn, ctx.content.directory
    if turn.intent == INTENT:
        return Search.decode(str(turn.entities.get("directory_query") or ""))
    asked = Search.decode(turn.directory_query) if turn.directory_query else None
    if asked is not None and ctx.place is not None and ctx.place.district and len(turn.text.split()) <= 4:
        return replace(asked, district=ctx.place.district)  # "Ashford", after "tell me your town"
    if turn.text.startswith("/") or not rules.needs:
        return None
    labels = ctx.content.directory_words.find(turn.text)
    needs = tuple(n for n in labels if n in rules.needs)
    here = ctx.place
    if here is not None and here.medway:
        return None  # Medway has its own Local Offer: the elsewhere and handoff replies say so
    looking = "looking" in labels
    topic_needs = rules.topics.get(ctx.intent, ())
    near = here is not None or "near" in labels
    about_a_service = ctx.intent in rules.topics and bool(needs)
    kind_of_service = any(not rules.needs[n].condition for n in needs)
    if not ((near and (looking or about_a_service)) or (looking and kind_of_service)):
        return None
    needs = needs or topic_needs
    district = here.district if here else (turn.district if "near" in labels else None)
    postcode = next((m.group(1).upper() for m in POSTCODE.finditer(turn.text)), None)
    return Search(needs, district, postcode, rules.age(turn.text))


def find_services(ctx: TurnContext) -> bool:
    """Up to five services, with how many there are, for where; or none found, and who can help."""
    if ctx.services is None:
        return False
    search = understand(ctx)
    if search is None:
        return False
    rules = ctx.content.directory
    query = ServiceQuery(
        terms=rules.terms(list(search.needs)),
        district=search.district,
        postcode=search.postcode,
        age=search.age,
        limit=PAGE_SIZE,
        offset=search.offset,
    )
    found = ctx.services.search(query)
    today = ctx.now.date()
    _ = ctx._
    if not found.services:
        ctx.messages.append(_nothing_found(ctx, search))
        return True
    reply = message(
        "answer",
        _describe(ctx, search, found),
        topic=TOPIC,
        contacts=[],
        buttons=[],
        services=[card(s, today) for s in found.services],
    )
    if found.total > search.offset + len(found.services):
        more = replace(search, offset=search.offset + len(found.services))
        reply["buttons"].append({"title": _("Show more"), "payload": f'/{INTENT}{{"directory_query": "{more.encode()}"}}'})
    reply["buttons"].append(replies.person_button(_))
    ctx.messages.append(reply)
    ctx.slots["last_topic"] = ctx.intent if ctx.intent in ctx.content.topics else None
    return True


def _where(ctx: TurnContext, search: Search) -> str:
    return search.district or ctx._("Kent")


def _describe(ctx: TurnContext, search: Search, found: Found) -> str:
    _ = ctx._
    shown = len(found.services)
    if search.offset:
        first = _("Services {first} to {last} of {total} for {place}:")
        lines = [first.format(first=search.offset + 1, last=search.offset + shown, total=found.total, place=_where(ctx, search))]
    elif search.age is not None:
        text = _("Services for {place} that take a child or young person aged {age}: {total} found.")
        lines = [text.format(total=found.total, place=_where(ctx, search), age=search.age)]
    else:
        lines = [_("Services for {place}: {total} found.").format(total=found.total, place=_where(ctx, search))]
    if search.offset == 0 and found.total > shown:
        lines.append(_("Here are the first {shown}.").format(shown=shown))
    if search.district is None and search.offset == 0:
        lines.append(_("Tell me your town or district to see the services near you first."))
        ctx.slots["directory_query"] = search.encode()
    if ctx.turn.language != "en":
        lines.append(_("The services' details are in English, as the directory gives them."))
    if any(s.out_of_date(ctx.now.date()) for s in found.services):
        lines.append(_("Some details have not been checked for over a year, so may be out of date: check with the service."))
    link = _("See them all in the services directory")
    lines.append(f"[{link}]({search.page_url()})")
    return "\n\n".join(lines)


def _nothing_found(ctx: TurnContext, search: Search) -> dict[str, Any]:
    """No service fits: say so, and name the people who can help find one in the area."""
    _ = ctx._
    team = ctx.content.places.districts.get(search.district or "")
    contacts = [c for c in ([team] if team else []) + list(FALLBACK_CONTACTS) if c in ctx.content.contacts]
    text = _("I could not find a service for that in {place} in the directory. These people can help you find one:")
    lines = [text.format(place=_where(ctx, search))]
    cards, listed = replies.contact_list(ctx.content, contacts, ctx.now, ctx.turn.language, _)
    lines += listed
    reply = message("answer", "\n".join(lines), topic=TOPIC, contacts=contacts, cards=cards, services=[])
    reply["buttons"].append(replies.person_button(_))
    return reply
