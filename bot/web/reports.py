"""The console's reports: unanswered questions grouped so that similar ones sit together, charts
of how the assistant is doing (server-rendered SVG: no script, no CDN) and content due a check.

Grouping uses the standard library's difflib (a maintained sequence matcher) on each question's
words in order, after folding case and accents: "sen school transport cost" and "how much does
send school transport cost" fall together, with no model to train or run in the web app.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
from markupsafe import Markup, escape

from bot.core import yamlfile
from bot.core.text import fold

SIMILAR = 0.6  # difflib ratio at which two questions are the same question
SHORT_WORDS = 2  # words this short carry no meaning for grouping ("i", "my", "is")
FONT = '"GDS Transport", arial, sans-serif'


@dataclass
class Group:
    key: str  # stable while its first question is in the window: editors' marks attach to it
    example: str
    items: list[tuple[str, str, str | None, str]] = field(default_factory=list)  # (text, language, topic, week)
    mark: str | None = None
    answered_by: str | None = None

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def languages(self) -> Counter[str]:
        return Counter(language for _, language, _, _ in self.items)

    @property
    def topics(self) -> Counter[str]:
        return Counter(topic for _, _, topic, _ in self.items if topic)

    @property
    def weeks(self) -> Counter[str]:
        return Counter(week for _, _, _, week in self.items)


def _words(text: str) -> str:
    return " ".join(w for w in re.findall(r"\w+", fold(text).lower()) if len(w) > SHORT_WORDS)


def _week(moment: dt.datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def group(questions: list[Any], unhelpful: list[Any], marks: dict[str, Any]) -> list[Group]:
    """Fallback, "did you mean" and search questions, and "No" feedback comments, grouped; the
    biggest groups first."""
    rows = [(q.text, q.language, q.topic, _week(q.created_at)) for q in questions]
    rows += [(f.comment, "feedback", f.topic, _week(f.created_at)) for f in unhelpful]
    groups: list[tuple[str, Group]] = []
    for row in rows:
        words = _words(row[0])
        for seen, candidate in groups:
            if difflib.SequenceMatcher(None, seen, words).ratio() >= SIMILAR:
                candidate.items.append(row)
                break
        else:
            key = hashlib.sha256(words.encode()).hexdigest()[:16]
            groups.append((words, Group(key, row[0], [row])))
    found = [g for _, g in groups]
    for g in found:
        if g.key in marks:
            g.mark, g.answered_by = marks[g.key].mark, marks[g.key].topic
    return sorted(found, key=lambda g: (g.mark is not None, -g.count))


def csv_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def bar_chart(title: str, bars: Sequence[tuple[str, float]], unit: str = "") -> Markup:
    """A horizontal bar chart as SVG, with a text alternative: its title and every value."""
    if not bars:
        return Markup(f"<p class='govuk-body'>{escape(title)}: nothing yet.</p>")
    top = max(value for _, value in bars) or 1
    row, label_width, width = 28, 220, 560
    description = escape(f"{title}: " + ", ".join(f"{label} {value:g}{unit}" for label, value in bars))
    parts = [
        f"<svg role='img' aria-label='{description}' width='100%' viewBox='0 0 {width} {row * len(bars) + 8}'"
        " class='kent-chart' xmlns='http://www.w3.org/2000/svg'>",
        f"<title>{description}</title>",
    ]
    for n, (label, value) in enumerate(bars):
        y = n * row + 4
        length = (width - label_width - 60) * value / top
        parts.append(f"<text x='0' y='{y + 17}' font-size='14' font-family='{FONT}'>{escape(label[:30])}</text>")
        parts.append(f"<rect x='{label_width}' y='{y + 4}' width='{length:.1f}' height='18' fill='#1d70b8'></rect>")
        x = label_width + length + 6
        parts.append(f"<text x='{x:.1f}' y='{y + 17}' font-size='14' font-family='{FONT}'>{value:g}{escape(unit)}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))


def charts(numbers: dict[str, Any]) -> list[tuple[str, Markup]]:
    """Conversations, languages, top topics and handoffs (last 30 days); call-backs and how long
    they took; helpfulness by topic; questions we could not answer."""
    closed = numbers["closed"]
    days = sorted((end - start).total_seconds() / 86400 for start, end in closed)
    by_week = Counter(_week(start) for start, _ in closed)
    helpful: dict[str, list[int]] = {}
    for topic, was_helpful, count in numbers["feedback"]:
        helpful.setdefault(topic or "(no topic)", [0, 0])[0 if was_helpful else 1] += count
    share = sorted(((t, round(100 * yes / (yes + no))) for t, (yes, no) in helpful.items()), key=lambda item: item[1])
    median = days[len(days) // 2] if days else None
    per: dict[str, Counter[str]] = {}
    for _day, metric, key, count in numbers["usage"]:
        per.setdefault(metric, Counter())[key] += count
    return [
        ("Conversations each day", bar_chart("Conversations each day", _by_date(numbers["usage"], "conversations")[-14:])),
        ("Conversations by language", bar_chart("Conversations by language", per.get("conversations", Counter()).most_common())),
        ("Most asked topics", bar_chart("Most asked topics", per.get("topics", Counter()).most_common(10))),
        (
            "Handoffs to a person each day",
            bar_chart("Handoffs to a person each day", _by_date(numbers["usage"], "handoffs")[-14:]),
        ),
        ("Call-backs closed each week", bar_chart("Call-backs closed each week", sorted(by_week.items())[-8:])),
        (
            "Time to call back",
            Markup(f"<p class='govuk-body'>Median time from request to closed: {median:.1f} days ({len(days)} closed).</p>")
            if median is not None
            else Markup("<p class='govuk-body'>No call-backs closed yet.</p>"),
        ),
        ("Answers found helpful, by topic", bar_chart("Answers found helpful, by topic", share[:12], "%")),
        (
            "Questions we could not answer, by reply",
            bar_chart("Questions we could not answer", sorted(numbers["unanswered"].items())),
        ),
    ]


def _by_date(usage: list[tuple[Any, str, str, int]], metric: str) -> list[tuple[str, float]]:
    """One metric's daily totals, oldest first, labelled like "Mon 7 Dec"."""
    totals: Counter[dt.date] = Counter()
    for day, name, _key, count in usage:
        if name == metric:
            totals[day] += count
    return [(f"{day:%a %-d %b}", n) for day, n in sorted(totals.items())]


def content_to_check(content_dir: Path, today: dt.date) -> dict[str, list[str]]:
    """Pages past their review date, and machine-assisted translations not yet reviewed."""
    overdue, unreviewed = [], []
    for path in sorted(content_dir.glob("*/*.md")):
        try:
            meta = frontmatter.loads(path.read_text(encoding="utf-8"), handler=yamlfile.FrontMatter()).metadata
        except (OSError, ValueError):
            continue
        name = str(path.relative_to(content_dir))
        review_by = meta.get("review_by")
        if isinstance(review_by, dt.date) and review_by < today:
            overdue.append(f"{name} (review by {review_by:%-d %B %Y})")
        translation = meta.get("translation")
        if isinstance(translation, dict) and translation.get("reviewed") is False:
            unreviewed.append(name)
    return {"overdue": overdue, "unreviewed": unreviewed}
