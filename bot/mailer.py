"""Email call-back requests to staff through the council's SMTP server.

A request is stored before any email is tried, so a failed send never loses it: it
stays `pending`, its error is kept, and `deliver_pending` tries again later.
"""

from __future__ import annotations

import logging
import smtplib
import threading
from email.message import EmailMessage

from bot.settings import Settings
from bot.store import CallbackRequest, Store

log = logging.getLogger(__name__)
_delivering = threading.Lock()  # one delivery run at a time, so no request is emailed twice


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
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(compose(request, settings))


def deliver_pending(store: Store, settings: Settings) -> tuple[int, int]:
    """Try every pending email once; returns (sent, still pending). Logs references, never personal data."""
    sent = failed = 0
    with _delivering:
        for request in store.pending_emails():
            if deliver(request, store, settings):
                sent += 1
            else:
                failed += 1
    return sent, failed


def deliver(request: CallbackRequest, store: Store, settings: Settings) -> bool:
    try:
        send(request, settings)
    except (OSError, smtplib.SMTPException) as exc:
        store.record_attempt(request.reference, f"{type(exc).__name__}: {exc}")
        log.warning("call-back %s: email failed, will retry (%s)", request.reference, type(exc).__name__)
        return False
    store.record_attempt(request.reference, None)
    log.info("call-back %s: emailed to staff", request.reference)
    return True
