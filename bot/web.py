"""The public web app: the chat API in front of Rasa, which listens on 127.0.0.1 only,
and the web chat's pages and files (bot/pages.py).

Everything a client sends is checked here, so Rasa only ever sees well-formed
messages, and a bad request gets a 4xx with a message instead of a 500.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aiohttp
import phonenumbers
from aiohttp import web
from email_validator import EmailNotValidError, validate_email

from bot import pages
from bot.areas import Areas
from bot.feedback import parse_feedback
from bot.i18n import direction
from bot.mailer import deliver_pending
from bot.problems import yaml_list
from bot.security import security_headers
from bot.settings import Settings
from bot.store import NewCallback, Store
from bot.validation import SESSION_ID, BadRequest
from bot.widget_strings import widget_strings

log = logging.getLogger(__name__)

MAX_TEXT = 2000
READING_LEVELS = ("standard", "easy")
KINDS = ("answer", "handoff", "safeguarding", "fallback", "chat")

MAX_MESSAGE = 1000
SETTINGS = web.AppKey("settings", Settings)
STORE = web.AppKey("store", Store)
KNOWN = web.AppKey("known", dict)
CLIENT = web.AppKey("client", aiohttp.ClientSession)
TOKEN = web.AppKey("token", str)
# Files a browser may keep and revalidate; everything else (API answers, pages) is never cached.
CACHEABLE = ("/static/", "/assets/", "/govuk/", "/widget.js")


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
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object.")
    session_id = body.get("session_id")
    if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
        raise BadRequest("session_id is required: 1 to 128 letters, digits, '-' or '_'.")
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadRequest("text is required and must not be empty.")
    if len(text) > MAX_TEXT:
        raise BadRequest(f"text is too long: at most {MAX_TEXT} characters.")
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
    if isinstance(custom, dict) and custom.get("kind") in KINDS:
        message = dict(custom)
    else:
        message = {"kind": "chat", "text": str(item.get("text") or ""), "topic": None}
    message.setdefault("contacts", [])
    message.setdefault("buttons", [])
    message.setdefault("topic", None)
    return message


async def _json_body(request: web.Request) -> Any:
    """The request's JSON, or BadRequest with a message a client can act on."""
    try:
        return await request.json()
    except json.JSONDecodeError:
        raise BadRequest("The body must be valid JSON.") from None
    except UnicodeDecodeError:
        raise BadRequest("The body must be UTF-8 JSON.") from None


