"""The API's limits, written once (bot/core/limits.py) and carried everywhere they are used."""

from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestClient, TestServer

from bot.core import limits
from bot.web.app import create_app
from bot.web.openapi import SPEC


def test_the_api_limits_are_written_once_and_served(config, tmp_path):
    """Issue 15: one source for each limit (bot/core/limits.py): the served description, the checks
    and the widget's strings all carry it; openapi.yaml writes no length of its own."""
    assert "maxLength:" not in SPEC.read_text(encoding="utf-8")

    async def scenario() -> None:
        async with TestClient(TestServer(create_app(config.isolated(tmp_path / "var"), "token"))) as client:
            spec = await (await client.get("/api/openapi.json")).json()
            schemas = spec["components"]["schemas"]
            for (schema, field), length in limits.MAX_LENGTHS.items():
                assert schemas[schema]["properties"][field]["maxLength"] == length
            assert schemas["SessionId"]["pattern"] == "^[A-Za-z0-9_-]{1,128}$"
            strings = await (await client.get("/api/strings")).json()
            assert strings["limits"] == {"text": limits.TEXT, "comment": limits.COMMENT, "name": limits.NAME}
            too_long = {"session_id": "s", "text": "x" * (limits.TEXT + 1)}
            response = await client.post("/api/chat", json=too_long)
            assert response.status == 400 and str(limits.TEXT) in (await response.json())["error"]

    asyncio.run(scenario())
