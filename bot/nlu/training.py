"""Turn content into Rasa training data, and train only when that data has changed.

Example questions live with their answers in content/, so the files Rasa trains on
are written to var/build/ and never edited by hand. A model is named after a hash
of everything that shapes it: the same inputs always reuse the same model.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import warnings
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from bot.core.settings import ROOT, Settings

if TYPE_CHECKING:  # the model's path is worked out without loading content or spaCy
    from bot.assistant.content import Content

log = logging.getLogger(__name__)

CONFIG = ROOT / "config.yml"
DOMAIN = ROOT / "domain.yml"
NLU_DIR = ROOT / "data" / "nlu"
# Our own Rasa components (config.yml names them): a change to them needs a new model too.
COMPONENTS = tuple(
    Path(__file__).with_name(name) for name in ("featurizer.py", "classifier.py", "reply_policy.py")
)  # our Rasa components
ACTION = "action_reply"
KEEP_MODELS = 3


class _Literal(str):
    """A string YAML writes as a `|` block, the way Rasa's examples are written."""


yaml.SafeDumper.add_representer(_Literal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style="|"))


def classifier_setting(name: str) -> Any:
    """A setting of the intent classifier in config.yml, so that its copy in `bot nlu cv` trains alike."""
    pipeline = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["pipeline"]
    (classifier,) = [c for c in pipeline if c["name"].endswith("LogisticRegressionClassifier")]
    return classifier[name]


def topic_intents(content: Content) -> list[str]:
    """Every topic with an English page is an intent; the intent name is the topic id."""
    return sorted(topic for (topic, language) in content.pages if language == "en")


def _examples_block(examples: list[str]) -> _Literal:
    lines = dict.fromkeys(" ".join(e.split()) for e in examples if e.strip())
    return _Literal("".join(f"- {line}\n" for line in lines))


def build(content: Content, settings: Settings) -> list[Path]:
    """Write the generated domain, NLU data and rules; return the training inputs."""
    out = settings.build_dir
    shutil.rmtree(out, ignore_errors=True)
    (out / "data").mkdir(parents=True)

    intents = topic_intents(content)
    domain = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))
    domain["intents"] = list(domain["intents"]) + intents
    (out / "domain.yml").write_text(yaml.safe_dump(domain, sort_keys=False, allow_unicode=True), encoding="utf-8")

    examples: dict[str, list[str]] = {}
    for (topic, _language), page in sorted(content.pages.items()):
        if topic in intents:
            examples.setdefault(topic, []).extend(page.examples + page.easy_examples)
    nlu = {"version": "3.1", "nlu": [{"intent": t, "examples": _examples_block(examples[t])} for t in intents]}
    (out / "data" / "topics.yml").write_text(yaml.safe_dump(nlu, sort_keys=False, allow_unicode=True), encoding="utf-8")

    # One rule per intent: every message goes to the action, which decides what to say.
    rules = {
        "version": "3.1",
        "rules": [
            {"rule": f"reply to {intent}", "steps": [{"intent": intent}, {"action": ACTION}]}
            for intent in domain["intents"] + ["nlu_fallback"]
        ],
    }
    (out / "data" / "rules.yml").write_text(yaml.safe_dump(rules, sort_keys=False), encoding="utf-8")

    for path in sorted(NLU_DIR.glob("*.yml")):
        shutil.copy(path, out / "data" / f"nlu-{path.name}")
    return [out / "domain.yml", out / "data"]


def fingerprint(settings: Settings) -> str:
    """A hash of the Rasa version, the config, our components and the built training data."""
    digest = hashlib.sha256(metadata.version("rasa").encode())
    for path in [CONFIG, *COMPONENTS, *sorted(p for p in settings.build_dir.rglob("*") if p.is_file())]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path(settings: Settings) -> Path:
    return settings.models_dir / f"{fingerprint(settings)}.tar.gz"


def import_sanic_quietly() -> None:
    """Import Sanic with warnings ignored, and leave the process's filters as they were.

    Rasa's training imports Sanic, and Sanic turns deprecation warnings back on for the whole
    process as it is imported (`filterwarnings("once", DeprecationWarning)`): `bot train` then
    printed other libraries' deprecation warnings, however quiet it had been asked to be.
    Imported first, here, it has nothing left to change when Rasa imports it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import sanic  # noqa: F401


def train(
    content: Content,
    settings: Settings,
    force: bool = False,
    announce: Callable[[], None] = lambda: None,
    log_level: int = logging.WARNING,
) -> tuple[Path, bool]:
    """Build the data and train if no model matches it; returns the model and whether it was trained.

    `announce` is called just before a training starts; Rasa's own logging (and its debug
    lines, which it prints by default) is kept to `log_level`."""
    build(content, settings)
    target = model_path(settings)
    if target.exists() and not force:
        return target, False
    announce()
    os.environ.setdefault("RASA_CACHE_DIRECTORY", str(settings.var_dir / "rasa-cache"))
    from rasa.api import train as rasa_train
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(log_level)
    configure_structlog(log_level)
    if log_level > logging.DEBUG:  # Rasa's configuration turns its dependencies' warnings back on
        warnings.simplefilter("ignore")
        import_sanic_quietly()

    settings.models_dir.mkdir(parents=True, exist_ok=True)
    result = rasa_train(
        domain=str(settings.build_dir / "domain.yml"),
        config=str(CONFIG),
        training_files=[str(settings.build_dir / "data")],
        output=str(settings.models_dir),
        fixed_model_name=target.name.removesuffix(".tar.gz"),
    )
    if result.code != 0 or not target.exists():
        raise RuntimeError(f"Rasa training failed (exit code {result.code}); see the messages above")
    _keep_newest(settings.models_dir, KEEP_MODELS)
    return target, True


def _keep_newest(folder: Path, count: int) -> None:
    """Old models are only needed to roll back; keep a few, not every one ever trained."""
    models = sorted(folder.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in models[count:]:
        old.unlink()
