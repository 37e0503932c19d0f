"""Shared fixtures. The `assistant` fixture runs the real three processes once per test run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml

from bot.assistant import content
from bot.core import settings
from bot.core.ports import free_ports
from bot.core.settings import ROOT, Settings
from bot.nlu.training import train
from bot.ops.stack import Stack
from bot.storage.store import Store
from tests import servers

SPEC = ROOT.parent / "shared" / "spec"

# The slow tiers, named by what a test needs; `make test-fast` runs everything else. A test
# that starts a process itself is marked where it is written.
STACK_FIXTURES = {"assistant_stack", "assistant", "chat", "report", "web"}
PRODUCTION_FIXTURES = {"production", "postgres", "redis_url"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        params = getattr(getattr(item, "callspec", None), "params", {})
        if fixtures & STACK_FIXTURES:
            item.add_marker(pytest.mark.stack)
        if fixtures & PRODUCTION_FIXTURES or "postgresql" in params.values():
            item.add_marker(pytest.mark.production)


@pytest.fixture(scope="session")
def config() -> Settings:
    return settings.load()


@pytest.fixture(scope="session")
def loaded(config: Settings) -> content.Content:
    return content.load(config.content_dir)


@pytest.fixture(scope="session")
def safety_classifier(config: Settings, loaded: content.Content):
    """The real safety classifier; `bot train` (run by `make test`) has usually cached it."""
    from bot.assistant.safety_training import safety_classifier

    return safety_classifier(loaded, config)


@pytest.fixture(scope="session")
def spec_topics() -> set[str]:
    return {t["id"] for t in yaml.safe_load((SPEC / "topics.yml").read_text())}


@pytest.fixture(scope="session")
def spec_contacts() -> set[str]:
    # The spec file has one unquoted colon that PyYAML rejects; the ids are what matter here.
    return {
        line.split(":", 1)[1].strip() for line in (SPEC / "contacts.yml").read_text().splitlines() if line.startswith("- id:")
    }


@pytest.fixture(scope="session")
def assistant_stack(config: Settings, loaded: content.Content, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A running assistant: Rasa, actions and web app on free ports, once per test run."""
    model, _ = train(loaded, config)
    var = tmp_path_factory.mktemp("var")
    stack_settings = config.isolated(var)
    with Stack(stack_settings, model, log_dir=var / "logs") as stack:
        yield stack


@pytest.fixture(scope="session")
def assistant(assistant_stack: Stack) -> str:
    """The URL of the running assistant."""
    return assistant_stack.url


@contextmanager
def web_app(var: Path, log_file: Path | None = None, **env: str) -> Iterator[str]:
    """`bot web` alone on a free port with extra settings; yields its URL.

    Without Rasa it still serves pages, call-backs and feedback (and /api/health says 503);
    given the ports and token of a running stack, it answers chat messages too.
    """
    port, rasa, actions = free_ports(3)
    child = {
        **os.environ,
        "PORT": str(port),
        "BOT_RASA_PORT": str(rasa),
        "BOT_ACTION_PORT": str(actions),
        "BOT_VAR_DIR": str(var),
        **env,
    }
    out = log_file.open("ab") if log_file is not None else subprocess.DEVNULL
    process = subprocess.Popen([sys.executable, "-m", "bot.ops.cli", "web"], env=child, cwd=ROOT, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_listening(f"{url}/api/health")
        yield url
    finally:
        process.terminate()
        process.wait(10)
        if log_file is not None:
            out.close()  # type: ignore[union-attr]


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty app database: SQLite, and PostgreSQL on the machine's server, as in production."""
    if request.param == "sqlite":
        yield Store(f"sqlite:///{tmp_path / 'app.db'}")
        return
    request.getfixturevalue("postgres")  # skips, with the reason, when PostgreSQL cannot be started
    with servers.fresh_database("store") as url:
        store = Store(url)
        yield store
        store.engine.dispose()


@pytest.fixture(scope="session")
def postgres() -> str:
    """The admin URL of a running PostgreSQL, or the test is skipped with the reason."""
    reason = servers.postgres_unavailable()
    if reason:
        pytest.skip(reason)
    return servers.POSTGRES


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The URL of a running Redis, or the test is skipped with the reason."""
    reason = servers.redis_unavailable()
    if reason:
        pytest.skip(reason)
    return servers.REDIS


@dataclass
class Production:
    stack: Stack
    tracker_url: str
    app_url: str
    smtp_port: int
    inbox: servers.Inbox

    @property
    def url(self) -> str:
        return self.stack.url


@pytest.fixture(scope="session")
def production(
    config: Settings, loaded: content.Content, postgres: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Production]:
    """The production shape as plain processes: two Rasa replicas sharing a PostgreSQL tracker
    store and Redis locks, the app's tables on PostgreSQL, rate limits counted in Redis, and
    a local SMTP server for call-back emails. Fresh databases and Redis keys, removed afterwards."""
    model, _ = train(loaded, config)
    var = tmp_path_factory.mktemp("production")
    prefix = f"t{uuid.uuid4().hex[:10]}"
    with servers.fresh_database("tracker") as tracker_url, servers.fresh_database("app") as app_url:
        shape = replace(config, lock_store_url=redis_url, redis_prefix=prefix).with_replicas(2).isolated(var)
        shape = replace(
            shape,
            tracker_store_url=tracker_url,
            database_url=app_url,
            rate_limit_storage_url=redis_url,
            smtp_host="127.0.0.1",
            smtp_port=free_ports(1)[0],
            email_retry_seconds=0.5,
        )
        stack = Stack(shape, model, log_dir=var / "logs")
        # Call-backs made by any test (the fuzzing makes hundreds) are emailed to a real local
        # SMTP server: with none, their retries end in an error log a later test would see.
        smtp, inbox = servers.start_smtp(shape.smtp_port)
        try:
            with stack:
                yield Production(stack, tracker_url, app_url, shape.smtp_port, inbox)
        finally:
            smtp.stop()
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(f"*{prefix}*"):
            client.delete(key)


def post(url: str, body: Any, raw: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    """POST to the API; returns the status and the JSON body, for error statuses too."""
    data = raw if raw is not None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def wait_until_listening(url: str, seconds: float = 90.0) -> None:
    """Wait for a server that is starting; any HTTP answer, even 503, means it is up."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=30):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {seconds:.0f} s")


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.fixture
def chat(assistant: str):
    def send(text: str, session_id: str = "test", **extra: Any) -> dict:
        status, body = post(f"{assistant}/api/chat", {"session_id": session_id, "text": text, **extra})
        assert status == 200, body
        return body

    return send


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
