"""The OpenAPI description of /api/*, served at /api/openapi.json.

The description is written by hand in openapi.yaml, beside the code it describes, and
checked against the running app by the fuzz test; only the configured languages are
filled in here, since they are a setting.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web

from bot.settings import Settings

SPEC = Path(__file__).with_name("openapi.yaml")


@lru_cache(maxsize=None)
def _template() -> dict[str, Any]:
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))


def document(settings: Settings) -> dict[str, Any]:
    spec = _template()
    languages = {"type": "string", "enum": list(settings.languages),
                 "description": "One of the configured languages (BOT_LANGUAGES)."}
    chat = spec["components"]["schemas"]["ChatRequest"]
    return {**spec, "components": {**spec["components"], "schemas": {
        **spec["components"]["schemas"],
        "ChatRequest": {**chat, "properties": {**chat["properties"], "language": languages}}}}}


def add_route(app: web.Application, settings: Settings) -> None:
    body = document(settings)

    async def serve(request: web.Request) -> web.Response:
        return web.json_response(body)

    app.router.add_get("/api/openapi.json", serve)
