"""Start and stop the three processes: Rasa, the action server and the web app.

`bot serve`, `bot eval`, `bot bench` and the tests all use this, so the assistant
is always exercised the way it runs in production.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bot.settings import ROOT, Settings


def child_env(settings: Settings, token: str) -> dict[str, str]:
    """The environment every child gets: telemetry off, and the settings passed on unchanged."""
    env = dict(os.environ)
    env.update({
        "RASA_TELEMETRY_ENABLED": "false",
        "SANIC_HOST": "127.0.0.1",
        "BOT_ACTION_PORT": str(settings.action_port),
        "BOT_RASA_PORT": str(settings.rasa_port),
        "BOT_TRACKER_DB": str(settings.tracker_db),
        "BOT_VAR_DIR": str(settings.var_dir),
        "BOT_MODELS_DIR": str(settings.models_dir),
        "BOT_CONTENT_DIR": str(settings.content_dir),
        "BOT_LANGUAGES": ",".join(settings.languages),
        "BOT_FRAME_ANCESTORS": " ".join(settings.frame_ancestors),
        "BOT_CORS_ORIGINS": ",".join(settings.cors_origins),
        "BOT_RASA_TOKEN": token,
        "PORT": str(settings.port),
        "HOST": settings.host,
        "PYTHONUNBUFFERED": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    })
    return env


@dataclass
class Stack:
    settings: Settings
    model: Path
    log_dir: Path | None = None  # None: children write to this terminal
    # Hex, so the token can never start with "-" and be read by Rasa's argparse as an option.
    token: str = field(default_factory=lambda: secrets.token_hex(24))
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    _logs: list[IO] = field(default_factory=list)

    def commands(self) -> dict[str, list[str]]:
        s = self.settings
        return {
            "rasa": [sys.executable, "-m", "bot.rasa_server", "run", "--model", str(self.model),
                     "--endpoints", str(ROOT / "endpoints.yml"), "--credentials", str(ROOT / "credentials.yml"),
                     "--interface", "127.0.0.1", "--port", str(s.rasa_port),
                     "--enable-api", f"--auth-token={self.token}"],
            "actions": [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(s.action_port)],
            "web": [sys.executable, "-m", "bot.cli", "web"],
        }

    def start(self, timeout: float = 240.0) -> None:
        """Start all three and wait until /api/health says ready; raise if any dies first."""
        self.settings.var_dir.mkdir(parents=True, exist_ok=True)
        env = child_env(self.settings, self.token)
        for name, command in self.commands().items():
            out: IO | None = None
            if self.log_dir is not None:
                self.log_dir.mkdir(parents=True, exist_ok=True)
                out = open(self.log_dir / f"{name}.log", "ab")
                self._logs.append(out)
            self.processes[name] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT if out else None,
                                                    start_new_session=True)
        try:
            self.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.port}"

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"the {name} process stopped with exit code {process.returncode}{self._log_hint(name)}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        raise TimeoutError(f"the assistant was not ready after {timeout:.0f} s{self._log_hint('rasa')}")

    def _log_hint(self, name: str) -> str:
        return f"; see {self.log_dir / (name + '.log')}" if self.log_dir else ""

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.processes.values())

    def stop(self) -> None:
        """SIGTERM each process group, then SIGKILL what is left after 15 s."""
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for log in self._logs:
            log.close()
        self._logs.clear()

    def __enter__(self) -> "Stack":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
