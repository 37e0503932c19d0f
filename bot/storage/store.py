"""The app's own tables: call-back requests and feedback, and the purge of personal data.

SQLite by default and PostgreSQL in production, through the same SQLAlchemy code.
Alembic migrations (migrations/) own the schema; `Store.migrate()` applies them.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Boolean, Column, Date, DateTime, Integer, String, Text, create_engine, delete, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base

from bot.core.feedback import NewFeedback
from bot.core.settings import ROOT

Base: Any = declarative_base()  # SQLAlchemy 1.4's declarative base has no static type
MIGRATIONS = ROOT / "migrations"


class CallbackRequest(Base):
    __tablename__ = "callback_requests"

    id = Column(Integer, primary_key=True)
    reference = Column(String(16), unique=True, nullable=False)
    created_at = Column(DateTime, nullable=False)
    session_id = Column(String(128), nullable=False)
    name = Column(String(100), nullable=False)
    phone = Column(String(32))
    email = Column(String(254))
    preferred_time = Column(String(100))
    topic = Column(String(64))
    district = Column(String(64))
    message = Column(Text, nullable=False, default="")
    consent_at = Column(DateTime, nullable=False)
    email_status = Column(String(16), nullable=False, default="pending")  # pending, sent, failed
    email_attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(Text)
    last_attempt_at = Column(DateTime)
    sent_at = Column(DateTime)
    language = Column(String(8))
    # The staff console's queue (bot/web/console.py): new, in_progress, done, not_reached
    status = Column(String(16), nullable=False, default="new")
    assigned_to = Column(String(254))
    outcome_note = Column(Text)
    updated_at = Column(DateTime)
    closed_at = Column(DateTime)


class Feedback(Base):
    """Whether one answer helped, kept to improve answers; the comment is redacted before it gets here."""

    __tablename__ = "feedback"

    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, nullable=False)
    session_id = Column(String(128), nullable=False)
    topic = Column(String(64))
    helpful = Column(Boolean, nullable=False)
    comment = Column(Text)


class UnansweredQuestion(Base):
    """A question the assistant could not answer (fallback, "did you mean", search), for editors'
    report; its text was redacted before it reached the web app's storage (bot/core/redact.py)."""

    __tablename__ = "unanswered_questions"

    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, nullable=False)
    language = Column(String(8), nullable=False)
    kind = Column(String(16), nullable=False)
    topic = Column(String(64))
    text = Column(Text, nullable=False)


class UsageCount(Base):
    """How the assistant is used, counted per day: messages and conversations per language,
    answers per topic, handoffs. Counts only: nothing about anyone."""

    __tablename__ = "usage_daily"

    day = Column(Date, primary_key=True)
    metric = Column(String(16), primary_key=True)
    key = Column(String(64), primary_key=True)
    count = Column(Integer, nullable=False)


@dataclass(frozen=True)
class Purged:
    callbacks: int
    feedback: int
    questions: int = 0


