"""The deadline calculator (bot/core/deadlines.py) with the rules staff own (content/deadlines.yml).

Each expected date here was counted by hand from shared/spec/send-facts.md, with the
weekday checked on a calendar; the rules file and the arithmetic are tested together,
because a wrong number in either gives a family a wrong date.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.core.deadlines import Moved, Rules, add_working_days, progress, tribunal_day, work_out
from bot.core.problems import ProblemError
from bot.core.settings import ROOT
from tests.conftest import write

D = dt.date


@pytest.fixture(scope="module")
def rules() -> Rules:
    loaded = Rules(ROOT / "content" / "deadlines.yml")
    assert loaded.problems == []
    return loaded


def dates(rules: Rules, calculation: str, **given: D) -> dict[str, D]:
    return {r.deadline.id: r.date for r in work_out(rules.calculations[calculation], given)}


def appeal(rules: Rules, **given: D):
    (result,) = work_out(rules.calculations["appeal"], given)
    return result


def test_an_appeal_is_due_two_months_after_the_decision_letter(rules):
    result = appeal(rules, decision=D(2026, 7, 14))
    assert result.date == D(2026, 9, 14) and result.moved is None and result.period.start == "decision"


def test_an_appeal_date_in_august_moves_to_the_first_working_day_in_september(rules):
    result = appeal(rules, decision=D(2026, 6, 10))
    assert result.date == D(2026, 9, 1)  # 10 August; 1 September 2026 is a Tuesday
    assert result.moved == Moved("august", D(2026, 8, 10))


def test_the_august_rule_skips_a_september_weekend(rules):
    # 2 months after 20 June 2024 is 20 August 2024; 1 September 2024 was a Sunday: Monday 2 September.
    assert appeal(rules, decision=D(2024, 6, 20)).date == D(2024, 9, 2)


@pytest.mark.parametrize(
    ("decision", "expected"),
    [
        (D(2026, 10, 25), D(2027, 1, 4)),  # 25 December; 1 January 2027 a bank holiday, then a weekend
        (D(2026, 10, 29), D(2027, 1, 4)),  # 29 December is a working day, but still inside the break
        (D(2026, 11, 1), D(2027, 1, 4)),  # 1 January itself
        (D(2025, 10, 31), D(2026, 1, 2)),  # 31 December 2025; Friday 2 January 2026 is a working day
    ],
)
def test_an_appeal_date_from_25_december_to_1_january_moves_into_january(rules, decision, expected):
    result = appeal(rules, decision=decision)
    assert result.date == expected and result.moved is not None and result.moved.reason == "christmas"


def test_an_appeal_date_on_a_weekend_moves_to_the_monday(rules):
    result = appeal(rules, decision=D(2026, 9, 15))  # Sunday 15 November 2026
    assert result.date == D(2026, 11, 16) and result.moved == Moved("weekend", D(2026, 11, 15))


def test_good_friday_and_easter_monday_are_not_working_days(rules):
    good_friday = appeal(rules, decision=D(2026, 2, 3))  # Good Friday 3 April 2026
    assert good_friday.date == D(2026, 4, 7)
    assert good_friday.moved == Moved("bank_holiday", D(2026, 4, 3), "Good Friday")
    easter_monday = appeal(rules, decision=D(2027, 1, 29))  # Easter Monday 29 March 2027
    assert easter_monday.date == D(2027, 3, 30) and easter_monday.moved.holiday == "Easter Monday"


def test_a_month_after_31_january_is_the_last_day_of_february(rules):
    # 1 month from a mediation certificate of 31 January: 28 February 2026 (a Saturday: Monday 2 March),
    # and in a leap year 29 February 2028 (a Tuesday).
    assert appeal(rules, decision=D(2025, 12, 1), mediation=D(2026, 1, 31)).moved == Moved("weekend", D(2026, 2, 28))
    assert appeal(rules, decision=D(2027, 12, 1), mediation=D(2028, 1, 31)).date == D(2028, 2, 29)


def test_a_later_mediation_certificate_gives_the_later_deadline(rules):
    result = appeal(rules, decision=D(2026, 3, 12), mediation=D(2026, 4, 20))
    assert result.date == D(2026, 5, 20) and result.period.start == "mediation"


def test_an_earlier_mediation_certificate_leaves_the_decision_deadline(rules):
    result = appeal(rules, decision=D(2026, 1, 20), mediation=D(2026, 2, 5))
    assert result.date == D(2026, 3, 20) and result.period.start == "decision"


def test_the_mediation_certificate_is_due_within_3_working_days(rules):
    # Thursday 2 April 2026: Good Friday, the weekend and Easter Monday do not count.
    assert dates(rules, "mediation-certificate", declined=D(2026, 4, 2)) == {"certificate": D(2026, 4, 9)}


def test_the_assessment_timetable_counts_weeks_from_the_request(rules):
    assert dates(rules, "assessment", request=D(2026, 3, 3)) == {
        "decide-to-assess": D(2026, 4, 14),
        "decide-to-issue": D(2026, 6, 23),
        "final-plan": D(2026, 7, 21),
    }


def test_professional_advice_is_due_6_weeks_after_asking(rules):
    assert dates(rules, "advice", asked=D(2026, 5, 6)) == {"professional-advice": D(2026, 6, 17)}


def test_a_draft_plan_gives_15_days_to_comment_whatever_the_day(rules):
    # Christmas Eve: council deadlines are not moved off holidays, only the Tribunal's are.
    assert dates(rules, "draft-plan", draft=D(2026, 12, 24)) == {"comment-on-draft": D(2027, 1, 8)}


def test_the_annual_review_is_within_12_months(rules):
    assert dates(rules, "annual-review", plan=D(2026, 5, 12)) == {"next-review": D(2027, 5, 12)}
    assert dates(rules, "annual-review", plan=D(2024, 2, 29)) == {"next-review": D(2025, 2, 28)}


def test_after_a_review_the_council_decides_in_4_weeks_and_amends_in_8(rules):
    assert dates(rules, "review-decision", meeting=D(2026, 6, 16)) == {"council-decision": D(2026, 7, 14)}
    assert dates(rules, "amendments", proposed=D(2026, 3, 10)) == {
        "comment-on-changes": D(2026, 3, 25),
        "amended-plan": D(2026, 5, 5),
    }


def test_phase_transfers_fall_on_fixed_days_in_the_year_of_the_move(rules):
    assert dates(rules, "school-transfer", **{"school-move": D(2027, 9, 1)}) == {"school-named": D(2027, 2, 15)}
    assert dates(rules, "post-16-transfer", **{"post-16-move": D(2027, 9, 6)}) == {"post-16-named": D(2027, 3, 31)}


def test_a_move_between_colleges_is_named_5_months_before(rules):
    assert dates(rules, "college-transfer", **{"college-move": D(2027, 9, 6)}) == {"college-named": D(2027, 4, 6)}
    assert dates(rules, "college-transfer", **{"college-move": D(2027, 7, 31)}) == {"college-named": D(2027, 2, 28)}


def test_complaints_count_working_days_past_bank_holidays(rules):
    # Monday 20 April 2026; the early May bank holiday (4 May) does not count.
    assert dates(rules, "council-complaint", complained=D(2026, 4, 20)) == {
        "complaint-acknowledged": D(2026, 4, 23),
        "complaint-answered": D(2026, 5, 19),
    }


def test_the_ombudsman_normally_expects_a_complaint_within_12_months(rules):
    assert dates(rules, "ombudsman", knew=D(2026, 2, 2)) == {"ombudsman-complaint": D(2027, 2, 2)}


def test_working_days_skip_christmas_and_the_substitute_boxing_day():
    # Wednesday 23 December 2026: 25 December, the weekend and Monday 28 December (Boxing Day's substitute).
    assert add_working_days(D(2026, 12, 23), 3) == D(2026, 12, 30)


def test_a_working_day_is_not_moved():
    assert tribunal_day(D(2026, 9, 14)) == (D(2026, 9, 14), None)


@pytest.mark.parametrize(
    ("today", "week"),
    [(D(2026, 10, 1), 1), (D(2026, 10, 7), 1), (D(2026, 10, 8), 2), (D(2026, 12, 7), 10), (D(2027, 2, 18), 21)],
)
def test_how_far_along_is_the_week_of_the_20(rules, today, week):
    where = progress(rules.calculations["assessment"], {"request": D(2026, 10, 1)}, today)
    assert where is not None and (where.week, where.of) == (week, 20)


def test_no_progress_for_a_request_in_the_future_or_a_rule_without_a_timetable(rules):
    assert progress(rules.calculations["assessment"], {"request": D(2027, 1, 1)}, D(2026, 12, 7)) is None
    assert progress(rules.calculations["appeal"], {"decision": D(2026, 7, 14)}, D(2026, 12, 7)) is None


def test_every_calculation_names_the_dates_it_needs(rules):
    appeal_rule = rules.calculations["appeal"]
    assert [i.id for i in appeal_rule.missing({})] == ["decision"]  # the mediation certificate is optional
    assert appeal_rule.missing({"decision": D(2026, 7, 14)}) == []


def one_deadline(deadline: str) -> str:
    """A rules file with one calculation whose one deadline is written `deadline`."""
    return f"calculations:\n  - {{id: x, topics: [t], inputs: [{{id: a}}], deadlines: [{deadline}]}}\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("calculations:\n  - id: x\n", "'topics' must be a list"),
        ("calculations:\n  - {id: x, topics: [t]}\n", "needs at least one input"),
        ("calculations:\n  - id: Bad Id\n", "lower-case words"),
        (one_deadline("{id: d, source: s, later_of: [{from: b, days: 1}]}"), "naming one of its inputs"),
        (one_deadline("{id: d, source: s, later_of: [{from: a, days: 1, weeks: 2}]}"), "exactly one of"),
        (one_deadline("{id: d, source: s, later_of: [{from: a, day: '02-30'}]}"), "MM-DD"),
        (one_deadline("{id: d, later_of: [{from: a, days: 1}]}"), "needs a 'source'"),
        (one_deadline("{id: d, source: s, moves: sideways, later_of: [{from: a, days: 1}]}"), "'moves' must be"),
        (one_deadline("{id: d, source: s, later_of: [{from: a, months: two}]}"), "whole number"),
    ],
)
def test_a_broken_rule_is_reported_at_its_line(tmp_path: Path, text, message):
    path = write(tmp_path / "deadlines.yml", "# rules\n" + text)
    problems = Rules(path).problems
    assert len(problems) == 1 and message in problems[0].message
    assert problems[0].format(tmp_path).startswith("deadlines.yml:3: error:")


def test_a_rules_file_that_is_not_yaml_cannot_be_used(tmp_path: Path):
    with pytest.raises(ProblemError, match=r"deadlines.yml:\d+: error: not valid YAML"):
        Rules(write(tmp_path / "deadlines.yml", "calculations:\n  - {id: [unclosed\n"))
    with pytest.raises(ProblemError, match="needs 'calculations:'"):
        Rules(write(tmp_path / "deadlines.yml", "rules: []\n"))
