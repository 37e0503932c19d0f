"""The web chat in a real browser: Debian's Chromium, driven by Playwright, against the real stack.

Nothing is mocked: the pages, the widget and every answer come from the running Rasa and
action servers (the session's `assistant_stack`), through a web app with every language on.
Where a test says "by keyboard", it only presses keys; it reads the page to check results.

Screenshots go to var/artifacts/. BOT_UPDATE_SCREENSHOT=1 also refreshes docs/chat.png.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bot.core.ports import free_ports
from bot.core.settings import ROOT
from bot.ops.stack import Stack
from bot.storage.store import Store
from tests.conftest import web_app

pytestmark = [pytest.mark.browser, pytest.mark.stack]  # headless Chromium against the running assistant

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ARTIFACTS = ROOT / "var" / "artifacts"
LANGUAGES = "en,pl,ro,uk,ur,ne"
ANSWER = ".kent-chat__message--assistant"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium (never a downloaded one); the tests skip, saying why, if it cannot start."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install it with 'apt-get install -y chromium' (.ci/run does)")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as exc:
        pytest.skip(f"the playwright package is not installed: {exc}")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    except Error as exc:
        playwright.stop()
        pytest.skip(f"Chromium did not start: {exc}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture(scope="module")
def host_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """Another site (another origin) that embeds the chat with one script tag."""
    folder = tmp_path_factory.mktemp("host-site")
    (port,) = free_ports(1)
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}", folder
    server.shutdown()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site(
    assistant_stack: Stack, host_site: tuple[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Store]]:
    """The web app with all six languages, in front of the running stack's Rasa and action server,
    on the stack's app database, as in production (the action server finds services there)."""
    stack = assistant_stack.settings
    var = tmp_path_factory.mktemp("widget-var")
    with web_app(
        var,
        BOT_RASA_PORT=str(stack.rasa_port),
        BOT_ACTION_PORT=str(stack.action_port),
        BOT_RASA_TOKEN=assistant_stack.token,
        BOT_LANGUAGES=LANGUAGES,
        BOT_CORS_ORIGINS=host_site[0],
        APP_DATABASE_URL=stack.database_url,
    ) as url:
        yield url, Store(stack.database_url)


@pytest.fixture
def page(browser: Any, site: tuple[str, Store]) -> Iterator[Any]:
    """A fresh tab on the hub page, with axe-core loaded and CSP violations recorded."""
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    # An init script is not subject to the page's CSP, so axe runs without weakening it.
    context.add_init_script(path=str(AXE))
    tab = context.new_page()
    tab.csp_errors = []
    tab.on("console", lambda m: "Content Security Policy" in m.text and tab.csp_errors.append(m.text))
    tab.goto(site[0] + "/")
    tab.wait_for_selector("#kc-input")
    yield tab
    context.close()


def first_sentence(loaded: Any, topic: str, section: str) -> str:
    """Plain text to look for: the section's first sentence, which has no markdown in these pages."""
    return loaded.page(topic, "en").sections[section].splitlines()[0].split(". ")[0]


def tab_to(page: Any, predicate: str, backwards: bool = False, limit: int = 120) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches `predicate`, a JS function of it."""
    for _ in range(limit):
        if page.evaluate(f"(({predicate})(document.activeElement))"):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"the keyboard never reached an element where {predicate}")


def focused(page: Any) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.textContent")


def by_id(element_id: str) -> str:
    return f"el => el.id === {json.dumps(element_id)}"


def button(text: str, inside: str = "#kc-log") -> str:
    return f"el => el.matches({json.dumps(inside + ' button')}) && el.textContent === {json.dumps(text)}"


def ask_by_keyboard(page: Any, text: str) -> Any:
    """Tab to the question box, type, press Enter and wait for the reply; returns the request sent."""
    tab_to(page, by_id("kc-input"))
    before = page.locator(f"#kc-log {ANSWER}").count()
    page.keyboard.type(text)
    with page.expect_request(lambda r: r.url.endswith("/api/chat")) as request:
        page.keyboard.press("Enter")
    wait_for_reply(page, before)
    return request.value


def wait_for_reply(page: Any, before: int) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll('#kc-log .kent-chat__message--assistant').length > n"
        " && document.getElementById('kc-waiting').hidden",
        arg=before,
    )


def submit_button(form_id: str) -> str:
    return f"el => el.type === 'submit' && el.form && el.form.id === {json.dumps(form_id)}"


def open_form(page: Any, opener: str, form_id: str, backwards: bool = False) -> None:
    """Tab to the control that opens a form, press Enter: focus moves to the form's title."""
    tab_to(page, opener, backwards=backwards)
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#{form_id}")
    assert focused(page) == f"{form_id}-title"


