"""The words for worked-out dates in one language (content/dates/<language>.yml).

Staff own these: the title of each calculation, the label and question for each date a
family gives, what each deadline is and its rule in words, and the phrases that pick them
out of a message. The numbers live once, in content/deadlines.yml; `check` makes sure the
words in every language still say the same numbers, so a change in law cannot leave a
translation saying the old rule.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core import yamlfile
from bot.core.deadlines import Rules
from bot.core.problems import Problem, ProblemError, invalid_yaml, yaml_line_of, yaml_value_of
from bot.core.text import fold


def _phrase_pattern(phrases: list[str]) -> re.Pattern[str] | None:
    """Phrases that match at the start of a word, so "refus" finds "refused" and "refusal"."""
    if not phrases:
        return None
    alternatives = "|".join(re.escape(fold(p).lower()) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})")


def digits(text: str) -> str:
    """Nepali, Urdu and other decimal digits as 0-9, so "२०२६" and "۲۰۲۶" read as 2026."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


@dataclass
class Phrases:
    """A list of phrases and where they matched."""

    phrases: list[str]
    pattern: re.Pattern[str] | None = field(init=False)

    def __post_init__(self) -> None:
        self.pattern = _phrase_pattern(self.phrases)

    def positions(self, text: str) -> list[int]:
        """Where each phrase starts in the folded, lower-case text."""
        if self.pattern is None:
            return []
        return [m.start() for m in self.pattern.finditer(fold(text).lower())]

    def found(self, text: str) -> bool:
        return bool(self.positions(text))

    def weight(self, text: str) -> int:
        """How strongly the text speaks of this: each phrase found once, a longer phrase counting
        for more ("a different college" says more than "college")."""
        if self.pattern is None:
            return 0
        return sum(len(found.split()) ** 2 for found in {m.group(0) for m in self.pattern.finditer(fold(text).lower())})


