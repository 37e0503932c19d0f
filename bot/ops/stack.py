"""Start and stop the processes: Rasa replicas, the action server and the web app.

`bot serve`, `bot eval`, `bot bench` and the tests all use this, so the assistant
is always exercised the way it runs in production.
"""

from __future__ import annotations

import json
import logging
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

from sqlalchemy.exc import SQLAlchemyError

from bot.core.areas import Areas
from bot.core.problems import ProblemError
from bot.core.settings import ROOT, Settings
from bot.nlu import endpoints
from bot.ops import directory_feed
from bot.storage.directory import Directory
from bot.storage.store import Store

log = logging.getLogger(__name__)


def child_env(settings: Settings, token: str) -> dict[str, str]:
    """The environment every child gets: telemetry off, and the settings passed on unchanged."""
    env = dict(os.environ)
    env.pop("BOT_DATABASE_URL", None)  # passed on under its new name, APP_DATABASE_URL
    env.update(settings.environment())
    env.update(endpoints.rasa_environment(settings))
    env.update(
        {
            "RASA_TELEMETRY_ENABLED": "false",
            "SANIC_HOST": "127.0.0.1",
            "BOT_RASA_TOKEN": token,
            "PYTHONUNBUFFERED": "1",
            "TF_CPP_MIN_LOG_LEVEL": "2",
        }
    )
    return env


def rasa_command(settings: Settings, model: Path, port: int, token: str, interface: str = "127.0.0.1") -> list[str]:
    """One Rasa server; every replica runs the same command on its own port."""
    return [
        sys.executable,
        "-m",
        "bot.nlu.rasa_server",
        "run",
        "--model",
        str(model),
        "--endpoints",
        str(settings.endpoints_file),
        "--credentials",
        str(ROOT / "credentials.yml"),
        "--interface",
        interface,
        "--port",
        str(port),
        "--enable-api",
        f"--auth-token={token}",
    ]


@dataclass
class Stack:
    settings: Settings
    model: Path
    log_dir: Path | None = None  # None: children write to this terminal
    token: str = ""  # BOT_RASA_TOKEN when given, else a new one for this run
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    _logs: list[IO] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Hex, so a generated token can never start with "-" and be read by Rasa's argparse as an option.
        self.token = self.token or self.settings.rasa_token or secrets.token_hex(24)

    @property
    def replicas(self) -> list[str]:
        """Process names of the Rasa replicas: rasa-1, rasa-2, ..."""
        return [f"rasa-{i}" for i in range(1, len(self.settings.rasa_ports) + 1)]

    def commands(self) -> dict[str, list[str]]:
        s = self.settings
        rasa = {name: rasa_command(s, self.model, port, self.token) for name, port in zip(self.replicas, s.rasa_ports)}
        return {
            **rasa,
            "actions": [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(s.action_port)],
            "web": [sys.executable, "-m", "bot.ops.cli", "web"],
        }

    def start(self, timeout: float = 240.0) -> None:
        """Start every process and wait until each replica is ready; raise if any dies first."""
        self.settings.var_dir.mkdir(parents=True, exist_ok=True)
        endpoints.write(self.settings)
        self.load_directory()
        for name in self.commands():
            self.launch(name)
        try:
            self.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def load_directory(self) -> None:
        """The services directory before anyone asks: the embedded one without a feed, or a first
        sync of a configured feed into an empty directory (bot/ops/directory_feed.py)."""
        store = Store(self.settings.database_url)
        try:
            store.migrate()
            report = directory_feed.load_default(
                Directory(store), Areas(self.settings.content_dir / "areas.yml"), self.settings.directory_url
            )
        except (SQLAlchemyError, ProblemError) as exc:
            log.error("directory: not loaded at start: %s", exc)
            return
        finally:
            store.engine.dispose()
        if report is not None:
            log.info("directory: %d services from %s", report.stored, report.feed)

    def launch(self, name: str) -> None:
        """Start one process (again): a replica or action server that was stopped comes back this way."""
        out: IO | None = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            out = open(self.log_dir / f"{name}.log", "ab")
            self._logs.append(out)
        self.processes[name] = subprocess.Popen(
            self.commands()[name],
            cwd=ROOT,
            env=child_env(self.settings, self.token),
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
            start_new_session=True,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.port}"

    def health(self) -> dict:
        """The web app's /api/health body, for a 503 too; raises OSError while it is not listening."""
        try:
            with urllib.request.urlopen(f"{self.url}/api/health", timeout=5) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            return json.loads(error.read() or b"{}")

    def wait_ready(self, timeout: float, names: list[str] | None = None) -> None:
        """Wait until health reports every replica (or the named ones) and the action server ready."""
        deadline = time.monotonic() + timeout
        wanted = names or self.replicas
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"the {name} process stopped with exit code {process.returncode}{self._log_hint(name)}")
            try:
                body = self.health()
                ready = {r["name"] for r in body.get("replicas", []) if r.get("model")}
                if body.get("actions") and set(wanted) <= ready:
                    return
            except (OSError, ValueError):
                pass
            time.sleep(0.5)
        raise TimeoutError(f"the assistant was not ready after {timeout:.0f} s{self._log_hint(self.replicas[0])}")

    def _log_hint(self, name: str) -> str:
        return f"; see {self.log_dir / (name + '.log')}" if self.log_dir else ""

    def stopped(self) -> list[str]:
        """Names of the processes that have stopped."""
        return [name for name, p in self.processes.items() if p.poll() is not None]

    def alive(self) -> bool:
        return not self.stopped()

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Stop one process the hard way (SIGKILL by default), as a crash or an OOM kill would."""
        process = self.processes[name]
        if process.poll() is None:
            os.killpg(process.pid, sig)
        process.wait(30)

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

    def __enter__(self) -> Stack:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
