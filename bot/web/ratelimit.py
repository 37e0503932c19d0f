"""Rate limits on /api/*: per client IP and per session, and on accepted call-back requests.

Counters live in Redis when it is configured, so every web replica counts the same
requests; otherwise in this process's memory. The `limits` library does the counting
(a moving window, so a burst at the edge of a minute cannot double the limit).

If Redis cannot be reached the request is let through and a warning logged: a family
must never be turned away because the limiter is down.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import limits
from aiohttp import web
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError

from bot.core.settings import Settings

log = logging.getLogger(__name__)
WARN_EVERY_SECONDS = 60.0


class RateLimits:
    def __init__(self, settings: Settings) -> None:
        url = settings.rate_limit_storage_url
        self.shared = url != "memory://"
        options = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5} if self.shared else {}
        self.storage = storage_from_string(url, **options)  # the limiter holds only a weak reference
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.prefix = settings.redis_prefix
        self.rules = {
            "session": limits.parse_many(settings.rate_limit_session),
            "ip": limits.parse_many(settings.rate_limit_ip),
            "callback": limits.parse_many(settings.rate_limit_callback),
            # failed staff sign-ins, per account and per IP: reaching either locks sign-in out
            "login": limits.parse_many(settings.rate_limit_login),
            "login_ip": limits.parse_many(settings.rate_limit_login_ip),
            "status": limits.parse_many(settings.rate_limit_status),  # call-back status lookups per IP
        }
        self.proxies = [ipaddress.ip_network(n, strict=False) for n in settings.trusted_proxies]
        # Redis calls block, so they run here rather than on the event loop; memory needs no thread.
        self._threads = ThreadPoolExecutor(max_workers=4, thread_name_prefix="ratelimit") if self.shared else None
        self._warned_at = -math.inf

    def client_ip(self, request: web.Request) -> str:
        """The peer address, or the address a trusted reverse proxy says it forwarded for.

        X-Forwarded-For is read right to left, skipping our own proxies, so a client cannot
        choose its own address by sending the header itself."""
        peer = request.remote or "unknown"
        chain = [peer] + [h.strip() for h in reversed(request.headers.get("X-Forwarded-For", "").split(",")) if h.strip()]
        for hop in chain:
            try:
                address = ipaddress.ip_address(hop)
            except ValueError:
                return peer
            if not any(address in network for network in self.proxies):
                return hop
        return chain[-1]

    def _hit(self, kind: str, key: str) -> float | None:
        """Count one request; the seconds to wait when a limit is reached, else None."""
        for item in self.rules[kind]:
            if not self.limiter.hit(item, self.prefix, kind, key):
                reset, _ = self.limiter.get_window_stats(item, self.prefix, kind, key)
                return max(1.0, reset - time.time())
        return None

    def _full(self, kind: str, key: str) -> float | None:
        """Whether a limit is already reached, without counting a request: the seconds to wait, or None."""
        for item in self.rules[kind]:
            if not self.limiter.test(item, self.prefix, kind, key):
                reset, _ = self.limiter.get_window_stats(item, self.prefix, kind, key)
                return max(1.0, reset - time.time())
        return None

    async def hit(self, kind: str, key: str) -> float | None:
        return await self._run(self._hit, kind, key)

    async def full(self, kind: str, key: str) -> float | None:
        return await self._run(self._full, kind, key)

    async def _run(self, check: Callable[[str, str], float | None], kind: str, key: str) -> float | None:
        if self._threads is None:
            return check(kind, key)
        try:
            return await asyncio.get_running_loop().run_in_executor(self._threads, check, kind, key)
        except RedisError as exc:
            now = time.monotonic()
            if now - self._warned_at > WARN_EVERY_SECONDS:
                self._warned_at = now
                log.warning("rate limits not checked: Redis is not answering (%s)", type(exc).__name__)
            return None

    def close(self) -> None:
        if self._threads is not None:
            self._threads.shutdown(wait=False)


RATE_LIMITS = web.AppKey("rate_limits", RateLimits)


def too_many(wait: float) -> web.Response:
    seconds = math.ceil(wait)
    return web.json_response(
        {"error": f"Too many requests. Please wait {seconds} seconds and try again."},
        status=429,
        headers={"Retry-After": str(seconds)},
    )


async def _session_id(request: web.Request) -> str | None:
    """The session a JSON request names, if it names one; the handler reads the same (cached) body."""
    if request.method != "POST" or not request.can_read_body:
        return None
    try:
        body = json.loads(await request.read())
    except (ValueError, RecursionError):
        return None
    session = body.get("session_id") if isinstance(body, dict) else None
    return session if isinstance(session, str) and 0 < len(session) <= 128 else None


# A load balancer's health check must never get 429: under load it would take a healthy
# replica out of service. The check itself stays cheap: one local probe of each process.
UNLIMITED = frozenset({"/api/health"})


@web.middleware
async def rate_limit(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> Any:
    if not request.path.startswith("/api/") or request.path in UNLIMITED:
        return await handler(request)
    limiter = request.app[RATE_LIMITS]
    wait = await limiter.hit("ip", limiter.client_ip(request))
    if wait is None:
        session = await _session_id(request)
        if session is not None:
            wait = await limiter.hit("session", session)
    return too_many(wait) if wait is not None else await handler(request)


async def callback_allowed(request: web.Request) -> web.Response | None:
    """Accepted call-back requests per IP: each one emails staff, so a flood must not reach them.
    Returns the 429 to send, or None."""
    limiter = request.app[RATE_LIMITS]
    wait = await limiter.hit("callback", limiter.client_ip(request))
    return too_many(wait) if wait is not None else None
