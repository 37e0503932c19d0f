"""The pages and files a browser loads: the demo hub page, the privacy notice, the widget
script, our own static files and the GOV.UK Frontend styles installed by npm.

Nothing comes from a CDN: every file is served from this app, so the Content-Security-
Policy can say 'self' and families' browsers talk to the council's server only.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web
from markupsafe import Markup

from bot.core import you_said_we_did
from bot.core.contacts import Contact, tel_link
from bot.core.messages import to_html
from bot.core.settings import ROOT, Settings
from bot.web.staff_files import STAFF

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
GOVUK = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
# Who a family can phone when the chat cannot run (no JavaScript, or the assistant is down).
HELP_CONTACTS = ("iask", "send-area-north", "send-area-east", "send-area-south", "send-area-west")
TEMPLATES = web.AppKey("templates", jinja2.Environment)


def help_contacts(contacts: dict[str, Contact]) -> list[dict[str, Any]]:
    """Name, phone (with its tel: link) and email of the people to call without the chat."""
    return [
        {"name": c.name, "phone": c.phone, "tel": tel_link(c.phone), "email": c.email}
        for c in (contacts.get(i) for i in HELP_CONTACTS)
        if c is not None and c.phone
    ]


async def index(request: web.Request) -> web.Response:
    return _render(request, "index.html")


async def privacy(request: web.Request) -> web.Response:
    return _render(request, "privacy.html")


async def you_said_we_did_page(request: web.Request) -> web.Response:
    """Read on each visit, so an editor's change shows at once."""
    entries = [
        {"said": e.said, "when": e.when, "html": Markup(to_html(e.did))}
        for e in you_said_we_did.load(request.app[STAFF].content_dir)
    ]
    contacts = request.app[STAFF].current.contacts
    html = (
        request.app[TEMPLATES].get_template("you-said-we-did.html").render(help_contacts=help_contacts(contacts), entries=entries)
    )
    return web.Response(text=html, content_type="text/html")


def _render(request: web.Request, name: str) -> web.Response:
    contacts = request.app[STAFF].current.contacts
    html = request.app[TEMPLATES].get_template(name).render(help_contacts=help_contacts(contacts))
    return web.Response(text=html, content_type="text/html")


async def widget_js(request: web.Request) -> web.FileResponse:
    """At the site root, so the one-line embed code is short and does not change."""
    return web.FileResponse(STATIC / "widget.js", headers={"Content-Type": "text/javascript; charset=utf-8"})


async def govuk_css(request: web.Request) -> web.FileResponse:
    return web.FileResponse(GOVUK / "govuk-frontend.min.css", headers={"Content-Type": "text/css; charset=utf-8"})


def add_routes(app: web.Application, settings: Settings) -> None:
    app[TEMPLATES] = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, undefined=jinja2.StrictUndefined
    )
    app.router.add_get("/", index)
    app.router.add_get("/privacy", privacy)
    app.router.add_get("/you-said-we-did", you_said_we_did_page)
    app.router.add_get("/widget.js", widget_js)
    app.router.add_static("/static/", STATIC)
    if GOVUK.is_dir():
        app.router.add_get("/govuk/govuk-frontend.min.css", govuk_css)
        # The stylesheet refers to its fonts and images as /assets/...
        app.router.add_static("/assets/", GOVUK / "assets")
    else:
        log.error(
            "GOV.UK Frontend is not installed (%s is missing): pages will have no styles. Run 'make run', or 'npm ci' in %s",
            GOVUK,
            ROOT,
        )
