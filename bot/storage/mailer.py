"""Email call-back requests to staff through the council's SMTP server.

A request is stored before any email is tried, so a failed send never loses it: it
stays `pending`, its error is kept, and `deliver_pending` tries again later, waiting
twice as long after each failure (up to an hour). After MAX_ATTEMPTS failures it is
marked `failed` and logged as an error: staff must then ring the family from the stored
request, and a broken mail server cannot be hammered for ever.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import threading
from email.message import EmailMessage

from bot.core.settings import Settings
from bot.storage.store import CallbackRequest, Store, utcnow

log = logging.getLogger(__name__)
_delivering = threading.Lock()  # one delivery run at a time, so no request is emailed twice
MAX_ATTEMPTS = 8  # with BOT_EMAIL_RETRY_SECONDS at 60: about four hours of tries
MAX_WAIT = dt.timedelta(hours=1)


def next_attempt(request: CallbackRequest, settings: Settings) -> dt.datetime | None:
    """When to try again: the retry interval, doubled after each failure, at most MAX_WAIT."""
    if request.last_attempt_at is None or request.email_attempts == 0:
        return None
    wait = dt.timedelta(seconds=settings.email_retry_seconds * 2 ** (request.email_attempts - 1))
    return request.last_attempt_at + min(wait, MAX_WAIT)


def compose(request: CallbackRequest, settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"SEND call-back request {request.reference}"
    message["From"] = settings.email_from
    message["To"] = settings.staff_email
    lines = [
        "A family asked the SEND assistant for a call-back. They gave consent for us to contact them.",
        "",
        f"Reference: {request.reference}",
        f"Received: {request.created_at:%Y-%m-%d %H:%M} UTC",
        f"Name: {request.name}",
        f"Phone: {request.phone or '-'}",
        f"Email: {request.email or '-'}",
        f"Best time to call: {request.preferred_time or '-'}",
        f"Topic: {request.topic or '-'}",
        f"District: {request.district or '-'}",
        "",
        "Message:",
        request.message or "-",
    ]
    message.set_content("\n".join(lines))
    return message


def send(request: CallbackRequest, settings: Settings) -> None:
    _send(compose(request, settings), settings)


def _send(message: EmailMessage, settings: Settings) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)


def send_summary(late: list[tuple[str, int]], settings: Settings) -> None:
    """The daily summary: references and working days waited only; the details are in the console."""
    message = EmailMessage()
    message["Subject"] = f"SEND call-backs waiting: {len(late)} over {settings.callback_overdue_days} working days"
    message["From"] = settings.email_from
    message["To"] = settings.staff_email
    lines = [f"These call-back requests have waited more than {settings.callback_overdue_days} working days:", ""]
    lines += [f"{reference}: {days} working days" for reference, days in late] or ["None. Thank you."]
    lines += ["", "Open each one in the staff console: /staff/callbacks"]
    message.set_content("\n".join(lines))
    _send(message, settings)


def deliver_pending(store: Store, settings: Settings, now: dt.datetime | None = None) -> tuple[int, int]:
    """Try each pending email that is due; returns (sent, not sent). Logs references, never personal data."""
    now = now or utcnow()
    sent = failed = 0
    with _delivering:
        for request in store.pending_emails():
            due = next_attempt(request, settings)
            if due is not None and due > now:
                continue
            if deliver(request, store, settings):
                sent += 1
            else:
                failed += 1
    return sent, failed


def deliver(request: CallbackRequest, store: Store, settings: Settings) -> bool:
    try:
        send(request, settings)
    except (OSError, smtplib.SMTPException) as exc:
        status = store.record_attempt(request.reference, f"{type(exc).__name__}: {exc}", MAX_ATTEMPTS)
        if status == "failed":
            log.error(
                "call-back %s: email failed %d times (%s); no more tries: staff must contact the family from the stored request",
                request.reference,
                MAX_ATTEMPTS,
                type(exc).__name__,
            )
        else:
            log.warning("call-back %s: email failed, will retry (%s)", request.reference, type(exc).__name__)
        return False
    store.record_attempt(request.reference, None)
    log.info("call-back %s: emailed to staff", request.reference)
    return True
