"""POST /api/callback against a real local SMTP server (aiosmtpd), including one that is down."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from bot.core.ports import free_ports
from bot.storage.store import Store
from tests.conftest import post, wait_until_listening
from tests.servers import start_smtp

pytestmark = [pytest.mark.stack]  # each test talks to a `bot web` process

VALID = {
    "session_id": "family-1",
    "name": "Ann Smith",
    "phone": "07911 123456",
    "email": "ann@example.org",
    "preferred_time": "after 3pm",
    "topic": "mediation",
    "district": "Thanet",
    "message": "We would like to talk about mediation.",
    "consent": True,
}


@pytest.fixture(scope="module")
def smtp_port() -> int:
    return free_ports(1)[0]


@pytest.fixture(scope="module")
def web(tmp_path_factory, smtp_port):
    var = tmp_path_factory.mktemp("callback-var")
    port, rasa, actions = free_ports(3)
    env = {
        **os.environ,
        "PORT": str(port),
        "BOT_RASA_PORT": str(rasa),
        "BOT_ACTION_PORT": str(actions),
        "BOT_VAR_DIR": str(var),
        "BOT_SMTP_HOST": "127.0.0.1",
        "BOT_SMTP_PORT": str(smtp_port),
        "BOT_STAFF_EMAIL": "send-team@kent.example",
        "BOT_EMAIL_RETRY_SECONDS": "0.5",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.ops.cli", "web"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_listening(f"{url}/api/health")
    yield url, Store(f"sqlite:///{var / 'app.db'}")
    process.terminate()
    process.wait(10)


def wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_valid_request_is_stored_and_emailed_to_staff(web, smtp_port):
    url, store = web
    controller, inbox = start_smtp(smtp_port)
    try:
        status, body = post(f"{url}/api/callback", VALID)
        assert status == 201
        reference = body["reference"]
        row = store.get(reference)
        assert (row.name, row.phone, row.email, row.district, row.topic) == (
            "Ann Smith",
            "07911 123456",
            "ann@example.org",
            "Thanet",
            "mediation",
        )
        assert wait_for(lambda: store.get(reference).email_status == "sent")
        email = next(m for m in inbox.messages if reference in m["Subject"])
        assert email["To"] == "send-team@kent.example"
        assert "Ann Smith" in email.get_payload() and "07911 123456" in email.get_payload()
    finally:
        controller.stop()


def test_a_stopped_smtp_server_loses_nothing_and_the_email_is_retried(web, smtp_port):
    url, store = web
    status, body = post(f"{url}/api/callback", {**VALID, "name": "Bob Jones"})
    assert status == 201
    reference = body["reference"]
    assert wait_for(lambda: store.get(reference).email_attempts >= 2)
    row = store.get(reference)
    assert row.email_status == "pending" and "Refused" in row.last_error
    controller, inbox = start_smtp(smtp_port)
    try:
        assert wait_for(lambda: store.get(reference).email_status == "sent")
        assert any(reference in m["Subject"] for m in inbox.messages)
    finally:
        controller.stop()


@pytest.mark.parametrize(
    "change,field",
    [
        ({"consent": None}, "consent"),
        ({"consent": False}, "consent"),
        ({"consent": "yes"}, "consent"),
        ({"phone": "12345", "email": None}, "phone"),
        ({"phone": "+1 202 555 0123", "email": None}, "phone"),
        ({"phone": "07700 900123", "email": None}, "phone"),  # reserved for drama, never a real line
        ({"email": "ann@", "phone": None}, "email"),
        ({"phone": None, "email": None}, "contact"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"message": "x" * 1001}, "message"),
        ({"topic": "bins"}, "topic"),
        ({"district": "Medway"}, "district"),
        ({"session_id": "bad id!"}, "session_id"),
        ({"preferred_time": 5}, "preferred_time"),
    ],
)
def test_each_invalid_field_gets_400_with_its_error(web, change, field):
    url, store = web
    request = {**VALID, **change}
    request = {k: v for k, v in request.items() if v is not None}
    status, body = post(f"{url}/api/callback", request)
    assert status == 400
    assert field in body["fields"], body


def test_email_alone_or_phone_alone_is_enough(web):
    url, _ = web
    assert post(f"{url}/api/callback", {**{k: v for k, v in VALID.items() if k != "phone"}})[0] == 201
    assert post(f"{url}/api/callback", {**{k: v for k, v in VALID.items() if k != "email"}})[0] == 201


def test_not_json_is_400(web):
    url, _ = web
    assert post(f"{url}/api/callback", None, raw=b"name=Ann")[0] == 400
    assert post(f"{url}/api/callback", ["a"])[0] == 400
