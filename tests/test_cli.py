"""The `bot` command, run as families' staff and engineers run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bot.ops.stack import child_env
from tests.conftest import SPEC, get, post, wait_until_listening, write

pytestmark = [pytest.mark.stack]  # runs the `bot` command as a process


def bot(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.ops.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def test_content_check_passes_on_the_real_content():
    result = bot("content", "check")
    assert result.returncode == 0, result.stdout
    assert "0 errors" in result.stderr


def test_content_check_fails_with_file_and_line(tmp_path, config):
    import shutil

    shutil.copytree(config.content_dir, tmp_path / "content")
    page = tmp_path / "content" / "en" / "mediation.md"
    page.write_text(page.read_text().replace("{{ contact('mediation').phone }}", "{{ contact('mediation').fax }}", 1))
    result = bot("content", "check", env={"BOT_CONTENT_DIR": str(tmp_path / "content")})
    assert result.returncode == 1
    assert any(
        line.startswith("content/en/mediation.md:") and "broken placeholder" in line for line in result.stdout.splitlines()
    )


def test_content_list_json_lists_every_topic_and_level(loaded):
    result = bot("content", "list", "--format", "json")
    rows = json.loads(result.stdout)
    assert all(set(row) == {"topic", "language", "reading_level"} for row in rows)
    assert {(r["topic"], r["reading_level"]) for r in rows if r["language"] == "en"} == {
        (t, level) for t in loaded.topics for level in ("standard", "easy")
    }
    # issue 14: the long-tail topics in all six languages at both reading levels
    added = list(loaded.topics)[list(loaded.topics).index("bullying-and-discrimination") :]
    listed = {(r["topic"], r["language"], r["reading_level"]) for r in rows}
    languages = ("en", "pl", "uk", "ro", "ur", "ne")
    assert {(t, lang, level) for t in added for lang in languages for level in ("standard", "easy")} <= listed


def test_a_bad_setting_stops_with_a_clear_message():
    result = bot("content", "check", env={"PORT": "eighty"})
    assert result.returncode != 0
    assert "configuration error: PORT must be a port number, got 'eighty'" in result.stderr
    assert "Traceback" not in result.stderr


def test_ask_against_a_running_assistant(assistant):
    result = bot("ask", "what is mediation", "--url", assistant)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("[answer (mediation)]")


def test_ask_easy_json(assistant, loaded):
    result = bot("ask", "what is mediation", "--easy", "--json", "--url", assistant)
    reply = json.loads(result.stdout)
    assert reply["messages"][0]["text"] == loaded.page("mediation", "en").sections["easy"]


def test_eval_prints_failures_groups_and_the_counts_line(assistant, tmp_path):
    cases = write(
        tmp_path / "cases.yml",
        "- {id: good, text: what is mediation, expect: {topic: mediation}}\n"
        "- {id: bad, text: what is mediation, expect: {topic: ombudsman}}\n",
    )
    result = bot("eval", str(cases), "--url", assistant)
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "1 passed, 1 failed"
    assert lines[0].startswith("FAIL bad:")
    assert "group complaints: 1/2 = 50.0%" in lines
    assert "language en: 1/2 = 50.0%" in lines
    assert result.returncode == 1
    assert bot("eval", str(cases), "--url", assistant, "--min-accuracy", "0.5").returncode == 0


def test_eval_reads_the_spec_example_format(assistant):
    result = bot("eval", str(SPEC / "eval-example.yml"), "--url", assistant)
    assert result.stdout.strip().splitlines()[-1].endswith("failed")


def test_eval_reports_a_malformed_file(tmp_path):
    result = bot("eval", str(write(tmp_path / "bad.yml", "- {text: no id}\n")))
    assert result.returncode != 0 and "every case needs an 'id'" in result.stderr


def test_telemetry_is_off_in_every_process(config):
    code = "import rasa.telemetry as t; print(t.is_telemetry_enabled())"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**child_env(config, "token"), "HOME": "/nonexistent"},
        timeout=120,
    )
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_health_is_503_and_chat_503_when_rasa_is_down(tmp_path):
    from bot.core.ports import free_ports

    web, rasa, actions = free_ports(3)
    env = {**os.environ, "PORT": str(web), "BOT_RASA_PORT": str(rasa), "BOT_ACTION_PORT": str(actions)}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.ops.cli", "web"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        url = f"http://127.0.0.1:{web}"
        wait_until_listening(f"{url}/api/health")
        status, body = get(f"{url}/api/health")
        assert (status, body) == (
            503,
            {"status": "unavailable", "model": False, "actions": False, "replicas": [{"name": "rasa-1", "model": False}]},
        )
        status, body = post(f"{url}/api/chat", {"session_id": "a", "text": "hello"})
        assert status == 503 and "not available" in body["error"]
        status, _ = post(f"{url}/api/chat", None, raw=b"nope")
        assert status == 400
    finally:
        process.terminate()
        process.wait(10)


def test_verbose_is_a_flag_of_every_command():
    from bot.ops.cli import parser

    assert parser().parse_args(["-v", "serve"]).verbose is True
    assert parser().parse_args(["serve"]).verbose is False
