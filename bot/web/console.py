"""The staff console, under /staff/: sign-in, the call-back queue, what families asked that the
assistant could not answer, how the assistant is doing, and staff accounts.

Security (docs/security.md): sessions live in Redis where it is configured, else in an encrypted,
signed cookie (aiohttp-session with Fernet). The cookie is `HttpOnly`, `Secure` and
`SameSite=Strict`; a session ends after 8 hours without use, and a new one starts at sign-in.
Every form carries a CSRF token; failed sign-ins are counted per account and per IP, and a
locked account gets the same message as a wrong password; every page checks the role it
needs; every change is in the audit log (bot/storage/staff.py).
"""

from __future__ import annotations

import asyncio
import base64
import csv
import datetime as dt
import hmac
import io
import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp_session import AbstractStorage, get_session, new_session, session_middleware
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from aiohttp_session.redis_storage import RedisStorage
from cryptography.fernet import Fernet
from redis import asyncio as aioredis
from redis.exceptions import RedisError

from bot.core.hours import LONDON
from bot.core.settings import Settings
from bot.storage.staff import MARKS, ROLES, STATUSES, Account, Staff, StaffError, waited
from bot.storage.store import Store
from bot.web import reports
from bot.web.pages import TEMPLATES
from bot.web.ratelimit import RATE_LIMITS
from bot.web.staff_files import STAFF as STAFF_FILES

log = logging.getLogger(__name__)
STAFF = web.AppKey("staff", Staff)
CONSOLE_SETTINGS = web.AppKey("console_settings", Settings)
IDLE_SECONDS = 8 * 3600
COOKIE = "kent_staff"
PUBLIC = frozenset({"/staff/login", "/staff/setup"})
SIGN_IN_ERROR = "Enter a correct email address and password. After 5 wrong tries, the account is locked for 15 minutes."
# What each role may open; an admin may open everything.
AREAS = {"callbacks": ("agent", "admin"), "questions": ("editor", "admin"), "stats": ("editor", "admin"), "users": ("admin",)}
STATUS_NAMES = {"new": "New", "in_progress": "In progress", "done": "Done", "not_reached": "Could not reach"}
MARK_NAMES = {"new_page": "New page needed", "answered": "Answered by a topic", "out_of_scope": "Out of scope"}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def cookie_key(settings: Settings) -> bytes:
    """BOT_STAFF_SECRET, or a key kept in var/ (made once, readable by this user only), so
    sessions survive a restart. Replicas behind one load balancer need the same BOT_STAFF_SECRET."""
    if settings.staff_secret:
        return base64.urlsafe_b64decode(settings.staff_secret)
    path = settings.var_dir / "staff-cookie.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_bytes(Fernet.generate_key())
    return base64.urlsafe_b64decode(path.read_bytes().strip())


def session_storage(app: web.Application, settings: Settings) -> AbstractStorage:
    """Sessions in Redis where it is configured (LOCK_STORE_URL): the cookie holds only a random
    id, so signing out ends the session everywhere; otherwise in an encrypted, signed cookie."""
    cookie: dict[str, Any] = {
        "cookie_name": COOKIE,
        "path": "/staff",
        "httponly": True,
        "secure": settings.staff_cookie_secure,
        "samesite": "Strict",
        "max_age": IDLE_SECONDS,
    }
    if settings.lock_store_url:
        client = aioredis.from_url(settings.lock_store_url)

        async def close(app: web.Application) -> AsyncIterator[None]:
            yield
            await client.close()

        app.cleanup_ctx.append(close)
        return RedisStorage(client, key_factory=lambda: f"{settings.redis_prefix}:{secrets.token_urlsafe(32)}", **cookie)
    return EncryptedCookieStorage(cookie_key(settings), **cookie)


