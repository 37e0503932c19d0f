"""The Local Offer's services directory, as every process sees it: what a search asks for, what
it finds, and the needs families search by (content/directory.yml).

The directory itself is stored by bot/storage/directory.py and filled from an Open Referral UK
feed by bot/ops/directory_feed.py; the chat (bot/assistant/services.py) and the /services pages
(bot/web/services_pages.py) only search it, through `ServiceFinder`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypedDict

import yaml

from bot.core import yamlfile
from bot.core.problems import Problem, ProblemError, invalid_yaml, yaml_line_of, yaml_value_of

DIRECTORY_FILE = "directory.yml"
# An assured date older than this, or none, and the family is told the record may be out of date.
STALE_AFTER = dt.timedelta(days=365)
SHORT_DESCRIPTION = 200


@dataclass(frozen=True)
class ServiceQuery:
    """One search. `terms`: English words or phrases, any of which may match (a family's needs);
    `text`: words that must all match (the directory page's search box)."""

    terms: tuple[str, ...] = ()
    text: str = ""
    district: str | None = None  # a Kent district: services there, Kent-wide and national ones
    postcode: str | None = None  # the family's postcode district ("CT9"), to rank nearer services first
    age: int | None = None
    limit: int = 5
    offset: int = 0


@dataclass(frozen=True)
class Service:
    """One service as the chat and the directory page show it; `id` is the feed's."""

    id: str
    name: str
    organisation: str | None
    description: str
    area: str | None
    url: str | None
    email: str | None
    phone: str | None
    minimum_age: float | None
    maximum_age: float | None
    cost: str | None
    last_assured: dt.date | None
    eligibility: str | None = None
    needs: tuple[str, ...] = ()

    @property
    def age_range(self) -> str | None:
        low, high = self.minimum_age, self.maximum_age
        if low is None and high is None:
            return None
        if high is None:
            return f"{low:g}+"
        return f"{0 if low is None else low:g}-{high:g}"

    def out_of_date(self, today: dt.date) -> bool:
        """Never checked, or checked more than a year ago."""
        return self.last_assured is None or today - self.last_assured > STALE_AFTER


@dataclass(frozen=True)
class Found:
    services: list[Service]
    total: int  # how many match, beyond this page


class ServiceCard(TypedDict):
    """A service in a chat message's `services` (openapi.yaml, ServiceCard)."""

    id: str
    name: str
    organisation: str | None
    description: str
    area: str | None
    url: str | None
    email: str | None
    phone: str | None
    age_range: str | None
    cost: str | None
    last_assured: str | None
    out_of_date: bool


def card(service: Service, today: dt.date) -> ServiceCard:
    return ServiceCard(
        id=service.id,
        name=service.name,
        organisation=service.organisation,
        description=short(service.description),
        area=service.area,
        url=service.url,
        email=service.email,
        phone=service.phone,
        age_range=service.age_range,
        cost=service.cost,
        last_assured=service.last_assured.isoformat() if service.last_assured else None,
        out_of_date=service.out_of_date(today),
    )


def short(text: str) -> str:
    """The first sentences, up to about 200 characters, cut at a word."""
    text = " ".join(text.split())
    if len(text) <= SHORT_DESCRIPTION:
        return text
    cut = text[:SHORT_DESCRIPTION].rsplit(" ", 1)[0]
    sentence = cut.rfind(". ")
    return cut[: sentence + 1] if sentence > 60 else cut + "…"


class ServiceFinder(Protocol):
    def search(self, query: ServiceQuery) -> Found: ...

    def get(self, service_id: str) -> Service | None: ...


@dataclass(frozen=True)
class Need:
    id: str
    label: str
    terms: tuple[str, ...]
    condition: bool = False  # a child's condition (autism), not a kind of service (a support group)


@dataclass(frozen=True)
class DirectoryRules:
    """content/directory.yml: which topics' questions are also directory searches, how ages are
    written, and each need's English search terms."""

    topics: dict[str, tuple[str, ...]] = field(default_factory=dict)  # topic -> the needs it stands for
    ages: tuple[re.Pattern[str], ...] = ()
    needs: dict[str, Need] = field(default_factory=dict)

    def age(self, text: str) -> int | None:
        """The first age in the message that a child or young person could be (0 to 25)."""
        for pattern in self.ages:
            for match in pattern.finditer(text):
                age = int(match.group(1))  # int() reads Devanagari and Arabic-Indic digits too
                if age <= 25:
                    return age
        return None

    def terms(self, need_ids: list[str]) -> tuple[str, ...]:
        return tuple(term for n in need_ids if n in self.needs for term in self.needs[n].terms)


def load_rules(root: Path) -> DirectoryRules:
    """Raises ProblemError naming the file and line of anything that cannot be used. Without the
    file, no question is a directory question."""
    path = root / DIRECTORY_FILE
    if not path.exists():
        return DirectoryRules()  # no directory questions: the chat answers from the pages alone
    try:
        text = path.read_text(encoding="utf-8")
        data, node = yamlfile.load(text) or {}, yamlfile.compose(text)
    except OSError as exc:
        raise ProblemError(Problem(path, 1, "error", f"cannot read it: {exc.strerror}")) from None
    except yaml.YAMLError as exc:
        raise ProblemError(invalid_yaml(path, exc)) from None

    def problem(key: str, message: str, within: yaml.Node | None = node) -> ProblemError:
        return ProblemError(Problem(path, yaml_line_of(within, key) if within is not None else 1, "error", message))

    if not isinstance(data, dict):
        raise ProblemError(Problem(path, 1, "error", "must map topics, ages and needs"))
    topics = data.get("topics") or {}
    if not isinstance(topics, dict) or not all(isinstance(n, list) for n in topics.values()):
        raise problem("topics", "'topics' must map each topic id to a list of need ids ([] for none)")
    ages: list[re.Pattern[str]] = []
    for raw in data.get("ages") or []:
        try:
            pattern = re.compile(str(raw), re.IGNORECASE)
        except re.error as exc:
            raise problem("ages", f"age pattern {raw!r} is not a regular expression: {exc}") from None
        if pattern.groups < 1:
            raise problem("ages", f"age pattern {raw!r} needs a group (…) around the number")
        ages.append(pattern)
    needs: dict[str, Need] = {}
    for need_id, spec in (data.get("needs") or {}).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("label"), str) or not isinstance(spec.get("terms"), list):
            raise problem(str(need_id), f"need '{need_id}' needs a label and a list of terms", yaml_value_of(node, "needs"))
        needs[str(need_id)] = Need(str(need_id), spec["label"], tuple(str(t) for t in spec["terms"]), bool(spec.get("condition")))
    for topic, topic_needs in topics.items():
        unknown = [n for n in topic_needs if n not in needs]
        if unknown:
            raise problem(str(topic), f"topic '{topic}': unknown need '{unknown[0]}'", yaml_value_of(node, "topics"))
    return DirectoryRules({str(t): tuple(n) for t, n in topics.items()}, tuple(ages), needs)
