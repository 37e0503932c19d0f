"""A small, valid content folder, for tests that load content many times: the real one
takes seconds to load, this one a fraction of that."""

from __future__ import annotations

from pathlib import Path

from bot.assistant.safety import SITUATIONS, YOUNG_PERSON
from bot.core.settings import ROOT
from tests.conftest import write

CONTACTS = """\
- id: iask
  name: IASK
  phone: "03000 41 3000"
- id: hub
  name: SEND hub
  web: https://example.org/hub
"""
TOPICS = """\
- id: mediation
  area: complaints
  title: Mediation
  contacts: [iask]
"""


def page(examples: int = 20, easy: int = 8, front: str = "", body: str | None = None, topic: str = "mediation") -> str:
    lines = "\n".join(f"  - question {topic} {i}" for i in range(examples))
    easy_lines = "\n".join(f"  - easy {topic} {i}" for i in range(easy))
    body = (
        body
        if body is not None
        else (
            "## Answer\n\nMediation is free. Call {{ contact('iask').phone }}.\n\n"
            "## More\n\nIt is confidential.\n\n## Easy read\n\nWe meet and talk. You can call us.\n"
        )
    )
    return (
        f"---\ntopic: {topic}\ntitle: Mediation\narea: complaints\ncontacts: [iask]\n"
        f"examples:\n{lines}\neasy_examples:\n{easy_lines}\nsources: [SEND Code of Practice]\n"
        f"last_reviewed: 2026-11-01\nreview_by: 2027-05-01\nowner: content team\n{front}---\n{body}"
    )


# A few phrases: the real lists take a second to load, and these tests load many trees.
SAFETY_PHRASES = "self_harm:\n  - wants to kill himself\nignore:\n  - killing me\n"
ROUTES = "".join(f"{situation}: [iask]\n" for situation in (*SITUATIONS, YOUNG_PERSON))


def make_tree(root: Path) -> Path:
    """One topic in English, two contacts, the real checks and areas, a few phrases."""
    write(root / "contacts.yml", CONTACTS)
    write(root / "topics.yml", TOPICS)
    write(root / "checks.yml", (ROOT / "content" / "checks.yml").read_text(encoding="utf-8"))
    write(root / "safeguarding.yml", ROUTES)
    write(root / "areas.yml", (ROOT / "content" / "areas.yml").read_text(encoding="utf-8"))
    write(root / "safety" / "en.yml", SAFETY_PHRASES)
    write(root / "handoff" / "en.yml", "person:\n  - talk to someone\n")
    write(root / "en" / "mediation.md", page())
    return root