def submit_empty(page: Any, form_id: str, summary: str) -> None:
    """Send a form with nothing filled in: the error summary appears and takes focus."""
    tab_to(page, submit_button(form_id))
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#{summary}")
    assert focused(page) == summary


def follow_first_error(page: Any, field_id: str) -> None:
    """From the focused error summary, its first link moves focus to the field it names."""
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert focused(page) == field_id, "an error summary link moves focus to its field"


def last_answer(page: Any) -> str:
    return page.locator(f"#kc-log {ANSWER}").last.inner_text()


def run_axe(page: Any, name: str) -> list[dict[str, Any]]:
    """axe-core on the whole page; the full result is kept as an artefact."""
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(result, indent=1))
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]]


def screenshot(page: Any, name: str, full_page: bool = True) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def test_keyboard_alone_asks_uses_a_button_turns_on_easy_read_and_switches_to_urdu(page, loaded):
    tab_to(page, by_id("kc-input"))
    assert page.evaluate("document.activeElement.labels[0].textContent") == "Your question"

    ask_by_keyboard(page, "what is an EHCP?")
    log = page.get_by_role("log")
    assert first_sentence(loaded, "ehcp-what-is", "answer") in log.inner_text()
    assert focused(page) == "kc-input", "focus stays in the question box after sending"
    assert page.locator("#kc-log a[href^='https://']").count() >= 1, "answers keep their links"
    assert page.locator("#kc-log ul.govuk-list--bullet li").count() >= 4, "answers keep their lists"
    assert run_axe(page, "answer") == []
    screenshot(page, "answer")
    if os.environ.get("BOT_UPDATE_SCREENSHOT"):
        page.locator(".kent-chat").screenshot(path=str(ROOT / "docs" / "chat.png"))

    tab_to(page, button("Tell me more"), backwards=True)
    before = page.locator(f"#kc-log {ANSWER}").count()
    page.keyboard.press("Enter")
    wait_for_reply(page, before)
    assert first_sentence(loaded, "ehcp-what-is", "more") in last_answer(page)
    assert "Tell me more" in page.locator(".kent-chat__message--you").last.inner_text()

    tab_to(page, by_id("kc-easy"), backwards=True)
    page.keyboard.press("Space")
    assert page.locator("#kc-easy").is_checked()
    request = ask_by_keyboard(page, "what is mediation")
    assert request.post_data_json["reading_level"] == "easy"
    assert first_sentence(loaded, "mediation", "easy") in last_answer(page)

    tab_to(page, by_id("kc-lang-ur"), backwards=True)
    page.keyboard.press("Enter")
    page.wait_for_selector(".kent-chat[lang='ur']")
    assert focused(page) == "kc-lang-ur"
    assert page.get_attribute("#kc-lang-ur", "aria-pressed") == "true"
    request = ask_by_keyboard(page, "what is an EHCP?")
    assert request.post_data_json["language"] == "ur"
    assert page.get_attribute(".kent-chat", "dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.getElementById('kc-input')).direction") == "rtl"
    assert page.get_attribute(f"#kc-log {ANSWER} >> nth=-1", "lang") == "ur"
    assert run_axe(page, "urdu") == []
    screenshot(page, "urdu")
    assert page.csp_errors == []


