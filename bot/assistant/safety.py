"""Safety first: which situations a message is about, and whom the safety message names.

A message about a child at risk or a person in crisis must get the safety message first.
Two independent layers decide that, and either one is enough, so no classifier alone can
hide a safety message, and the topic classifier never decides:
- the staff-owned phrase lists in content/safety/ (danger said plainly);
- the safety classifier (bot/assistant/safety_classifier.py: danger said indirectly).
Rasa's own `safeguarding` intent adds to them when the safety classifier half agrees.
Whom each situation is routed to is staff-owned too: content/safeguarding.yml.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.assistant.phrases import PhraseLists
from bot.core import yamlfile
from bot.core.contacts import Contact
from bot.core.problems import Problem, yaml_line_of

# Most urgent first: the order decides which contacts lead the safety message.
SITUATIONS = (
    "self_harm",
    "child_at_risk",
    "abuse",
    "staff_concern",
    "domestic_abuse",
    "exploitation",
    "missing_child",
    "parent_crisis",
)
# When a young person writes about themselves, this route comes first, whatever the situation.
YOUNG_PERSON = "young_person"
ROUTES_FILE = "safeguarding.yml"


class SafetyMatcher(PhraseLists):
    def __init__(self, folder: Path | None) -> None:
        super().__init__(folder, SITUATIONS)

    def situations(self, text: str) -> list[str]:
        return self.find(text)


def load_routes(path: Path, contacts: dict[str, Contact]) -> tuple[dict[str, tuple[str, ...]], list[Problem]]:
    """Each situation's contacts, most urgent first; every situation must name someone reachable."""
    try:
        text = path.read_text(encoding="utf-8")
        data, node = yamlfile.load(text) or {}, yamlfile.compose(text)
    except (OSError, yaml.YAMLError) as exc:
        return {}, [Problem(path, 1, "error", f"cannot read the safeguarding routes: {exc}")]
    if not isinstance(data, dict):
        return {}, [Problem(path, 1, "error", "must map each situation to a list of contact ids")]

    def line_of(key: str) -> int:
        return yaml_line_of(node, key) if node is not None else 1

    problems: list[Problem] = []
    routes: dict[str, tuple[str, ...]] = {}
    for key, ids in data.items():
        line = line_of(key)
        if key not in (*SITUATIONS, YOUNG_PERSON):
            problems.append(
                Problem(path, line, "error", f"unknown situation '{key}' (use one of {', '.join((*SITUATIONS, YOUNG_PERSON))})")
            )
            continue
        ids = [str(i) for i in ids or []] if isinstance(ids, list) else []
        for contact_id in ids:
            if contact_id not in contacts:
                problems.append(Problem(path, line, "error", f"{key}: unknown contact id '{contact_id}'"))
            elif not contacts[contact_id].phone and not contacts[contact_id].web:
                problems.append(Problem(path, line, "error", f"{key}: contact '{contact_id}' has no phone number or website"))
        routes[key] = tuple(i for i in ids if i in contacts)
    for situation in (*SITUATIONS, YOUNG_PERSON):
        if not routes.get(situation):
            problems.append(
                Problem(
                    path,
                    line_of(situation),
                    "error",
                    f"safeguarding situation '{situation}' has no contact: a family in it would be told no one",
                )
            )
    return routes, problems
