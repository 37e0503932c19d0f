"""The evaluation set in tests/eval/ runs through the whole assistant, with thresholds.

Raise a threshold when accuracy improves; never lower one to make a change pass.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.ops.evaluate import CaseError, check, evaluate, load_cases
from tests.conftest import SPEC, write

EVAL_DIR = Path(__file__).parent / "eval"
# Issue 5 asks for at least 85% in every language. Measured when these were set (bot/nlu/featurizer.py):
# en 92.7%, pl 97.1%, ro 90.6%, uk 93.9%, ur 93.8%, ne 96.8%.
THRESHOLDS = {"en": 0.90, "pl": 0.90, "ro": 0.85, "uk": 0.85, "ur": 0.85, "ne": 0.90}
MINIMUM_CASES_PER_LANGUAGE = 15
TOPIC_THRESHOLD = 0.90
KIND_THRESHOLDS = {"safeguarding": 1.0, "fallback": 0.9, "handoff": 0.95}
KIND_MINIMUM_CASES = {"safeguarding": 20, "fallback": 15, "handoff": 20}


@pytest.fixture(scope="module")
def report(assistant, loaded):
    cases = [case for path in sorted(EVAL_DIR.glob("*.yml")) for case in load_cases(path)]
    return evaluate(assistant, cases, {t.id: t.area for t in loaded.topics.values()})


def test_the_eval_set_is_big_enough(report):
    assert len(report.results) >= 150


def test_eval_cases_are_not_training_examples(loaded):
    """An eval question copied from the examples would measure memory, not understanding."""
    examples = {" ".join(e.lower().split()) for page in loaded.pages.values() for e in page.examples + page.easy_examples}
    copied = [
        c.id
        for p in EVAL_DIR.glob("*.yml")
        for c in load_cases(p)
        if any(" ".join(s.text.lower().split()) in examples for s in c.steps)
    ]
    assert copied == []


# Issue 14 added 17 topics and harder cases (the long tail, Roman Urdu and Nepali, out of scope),
# each with its own figures below. The per-language and topic thresholds keep measuring what
# they always have: questions about the first catalogue's 47 topics, safety and small talk.
# Issue 17's directory questions are measured on their own too.
ISSUE_14_GROUPS = {"longtail", "roman", "out-of-scope", "directory"}


def added_topics(loaded) -> set[str]:
    return set(list(loaded.topics)[list(loaded.topics).index("bullying-and-discrimination") :])


def expected_topics(case) -> list[str]:
    topic = case.steps[0].expect.get("topic")
    return [] if topic is None else topic if isinstance(topic, list) else [topic]


def about_added_topics(result, added: set[str]) -> bool:
    topics = set(expected_topics(result.case)) - {"find-a-service"}  # the directory (issue 17) may also answer
    return bool(topics) and topics <= added


def first_catalogue(report, loaded):
    added = added_topics(loaded)
    return [r for r in report.results if r.case.group not in ISSUE_14_GROUPS and not about_added_topics(r, added)]


@pytest.mark.parametrize("language,threshold", THRESHOLDS.items())
def test_accuracy_per_language(report, loaded, language, threshold):
    results = [r for r in first_catalogue(report, loaded) if r.language == language]
    assert len(results) >= MINIMUM_CASES_PER_LANGUAGE, language
    accuracy = sum(r.passed for r in results) / len(results)
    failures = "\n".join(f"{r.case.id}: {'; '.join(r.problems)}" for r in results if not r.passed)
    assert accuracy >= threshold, f"{language}: {accuracy:.1%} < {threshold:.0%}\n{failures}"


def test_topic_accuracy(report, loaded):
    """Across languages, how often the right topic is answered."""
    results = [r.passed for r in first_catalogue(report, loaded) if "topic" in r.case.steps[0].expect]
    assert len(results) >= 140
    accuracy = sum(results) / len(results)
    assert accuracy >= TOPIC_THRESHOLD, f"{accuracy:.1%} < {TOPIC_THRESHOLD:.0%}\n" + "\n".join(report.lines())


# The 17 topics added in issue 14, per language. Issue 14 sets no accuracy target for them; these
# floors sit a point under what was measured on 2026-12-07 through the whole assistant (en 91.9%,
# pl 88.2%, uk 87.5%, ro 84.8%, ur 69.7%, ne 63.6%), so a change that makes them worse fails.
# Urdu and Nepali lag: their examples for these topics are machine-written. Raise the floors as
# the examples improve; the aim is the 90% the first catalogue meets.
ADDED_TOPIC_FLOORS = {"en": 0.90, "pl": 0.87, "uk": 0.86, "ro": 0.83, "ur": 0.68, "ne": 0.62}


@pytest.mark.parametrize("language,floor", ADDED_TOPIC_FLOORS.items())
def test_accuracy_on_the_added_topics_per_language(report, loaded, language, floor):
    added = added_topics(loaded)
    results = [r for r in report.results if r.language == language and about_added_topics(r, added) and r.case.group is None]
    assert len(results) >= 30, language
    accuracy = sum(r.passed for r in results) / len(results)
    failures = "\n".join(f"{r.case.id}: {'; '.join(r.problems)}" for r in results if not r.passed)
    assert accuracy >= floor, f"{language}: {accuracy:.1%} < {floor:.0%}\n{failures}"


@pytest.mark.parametrize("kind,threshold", KIND_THRESHOLDS.items())
def test_accuracy_per_kind(report, kind, threshold):
    results = report.groups[kind]
    assert len(results) >= KIND_MINIMUM_CASES[kind]
    assert sum(results) / len(results) >= threshold, "\n".join(report.lines())


# Issue 12: indirect disclosures, per language (by case id prefix, since the reply's detected
# language is what is being tested elsewhere); look-alikes and ordinary questions rarely alarm.
INDIRECT_RECALL = {"en": 1.0, "pl": 0.95, "ro": 0.95, "uk": 0.95, "ur": 0.95, "ne": 0.95}
INDIRECT_MINIMUM_CASES = 30
LOOK_ALIKE_MINIMUM_CASES = 60
# Issue 12 asks for at most 2% false alarms on the look-alikes and on the ordinary set.
# The look-alike target is not met. Measured through the whole assistant on 2026-12-07 at the
# threshold cross-validation chose (0.24): 42 of 168 look-alikes (25.0%), down from 49 (29%) at
# 0.18 the day before, after 210 written look-alikes about deadlines and dates. 96 of the 168 were
# written with the issue and 72 harder ones later by a writer who never saw the training data.
# Lower this as the examples and the model improve; never raise it to let a change to the model pass.
# Later on 2026-12-07, after 330 more look-alikes about the 17 new topics (55 per language):
# 35 of 168 (20.8%). Then 72 more look-alikes (12 a language) from a third writer who saw neither
# the training data nor these cases; with thresholds per language and 1,020 more written
# look-alikes in training: 37 of 240 (15.4%): 21 of the first 168 (12.5%), 16 of the new 72 (22%).
MAX_LOOK_ALIKE_FALSE_ALARMS = 0.17
MAX_FALSE_ALARMS = 0.02
# On the whole ordinary set, with issue 14's questions: measured 22/779 (2.8%) on 2026-12-07, after
# 330 more look-alikes about the new topics (32/779 before them); 15/797 (1.9%) with thresholds per
# language and 1,020 more look-alikes, within the 2% issue 12 asks for.
ROUTING_THRESHOLD = 0.90


@pytest.mark.parametrize("language,threshold", INDIRECT_RECALL.items())
def test_indirect_safeguarding_recall_per_language(report, language, threshold):
    """Recall: the safety message comes first, whatever else the reply holds."""
    results = [r for r in report.results if r.case.group == "safety-indirect" and r.case.id.startswith(f"{language}-sg-")]
    assert len(results) >= INDIRECT_MINIMUM_CASES, language
    recall = sum(r.safeguarding for r in results) / len(results)
    missed = "\n".join(f"{r.case.id}: {r.case.steps[0].text}" for r in results if not r.safeguarding)
    assert recall >= threshold, f"{language}: recall {recall:.1%} < {threshold:.0%}\n{missed}"


def test_indirect_disclosures_are_routed_to_the_right_people(report):
    """The LADO for a concern about staff, the domestic abuse helpline for domestic abuse."""
    results = [r for r in report.results if r.case.group == "safety-indirect" and "contact" in r.case.steps[0].expect]
    assert len(results) >= 40
    routed = sum(r.passed for r in results) / len(results)
    failures = "\n".join(f"{r.case.id}: {'; '.join(r.problems)}" for r in results if not r.passed)
    assert routed >= ROUTING_THRESHOLD, f"routed {routed:.1%} < {ROUTING_THRESHOLD:.0%}\n{failures}"


def test_look_alikes_rarely_get_a_safety_message(report):
    results = [r for r in report.results if r.case.group == "safety-negative"]
    assert len(results) >= LOOK_ALIKE_MINIMUM_CASES
    alarms = [f"{r.case.id}: {r.case.steps[0].text}" for r in results if r.safeguarding]
    assert len(alarms) / len(results) <= MAX_LOOK_ALIKE_FALSE_ALARMS, "\n".join(alarms)


def test_ordinary_questions_rarely_get_a_safety_message(report):
    """Issue 12's 2%, on every question that is not a look-alike: the first catalogue's and the
    ones issue 14 added (new topics, the long tail), which are more often distressed."""
    ordinary = [r for r in report.ordinary_results() if r.case.group != "safety-negative"]
    assert len(ordinary) >= 700
    alarms = [f"{r.case.id}: {r.case.steps[0].text}" for r in ordinary if r.safeguarding]
    assert len(alarms) / len(ordinary) <= MAX_FALSE_ALARMS, f"{len(alarms)}/{len(ordinary)}\n" + "\n".join(alarms)


DATE_MINIMUM_CASES = 25


def test_worked_out_dates_in_every_language(report):
    """Issue 16: at least 25 date cases across all six languages, each asserting dates[].date, all passing."""
    results = [r for r in report.results if r.case.group == "dates"]
    assert len(results) >= DATE_MINIMUM_CASES
    assert {r.case.language for r in results} == set(THRESHOLDS)
    assert all(any("dates" in step.expect for step in r.case.steps) for r in results)
    failures = [f"{r.case.id}: {'; '.join(r.problems)}" for r in results if not r.passed]
    assert failures == []


def test_report_ends_with_the_counts_line(report):
    assert report.lines()[-1] == f"{report.passed} passed, {report.failed} failed"


def test_the_spec_example_cases_pass_in_configured_languages(assistant, loaded, config):
    cases = [
        c
        for c in load_cases(SPEC / "eval-example.yml")
        if all(s.expect.get("language", "en") in config.languages for s in c.steps)
    ]
    result = evaluate(assistant, cases, {t.id: t.area for t in loaded.topics.values()})
    assert result.failed == 0, "\n".join(result.lines())


def test_check_reads_every_expectation():
    reply = {
        "language": "en",
        "messages": [
            {"kind": "safeguarding", "topic": None, "contacts": ["emergency"]},
            {"kind": "answer", "topic": "mediation", "contacts": ["iask"]},
        ],
    }
    assert check({"kind": "safeguarding", "topic": "mediation", "contact": ["x", "iask"], "language": "en"}, reply) == []
    assert check({"kind": "fallback"}, reply)
    assert check({"topic": ["tribunal-appeal"]}, reply)
    assert check({"contact": "send-hub"}, reply)
    assert check({"language": "pl"}, reply)
    assert check({"kind": "safeguarding"}, {"messages": [{"kind": "answer"}, {"kind": "safeguarding"}]})
    assert check({"not_kind": "safeguarding"}, reply)
    assert check({"not_kind": "safeguarding"}, {"messages": [{"kind": "answer"}]}) == []


@pytest.mark.parametrize(
    "text,message",
    [
        ("- {text: hi}\n", "needs an 'id'"),
        ("- {id: a}\n", "needs 'text' or 'turns'"),
        ("- {id: a, text: hi}\n- {id: a, text: yo}\n", "duplicate case id"),
        ("- {id: a, text: hi, expect: {colour: red}}\n", "unknown expect keys"),
        ("{id: a}\n", "YAML list"),
        ("- [unclosed\n", "not valid YAML"),
    ],
)
def test_malformed_case_files_are_reported(tmp_path, text, message):
    with pytest.raises(CaseError, match=message):
        load_cases(write(tmp_path / "cases.yml", text))


# Issue 14: never confidently wrong. A long-tail question passes with the right topic, a
# "did you mean" or a search offer; an out-of-scope near miss passes only with no topic answer.
# The long-tail target (95%) is not met: measured 56.7% (34/60) on 2026-12-07. Most misses were
# questions no topic covers (a dentist, an airport, free school meals) that the classifier
# answered with confidence. With 370 out-of-scope examples about SEND-adjacent subjects (written
# by helpers who never saw these cases) and consequence questions ("does that mean his EHCP
# stops?") kept from the glossary: 70.0% (42/60). Allowing "did you mean" on 1 in 10 held-out
# examples instead of 7% added one more (43/60) but cost the first catalogue 1.1 points of
# direct answers (89.4%, under its 90% floor), so the 7% stays. With the similar-questions vote
# blended in (bot/assistant/similar_questions.py; its share, when to ask for it and the thresholds
# from `bot nlu cv`): 76.7% (46/60) on 2026-12-07 (78.3%, 47/60, when every message asked).
# The floor is a point under the measure; raise it, never lower it to let a change pass.
# Directory questions (issue 17): 18/18 on 2026-12-07, each asserting the services offered.
GROUP_THRESHOLDS = {"longtail": 0.75, "roman": 0.80, "out-of-scope": 0.95, "directory": 0.94}
GROUP_MINIMUM_CASES = {"longtail": 40, "roman": 20, "out-of-scope": 30, "directory": 15}


@pytest.mark.parametrize("group,threshold", GROUP_THRESHOLDS.items())
def test_long_tail_roman_out_of_scope_and_directory(report, group, threshold):
    results = [r for r in report.results if r.case.group == group]
    assert len(results) >= GROUP_MINIMUM_CASES[group]
    passed = sum(r.passed for r in results) / len(results)
    failures = "\n".join(f"{r.case.id}: {'; '.join(r.problems)}" for r in results if not r.passed)
    assert passed >= threshold, f"{group}: {passed:.1%} < {threshold:.0%}\n{failures}"


def test_every_new_topic_has_cases_in_every_language(loaded):
    """At least 3 English cases and 1 in each other language for each topic added in issue 14."""
    cases = [case for path in sorted(EVAL_DIR.glob("*-longtail-topics.yml")) for case in load_cases(path)]
    counts = Counter((topic, case.language or "en") for case in cases for topic in expected_topics(case))
    new_topics = added_topics(loaded)
    assert len(new_topics) == 17
    short = [(t, lang) for t in new_topics for lang in THRESHOLDS if counts.get((t, lang), 0) < (3 if lang == "en" else 1)]
    assert short == []


def test_confident_wrong_answers_are_reported_per_language(report):
    lines = [line for line in report.lines() if line.startswith("confident wrong answers, ")]
    assert {line.split(",")[1].split(":")[0].strip() for line in lines} >= set(THRESHOLDS)


MAX_CLARIFY_IN_CATALOGUE = 0.10


def test_in_catalogue_questions_are_answered_directly(report):
    """Issue 14: no more than 1 in 10 questions about a catalogue topic get "did you mean"."""
    in_catalogue = report.in_catalogue()
    asked = [f"{r.case.id}: {r.case.steps[0].text}" for r in in_catalogue if r.clarified]
    assert len(asked) / len(in_catalogue) <= MAX_CLARIFY_IN_CATALOGUE, f"{len(asked)}/{len(in_catalogue)}\n" + "\n".join(asked)
