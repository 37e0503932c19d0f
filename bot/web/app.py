"""The public web app: the chat API in front of Rasa, which listens on 127.0.0.1 only,
and the web chat's pages and files (bot/web/pages.py).

Everything a client sends is checked here, so Rasa only ever sees well-formed
messages, and a bad request gets a 4xx with a message instead of a 500.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Set as AbstractSet
from typing import Any

import aiohttp
import phonenumbers
from aiohttp import web
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import SQLAlchemyError

from bot.core import callback_status, limits
from bot.core.feedback import parse_feedback
from bot.core.i18n import direction, gettext_for
from bot.core.messages import KINDS
from bot.core.messages import message as chat_message
from bot.core.redact import redact
from bot.core.settings import Settings
from bot.core.validation import BAD_SESSION_ID, NOT_AN_OBJECT, UNPRINTABLE, BadRequest, is_session_id, session_id_of
from bot.storage.directory import Directory as ServiceDirectory
from bot.storage.spool import NotSaved, Spool, catch_up, save
from bot.storage.store import NewCallback, Store
from bot.web import calendar, console, openapi, pages, periodic, services_pages, staff_files, usage
from bot.web.degraded import Directory
from bot.web.ratelimit import RATE_LIMITS, RateLimits, callback_allowed, rate_limit, too_many
from bot.web.replicas import Replicas, Unavailable
from bot.web.security import security_headers
from bot.web.staff_files import STAFF
from bot.web.usage import USAGE
from bot.web.widget_strings import widget_strings

log = logging.getLogger(__name__)
# Replies that mean the assistant could not answer: the question goes to the editors' report.
UNANSWERED_KINDS = ("fallback", "clarify", "search")

READING_LEVELS = ("standard", "easy")

SETTINGS = web.AppKey("settings", Settings)
STORE = web.AppKey("store", Store)
CLIENT = web.AppKey("client", aiohttp.ClientSession)
REPLICAS = web.AppKey("replicas", Replicas)
SPOOL = web.AppKey("spool", Spool)
# Files a browser may keep and revalidate; everything else (API answers, pages) is never cached.
CACHEABLE = ("/static/", "/assets/", "/govuk/", "/widget.js")


def directory(request: web.Request) -> Directory:
    """Who to phone, from the contacts as they are now."""
    return Directory(request.app[STAFF].current.contacts)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


@web.middleware
async def errors_as_json(request: web.Request, handler: Any) -> web.StreamResponse:
    """Every error a client can cause comes back as JSON with a message, never as a 500."""
    try:
        response = await handler(request)
    except web.HTTPRequestEntityTooLarge:
        response = _error(413, f"The request is too large; the limit is {request.app[SETTINGS].max_body_bytes} bytes.")
    except web.HTTPException as exc:
        response = _error(exc.status, exc.reason)
    cacheable = response.status in (200, 304) and request.path.startswith(CACHEABLE)
    response.headers.setdefault("Cache-Control", "no-cache" if cacheable else "no-store")
    return response


def parse_chat(body: Any, languages: tuple[str, ...]) -> dict[str, str]:
    """Check a chat request against the contract; raise BadRequest naming the first bad field."""
    session_id = session_id_of(body)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadRequest("text is required and must not be empty.")
    if len(text) > limits.TEXT:
        raise BadRequest(f"text is too long: at most {limits.TEXT} characters.")
    if UNPRINTABLE.search(text):
        raise BadRequest("text must not contain control characters.")
    request = {"session_id": session_id, "text": text.strip()}
    language = body.get("language")
    if language is not None:
        if language not in languages:
            raise BadRequest(f"language must be one of: {', '.join(languages)}.")
        request["language"] = language
    level = body.get("reading_level")
    if level is not None:
        if level not in READING_LEVELS:
            raise BadRequest("reading_level must be 'standard' or 'easy'.")
        request["reading_level"] = level
    return request


def to_api_message(item: dict[str, Any]) -> dict[str, Any]:
    """A message from Rasa's REST channel, in the shape the contract promises."""
    custom = item.get("custom")
    if not (isinstance(custom, dict) and custom.get("kind") in KINDS):
        return chat_message("chat", str(item.get("text") or ""))
    passed_on = dict(custom)
    passed_on.setdefault("contacts", [])
    passed_on.setdefault("buttons", [])
    passed_on.setdefault("topic", None)
    return passed_on


