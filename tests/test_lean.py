"""Processes that never run a neural network do not load TensorFlow (bot/core/lean.py).

Each check runs in a new interpreter: the test process itself has Rasa, and TensorFlow with it."""

from __future__ import annotations

import ast
import subprocess
import sys

from bot.core import lean
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


BLAS_THREADS = "import numpy, threadpoolctl; print(max(i['num_threads'] for i in threadpoolctl.threadpool_info()))"


def test_servers_do_their_maths_on_one_thread_unless_the_operator_says_otherwise(monkeypatch):
    for name in lean.THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert python(f"from bot.core import lean; lean.one_thread_for_maths(); {BLAS_THREADS}") == "1"
    assert python(f"import bot.nlu.rasa_server; {BLAS_THREADS}") == "1"  # the Rasa server, before Rasa loads numpy
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    assert python(f"from bot.core import lean; lean.one_thread_for_maths(); {BLAS_THREADS}") == "2"


def test_the_action_server_limits_its_threads_before_it_imports_anything_that_loads_numpy():
    tree = ast.parse((ROOT / "actions" / "actions.py").read_text(encoding="utf-8"))
    calls = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "one_thread_for_maths"
    ]
    modules = {
        node.lineno: [node.module] if isinstance(node, ast.ImportFrom) else [alias.name for alias in node.names]
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
    }
    imports = [line for line, names in modules.items() if set(names) - {"__future__", "signal", "typing", "bot.core"}]
    assert calls and calls[0] < min(imports)


def test_memory_that_was_freed_is_given_back_to_the_system():
    """Small blocks freed in the middle of the heap stay with the process until malloc_trim."""
    code = """
import ctypes, ctypes.util
from bot.core import lean
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
def rss():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS")) // 1024
blocks = [libc.malloc(1000) for _ in range(200_000)]
for i, block in enumerate(blocks):
    ctypes.memset(block, 1, 1000)
for i, block in enumerate(blocks):
    if i % 500:
        libc.free(block)  # every 500th block stays, so the heap cannot simply shrink from its top
before = rss()
assert lean.release_freed_memory()
print(before - rss())
"""
    assert int(python(code)) > 100  # MB: about 190 MB were freed


def test_without_malloc_trim_nothing_is_done():
    assert lean.release_freed_memory(library=None) is False
    assert lean.release_freed_memory(library="no-such-library") is False


def test_the_action_server_loads_the_language_models_and_gives_back_what_loading_freed():
    source = (ROOT / "actions" / "actions.py").read_text(encoding="utf-8")
    build = source[source.index("def build_responder") : source.index("CONFIG = settings.load()")]
    assert build.index(".load_models()") < build.index("lean.release_freed_memory()") < build.index("return Responder")
