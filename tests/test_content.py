"""Staff content: the real catalogue is complete, and every kind of mistake is reported with its line."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import pytest

from bot.assistant import content
from tests.conftest import write
from tests.content_tree import CONTACTS, ROUTES, TOPICS, make_tree, page
from tests.test_callback import wait_for


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return make_tree(tmp_path)


def messages(root: Path, today: dt.date = dt.date(2026, 11, 28)) -> list[str]:
    return [p.format(root) for p in content.load(root, today=today).problems]


def test_a_valid_tree_has_no_problems_and_renders_placeholders(tree):
    loaded = content.load(tree, today=dt.date(2026, 11, 28))
    assert loaded.problems == []
    assert loaded.page("mediation", "en").sections["answer"] == "Mediation is free. Call 03000 41 3000."


def test_the_real_catalogue_has_no_errors_and_covers_the_spec(loaded, spec_topics, spec_contacts):
    assert [p.format() for p in loaded.errors] == []
    assert spec_topics <= set(loaded.topics)
    assert spec_contacts <= set(loaded.contacts)
    for topic in spec_topics:
        assert set(loaded.page(topic, "en").sections) == {"answer", "more", "easy"}, topic


def test_the_real_catalogue_keeps_the_spec_contacts_per_topic(loaded):
    import yaml

    from tests.conftest import SPEC

    for entry in yaml.safe_load((SPEC / "topics.yml").read_text()):
        assert set(entry["contacts"]) <= set(loaded.topics[entry["id"]].contacts), entry["id"]


def test_unknown_front_matter_field_points_at_its_line(tree):
    write(tree / "en" / "mediation.md", page(front="colour: blue\n"))
    assert "en/mediation.md:40: error: unknown front-matter field 'colour'" in messages(tree)


def test_a_past_review_date_is_a_warning_not_an_error(tree):
    write(tree / "en" / "mediation.md", page().replace("review_by: 2027-05-01", "review_by: 2026-01-01"))
    assert "en/mediation.md:38: warning: review_by 2026-01-01 has passed: check this answer" in messages(tree)
    assert not content.load(tree, today=dt.date(2026, 11, 28)).errors


def test_missing_field_and_unknown_ids(tree):
    text = page().replace("owner: content team\n", "").replace("contacts: [iask]", "contacts: [iask, nobody]")
    write(tree / "en" / "mediation.md", text)
    found = messages(tree)
    assert "en/mediation.md:1: error: missing front-matter field 'owner'" in found
    assert "en/mediation.md:5: error: unknown contact id 'nobody'" in found


def test_unknown_topic_and_wrong_file_name(tree):
    write(tree / "en" / "other.md", page(topic="nonsense"))
    found = messages(tree)
    assert any("en/other.md:2: error: unknown topic id 'nonsense'" in m for m in found)
    assert any("must be in a file named nonsense.md" in m for m in found)


def test_broken_placeholders_are_reported_with_their_line(tree):
    body = (
        "## Answer\n\nCall {{ contact('iask').email }}.\n\n## Easy read\n\nCall {{ contact('nobody').phone }}.\n\n"
        "## More\n\n{{ oops\n"
    )
    write(tree / "en" / "mediation.md", page(body=body))
    found = messages(tree)
    assert any(m.startswith("en/mediation.md:") and "broken placeholder" in m and "email" in m for m in found)
    assert any("unknown contact id 'nobody'" in m for m in found)
    assert sum("broken placeholder" in m for m in found) == 3


def test_missing_easy_read_and_unknown_section(tree):
    write(tree / "en" / "mediation.md", page(body="## Answer\n\nHello. Call IASK.\n\n## Extra\n\nMore.\n"))
    found = messages(tree)
    assert any("error: missing easy read answer" in m for m in found)
    assert any("error: unknown section '## Extra'" in m for m in found)


def test_too_few_examples(tree):
    write(tree / "en" / "mediation.md", page(examples=5, easy=2))
    found = messages(tree)
    assert any("only 5 example questions; at least 20" in m for m in found)
    assert any("only 2 easy read example questions; at least 8" in m for m in found)


def test_one_question_under_two_topics(tree):
    write(tree / "topics.yml", TOPICS + "- id: tribunal\n  area: complaints\n  title: Tribunal\n  contacts: [iask]\n")
    write(tree / "en" / "tribunal.md", page(topic="tribunal").replace("question tribunal 0", "Question MEDIATION 0"))
    assert any("example 'question mediation 0' is also filed under topic" in m.lower() for m in messages(tree))


def test_a_catalogue_topic_without_an_english_answer(tree):
    write(tree / "topics.yml", TOPICS + "- id: tribunal\n  area: complaints\n  title: Tribunal\n")
    assert "topics.yml:1: error: topic 'tribunal' has no English answer (content/en/tribunal.md)" in messages(tree)


def test_contacts_problems(tree):
    write(tree / "contacts.yml", CONTACTS + "- id: iask\n  name: Again\n  fax: 123\n  confirm: true\n- name: no id\n")
    found = messages(tree)
    assert "contacts.yml:7: error: duplicate contact id 'iask'" in found
    assert "contacts.yml:9: error: unknown field 'fax' in contact 'iask'" in found
    assert "contacts.yml:7: warning: contact 'iask' is marked confirm: true; check its details" in found
    assert "contacts.yml:11: error: each contact needs an 'id' and a 'name'" in found


def test_invalid_yaml_is_reported_not_raised(tree):
    write(tree / "en" / "mediation.md", "---\ntopic: [unclosed\n---\n## Answer\n")
    assert any("front matter is not valid YAML" in m for m in messages(tree))


def test_live_content_follows_file_changes_and_keeps_good_content_on_errors(tree):
    live = content.LiveContent(tree, check_every=0.05)
    try:
        assert "free" in live.get().page("mediation", "en").sections["answer"]
        time.sleep(0.01)
        write(tree / "en" / "mediation.md", page().replace("Mediation is free.", "Mediation costs nothing."))
        assert wait_for(lambda: "costs nothing" in live.get().page("mediation", "en").sections["answer"], 10)
        write(tree / "en" / "mediation.md", page().replace("owner: content team\n", ""))
        time.sleep(0.5)
        assert "costs nothing" in live.get().page("mediation", "en").sections["answer"]
        assert live.reload() is False
    finally:
        live.close()


def test_live_content_lets_go_of_the_sentence_splitters_between_checks(tree):
    """They are needed only when the files change, hours apart; meanwhile they hold memory."""
    from bot.assistant import readability

    live = content.LiveContent(tree, check_every=60)
    try:
        assert readability._nlp.cache_info().currsize == 0
        write(tree / "en" / "mediation.md", page().replace("Mediation is free.", "Mediation costs nothing."))
        assert live.reload() is True and "costs nothing" in live.get().page("mediation", "en").sections["answer"]
        assert readability._nlp.cache_info().currsize == 0
        assert readability.measure("One sentence. Two.", "en").sentences == 2  # made again when needed
    finally:
        live.close()


def test_answering_never_waits_for_a_reload(tree, monkeypatch):
    """A reload (with its spaCy checks) once ran inside a family's request, blocking every conversation."""
    live = content.LiveContent(tree, check_every=0.05)
    real_load, started = content.load, threading.Event()

    def slow_load(root, today=None):
        started.set()
        time.sleep(1.5)
        return real_load(root, today)

    monkeypatch.setattr(content, "load", slow_load)
    try:
        write(tree / "en" / "mediation.md", page().replace("Mediation is free.", "Mediation costs nothing."))
        assert started.wait(5), "the watcher noticed the change"
        begun = time.monotonic()
        assert "free" in live.get().page("mediation", "en").sections["answer"]  # the old content, at once
        assert time.monotonic() - begun < 0.1
        assert wait_for(lambda: "costs nothing" in live.get().page("mediation", "en").sections["answer"], 10)
        live.reload_soon()  # SIGHUP's way: returns at once
    finally:
        live.close()


