"""The production shape, as plain processes: two Rasa replicas, Redis locks, PostgreSQL for
conversations and the app's tables, and the faults a county-wide service must survive.

Every conversation follows a script whose replies can only come back right if each
message is answered in order with the session's history: topic questions in turn, and
"tell me more", which answers about the previous topic.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import stat
import threading
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import create_engine, text

from bot.storage.store import Store
from bot.web.replicas import Replicas
from tests.conftest import get, post
from tests.servers import set_database_up
from tests.test_callback import VALID, wait_for

TOPICS = ("mediation", "ehcp-what-is", "tribunal-appeal", "school-transport", "ombudsman")
MORE = "tell me more"
# Indexes into a session's five topics (rotated per session); None is "tell me more".
SHAPE = (0, 1, None, 2, 3, None, 4, 0, None, 1)


def script(loaded, n: int) -> list[tuple[str, str]]:
    """(text, the topic its answer must have) for session n's ten messages."""
    topics = TOPICS[n % len(TOPICS) :] + TOPICS[: n % len(TOPICS)]
    steps, last = [], ""
    for index in SHAPE:
        if index is None:
            steps.append((MORE, last))
        else:
            last = topics[index]
            steps.append((loaded.page(last, "en").examples[0], last))
    return steps


async def converse(
    client: aiohttp.ClientSession, url: str, session: str, steps: list[tuple[str, str]], replies: list[int]
) -> list[str]:
    """Send the steps one after another, as a person does; the problems found."""
    problems = []
    for i, (message, topic) in enumerate(steps):
        async with client.post(f"{url}/api/chat", json={"session_id": session, "text": message}) as response:
            body = await response.json()
        replies.append(1)
        if response.status != 200:
            problems.append(f"{session} #{i}: {response.status} {body}")
            continue
        first = body["messages"][0] if body["messages"] else {}
        if (first.get("kind"), first.get("topic")) != ("answer", topic):
            problems.append(f"{session} #{i} {message!r}: got {first.get('kind')}/{first.get('topic')}, expected {topic}")
    return problems


def run_load(url: str, sessions: dict[str, list[tuple[str, str]]], replies: list[int]) -> list[str]:
    async def main() -> list[str]:
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as client:
            found = await asyncio.gather(*(converse(client, url, s, steps, replies) for s, steps in sessions.items()))
        return [problem for problems in found for problem in problems]

    return asyncio.run(main())


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def new_log_lines(log_dir: Path, since: dict[str, int]) -> str:
    return "".join(path.read_bytes()[since.get(path.name, 0) :].decode(errors="replace") for path in log_dir.glob("*.log"))


def log_sizes(log_dir: Path) -> dict[str, int]:
    return {path.name: path.stat().st_size for path in log_dir.glob("*.log")}


def conversation(tracker_url: str, session: str) -> list[tuple[str, str]]:
    """(text, topic of the first answer to it) for each message, as stored in Rasa's tracker store."""
    engine = create_engine(tracker_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT type_name, data FROM events WHERE sender_id = :s AND type_name IN ('user', 'bot') ORDER BY id"),
                {"s": session},
            ).all()
    finally:
        engine.dispose()
    turns: list[list[str]] = []
    for kind, data in rows:
        event = json.loads(data)
        if kind == "user":
            turns.append([event["text"]])
        elif len(turns[-1]) == 1:
            turns[-1].append(event["data"]["custom"]["topic"])
    return [(turn[0], turn[1] if len(turn) > 1 else "") for turn in turns]


def test_health_reports_each_replica(production):
    status, body = get(f"{production.url}/api/health")
    assert status == 200
    assert body == {
        "status": "ok",
        "model": True,
        "actions": True,
        "replicas": [{"name": "rasa-1", "model": True}, {"name": "rasa-2", "model": True}],
    }