def setup(app: web.Application, settings: Settings, store: Store) -> None:
    """The console's routes and its two middlewares; nothing at all when it is switched off."""
    if not settings.staff_console:
        return
    app[STAFF] = Staff(store)
    app[CONSOLE_SETTINGS] = settings
    app.middlewares.append(_only_under_staff(session_middleware(session_storage(app, settings))))
    app.middlewares.append(guard)
    routes = [
        ("GET", "/staff/login", login_page),
        ("POST", "/staff/login", login),
        ("GET", "/staff/setup", setup_page),
        ("POST", "/staff/setup", setup_password),
        ("POST", "/staff/logout", logout),
        ("GET", "/staff/", home),
        ("GET", "/staff/callbacks", callbacks),
        ("GET", "/staff/callbacks/{reference}", callback_page),
        ("POST", "/staff/callbacks/{reference}/take", take),
        ("POST", "/staff/callbacks/{reference}/close", close),
        ("GET", "/staff/questions", questions),
        ("GET", "/staff/questions.csv", questions_csv),
        ("POST", "/staff/questions/mark", mark),
        ("GET", "/staff/stats", stats),
        ("GET", "/staff/users", users),
        ("POST", "/staff/users/disable", disable),
        ("GET", "/staff/api/queue", api_queue),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, path, handler)
    app.router.add_get("/staff", to_home)


async def to_home(request: web.Request) -> web.Response:
    return _redirect("/staff/")


