"""The staff console's security and its work: `bot web` in its own process, real HTTP with
cookies, a real database. Accounts are made with `bot staff add-user`, as staff would."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import text

from bot.storage.store import NewCallback, Store
from tests.conftest import web_app
from tests.test_cli import bot

PASSWORD = "correct horse battery staple"
ROUTES = [
    ("GET", "/staff/"),
    ("GET", "/staff/callbacks"),
    ("GET", "/staff/callbacks/CB-ABCDEFGH"),
    ("POST", "/staff/callbacks/CB-ABCDEFGH/take"),
    ("POST", "/staff/callbacks/CB-ABCDEFGH/close"),
    ("GET", "/staff/questions"),
    ("GET", "/staff/questions.csv"),
    ("POST", "/staff/questions/mark"),
    ("GET", "/staff/stats"),
    ("GET", "/staff/users"),
    ("POST", "/staff/users/disable"),
    ("POST", "/staff/logout"),
]


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    var = tmp_path_factory.mktemp("console")
    env = {"BOT_VAR_DIR": str(var), "APP_DATABASE_URL": f"sqlite:///{var / 'app.db'}"}
    for email, role in (
        ("agent@kent.gov.uk", "agent"),
        ("editor@kent.gov.uk", "editor"),
        ("admin@kent.gov.uk", "admin"),
        ("gone@kent.gov.uk", "agent"),
    ):
        made = subprocess.run(
            [sys.executable, "-m", "bot.ops.cli", "staff", "add-user", email, "--role", role],
            input=PASSWORD + "\n",
            capture_output=True,
            text=True,
            env={**__import__("os").environ, **env},
        )
        assert made.returncode == 0, made.stderr
    assert bot("staff", "disable", "gone@kent.gov.uk", env=env).returncode == 0
    with web_app(
        var,
        BOT_STAFF_COOKIE_SECURE="false",
        BOT_RATE_LIMIT_LOGIN="5/15 minutes",
        BOT_RATE_LIMIT_LOGIN_IP="100/15 minutes",
        APP_DATABASE_URL=env["APP_DATABASE_URL"],
    ) as url:
        yield url, var


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "every form carries a CSRF token"
    return match.group(1)


def sign_in(url: str, email: str, password: str = PASSWORD) -> tuple[requests.Session, requests.Response]:
    browser = requests.Session()
    token = csrf_of(browser.get(f"{url}/staff/login").text)
    response = browser.post(
        f"{url}/staff/login", data={"csrf": token, "email": email, "password": password}, allow_redirects=False
    )
    return browser, response


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_staff_route_refuses_an_anonymous_request(console, method, path):
    url, _ = console
    response = requests.request(method, url + path, allow_redirects=False, timeout=10)
    assert response.status_code == 303 and response.headers["Location"] == "/staff/login"
    api = requests.get(f"{url}/staff/api/queue", timeout=10)
    assert api.status_code == 401


def test_a_wrong_password_a_disabled_account_and_no_account_get_the_same_message(console):
    url, _ = console
    answers = [
        sign_in(url, email, password)[1]
        for email, password in (
            ("agent@kent.gov.uk", "not the password"),
            ("gone@kent.gov.uk", PASSWORD),
            ("nobody@kent.gov.uk", PASSWORD),
        )
    ]
    assert {r.status_code for r in answers} == {400}
    messages = {re.search(r'class="govuk-error-message">.*?</span> (.*?)</p>', r.text, re.S).group(1) for r in answers}
    assert len(messages) == 1 and "Enter a correct email address and password" in messages.pop()


def test_repeated_failures_lock_the_account_even_with_the_right_password(console):
    url, _ = console
    for _ in range(5):
        assert sign_in(url, "editor@kent.gov.uk", "wrong password!!")[1].status_code == 400
    locked = sign_in(url, "editor@kent.gov.uk", PASSWORD)[1]
    assert locked.status_code == 400 and "Enter a correct email address and password" in locked.text


def test_a_post_without_a_valid_csrf_token_is_refused(console):
    url, _ = console
    browser, response = sign_in(url, "admin@kent.gov.uk")
    assert response.status_code == 303
    assert browser.post(f"{url}/staff/logout", data={"csrf": "forged"}, allow_redirects=False).status_code == 403
    assert browser.post(f"{url}/staff/logout", allow_redirects=False).status_code == 403
    anonymous = requests.Session()
    token = csrf_of(anonymous.get(f"{url}/staff/login").text)
    other = requests.Session()  # a token from another session is no good either
    other.get(f"{url}/staff/login")
    bad = other.post(
        f"{url}/staff/login", data={"csrf": token, "email": "admin@kent.gov.uk", "password": PASSWORD}, allow_redirects=False
    )
    assert bad.status_code == 403


def test_the_session_changes_at_sign_in_and_the_cookie_is_locked_down(console):
    url, _ = console
    browser = requests.Session()
    token = csrf_of(browser.get(f"{url}/staff/login").text)
    before = browser.cookies.get("kent_staff")
    response = browser.post(
        f"{url}/staff/login", data={"csrf": token, "email": "agent@kent.gov.uk", "password": PASSWORD}, allow_redirects=False
    )
    after = browser.cookies.get("kent_staff")
    assert before and after and before != after
    header = response.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Strict" in header and "Path=/staff" in header and "Max-Age=28800" in header
    home = browser.get(f"{url}/staff/")
    assert csrf_of(home.text) != token  # a new CSRF token with the new session


def test_too_many_failures_from_one_address_lock_sign_in_out_for_every_account(tmp_path):
    with web_app(tmp_path, BOT_STAFF_COOKIE_SECURE="false", BOT_RATE_LIMIT_LOGIN_IP="3/15 minutes") as url:
        codes = [sign_in(url, f"person{n}@kent.gov.uk", "guess guess guess")[1].status_code for n in range(4)]
        assert codes == [400] * 4
        limiter_hits = sign_in(url, "person9@kent.gov.uk", "guess guess guess")[1]
    assert "Enter a correct email address and password" in limiter_hits.text


def test_the_cookie_is_secure_unless_switched_off_for_plain_http(tmp_path):
    with web_app(tmp_path) as url:
        response = requests.get(f"{url}/staff/login", timeout=10)
    assert "Secure" in response.headers["Set-Cookie"]


def test_passwords_are_stored_only_as_argon2id_hashes(console):
    _, var = console
    with Store(f"sqlite:///{var / 'app.db'}").engine.connect() as connection:
        hashes = [row[0] for row in connection.execute(text("SELECT password_hash FROM staff_users"))]
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(PASSWORD in h for h in hashes)


def test_an_agent_cannot_reach_admin_or_editor_pages(console):
    url, _ = console
    browser, _ = sign_in(url, "agent@kent.gov.uk")
    assert browser.get(f"{url}/staff/callbacks").status_code == 200
    for path in ("/staff/users", "/staff/questions", "/staff/stats"):
        refused = browser.get(url + path, allow_redirects=False)
        assert refused.status_code == 403 and "You cannot open this page" in refused.text
    editor, _ = sign_in(url, "admin@kent.gov.uk")
    assert editor.get(f"{url}/staff/users").status_code == 200


def test_the_status_lookup_shows_no_personal_data_and_404_for_an_unknown_reference(console):
    url, var = console
    store = Store(f"sqlite:///{var / 'app.db'}")
    row = store.add_callback(
        NewCallback("s-1", "Ann Smith", "07911 123456", "ann@example.com", "after 3pm", None, "Thanet", "About my son Tom")
    )
    answer = requests.get(f"{url}/api/callback/{row.reference}", timeout=10)
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "new" and body["reference"] == row.reference
    for secret in ("Ann", "07911", "ann@example.com", "Tom", "3pm", "Thanet"):
        assert secret not in answer.text
    assert requests.get(f"{url}/api/callback/CB-ZZZZZZZZ", timeout=10).status_code == 404
    assert requests.get(f"{url}/api/callback/nonsense", timeout=10).status_code == 404
    polish = requests.get(f"{url}/api/callback/{row.reference.lower()}?language=pl", timeout=10).json()
    assert polish["reference"] == row.reference and polish["what_next"] != body["what_next"]


def test_the_status_lookup_is_rate_limited(tmp_path):
    with web_app(tmp_path, BOT_RATE_LIMIT_STATUS="3/hour") as url:
        codes = [requests.get(f"{url}/api/callback/CB-ABCDEFGH", timeout=10).status_code for _ in range(5)]
    assert codes[:3] == [404, 404, 404] and codes[3:] == [429, 429]


def test_an_agent_takes_and_closes_a_request_and_every_change_is_audited(console):
    url, var = console
    store = Store(f"sqlite:///{var / 'app.db'}")
    row = store.add_callback(NewCallback("s-2", "Bo", "07911 123457", None, None, None, "Dover", "Transport"))
    browser, _ = sign_in(url, "agent@kent.gov.uk")
    page = browser.get(f"{url}/staff/callbacks/{row.reference}")
    token = csrf_of(page.text)
    assert (
        browser.post(f"{url}/staff/callbacks/{row.reference}/take", data={"csrf": token}, allow_redirects=False).status_code
        == 303
    )
    missing = browser.post(f"{url}/staff/callbacks/{row.reference}/close", data={"csrf": token, "note": "x"})
    assert missing.status_code == 400 and "Choose what happened" in missing.text
    closed = browser.post(
        f"{url}/staff/callbacks/{row.reference}/close",
        data={"csrf": token, "outcome": "not_reached", "note": "No answer twice"},
        allow_redirects=False,
    )
    assert closed.status_code == 303
    assert store.status_of(row.reference) == "not_reached"
    admin, _ = sign_in(url, "admin@kent.gov.uk")
    log = admin.get(f"{url}/staff/users").text
    assert "close_callback (outcome not_reached)" in log and row.reference in log and "take_callback" in log


def test_the_console_can_be_switched_off(tmp_path):
    with web_app(tmp_path, BOT_STAFF_CONSOLE="false") as url:
        assert requests.get(f"{url}/staff/login", timeout=10).status_code == 404
        assert requests.get(f"{url}/staff/api/queue", timeout=10).status_code == 404


def test_add_user_refuses_a_weak_password_and_a_duplicate(tmp_path):
    env = {"BOT_VAR_DIR": str(tmp_path)}
    weak = subprocess.run(
        [sys.executable, "-m", "bot.ops.cli", "staff", "add-user", "a@kent.gov.uk", "--role", "agent"],
        input="short\n",
        capture_output=True,
        text=True,
        env={**__import__("os").environ, **env},
    )
    assert weak.returncode == 1 and "at least 12 characters" in weak.stderr
    link = bot("staff", "add-user", "a@kent.gov.uk", "--role", "agent", "--setup-link", env=env)
    assert link.returncode == 0 and "/staff/setup?token=" in link.stdout
    again = bot("staff", "add-user", "A@kent.gov.uk", "--role", "admin", "--setup-link", env=env)
    assert again.returncode == 1 and "already has an account" in again.stderr


def test_the_daily_summary_emails_the_requests_waiting_too_long(tmp_path):
    from bot.core.ports import free_ports
    from tests.servers import start_smtp

    store = Store(f"sqlite:///{tmp_path / 'app.db'}")
    store.migrate()
    old = store.add_callback(
        NewCallback("s-3", "Cy", "07911 123458", None, None, None, None, "x"), created_at=dt.datetime(2026, 11, 2, 9)
    )
    fresh = store.add_callback(NewCallback("s-4", "Di", "07911 123459", None, None, None, None, "y"))
    (port,) = free_ports(1)
    smtp, inbox = start_smtp(port)
    try:
        env = {
            "BOT_VAR_DIR": str(tmp_path),
            "BOT_SMTP_PORT": str(port),
            "BOT_SMTP_HOST": "127.0.0.1",
            "BOT_CALLBACK_OVERDUE_DAYS": "2",
        }
        dry = bot("staff", "summary", "--dry-run", env=env)
        sent = bot("staff", "summary", env=env)
    finally:
        smtp.stop()
    assert dry.returncode == 0 and old.reference in dry.stdout and fresh.reference not in dry.stdout
    assert sent.returncode == 0 and "1 requests waiting" in sent.stdout
    body = inbox.messages[0].get_payload()
    assert old.reference in body and "Cy" not in body and "07911" not in body  # references only


def test_with_redis_signing_out_ends_the_session_everywhere(tmp_path, redis_url):
    env = {"BOT_VAR_DIR": str(tmp_path)}
    made = subprocess.run(
        [sys.executable, "-m", "bot.ops.cli", "staff", "add-user", "agent@kent.gov.uk", "--role", "agent"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env={**__import__("os").environ, **env},
    )
    assert made.returncode == 0, made.stderr
    with web_app(tmp_path, BOT_STAFF_COOKIE_SECURE="false", LOCK_STORE_URL=redis_url, BOT_REDIS_PREFIX="consoletest") as url:
        browser, signed = sign_in(url, "agent@kent.gov.uk")
        assert signed.status_code == 303
        stolen = browser.cookies.get("kent_staff")
        assert len(stolen) < 100  # an id, not the session itself
        copy = requests.Session()
        copy.cookies.set("kent_staff", stolen, path="/staff")
        assert copy.get(f"{url}/staff/callbacks", allow_redirects=False).status_code == 200
        token = csrf_of(browser.get(f"{url}/staff/").text)
        assert browser.post(f"{url}/staff/logout", data={"csrf": token}, allow_redirects=False).status_code == 303
        after = copy.get(f"{url}/staff/callbacks", allow_redirects=False)
    assert after.status_code == 303 and after.headers["Location"] == "/staff/login"


def test_with_its_session_store_down_the_console_says_so_and_never_fails_with_500(tmp_path):
    with web_app(tmp_path, BOT_STAFF_COOKIE_SECURE="false", LOCK_STORE_URL="redis://127.0.0.1:1/0") as url:
        response = requests.get(f"{url}/staff/login", timeout=20)
        assert response.status_code == 503 and "session store is not answering" in response.text
        assert requests.get(f"{url}/services", timeout=20).status_code == 200  # the rest of the site works


def test_a_set_up_link_sets_a_password_once_and_only_its_hash_is_kept(tmp_path):
    env = {"BOT_VAR_DIR": str(tmp_path)}
    made = bot(
        "staff", "add-user", "new@kent.gov.uk", "--role", "editor", "--setup-link", "--base-url", "https://x.example", env=env
    )
    token = re.search(r"/staff/setup\?token=(\S+)", made.stdout).group(1)
    with web_app(tmp_path, BOT_STAFF_COOKIE_SECURE="false") as url:
        browser = requests.Session()
        form = csrf_of(browser.get(f"{url}/staff/setup?token={token}").text)
        short = browser.post(f"{url}/staff/setup", data={"csrf": form, "token": token, "password": "short", "confirm": "short"})
        assert short.status_code == 400 and "at least 12 characters" in short.text
        chosen = {"csrf": form, "token": token, "password": PASSWORD, "confirm": PASSWORD}
        assert browser.post(f"{url}/staff/setup", data=chosen, allow_redirects=False).status_code == 303
        again = browser.post(
            f"{url}/staff/setup", data={**chosen, "password": "another long password", "confirm": "another long password"}
        )
        assert again.status_code == 400 and "expired or has been used" in again.text
        assert sign_in(url, "new@kent.gov.uk")[1].status_code == 303
    with Store(f"sqlite:///{tmp_path / 'app.db'}").engine.connect() as connection:
        row = connection.execute(text("SELECT password_hash, setup_token_hash FROM staff_users")).one()
    assert row[0].startswith("$argon2id$") and row[1] is None and token not in str(row)
