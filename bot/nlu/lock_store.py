"""Rasa's Redis lock store, with its Redis calls made outside the event loop.

Rasa takes a conversation's ticket lock for every message: about seven Redis round trips
(issue a ticket, check it, hand it back, delete the lock). Rasa's RedisLockStore makes them
with the synchronous Redis client, on the event loop, so every conversation the server is
answering waits while one of them talks to Redis: 13% of the Rasa server's time under load
went on it (py-spy, `bot bench`, 20 conversations). Here the same calls run in one worker
thread of their own, and the loop serves other conversations meanwhile.

One thread, not a pool: Rasa's ticket calls read a lock and write it back, which is safe in
one process only while those calls never overlap, as on the event loop. In one thread they
still run one at a time, in the order they were asked for. The tickets, keys and expiry are
Rasa's own, so replicas running either store share locks.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")


class ThreadedRedisLockStore(RedisLockStore):
    """RedisLockStore whose Redis calls run in a worker thread."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        # Rasa builds a lock store named by its module path from the endpoints file like this
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lock-store")

    async def _off_loop(self, call: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, call, *args)

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncGenerator[TicketLock, None]:
        ticket = await self._off_loop(self.issue_ticket, conversation_id, lock_lifetime)
        try:
            yield await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            # Runs to the end in its thread even if this message's task is cancelled meanwhile.
            await self._off_loop(self.cleanup, conversation_id, ticket)

    async def _acquire_lock(self, conversation_id: str, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        """Rasa's wait for the ticket's turn: the lock is read again after each pause."""
        while True:
            lock = await self._off_loop(self.get_lock, conversation_id)
            if not lock:  # it expired
                break
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait_time_in_seconds)
            await self._off_loop(self.update_lock, conversation_id)
        raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
