"""A local Open Referral UK feed for the directory tests: a real aiohttp server on a free port,
serving fixture services built from the standard's own example record
(data/directory/schema's upstream, ../shared/spec/openreferral/service_full.json's shape).

The fixture services are made up for tests; the embedded directory's are real. The server
pages its list like a council's feed, gives only the one-to-one fields in the list (so the
client must fetch each full record), filters by `modified_after`, and can be told to fail.
"""

from __future__ import annotations

import asyncio
import copy
import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.core.areas import Areas
from bot.core.ports import free_ports
from bot.core.settings import ROOT
from bot.storage.directory import Changes, Directory
from bot.storage.store import Store

UPSTREAM = ROOT.parent / "shared" / "spec" / "openreferral"

NS = uuid.UUID("0b5f9a7e-1c2d-4e3f-8a9b-0c1d2e3f4a5b")
# One-to-one fields, as GET /services lists them (HSDS 3.0 service_list).
LIST_FIELDS = (
    "id",
    "name",
    "alternate_name",
    "description",
    "url",
    "email",
    "status",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "assured_date",
    "last_modified",
    "organization",
)


def fixture_id(key: str) -> str:
    return str(uuid.uuid5(NS, key))


@dataclass(frozen=True)
class Spec:
    key: str
    name: str
    description: str
    area: str
    postcode: str | None
    needs: tuple[str, ...]
    ages: tuple[int | None, int | None]
    assured: str = "2026-10-01"
    modified: str = "2026-11-01T09:00:00Z"


SPECS = (
    Spec(
        "ashford-autism",
        "Ashford Autism Parent Support Group",
        "A monthly coffee morning and online group for parents and carers of autistic children.",
        "Ashford",
        "TN23 1AA",
        ("autism", "parent-support"),
        (0, 18),
    ),
    Spec(
        "thanet-holiday",
        "Thanet Holiday Club for Disabled Children",
        "Holiday club in the summer and Easter holidays for disabled children, with one-to-one support.",
        "Thanet",
        "CT9 1AB",
        ("activities",),
        (5, 16),
    ),
    Spec(
        "dover-work",
        "Dover Supported Employment",
        "Help for young disabled people to find work, apprenticeships and supported internships.",
        "Dover",
        "CT16 1AA",
        ("employment",),
        (16, 25),
    ),
    Spec(
        "kent-deaf",
        "Kent Deaf Children's Group",
        "Family days and advice for deaf children and their families across the county.",
        "Kent",
        None,
        ("hearing", "parent-support"),
        (0, 19),
    ),
    Spec(
        "maidstone-wheelchair",
        "Maidstone Wheelchair Sports Club",
        "Wheelchair basketball and sports sessions for children and young people.",
        "Maidstone",
        "ME14 1AA",
        ("physical", "activities"),
        (8, 25),
    ),
    Spec(
        "canterbury-adhd",
        "Canterbury ADHD Family Network",
        "Evening meetings and a helpline for families of children with ADHD.",
        "Canterbury",
        "CT1 1AA",
        ("adhd", "parent-support"),
        (None, None),
    ),
    Spec(
        "sevenoaks-old",
        "Sevenoaks Sensory Play Sessions",
        "Sensory play for toddlers and young children with additional needs.",
        "Sevenoaks",
        "TN13 1AA",
        ("early-years",),
        (0, 5),
        assured="2021-03-01",
        modified="2021-03-01T09:00:00Z",
    ),
)


