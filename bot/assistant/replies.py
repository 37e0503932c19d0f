"""The parts a reply is made of: an answer from a page, the safety message, the people who
can help, the fallback. Handlers (bot/assistant/handlers.py) choose which to use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from bot.assistant.content import Content, Page
from bot.assistant.elsewhere import CONTACTS as ELSEWHERE_CONTACTS
from bot.assistant.elsewhere import Elsewhere
from bot.assistant.safety import YOUNG_PERSON
from bot.assistant.turn import Turn
from bot.core import hours
from bot.core.areas import Place
from bot.core.messages import TALK_TO_PERSON, Button, Card, card, contact_line, message

Gettext = Callable[[str], str]

FALLBACK_CONTACTS = ("send-hub", "iask")


def N_(text: str) -> str:
    """Mark a string for translation where it is defined; it is translated where it is used."""
    return text


AREA_LABELS = {
    "local-offer": N_("Support and the Local Offer"),
    "ehcp": N_("EHCPs (Education, Health and Care Plans)"),
    "transitions": N_("Moving school and growing up"),
    "complaints": N_("Disagreements and complaints"),
    "about": N_("About SEND in Kent"),
}

# What the safety message says about each situation, after "call 999". One line per
# situation found, in the order of bot.assistant.safety.SITUATIONS; situations that share a line say it once.
NOT_ALONE = N_("You do not have to deal with this alone. You can talk to someone now, day or night.")
CHILD_AT_RISK = N_(
    "If you are worried about a child's safety, tell Kent children's social care. "
    "The NSPCC helpline gives free advice to any adult worried about a child."
)
SITUATION_LINES = {
    "self_harm": NOT_ALONE,
    "parent_crisis": NOT_ALONE,
    "child_at_risk": CHILD_AT_RISK,
    "abuse": CHILD_AT_RISK,
    "exploitation": CHILD_AT_RISK,
    "missing_child": N_("If a child is missing and you think they are in danger, call 999 now."),
    "staff_concern": N_(
        "If you are worried about someone who works with children, such as a teacher, an assistant, "
        "a driver or a carer, tell Kent's LADO service. It deals with concerns about staff and volunteers. "
        "Tell the school's designated safeguarding lead as well."
    ),
    "domestic_abuse": N_(
        "Domestic abuse harms children who see or hear it, too. You can get free help, day or night. "
        "If you call 999 and cannot speak, press 55."
    ),
}


def person_button(_: Gettext) -> Button:
    return {"title": _("Talk to a person"), "payload": TALK_TO_PERSON}


def area_buttons(_: Gettext) -> list[Button]:
    return [{"title": _(label), "payload": f'/browse_area{{"area":"{area}"}}'} for area, label in AREA_LABELS.items()]


def page_for(content: Content, topic: str, language: str) -> Page:
    """The topic's page in the family's language, else in English."""
    page = content.page(topic, language) or content.page(topic, "en")
    assert page is not None, f"content check guarantees an English page for {topic}"
    return page


def answer(content: Content, topic: str, turn: Turn, _: Gettext, level: str, part: str) -> dict[str, Any]:
    """A topic's answer (or its 'more' part) at a reading level, with follow-up buttons."""
    page = page_for(content, topic, turn.language)
    if part == "more" and "more" in page.sections:
        text = page.sections["more"]
    elif level == "easy" and "easy" in page.sections:
        text = page.sections["easy"]
    else:
        text = page.sections["answer"]
    buttons: list[Button] = []
    if part == "answer" and "more" in page.sections:
        buttons.append({"title": _("Tell me more"), "payload": "/tell_me_more"})
    if not (level == "easy" and part == "answer"):
        buttons.append({"title": _("Easier words"), "payload": "/simpler"})
    buttons.append(person_button(_))
    contacts = page.contacts
    if page.language != turn.language and "alternative-formats" in content.contacts:
        formats = content.contacts["alternative-formats"]
        note = _(
            "This answer is not in your language yet, so here it is in English. "
            "For information in your language, contact {name} on {phone}."
        ).format(name=formats.name, phone=formats.phone)
        text = f"{note}\n\n{text}"
        contacts = [*contacts, formats.id]
    return message("answer", text, topic=topic, contacts=contacts, buttons=buttons)


