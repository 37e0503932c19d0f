"""Statutory deadlines worked out from a family's own dates: the rules and the arithmetic.

The rules are staff-owned data (content/deadlines.yml), so a change in law is a content
edit; this module only knows how to count. Months follow the corresponding-date rule
(dateutil's relativedelta: one month after 31 January is the last day of February), and
working days skip weekends and England's bank holidays from the `holidays` package
(bot/core/hours.py), never a hand-kept list. No text for families lives here: the words
are in content/dates/<language>.yml and bot/assistant/dates.py.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from dateutil.relativedelta import relativedelta

from bot.core import hours, yamlfile
from bot.core.problems import Problem, ProblemError, invalid_yaml, yaml_value_of

UNITS = ("days", "weeks", "months", "working_days")
MOVES = ("tribunal",)
ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
DAY = re.compile(r"^(\d\d)-(\d\d)$")


@dataclass(frozen=True)
class Period:
    """A deadline counted from one of the family's dates: a number of units, or a fixed day."""

    start: str  # the input it counts from
    unit: str | None = None  # one of UNITS, or None for a fixed day
    amount: int = 0
    on: tuple[int, int] | None = None  # (month, day) in the year of the start date

    def apply(self, start: dt.date) -> dt.date:
        if self.on is not None:
            return dt.date(start.year, *self.on)
        if self.unit == "working_days":
            return add_working_days(start, self.amount)
        return start + relativedelta(**{self.unit or "days": self.amount})


@dataclass(frozen=True)
class Deadline:
    id: str
    periods: tuple[Period, ...]  # the latest of those the family gave dates for
    moves: str | None
    source: str


@dataclass(frozen=True)
class Input:
    id: str
    optional: bool = False
    future: bool = False  # a date given without a year is the next one, not the last one


@dataclass(frozen=True)
class Calculation:
    id: str
    topics: tuple[str, ...]
    inputs: tuple[Input, ...]
    deadlines: tuple[Deadline, ...]
    progress: int | None = None  # weeks: say which week of this many the family is in

    def missing(self, given: dict[str, dt.date]) -> list[Input]:
        """The dates still needed, in the order to ask for them."""
        return [i for i in self.inputs if not i.optional and i.id not in given]


@dataclass(frozen=True)
class Moved:
    """Why a deadline is later than the plain count: `reason` is august, christmas, weekend or bank_holiday."""

    reason: str
    original: dt.date
    holiday: str | None = None  # the bank holiday's English name


@dataclass(frozen=True)
class Result:
    deadline: Deadline
    date: dt.date
    period: Period  # the one that decided the date
    moved: Moved | None = None


@dataclass(frozen=True)
class Progress:
    week: int  # 1-based; beyond `of` once the last deadline has passed
    of: int


def add_working_days(start: dt.date, count: int) -> dt.date:
    day = start
    for _ in range(count):
        day += dt.timedelta(days=1)
        while not hours.is_working_day(day):
            day += dt.timedelta(days=1)
    return day


def next_working_day(day: dt.date) -> dt.date:
    """`day` itself when it is a working day, else the next one."""
    while not hours.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def tribunal_day(day: dt.date) -> tuple[dt.date, Moved | None]:
    """The SEND Tribunal's last day for a deadline that falls on `day` (shared/spec/send-facts.md)."""
    if day.month == 8:
        return next_working_day(dt.date(day.year, 9, 1)), Moved("august", day)
    if (day.month, day.day) >= (12, 25) or (day.month, day.day) == (1, 1):
        year = day.year + 1 if day.month == 12 else day.year
        return next_working_day(dt.date(year, 1, 2)), Moved("christmas", day)
    moved = next_working_day(day)
    if moved == day:
        return day, None
    if day.weekday() >= 5:
        return moved, Moved("weekend", day)
    return moved, Moved("bank_holiday", day, hours.bank_holiday_name(day))


def work_out(calculation: Calculation, given: dict[str, dt.date]) -> list[Result]:
    """Every deadline of `calculation` that the given dates decide, in the order of the rules."""
    results = []
    for deadline in calculation.deadlines:
        options = [(p.apply(given[p.start]), p) for p in deadline.periods if p.start in given]
        if not options:
            continue
        date, period = max(options, key=lambda option: option[0])
        moved = None
        if deadline.moves == "tribunal":
            date, moved = tribunal_day(date)
        results.append(Result(deadline, date, period, moved))
    return results