async def _json_body(request: web.Request) -> Any:
    """The request's JSON, or BadRequest with a message a client can act on."""
    try:
        return await request.json()
    except json.JSONDecodeError:
        raise BadRequest("The body must be valid JSON.") from None
    except UnicodeDecodeError:
        raise BadRequest("The body must be UTF-8 JSON.") from None
    except RecursionError:
        raise BadRequest("The body is nested too deeply.") from None


async def chat(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    try:
        body = await _json_body(request)
        chat_request = parse_chat(body, settings.languages)
    except BadRequest as exc:
        return _error(400, str(exc))

    metadata = {k: chat_request[k] for k in ("language", "reading_level") if k in chat_request}
    # What the family volunteered about themselves never goes further than this process.
    text = chat_request["text"] if chat_request["text"].startswith("/") else redact(chat_request["text"])
    payload = {"sender": chat_request["session_id"], "message": text, "metadata": metadata}
    language = chat_request.get("language", settings.languages[0])
    try:
        items = await request.app[REPLICAS].send(request.app[CLIENT], payload)
    except Unavailable as exc:
        log.error("chat not answered: %s", exc)
        return _error(503, directory(request).error(language))

    messages = [to_api_message(item) for item in items]
    if not messages:  # Rasa's answer when the action server or the lock store fails
        log.error("Rasa replied with no messages: is the action server or the lock store (Redis) down?")
        messages = [directory(request).message(language)]
    language = next((m["language"] for m in messages if m.get("language")), language)
    request.app[USAGE].record(chat_request["session_id"], language, messages)
    unanswered = next((m for m in messages if m["kind"] in UNANSWERED_KINDS), None)
    if unanswered is not None and not text.startswith("/"):
        _keep_unanswered(request.app[STORE], language, unanswered, text)
    return web.json_response(
        {
            "session_id": chat_request["session_id"],
            "language": language,
            "direction": direction(language),
            "messages": messages,
        }
    )


def _keep_unanswered(store: Store, language: str, message: dict[str, Any], text: str) -> None:
    """A question the assistant could not answer, for the editors' report; off the event loop,
    and a failure is logged, never the family's problem."""
    job = asyncio.get_running_loop().run_in_executor(
        None, store.add_unanswered, language, message["kind"], message.get("topic"), text
    )
    job.add_done_callback(_log_failure)


def _optional_text(body: dict[str, Any], field: str, limit: int, errors: dict[str, str]) -> str | None:
    value = body.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > limit or UNPRINTABLE.search(value):
        errors[field] = f"{field} must be text of at most {limit} characters, without control characters."
        return None
    return value.strip() or None


def parse_callback(
    body: Any, topics: AbstractSet[str], districts: AbstractSet[str], languages: tuple[str, ...] = ()
) -> NewCallback:
    """Check a call-back request; raise CallbackInvalid with a message for every bad field."""
    if not isinstance(body, dict):
        raise CallbackInvalid({"body": NOT_AN_OBJECT})
    errors: dict[str, str] = {}
    session_id = body.get("session_id")
    if not is_session_id(session_id):
        errors["session_id"] = BAD_SESSION_ID
        session_id = ""
    name = _optional_text(body, "name", limits.NAME, errors)
    if not name and "name" not in errors:
        errors["name"] = "Tell us your name, so we know who to ask for."
    phone = _optional_text(body, "phone", limits.PHONE, errors)
    if phone:
        try:
            number = phonenumbers.parse(phone, "GB")
            if not phonenumbers.is_valid_number(number) or number.country_code != 44:
                raise phonenumbers.NumberParseException(0, "not valid")
            phone = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        except phonenumbers.NumberParseException:
            errors["phone"] = "This is not a UK phone number we can call. Check it, or give an email address."
    email = _optional_text(body, "email", limits.EMAIL, errors)
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            errors["email"] = "This email address is not valid. Check it, or give a phone number."
    if not phone and not email and "phone" not in errors and "email" not in errors:
        errors["contact"] = "Give a phone number or an email address, so we can contact you."
    preferred_time = _optional_text(body, "preferred_time", limits.PREFERRED_TIME, errors)
    topic = _optional_text(body, "topic", limits.TOPIC, errors)
    if topic and topic not in topics:
        errors["topic"] = "topic must be a topic id from the catalogue."
    district = _optional_text(body, "district", limits.DISTRICT, errors)
    if district and district not in districts:
        errors["district"] = f"district must be one of: {', '.join(sorted(districts))}."
    message = body.get("message", "")
    if not isinstance(message, str) or len(message) > limits.MESSAGE or UNPRINTABLE.search(message):
        errors["message"] = f"message must be text of at most {limits.MESSAGE} characters, without control characters."
    language = body.get("language")
    if language is not None and language not in languages:
        errors["language"] = f"language must be one of: {', '.join(languages)}."
    if body.get("consent") is not True:
        errors["consent"] = "We can only store your details and contact you if you agree: set consent to true."
    if errors:
        raise CallbackInvalid(errors)
    text = message.strip() if isinstance(message, str) else ""
    return NewCallback(session_id, name or "", phone, email, preferred_time, topic, district, text, language)


class CallbackInvalid(Exception):
    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("invalid call-back request")
        self.fields = fields


async def callback(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    try:
        body = await _json_body(request)
    except BadRequest as exc:
        return _error(400, str(exc))
    known = request.app[STAFF].current
    try:
        new = parse_callback(body, known.topics, known.districts, settings.languages)
    except CallbackInvalid as exc:
        return web.json_response({"error": "Please check the form.", "fields": exc.fields}, status=400)
    too_many = await callback_allowed(request)
    if too_many is not None:
        return too_many
    store = request.app[STORE]
    try:
        reference = await asyncio.get_running_loop().run_in_executor(None, save, store, request.app[SPOOL], new)
    except NotSaved:
        return _error(503, directory(request).callback_error(settings.languages[0]))
    # Email staff now rather than at the next round; the family does not wait for it, but a
    # failure must still be seen, so the job's outcome is logged, never dropped.
    job = asyncio.get_running_loop().run_in_executor(None, catch_up, store, request.app[SPOOL], settings)
    job.add_done_callback(_log_failure)
    return web.json_response({"reference": reference}, status=201)


async def callback_status_lookup(request: web.Request) -> web.Response:
    """Where a call-back request stands, for the family who has its reference: the status and
    what happens next, never any personal data. Rate-limited per IP, as references are secrets."""
    limiter = request.app[RATE_LIMITS]
    wait = await limiter.hit("status", limiter.client_ip(request))
    if wait is not None:
        return too_many(wait)
    settings = request.app[SETTINGS]
    language = request.query.get("language", settings.languages[0])
    if language not in settings.languages:
        return _error(400, f"language must be one of: {', '.join(settings.languages)}.")
    reference = callback_status.normalise(request.match_info["reference"])
    status = None
    if reference is not None:
        try:
            status = await asyncio.get_running_loop().run_in_executor(None, request.app[STORE].status_of, reference)
        except SQLAlchemyError:
            return _error(503, directory(request).callback_error(language))
    if status is None:
        return _error(404, "There is no call-back request with this reference. Check it, or ask for a new call-back.")
    what_next = callback_status.what_next(status, gettext_for(language))
    return web.json_response({"reference": reference, "status": status, "what_next": what_next})


def _log_failure(job: asyncio.Future[None]) -> None:
    if not job.cancelled() and job.exception() is not None:
        log.error("background job failed: %r", job.exception())


async def _actions_up(client: aiohttp.ClientSession, url: str) -> bool:
    try:
        async with client.get(f"{url}/health", timeout=aiohttp.ClientTimeout(total=2)) as response:
            return response.status == 200
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return False


async def feedback(request: web.Request) -> web.Response:
    """Whether an answer helped; the comment is redacted by parse_feedback, so nothing personal is stored."""
    try:
        new = parse_feedback(await _json_body(request), request.app[STAFF].current.topics)
    except BadRequest as exc:
        return _error(400, str(exc))
    try:
        await asyncio.get_running_loop().run_in_executor(None, request.app[STORE].add_feedback, new)
    except SQLAlchemyError:
        log.error("feedback not stored: the app database is not answering")
        return _error(503, "Your feedback could not be saved just now. Please try again later.")
    return web.json_response({"status": "stored"}, status=201)


async def strings(request: web.Request) -> web.Response:
    """The widget's interface strings in one language, and the languages it can offer."""
    languages = request.app[SETTINGS].languages
    language = request.query.get("language", languages[0])
    if language not in languages:
        return _error(400, f"language must be one of: {', '.join(languages)}.")
    staff = request.app[STAFF].current
    forms = staff.date_forms.get(language) or staff.date_forms.get("en") or []
    return web.json_response(
        {
            **widget_strings(language, languages),
            "help_contacts": pages.help_contacts(staff.contacts),
            "date_forms": forms,
            "limits": limits.FOR_CLIENTS,
        }
    )


async def health(request: web.Request) -> web.Response:
    """Ready when a Rasa replica has a model loaded and the action server answers; each replica reported."""
    client = request.app[CLIENT]
    replicas, actions = await asyncio.gather(
        request.app[REPLICAS].probe(client), _actions_up(client, request.app[SETTINGS].action_url)
    )
    ready = sum(r["model"] for r in replicas)
    status = "unavailable" if not (ready and actions) else "ok" if ready == len(replicas) else "degraded"
    return web.json_response(
        {"status": status, "model": ready > 0, "actions": actions, "replicas": replicas},
        status=503 if status == "unavailable" else 200,
    )


def create_app(settings: Settings, token: str) -> web.Application:
    app = web.Application(
        client_max_size=settings.max_body_bytes, middlewares=[security_headers(settings), errors_as_json, rate_limit]
    )
    app[SETTINGS] = settings
    app[STORE] = Store(settings.database_url)
    try:
        app[STORE].migrate()
    except SQLAlchemyError as exc:  # chat works without it; call-backs wait in the spool
        log.warning("the app database is not answering (%s); migrating when it does", type(exc).__name__)
    app[SPOOL] = Spool(settings.spool_dir)
    app[REPLICAS] = Replicas(settings.rasa_urls, token)
    staff_files.add_to(app, settings.content_dir)
    app[RATE_LIMITS] = RateLimits(settings)

    periodic.every(
        app, settings.email_retry_seconds, lambda: catch_up(app[STORE], app[SPOOL], settings), "the call-back email round"
    )

    async def client_context(app: web.Application):
        # A message moved from a killed replica may wait out the dead replica's lock first.
        app[CLIENT] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=max(30, settings.lock_lifetime_seconds + 15)))
        watch = asyncio.create_task(app[REPLICAS].watch(app[CLIENT]))
        yield
        watch.cancel()
        await app[CLIENT].close()
        app[RATE_LIMITS].close()

    app.cleanup_ctx.append(client_context)
    app.router.add_post("/api/chat", chat)
    app.router.add_post("/api/callback", callback)
    app.router.add_get("/api/callback/{reference}", callback_status_lookup)
    app.router.add_post("/api/feedback", feedback)
    app.router.add_get("/api/strings", strings)
    app.router.add_get("/api/health", health)
    calendar.add_route(app, settings.languages)
    pages.add_routes(app, settings)
    console.setup(app, settings, app[STORE])
    usage.add_to(app, app[STORE])
    services_pages.add_routes(app, ServiceDirectory(app[STORE]))
    openapi.add_route(app, settings.languages, lambda: (app[STAFF].current.topics, app[STAFF].current.districts))
    return app