def record(spec: Spec, template: dict[str, Any]) -> dict[str, Any]:
    """A full HSDS 3.0 service, shaped like the standard's example, with the spec's details."""
    out = copy.deepcopy(template)
    sid = fixture_id(spec.key)
    out.update(
        id=sid,
        name=spec.name,
        alternate_name=spec.name,
        description=spec.description,
        url=f"https://example.org/{spec.key}",
        email=f"{spec.key}@example.org",
        eligibility_description=f"Children and young people in {spec.area} and their families.",
        assured_date=spec.assured,
        last_modified=spec.modified,
        status="active",
    )
    for key, value in zip(("minimum_age", "maximum_age"), spec.ages):
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    out["service_areas"] = [{"id": fixture_id(spec.key + ":area"), "name": spec.area, "description": f"Families in {spec.area}"}]
    location = out["service_at_locations"][0]["location"]
    location.update(id=fixture_id(spec.key + ":location"), name=f"{spec.name} venue")
    location.pop("latitude", None)
    location.pop("longitude", None)
    if spec.postcode:
        location["addresses"] = [
            {
                "id": fixture_id(spec.key + ":address"),
                "address_1": "1 High Street",
                "city": spec.area,
                "state_province": "Kent",
                "postal_code": spec.postcode,
                "country": "GB",
                "address_type": "physical",
            }
        ]
    else:
        out["service_at_locations"] = []
    out["attributes"] = [
        {
            "id": fixture_id(f"{spec.key}:{need}"),
            "taxonomy_term": {
                "id": fixture_id("term:" + need),
                "code": need,
                "name": need.replace("-", " "),
                "description": "fixture need",
                "taxonomy": "kent-send-assistant-needs",
            },
        }
        for need in spec.needs
    ]
    out["phones"] = [{"id": fixture_id(spec.key + ":phone"), "number": "01234 567890"}]
    out["cost_options"] = [{"id": fixture_id(spec.key + ":cost"), "amount_description": "Free"}]
    return out


def records() -> list[dict[str, Any]]:
    """The fixture services as full records, shaped like the standard's example."""
    template = json.loads((UPSTREAM / "service_full.json").read_text())
    return [record(s, template) for s in SPECS]


def load(store: Store) -> Directory:
    """A directory holding the fixture services, as a sync would leave it."""
    store.migrate()
    directory = Directory(store)
    rows = records()
    changes = Changes(rows, {r["id"] for r in rows}, [])
    directory.apply(directory.start_sync("fixture", incremental=False), changes, Areas(ROOT / "content" / "areas.yml"))
    return directory


@dataclass
class Feed:
    """What the server serves now; tests change it between syncs."""

    services: list[dict[str, Any]]
    fail_page: int | None = None  # this page answers 500, every time
    flaky: int = 0  # this many requests answer 503 before the feed works
    requests: list[str] = field(default_factory=list)


def make_app(feed: Feed) -> web.Application:
    async def services(request: web.Request) -> web.Response:
        feed.requests.append(request.path_qs)
        if feed.flaky > 0:
            feed.flaky -= 1
            return web.json_response({"error": "busy"}, status=503)
        page = int(request.query.get("page", "1"))
        per_page = int(request.query.get("per_page", "10"))
        if feed.fail_page == page:
            return web.json_response({"error": "database timeout"}, status=500)
        since = request.query.get("modified_after")
        chosen = [s for s in feed.services if not since or str(s.get("last_modified", "")) >= since]
        total_pages = max(1, -(-len(chosen) // per_page))
        contents = [{k: s[k] for k in LIST_FIELDS if k in s} for s in chosen[(page - 1) * per_page : page * per_page]]
        return web.json_response(
            {
                "total_items": len(chosen),
                "total_pages": total_pages,
                "page_number": page,
                "size": len(contents),
                "first_page": page == 1,
                "last_page": page >= total_pages,
                "empty": not contents,
                "contents": contents,
            }
        )

    async def service(request: web.Request) -> web.Response:
        feed.requests.append(request.path_qs)
        for s in feed.services:
            if s.get("id") == request.match_info["id"]:
                return web.json_response(s)
        return web.json_response({"error": "not found"}, status=404)

    app = web.Application()
    app.router.add_get("/services", services)
    app.router.add_get("/services/{id}", service)
    return app


@contextmanager
def serve(feed: Feed) -> Iterator[str]:
    """Run the feed on a free port in a thread; yields its base URL."""
    port = free_ports(1)[0]
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(make_app(feed))
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    started.wait(10)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