def test_a_question_in_polish_is_answered_in_polish_and_the_chat_follows(page, loaded):
    from bot.core.i18n import gettext_for

    request = ask_by_keyboard(page, "Co to jest EHCP i kto może go dostać?")
    assert "language" not in request.post_data_json, "without a choice the assistant detects the language"
    assert page.get_attribute(f"#kc-log {ANSWER} >> nth=-1", "lang") == "pl"
    answer = last_answer(page)
    assert any(
        page_.sections["answer"].splitlines()[0].split(". ")[0] in answer
        for (topic, language), page_ in loaded.pages.items()
        if language == "pl"
    ), answer
    page.wait_for_selector(".kent-chat[lang='pl']")
    assert page.evaluate("document.getElementById('kc-input').labels[0].textContent") != "Your question"
    assert focused(page) == "kc-input"
    assert gettext_for("pl")("Talk to a person") in page.locator("#kc-log").inner_text()


def test_call_back_form_by_keyboard_shows_errors_then_sends(page, site):
    url, store = site
    ask_by_keyboard(page, "what is mediation")
    ask_by_keyboard(page, "I want to talk to someone in Margate")
    open_form(page, button("Ask for a call-back"), "kc-callback", backwards=True)
    submit_empty(page, "kc-callback", "kc-error-summary")
    links = page.locator("#kc-error-summary a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == ["#kc-cb-name", "#kc-cb-phone", "#kc-cb-consent"]
    assert page.locator("#kc-cb-name-error").text_content() == "Error: Enter your name"
    assert "kc-cb-name-error" in page.get_attribute("#kc-cb-name", "aria-describedby")
    assert run_axe(page, "callback-errors") == []
    screenshot(page, "callback-errors")

    follow_first_error(page, "kc-cb-name")
    page.keyboard.type("Ann Smith")
    tab_to(page, by_id("kc-cb-phone"))
    page.keyboard.type("07911 123456")
    tab_to(page, by_id("kc-cb-message"))
    page.keyboard.type("We would like to talk about mediation.")
    tab_to(page, by_id("kc-cb-consent"))
    page.keyboard.press("Space")
    tab_to(page, submit_button("kc-callback"))
    page.keyboard.press("Enter")
    page.wait_for_selector("#kc-sent")
    assert focused(page) == "kc-sent"
    reference = re.search(r"CB-[A-Z0-9]{8}", page.locator("#kc-sent").inner_text()).group(0)
    assert reference in page.get_by_role("log").inner_text(), "the reference is kept in the conversation"
    row = store.get(reference)
    assert (row.name, row.phone, row.topic, row.message) == (
        "Ann Smith",
        "07911 123456",
        "mediation",
        "We would like to talk about mediation.",
    )
    screenshot(page, "callback-sent")
    assert page.csp_errors == []


def test_work_out_my_dates_by_keyboard_shows_errors_then_the_date(page, site):
    """The GOV.UK date input pattern: an error summary first, then the worked-out date in the transcript,
    with a calendar file to download. A decision in June 2030 lands in August, so the date moves."""
    open_form(page, by_id("kc-dates-open"), "kc-dates")
    submit_empty(page, "kc-dates", "kc-dates-summary")
    assert page.locator("#kc-dates-summary a").get_attribute("href") == "#kc-dt-decision-day"
    assert "kc-dt-decision-error" in page.get_attribute("#kc-dates fieldset", "aria-describedby")
    assert run_axe(page, "dates-errors") == []
    screenshot(page, "dates-errors")

    follow_first_error(page, "kc-dt-decision-day")
    for part in ("14", "6", "2030"):
        page.keyboard.type(part)
        page.keyboard.press("Tab")
    before = page.locator(f"#kc-log {ANSWER}").count()
    tab_to(page, submit_button("kc-dates"))
    with page.expect_request(lambda r: r.url.endswith("/api/chat")) as request:
        page.keyboard.press("Enter")
    wait_for_reply(page, before)
    assert json.loads(request.value.post_data)["text"] == '/work_out_dates{"dates_form":"appeal;decision=2030-06-14"}'
    assert "Date on the decision letter: 14/6/2030" in page.get_by_role("log").inner_text()
    answer = last_answer(page)
    assert "Monday 2 September 2030" in answer and "first working day in September" in answer
    link = page.locator("#kc-log .kent-chat__calendar a").last
    assert link.inner_text().startswith("Add to my calendar")
    calendar = page.request.get(link.get_attribute("href"))
    assert calendar.status == 200 and "DTSTART;VALUE=DATE:20300902" in calendar.text()
    assert run_axe(page, "dates-answer") == []
    screenshot(page, "dates-answer")
    assert page.csp_errors == []


def test_feedback_by_keyboard_is_stored_without_personal_details(page, site):
    url, store = site
    ask_by_keyboard(page, "what is an EHCP?")
    tab_to(page, "el => el.matches('.kent-chat__feedback button') && el.textContent === 'No'", backwards=True)
    page.keyboard.press("Enter")
    assert focused(page).startswith("kc-comment-")
    page.keyboard.type("It did not say how long it takes. Ring me on 07911 123456.")
    page.keyboard.press("Tab")
    with page.expect_response(lambda r: r.url.endswith("/api/feedback")):
        page.keyboard.press("Enter")
    page.wait_for_selector("[id^='kc-thanks-']")
    assert page.evaluate("document.activeElement.textContent") == "Thank you for your feedback."
    session = page.evaluate("JSON.parse(sessionStorage.getItem('kent-send-chat')).sessionId")
    [row] = store.feedback(session)
    assert (row.topic, row.helpful) == ("ehcp-what-is", False)
    assert row.comment == "It did not say how long it takes. Ring me on [phone]."


def test_contact_cards_have_phone_and_email_links_and_say_if_open(page):
    ask_by_keyboard(page, "I want to talk to someone in Thanet")
    cards = page.locator("#kc-log .kent-chat__card")
    assert cards.count() >= 2
    east = cards.filter(has_text="East Kent area SEND team")
    assert east.locator("a[href='tel:+443000421160']").count() == 1
    assert east.locator("a[href='mailto:SENeast@kent.gov.uk']").count() == 1
    assert re.search(r"Open now|Closed now", east.locator(".kent-chat__status").inner_text())
    assert run_axe(page, "handoff") == []


def test_a_directory_question_lists_services_that_open_their_own_page(page, site):
    ask_by_keyboard(page, "is there a support group for parents of disabled children near Ashford?")
    services = page.locator("#kc-log .kent-chat__services li")
    assert 1 <= services.count() <= 5
    assert services.filter(has_text="Kent PACT").count() == 1
    assert services.first.locator("a[href*='/services/']").count() == 1
    assert run_axe(page, "services-in-chat") == []
    tab_to(page, "el => Boolean(el.href) && el.href.includes('/services/')", backwards=True)
    name = page.evaluate("document.activeElement.textContent")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == name  # the service's own page, by keyboard


def test_the_chat_reflows_at_320_pixels(browser, site):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.goto(site[0] + "/")
    page.wait_for_selector("#kc-input")
    ask_by_keyboard(page, "I want to talk to someone in Thanet")
    ask_by_keyboard(page, "what is an EHCP?")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert run_axe(page, "320px") == []
    screenshot(page, "320px")
    context.close()


def test_every_control_in_the_chat_is_at_least_44_pixels(page):
    ask_by_keyboard(page, "what is an EHCP?")
    sizes = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.kent-chat button, .kent-chat input, .kent-chat textarea'))
        .filter(el => el.getClientRects().length)
        .map(el => { const r = el.getBoundingClientRect(); return [el.id || el.textContent, r.width, r.height]; })""")
    assert len(sizes) >= 12
    assert [s for s in sizes if s[1] < 44 or s[2] < 44] == []


def test_the_conversation_survives_a_reload_in_the_same_tab(page, loaded):
    ask_by_keyboard(page, "what is mediation")
    session = page.evaluate("JSON.parse(sessionStorage.getItem('kent-send-chat')).sessionId")
    page.reload()
    page.wait_for_selector("#kc-input")
    assert first_sentence(loaded, "mediation", "answer") in page.get_by_role("log").inner_text()
    assert page.evaluate("JSON.parse(sessionStorage.getItem('kent-send-chat')).sessionId") == session
    ask_by_keyboard(page, "tell me more")
    assert first_sentence(loaded, "mediation", "more") in last_answer(page), "the assistant still knows the topic"


def test_start_again_clears_the_conversation(page):
    ask_by_keyboard(page, "what is mediation")
    tab_to(page, by_id("kc-restart"), backwards=True)
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#kc-log .kent-chat__message').length === 2")
    assert "start again" in last_answer(page).lower()
    assert focused(page) == "kc-input"


def test_talk_to_a_person_sends_its_payload(page):
    tab_to(page, by_id("kc-person"))
    with page.expect_request(lambda r: r.url.endswith("/api/chat")) as request:
        page.keyboard.press("Enter")
    wait_for_reply(page, 0)
    assert request.value.post_data_json["text"] == "/talk_to_person"
    assert page.locator("#kc-log .kent-chat__message--handoff").count() == 1


def test_the_conversation_downloads_as_text_and_prints_without_controls(page, loaded):
    ask_by_keyboard(page, "what is an EHCP?")
    tab_to(page, "el => el.textContent === 'Download conversation'")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "kent-send-conversation.txt"
    text = Path(download.value.path()).read_bytes().decode("utf-8")
    assert "You:\r\nwhat is an EHCP?" in text
    assert first_sentence(loaded, "ehcp-what-is", "answer") in text
    assert "**" not in text and "](" not in text

    page.emulate_media(media="print")
    assert page.get_by_role("log").is_visible()
    for hidden in (
        ".kent-chat__controls",
        ".kent-chat__composer",
        ".kent-chat__tools",
        ".kent-chat__feedback",
        ".govuk-service-navigation",
        ".govuk-footer",
    ):
        assert not page.locator(hidden).first.is_visible(), hidden
    screenshot(page, "print")


def test_text_size_follows_the_browser_and_motion_can_be_reduced(page):
    before = page.evaluate("parseFloat(getComputedStyle(document.getElementById('kc-input')).fontSize)")
    page.evaluate("document.documentElement.style.fontSize = '200%'")  # as a larger default text size does
    after = page.evaluate("parseFloat(getComputedStyle(document.getElementById('kc-input')).fontSize)")
    assert after == pytest.approx(before * 2, rel=0.05)
    waiting = "getComputedStyle(document.getElementById('kc-waiting')).animationName"
    assert page.evaluate(waiting) != "none"
    page.emulate_media(reduced_motion="reduce")
    assert page.evaluate(waiting) == "none"


def test_without_javascript_the_page_gives_phone_numbers(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site[0] + "/")
    message = page.locator(".govuk-inset-text")
    assert "needs JavaScript" in message.inner_text()
    assert page.locator(".govuk-inset-text a[href='tel:+443000413000']").count() == 1
    context.close()


def test_one_script_tag_embeds_the_chat_in_another_site(browser, site, host_site, loaded):
    url, _ = site
    origin, folder = host_site
    (folder / "index.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>A council page</title></head>'
        f'<body><main><h1>A council page</h1><script src="{url}/widget.js" defer></script></main></body></html>'
    )
    context = browser.new_context()
    page = context.new_page()
    page.goto(origin + "/")
    page.wait_for_selector("#kc-input")
    ask_by_keyboard(page, "what is an EHCP?")
    assert first_sentence(loaded, "ehcp-what-is", "answer") in page.get_by_role("log").inner_text()
    assert page.evaluate("getComputedStyle(document.querySelector('.kent-chat')).maxWidth") != "none", "styles load"
    ask_by_keyboard(page, "is there a support group for parents of disabled children near Ashford?")
    links = page.evaluate("[...document.querySelectorAll('#kc-log a')].map(a => a.href).filter(h => h.includes('/services'))")
    assert links and all(link.startswith(url + "/services") for link in links), links  # the assistant's pages, not the host's
    context.close()
