"""The load generator: it must measure the assistant, not itself."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

import aiohttp
from aiohttp import web

from bot.ops.bench import ERROR_PAUSE, Load, _user, drive_open


@contextmanager
def chat_server(handler: Callable[[web.Request], Awaitable[web.Response]]) -> Iterator[str]:
    """A real HTTP server answering /api/chat with `handler`, in its own thread and event loop,
    so the load generator can run its own; yields its URL."""
    ready, stop = threading.Event(), threading.Event()
    ports: list[int] = []

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/api/chat", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        ports.append(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.05)
        await runner.cleanup()

    thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    thread.start()
    assert ready.wait(10), "the test server did not start"
    try:
        yield f"http://127.0.0.1:{ports[0]}"
    finally:
        stop.set()
        thread.join(10)


def test_a_failing_server_is_not_hammered_in_a_tight_loop():
    """After an error the simulated family used to retry at once, thousands of times a second."""
    hits = 0

    async def broken(request: web.Request) -> web.Response:
        nonlocal hits
        hits += 1
        return web.json_response({"error": "down"}, status=503)

    async def family(url: str) -> Load:
        load = Load("test")
        async with aiohttp.ClientSession() as session:
            await _user(session, url, "u", 0.0, time.monotonic() + 1.2, 0.0, load)
        return load

    with chat_server(broken) as url:
        load = asyncio.run(family(url))
    assert hits <= 1.2 / ERROR_PAUSE + 1 and len(load.errors) == hits and load.latencies == []


def test_the_open_loop_sends_at_its_rate_however_slow_the_answers():
    """Families arrive on their own: a slow server must not slow the arrivals (as a closed loop would)."""

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(0.5)
        return web.json_response({"messages": []})

    with chat_server(slow) as url:
        load = drive_open(url, "test", rate=20.0, seconds=1.5, conversations=5)
    assert 15 <= len(load.latencies) <= 60 and load.errors == []  # about 30 arrivals in 1.5 s, none waiting on another
    assert min(load.latencies) >= 450 and load.cpu_s > 0
