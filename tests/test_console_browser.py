"""The staff console in Chromium, by keyboard alone, with axe-core on every page: an agent signs
in, finds a call-back a family made through /api/callback, records the outcome, and the request
leaves "new"; the family's status lookup then says the team has been in touch."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from bot.core.feedback import NewFeedback
from bot.storage.store import Store
from tests.conftest import web_app
from tests.test_widget import ARTIFACTS, AXE, browser, run_axe  # noqa: F401 - browser is a fixture

pytestmark = pytest.mark.browser
PASSWORD = "a long and memorable passphrase"


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    var = tmp_path_factory.mktemp("console-browser")
    import os

    env = {**os.environ, "BOT_VAR_DIR": str(var)}
    for email, role in (("agent@kent.gov.uk", "agent"), ("editor@kent.gov.uk", "editor"), ("admin@kent.gov.uk", "admin")):
        made = subprocess.run(
            [sys.executable, "-m", "bot.ops.cli", "staff", "add-user", email, "--role", role],
            input=PASSWORD + "\n",
            capture_output=True,
            text=True,
            env=env,
        )
        assert made.returncode == 0, made.stderr
    store = Store(f"sqlite:///{var / 'app.db'}")
    store.migrate()
    for language, question in (
        ("en", "can my child get free swimming lessons"),
        ("en", "free swimming lessons for my child?"),
        ("pl", "czy dziecko może mieć darmowe lekcje pływania"),
        ("en", "what time does the tip open"),
    ):
        store.add_unanswered(language, "fallback", None, question)
    store.add_feedback(NewFeedback("s-9", "school-transport", False, "It did not say how long the taxi form takes"))
    store.add_feedback(NewFeedback("s-9", "school-transport", True, None))
    store.engine.dispose()
    with web_app(var) as url:
        yield url.replace("127.0.0.1", "localhost")  # a secure context: the Secure cookie is kept over http


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:  # noqa: F811 - the imported browser fixture
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    yield page
    context.close()


def tab_until(page: Any, predicate: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate})(document.activeElement)"):
            return
    raise AssertionError(f"the keyboard never reached: {predicate}")


def press_enter_and_wait(page: Any) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def sign_in_by_keyboard(page: Any, url: str, email: str) -> None:
    page.goto(f"{url}/staff/callbacks")  # no session: sent to sign in
    assert page.url.endswith("/staff/login")
    assert run_axe(page, "console-login") == []
    tab_until(page, "el.id === 'email'")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    press_enter_and_wait(page)
    assert page.url.endswith("/staff/")


def test_an_agent_closes_a_call_back_by_keyboard_and_the_family_sees_it_done(tab, console):
    made = requests.post(
        f"{console}/api/callback",
        json={
            "session_id": "browser-1",
            "name": "Sam Jones",
            "phone": "07911 123456",
            "message": "About transport",
            "district": "Thanet",
            "language": "pl",
            "consent": True,
        },
        timeout=10,
    )
    assert made.status_code == 201
    reference = made.json()["reference"]
    sign_in_by_keyboard(tab, console, "agent@kent.gov.uk")
    assert run_axe(tab, "console-home") == []
    tab_until(tab, "el.textContent.trim().startsWith('New:')")
    press_enter_and_wait(tab)
    assert run_axe(tab, "console-queue") == []
    row = tab.locator("tr", has_text=reference)
    assert row.count() == 1 and "Thanet" in row.inner_text() and "pl" in row.inner_text()
    tab_until(tab, f"el.textContent.trim() === '{reference}'")
    press_enter_and_wait(tab)
    assert tab.locator("h1").inner_text() == f"Call-back {reference}"
    assert "Sam Jones" in tab.content() and "07911 123456" in tab.content()
    assert run_axe(tab, "console-request") == []
    tab.screenshot(path=str(ARTIFACTS / "console-request.png"), full_page=True)
    tab_until(tab, "el.textContent.trim() === 'Take this request'")
    press_enter_and_wait(tab)
    assert "Taken by agent@kent.gov.uk" in tab.content()
    tab_until(tab, "el.id === 'outcome'")
    tab.keyboard.press("Space")
    tab_until(tab, "el.id === 'note'")
    tab.keyboard.type("Spoke to Sam; transport form sent.")
    tab_until(tab, "el.textContent.trim() === 'Record and close'")
    press_enter_and_wait(tab)
    assert "status=new" in tab.url
    assert tab.locator("tr", has_text=reference).count() == 0  # gone from "new"
    assert run_axe(tab, "console-queue-after") == []
    tab.screenshot(path=str(ARTIFACTS / "console-queue.png"), full_page=True)
    status = requests.get(f"{console}/api/callback/{reference}", timeout=10).json()
    assert status["status"] == "done" and "Sam" not in str(status)


def test_the_report_and_stats_pages_pass_axe_for_an_editor(tab, console):
    sign_in_by_keyboard(tab, console, "editor@kent.gov.uk")
    for path, name in (("/staff/questions", "console-questions"), ("/staff/stats", "console-stats")):
        tab.goto(console + path)
        assert tab.locator("h1").count() == 1
        if name == "console-questions":
            assert "swimming lessons" in tab.content() and tab.locator(".govuk-summary-card").count() == 4
        assert run_axe(tab, name) == []
        tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_the_accounts_page_and_the_set_up_page_pass_axe(tab, console):
    sign_in_by_keyboard(tab, console, "admin@kent.gov.uk")
    tab.goto(f"{console}/staff/users")
    assert "agent@kent.gov.uk" in tab.content() and "sign_in" in tab.content()  # the audit log
    assert run_axe(tab, "console-users") == []
    tab.goto(f"{console}/staff/setup?token=not-a-real-token")
    assert run_axe(tab, "console-setup") == []
    tab_until(tab, "el.id === 'password'")
    tab.keyboard.type("long enough password")
    tab.keyboard.press("Tab")
    tab.keyboard.type("long enough password")
    press_enter_and_wait(tab)
    assert "expired or has been used" in tab.content()
    assert run_axe(tab, "console-setup-error") == []
