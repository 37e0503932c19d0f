"""Staff-owned answers: markdown files with front matter, one per topic per language.

The files are the single source of truth for what the assistant says and for the
example questions it learns from. Rendering happens here, not in Rasa, so that a
change of wording needs no retraining.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import jinja2
import yaml
from markdown_it import MarkdownIt

from bot.assistant.elsewhere import SCOPE_FOLDER, SCOPE_LABELS
from bot.assistant.glossary import Glossary, load_glossary
from bot.assistant.phrases import PhraseLists
from bot.assistant.readability import acronyms, measure, release_pipelines
from bot.assistant.safety import ROUTES_FILE, SafetyMatcher, load_routes
from bot.assistant.search import PageSearch
from bot.core import yamlfile, you_said_we_did
from bot.core.areas import Areas
from bot.core.contacts import Contact, load_contacts
from bot.core.date_words import DateWordsByLanguage, load_all
from bot.core.deadlines import Rules
from bot.core.i18n import gettext_for
from bot.core.problems import Problem, ProblemError, YamlListError, yaml_line_of, yaml_list
from bot.core.services import DirectoryRules, load_rules

log = logging.getLogger(__name__)

SECTIONS = {"Answer": "answer", "More": "more", "Easy read": "easy"}
REQUIRED_FIELDS = {
    "topic",
    "title",
    "area",
    "contacts",
    "examples",
    "easy_examples",
    "sources",
    "last_reviewed",
    "review_by",
    "owner",
}
OPTIONAL_FIELDS = {"check"}
# A translation carries its own words and example questions; who can help, the sources and
# the area come from the page it was translated from, so they are kept in one place.
TRANSLATION_REQUIRED = {"topic", "title", "examples", "translation"}
TRANSLATION_OPTIONAL = {"easy_examples", "check", "last_reviewed", "review_by", "owner"}
TRANSLATION_FIELDS = {"from", "method", "reviewed", "source_reviewed"}
INHERITED_FIELDS = ("area", "contacts", "sources")
SOURCE_LANGUAGE = "en"
MIN_EXAMPLES = {"en": 20}
MIN_EXAMPLES_OTHER = 10
MIN_EASY_EXAMPLES = {"en": 8}
# Readability limits (shared/spec/send-facts.md, "Writing standards").
STANDARD_MAX_AVERAGE = 20
EASY_MAX_AVERAGE = 12
EASY_MAX_SENTENCE = 20
FLESCH_MIN = {"answer": 50, "easy": 70}  # English only; below is a warning
ANSWER_MAX_WORDS = 150  # a standard answer is short; the detail goes in "## More"
# Capitals that are everyday words, not jargon.
PLAIN_CAPITALS = {"OK", "TV", "UK", "I"}
LINK_SCHEMES = ("https://", "http://", "mailto:", "tel:")
RULES_FILE = "checks.yml"
# The directory's words in each language (content/directory/<language>.yml): these two lists,
# then one list per need named in content/directory.yml.
DIRECTORY_FOLDER = "directory"
DIRECTORY_LABELS = ("near", "looking")
SAFETY_FOLDER = "safety"
HANDOFF_FOLDER = "handoff"
HANDOFF_LABELS = ("person",)  # "can I talk to someone": content/handoff/<language>.yml
AREAS_FILE = "areas.yml"
DEADLINES_FILE = "deadlines.yml"  # the rules for worked-out dates
DATES_FOLDER = "dates"  # their words, one file per language
CONTACT_PLACEHOLDER = re.compile(r"contact\(\s*['\"]([^'\"]+)['\"]\s*\)")

_markdown = MarkdownIt("commonmark", {"html": False})


@dataclass(frozen=True)
class Topic:
    """A catalogue entry: what the topic is and who can help with it."""

    id: str
    area: str
    title: str
    contacts: tuple[str, ...]


@dataclass
class Page:
    """One topic in one language, as staff wrote it, with its sections rendered."""

    topic: str
    language: str
    path: Path
    meta: dict
    sections: dict[str, str] = field(default_factory=dict)

    @property
    def examples(self) -> list[str]:
        return [str(e) for e in self.meta.get("examples") or []]

    @property
    def easy_examples(self) -> list[str]:
        return [str(e) for e in self.meta.get("easy_examples") or []]

    @property
    def contacts(self) -> list[str]:
        return list(self.meta.get("contacts") or [])

    @property
    def translation(self) -> dict | None:
        value = self.meta.get("translation")
        return value if isinstance(value, dict) else None

    @property
    def reading_levels(self) -> list[str]:
        return [level for level, key in (("standard", "answer"), ("easy", "easy")) if key in self.sections]


@dataclass
class Content:
    """Everything staff own, loaded and checked together."""

    root: Path
    topics: dict[str, Topic]
    contacts: dict[str, Contact]
    pages: dict[tuple[str, str], Page]
    glossaries: dict[str, Glossary]
    problems: list[Problem]
    # The phrase lists (content/safety/, content/handoff/) and places (areas.yml): staff own
    # them too, so they reload with everything else.
    safety: SafetyMatcher
    handoff: PhraseLists
    places: Areas
    scope: PhraseLists = field(default_factory=lambda: PhraseLists(None, SCOPE_LABELS))  # content/scope/: not ours to answer
    # Whom the safety message names in each situation (content/safeguarding.yml).
    safeguarding: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The deadlines the assistant works out (content/deadlines.yml) and their words (content/dates/).
    deadlines: Rules = field(default_factory=lambda: Rules(None))
    date_words: DateWordsByLanguage = field(default_factory=DateWordsByLanguage)
    search: PageSearch = field(default_factory=lambda: PageSearch(()))
    # When a question is a directory search, and the words for each need (content/directory*).
    directory: DirectoryRules = field(default_factory=DirectoryRules)
    directory_words: PhraseLists = field(default_factory=lambda: PhraseLists(None, DIRECTORY_LABELS))
    # "You said, we did" (content/you-said-we-did.md), newest first.
    you_said_we_did: list[you_said_we_did.Entry] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def page(self, topic: str, language: str) -> Page | None:
        return self.pages.get((topic, language))

    def areas(self) -> list[str]:
        return list(dict.fromkeys(t.area for t in self.topics.values()))

    def glossary(self, language: str) -> Glossary:
        return self.glossaries.get(language) or self.glossaries.get("en") or Glossary([])


def _split_sections(body: str, body_line: int) -> tuple[dict[str, tuple[str, int]], list[tuple[int, str]]]:
    """Cut the body at its `##` headings; returns sections with their first line, and stray headings."""
    lines = body.splitlines()
    tokens = _markdown.parse(body)
    headings = [
        (tok.map[0], tokens[i + 1].content.strip())
        for i, tok in enumerate(tokens)
        if tok.type == "heading_open" and tok.tag == "h2" and tok.map
    ]
    sections: dict[str, tuple[str, int]] = {}
    unknown: list[tuple[int, str]] = []
    for n, (start, title) in enumerate(headings):
        end = headings[n + 1][0] if n + 1 < len(headings) else len(lines)
        text = "\n".join(lines[start + 1 : end]).strip()
        if title in SECTIONS:
            sections[SECTIONS[title]] = (text, body_line + start)
        else:
            unknown.append((body_line + start, title))
    return sections, unknown


def _load_catalogue(path: Path, contacts: dict[str, Contact]) -> tuple[dict[str, Topic], list[Problem]]:
    problems: list[Problem] = []
    topics: dict[str, Topic] = {}
    try:
        items = list(yaml_list(path, "- id:"))
    except YamlListError as exc:
        return {}, [exc.problem]
    for entry, node, line in items:
        if not isinstance(entry, dict) or not all(entry.get(k) for k in ("id", "area", "title")):
            problems.append(Problem(path, line, "error", "each topic needs 'id', 'area' and 'title'"))
            continue
        if entry["id"] in topics:
            problems.append(Problem(path, line, "error", f"duplicate topic id '{entry['id']}'"))
        for contact_id in entry.get("contacts") or []:
            if contact_id not in contacts:
                problems.append(Problem(path, yaml_line_of(node, "contacts"), "error", f"unknown contact id '{contact_id}'"))
        topics[entry["id"]] = Topic(entry["id"], entry["area"], entry["title"], tuple(entry.get("contacts") or ()))
    return topics, problems


def _jinja(contacts: dict[str, Contact]) -> jinja2.Environment:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)

    def contact(contact_id: str) -> dict[str, object]:
        if contact_id not in contacts:
            raise jinja2.UndefinedError(f"unknown contact id '{contact_id}'")
        return contacts[contact_id].details()

    env.globals["contact"] = contact
    return env


def _check_section(path: Path, line: int, key: str, text: str, language: str, glossary: Glossary) -> list[Problem]:
    """Plain words: sentence length, Flesch (English), jargon in easy read, and links."""
    problems: list[Problem] = []
    stats = measure(text, language)
    if key == "answer" and stats.words > ANSWER_MAX_WORDS:
        problems.append(
            Problem(
                path,
                line,
                "warning",
                f"the answer is {stats.words} words; keep it to about {ANSWER_MAX_WORDS} and move the detail to '## More'",
            )
        )
    if key in ("answer", "more") and stats.average_words > STANDARD_MAX_AVERAGE:
        problems.append(
            Problem(
                path,
                line,
                "error",
                f"sentences average {stats.average_words:.1f} words; at most {STANDARD_MAX_AVERAGE} for a standard answer",
            )
        )
    if key == "easy":
        if stats.average_words > EASY_MAX_AVERAGE:
            problems.append(
                Problem(
                    path,
                    line,
                    "error",
                    f"easy read sentences average {stats.average_words:.1f} words; at most {EASY_MAX_AVERAGE}",
                )
            )
        if stats.longest_words > EASY_MAX_SENTENCE:
            problems.append(
                Problem(
                    path,
                    line,
                    "error",
                    f"easy read sentence of {stats.longest_words} words (at most {EASY_MAX_SENTENCE}): {stats.longest!r}",
                )
            )
        for word in sorted(acronyms(text) - PLAIN_CAPITALS):
            if not glossary.explains(word):
                problems.append(
                    Problem(
                        path,
                        line,
                        "error",
                        f"easy read uses '{word}', which the glossary does not explain: "
                        f"add it to glossary/{language}.yml or use plain words",
                    )
                )
    if stats.flesch is not None and key in FLESCH_MIN and stats.flesch < FLESCH_MIN[key]:
        problems.append(
            Problem(
                path,
                line,
                "warning",
                f"Flesch reading ease {stats.flesch:.0f} is below {FLESCH_MIN[key]}: use shorter words and sentences",
            )
        )
    for token in _markdown.parse(text):
        for child in token.children or []:
            href = child.attrs.get("href") if child.type == "link_open" else None
            if href is not None and not str(href).startswith(LINK_SCHEMES):
                problems.append(Problem(path, line, "error", f"link '{href}' must start with https://, mailto: or tel:"))
            if child.type == "text" and re.search(r"\[[^\]]*\]\(|\]\s+\(", child.content):
                problems.append(
                    Problem(
                        path,
                        line,
                        "error",
                        f"malformed link near '{child.content.strip()[:40]}': "
                        "write [text](https://address) with no spaces in the address",
                    )
                )
    return problems


def _check_translation(path: Path, line: int, value: object) -> list[Problem]:
    """A translation says what it came from, how it was made and whether a native speaker checked it."""
    if not isinstance(value, dict):
        return [Problem(path, line, "error", "translation must have the fields: " + ", ".join(sorted(TRANSLATION_FIELDS)))]
    problems = [
        Problem(path, line, "error", f"missing translation field '{key}'") for key in sorted(TRANSLATION_FIELDS - set(value))
    ]
    problems += [
        Problem(path, line, "error", f"unknown translation field '{key}'") for key in sorted(set(value) - TRANSLATION_FIELDS)
    ]
    if "reviewed" in value and not isinstance(value["reviewed"], bool):
        problems.append(Problem(path, line, "error", "translation reviewed must be true or false"))
    if "source_reviewed" in value and not isinstance(value["source_reviewed"], dt.date):
        problems.append(
            Problem(
                path, line, "error", "translation source_reviewed must be the English page's last_reviewed date, like 2026-11-28"
            )
        )
    return problems


def _inherit(pages: dict[tuple[str, str], Page]) -> list[Problem]:
    """Give each translation its source page's contacts, sources and area; flag translations
    made from an older version of the English answer."""
    problems: list[Problem] = []
    for (topic, language), page in pages.items():
        if language == SOURCE_LANGUAGE or page.translation is None:
            continue
        source = pages.get((topic, str(page.translation.get("from", SOURCE_LANGUAGE))))
        if source is None or source.translation is not None:
            problems.append(
                Problem(
                    page.path,
                    1,
                    "error",
                    f"translation of '{topic}' has no source page to follow (content/{page.translation.get('from')}/{topic}.md)",
                )
            )
            continue
        for key in INHERITED_FIELDS:
            page.meta[key] = source.meta.get(key)
        translated_from, reviewed = page.translation.get("source_reviewed"), source.meta.get("last_reviewed")
        if isinstance(translated_from, dt.date) and isinstance(reviewed, dt.date) and reviewed > translated_from:
            # A translation made from an older English page may still carry a fact since corrected.
            problems.append(
                Problem(
                    page.path,
                    1,
                    "error",
                    f"the {source.language} answer was reviewed on {reviewed}, after this "
                    f"translation was made from it ({translated_from}): update the translation "
                    f"from the {source.language} page, then set source_reviewed: {reviewed}",
                )
            )
    return problems


def coverage(content: Content, languages: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """How many catalogue topics each language answers, per reading level, and how many await review."""
    report = {}
    for language in languages:
        pages = [p for (t, lang), p in content.pages.items() if lang == language and t in content.topics]
        report[language] = {
            "topics": len(content.topics),
            "standard": sum("answer" in p.sections for p in pages),
            "easy": sum("easy" in p.sections for p in pages),
            "unreviewed": sum(1 for p in pages if p.translation is not None and not p.translation.get("reviewed")),
        }
    return report


def _load_page(
    path: Path,
    language: str,
    topics: dict[str, Topic],
    contacts: dict[str, Contact],
    env: jinja2.Environment,
    today: dt.date,
    glossary: Glossary,
) -> tuple[Page | None, list[Problem]]:
    problems: list[Problem] = []
    _ = gettext_for(language)
    raw = path.read_text(encoding="utf-8")
    try:
        post = frontmatter.loads(raw, handler=yamlfile.FrontMatter())
    except yaml.YAMLError as exc:
        line = exc.problem_mark.line + 2 if getattr(exc, "problem_mark", None) else 1
        return None, [Problem(path, line, "error", f"front matter is not valid YAML: {exc}")]
    meta = dict(post.metadata)
    if not meta:
        return None, [Problem(path, 1, "error", "no front matter: the file must start with '---' and the topic's fields")]
    front = raw.split("---", 2)[1]
    node = yamlfile.compose(front)

    def line_of(key: str) -> int:
        return yaml_line_of(node, key)

    required, optional = (
        (REQUIRED_FIELDS, OPTIONAL_FIELDS) if language == SOURCE_LANGUAGE else (TRANSLATION_REQUIRED, TRANSLATION_OPTIONAL)
    )
    for key in sorted(required - set(meta)):
        problems.append(Problem(path, 1, "error", f"missing front-matter field '{key}'"))
    for key in sorted(set(meta) - required - optional):
        hint = " (a translation takes it from the English page)" if key in INHERITED_FIELDS else ""
        problems.append(Problem(path, line_of(key), "error", f"unknown front-matter field '{key}'{hint}"))
    if "translation" in meta:
        problems += _check_translation(path, line_of("translation"), meta["translation"])
    topic_id = str(meta.get("topic", ""))
    if topic_id and topic_id not in topics:
        problems.append(Problem(path, line_of("topic"), "error", f"unknown topic id '{topic_id}' (add it to topics.yml first)"))
    if topic_id and path.stem != topic_id:
        problems.append(Problem(path, line_of("topic"), "error", f"topic '{topic_id}' must be in a file named {topic_id}.md"))
    listed = meta.get("contacts") or []
    if not isinstance(listed, list):
        problems.append(
            Problem(path, line_of("contacts"), "error", "contacts must be a list of contact ids, such as [iask, send-hub]")
        )
        listed = []
    for contact_id in listed:
        if contact_id not in contacts:
            problems.append(Problem(path, line_of("contacts"), "error", f"unknown contact id '{contact_id}'"))
    if language == SOURCE_LANGUAGE:  # translations name the English page's contacts
        problems += _check_reachable(path, [*listed, *CONTACT_PLACEHOLDER.findall(raw)], contacts)
    review_by = meta.get("review_by")
    if isinstance(review_by, dt.date) and review_by < today:
        problems.append(Problem(path, line_of("review_by"), "warning", f"review_by {review_by} has passed: check this answer"))
    elif review_by is not None and not isinstance(review_by, dt.date):
        problems.append(Problem(path, line_of("review_by"), "error", "review_by must be a date like 2027-05-28"))

    body_line = raw[: raw.index(post.content)].count("\n") + 1 if post.content else len(raw.splitlines())
    sections, unknown = _split_sections(post.content, body_line)
    for line, title in unknown:
        problems.append(
            Problem(path, line, "error", f"unknown section '## {title}' (use: {', '.join('## ' + s for s in SECTIONS)})")
        )
    for title, key in SECTIONS.items():
        if key not in sections and key != "more":
            label = "easy read answer" if key == "easy" else "standard answer"
            problems.append(
                Problem(
                    path,
                    body_line,
                    "error" if key == "answer" else "warning" if language != "en" else "error",
                    f"missing {label} (a '## {title}' section)",
                )
            )

    page = Page(topic=topic_id, language=language, path=path, meta=meta)
    for key, (text, line) in sections.items():
        if not text:
            problems.append(Problem(path, line, "error", "this section is empty"))
            continue
        try:
            page.sections[key] = env.from_string(text).render().strip()
            if key == "easy":
                page.sections[key] = glossary.explain_inline(
                    page.sections[key], acronyms(page.sections[key]) - PLAIN_CAPITALS, template=_("{word} means {meaning}.")
                )
            problems += _check_section(path, line, key, page.sections[key], language, glossary)
        except jinja2.TemplateSyntaxError as exc:
            problems.append(Problem(path, line + exc.lineno, "error", f"broken placeholder: {exc.message}"))
        except jinja2.UndefinedError as exc:
            problems.append(Problem(path, line, "error", f"broken placeholder: {exc.message}"))
    return page, problems


def load(root: Path, today: dt.date | None = None) -> Content:
    """Load and check the whole content folder; problems are collected, never raised."""
    today = today or dt.date.today()
    contacts, problems = load_contacts(root / "contacts.yml")
    topics, topic_problems = _load_catalogue(root / "topics.yml", contacts)
    problems += topic_problems
    env = _jinja(contacts)
    glossaries: dict[str, Glossary] = {}
    for path in sorted((root / "glossary").glob("*.yml")):
        glossaries[path.stem], glossary_problems = load_glossary(path, path.stem)
        problems += glossary_problems
    pages: dict[tuple[str, str], Page] = {}
    # Answers live in one folder per language code (content/en/, content/pl/, ...).
    for language_dir in sorted(p for p in root.iterdir() if p.is_dir() and p.name.isalpha() and len(p.name) <= 3):
        language = language_dir.name
        for path in sorted(language_dir.glob("*.md")):
            page, page_problems = _load_page(
                path, language, topics, contacts, env, today, glossaries.get(language) or Glossary([])
            )
            problems += page_problems
            if page is None or not page.topic:
                continue
            if (page.topic, language) in pages:
                problems.append(
                    Problem(
                        path, 1, "error", f"topic '{page.topic}' is already answered in {pages[(page.topic, language)].path.name}"
                    )
                )
                continue
            pages[(page.topic, language)] = page
    problems += _inherit(pages)
    problems += _check_examples(pages)
    problems += _check_rules(root / RULES_FILE, pages)
    safeguarding, route_problems = load_routes(root / ROUTES_FILE, contacts)
    problems += route_problems
    safety, handoff, scope, places = _load_lists(root, problems)
    deadlines, date_words = _load_dates(root, topics, problems)
    directory, directory_words = _load_directory(root, topics, problems)
    for topic in topics:
        if (topic, "en") not in pages:
            problems.append(
                Problem(root / "topics.yml", 1, "error", f"topic '{topic}' has no English answer (content/en/{topic}.md)")
            )
    return Content(
        root=root,
        topics=topics,
        contacts=contacts,
        pages=pages,
        glossaries=glossaries,
        problems=problems,
        safety=safety,
        handoff=handoff,
        scope=scope,
        places=places,
        safeguarding=safeguarding,
        deadlines=deadlines,
        date_words=date_words,
        search=_index(pages, glossaries, places),
        directory=directory,
        directory_words=directory_words,
        you_said_we_did=you_said_we_did.load(root),
    )


def _load_directory(root: Path, topics: dict[str, Topic], problems: list[Problem]) -> tuple[DirectoryRules, PhraseLists]:
    """content/directory.yml and content/directory/<language>.yml; a broken file is a problem, reported."""
    try:
        rules = load_rules(root)
    except ProblemError as exc:
        problems.append(exc.problem)
        return DirectoryRules(), PhraseLists(None, DIRECTORY_LABELS)
    for topic in rules.topics:
        if topic not in topics:
            problems.append(Problem(root / "directory.yml", 1, "error", f"unknown topic id '{topic}' under topics"))
    try:
        words = PhraseLists(root / DIRECTORY_FOLDER, DIRECTORY_LABELS + tuple(rules.needs))
    except ProblemError as exc:
        problems.append(exc.problem)
        words = PhraseLists(None, DIRECTORY_LABELS)
    return rules, words


def _index(pages: dict[tuple[str, str], Page], glossaries: dict[str, Glossary], places: Areas) -> PageSearch:
    """Every page and glossary entry, for a question no topic fits; built with the content."""
    rows = [
        (language, topic, str(page.meta.get("title", "")), "\n".join(page.sections.values()))
        for (topic, language), page in pages.items()
    ]
    rows += [
        (language, "glossary", " ".join((entry.term, *entry.aliases)), f"{entry.meaning}\n{entry.easy}")
        for language, glossary in glossaries.items()
        for entry in glossary.entries
    ]
    return PageSearch(rows, ignore=[*places.names, "Kent", "Medway"])


def _load_dates(root: Path, topics: dict[str, Topic], problems: list[Problem]) -> tuple[Rules, DateWordsByLanguage]:
    """The deadline rules and their words; with no rules file the assistant works out no dates."""
    path = root / DEADLINES_FILE
    if not path.exists():
        return Rules(None), DateWordsByLanguage()
    try:
        rules = Rules(path)
    except ProblemError as exc:
        problems.append(exc.problem)
        return Rules(None), DateWordsByLanguage()
    problems += rules.problems
    for calculation in rules.calculations.values():
        for topic in calculation.topics:
            if topic not in topics:
                problems.append(
                    Problem(
                        path, rules.lines[calculation.id], "error", f"calculation '{calculation.id}': unknown topic id '{topic}'"
                    )
                )
    words, word_problems = load_all(root / DATES_FOLDER, rules)
    problems += word_problems
    return rules, words


def _load_lists(root: Path, problems: list[Problem]) -> tuple[SafetyMatcher, PhraseLists, PhraseLists, Areas]:
    """The safety, handoff and scope phrase lists and the areas; a broken file is a problem, reported."""
    try:
        safety = SafetyMatcher(root / SAFETY_FOLDER)
        if not any((root / SAFETY_FOLDER).glob("*.yml")):
            problems.append(Problem(root / SAFETY_FOLDER, 1, "error", "no safety phrase lists: add <language>.yml files here"))
    except ProblemError as exc:
        problems.append(exc.problem)
        safety = SafetyMatcher(None)
    try:
        handoff = PhraseLists(root / HANDOFF_FOLDER, HANDOFF_LABELS)
    except ProblemError as exc:
        problems.append(exc.problem)
        handoff = PhraseLists(None, HANDOFF_LABELS)
    try:
        scope = PhraseLists(root / SCOPE_FOLDER, SCOPE_LABELS)
    except ProblemError as exc:
        problems.append(exc.problem)
        scope = PhraseLists(None, SCOPE_LABELS)
    try:
        places = Areas(root / AREAS_FILE)
    except ProblemError as exc:
        problems.append(exc.problem)
        places = Areas(None)
    return safety, handoff, scope, places


def _check_examples(pages: dict[tuple[str, str], Page]) -> list[Problem]:
    """Too few examples starve the classifier; one question under two topics confuses it."""
    problems: list[Problem] = []
    seen: dict[str, Page] = {}
    for (topic, language), page in pages.items():
        minimum = MIN_EXAMPLES.get(language, MIN_EXAMPLES_OTHER)
        if len(page.examples) < minimum:
            problems.append(
                Problem(page.path, 1, "error", f"only {len(page.examples)} example questions; at least {minimum} are needed")
            )
        easy_minimum = MIN_EASY_EXAMPLES.get(language, 0)
        if len(page.easy_examples) < easy_minimum:
            problems.append(
                Problem(
                    page.path,
                    1,
                    "error",
                    f"only {len(page.easy_examples)} easy read example questions; at least {easy_minimum} are needed",
                )
            )
        for example in page.examples + page.easy_examples:
            key = " ".join(example.lower().split())
            other = seen.get(key)
            if other is not None and other.topic != topic:
                problems.append(
                    Problem(
                        page.path,
                        1,
                        "error",
                        f"example '{example}' is also filed under topic '{other.topic}' ({other.path.name})",
                    )
                )
            seen[key] = page
    return problems


def _check_reachable(path: Path, used: list[str], contacts: dict[str, Contact]) -> list[Problem]:
    """A contact an answer hands a family to must have a way to reach it: a dead end is worse than none."""
    return [
        Problem(
            path,
            1,
            "error",
            f"contact '{contact_id}' has no phone, text, email or web address "
            "in contacts.yml, so a family could not reach it: add one",
        )
        for contact_id in dict.fromkeys(used)
        if contact_id in contacts and not contacts[contact_id].reachable
    ]


def _check_rules(path: Path, pages: dict[tuple[str, str], Page]) -> list[Problem]:
    """The content team's rules (content/checks.yml): today, the appeal time limit."""
    if not path.exists():
        return [Problem(path, 1, "error", f"{path.name} is missing: it holds the rules every answer is checked against")]
    try:
        rules = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        appeal = rules["appeal_time_limit"]
        exempt = set(appeal.get("not_tribunal") or [])
        patterns = {
            language: {key: re.compile(str(value[key]), re.IGNORECASE) for key in ("appeal", "time_limit", "mediation")}
            for language, value in appeal["languages"].items()
        }
    except (yaml.YAMLError, KeyError, TypeError, AttributeError, re.error) as exc:
        return [Problem(path, 1, "error", f"rules not readable: {exc}; see the comments in the file for the shape")]
    problems: list[Problem] = []
    for (topic, language), page in pages.items():
        found = patterns.get(language)
        if found is None or topic in exempt:
            continue
        # "## More" follows "## Answer", so the answer must give the limit if either mentions appealing.
        for key, mentions in (
            ("answer", page.sections.get("answer", "") + page.sections.get("more", "")),
            ("easy", page.sections.get("easy", "")),
        ):
            if not found["appeal"].search(mentions):
                continue
            missing = [
                what
                for what, rule in (("the 2-month time limit", "time_limit"), ("the mediation step", "mediation"))
                if not found[rule].search(page.sections.get(key, ""))
            ]
            if missing:
                section = "## Easy read" if key == "easy" else "## Answer"
                problems.append(
                    Problem(
                        page.path,
                        1,
                        "error",
                        f"{section} mentions appealing but not {' or '.join(missing)}: "
                        f"say it there (rule appeal_time_limit in {path.name})",
                    )
                )
    return problems


