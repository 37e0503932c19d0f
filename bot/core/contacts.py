"""The contacts directory: named people and services families are handed to.

Staff edit `content/contacts.yml`; a phone number lives there and nowhere else, and
answers reach it through `{{ contact('id').phone }}`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import phonenumbers

from bot.core.problems import Problem, YamlListError, yaml_line_of, yaml_list


@dataclass(frozen=True)
class Contact:
    id: str
    name: str
    role: str | None = None
    phone: str | None = None
    text_relay: str | None = None
    text: str | None = None
    email: str | None = None
    web: str | None = None
    address: str | None = None
    hours: str | None = None
    out_of_hours: str | None = None  # the contact that takes over outside this one's hours
    districts: tuple[str, ...] = ()
    source: str | None = None
    confirm: bool = False

    @property
    def reachable(self) -> bool:
        """Whether a family has a way to get in touch: a phone, a text number, an email or a website."""
        return any((self.phone, self.text, self.email, self.web))

    def details(self) -> dict[str, object]:
        """The fields that have a value, for templates: a missing one is an error there, not 'None'."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) not in (None, ())}


FIELDS = {f.name for f in fields(Contact)}


def load_contacts(path: Path) -> tuple[dict[str, Contact], list[Problem]]:
    """Read the directory, reporting every problem with its line rather than stopping at the first."""
    problems: list[Problem] = []
    contacts: dict[str, Contact] = {}
    try:
        items = list(yaml_list(path, "- id:"))
    except YamlListError as exc:
        return {}, [exc.problem]
    for entry, node, line in items:
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("name"):
            problems.append(Problem(path, line, "error", "each contact needs an 'id' and a 'name'"))
            continue
        unknown = sorted(set(entry) - FIELDS)
        for key in unknown:
            problems.append(Problem(path, yaml_line_of(node, key), "error", f"unknown field '{key}' in contact '{entry['id']}'"))
        if entry["id"] in contacts:
            problems.append(Problem(path, line, "error", f"duplicate contact id '{entry['id']}'"))
        values = {k: v for k, v in entry.items() if k in FIELDS and v is not None}
        values = {k: (tuple(v) if k == "districts" else v if k == "confirm" else str(v)) for k, v in values.items()}
        contact = Contact(**values)
        if contact.confirm:
            problems.append(Problem(path, line, "warning", f"contact '{contact.id}' is marked confirm: true; check its details"))
        contacts[contact.id] = contact
    for contact in contacts.values():
        if contact.out_of_hours and contact.out_of_hours not in contacts:
            problems.append(
                Problem(path, 1, "error", f"contact '{contact.id}': out_of_hours names unknown contact '{contact.out_of_hours}'")
            )
    return contacts, problems


def tel_link(phone: str | None) -> str | None:
    """A tel: link: +44 form for UK numbers, the digits as dialled for short codes like 999 or 116 123."""
    if not phone:
        return None
    try:
        number = phonenumbers.parse(phone, "GB")
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.is_valid_number(number):
        return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return "tel:" + "".join(ch for ch in phone if ch.isdigit())
