"""`bot directory sync`: read an Open Referral UK feed (HSDS 3.0), check every record against the
standard's JSON Schema, and store the valid ones in the app database.

A feed is read page by page (`GET {url}/services?page=N&per_page=...`, following `total_pages`),
with a full record fetched (`GET {url}/services/{id}`) wherever the list gives only the service's
own fields. Every request has a timeout and is retried with backoff. Nothing is stored until the
whole feed has been read: a feed that fails part way leaves the directory as it was. A record
that fails the schema is skipped and reported with its id and the reason.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import jsonschema

from bot.core.areas import Areas
from bot.core.settings import ROOT
from bot.storage.directory import Changes, Directory, Skipped

log = logging.getLogger(__name__)

SCHEMA = ROOT / "data" / "directory" / "schema" / "service.json"
EMBEDDED = ROOT / "data" / "directory" / "kent-send-services.json"
PER_PAGE = 50  # polite: one page is a few hundred kilobytes of full records at most
MAX_PAGES = 2000
ATTEMPTS = 4
BACKOFF_SECONDS = 1.0  # then 2 and 4
TIMEOUT = aiohttp.ClientTimeout(total=30, connect=10)
DETAIL_REQUESTS_AT_ONCE = 4
# A list entry holding none of these is only the service's own fields: its full record is fetched.
NESTED = ("service_areas", "service_at_locations", "attributes", "phones")


class FeedError(Exception):
    """The feed could not be read; the directory is unchanged."""


@dataclass
class Report:
    feed: str
    incremental: bool
    stored: int = 0
    removed: int = 0
    skipped: list[Skipped] = field(default_factory=list)


@lru_cache(maxsize=1)
def validator() -> jsonschema.protocols.Validator:
    """The HSDS 3.0 service schema (an unchanged copy of the standard's compiled schema)."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def problem(record: Any) -> str | None:
    """Why a record is not a valid Open Referral service, or None."""
    if not isinstance(record, dict):
        return "not a JSON object"
    error = jsonschema.exceptions.best_match(validator().iter_errors(record))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "the record"
    return f"{where}: {error.message[:200]}"


def check(records: list[Any]) -> tuple[list[dict[str, Any]], list[Skipped]]:
    valid, skipped = [], []
    for record in records:
        reason = problem(record)
        if reason is None:
            valid.append(record)
        else:
            record_id = str(record.get("id", "?")) if isinstance(record, dict) else "?"
            skipped.append(Skipped(record_id, reason))
    return valid, skipped


def _ids(entries: list[Any]) -> set[str]:
    """The ids a feed lists, valid records or not: a service still listed is not removed."""
    return {str(e["id"]) for e in entries if isinstance(e, dict) and "id" in e}


Get = Callable[[str, dict[str, str]], Awaitable[Any]]


def getter(session: aiohttp.ClientSession, backoff: float = BACKOFF_SECONDS) -> Get:
    """GET and parse JSON, retrying timeouts, dropped connections, 429 and 5xx with backoff."""

    async def get(url: str, params: dict[str, str]) -> Any:
        last = ""
        for attempt in range(ATTEMPTS):
            if attempt:
                await asyncio.sleep(backoff * 2 ** (attempt - 1))
            try:
                async with session.get(url, params=params, timeout=TIMEOUT) as response:
                    if response.status == 429 or response.status >= 500:
                        last = f"{url} answered {response.status}"
                        continue
                    if response.status != 200:
                        raise FeedError(f"{url} answered {response.status} {response.reason}")
                    try:
                        return await response.json(content_type=None)
                    except (json.JSONDecodeError, UnicodeDecodeError, aiohttp.ContentTypeError):
                        raise FeedError(f"{url} did not answer with JSON") from None
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                last = f"{url}: {exc.__class__.__name__} {exc}".strip()
        raise FeedError(f"gave up after {ATTEMPTS} tries: {last}")

    return get


async def _pages(get: Get, base: str, since: str | None, per_page: int) -> list[Any]:
    """Every entry of every page of /services."""
    entries: list[Any] = []
    page, total_pages = 1, 1
    while page <= total_pages:
        params = {"page": str(page), "per_page": str(per_page)}
        if since:
            params["modified_after"] = since
        body = await get(f"{base}/services", params)
        if not isinstance(body, dict) or not isinstance(body.get("contents"), list):
            raise FeedError(f"{base}/services page {page} is not an Open Referral page (no 'contents' list)")
        entries += body["contents"]
        pages = body.get("total_pages")
        total_pages = pages if isinstance(pages, int) else page
        if total_pages > MAX_PAGES:
            raise FeedError(f"{base}/services says it has {total_pages} pages; at most {MAX_PAGES} are read")
        page += 1
    return entries


async def _full(get: Get, base: str, entries: list[Any]) -> list[Any]:
    """Each entry as a full record, fetched where the list gave only the service's own fields."""
    limit = asyncio.Semaphore(DETAIL_REQUESTS_AT_ONCE)

    async def one(entry: Any) -> Any:
        if not isinstance(entry, dict) or any(key in entry for key in NESTED) or not isinstance(entry.get("id"), str):
            return entry
        async with limit:
            return await get(f"{base}/services/{quote(entry['id'], safe='')}", {})

    return list(await asyncio.gather(*(one(e) for e in entries)))


async def read_feed(url: str, since: str | None = None, per_page: int = PER_PAGE, backoff: float = BACKOFF_SECONDS) -> Changes:
    """The whole feed (or what changed since `since`), checked; raises FeedError if any request fails."""
    base = url.rstrip("/")
    async with aiohttp.ClientSession(headers={"Accept": "application/json", "User-Agent": "kent-send-assistant"}) as session:
        get = getter(session, backoff)
        records = await _full(get, base, await _pages(get, base, since, per_page))
        valid, skipped = check(records)
        if since is None:
            keep = _ids(records)
        else:  # what changed says nothing of what was removed: the ids of every service do
            keep = _ids(await _pages(get, base, None, per_page))
    return Changes(valid, keep, skipped)


def read_file(path: Path) -> Changes:
    """A feed saved as one page of full records (the embedded directory is one)."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FeedError(f"{path}: cannot read it: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise FeedError(f"{path}:{exc.lineno}: not JSON: {exc.msg}") from None
    if not isinstance(body, dict) or not isinstance(body.get("contents"), list):
        raise FeedError(f"{path}: not an Open Referral page (no 'contents' list)")
    valid, skipped = check(body["contents"])
    return Changes(valid, _ids(body["contents"]), skipped)


def sync(
    directory: Directory,
    areas: Areas,
    feed: str,
    since: str | None = None,
    backoff: float = BACKOFF_SECONDS,
    per_page: int = PER_PAGE,
) -> Report:
    """Read the feed (a URL, or a saved file) and apply it; a failure is recorded and raised."""
    sync_id = directory.start_sync(feed, incremental=since is not None)
    try:
        if feed.startswith(("http://", "https://")):
            changes = asyncio.run(read_feed(feed, since, per_page, backoff))
        else:
            changes = read_file(Path(feed))
        stored, removed = directory.apply(sync_id, changes, areas)
    except Exception as exc:
        directory.fail_sync(sync_id, str(exc))
        raise
    for item in changes.skipped:
        log.warning("directory: skipped service %s: %s", item.id, item.reason)
    return Report(feed, since is not None, stored, removed, changes.skipped)


def load_default(directory: Directory, areas: Areas, feed_url: str | None) -> Report | None:
    """At start: with no feed configured, the embedded directory, loaded again whenever it is
    what the directory holds (it may have changed); with a feed and an empty directory, one sync
    now, so a new install is not empty until the first scheduled sync. Never stops the start."""
    last = directory.last_success()
    try:
        if feed_url is None:
            if last is None or last.feed == str(EMBEDDED):
                return sync(directory, areas, str(EMBEDDED))
        elif directory.count() == 0:
            return sync(directory, areas, feed_url)
    except (FeedError, OSError) as exc:
        log.error("directory: could not load %s at start: %s", feed_url or EMBEDDED, exc)
    return None
