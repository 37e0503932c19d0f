"""Security headers on every response, and CORS for the API.

The chat is embedded in council pages, so two things are configurable: which sites may
frame the pages (CSP frame-ancestors) and which origins may call /api/* from a browser
(CORS). Everything else is fixed and strict: scripts and styles come only from this
server, never inline, so injected markup cannot run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.core.settings import Settings

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CORS_METHODS = "GET, POST, OPTIONS"
CORS_HEADERS = "Content-Type"
CORS_MAX_AGE = "600"


def content_security_policy(settings: Settings) -> str:
    """No 'unsafe-inline' anywhere: the pages have no inline scripts, styles or style attributes."""
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
            f"frame-ancestors {' '.join(settings.frame_ancestors)}",
        ]
    )


def security_headers(settings: Settings) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """A middleware that answers CORS preflights for /api/* and adds the headers to every response."""
    policy = content_security_policy(settings)
    allowed = set(settings.cors_origins)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        api = request.path.startswith("/api/")
        if api and request.method == "OPTIONS" and isinstance(request.match_info.http_exception, web.HTTPMethodNotAllowed):
            response: web.StreamResponse = _preflight(origin, allowed)
        else:
            response = await handler(request)
        response.headers["Content-Security-Policy"] = policy
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if api:
            response.headers["Vary"] = "Origin"
            if origin in allowed:
                response.headers["Access-Control-Allow-Origin"] = origin
        return response

    return middleware


def _preflight(origin: str | None, allowed: set[str]) -> web.Response:
    """Browsers ask before a cross-site JSON POST; only origins in BOT_CORS_ORIGINS get a yes."""
    if origin not in allowed:
        return web.json_response(
            {"error": f"The origin {origin or '(none)'} may not call this API: add it to BOT_CORS_ORIGINS."}, status=403
        )
    return web.Response(
        status=204,
        headers={
            "Access-Control-Allow-Methods": CORS_METHODS,
            "Access-Control-Allow-Headers": CORS_HEADERS,
            "Access-Control-Max-Age": CORS_MAX_AGE,
        },
    )
