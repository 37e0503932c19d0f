"""`bot serve` as an operator uses it: ready on its port, and Ctrl-C stops all three processes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.core.ports import free_ports
from tests.conftest import get, post


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def test_serve_runs_three_processes_reloads_content_and_ctrl_c_stops_them(tmp_path, assistant, config):
    """The `assistant` fixture has trained the model, so serve must reuse it."""
    web, rasa, actions = free_ports(3)
    shutil.copytree(config.content_dir, tmp_path / "content")
    env = {
        **os.environ,
        "PORT": str(web),
        "BOT_RASA_PORT": str(rasa),
        "BOT_ACTION_PORT": str(actions),
        "BOT_VAR_DIR": str(tmp_path / "var"),
        "BOT_MODELS_DIR": str(config.models_dir),
        "BOT_CONTENT_DIR": str(tmp_path / "content"),
    }
    models = sorted(config.models_dir.iterdir())
    serve = subprocess.Popen(
        [sys.executable, "-m", "bot.ops.cli", "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if get(f"http://127.0.0.1:{web}/api/health")[0] == 200:
                    break
            except OSError:
                pass
            assert serve.poll() is None, serve.stdout.read()
            time.sleep(0.5)
        children = _children(serve.pid)
        assert len(children) == 3
        status, reply = post(f"http://127.0.0.1:{web}/api/chat", {"session_id": "serve", "text": "hello"})
        assert status == 200 and reply["messages"]
        assert (tmp_path / "var" / "rasa-tracker.db").exists()

        # A member of staff rewords an answer: it takes effect on reload, with no retraining.
        page = tmp_path / "content" / "en" / "mediation.md"
        page.write_text(page.read_text().replace("## Answer\n", "## Answer\n\nReworded by staff today.\n", 1))
        reload = subprocess.run(
            [sys.executable, "-m", "bot.ops.cli", "content", "reload"], env=env, capture_output=True, text=True
        )
        assert reload.returncode == 0, reload.stderr
        # The reload runs beside the conversations, not inside them: ask until it has landed.
        deadline, reworded = time.monotonic() + 60, False
        while not reworded and time.monotonic() < deadline:
            status, reply = post(f"http://127.0.0.1:{web}/api/chat", {"session_id": "serve", "text": "what is mediation"})
            reworded = status == 200 and reply["messages"][0]["text"].startswith("Reworded by staff today.")
            time.sleep(0.5)
        assert reworded
        assert sorted(config.models_dir.iterdir()) == models
        serve.send_signal(signal.SIGINT)
        assert serve.wait(60) == 0
        output = serve.stdout.read()
        assert "not retraining" in output
        # Quiet by default: the steps and "ready" here, each process's output in its own file.
        assert "write their logs to" in output and "Warning" not in output
        assert {"actions.log", "web.log", "rasa-1.log"} <= {p.name for p in (tmp_path / "var" / "logs").iterdir()}
        assert not any(
            Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower() for pid in children
        )
    finally:
        if serve.poll() is None:
            serve.kill()


def test_the_rasa_token_can_never_look_like_an_option(config):
    from bot.ops.stack import Stack

    for _ in range(200):
        stack = Stack(config, Path("model.tar.gz"))
        assert not stack.token.startswith("-")
        assert f"--auth-token={stack.token}" in stack.commands()["rasa-1"]