class LiveContent:
    """Content that follows the files: reloaded when they change, or on request.

    A watcher thread looks at the files every `check_every` seconds and, when they have
    changed, loads and checks them (spaCy's readability checks take seconds) and swaps the
    new content in with one assignment. Answering a family never waits for it: `get()`
    only returns the current content. A reload with errors keeps the last good content, so
    a typo never takes answers offline.
    """

    def __init__(self, root: Path, check_every: float = 2.0) -> None:
        self.root = root
        self.check_every = check_every
        self._lock = threading.Lock()
        self._stamp = self._fingerprint()
        self._content = load(root)
        release_pipelines()  # not needed again until the files change
        if self._content.errors:
            raise ValueError("content has errors:\n" + "\n".join(p.format() for p in self._content.errors))
        self._wake = threading.Event()
        self._stopped = threading.Event()
        threading.Thread(target=self._watch, name="content-watcher", daemon=True).start()

    def _fingerprint(self) -> tuple:
        stats = ((str(p), p.stat()) for p in self.root.rglob("*") if p.is_file())
        return tuple(sorted((name, st.st_mtime_ns, st.st_size) for name, st in stats))

    def _watch(self) -> None:
        while not self._stopped.is_set():
            asked = self._wake.wait(self.check_every)
            self._wake.clear()
            if self._stopped.is_set():
                return
            try:
                if asked or self._fingerprint() != self._stamp:
                    self.reload()
            except Exception:  # a file vanishing mid-check, say: keep serving, look again next time
                log.exception("content check failed; still serving the last good content")

    def reload_soon(self) -> None:
        """Ask the watcher to reload now (SIGHUP, `bot content reload`), without waiting for it."""
        self._wake.set()

    def reload(self) -> bool:
        """Load the files again; returns False (and keeps serving the old content) if they have errors."""
        with self._lock:
            self._stamp = self._fingerprint()
            fresh = load(self.root)
            release_pipelines()
            if fresh.errors:
                log.error("content reload refused, %d errors; first: %s", len(fresh.errors), fresh.errors[0].format())
                return False
            self._content = fresh
            log.info("content reloaded from %s", self.root)
            return True

    def get(self) -> Content:
        return self._content

    def close(self) -> None:
        self._stopped.set()
        self._wake.set()