SCRIPT_NAMES = {"ur": "اردو", "ne": "नेपाली", "en": "English"}


def which_script(language: str, _: Gettext) -> dict[str, Any]:
    """Asked once when Urdu or Nepali arrives in Latin letters: answers are written in the
    language's own script, so the family may prefer English."""
    text = _("You wrote in Latin letters. Would you like answers in {script}, or in English?").format(
        script=SCRIPT_NAMES.get(language, language)
    )
    buttons: list[Button] = [
        {"title": SCRIPT_NAMES[code], "payload": f'/choose_script{{"script":"{code}"}}'} for code in (language, "en")
    ]
    return message("chat", text, buttons=buttons)


def topic_buttons(content: Content, topics: list[str], language: str) -> list[Button]:
    """A button for each topic, titled in the family's language; pressing one answers it."""
    return [
        {"title": str(page_for(content, t, language).meta.get("title", content.topics[t].title)), "payload": f"/{t}"}
        for t in topics
        if t in content.topics
    ]


def browse(content: Content, area: str, language: str, _: Gettext) -> dict[str, Any]:
    """The topics of one area as buttons."""
    topics = [topic.id for topic in content.topics.values() if topic.area == area]
    return message("chat", _("Choose a topic, or type your question."), buttons=topic_buttons(content, topics, language))


ELSEWHERE_TEXT = {
    "council": N_(
        "I can only help with SEND in Kent. It sounds as if you live in another council's area{council}. "
        "Every council in England publishes its own Local Offer and runs its own SEND service, "
        "so contact your own council. Every area also has a free, impartial SEND information, "
        "advice and support service, like IASK in Kent."
    ),
    "medway": N_(
        "Medway is not part of Kent County Council. Medway Council runs its own Local Offer "
        "and SEND service, so please contact Medway Council for help with SEND."
    ),
    "scotland": N_(
        "I can only help with SEND in Kent. Scotland has a different system: additional support for learning, "
        "with co-ordinated support plans instead of EHCPs. Enquire, the Scottish advice service, can help."
    ),
    "wales": N_(
        "I can only help with SEND in Kent. Wales has a different system: additional learning needs, "
        "with individual development plans (IDPs) instead of EHCPs. SNAP Cymru gives free advice in Wales."
    ),
    "northern_ireland": N_(
        "I can only help with SEND in Kent. Northern Ireland has a different system, with statements of "
        "special educational needs instead of EHCPs. SENAC gives free advice in Northern Ireland."
    ),
    "letter": N_(
        "I cannot write letters or emails for you. IASK can help you write your own, for free, "
        "and IPSEA has template letters you can use for many SEND situations."
    ),
}


def contact_list(
    content: Content, ids: list[str], now: dt.datetime, language: str, _: Gettext, offer_callback: bool = True
) -> tuple[list[Card], list[str]]:
    """The contacts as cards, and as the markdown list lines that say the same in the text."""
    cards = [card(content.contacts[c], now, language, _, offer_callback=offer_callback) for c in ids]
    return cards, [f"- {contact_line(content.contacts[shown['id']], shown['status'], _)}" for shown in cards]


def elsewhere(content: Content, found: Elsewhere, now: dt.datetime, language: str, _: Gettext) -> dict[str, Any]:
    """Not ours to answer: say why, kindly, and who can help instead."""
    council = _(" ({name})").format(name=found.council) if found.council and found.kind == "council" else ""
    text = _(ELSEWHERE_TEXT[found.kind]).format(council=council)
    ids = [c for c in ELSEWHERE_CONTACTS[found.kind] if c in content.contacts]
    cards, listed = contact_list(content, ids, now, language, _, offer_callback=False)
    return message("handoff", "\n".join([text, "", *listed]), contacts=ids, cards=cards)


