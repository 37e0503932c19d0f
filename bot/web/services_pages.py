"""The Local Offer's services directory as pages: /services (search, with area, age and need
filters, in the GOV.UK pattern) and /services/{id} (one service). Plain HTML forms and links,
so they work without JavaScript; the chat's "See them all" link opens the same search here.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.core.contacts import tel_link
from bot.core.services import Found, ServiceQuery
from bot.storage.directory import Directory
from bot.web.pages import TEMPLATES, help_contacts
from bot.web.staff_files import STAFF

DIRECTORY = web.AppKey("directory", Directory)
PER_PAGE = 10
MAX_TEXT = 200
MAX_PAGE = 1000


def _errors(request: web.Request, districts: frozenset[str], needs: dict[str, Any]) -> dict[str, str]:
    """Each field a family can get wrong, with what to do about it (GOV.UK error messages)."""
    errors: dict[str, str] = {}
    query = request.query
    age = query.get("age", "").strip()
    if age and not (age.isdigit() and int(age) <= 25):
        errors["age"] = "Enter an age as a number from 0 to 25, like 8"
    if query.get("area") and query["area"] not in districts:
        errors["area"] = "Choose an area from the list"
    if any(n not in needs for n in query.getall("need", [])):
        errors["need"] = "Choose needs from the list"
    if len(query.get("q", "")) > MAX_TEXT:
        errors["q"] = f"Search words must be {MAX_TEXT} characters or fewer"
    return errors


async def services_page(request: web.Request) -> web.Response:
    staff = request.app[STAFF].current
    needs, districts = staff.needs, staff.districts
    query = request.query
    errors = _errors(request, districts, needs)
    page = int(query["page"]) if query.get("page", "").isdigit() and 0 < int(query["page"]) <= MAX_PAGE else 1
    chosen = [n for n in query.getall("need", []) if n in needs]
    found = Found([], 0)
    searched = any(query.get(k) for k in ("q", "area", "age", "need"))
    if not errors:
        search = ServiceQuery(
            terms=tuple(t for n in chosen for t in needs[n].terms),
            text=query.get("q", "").strip(),
            district=query.get("area") or None,
            age=int(query["age"]) if query.get("age", "").strip() else None,
            limit=PER_PAGE,
            offset=(page - 1) * PER_PAGE,
        )
        found = await asyncio.get_running_loop().run_in_executor(None, request.app[DIRECTORY].search, search)
    pages = max(1, math.ceil(found.total / PER_PAGE))
    kept = [(k, v) for k, v in query.items() if k != "page" and v]

    def page_link(number: int) -> str:
        return "/services?" + urlencode([*kept, ("page", str(number))])

    today = dt.date.today()
    html = (
        request.app[TEMPLATES]
        .get_template("services.html")
        .render(
            help_contacts=help_contacts(staff.contacts),
            query=query.get("q", ""),
            area=query.get("area", ""),
            age=query.get("age", ""),
            chosen=chosen,
            districts=sorted(districts),
            needs=sorted(needs.values(), key=lambda n: n.label),
            errors=errors,
            searched=searched,
            found=found,
            stale=[s.out_of_date(today) for s in found.services],
            page=page,
            pages=pages,
            page_link=page_link,
        )
    )
    return web.Response(text=html, content_type="text/html", status=400 if errors else 200)


async def service_page(request: web.Request) -> web.Response:
    service = await asyncio.get_running_loop().run_in_executor(None, request.app[DIRECTORY].get, request.match_info["id"])
    contacts = request.app[STAFF].current.contacts
    if service is None:
        html = request.app[TEMPLATES].get_template("service_missing.html").render(help_contacts=help_contacts(contacts))
        return web.Response(text=html, content_type="text/html", status=404)
    html = (
        request.app[TEMPLATES]
        .get_template("service.html")
        .render(
            help_contacts=help_contacts(contacts),
            service=service,
            tel=tel_link(service.phone),
            stale=service.out_of_date(dt.date.today()),
        )
    )
    return web.Response(text=html, content_type="text/html")


def add_routes(app: web.Application, directory: Directory) -> None:
    app[DIRECTORY] = directory
    app.router.add_get("/services", services_page)
    app.router.add_get("/services/{id}", service_page)
