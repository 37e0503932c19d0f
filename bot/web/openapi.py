"""The OpenAPI description of /api/*, served at /api/openapi.json.

The description is written by hand in openapi.yaml, beside the code it describes, and
checked against the running app by the fuzz test. What depends on settings and content
is filled in here: the configured languages, the topic ids and the districts; and so are
the limits, which are written once in bot/core/limits.py.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web

from bot.core import limits

SPEC = Path(__file__).with_name("openapi.yaml")


@cache
def _template() -> dict[str, Any]:
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))


def _with_enum(schema: dict[str, Any], field: str, values: list[str]) -> dict[str, Any]:
    return {**schema, "properties": {**schema["properties"], field: {**schema["properties"][field], "enum": values}}}


@cache
def _with_limits() -> dict[str, Any]:
    """openapi.yaml with the limits of bot/core/limits.py written in (a fresh copy: the template stays as read)."""
    spec = copy.deepcopy(_template())
    schemas = spec["components"]["schemas"]
    for (schema, field), length in limits.MAX_LENGTHS.items():
        schemas[schema]["properties"][field]["maxLength"] = length
    schemas["SessionId"]["pattern"] = f"^[A-Za-z0-9_-]{{1,{limits.SESSION_ID}}}$"
    for parameter in spec["paths"]["/api/dates.ics"]["get"]["parameters"]:
        if parameter["name"] == "what":
            parameter["schema"]["maxLength"] = limits.WHAT
    return spec


def document(languages: tuple[str, ...], topics: set[str], districts: set[str]) -> dict[str, Any]:
    spec = _with_limits()
    schemas = spec["components"]["schemas"]
    callback = _with_enum(schemas["CallbackRequest"], "topic", sorted(topics))
    return {
        **spec,
        "components": {
            **spec["components"],
            "schemas": {
                **schemas,
                "Language": {**schemas["Language"], "enum": list(languages)},
                "ChatRequest": _with_enum(schemas["ChatRequest"], "language", list(languages)),
                "CallbackRequest": _with_enum(callback, "district", sorted(districts)),
            },
        },
    }


def add_route(
    app: web.Application, languages: tuple[str, ...], known: Callable[[], tuple[frozenset[str], frozenset[str]]]
) -> None:
    """Serve the description, with today's topic ids and districts (`known` gives them)."""

    @lru_cache(maxsize=4)  # one entry per version of the files; old ones drop out
    def body(topics: frozenset[str], districts: frozenset[str]) -> dict[str, Any]:
        return document(languages, set(topics), set(districts))

    async def serve(request: web.Request) -> web.Response:
        return web.json_response(body(*known()))

    app.router.add_get("/api/openapi.json", serve)
