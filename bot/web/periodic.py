"""Work the web app repeats in the background (reading staff files, retrying call-back emails,
saving usage counts): off the event loop, and never stopped by one failure."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable

from aiohttp import web

log = logging.getLogger(__name__)


def every(app: web.Application, seconds: float, work: Callable[[], object], what: str, at_exit: bool = False) -> None:
    """Run `work` in a worker thread every `seconds` while the app runs (and once more as it
    stops, if `at_exit`); an error is logged with `what` and the next round still comes."""

    async def rounds() -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await asyncio.get_running_loop().run_in_executor(None, work)
            except Exception:  # one bad round must not stop the next
                log.exception("%s failed; trying again in %s s", what, seconds)

    async def running(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(rounds())
        yield
        task.cancel()
        if at_exit:
            await asyncio.get_running_loop().run_in_executor(None, work)

    app.cleanup_ctx.append(running)