LONG = " ".join(["word"] * 22) + "."


@pytest.mark.parametrize(
    "section,text,expected",
    [
        ("Answer", f"{LONG} {LONG}", "error: sentences average 22.0 words; at most 20 for a standard answer"),
        (
            "Easy read",
            "One two three four five six seven eight nine ten eleven twelve thirteen. " * 2,
            "error: easy read sentences average 13.0 words; at most 12",
        ),
        ("Easy read", f"{LONG} Go. Go. Go. Go. Go. Go. Go. Go. Go. Go.", "error: easy read sentence of 22 words (at most 20)"),
        (
            "Easy read",
            "Consequently, institutional accountability necessitates comprehensive documentation.",
            "warning: Flesch reading ease",
        ),
        ("Answer", "See [the page](www.kent.gov.uk). Call us.", "error: link 'www.kent.gov.uk' must start with https://"),
        ("Answer", "Short words here. " * 51, "warning: the answer is 153 words; keep it to about 150"),
        ("Answer", "See [the page] (https://www.kent.gov.uk). Call us.", "error: malformed link near"),
    ],
)
def test_readability_and_link_rules(tree, section, text, expected):
    body = "## Answer\n\nCall us.\n\n## More\n\nIt is free.\n\n## Easy read\n\nWe meet and talk.\n"
    body = body.replace(
        f"## {section}\n\n{'Call us.' if section == 'Answer' else 'We meet and talk.'}", f"## {section}\n\n{text}"
    )
    write(tree / "en" / "mediation.md", page(body=body))
    assert any(expected in m for m in messages(tree)), messages(tree)