def fallback(_: Gettext) -> dict[str, Any]:
    text = _(
        "Sorry, I do not know the answer to that. I am an automated assistant and I only answer questions "
        "about SEND in Kent: support, EHCPs, moving school and complaints. "
        "You can ask in a different way, or contact a person who can help."
    )
    return message(
        "fallback",
        text,
        contacts=FALLBACK_CONTACTS,
        buttons=[{"title": _("What can you help with?"), "payload": "/what_can_you_do"}, person_button(_)],
    )


def safeguarding(
    content: Content, situations: list[str], young_person: bool, reading_level: str, now: dt.datetime, language: str, _: Gettext
) -> dict[str, Any]:
    """Calm and short: who to contact now, no questions, no promise of secrecy, and a
    person (not this assistant) decides what happens next."""
    routes = [YOUNG_PERSON] if young_person else []
    routes += situations
    # A day line and its out-of-hours line follow the clock; any other closed service stays,
    # with when it opens, since it is still the right one to tell (the LADO, for example).
    paired = {i for c in content.contacts.values() if c.out_of_hours for i in (c.id, c.out_of_hours)}
    ids = [
        c
        for c in dict.fromkeys(c for s in routes for c in content.safeguarding.get(s, ()))
        if c in content.contacts and not (c in paired and hours.is_open(content.contacts[c].hours, now) is False)
    ]
    if young_person and reading_level == "easy":
        lines = [
            _("Thank you for telling me."),
            _("It is not your fault."),
            _("You can talk to Childline. It is free. You can call day or night."),
            _("If you are in danger now, call 999."),
            _("You can also tell an adult you trust, like a teacher."),
        ]
    elif young_person:
        lines = [
            _("Thank you for telling me. What is happening is not your fault."),
            _("You can talk to Childline for free, day or night. They will listen."),
            _("If you are in danger right now, call 999. You can also tell an adult you trust, like a teacher."),
        ]
    else:
        lines = [_("If someone is in danger right now, call 999.")]
        lines += list(dict.fromkeys(_(SITUATION_LINES[s]) for s in situations))
    lines.append("")
    cards, listed = contact_list(content, ids, now, language, _)
    lines.extend(line for shown, line in zip(cards, listed) if shown["id"] != "emergency")
    lines.append("")
    if young_person:
        lines.append(
            _(
                "I am a computer, so I cannot do anything myself. A person at Childline will listen "
                "and help you work out what to do."
            )
        )
    else:
        lines.append(
            _(
                "You do not need to give names or details here. I am an automated assistant, so I cannot act "
                "on this myself. A person at these services will listen and decide what happens next."
            )
        )
    return message("safeguarding", "\n".join(lines), contacts=ids, cards=cards)


def handoff(content: Content, turn: Turn, place: Place | None, now: dt.datetime, _: Gettext) -> list[dict[str, Any]]:
    """The people who can help: the family's area SEND team, the topic's contacts, SEND advice."""
    if place is not None and place.medway:
        return [elsewhere(content, Elsewhere("medway", "Medway"), now, turn.language, _)]
    ids: list[str] = []
    if turn.district:
        team = content.places.districts.get(turn.district)
        if team:
            ids.append(team)
    if turn.last_topic in content.topics:
        ids.extend(content.topics[turn.last_topic].contacts)
    ids.extend(FALLBACK_CONTACTS)
    ids = [c for c in dict.fromkeys(ids) if c in content.contacts]
    lines = [
        _(
            "I am an automated assistant, so I cannot pass this chat to a person. "
            "These people can help. They cannot see this chat, so tell them what you need:"
        ),
        "",
    ]
    cards, listed = contact_list(content, ids, now, turn.language, _)
    lines.extend(listed)
    if any(shown["callback"] for shown in cards):
        lines += ["", _("Some of these are closed now. You can ask for a call-back instead.")]
    buttons: list[Button] = [{"title": _("Ask for a call-back"), "payload": "/request_callback"}]
    messages = [message("handoff", "\n".join(lines), contacts=ids, buttons=buttons, cards=cards)]
    if not turn.district:
        messages.append(message("chat", _("Tell me your town or district and I can find your local SEND team.")))
    return messages
