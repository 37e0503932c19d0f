"""`bot serve --rasa-replicas 2` as an operator runs it on one host: two Rasa servers on their
own ports sharing Redis locks and the default SQLite tracker, and a replica that dies is
started again while the other keeps answering."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from bot.core.ports import free_ports, is_free
from bot.nlu.training import train
from tests.conftest import get, post
from tests.test_stack import _children

pytestmark = [pytest.mark.stack]  # runs `bot serve` with two replicas


def consecutive_free_ports() -> int:
    """A port p with p + 1 free too: replica i listens on BOT_RASA_PORT + i."""
    for _ in range(50):
        port = free_ports(1)[0]
        if is_free(port + 1):
            return port
    raise RuntimeError("no two consecutive free ports")


def stop(serve: subprocess.Popen, log: Path) -> str:
    """Stop `bot serve` and return the end of what it printed, to explain a failure."""
    serve.send_signal(signal.SIGINT)
    serve.wait(60)
    return log.read_text(errors="replace")[-5000:]


def health(url: str) -> dict:
    try:
        return get(f"{url}/api/health")[1]
    except OSError:
        return {}


def wait_for_replicas(url: str, serve: subprocess.Popen, log: Path, seconds: float = 300) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = health(url)
        if body.get("status") == "ok" and len(body["replicas"]) == 2:
            return body
        assert serve.poll() is None, log.read_text(errors="replace")[-5000:]
        time.sleep(0.5)
    raise TimeoutError(f"replicas not ready: {health(url)}")


def test_serve_runs_two_replicas_and_restarts_one_that_dies(tmp_path, config, loaded, redis_url):
    train(loaded, config)
    web, actions = free_ports(2)
    rasa = consecutive_free_ports()
    env = {
        **os.environ,
        "PORT": str(web),
        "BOT_RASA_PORT": str(rasa),
        "BOT_ACTION_PORT": str(actions),
        "BOT_VAR_DIR": str(tmp_path / "var"),
        "BOT_MODELS_DIR": str(config.models_dir),
        "LOCK_STORE_URL": redis_url,
        "BOT_REDIS_PREFIX": f"t{uuid.uuid4().hex[:10]}",
    }
    log = tmp_path / "serve.log"  # a file, not a pipe: four processes' output could fill a pipe and block them
    with log.open("wb") as out:
        serve = subprocess.Popen(
            [sys.executable, "-m", "bot.ops.cli", "serve", "--rasa-replicas", "2"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{web}"
    try:
        wait_for_replicas(url, serve, log)
        children = _children(serve.pid)
        assert len(children) == 4
        status, reply = post(f"{url}/api/chat", {"session_id": "serve-2", "text": "what is send mediation"})
        assert status == 200 and reply["messages"][0]["topic"] == "mediation", reply

        second = next(pid for pid in children if f"--port\x00{rasa + 1}\x00" in Path(f"/proc/{pid}/cmdline").read_text())
        os.killpg(second, signal.SIGKILL)
        status, reply = post(f"{url}/api/chat", {"session_id": "serve-2", "text": "tell me more"})
        assert status == 200 and reply["messages"][0]["topic"] == "mediation", (reply, stop(serve, log))
        wait_for_replicas(url, serve, log)
        assert serve.poll() is None

        serve.send_signal(signal.SIGINT)
        assert serve.wait(60) == 0
        output = log.read_text(errors="replace")
        assert "with 2 Rasa replicas" in output and "rasa-2 stopped (exit code -9); starting it again" in output
        assert (tmp_path / "var" / "rasa-tracker.db").exists() and (tmp_path / "var" / "endpoints.yml").exists()
    finally:
        if serve.poll() is None:
            serve.kill()