def test_two_replicas_take_50_sessions_of_10_messages_in_order(production, loaded):
    stack = production.stack
    sessions = {f"load-{n}": script(loaded, n) for n in range(50)}
    ranking = Replicas(stack.settings.rasa_urls, "")
    assert {ranking.order(s)[0].name for s in sessions} == {"rasa-1", "rasa-2"}
    cpu_before = {name: cpu_seconds(stack.processes[name].pid) for name in stack.replicas}
    logs_before = log_sizes(stack.log_dir)

    replies: list[int] = []
    problems = run_load(production.url, sessions, replies)

    assert problems == [] and len(replies) == 500
    # Both replicas did the work, not one of them.
    assert all(cpu_seconds(stack.processes[name].pid) - cpu_before[name] > 1.0 for name in stack.replicas)
    logs = new_log_lines(stack.log_dir, logs_before)
    assert "Traceback" not in logs and " ERROR " not in logs
    # The shared tracker in PostgreSQL holds each conversation in the order it was sent.
    for session in ("load-0", "load-17", "load-49"):
        assert conversation(production.tracker_url, session) == sessions[session]


def test_call_backs_are_stored_in_postgresql(production):
    status, body = post(f"{production.url}/api/callback", {**VALID, "session_id": "pg-callback"})
    assert status == 201
    row = Store(production.app_url).get(body["reference"])
    assert (row.session_id, row.name) == ("pg-callback", "Ann Smith")


def test_a_killed_replica_s_sessions_continue_on_the_other(production, loaded):
    stack = production.stack
    ranking = Replicas(stack.settings.rasa_urls, "")
    sessions = {f"kill-{n}": script(loaded, n) for n in range(20)}
    moved = [s for s in sessions if ranking.order(s)[0].name == "rasa-1"]
    assert moved, "some sessions must start on the replica that is killed"
    replies: list[int] = []

    def kill_when_busy() -> None:
        assert wait_for(lambda: len(replies) >= 40, 120)
        stack.kill("rasa-1")  # SIGKILL: a crash, mid-message for some sessions

    killer = threading.Thread(target=kill_when_busy)
    killer.start()
    problems = run_load(production.url, sessions, replies)
    killer.join()

    assert problems == [] and len(replies) == 200
    status, body = get(f"{production.url}/api/health")
    assert (status, body["status"], body["replicas"][0]) == (200, "degraded", {"name": "rasa-1", "model": False})

    # Restarted, rasa-1 takes its sessions back and reads their history from PostgreSQL.
    stack.launch("rasa-1")
    stack.wait_ready(240, ["rasa-1"])
    session = moved[0]
    status, reply = post(f"{production.url}/api/chat", {"session_id": session, "text": MORE})
    assert status == 200 and reply["messages"][0]["topic"] == sessions[session][-1][1]


def test_after_every_replica_restarts_conversations_continue(production):
    stack, url = production.stack, production.url
    assert post(f"{url}/api/chat", {"session_id": "restart-all", "text": "what is send mediation"})[0] == 200
    for name in stack.replicas:
        stack.kill(name, signal.SIGTERM)
    status, body = post(f"{url}/api/chat", {"session_id": "restart-all", "text": MORE})
    assert status == 503 and "03000 41 3000" in body["error"] and "999" in body["error"]
    assert get(f"{url}/api/health")[1]["status"] == "unavailable"
    for name in stack.replicas:
        stack.launch(name)
    stack.wait_ready(240)
    status, reply = post(f"{url}/api/chat", {"session_id": "restart-all", "text": MORE})
    assert status == 200 and (reply["messages"][0]["kind"], reply["messages"][0]["topic"]) == ("answer", "mediation")