def _only_under_staff(middleware: Any) -> Any:
    """The session middleware for /staff/ only: the public API never reads or sets the cookie."""

    @web.middleware
    async def wrapped(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith("/staff"):
            return await handler(request)
        try:
            return await middleware(request, handler)
        except (RedisError, OSError) as exc:  # sessions in Redis, and Redis is down: say so, never a 500
            log.error("staff console: sessions cannot be read or saved (%s)", type(exc).__name__)
            return web.Response(
                status=503, text="The staff console is unavailable: its session store is not answering. Try again soon."
            )

    return wrapped


def _redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """No /staff page without a session (the API answers 401, pages go to sign-in); no form
    without its CSRF token (403); sessions end after 8 hours without use; never cached."""
    if not request.path.startswith("/staff"):
        return await handler(request)
    session = await get_session(request)  # Redis down: _only_under_staff answers 503
    now = time.time()
    if session.get("user") and now - float(session.get("seen", 0)) > IDLE_SECONDS:
        session.invalidate()
        session = await get_session(request)
    account = None
    if session.get("user"):
        account = await _run(request.app[STAFF].account, session["user"])
        if account is None or account.disabled or account.role != session.get("role"):
            session.invalidate()
            account = None
            session = await get_session(request)
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    request["csrf"] = session["csrf"]  # every page's forms carry it
    if account is None and request.path not in PUBLIC:
        if request.path.startswith("/staff/api/"):
            return web.json_response({"error": "Sign in first."}, status=401)
        return _redirect("/staff/login")
    if request.method == "POST":
        form = await request.post()
        if not hmac.compare_digest(str(form.get("csrf", "")), str(session["csrf"])):
            return _page(
                request,
                "staff/error.html",
                status=403,
                title="This form has expired",
                message="Go back, reload the page and try again.",
            )
    if account is not None:
        session["seen"] = now
        request["account"] = account
    try:
        response: web.StreamResponse = await handler(request)
    except web.HTTPForbidden:
        response = _page(
            request,
            "staff/error.html",
            status=403,
            title="You cannot open this page",
            message="Your role does not include it. Ask an administrator if you need it.",
        )
    response.headers["Cache-Control"] = "no-store"
    return response


async def _run(function: Callable[..., Any], *args: Any) -> Any:
    """Database work and password hashing off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(None, function, *args)


def _page(request: web.Request, template: str, status: int = 200, **values: Any) -> web.Response:
    session_csrf = request.get("csrf") or ""
    account: Account | None = request.get("account")
    html = (
        request.app[TEMPLATES]
        .get_template(template)
        .render(
            account=account,
            csrf=session_csrf,
            can=lambda area: account is not None and account.role in AREAS[area],
            **values,
        )
    )
    return web.Response(text=html, content_type="text/html", status=status)


def _allowed(request: web.Request, area: str) -> None:
    account: Account = request["account"]
    if account.role not in AREAS[area]:
        raise web.HTTPForbidden()


# --- signing in ---------------------------------------------------------------------------


async def login_page(request: web.Request) -> web.Response:
    return _page(request, "staff/login.html", title="Sign in", errors={}, email="")


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    email, password = str(form.get("email", "")).strip().lower(), str(form.get("password", ""))
    limiter = request.app[RATE_LIMITS]
    ip = limiter.client_ip(request)
    locked = await limiter.full("login", email) or await limiter.full("login_ip", ip)
    account = None if locked or not email or not password else await _run(request.app[STAFF].sign_in, email, password)
    if account is None:
        await limiter.hit("login", email)
        await limiter.hit("login_ip", ip)
        return _page(request, "staff/login.html", status=400, title="Sign in", errors={"email": SIGN_IN_ERROR}, email=email)
    session = await new_session(request)  # a new session at sign-in: nothing from before carries over
    session.update(
        user=account.email, role=account.role, sid=secrets.token_urlsafe(16), csrf=secrets.token_urlsafe(32), seen=time.time()
    )
    return _redirect("/staff/")


async def setup_page(request: web.Request) -> web.Response:
    return _page(request, "staff/setup.html", title="Choose your password", token=request.query.get("token", ""), errors={})


async def setup_password(request: web.Request) -> web.Response:
    form = await request.post()
    token, password = str(form.get("token", "")), str(form.get("password", ""))
    errors = {}
    if password != str(form.get("confirm", "")):
        errors["password"] = "The two passwords are not the same."
    else:
        try:
            await _run(request.app[STAFF].set_password_with_token, token, password)
        except StaffError as exc:
            errors["password"] = str(exc)
    if errors:
        return _page(request, "staff/setup.html", status=400, title="Choose your password", token=token, errors=errors)
    return _redirect("/staff/login")


async def logout(request: web.Request) -> web.Response:
    (await get_session(request)).invalidate()
    return _redirect("/staff/login")


async def home(request: web.Request) -> web.Response:
    counts = await _run(request.app[STAFF].counts)
    return _page(request, "staff/home.html", title="Staff console", counts=counts, names=STATUS_NAMES)


# --- the call-back queue --------------------------------------------------------------------


async def callbacks(request: web.Request) -> web.Response:
    _allowed(request, "callbacks")
    status = request.query.get("status", "new")
    if status not in STATUSES:
        status = "new"
    rows = await _run(request.app[STAFF].queue, status)
    counts = await _run(request.app[STAFF].counts)
    today = dt.datetime.now(LONDON).date()
    overdue = request.app[CONSOLE_SETTINGS].callback_overdue_days
    items = [{"row": r, "waited": waited(r.created_at, today)} for r in rows]
    return _page(
        request,
        "staff/callbacks.html",
        title="Call-back requests",
        shown=status,
        items=items,
        counts=counts,
        names=STATUS_NAMES,
        overdue=overdue,
    )


async def callback_page(request: web.Request) -> web.Response:
    _allowed(request, "callbacks")
    row = await _run(request.app[STAFF].request, request.match_info["reference"])
    if row is None:
        return _page(
            request,
            "staff/error.html",
            status=404,
            title="Not found",
            message="There is no call-back request with this reference.",
        )
    today = dt.datetime.now(LONDON).date()
    return _page(
        request,
        "staff/callback.html",
        title=f"Call-back {row.reference}",
        row=row,
        waited=waited(row.created_at, today),
        names=STATUS_NAMES,
        errors={},
    )


async def take(request: web.Request) -> web.Response:
    _allowed(request, "callbacks")
    reference = request.match_info["reference"]
    try:
        await _run(request.app[STAFF].take, reference, request["account"].email)
    except StaffError:
        pass  # closed meanwhile: the page shows how it ended
    return _redirect(f"/staff/callbacks/{reference}")


async def close(request: web.Request) -> web.Response:
    _allowed(request, "callbacks")
    reference = request.match_info["reference"]
    form = await request.post()
    try:
        await _run(
            request.app[STAFF].close,
            reference,
            request["account"].email,
            str(form.get("outcome", "")),
            str(form.get("note", ""))[:2000],
        )
    except StaffError as exc:
        row = await _run(request.app[STAFF].request, reference)
        if row is None:
            raise web.HTTPNotFound() from None
        today = dt.datetime.now(LONDON).date()
        return _page(
            request,
            "staff/callback.html",
            status=400,
            title=f"Call-back {reference}",
            row=row,
            waited=waited(row.created_at, today),
            names=STATUS_NAMES,
            errors={"outcome": str(exc)},
        )
    return _redirect("/staff/callbacks?status=new")


async def api_queue(request: web.Request) -> web.Response:
    _allowed(request, "callbacks")
    return web.json_response({"counts": await _run(request.app[STAFF].counts)})


# --- what families asked that we could not answer --------------------------------------------


async def _groups(request: web.Request) -> list[reports.Group]:
    weeks = int(request.query["weeks"]) if request.query.get("weeks", "").isdigit() else 4
    since = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(weeks=max(1, min(weeks, 52)))
    staff = request.app[STAFF]
    questions, unhelpful, marks = await asyncio.gather(
        _run(staff.unanswered, since), _run(staff.unhelpful, since), _run(staff.marks)
    )
    return reports.group(questions, unhelpful, marks)


async def questions(request: web.Request) -> web.Response:
    _allowed(request, "questions")
    groups = await _groups(request)
    topics = sorted(request.app[STAFF_FILES].current.topics)
    return _page(
        request,
        "staff/questions.html",
        title="What families asked that we could not answer",
        groups=groups,
        topics=topics,
        marks=MARKS,
        mark_names=MARK_NAMES,
    )


async def questions_csv(request: web.Request) -> web.Response:
    _allowed(request, "questions")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["group", "questions", "example", "languages", "topics", "weeks", "mark", "answered_by"])
    for g in await _groups(request):
        writer.writerow(
            [
                g.key,
                g.count,
                reports.csv_safe(g.example),
                " ".join(sorted(g.languages)),
                " ".join(sorted(g.topics)),
                " ".join(sorted(g.weeks)),
                g.mark or "",
                g.answered_by or "",
            ]
        )
    return web.Response(
        text=out.getvalue(),
        content_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="unanswered-questions.csv"'},
    )


async def mark(request: web.Request) -> web.Response:
    _allowed(request, "questions")
    form = await request.post()
    topic = str(form.get("topic", "")) or None
    if topic is not None and topic not in request.app[STAFF_FILES].current.topics:
        topic = None
    try:
        await _run(
            request.app[STAFF].mark, str(form.get("group", ""))[:64], str(form.get("mark", "")), topic, request["account"].email
        )
    except StaffError as exc:
        return _page(request, "staff/error.html", status=400, title="The group was not marked", message=str(exc))
    return _redirect("/staff/questions")


async def stats(request: web.Request) -> web.Response:
    _allowed(request, "stats")
    numbers = await _run(request.app[STAFF].stats)
    content = await _run(reports.content_to_check, request.app[CONSOLE_SETTINGS].content_dir, dt.date.today())
    return _page(request, "staff/stats.html", title="How the assistant is doing", charts=reports.charts(numbers), content=content)


# --- staff accounts -------------------------------------------------------------------------


async def users(request: web.Request) -> web.Response:
    _allowed(request, "users")
    staff = request.app[STAFF]
    accounts, log = await asyncio.gather(_run(staff.users), _run(staff.audit_log))
    return _page(request, "staff/users.html", title="Staff accounts", accounts=accounts, log=log, roles=ROLES)


async def disable(request: web.Request) -> web.Response:
    _allowed(request, "users")
    form = await request.post()
    email = str(form.get("email", ""))
    if email != request["account"].email:  # an admin cannot lock themselves out by mistake
        try:
            await _run(request.app[STAFF].disable, email, request["account"].email)
        except StaffError:
            pass
    return _redirect("/staff/users")
