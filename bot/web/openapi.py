"""The OpenAPI description of /api/*, served at /api/openapi.json.

The description is written by hand in openapi.yaml, beside the code it describes, and
checked against the running app by the fuzz test. What depends on settings and content
is filled in here: the configured languages, the topic ids and the districts.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web

SPEC = Path(__file__).with_name("openapi.yaml")


@cache
def _template() -> dict[str, Any]:
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))


def _with_enum(schema: dict[str, Any], field: str, values: list[str]) -> dict[str, Any]:
    return {**schema, "properties": {**schema["properties"], field: {**schema["properties"][field], "enum": values}}}


def document(languages: tuple[str, ...], topics: set[str], districts: set[str]) -> dict[str, Any]:
    spec = _template()
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
