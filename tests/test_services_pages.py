"""The directory pages, /services and /services/{id}: served by `bot web` from a directory of the
fixture feed's services; searched by keyboard alone in Chromium, with axe-core; and without
JavaScript, since they are plain forms and links."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from bot.core.areas import Areas
from bot.core.settings import ROOT
from bot.storage.directory import Changes
from bot.storage.store import Store
from tests import feed_server
from tests.conftest import web_app
from tests.test_widget import ARTIFACTS, AXE, browser, run_axe  # noqa: F401 - browser is a fixture

pytestmark = pytest.mark.browser
AREAS = Areas(ROOT / "content" / "areas.yml")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    var = tmp_path_factory.mktemp("services-var")
    store = Store(f"sqlite:///{var / 'app.db'}")
    feed_server.load(store)
    store.engine.dispose()
    with web_app(var) as url:
        yield url


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_the_page_lists_services_with_filters_and_no_javascript_needed(site):
    status, html = fetch(f"{site}/services?need=autism&area=Ashford")
    assert status == 200
    assert "Ashford Autism Parent Support Group" in html and "Thanet Holiday Club" not in html
    assert "<script" not in html


def test_age_and_text_filters(site):
    _, html = fetch(f"{site}/services?q=holiday+club&age=17")
    assert "0 services" in html and "These people can help you find a service" in html
    _, html = fetch(f"{site}/services?q=holiday+club&age=9")
    assert "Thanet Holiday Club for Disabled Children" in html


def test_bad_filters_get_gov_uk_errors_not_a_crash(site):
    status, html = fetch(f"{site}/services?age=ten&area=Atlantis&need=unicorns")
    assert status == 400
    assert "There is a problem" in html and 'href="#age"' in html and "Enter an age as a number from 0 to 25" in html
    assert "Choose an area from the list" in html and "Choose needs from the list" in html
    assert fetch(f"{site}/services?page=-3")[0] == 200


def test_a_missing_service_is_a_page_that_says_so(site):
    status, html = fetch(f"{site}/services/not-a-service")
    assert status == 404 and "no longer in the directory" in html


def test_an_old_record_says_it_may_be_out_of_date(site):
    _, html = fetch(f"{site}/services/{feed_server.fixture_id('sevenoaks-old')}")
    assert "last checked on 1 March 2021, so may be out of date" in html


def test_results_are_paged(site):
    _, html = fetch(f"{site}/services")
    assert f"{len(feed_server.SPECS)} services" in html and "govuk-pagination" not in html  # one page of 10


@pytest.fixture
def tab(browser: Any, site: str) -> Iterator[Any]:  # noqa: F811 - the imported browser fixture
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.goto(f"{site}/services")
    yield page
    context.close()


def focused(page: Any) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()")


def tab_until(page: Any, predicate: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate):
            return
    raise AssertionError(f"never reached: {predicate}")


def test_search_by_keyboard_alone_then_open_a_service(tab):
    assert run_axe(tab, "services") == []
    tab_until(tab, "document.activeElement.id === 'q'")
    tab.keyboard.type("support group")
    tab_until(tab, "document.activeElement.id === 'area'")
    tab.keyboard.press("Alt+ArrowDown")
    tab.keyboard.type("Ashford")
    tab.keyboard.press("Enter")
    tab_until(tab, "document.activeElement.id === 'age'")
    tab.keyboard.type("8")
    tab_until(tab, "document.activeElement.value === 'autism'")
    tab.keyboard.press("Space")
    tab_until(tab, "document.activeElement.textContent.trim() === 'Search'")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert "area=Ashford" in tab.url and "need=autism" in tab.url and "age=8" in tab.url
    assert tab.locator("#results").inner_text().startswith("1 service")
    assert run_axe(tab, "services-results") == []
    tab_until(tab, "document.activeElement.textContent.trim() === 'Ashford Autism Parent Support Group'")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert tab.locator("h1").inner_text() == "Ashford Autism Parent Support Group"
    assert tab.locator("a[href^='tel:']").count() == 1
    assert run_axe(tab, "service") == []
    tab.screenshot(path=str(ARTIFACTS / "services.png"), full_page=True)


def test_errors_by_keyboard_lead_to_the_field(tab):
    tab_until(tab, "document.activeElement.id === 'age'")
    tab.keyboard.type("ten")
    tab_until(tab, "document.activeElement.textContent.trim() === 'Search'")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert run_axe(tab, "services-errors") == []
    tab_until(tab, "document.activeElement.getAttribute('href') === '#age'")
    tab.keyboard.press("Enter")
    assert focused(tab) == "age" or tab.url.endswith("#age")


def test_the_running_web_app_sees_a_finished_sync_without_a_restart(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'app.db'}")
    directory = feed_server.load(store)
    with web_app(tmp_path) as url:
        assert "Dover Supported Employment" in fetch(f"{url}/services")[1]
        kept = [r for r in feed_server.records() if r["name"] != "Dover Supported Employment"]
        directory.apply(directory.start_sync("fixture", False), Changes(kept, {r["id"] for r in kept}, []), AREAS)
        _, html = fetch(f"{url}/services")
    store.engine.dispose()
    assert "Dover Supported Employment" not in html and f"{len(kept)} services" in html