GLOSSARY = """\
- term: SENCO
  aliases: [special educational needs co-ordinator]
  meaning: The teacher who makes sure children with SEND get the right support in school.
  easy: The teacher who helps with extra help in school.
"""


def test_easy_read_jargon_must_be_in_the_glossary(tree):
    write(tree / "glossary" / "en.yml", GLOSSARY)
    body = "## Answer\n\nCall us.\n\n## Easy read\n\nAsk your SENCO. Ask your SLT too. It is OK.\n"
    write(tree / "en" / "mediation.md", page(body=body))
    found = messages(tree)
    assert any("easy read uses 'SLT', which the glossary does not explain" in m for m in found)
    assert not any("'SENCO'" in m or "'OK'" in m for m in found)


def test_glossary_problems(tree):
    write(
        tree / "glossary" / "en.yml",
        GLOSSARY
        + """\
- term: Senco
  meaning: Again.
  easy: This sentence is far too long for easy read because it has many words.
- term: EP
  colour: red
""",
    )
    found = messages(tree)
    assert "glossary/en.yml:5: error: 'Senco' is already in the glossary under 'SENCO'" in found
    assert any(m.startswith("glossary/en.yml:7: error: easy read for 'Senco' has a sentence of 14 words") for m in found)
    assert "glossary/en.yml:8: error: each entry needs 'term', 'meaning' and 'easy'" in found


def test_duplicate_topic_ids(tree):
    write(tree / "topics.yml", TOPICS + TOPICS)
    assert "topics.yml:5: error: duplicate topic id 'mediation'" in messages(tree)


def test_the_same_topic_in_two_files(tree):
    write(tree / "en" / "copy.md", page())
    assert any("topic 'mediation' is already answered in" in m for m in messages(tree))


def test_the_real_glossary_is_big_enough_and_explains_the_common_acronyms(loaded):
    glossary = loaded.glossary("en")
    assert len(glossary.entries) >= 80
    for word in ("EHCP", "EHCNA", "SENCO", "SEMH", "SRP", "LIFT", "IASK", "PfA", "SENDIASS", "LGSCO"):
        assert glossary.explains(word), word


def test_easy_read_explains_glossary_words_after_their_first_use(tree):
    write(tree / "glossary" / "en.yml", GLOSSARY)
    body = "## Answer\n\nCall us.\n\n## Easy read\n\nAsk your SENCO for help. Your SENCO is kind.\n"
    write(tree / "en" / "mediation.md", page(body=body))
    easy = content.load(tree, today=dt.date(2026, 11, 28)).page("mediation", "en").sections["easy"]
    assert easy == ("Ask your SENCO for help. SENCO means the teacher who helps with extra help in school. Your SENCO is kind.")


def test_words_the_text_already_explains_are_left_alone(tree):
    write(tree / "glossary" / "en.yml", GLOSSARY)
    body = "## Answer\n\nCall us.\n\n## Easy read\n\nA SENCO is a teacher. Ask your SENCO.\n"
    write(tree / "en" / "mediation.md", page(body=body))
    easy = content.load(tree, today=dt.date(2026, 11, 28)).page("mediation", "en").sections["easy"]
    assert easy == "A SENCO is a teacher. Ask your SENCO."


def translation(front: str = "", body: str | None = None, examples: int = 10) -> str:
    lines = "\n".join(f"  - pytanie {i}" for i in range(examples))
    body = (
        body
        if body is not None
        else (
            "## Answer\n\nMediacja jest bezpłatna. Zadzwoń {{ contact('iask').phone }}.\n\n"
            "## Easy read\n\nSpotykamy się i rozmawiamy.\n"
        )
    )
    return (
        f"---\ntopic: mediation\ntitle: Mediacja\ntranslation:\n  from: en\n  method: machine-assisted\n"
        f"  reviewed: false\n  source_reviewed: 2026-11-01\nexamples:\n{lines}\n{front}---\n{body}"
    )


