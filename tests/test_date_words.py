"""The words for worked-out dates (content/dates/<language>.yml) and their checks."""

from __future__ import annotations

import pytest

from bot.assistant.content import load
from bot.core.date_words import DateWords, digits, load_all
from bot.core.deadlines import Rules
from bot.core.settings import ROOT
from tests.conftest import write
from tests.content_tree import make_tree

CONTENT = ROOT / "content"


@pytest.fixture(scope="module")
def rules() -> Rules:
    return Rules(CONTENT / "deadlines.yml")


def test_every_language_has_words_for_every_rule(rules, config):
    words, problems = load_all(CONTENT / "dates", rules)
    assert [p.format() for p in problems] == []
    assert set(config.languages) <= set(words)
    for language in words.values():
        for calculation in rules.calculations.values():
            assert calculation.id in language.titles
            assert all(i.id in language.questions for i in calculation.inputs)


def test_a_rule_in_words_that_no_longer_matches_the_law_is_reported_at_its_line(rules, tmp_path):
    text = (CONTENT / "dates" / "en.yml").read_text(encoding="utf-8")
    assert "decision: 2 months from the decision letter" in text
    path = write(tmp_path / "en.yml", text.replace("decision: 2 months from", "decision: 3 months from"))
    problems = DateWords.load(path).check(rules, path)
    assert len(problems) == 1
    line = text.splitlines().index("  register-appeal:") + 1
    assert problems[0].format(tmp_path) == (
        f"en.yml:{line}: error: deadlines: 'register-appeal' says [3] in its rule from 'decision', "
        "but content/deadlines.yml says [2]: update the words"
    )


def test_missing_words_are_reported(rules, tmp_path):
    text = (CONTENT / "dates" / "en.yml").read_text(encoding="utf-8")
    path = write(tmp_path / "en.yml", text.replace("  ombudsman-complaint:\n", "  ombudsman-elsewhere:\n"))
    messages = [p.message for p in DateWords.load(path).check(rules, path)]
    assert messages == ["deadlines: 'ombudsman-complaint' has no words"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ask: [x]\n", "needs 'calculations'"),
        ("ask: x\ncalculations: {}\ninputs: {}\ndeadlines: {}\n", "'ask' must be a list"),
        ("ask: [x]\ncalculations: {appeal: {}}\ninputs: {}\ndeadlines: {}\n", "'appeal' needs 'title'"),
        ("ask: [x]\ncalculations: {}\ninputs: {}\ndeadlines: {d: {what: x}}\n", "'d' needs 'rule'"),
        ("ask: [x\n", "not valid YAML"),
    ],
)
def test_a_broken_words_file_says_what_is_wrong(tmp_path, text, message):
    from bot.core.problems import ProblemError

    with pytest.raises(ProblemError, match=message):
        DateWords.load(write(tmp_path / "en.yml", text))


def test_nepali_and_urdu_digits_count_as_numbers():
    assert digits("२०२६ and ۲۰۲۶ and 2026") == "2026 and 2026 and 2026"


def test_content_check_reports_broken_rules_and_keeps_the_rest(tmp_path):
    """`bot content check` covers the rules: a broken one is a problem at its line, not a crash."""
    root = tmp_path / "content"
    make_tree(root)
    write(
        root / "deadlines.yml",
        "calculations:\n  - {id: x, topics: [no-such-topic], inputs: [{id: a}], "
        "deadlines: [{id: d, source: s, later_of: [{from: a, days: 1}]}]}\n",
    )
    write(
        root / "dates" / "en.yml",
        "ask: [deadline]\ncalculations: {x: {title: X}}\ninputs: {a: {label: A, question: Q}}\n"
        "deadlines: {d: {what: D, rule: {a: 2 days}}}\n",
    )
    problems = [p.format(root) for p in load(root).errors]
    assert "deadlines.yml:2: error: calculation 'x': unknown topic id 'no-such-topic'" in problems
    assert any(p.startswith("dates/en.yml:") and "says [2]" in p for p in problems)


def test_content_without_rules_works_out_no_dates(tmp_path):
    root = tmp_path / "content"
    make_tree(root)
    loaded = load(root)
    assert loaded.errors == [] and loaded.deadlines.calculations == {}


def test_the_real_content_has_no_date_problems(loaded):
    assert not [p.format() for p in loaded.problems if "deadlines" in str(p.path) or "/dates/" in str(p.path)]
    assert set(loaded.date_words) == {"en", "ne", "pl", "ro", "uk", "ur"}
