"""Processes that never run a neural network keep TensorFlow, JAX and PyTorch out.

spaCy's thinc imports TensorFlow whenever it is installed, and it is installed because Rasa
needs it. That costs the action server about 350 MB and every `bot content check` several
seconds, for nothing: outside Rasa we use spaCy only to match phrases and split sentences.
Marking the packages as absent makes thinc's optional import fail quietly. Call `keep_out()`
before anything imports spaCy, and only in a process of its own (the action server, a `bot`
command that never trains): never in the Rasa server, in training, or in a test run.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import sys

PACKAGES = ("tensorflow", "jax", "torch")
# The thread pools of numpy's BLAS (OpenBLAS) and of OpenMP (the sentence encoder's engine).
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def keep_out() -> None:
    for name in PACKAGES:
        if name not in sys.modules:
            sys.modules[name] = None  # type: ignore[assignment]  # an import of it now raises ImportError


def one_thread_for_maths() -> None:
    """A server answers its conversations one message at a time on one event loop, so worker
    threads for numpy's maths add nothing; they spin between calls and take a core from the
    other processes. Under `bot bench` (20 conversations, one replica) the action server used
    88-92% of a core with them and 38% without, at the same throughput. Call it before numpy
    or the encoder is loaded; an operator's own setting is kept."""
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, "1")


def release_freed_memory(library: str | None = "c") -> bool:
    """Give back to the system the memory that loading models used and freed; whether it could.

    glibc's malloc keeps freed memory for the process's next allocations. Loading Lingua's
    language models frees about 45 MB of working space that the action server never uses again
    (measured: 462 -> 410 MB). Call it once, after everything is loaded. Elsewhere than glibc
    (musl, macOS) there is no malloc_trim, and nothing is done."""
    gc.collect()
    path = ctypes.util.find_library(library) if library else None
    trim = getattr(ctypes.CDLL(path), "malloc_trim", None) if path else None
    if trim is None:
        return False
    trim(0)
    return True
