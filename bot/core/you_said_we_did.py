"""content/you-said-we-did.md: what families and young people said, and what changed, written by
editors. The public page (/you-said-we-did) and the chat's feedback topic both show it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import frontmatter

from bot.core import yamlfile

FILE = "you-said-we-did.md"
TOPIC = "feedback-you-said-we-did"
WHEN = re.compile(r"^When:\s*(\d{4}-\d{2}-\d{2})\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Entry:
    said: str
    when: dt.date | None
    did: str  # markdown


def load(content_dir: Path) -> list[Entry]:
    """Each `## ` heading is what people said; its text is what changed. Newest first; a missing
    or broken file is no entries (`bot content check` reports a broken one)."""
    try:
        post = frontmatter.loads((content_dir / FILE).read_text(encoding="utf-8"), handler=yamlfile.FrontMatter())
    except (OSError, ValueError):
        return []
    entries = []
    for block in re.split(r"^## ", post.content, flags=re.MULTILINE)[1:]:
        said, _, body = block.partition("\n")
        when = WHEN.search(body)
        day = dt.date.fromisoformat(when.group(1)) if when else None
        entries.append(Entry(said.strip(), day, WHEN.sub("", body).strip()))
    return sorted(entries, key=lambda e: e.when or dt.date.min, reverse=True)