def progress(calculation: Calculation, given: dict[str, dt.date], today: dt.date) -> Progress | None:
    """Which week of the statutory timetable today is in, for a calculation that has one."""
    if calculation.progress is None or not calculation.inputs:
        return None
    start = given.get(calculation.inputs[0].id)
    if start is None or start > today:
        return None
    return Progress((today - start).days // 7 + 1, calculation.progress)


class Rules:
    """The calculations in content/deadlines.yml. Raises ProblemError for a file that cannot be
    used; `problems` lists everything wrong with a file that can, each at its line."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.calculations: dict[str, Calculation] = {}
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}  # calculation id -> its line, for problems found later
        if path is None:  # no rules: the assistant works out no dates
            return
        try:
            text = path.read_text(encoding="utf-8")
            data = yamlfile.load(text) or {}
            root = yamlfile.compose(text)
        except OSError as exc:
            raise ProblemError(Problem(path, 1, "error", f"cannot read it: {exc.strerror}")) from None
        except yaml.YAMLError as exc:
            raise ProblemError(invalid_yaml(path, exc)) from None
        items = data.get("calculations") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise ProblemError(Problem(path, 1, "error", "needs 'calculations:', a list of calculations starting with '- id:'"))
        nodes = yaml_value_of(root, "calculations")
        for index, raw in enumerate(items):
            node = nodes.value[index] if isinstance(nodes, yaml.SequenceNode) else root
            line = node.start_mark.line + 1 if node is not None else 1
            try:
                calculation = _calculation(raw)
            except ValueError as exc:
                self.problems.append(Problem(path, line, "error", str(exc)))
                continue
            if calculation.id in self.calculations:
                self.problems.append(Problem(path, line, "error", f"calculation '{calculation.id}' is listed twice"))
            self.calculations[calculation.id] = calculation
            self.lines[calculation.id] = line

    def for_topic(self, topic: str | None) -> list[Calculation]:
        return [c for c in self.calculations.values() if topic in c.topics]


def _calculation(raw: Any) -> Calculation:
    if not isinstance(raw, dict) or not ID.match(str(raw.get("id", ""))):
        raise ValueError("each calculation needs an 'id' of lower-case words joined by hyphens")
    cid = raw["id"]
    known = {"id", "topics", "inputs", "deadlines", "progress"}
    if set(raw) - known:
        raise ValueError(f"calculation '{cid}': unknown keys {sorted(set(raw) - known)} (use {', '.join(sorted(known))})")
    topics = raw.get("topics")
    if not isinstance(topics, list) or not topics or not all(isinstance(t, str) for t in topics):
        raise ValueError(f"calculation '{cid}': 'topics' must be a list of topic ids")
    inputs = []
    for item in raw.get("inputs") or []:
        if not isinstance(item, dict) or not ID.match(str(item.get("id", ""))) or set(item) - {"id", "optional", "future"}:
            raise ValueError(f"calculation '{cid}': each input is {{id: name, optional: true/false, future: true/false}}")
        inputs.append(Input(item["id"], bool(item.get("optional")), bool(item.get("future"))))
    if not inputs or all(i.optional for i in inputs):
        raise ValueError(f"calculation '{cid}': needs at least one input that is not optional")
    input_ids = {i.id for i in inputs}
    deadlines = [_deadline(cid, d, input_ids) for d in raw.get("deadlines") or []]
    if not deadlines:
        raise ValueError(f"calculation '{cid}': needs at least one deadline")
    weeks = raw.get("progress")
    if weeks is not None and (not isinstance(weeks, int) or weeks <= 0):
        raise ValueError(f"calculation '{cid}': 'progress' must be a whole number of weeks")
    return Calculation(cid, tuple(topics), tuple(inputs), tuple(deadlines), weeks)


def _deadline(cid: str, raw: Any, inputs: set[str]) -> Deadline:
    if not isinstance(raw, dict) or not ID.match(str(raw.get("id", ""))):
        raise ValueError(f"calculation '{cid}': each deadline needs an 'id' of lower-case words joined by hyphens")
    did = raw["id"]
    where = f"calculation '{cid}', deadline '{did}'"
    if set(raw) - {"id", "later_of", "moves", "source"}:
        raise ValueError(f"{where}: unknown keys {sorted(set(raw) - {'id', 'later_of', 'moves', 'source'})}")
    if not str(raw.get("source") or "").strip():
        raise ValueError(f"{where}: needs a 'source' (the law or page the rule comes from)")
    if raw.get("moves") is not None and raw["moves"] not in MOVES:
        raise ValueError(f"{where}: 'moves' must be one of {', '.join(MOVES)}")
    periods = []
    for item in raw.get("later_of") or []:
        if not isinstance(item, dict) or item.get("from") not in inputs:
            raise ValueError(f"{where}: each period needs 'from:' naming one of its inputs ({', '.join(sorted(inputs))})")
        counts = [u for u in UNITS if u in item]
        extra = set(item) - {"from", "day", *UNITS}
        if extra or len(counts) + ("day" in item) != 1:
            raise ValueError(f"{where}: each period has 'from:' and exactly one of {', '.join(UNITS)} or day: MM-DD")
        if "day" in item:
            match = DAY.match(str(item["day"]))
            try:
                dt.date(2024, int(match.group(1)), int(match.group(2))) if match else None
            except ValueError:
                match = None
            if not match:
                raise ValueError(f"{where}: 'day' must be a day of the year written MM-DD, in quotes, like \"02-15\"")
            periods.append(Period(item["from"], on=(int(match.group(1)), int(match.group(2)))))
        else:
            amount = item[counts[0]]
            if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
                raise ValueError(f"{where}: '{counts[0]}' must be a whole number (negative counts back)")
            periods.append(Period(item["from"], counts[0], amount))
    if not periods:
        raise ValueError(f"{where}: needs 'later_of', a list of at least one period")
    return Deadline(did, tuple(periods), raw.get("moves"), str(raw["source"]))
