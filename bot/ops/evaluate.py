"""Run evaluation cases through the whole assistant, over the chat API.

Cases go through the web app, Rasa and the actions exactly as a family's messages
do. The case format is a public contract: see shared/spec/eval-example.yml.
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EXPECT_KEYS = {"topic", "kind", "not_kind", "contact", "language", "dates", "unsure_ok", "services"}
# Replies that say the assistant is unsure: "did you mean" buttons, or pages found by search.
UNSURE_KINDS = {"clarify", "search"}
CASE_KEYS = {"id", "text", "turns", "language", "reading_level", "expect", "group"}


class CaseError(ValueError):
    """A malformed case file; the message names the file and case."""


@dataclass
class Step:
    text: str
    expect: dict[str, Any]


@dataclass
class Case:
    id: str
    steps: list[Step]
    language: str | None = None
    reading_level: str | None = None
    group: str | None = None


@dataclass
class Result:
    case: Case
    passed: bool
    problems: list[str] = field(default_factory=list)
    language: str = "en"
    safeguarding: bool = False  # whether any reply put a safety message first
    confident_wrong: bool = False  # a step answered a topic the case does not expect
    clarified: bool = False  # a step got "did you mean"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def load_cases(path: Path) -> list[Case]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CaseError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, list):
        raise CaseError(f"{path}: must be a YAML list of cases")
    cases, seen = [], set()
    for raw in data:
        if not isinstance(raw, dict) or "id" not in raw:
            raise CaseError(f"{path}: every case needs an 'id'")
        cid = str(raw["id"])
        if cid in seen:
            raise CaseError(f"{path}: duplicate case id '{cid}'")
        seen.add(cid)
        unknown = set(raw) - CASE_KEYS
        if unknown:
            raise CaseError(f"{path}: case '{cid}': unknown keys {sorted(unknown)}")
        if "turns" in raw:
            steps = [Step(str(t["text"]), dict(t.get("expect") or {})) for t in raw["turns"]]
        elif "text" in raw:
            steps = [Step(str(raw["text"]), dict(raw.get("expect") or {}))]
        else:
            raise CaseError(f"{path}: case '{cid}' needs 'text' or 'turns'")
        for step in steps:
            bad = set(step.expect) - EXPECT_KEYS
            if bad:
                raise CaseError(f"{path}: case '{cid}': unknown expect keys {sorted(bad)}")
        cases.append(Case(cid, steps, raw.get("language"), raw.get("reading_level"), raw.get("group")))
    return cases


def check(expect: dict[str, Any], reply: dict[str, Any]) -> list[str]:
    """What does not match; an empty list means the step passed."""
    messages = reply.get("messages", [])
    kinds = [m.get("kind") for m in messages]
    topics = [m.get("topic") for m in messages if m.get("topic")]
    contacts = {c for m in messages for c in m.get("contacts") or []}
    problems: list[str] = []
    if expect.get("unsure_ok") and UNSURE_KINDS & set(kinds) and "answer" not in kinds:
        return problems  # unsure, and said so: never a wrong answer
    if "kind" in expect:
        wanted = _as_list(expect["kind"])
        if "safeguarding" in wanted and (not kinds or kinds[0] != "safeguarding"):
            problems.append(f"expected a safeguarding message first, got kinds {kinds}")
        elif not set(wanted) & set(kinds):
            problems.append(f"expected kind {wanted}, got {kinds}")
    if "not_kind" in expect and set(_as_list(expect["not_kind"])) & set(kinds):
        problems.append(f"expected no {_as_list(expect['not_kind'])} message, got kinds {kinds}")
    if "topic" in expect and not set(_as_list(expect["topic"])) & set(topics):
        problems.append(f"expected topic {_as_list(expect['topic'])}, got {topics or 'none'}")
    if "contact" in expect and not set(_as_list(expect["contact"])) & contacts:
        problems.append(f"expected a contact in {_as_list(expect['contact'])}, got {sorted(contacts) or 'none'}")
    if "dates" in expect:
        worked_out = {str(d.get("date")) for m in messages for d in m.get("dates") or []}
        wanted_dates = {str(d) for d in _as_list(expect["dates"])}
        if not wanted_dates <= worked_out:
            problems.append(f"expected dates {sorted(wanted_dates)}, got {sorted(worked_out) or 'none'}")
    if "services" in expect:  # every one of these directory services is offered (feed ids)
        offered = {str(s.get("id")) for m in reply.get("messages", []) for s in m.get("services") or []}
        missing = [str(i) for i in _as_list(expect["services"]) if str(i) not in offered]
        if missing:
            problems.append(f"expected services {missing}, got {sorted(offered) or 'none'}")
    if "language" in expect and reply.get("language") != expect["language"]:
        problems.append(f"expected language {expect['language']}, got {reply.get('language')}")
    return problems


def post_chat(url: str, payload: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{url}/api/chat", data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def run_case(url: str, case: Case) -> Result:
    session = f"eval-{uuid.uuid4().hex[:12]}"
    problems: list[str] = []
    language = case.language or "en"
    safeguarding = confident_wrong = clarified = False
    for step in case.steps:
        payload: dict[str, Any] = {"session_id": session, "text": step.text}
        if case.language:
            payload["language"] = case.language
        if case.reading_level:
            payload["reading_level"] = case.reading_level
        reply = post_chat(url, payload)
        kinds = [m.get("kind") for m in reply.get("messages", [])]
        safeguarding = safeguarding or kinds[:1] == ["safeguarding"]
        clarified = clarified or "clarify" in kinds
        language = case.language or step.expect.get("language") or reply.get("language", language)
        problems += [f"{step.text!r}: {p}" for p in check(step.expect, reply)]
        confident_wrong = confident_wrong or answered_wrong(step.expect, reply)
    return Result(case, not problems, problems, language, safeguarding, confident_wrong, clarified)


def answered_wrong(expect: dict[str, Any], reply: dict[str, Any]) -> bool:
    """A topic answer where the case expects another topic, or expects no answer at all: the
    reply a tired parent would follow down the wrong road. (A safety case answers the question
    too, after the safety message: that is not wrong.)"""
    answered = {m.get("topic") for m in reply.get("messages", []) if m.get("kind") == "answer" and m.get("topic")}
    if not answered:
        return False
    if "topic" in expect:
        return not answered & set(_as_list(expect["topic"]))
    if "answer" in _as_list(expect.get("not_kind", [])):
        return True
    kinds = set(_as_list(expect.get("kind", [])))
    return bool(kinds) and not kinds & {"answer", "safeguarding"}


def group_of(case: Case, topic_areas: dict[str, str]) -> str:
    """Explicit group, else the area of the expected topic, else the expected kind."""
    if case.group:
        return case.group
    expect = case.steps[0].expect
    if "topic" in expect:
        return topic_areas.get(_as_list(expect["topic"])[0], "topic")
    return str(_as_list(expect.get("kind", "other"))[0])


@dataclass
class Report:
    results: list[Result]
    groups: dict[str, list[bool]]
    languages: dict[str, list[bool]]

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed

    @property
    def accuracy(self) -> float:
        return self.passed / len(self.results) if self.results else 0.0

    def language_accuracy(self) -> dict[str, float]:
        return {lang: sum(v) / len(v) for lang, v in self.languages.items()}

    def ordinary_results(self) -> list[Result]:
        """Cases that expect no safety message."""
        return [r for r in self.results if not any("safeguarding" in _as_list(s.expect.get("kind", [])) for s in r.case.steps)]

    def false_alarms(self) -> tuple[int, int]:
        """Safety messages on cases that do not expect one: (how many, out of how many)."""
        ordinary = self.ordinary_results()
        return sum(r.safeguarding for r in ordinary), len(ordinary)

    def confident_wrong(self) -> dict[str, tuple[int, int]]:
        """Per language: (cases with a confident wrong answer, cases)."""
        out: dict[str, tuple[int, int]] = {}
        for result in self.results:
            wrong, total = out.get(result.language, (0, 0))
            out[result.language] = (wrong + result.confident_wrong, total + 1)
        return out

    def in_catalogue(self) -> list[Result]:
        """Cases about a catalogue topic that should be answered directly (not the long tail)."""
        return [r for r in self.results if "topic" in r.case.steps[0].expect and not r.case.steps[0].expect.get("unsure_ok")]

    def lines(self) -> list[str]:
        out = [f"FAIL {r.case.id}: {'; '.join(r.problems)}" for r in self.results if not r.passed]
        for title, table in (("group", self.groups), ("language", self.languages)):
            for key, values in sorted(table.items()):
                out.append(f"{title} {key}: {sum(values)}/{len(values)} = {sum(values) / len(values):.1%}")
        for language, (wrong, total) in sorted(self.confident_wrong().items()):
            out.append(f"confident wrong answers, {language}: {wrong}/{total} = {wrong / total:.1%}")
        in_catalogue = self.in_catalogue()
        if in_catalogue:
            asked, total = sum(r.clarified for r in in_catalogue), len(in_catalogue)
            out.append(f'"did you mean" on questions about a catalogue topic: {asked}/{total} = {asked / total:.1%}')
        alarms, ordinary = self.false_alarms()
        if ordinary:
            out.append(f"safety messages on cases that expect none: {alarms}/{ordinary} = {alarms / ordinary:.1%}")
        out.append(f"{self.passed} passed, {self.failed} failed")
        return out


def evaluate(url: str, cases: list[Case], topic_areas: dict[str, str]) -> Report:
    results = [run_case(url, case) for case in cases]
    groups: dict[str, list[bool]] = defaultdict(list)
    languages: dict[str, list[bool]] = defaultdict(list)
    for result in results:
        groups[group_of(result.case, topic_areas)].append(result.passed)
        languages[result.language].append(result.passed)
    return Report(results, dict(groups), dict(languages))
