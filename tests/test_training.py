"""Training data comes from content; only changes to what the model learns cause retraining."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest
import yaml

from bot.assistant import content
from bot.core.settings import Settings
from bot.nlu.training import build, fingerprint
from tests.content_tree import make_tree


@pytest.fixture
def scratch(config, tmp_path) -> Settings:
    """The real content, built into a scratch folder."""
    return replace(config, var_dir=tmp_path / "var")


@pytest.fixture
def small(config, tmp_path) -> Settings:
    """A small content folder: these tests read it twice each, the real one takes seconds."""
    return replace(config, content_dir=make_tree(tmp_path / "content"), var_dir=tmp_path / "var")


def built_fingerprint(settings: Settings) -> str:
    build(content.load(settings.content_dir), settings)
    return fingerprint(settings)


def test_build_writes_an_intent_and_a_rule_per_topic(scratch, loaded):
    build(loaded, scratch)
    domain = yaml.safe_load((scratch.build_dir / "domain.yml").read_text())
    assert set(loaded.topics) <= set(domain["intents"])
    rules = yaml.safe_load((scratch.build_dir / "data" / "rules.yml").read_text())["rules"]
    assert {r["steps"][0]["intent"] for r in rules} == set(domain["intents"]) | {"nlu_fallback"}
    assert all(r["steps"][1] == {"action": "action_reply"} for r in rules)
    nlu = yaml.safe_load((scratch.build_dir / "data" / "topics.yml").read_text())["nlu"]
    examples = {entry["intent"]: entry["examples"] for entry in nlu}
    # one intent per topic for every language: "what is mediation" and "co to jest mediacja" alike
    questions = {
        " ".join(q.split())
        for (topic, _), page in loaded.pages.items()
        if topic == "mediation"
        for q in page.examples + page.easy_examples
    }
    assert examples["mediation"].count("\n- ") + 1 == len(questions)
    assert {"pl", "ro", "uk", "ur", "ne"} <= {language for (topic, language) in loaded.pages if topic == "mediation"}


def test_changing_an_answer_does_not_need_retraining(small):
    before = built_fingerprint(small)
    path = small.content_dir / "en" / "mediation.md"
    path.write_text(path.read_text().replace("## Answer\n", "## Answer\n\nNew first sentence.\n", 1))
    assert built_fingerprint(small) == before


def test_changing_an_example_question_needs_retraining(small):
    before = built_fingerprint(small)
    path = small.content_dir / "en" / "mediation.md"
    path.write_text(path.read_text().replace("examples:\n", "examples:\n  - a brand new way to ask about mediation\n", 1))
    assert built_fingerprint(small) != before


def test_changing_our_rasa_components_needs_retraining(small, tmp_path, monkeypatch):
    from bot.nlu import training

    copies = tuple(tmp_path / path.name for path in training.COMPONENTS)  # the featurizer and the classifier
    for original, copy in zip(training.COMPONENTS, copies):
        copy.write_text(original.read_text())
    monkeypatch.setattr(training, "COMPONENTS", copies)
    for copy in copies:
        before = built_fingerprint(small)
        copy.write_text(copy.read_text() + "\n# changed\n")
        assert built_fingerprint(small) != before, copy.name


def test_the_fingerprint_is_stable(small):
    assert built_fingerprint(small) == built_fingerprint(small)


def test_only_the_newest_models_are_kept(tmp_path):
    import os

    from bot.nlu.training import _keep_newest

    for i in range(5):
        path = tmp_path / f"m{i}.tar.gz"
        path.write_text("x")
        os.utime(path, (i, i))
    _keep_newest(tmp_path, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m2.tar.gz", "m3.tar.gz", "m4.tar.gz"]


def test_training_keeps_other_libraries_deprecation_warnings_quiet():
    """Sanic, imported by Rasa's training, turns deprecation warnings back on as it loads."""
    script = (
        "import warnings; warnings.simplefilter('ignore')\n"
        "from bot.nlu.training import import_sanic_quietly; import_sanic_quietly()\n"
        "import sanic  # as Rasa's training imports it\n"
        "warnings.warn('a library deprecated something', DeprecationWarning)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "deprecated" not in done.stderr, done.stderr