def test_action_server_down_gives_phone_numbers_then_recovers(production):
    stack, url = production.stack, production.url
    stack.kill("actions")
    try:
        status, reply = post(f"{url}/api/chat", {"session_id": "no-actions", "text": "what is send mediation"})
        assert status == 200
        [message] = reply["messages"]
        assert message["kind"] == "fallback" and "999" in message["text"] and "03000 41 3000" in message["text"]
        assert "iask" in message["contacts"] and all(card["tel"].startswith("tel:") for card in message["cards"])
        status, health = get(f"{url}/api/health")
        assert (status, health["actions"]) == (503, False)
    finally:
        stack.launch("actions")
        stack.wait_ready(240)
    status, reply = post(f"{url}/api/chat", {"session_id": "no-actions", "text": "what is send mediation"})
    assert status == 200 and (reply["messages"][0]["kind"], reply["messages"][0]["topic"]) == ("answer", "mediation")


def test_call_backs_wait_in_the_spool_while_the_database_is_down(production):
    url, spool, inbox = production.url, production.stack.settings.spool_dir, production.inbox
    logs_before = log_sizes(production.stack.log_dir)
    set_database_up(production.app_url, False)
    try:
        status, body = post(f"{url}/api/callback", {**VALID, "session_id": "db-down", "name": "Cara Down"})
        assert status == 201
        reference = body["reference"]
        spooled = spool / f"{reference}.json"
        assert spooled.exists() and stat.S_IMODE(spooled.stat().st_mode) == 0o600
        assert post(f"{url}/api/chat", {"session_id": "db-down", "text": "hello"})[0] == 200
    finally:
        set_database_up(production.app_url, True)
    store = Store(production.app_url)
    assert wait_for(lambda: store.get(reference) is not None, 30)
    assert store.get(reference).name == "Cara Down" and not spooled.exists()
    assert wait_for(lambda: any(reference in m["Subject"] for m in inbox.messages), 30)
    logs = new_log_lines(production.stack.log_dir, logs_before)
    assert reference in logs
    assert "Cara Down" not in logs and "07911" not in logs and "ann@example.org" not in logs


@pytest.mark.parametrize("text", ["nul \x00 byte", "lone \ud800 surrogate"])
def test_text_postgresql_cannot_store_is_refused_with_400(production, text):
    status, body = post(f"{production.url}/api/chat", {"session_id": "bad-text", "text": text})
    assert status == 400 and "control characters" in body["error"]


def test_tracker_database_down_families_still_get_answers(production):
    """Rasa falls back to a tracker in memory: answers go on; what is said meanwhile is not kept."""
    url = production.url
    set_database_up(production.tracker_url, False)
    try:
        status, reply = post(f"{url}/api/chat", {"session_id": "tracker-down", "text": "what is send mediation"})
        assert status == 200 and reply["messages"][0]["topic"] == "mediation"
    finally:
        set_database_up(production.tracker_url, True)
    status, reply = post(f"{url}/api/chat", {"session_id": "tracker-down", "text": "what is an ehcp"})
    assert status == 200 and reply["messages"][0]["topic"] == "ehcp-what-is"
    assert conversation(production.tracker_url, "tracker-down")[-1] == ("what is an ehcp", "ehcp-what-is")


@pytest.mark.stack
def test_lock_store_down_gives_phone_numbers(config, loaded, tmp_path):
    """Without its lock Rasa will not touch a conversation; the web app gives the phone numbers."""
    from dataclasses import replace

    from bot.core.ports import free_ports
    from bot.nlu.training import train
    from bot.ops.stack import Stack

    model, _ = train(loaded, config)
    dead_redis = f"redis://127.0.0.1:{free_ports(1)[0]}/0"
    shape = replace(config.isolated(tmp_path), lock_store_url=dead_redis, rate_limit_storage_url=dead_redis)
    with Stack(shape, model, log_dir=tmp_path / "logs") as stack:
        status, reply = post(f"{stack.url}/api/chat", {"session_id": "no-locks", "text": "what is send mediation"})
    assert status == 200
    [message] = reply["messages"]
    assert message["kind"] == "fallback" and "999" in message["text"] and "03000 41 3000" in message["text"]