@dataclass
class DateWords:
    language: str
    ask: Phrases
    titles: dict[str, str]  # calculation id -> title
    calculation_words: dict[str, Phrases]
    labels: dict[str, str]  # input id -> label
    questions: dict[str, str]  # input id -> question
    input_words: dict[str, Phrases]
    what: dict[str, str]  # deadline id -> what it is
    rules: dict[str, dict[str, str]]  # deadline id -> input id -> the rule in words
    root: yaml.Node | None = field(default=None, repr=False)  # the composed file, for file:line problems

    def line_of(self, section: str, key: str | None = None) -> int:
        """The line of a section ("deadlines"), or of one entry in it, for file:line problems."""
        if self.root is None:
            return 1
        if key is None:
            return yaml_line_of(self.root, section)
        node = yaml_value_of(self.root, section)
        return yaml_line_of(node, key) if node is not None else yaml_line_of(self.root, section)

    @classmethod
    def load(cls, path: Path) -> DateWords:
        """Raises ProblemError (file and line) for a file that cannot be used."""
        text = path.read_text(encoding="utf-8")
        try:
            data, root = yamlfile.load(text) or {}, yamlfile.compose(text)
        except yaml.YAMLError as exc:
            raise ProblemError(invalid_yaml(path, exc)) from None

        def fail(key: str, message: str) -> ProblemError:
            return ProblemError(Problem(path, yaml_line_of(root, key) if root is not None else 1, "error", message))

        if not isinstance(data, dict):
            raise ProblemError(Problem(path, 1, "error", "needs ask, calculations, inputs and deadlines"))
        for key in ("ask", "calculations", "inputs", "deadlines"):
            if key not in data:
                raise fail(key, f"needs '{key}'")
        if not _strings(data["ask"]):
            raise fail("ask", "'ask' must be a list of phrases")
        sections: dict[str, dict[str, dict[str, Any]]] = {}
        for key in ("calculations", "inputs", "deadlines"):
            value = data[key]
            if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
                raise fail(key, f"'{key}' must map each id to its words")
            sections[key] = {str(k): v for k, v in value.items()}
        calcs, inputs, deadlines = sections["calculations"], sections["inputs"], sections["deadlines"]
        for section, fields, key in (
            (calcs, ("title",), "calculations"),
            (inputs, ("label", "question"), "inputs"),
            (deadlines, ("what",), "deadlines"),
        ):
            for item_id, item in section.items():
                for name in fields:
                    if not isinstance(item.get(name), str) or not item[name].strip():
                        raise fail(key, f"'{item_id}' needs '{name}' (words)")
                if "words" in item and not _strings(item["words"]):
                    raise fail(key, f"'{item_id}': 'words' must be a list of phrases")
        for deadline_id, item in deadlines.items():
            rule = item.get("rule")
            if not isinstance(rule, dict) or not all(isinstance(v, str) for v in rule.values()):
                raise fail("deadlines", f"'{deadline_id}' needs 'rule', the rule in words for each date it counts from")
        return cls(
            language=path.stem,
            ask=Phrases(list(data["ask"])),
            titles={k: v["title"] for k, v in calcs.items()},
            calculation_words={k: Phrases(list(v.get("words") or [])) for k, v in calcs.items()},
            labels={k: v["label"] for k, v in inputs.items()},
            questions={k: v["question"] for k, v in inputs.items()},
            input_words={k: Phrases(list(v.get("words") or [])) for k, v in inputs.items()},
            what={k: v["what"] for k, v in deadlines.items()},
            rules={k: {str(i): str(t) for i, t in v["rule"].items()} for k, v in deadlines.items()},
            root=root,
        )

    def check(self, rules: Rules, path: Path) -> list[Problem]:
        """Everything the rules need is here, and each rule in words says the rule's numbers."""
        problems = []
        for calculation in rules.calculations.values():
            if calculation.id not in self.titles:
                problems.append(
                    Problem(path, self.line_of("calculations"), "error", f"calculations: '{calculation.id}' has no title")
                )
            for item in calculation.inputs:
                if item.id not in self.labels:
                    problems.append(
                        Problem(path, self.line_of("inputs"), "error", f"inputs: '{item.id}' has no label and question")
                    )
            for deadline in calculation.deadlines:
                if deadline.id not in self.what:
                    problems.append(Problem(path, self.line_of("deadlines"), "error", f"deadlines: '{deadline.id}' has no words"))
                    continue
                for period in deadline.periods:
                    words = self.rules[deadline.id].get(period.start)
                    if words is None:
                        problems.append(
                            Problem(
                                path,
                                self.line_of("deadlines", deadline.id),
                                "error",
                                f"deadlines: '{deadline.id}' has no rule in words from '{period.start}'",
                            )
                        )
                        continue
                    wanted = [abs(period.amount)] if period.on is None else [period.on[1]]
                    said = [int(n) for n in re.findall(r"\d+", digits(words))]
                    if said != wanted:
                        problems.append(
                            Problem(
                                path,
                                self.line_of("deadlines", deadline.id),
                                "error",
                                f"deadlines: '{deadline.id}' says {said or 'no number'} in its rule from '{period.start}', "
                                f"but content/deadlines.yml says {wanted}: update the words",
                            )
                        )
        return problems


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


class DateWordsByLanguage(dict[str, DateWords]):
    """Every language's words; English stands in for a language whose file is missing."""

    def get_words(self, language: str) -> DateWords | None:
        return self.get(language) or self.get("en")


def load_all(folder: Path, rules: Rules) -> tuple[DateWordsByLanguage, list[Problem]]:
    """Each <language>.yml in the folder, with its problems; a broken file is left out and reported."""
    found = DateWordsByLanguage()
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        try:
            words = DateWords.load(path)
        except ProblemError as exc:
            problems.append(exc.problem)
            continue
        problems += words.check(rules, path)
        found[words.language] = words
    if rules.calculations and "en" not in found:
        problems.append(Problem(folder / "en.yml", 1, "error", "the dates need English words: add content/dates/en.yml"))
    return found, problems
