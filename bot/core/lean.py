"""Processes that never run a neural network keep TensorFlow, JAX and PyTorch out.

spaCy's thinc imports TensorFlow whenever it is installed, and it is installed because Rasa
needs it. That costs the action server about 350 MB and every `bot content check` several
seconds, for nothing: outside Rasa we use spaCy only to match phrases and split sentences.
Marking the packages as absent makes thinc's optional import fail quietly. Call `keep_out()`
before anything imports spaCy, and only in a process of its own (the action server, a `bot`
command that never trains): never in the Rasa server, in training, or in a test run.
"""

from __future__ import annotations

import sys

PACKAGES = ("tensorflow", "jax", "torch")


def keep_out() -> None:
    for name in PACKAGES:
        if name not in sys.modules:
            sys.modules[name] = None  # type: ignore[assignment]  # an import of it now raises ImportError
