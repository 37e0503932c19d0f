"""What the web app reads from the files staff own, read again when they change.

The web app writes some messages itself (phone numbers when the assistant is down, the
pages' "who to call" list), checks call-back and feedback requests against the topic
ids and districts, and offers the "Work out my dates" form from the deadline rules and
their words. It reads only those small files, never the answers: it stays
small and never imports the NLP stack. A background task looks at them every few seconds,
like the action server's content watcher; a file with errors keeps the last good version,
so a typo never takes the phone numbers away.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from bot.core.areas import Areas
from bot.core.contacts import Contact, load_contacts
from bot.core.date_words import DateWords, load_all
from bot.core.deadlines import Rules
from bot.core.problems import ProblemError, yaml_list
from bot.core.services import Need, load_rules
from bot.web import periodic

log = logging.getLogger(__name__)

FILES = ("contacts.yml", "topics.yml", "areas.yml", "deadlines.yml", "directory.yml")
DATES_FOLDER = "dates"  # and each <language>.yml in it
CHECK_EVERY = 2.0  # seconds; a few stat calls, off the event loop


@dataclass(frozen=True)
class Snapshot:
    contacts: dict[str, Contact]
    topics: frozenset[str]
    districts: frozenset[str]
    date_forms: dict[str, list[dict[str, object]]]  # language -> what the "Work out my dates" form offers
    needs: dict[str, Need]  # the directory page's need filter (content/directory.yml)


def date_forms(rules: Rules, words: DateWords) -> list[dict[str, object]]:
    """Each calculation as the form shows it: a title, and the dates it asks for."""
    return [
        {
            "id": calculation.id,
            "title": words.titles[calculation.id],
            "inputs": [
                {"id": i.id, "label": words.labels[i.id], "optional": i.optional, "day_optional": i.future}
                for i in calculation.inputs
            ],
        }
        for calculation in rules.calculations.values()
    ]


def read(content_dir: Path) -> Snapshot:
    """The files, checked; raises ProblemError (file and line) for one that cannot be used."""
    contacts, problems = load_contacts(content_dir / "contacts.yml")
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ProblemError(errors[0])
    topics = frozenset(
        str(entry["id"])
        for entry, _, _ in yaml_list(content_dir / "topics.yml", "- id:")
        if isinstance(entry, dict) and entry.get("id")
    )
    districts = frozenset(Areas(content_dir / "areas.yml").districts)
    rules_path = content_dir / "deadlines.yml"
    rules = Rules(rules_path if rules_path.exists() else None)
    words, date_problems = load_all(content_dir / DATES_FOLDER, rules)
    if rules.problems or date_problems:
        raise ProblemError((rules.problems + date_problems)[0])
    forms = {language: date_forms(rules, w) for language, w in words.items()}
    return Snapshot(contacts, topics, districts, forms, load_rules(content_dir).needs)


class StaffFiles:
    """The current snapshot; `refresh()` reads the files again if they changed since."""

    def __init__(self, content_dir: Path) -> None:
        self.content_dir = content_dir
        self._stamp = self._fingerprint()
        self.current = read(content_dir)  # at start, a broken file stops the web app with its message

    def _fingerprint(self) -> tuple[tuple[str, int, int], ...]:
        stats = []
        dates = sorted(str(p.relative_to(self.content_dir)) for p in (self.content_dir / DATES_FOLDER).glob("*.yml"))
        for name in (*FILES, *dates):
            try:
                st = (self.content_dir / name).stat()
                stats.append((name, st.st_mtime_ns, st.st_size))
            except OSError:  # mid-save: look again next time
                stats.append((name, 0, 0))
        return tuple(stats)

    def refresh(self) -> bool:
        """Read the files again if they changed; returns whether a new snapshot is in use."""
        stamp = self._fingerprint()
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        try:
            self.current = read(self.content_dir)
        except (ProblemError, OSError) as exc:
            log.error("staff files not reloaded, keeping the last good ones: %s", exc)
            return False
        log.info("contacts, topics, areas, date rules and directory needs reloaded from %s", self.content_dir)
        return True


STAFF = web.AppKey("staff_files", StaffFiles)


def add_to(app: web.Application, content_dir: Path, check_every: float = CHECK_EVERY) -> None:
    """Read the files now (a broken one stops start-up with its message), then keep them current."""
    app[STAFF] = StaffFiles(content_dir)

    periodic.every(app, check_every, app[STAFF].refresh, "checking the staff files")