@dataclass(frozen=True)
class NewCallback:
    session_id: str
    name: str
    phone: str | None
    email: str | None
    preferred_time: str | None
    topic: str | None
    district: str | None
    message: str
    language: str | None = None


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def new_reference() -> str:
    """Short enough to read out on the phone; no 0/O or 1/I to confuse."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "CB-" + "".join(secrets.choice(alphabet) for _ in range(8))


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        # pre_ping: after a database restart, dead pooled connections are replaced, not used.
        options = {"pool_pre_ping": True, "connect_args": {"connect_timeout": 5}} if url.startswith("postgresql") else {}
        self.engine: Engine = create_engine(url, future=True, **options)
        self.migrated = False

    def migrate(self) -> None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.set_main_option("sqlalchemy.url", self.url)
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        self.migrated = True

    def add_callback(
        self, request: NewCallback, reference: str | None = None, created_at: dt.datetime | None = None
    ) -> CallbackRequest:
        """Store a new request. One from the spool (bot/storage/spool.py) keeps the reference and time the
        family was given, and storing it a second time returns the first row."""
        if reference is not None and (existing := self.get(reference)) is not None:
            return existing
        now = created_at or utcnow()
        row = CallbackRequest(
            reference=reference or new_reference(),
            created_at=now,
            consent_at=now,
            email_status="pending",
            email_attempts=0,
            status="new",
            **request.__dict__,
        )
        with Session(self.engine, expire_on_commit=False) as session:
            session.add(row)
            session.commit()
        return row

    def get(self, reference: str) -> CallbackRequest | None:
        with Session(self.engine, expire_on_commit=False) as session:
            return session.scalars(select(CallbackRequest).where(CallbackRequest.reference == reference)).first()

    def status_of(self, reference: str) -> str | None:
        """A request's status only (the family's lookup): never any of its details."""
        with Session(self.engine) as session:
            return session.scalar(select(CallbackRequest.status).where(CallbackRequest.reference == reference))

    def pending_emails(self) -> list[CallbackRequest]:
        with Session(self.engine, expire_on_commit=False) as session:
            query = select(CallbackRequest).where(CallbackRequest.email_status == "pending").order_by(CallbackRequest.id)
            return list(session.scalars(query))

    def record_attempt(self, reference: str, error: str | None, max_attempts: int | None = None) -> str:
        """Count one try at emailing staff; after `max_attempts` failures the request is marked
        `failed`, so it stops being retried and shows as needing a person. Returns the status."""
        with Session(self.engine) as session:
            row = session.scalars(select(CallbackRequest).where(CallbackRequest.reference == reference)).one()
            row.email_attempts += 1
            row.last_error = error
            row.last_attempt_at = utcnow()
            if error is None:
                row.email_status, row.sent_at = "sent", utcnow()
            elif max_attempts is not None and row.email_attempts >= max_attempts:
                row.email_status = "failed"
            status = str(row.email_status)
            session.commit()
            return status

    def add_feedback(self, feedback: NewFeedback) -> Feedback:
        row = Feedback(created_at=utcnow(), **feedback.__dict__)
        with Session(self.engine, expire_on_commit=False) as session:
            session.add(row)
            session.commit()
        return row

    def add_unanswered(self, language: str, kind: str, topic: str | None, text: str) -> None:
        with Session(self.engine) as session:
            session.add(UnansweredQuestion(created_at=utcnow(), language=language, kind=kind, topic=topic, text=text))
            session.commit()

    def add_usage(self, counts: dict[tuple[dt.date, str, str], int]) -> None:
        """Add to the day's counts, in one transaction."""
        with Session(self.engine) as session:
            for (day, metric, key), n in counts.items():
                row = session.get(UsageCount, (day, metric, key))
                if row is None:
                    session.add(UsageCount(day=day, metric=metric, key=key, count=n))
                else:
                    row.count += n
            session.commit()

    def usage(self, since: dt.date) -> list[UsageCount]:
        with Session(self.engine, expire_on_commit=False) as session:
            return list(session.scalars(select(UsageCount).where(UsageCount.day >= since)))

    def feedback(self, session_id: str) -> list[Feedback]:
        with Session(self.engine, expire_on_commit=False) as session:
            return list(session.scalars(select(Feedback).where(Feedback.session_id == session_id).order_by(Feedback.id)))

    def purge(self, older_than: dt.timedelta) -> Purged:
        """Delete call-back requests, feedback and unanswered questions created before the retention period.

        Feedback comments are redacted, but a family can still say something that
        identifies them in words, so comments follow the same retention as call-backs.
        """
        cutoff = utcnow() - older_than
        with Session(self.engine) as session:
            callbacks = session.execute(delete(CallbackRequest).where(CallbackRequest.created_at < cutoff))
            feedback = session.execute(delete(Feedback).where(Feedback.created_at < cutoff))
            questions = session.execute(delete(UnansweredQuestion).where(UnansweredQuestion.created_at < cutoff))
            session.commit()
            return Purged(callbacks.rowcount or 0, feedback.rowcount or 0, questions.rowcount or 0)


def purge_conversations(tracker_url: str, older_than: dt.timedelta) -> int:
    """Delete conversation events older than the retention period from Rasa's tracker store (SQLite or PostgreSQL)."""
    if tracker_url.startswith("sqlite:///") and not Path(tracker_url.removeprefix("sqlite:///")).exists():
        return 0
    cutoff = (dt.datetime.now(dt.timezone.utc) - older_than).timestamp()
    engine = create_engine(tracker_url, future=True)
    try:
        with engine.begin() as connection:
            if not inspect(connection).has_table("events"):
                return 0
            return connection.execute(text("DELETE FROM events WHERE timestamp < :cutoff"), {"cutoff": cutoff}).rowcount
    finally:
        engine.dispose()
