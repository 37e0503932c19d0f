"""Spread conversations over the Rasa replicas, and move them when a replica is down.

Each session goes to the replica that ranks highest for it (rendezvous hashing of the
session id, the same in every web replica), so one conversation normally stays on one
Rasa server. When that replica is down the next in the session's ranking takes over;
it can, because every replica shares the tracker store and the Redis lock store. When
the replica comes back, only its own sessions return to it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

import aiohttp

log = logging.getLogger(__name__)
PROBE_TIMEOUT = aiohttp.ClientTimeout(total=2)


class Unavailable(Exception):
    """No replica could take the message."""


@dataclass
class Replica:
    name: str
    url: str
    healthy: bool = True  # until a probe or a failed request says otherwise


def _rank(url: str, session_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"{url}\n{session_id}".encode(), digest_size=8).digest(), "big")


class Replicas:
    def __init__(self, urls: tuple[str, ...], token: str) -> None:
        self.replicas = [Replica(f"rasa-{i}", url) for i, url in enumerate(urls, start=1)]
        self.token = token

    def order(self, session_id: str) -> list[Replica]:
        """The replicas in the order this session tries them: healthy ones first, each group by rank."""
        ranked = sorted(self.replicas, key=lambda r: _rank(r.url, session_id), reverse=True)
        return [r for r in ranked if r.healthy] + [r for r in ranked if not r.healthy]

    async def send(self, client: aiohttp.ClientSession, payload: dict[str, Any]) -> list[dict[str, Any]]:
        """Post one message to Rasa's REST channel; the reply's messages.

        A replica that cannot be reached, or drops the connection before answering, is
        marked down and the next one tried: a killed replica never saved the message
        (Rasa saves the tracker after the reply is ready). A timeout or an error status
        is not retried elsewhere, since that replica may still be working on it."""
        for replica in self.order(payload["sender"]):
            try:
                async with client.post(f"{replica.url}/webhooks/rest/webhook", json=payload) as response:
                    if response.status != 200:
                        log.error("%s answered %s", replica.name, response.status)
                        raise Unavailable(f"{replica.name} answered {response.status}")
                    replica.healthy = True
                    items = await response.json()
                    return items if isinstance(items, list) else []
            except (aiohttp.ServerTimeoutError, aiohttp.ContentTypeError) as exc:
                raise Unavailable(f"{replica.name} timed out or answered nonsense") from exc
            except aiohttp.ClientConnectionError as exc:
                replica.healthy = False
                log.warning("%s is not reachable (%s); trying the next replica", replica.name, type(exc).__name__)
            except asyncio.TimeoutError as exc:
                raise Unavailable(f"{replica.name} timed out") from exc
        raise Unavailable("no Rasa replica is reachable")

    async def _probe(self, client: aiohttp.ClientSession, replica: Replica) -> bool:
        """Whether the replica answers with a model loaded."""
        try:
            async with client.get(f"{replica.url}/status", params={"token": self.token}, timeout=PROBE_TIMEOUT) as response:
                status = await response.json() if response.status == 200 else {}
                ready = bool(status.get("model_file") or status.get("model_id"))
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            ready = False
        if ready != replica.healthy:
            log.info("%s is %s", replica.name, "ready" if ready else "down")
        replica.healthy = ready
        return ready

    async def probe(self, client: aiohttp.ClientSession) -> list[dict[str, Any]]:
        """Check every replica now; [{"name", "model"}] for the health report."""
        results = await asyncio.gather(*(self._probe(client, r) for r in self.replicas))
        return [{"name": r.name, "model": ok} for r, ok in zip(self.replicas, results)]

    async def watch(self, client: aiohttp.ClientSession, every: float = 2.0) -> None:
        """Probe all the time, so a replica that comes back gets its sessions again."""
        while True:
            await self.probe(client)
            await asyncio.sleep(every)