async def chat(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    try:
        body = await _json_body(request)
        chat_request = parse_chat(body, settings.languages)
    except BadRequest as exc:
        return _error(400, str(exc))

    metadata = {k: chat_request[k] for k in ("language", "reading_level") if k in chat_request}
    payload = {"sender": chat_request["session_id"], "message": chat_request["text"], "metadata": metadata}
    try:
        async with request.app[CLIENT].post(f"{settings.rasa_url}/webhooks/rest/webhook", json=payload) as response:
            if response.status != 200:
                log.error("Rasa answered %s", response.status)
                return _error(503, "The assistant is not available right now. Please try again in a minute.")
            items = await response.json()
    except (aiohttp.ClientError, TimeoutError):
        log.exception("Rasa is not reachable")
        return _error(503, "The assistant is not available right now. Please try again in a minute.")

    messages = [to_api_message(item) for item in items]
    language = next((m["language"] for m in messages if m.get("language")), chat_request.get("language", settings.languages[0]))
    return web.json_response({
        "session_id": chat_request["session_id"],
        "language": language,
        "direction": direction(language),
        "messages": messages,
    })


def _optional_text(body: dict[str, Any], field: str, limit: int, errors: dict[str, str]) -> str | None:
    value = body.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > limit:
        errors[field] = f"{field} must be text of at most {limit} characters."
        return None
    return value.strip() or None


def parse_callback(body: Any, topics: set[str], districts: set[str]) -> NewCallback:
    """Check a call-back request; raise CallbackInvalid with a message for every bad field."""
    if not isinstance(body, dict):
        raise CallbackInvalid({"body": "The body must be a JSON object."})
    errors: dict[str, str] = {}
    session_id = body.get("session_id")
    if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
        errors["session_id"] = "session_id is required: 1 to 128 letters, digits, '-' or '_'."
    name = _optional_text(body, "name", 100, errors)
    if not name and "name" not in errors:
        errors["name"] = "Tell us your name, so we know who to ask for."
    phone = _optional_text(body, "phone", 32, errors)
    if phone:
        try:
            number = phonenumbers.parse(phone, "GB")
            if not phonenumbers.is_valid_number(number) or number.country_code != 44:
                raise phonenumbers.NumberParseException(0, "not valid")
            phone = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        except phonenumbers.NumberParseException:
            errors["phone"] = "This is not a UK phone number we can call. Check it, or give an email address."
    email = _optional_text(body, "email", 254, errors)
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            errors["email"] = "This email address is not valid. Check it, or give a phone number."
    if not phone and not email and "phone" not in errors and "email" not in errors:
        errors["contact"] = "Give a phone number or an email address, so we can contact you."
    preferred_time = _optional_text(body, "preferred_time", 100, errors)
    topic = _optional_text(body, "topic", 64, errors)
    if topic and topic not in topics:
        errors["topic"] = "topic must be a topic id from the catalogue."
    district = _optional_text(body, "district", 64, errors)
    if district and district not in districts:
        errors["district"] = f"district must be one of: {', '.join(sorted(districts))}."
    message = body.get("message", "")
    if not isinstance(message, str) or len(message) > MAX_MESSAGE:
        errors["message"] = f"message must be text of at most {MAX_MESSAGE} characters."
    if body.get("consent") is not True:
        errors["consent"] = "We can only store your details and contact you if you agree: set consent to true."
    if errors:
        raise CallbackInvalid(errors)
    return NewCallback(session_id, name or "", phone, email, preferred_time, topic, district,
                       message.strip() if isinstance(message, str) else "")


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
    known = request.app[KNOWN]
    try:
        new = parse_callback(body, known["topics"], known["districts"])
    except CallbackInvalid as exc:
        return web.json_response({"error": "Please check the form.", "fields": exc.fields}, status=400)
    store = request.app[STORE]
    row = await asyncio.get_running_loop().run_in_executor(None, store.add_callback, new)
    asyncio.get_running_loop().run_in_executor(None, deliver_pending, store, settings)
    return web.json_response({"reference": row.reference}, status=201)


async def feedback(request: web.Request) -> web.Response:
    """Whether an answer helped; the comment is redacted by parse_feedback, so nothing personal is stored."""
    try:
        new = parse_feedback(await _json_body(request), request.app[KNOWN]["topics"])
    except BadRequest as exc:
        return _error(400, str(exc))
    await asyncio.get_running_loop().run_in_executor(None, request.app[STORE].add_feedback, new)
    return web.json_response({"status": "stored"}, status=201)


async def strings(request: web.Request) -> web.Response:
    """The widget's interface strings in one language, and the languages it can offer."""
    languages = request.app[SETTINGS].languages
    language = request.query.get("language", languages[0])
    if language not in languages:
        return _error(400, f"language must be one of: {', '.join(languages)}.")
    return web.json_response({**widget_strings(language, languages), "help_contacts": request.app[pages.HELP]})


async def health(request: web.Request) -> web.Response:
    """Ready only when Rasa has a model loaded and the action server answers."""
    settings = request.app[SETTINGS]
    client = request.app[CLIENT]
    checks = {"model": False, "actions": False}
    try:
        async with client.get(f"{settings.rasa_url}/status", params={"token": request.app[TOKEN]}) as response:
            status = await response.json() if response.status == 200 else {}
            checks["model"] = bool(status.get("model_file") or status.get("model_id"))
    except (aiohttp.ClientError, TimeoutError, ValueError):
        pass
    try:
        async with client.get(f"{settings.action_url}/health") as response:
            checks["actions"] = response.status == 200
    except (aiohttp.ClientError, TimeoutError):
        pass
    ok = all(checks.values())
    return web.json_response({"status": "ok" if ok else "unavailable", **checks}, status=200 if ok else 503)


def create_app(settings: Settings, token: str) -> web.Application:
    app = web.Application(client_max_size=settings.max_body_bytes, middlewares=[security_headers(settings), errors_as_json])
    app[SETTINGS] = settings
    app[TOKEN] = token
    app[STORE] = Store(settings.database_url)
    app[STORE].migrate()
    # Only the ids, read directly: the web app stays small and never imports the NLP stack.
    topics = {entry["id"] for entry, _, _ in yaml_list(settings.content_dir / "topics.yml", "- id:")}
    app[KNOWN] = {"topics": topics, "districts": set(Areas(settings.content_dir / "areas.yml").districts)}

    async def retry_emails(app: web.Application):  # type: ignore[no-untyped-def]
        async def loop() -> None:
            while True:
                await asyncio.sleep(settings.email_retry_seconds)
                await asyncio.get_running_loop().run_in_executor(None, deliver_pending, app[STORE], settings)

        task = asyncio.create_task(loop())
        yield
        task.cancel()

    app.cleanup_ctx.append(retry_emails)
    async def client_context(app: web.Application):  # type: ignore[no-untyped-def]
        app[CLIENT] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        yield
        await app[CLIENT].close()

    app.cleanup_ctx.append(client_context)
    app.router.add_post("/api/chat", chat)
    app.router.add_post("/api/callback", callback)
    app.router.add_post("/api/feedback", feedback)
    app.router.add_get("/api/strings", strings)
    app.router.add_get("/api/health", health)
    pages.add_routes(app, settings)
    return app
