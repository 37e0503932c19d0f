"""Processes that never run a neural network do not load TensorFlow (bot/core/lean.py).

Each check runs in a new interpreter: the test process itself has Rasa, and TensorFlow with it."""

from __future__ import annotations

import subprocess
import sys

from bot.core.settings import ROOT


def python(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def test_spacy_loads_without_tensorflow_once_it_is_kept_out():
    code = (
        "import sys; from bot.core import lean; lean.keep_out(); import spacy; spacy.blank('xx'); "
        "print(sys.modules.get('tensorflow') is None)"
    )
    assert python(code) == "True"


def test_a_bot_command_that_never_trains_keeps_tensorflow_out():
    code = (
        "import sys; sys.argv = ['bot', 'dates', 'appeal', '--decision', '2026-07-14', '--format', 'json']; "
        "from bot.ops import cli; rc = cli.main(); import bot.assistant.content; "
        "print(rc == 0 and sys.modules.get('tensorflow') is None)"
    )
    assert python(code) == "True"