def test_a_translation_takes_contacts_and_sources_from_its_english_page(tree):
    write(tree / "pl" / "mediation.md", translation())
    loaded = content.load(tree, today=dt.date(2026, 11, 28))
    assert [p.format(tree) for p in loaded.problems] == []
    polish = loaded.page("mediation", "pl")
    assert polish.contacts == ["iask"] and polish.meta["sources"] == ["SEND Code of Practice"]
    assert polish.sections["answer"] == "Mediacja jest bezpłatna. Zadzwoń 03000 41 3000."
    assert content.coverage(loaded, ("en", "pl", "ro")) == {
        "en": {"topics": 1, "standard": 1, "easy": 1, "unreviewed": 0},
        "pl": {"topics": 1, "standard": 1, "easy": 1, "unreviewed": 1},
        "ro": {"topics": 1, "standard": 0, "easy": 0, "unreviewed": 0},
    }


def test_translation_mistakes_are_reported(tree):
    write(
        tree / "pl" / "mediation.md",
        translation(front="contacts: [hub]\n", examples=3)
        .replace("  reviewed: false\n", "  reviewed: maybe\n")
        .replace("  method: machine-assisted\n", ""),
    )
    found = messages(tree)
    assert any(
        "pl/mediation.md:" in m and "unknown front-matter field 'contacts' (a translation takes it from the English page)" in m
        for m in found
    )
    assert any("missing translation field 'method'" in m for m in found)
    assert any("translation reviewed must be true or false" in m for m in found)
    assert any("only 3 example questions; at least 10 are needed" in m for m in found)


def test_a_translation_needs_a_source_page_and_fails_when_the_source_changed_since(tree):
    """A translation made before the English page was corrected may still carry the old fact."""
    write(tree / "pl" / "mediation.md", translation().replace("from: en", "from: ro"))
    assert any("has no source page to follow (content/ro/mediation.md)" in m for m in messages(tree))
    write(tree / "pl" / "mediation.md", translation().replace("source_reviewed: 2026-11-01", "source_reviewed: 2026-10-01"))
    assert (
        "pl/mediation.md:1: error: the en answer was reviewed on 2026-11-01, after this translation was made from it "
        "(2026-10-01): update the translation from the en page, then set source_reviewed: 2026-11-01" in messages(tree)
    )


def test_a_contact_an_answer_names_must_be_reachable(tree):
    write(tree / "contacts.yml", CONTACTS + "- id: transport\n  name: School transport\n  role: Travel to school.\n")
    write(tree / "en" / "mediation.md", page().replace("contacts: [iask]", "contacts: [iask, transport]"))
    assert (
        "en/mediation.md:1: error: contact 'transport' has no phone, text, email or web address in contacts.yml, "
        "so a family could not reach it: add one" in messages(tree)
    )
    body = "## Answer\n\nAsk {{ contact('transport').name }}.\n\n## Easy read\n\nAsk for help.\n"
    write(tree / "en" / "mediation.md", page(body=body))
    assert any("contact 'transport' has no phone" in m for m in messages(tree))
    write(tree / "contacts.yml", CONTACTS + "- id: transport\n  name: School transport\n  email: t@example.org\n")
    assert messages(tree) == []


@pytest.mark.parametrize(
    "section,text,missing",
    [
        ("Answer", "You can appeal to the SEND Tribunal.", "the 2-month time limit or the mediation step"),
        ("Answer", "You can appeal within 2 months of the letter.", "the mediation step"),
        ("More", "You can appeal to the Tribunal. Ask a mediation adviser first.", "the 2-month time limit"),
        ("Easy read", "You can appeal. Ask for help.", "the 2-month time limit or the mediation step"),
    ],
)
def test_a_section_that_mentions_appealing_must_give_the_time_limit(tree, section, text, missing):
    """A family that misses the deadline can lose the right to appeal."""
    sections = {"Answer": "Mediation is free.", "More": "It is free.", "Easy read": "We talk."}
    sections[section] = text
    write(tree / "en" / "mediation.md", page(body="".join(f"## {k}\n\n{v}\n\n" for k, v in sections.items())))
    where = "## Easy read" if section == "Easy read" else "## Answer"
    assert (
        f"en/mediation.md:1: error: {where} mentions appealing but not {missing}: say it there "
        "(rule appeal_time_limit in checks.yml)" in messages(tree)
    )


