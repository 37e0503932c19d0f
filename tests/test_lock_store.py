"""Rasa's ticket locks with the Redis calls off the event loop (bot/nlu/lock_store.py), on a real Redis."""

from __future__ import annotations

import asyncio
import uuid

import redis
from rasa.core.lock_store import RedisLockStore

from bot.core.connections import redis_address
from bot.nlu.lock_store import ThreadedRedisLockStore


def store(redis_url: str, cls: type[RedisLockStore] = ThreadedRedisLockStore, prefix: str = "") -> RedisLockStore:
    address = redis_address(redis_url)
    return cls(host=address.host, port=address.port, db=address.db, key_prefix=prefix or f"test{uuid.uuid4().hex[:8]}")


def test_one_conversations_messages_are_served_one_at_a_time_in_order(redis_url):
    locks = store(redis_url)
    served: list[str] = []

    async def message(name: str, work: float) -> None:
        async with locks.lock("family-1", wait_time_in_seconds=0.01):
            served.append(f"{name} starts")
            await asyncio.sleep(work)
            served.append(f"{name} ends")

    async def three_at_once() -> None:
        await asyncio.gather(message("first", 0.2), message("second", 0.0), message("third", 0.0))

    asyncio.run(three_at_once())
    assert served == ["first starts", "first ends", "second starts", "second ends", "third starts", "third ends"]
    assert locks.get_lock("family-1") is None  # nobody waiting: the lock is gone


def test_other_conversations_do_not_wait_for_each_other(redis_url):
    locks = store(redis_url)
    served: list[str] = []

    async def message(conversation: str, work: float) -> None:
        async with locks.lock(conversation, wait_time_in_seconds=0.01):
            await asyncio.sleep(work)
            served.append(conversation)

    async def both() -> None:
        await asyncio.gather(message("slow", 0.3), message("quick", 0.0))

    asyncio.run(both())
    assert served == ["quick", "slow"]


def test_it_shares_locks_with_rasas_own_redis_lock_store(redis_url):
    """Replicas mid-upgrade may run either store: the keys and tickets are the same."""
    prefix = f"test{uuid.uuid4().hex[:8]}"
    ours, rasas = store(redis_url, prefix=prefix), store(redis_url, RedisLockStore, prefix=prefix)
    ticket = rasas.issue_ticket("family-2", 30)
    assert ours.get_lock("family-2").is_locked(ticket + 1)
    rasas.cleanup("family-2", ticket)
    assert ours.get_lock("family-2") is None
    assert redis.Redis.from_url(redis_url).keys(f"{prefix}*") == []
