"""Rate limits on /api/*: 429 with Retry-After, per session and per IP, shared through Redis.

The web app runs on its own here (no Rasa behind it), so requests under the limit get
503; what matters is which requests get 429.
"""

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

import pytest

from bot.core.ports import free_ports
from tests.conftest import get, post, wait_until_listening
from tests.test_callback import VALID

pytestmark = [pytest.mark.stack]  # each test starts `bot web` processes


@contextmanager
def web(tmp_path, **settings: str) -> Iterator[str]:
    port, rasa, actions, smtp = free_ports(4)
    env = {
        **os.environ,
        "PORT": str(port),
        "BOT_RASA_PORT": str(rasa),
        "BOT_ACTION_PORT": str(actions),
        "BOT_SMTP_HOST": "127.0.0.1",
        "BOT_SMTP_PORT": str(smtp),
        "BOT_VAR_DIR": str(tmp_path / uuid.uuid4().hex),
        **settings,
    }
    log = tmp_path / f"web-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "bot.ops.cli", "web"], env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_listening(f"{url}/")  # outside /api/, so waiting does not count against the limits
        yield url
    finally:
        process.terminate()
        process.wait(10)
        assert "Traceback" not in log.read_text(), log.read_text()


def chat(url: str, session: str, headers: dict[str, str] | None = None) -> tuple[int, dict, dict]:
    """Status, body and headers of one chat request."""
    request = urllib.request.Request(
        f"{url}/api/chat",
        data=json.dumps({"session_id": session, "text": "hi"}).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}"), dict(error.headers)


def test_a_session_over_its_limit_gets_429_with_retry_after(tmp_path):
    with web(tmp_path, BOT_RATE_LIMIT_SESSION="3/minute", BOT_RATE_LIMIT_IP="100/minute") as url:
        assert [chat(url, "busy")[0] for _ in range(3)] == [503, 503, 503]
        status, body, headers = chat(url, "busy")
        assert status == 429 and "Too many requests" in body["error"]
        assert 1 <= int(headers["Retry-After"]) <= 60
        assert chat(url, "another")[0] == 503, "other sessions are not held back"


def test_an_ip_over_its_limit_gets_429_whatever_session_it_names(tmp_path):
    with web(tmp_path, BOT_RATE_LIMIT_SESSION="100/minute", BOT_RATE_LIMIT_IP="5/minute") as url:
        assert [chat(url, f"s{i}")[0] for i in range(5)] == [503] * 5
        assert chat(url, "s-new")[0] == 429
        assert get(f"{url}/api/strings")[0] == 429, "every /api/ path counts but the health check"


def test_behind_a_trusted_proxy_each_family_has_its_own_limit(tmp_path):
    with web(tmp_path, BOT_RATE_LIMIT_IP="2/minute", BOT_TRUSTED_PROXIES="127.0.0.0/8") as url:
        family = {"X-Forwarded-For": "203.0.113.7"}
        assert [chat(url, f"f{i}", family)[0] for i in range(3)] == [503, 503, 429]
        assert chat(url, "other", {"X-Forwarded-For": "203.0.113.8"})[0] == 503
        # A client cannot pick a new address by adding its own header in front of the proxy's.
        assert chat(url, "sneaky", {"X-Forwarded-For": "198.51.100.1, 203.0.113.7"})[0] == 429


def test_without_a_trusted_proxy_forwarded_for_is_ignored(tmp_path):
    with web(tmp_path, BOT_RATE_LIMIT_IP="2/minute") as url:
        statuses = [chat(url, f"g{i}", {"X-Forwarded-For": f"203.0.113.{i}"})[0] for i in range(3)]
        assert statuses == [503, 503, 429]


def test_limits_hold_across_web_replicas_sharing_redis(tmp_path, redis_url):
    shared = {
        "BOT_RATE_LIMIT_STORAGE_URL": redis_url,
        "BOT_REDIS_PREFIX": f"t{uuid.uuid4().hex[:10]}",
        "BOT_RATE_LIMIT_SESSION": "3/minute",
    }
    with web(tmp_path, **shared) as one, web(tmp_path, **shared) as two:
        assert [chat(one, "shared")[0], chat(two, "shared")[0], chat(one, "shared")[0]] == [503, 503, 503]
        assert chat(two, "shared")[0] == 429


def test_with_redis_down_requests_are_let_through(tmp_path):
    with web(
        tmp_path, BOT_RATE_LIMIT_STORAGE_URL=f"redis://127.0.0.1:{free_ports(1)[0]}/0", BOT_RATE_LIMIT_SESSION="1/minute"
    ) as url:
        assert [chat(url, "redis-down")[0] for _ in range(3)] == [503, 503, 503]


def test_accepted_call_backs_are_limited_per_ip_but_mistakes_are_not(tmp_path):
    with web(tmp_path, BOT_RATE_LIMIT_CALLBACK="2/hour") as url:
        assert [post(f"{url}/api/callback", {**VALID, "consent": False})[0] for _ in range(3)] == [400] * 3
        assert [post(f"{url}/api/callback", VALID)[0] for _ in range(2)] == [201, 201]
        status, body = post(f"{url}/api/callback", VALID)
        assert status == 429 and "Too many" in body["error"]


@pytest.mark.parametrize("raw", [b"[" * 5000 + b"]" * 5000, b'{"session_id": ' + b"[" * 10000])
def test_deeply_nested_json_is_400_not_500(tmp_path, raw):
    with web(tmp_path) as url:
        for path in ("/api/chat", "/api/callback"):
            status, body = post(f"{url}{path}", None, raw=raw)
            assert status == 400 and "nested" in body["error"]


def test_health_checks_are_never_rate_limited(tmp_path):
    """A load balancer's health check that got 429 under load would take a healthy replica out."""
    with web(tmp_path, BOT_RATE_LIMIT_SESSION="3/minute", BOT_RATE_LIMIT_IP="3/minute") as url:
        statuses = {get(f"{url}/api/health")[0] for _ in range(10)}
        assert statuses == {503}  # no Rasa behind this web app: unavailable, never 429
        assert [chat(url, "s")[0] for _ in range(4)][-1] == 429  # while /api/chat is limited
        assert get(f"{url}/api/health")[0] == 503