def test_the_appeal_rule_passes_a_complete_answer_and_skips_other_appeal_routes(tree):
    body = "## Answer\n\nYou can appeal. Talk to a mediation adviser first. The limit is 2 months.\n\n## Easy read\n\nWe talk.\n"
    write(tree / "en" / "mediation.md", page(body=body))
    assert messages(tree) == []
    write(tree / "en" / "mediation.md", page(body="## Answer\n\nYou can appeal to a panel.\n\n## Easy read\n\nWe talk.\n"))
    write(tree / "checks.yml", (tree / "checks.yml").read_text().replace("    - complaint-school", "    - mediation"))
    assert messages(tree) == []


def test_broken_rules_and_missing_routes_are_errors(tree):
    write(tree / "checks.yml", "appeal_time_limit: {languages: {en: {appeal: '(('}}}\n")
    assert any(m.startswith("checks.yml:1: error: rules not readable") for m in messages(tree))
    write(
        tree / "safeguarding.yml",
        ROUTES.replace("staff_concern: [iask]", "staff_concern: []").replace("domestic_abuse: [iask]", "domestic_abuse: [nobody]")
        + "dragons: [iask]\n",
    )
    found = messages(tree)
    assert any("error: safeguarding situation 'staff_concern' has no contact" in m for m in found)
    assert any("error: domestic_abuse: unknown contact id 'nobody'" in m for m in found)
    assert any("error: unknown situation 'dragons'" in m for m in found)


def test_easy_read_in_another_language_needs_its_own_glossary(tree):
    body = "## Answer\n\nMediacja.\n\n## Easy read\n\nZapytaj SENCO. To pomoże.\n"
    write(tree / "pl" / "mediation.md", translation(body=body))
    assert any(
        "easy read uses 'SENCO', which the glossary does not explain: add it to glossary/pl.yml" in m for m in messages(tree)
    )
    write(
        tree / "glossary" / "pl.yml", "- term: SENCO\n  meaning: Nauczyciel.\n  easy: Nauczyciel, który pomaga. Jest w szkole.\n"
    )
    loaded = content.load(tree, today=dt.date(2026, 11, 28))
    assert [p.format(tree) for p in loaded.errors] == []
    from bot.core.i18n import gettext_for

    explained = gettext_for("pl")("{word} means {meaning}.").format(word="SENCO", meaning="nauczyciel, który pomaga")
    assert loaded.page("mediation", "pl").sections["easy"] == f"Zapytaj SENCO. {explained} To pomoże."


def test_every_catalogue_topic_is_answered_in_every_configured_language(loaded, config):
    for language, counts in content.coverage(loaded, config.languages).items():
        assert counts["standard"] == counts["topics"], language
        assert counts["easy"] >= counts["topics"] * 0.9, language


def test_an_empty_list_file_is_a_problem_not_a_crash(tree):
    write(tree / "topics.yml", "")
    assert any("topics.yml" in m for m in messages(tree))


def test_phrase_lists_and_areas_reload_with_the_answers(tree):
    """Issue 15: they were read once when the action server started; now a staff edit to the
    safety or handoff phrases, or to the towns, is live within seconds, like an answer."""
    live = content.LiveContent(tree, check_every=0.05)
    try:
        before = live.get()
        assert before.safety.situations("the purple dragon is back") == []
        assert before.handoff.find("could i meet the wizard please") == []
        assert before.places.find("I live in Newtown") is None
        text = (tree / "safety" / "en.yml").read_text()
        (tree / "safety" / "en.yml").write_text(text.replace("self_harm:\n", "self_harm:\n  - the purple dragon is back\n", 1))
        text = (tree / "handoff" / "en.yml").read_text()
        (tree / "handoff" / "en.yml").write_text(text.replace("person:\n", "person:\n  - meet the wizard\n", 1))
        text = (tree / "areas.yml").read_text()
        (tree / "areas.yml").write_text(text.replace("towns:\n", "towns:\n  Newtown: Thanet\n", 1))
        assert wait_for(lambda: live.get().places.find("I live in Newtown") is not None, 10)
        fresh = live.get()
        assert fresh.safety.situations("the purple dragon is back") == ["self_harm"]
        assert fresh.handoff.find("could i meet the wizard please") == ["person"]
    finally:
        live.close()


def test_a_broken_phrase_list_is_reported_with_its_file_and_line(tree):
    (tree / "safety" / "en.yml").write_text("self_harm:\n  - cuts on his arms\nself_harmm:\n  - x\n")
    assert any(m.startswith("safety/en.yml:3: error: unknown list 'self_harmm'") for m in messages(tree))
    (tree / "areas.yml").write_text("districts: {}\n")
    assert any(m.startswith("areas.yml:1: error: needs 'towns'") for m in messages(tree))
