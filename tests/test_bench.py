"""The load generator: it must measure the assistant, not itself."""

from __future__ import annotations

import asyncio
import time

import aiohttp
from aiohttp import web

from bot.ops.bench import ERROR_PAUSE, Load, _user


def test_a_failing_server_is_not_hammered_in_a_tight_loop():
    """After an error the simulated family used to retry at once, thousands of times a second."""
    hits = 0

    async def broken(request: web.Request) -> web.Response:
        nonlocal hits
        hits += 1
        return web.json_response({"error": "down"}, status=503)

    async def main() -> Load:
        app = web.Application()
        app.router.add_post("/api/chat", broken)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        load = Load("test")
        try:
            async with aiohttp.ClientSession() as session:
                await _user(session, f"http://127.0.0.1:{port}", "u", 0.0, time.monotonic() + 1.2, 0.0, load)
        finally:
            await runner.cleanup()
        return load

    load = asyncio.run(main())
    assert hits <= 1.2 / ERROR_PAUSE + 1 and len(load.errors) == hits and load.latencies == []
