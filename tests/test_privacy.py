"""What a family volunteers about themselves is never stored: not in Rasa's tracker, not in the app
database, not in any log. And the answers still work: the area routes to the right team and
the family's own dates are still worked out. Then the unanswered-questions report: questions
the assistant could not answer and "No" feedback, sent through the chat, found grouped.

The real stack (Rasa, actions) behind a web app of its own on the stack's app database."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from bot.core.redact import redact
from bot.ops.stack import Stack
from tests.conftest import web_app

SECRETS = ("ann.smith@example.com", "07911 123456", "07911123456", "1AB", "12 Elm Road", "14/03/2015")
VOLUNTEERED = (
    "my son was born on 14/03/2015 and we live at 12 Elm Road, Margate CT9 1AB. "
    "Email me at ann.smith@example.com or ring 07911 123456. Who do I ring about his EHCP?"
)
PASSWORD = "a long and memorable passphrase"


def test_redaction_keeps_what_answers_need():
    assert redact(VOLUNTEERED) == (
        "my son was born on [date of birth] and we live at [address], Margate CT9. "
        "Email me at [email] or ring [phone]. Who do I ring about his EHCP?"
    )
    kept = "the refusal letter is dated 14 July 2026 and mediation ended on 20/11/2026, I live in TN23"
    assert redact(kept) == kept
    assert redact("call +44 (0)1227 456789 or 01227456789") == "call [phone] or [phone]"
    assert redact("DOB: 3rd March 2015, birthday is 3 March") == "DOB: [date of birth], birthday is [date of birth]"
    for said in (
        "syn urodzony 14.03.2015",
        "син народився 14 березня 2015",
        "fiul meu născut pe 14.03.2015",
        "بیٹا پیدا ہوا 14/03/2015",
        "छोरा जन्मेको 14-03-2015",
    ):
        assert redact(said).endswith("[date of birth]"), said


@pytest.fixture(scope="module")
def site(assistant_stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Stack]]:
    stack = assistant_stack.settings
    var = tmp_path_factory.mktemp("privacy-var")
    log = var / "web.log"
    import os

    made = subprocess.run(
        [sys.executable, "-m", "bot.ops.cli", "staff", "add-user", "editor@kent.gov.uk", "--role", "editor"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env={**os.environ, "BOT_VAR_DIR": str(var), "APP_DATABASE_URL": stack.database_url},
    )
    assert made.returncode == 0 or "already has an account" in made.stderr, made.stderr
    with web_app(
        var,
        log_file=log,
        BOT_RASA_PORT=str(stack.rasa_port),
        BOT_ACTION_PORT=str(stack.action_port),
        BOT_RASA_TOKEN=assistant_stack.token,
        APP_DATABASE_URL=stack.database_url,
        BOT_LOG_LEVEL="debug",
        BOT_STAFF_COOKIE_SECURE="false",
    ) as url:
        yield url, log, assistant_stack


def chat(url: str, session: str, message: str, language: str = "en") -> dict:
    response = requests.post(f"{url}/api/chat", json={"session_id": session, "text": message, "language": language}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def everything_stored(stack: Stack, web_log: Path) -> str:
    """The tracker's events, every table of the app database, and every log, as one text."""
    parts = []
    for url in (stack.settings.tracker_store_url, stack.settings.database_url):
        engine = create_engine(url)
        with engine.connect() as connection:
            tables = [r[0] for r in connection.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))]
            for table in tables:
                parts += [" ".join(map(str, row)) for row in connection.execute(text(f'SELECT * FROM "{table}"'))]
        engine.dispose()
    logs = [web_log, *(stack.log_dir or Path("/nonexistent")).glob("*.log")]
    parts += [p.read_text(errors="replace") for p in logs if p.exists()]
    return "\n".join(parts)


def test_personal_details_are_stored_nowhere_and_the_answer_still_works(site):
    url, log, stack = site
    reply = chat(url, "privacy-1", VOLUNTEERED)
    contacts = {c for m in reply["messages"] for c in m["contacts"]}
    assert "send-area-east" in contacts, reply  # Margate's team: the district was kept
    dates = chat(
        url,
        "privacy-2",
        "the refusal letter is dated 14 July 2026, when is the last day to appeal? my email is ann.smith@example.com",
    )
    assert any(m.get("dates") for m in dates["messages"]), dates  # the family's own date was kept
    stored = ""
    for _ in range(50):  # Rasa may write the tracker just after it answers
        stored = everything_stored(stack, log)
        if "Email me at [email]" in stored and "my email is [email]" in stored:
            break
        time.sleep(0.2)
    assert "Email me at [email] or ring [phone]" in stored  # what was stored is what the check read
    for secret in SECRETS:
        assert secret not in stored, f"{secret!r} was stored"


# Worded for this test alone: the stack's database is shared with the other tests of the run.
UNANSWERED = [
    "who repaints the faded zebra crossing outside our school",
    "who repaints the zebra crossing outside the school, it has faded",
    "who do i ask to repaint the faded zebra crossing outside school",
]


def test_questions_we_could_not_answer_and_no_feedback_are_grouped_in_the_report(site):
    url, _log, _stack = site
    kinds = [m["kind"] for n, q in enumerate(UNANSWERED) for m in chat(url, f"report-{n}", q)["messages"]]
    assert "fallback" in kinds or "search" in kinds or "clarify" in kinds
    feedback = requests.post(
        f"{url}/api/feedback",
        json={
            "session_id": "report-9",
            "topic": None,
            "helpful": False,
            "comment": "I wanted to know about zebra crossing paint, ring 07911 123456",
        },
        timeout=10,
    )
    assert feedback.status_code == 201
    editor = requests.Session()
    token = re.search(r'name="csrf" value="([^"]+)"', editor.get(f"{url}/staff/login").text).group(1)
    signed = editor.post(
        f"{url}/staff/login", data={"csrf": token, "email": "editor@kent.gov.uk", "password": PASSWORD}, allow_redirects=False
    )
    assert signed.status_code == 303
    page = editor.get(f"{url}/staff/questions").text
    cards = page.split('class="govuk-summary-card"')[1:]
    crossings = [c for c in cards if "repaint" in c]
    assert len(crossings) == 1, "the three questions sit in one group"
    assert re.search(r"\((\d+)\)</h2>", crossings[0]).group(1) == "3"
    assert "zebra crossing paint" in page and "07911" not in page  # the feedback comment, redacted
    key = re.search(r'name="group" value="([^"]+)"', crossings[0]).group(1)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    marked = editor.post(
        f"{url}/staff/questions/mark",
        data={"csrf": token, "group": key, "mark": "out_of_scope", "topic": ""},
        allow_redirects=False,
    )
    assert marked.status_code == 303
    export = editor.get(f"{url}/staff/questions.csv")
    assert export.headers["Content-Type"].startswith("text/csv")
    line = next(row for row in export.text.splitlines() if key in row)
    assert ",3," in line and "out_of_scope" in line
