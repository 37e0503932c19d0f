"""`bot directory sync` and `bot directory status` against a local Open Referral UK feed
(tests/feed_server.py): paging, full records, validation, a feed failing half way, an incremental
sync, a removed service and a feed that is down."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.areas import Areas
from bot.ops.directory_feed import EMBEDDED, SCHEMA, problem, sync
from bot.storage.directory import Directory
from bot.storage.store import Store
from tests import feed_server
from tests.conftest import SPEC
from tests.test_cli import bot

UPSTREAM = SPEC / "openreferral"


@pytest.fixture(scope="module")
def template() -> dict:
    return json.loads((UPSTREAM / "service_full.json").read_text())


@pytest.fixture
def feed(template: dict) -> feed_server.Feed:
    return feed_server.Feed([feed_server.record(s, template) for s in feed_server.SPECS])


@pytest.fixture
def database(tmp_path: Path) -> dict[str, str]:
    """Settings for a `bot` child process with its own app database."""
    return {"APP_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "BOT_VAR_DIR": str(tmp_path), "BOT_DIRECTORY_URL": ""}


def directory_of(env: dict[str, str]) -> Directory:
    return Directory(Store(env["APP_DATABASE_URL"]))


def names(directory: Directory) -> set[str]:
    from bot.core.services import ServiceQuery

    return {s.name for s in directory.search(ServiceQuery(limit=100)).services}


def test_the_schema_is_the_standards_own_copy():
    assert SCHEMA.read_bytes() == (UPSTREAM / "service.json").read_bytes()


def test_the_upstream_example_record_is_valid_and_a_broken_one_says_where(template):
    assert problem(template) is None
    broken = {**template, "minimum_age": "five"}
    assert problem(broken) == "minimum_age: 'five' is not of type 'number'"
    assert "'name' is a required property" in (problem({"id": "x", "status": "active"}) or "")


def test_every_embedded_record_is_valid_and_cites_its_source():
    body = json.loads(EMBEDDED.read_text())
    assert body["contents"] and all(problem(r) is None for r in body["contents"])
    for record in body["contents"]:
        source = body["sources"][record["id"]]
        assert source["source"], f"{record['name']} has no public source"


def test_sync_pages_through_the_feed_and_fetches_full_records(feed, database):
    with feed_server.serve(feed) as url:
        result = bot("directory", "sync", "--url", url, env=database)
    assert result.returncode == 0, result.stderr
    assert f"stored {len(feed.services)} services, removed 0, skipped 0" in result.stdout
    pages = [r for r in feed.requests if r.startswith("/services?")]
    assert len(pages) == -(-len(feed.services) // 50) and "per_page=50" in pages[0]
    assert sum(1 for r in feed.requests if r.startswith("/services/")) == len(feed.services)  # the list lacks nested data
    directory = directory_of(database)
    assert names(directory) == {s.name for s in feed_server.SPECS}
    ashford = directory.get(feed_server.fixture_id("ashford-autism"))
    assert ashford is not None and ashford.area == "Ashford" and ashford.phone == "01234 567890" and ashford.age_range == "0-18"


def test_small_pages_are_followed_to_the_last(feed, tmp_path):
    directory = Directory(Store(f"sqlite:///{tmp_path / 'app.db'}"))
    directory.store.migrate()
    with feed_server.serve(feed) as url:
        report = sync(directory, Areas(Path("content/areas.yml")), url, per_page=2)
    assert report.stored == len(feed.services)
    assert [r for r in feed.requests if r.startswith("/services?")][-1].startswith(
        f"/services?page={-(-len(feed.services) // 2)}"
    )


def test_a_record_that_fails_validation_is_skipped_and_reported(feed, database):
    bad = dict(feed.services[0], id="11111111-2222-4333-8444-555555555555", name="Broken record", minimum_age="five")
    feed.services.append(bad)
    with feed_server.serve(feed) as url:
        result = bot("directory", "sync", "--url", url, env=database)
    assert result.returncode == 0, result.stderr
    assert "skipped 1" in result.stdout
    assert "skipped 11111111-2222-4333-8444-555555555555: minimum_age: 'five' is not of type 'number'" in result.stdout
    assert "Broken record" not in names(directory_of(database))
    status = bot("directory", "status", env=database)
    assert "11111111-2222-4333-8444-555555555555: minimum_age" in status.stdout


def test_a_feed_failing_half_way_leaves_the_old_directory(feed, database):
    with feed_server.serve(feed) as url:
        assert bot("directory", "sync", "--url", url, env=database).returncode == 0
        before = names(directory_of(database))
        feed.services = feed.services[:3]  # the next sync would remove four
        feed.fail_page = 2  # page 2 answers 500 every time: tried 4 times, with backoff
        result = bot("directory", "sync", "--url", url, "--page-size", "2", "--retry-wait", "0.05", env=database)
    assert result.returncode == 1
    assert "error: the directory was not changed" in result.stderr and "answered 500" in result.stderr
    assert names(directory_of(database)) == before
    assert sum(1 for r in feed.requests if r.startswith("/services?page=2")) == 4
    last = directory_of(database).last_syncs(1)[0]
    assert last.status == "failed" and "answered 500" in last.error


def test_a_busy_feed_is_retried(feed, tmp_path):
    directory = Directory(Store(f"sqlite:///{tmp_path / 'app.db'}"))
    directory.store.migrate()
    feed.flaky = 2
    with feed_server.serve(feed) as url:
        report = sync(directory, Areas(Path("content/areas.yml")), url, backoff=0.01)
    assert report.stored == len(feed.services)


def test_an_incremental_sync_fetches_what_changed_and_removes_what_went(feed, database):
    with feed_server.serve(feed) as url:
        assert bot("directory", "sync", "--url", url, env=database).returncode == 0
        changed = feed.services[1]
        changed.update(name="Thanet Holiday Club (new name)", last_modified="2026-12-05T10:00:00Z")
        removed = feed.services.pop(0)
        feed.requests.clear()
        result = bot("directory", "sync", "--url", url, "--since", "2026-12-01T00:00:00Z", env=database)
    assert result.returncode == 0, result.stderr
    assert "stored 1 services, removed 1" in result.stdout
    assert any("modified_after=2026-12-01" in r for r in feed.requests)
    assert sum(1 for r in feed.requests if r.startswith("/services/")) == 1  # only the changed record in full
    now = names(directory_of(database))
    assert "Thanet Holiday Club (new name)" in now and removed["name"] not in now
    assert len(now) == len(feed.services)


def test_a_feed_that_is_down_is_a_clear_error_and_changes_nothing(feed, database):
    with feed_server.serve(feed) as url:
        assert bot("directory", "sync", "--url", url, env=database).returncode == 0
    result = bot("directory", "sync", "--url", url, "--retry-wait", "0.05", env=database)  # the server has stopped
    assert result.returncode == 1
    assert "error: the directory was not changed" in result.stderr and "ClientConnectorError" in result.stderr
    assert len(names(directory_of(database))) == len(feed.services)
    status = bot("directory", "status", env=database)
    assert "failed" in status.stdout and f"services: {len(feed.services)}" in status.stdout


def test_sync_with_no_feed_configured_says_how_to_set_one(database):
    result = bot("directory", "sync", env=database)
    assert result.returncode == 2
    assert "BOT_DIRECTORY_URL" in result.stderr and "--file data/directory/kent-send-services.json" in result.stderr


def test_the_embedded_directory_loads_with_the_same_importer(database):
    result = bot("directory", "sync", "--file", str(EMBEDDED), env=database)
    assert result.returncode == 0, result.stderr
    body = json.loads(EMBEDDED.read_text())
    assert f"stored {len(body['contents'])} services, removed 0, skipped 0" in result.stdout
    status = bot("directory", "status", env=database)
    assert "none configured" in status.stdout and "ok" in status.stdout
