"""What the staff console keeps: staff accounts, the audit log, the call-back queue's changes
and editors' marks on groups of unanswered questions.

Every change made through the console is written to the audit log in the same transaction
as the change itself, so the log cannot miss one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Text, func, select
from sqlalchemy.orm import Session

from bot.core import passwords
from bot.core.hours import LONDON, working_days_between
from bot.storage.store import Base, CallbackRequest, Feedback, Store, UnansweredQuestion, utcnow

ROLES = ("agent", "editor", "admin")
STATUSES = ("new", "in_progress", "done", "not_reached")
OPEN_STATUSES = ("new", "in_progress")
MARKS = ("new_page", "answered", "out_of_scope")
SETUP_LINK_HOURS = 24


class StaffUser(Base):
    __tablename__ = "staff_users"

    id = Column(Integer, primary_key=True)
    email = Column(String(254), nullable=False, unique=True)
    role = Column(String(16), nullable=False)
    password_hash = Column(Text)  # Argon2id; None until the one-time set-up link is used
    setup_token_hash = Column(String(64))  # SHA-256 of the set-up token: the token itself is never stored
    setup_expires_at = Column(DateTime)
    disabled = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime, nullable=False)
    last_login_at = Column(DateTime)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False)
    actor = Column(String(254), nullable=False)
    action = Column(String(64), nullable=False)
    target = Column(String(254))
    detail = Column(Text)


class QuestionMark(Base):
    __tablename__ = "question_marks"

    group_key = Column(String(64), primary_key=True)
    mark = Column(String(16), nullable=False)
    topic = Column(String(64))
    marked_by = Column(String(254), nullable=False)
    marked_at = Column(DateTime, nullable=False)


def waited(created_at: dt.datetime, today: dt.date) -> int:
    """Working days a request has waited, counted in London from the day it was made."""
    return working_days_between(created_at.replace(tzinfo=dt.timezone.utc).astimezone(LONDON).date(), today)


def overdue(staff: Staff, days: int, today: dt.date | None = None) -> list[tuple[str, int]]:
    """Open requests waiting more than `days` working days, oldest first: (reference, days)."""
    today = today or dt.datetime.now(LONDON).date()
    late = []
    for status in OPEN_STATUSES:
        for row in staff.queue(status):
            days_waited = waited(row.created_at, today)
            if days_waited > days:
                late.append((str(row.reference), days_waited))
    return sorted(late, key=lambda item: -item[1])


class StaffError(Exception):
    """A change that cannot be made, with a message for the person who asked."""


@dataclass(frozen=True)
class Account:
    email: str
    role: str
    disabled: bool
    set_up: bool
    last_login_at: dt.datetime | None


def _account(row: StaffUser) -> Account:
    return Account(row.email, row.role, bool(row.disabled), row.password_hash is not None, row.last_login_at)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _audit(session: Session, actor: str, action: str, target: str | None = None, detail: str | None = None) -> None:
    session.add(AuditEntry(at=utcnow(), actor=actor, action=action, target=target, detail=detail))


class Staff:
    """Staff accounts, the queue and the reports, on the app database."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine

    # --- accounts -----------------------------------------------------------------------

    def add_user(self, email: str, role: str, password: str | None, actor: str = "bot staff") -> str | None:
        """A new account with a password, or (password None) a one-time set-up token, returned."""
        email = normalise_email(email)
        if role not in ROLES:
            raise StaffError(f"role must be one of {', '.join(ROLES)}")
        if "@" not in email:
            raise StaffError("give the person's work email address")
        token = None
        with Session(self.engine) as session:
            if session.scalars(select(StaffUser).where(StaffUser.email == email)).first() is not None:
                raise StaffError(f"{email} already has an account")
            user = StaffUser(email=email, role=role, disabled=False, created_at=utcnow())
            if password is None:
                token = secrets.token_urlsafe(32)
                user.setup_token_hash = _token_hash(token)
                user.setup_expires_at = utcnow() + dt.timedelta(hours=SETUP_LINK_HOURS)
            else:
                problem = passwords.weak(password)
                if problem:
                    raise StaffError(f"the password {problem}")
                user.password_hash = passwords.hash_password(password)
            session.add(user)
            _audit(session, actor, "add_user", email, f"role {role}")
            session.commit()
        return token

    def set_password_with_token(self, token: str, password: str) -> str:
        """Use a set-up link once; returns the account's email."""
        problem = passwords.weak(password)
        if problem:
            raise StaffError(f"The password {problem}.")
        with Session(self.engine) as session:
            user = session.scalars(select(StaffUser).where(StaffUser.setup_token_hash == _token_hash(token))).first()
            if user is None or user.disabled or user.setup_expires_at is None or user.setup_expires_at < utcnow():
                raise StaffError("This set-up link has expired or has been used. Ask an administrator for a new one.")
            user.password_hash = passwords.hash_password(password)
            user.setup_token_hash = user.setup_expires_at = None
            _audit(session, user.email, "set_password", user.email)
            session.commit()
            return str(user.email)

    def users(self) -> list[Account]:
        with Session(self.engine) as session:
            return [_account(u) for u in session.scalars(select(StaffUser).order_by(StaffUser.email))]

    def disable(self, email: str, actor: str = "bot staff") -> None:
        email = normalise_email(email)
        with Session(self.engine) as session:
            user = session.scalars(select(StaffUser).where(StaffUser.email == email)).first()
            if user is None:
                raise StaffError(f"{email} has no account")
            user.disabled = True
            _audit(session, actor, "disable_user", email)
            session.commit()

    def sign_in(self, email: str, password: str) -> Account | None:
        """The account, if the password is right and the account enabled; None otherwise, the
        same for a wrong password, a disabled account or no account at all."""
        email = normalise_email(email)
        with Session(self.engine) as session:
            user = session.scalars(select(StaffUser).where(StaffUser.email == email)).first()
            if not passwords.verify(user.password_hash if user else None, password) or user is None or user.disabled:
                return None
            user.last_login_at = utcnow()
            if passwords.needs_rehash(str(user.password_hash)):
                user.password_hash = passwords.hash_password(password)
            _audit(session, email, "sign_in")
            session.commit()
            return _account(user)

    def account(self, email: str) -> Account | None:
        with Session(self.engine) as session:
            user = session.scalars(select(StaffUser).where(StaffUser.email == normalise_email(email))).first()
            return _account(user) if user is not None else None

    def audit(self, actor: str, action: str, target: str | None = None, detail: str | None = None) -> None:
        with Session(self.engine) as session:
            _audit(session, actor, action, target, detail)
            session.commit()

    def audit_log(self, limit: int = 100) -> list[AuditEntry]:
        with Session(self.engine, expire_on_commit=False) as session:
            return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))

    # --- the call-back queue ------------------------------------------------------------

    def queue(self, status: str) -> list[CallbackRequest]:
        """Requests with this status, oldest first."""
        with Session(self.engine, expire_on_commit=False) as session:
            query = select(CallbackRequest).where(CallbackRequest.status == status).order_by(CallbackRequest.created_at)
            return list(session.scalars(query))

    def counts(self) -> dict[str, int]:
        with Session(self.engine) as session:
            rows = session.execute(select(CallbackRequest.status, func.count()).group_by(CallbackRequest.status))
            found = {str(status): int(n) for status, n in rows}
        return {status: found.get(status, 0) for status in STATUSES}

    def request(self, reference: str) -> CallbackRequest | None:
        return self.store.get(reference)

    def take(self, reference: str, agent: str) -> None:
        with Session(self.engine) as session:
            row = self._row(session, reference)
            if row.status not in OPEN_STATUSES:
                raise StaffError("This request is already closed.")
            row.status, row.assigned_to, row.updated_at = "in_progress", agent, utcnow()
            _audit(session, agent, "take_callback", reference)
            session.commit()

    def close(self, reference: str, agent: str, outcome: str, note: str) -> None:
        """Record how it ended (done, or could not reach the family) and the agent's note."""
        if outcome not in ("done", "not_reached"):
            raise StaffError("Choose what happened.")
        with Session(self.engine) as session:
            row = self._row(session, reference)
            row.status, row.outcome_note, row.assigned_to = outcome, note.strip() or None, row.assigned_to or agent
            row.updated_at = row.closed_at = utcnow()
            _audit(session, agent, "close_callback", reference, f"outcome {outcome}")
            session.commit()

    @staticmethod
    def _row(session: Session, reference: str) -> CallbackRequest:
        row = session.scalars(select(CallbackRequest).where(CallbackRequest.reference == reference)).first()
        if row is None:
            raise StaffError("There is no call-back request with this reference.")
        return row

    # --- what families asked that we could not answer -----------------------------------

    def unanswered(self, since: dt.datetime) -> list[UnansweredQuestion]:
        with Session(self.engine, expire_on_commit=False) as session:
            query = select(UnansweredQuestion).where(UnansweredQuestion.created_at >= since).order_by(UnansweredQuestion.id)
            return list(session.scalars(query))

    def unhelpful(self, since: dt.datetime) -> list[Feedback]:
        """ "No, this did not help" with a comment (redacted when it was stored)."""
        with Session(self.engine, expire_on_commit=False) as session:
            query = (
                select(Feedback)
                .where(Feedback.created_at >= since, Feedback.helpful.is_(False), Feedback.comment.is_not(None))
                .order_by(Feedback.id)
            )
            return list(session.scalars(query))

    def marks(self) -> dict[str, QuestionMark]:
        with Session(self.engine, expire_on_commit=False) as session:
            return {m.group_key: m for m in session.scalars(select(QuestionMark))}

    def mark(self, group_key: str, mark: str, topic: str | None, editor: str) -> None:
        if mark not in MARKS:
            raise StaffError("Choose what to do with this group.")
        if mark == "answered" and not topic:
            raise StaffError("Choose the topic that answers these questions.")
        with Session(self.engine) as session:
            row = session.get(QuestionMark, group_key) or QuestionMark(group_key=group_key)
            row.mark, row.topic, row.marked_by, row.marked_at = mark, topic if mark == "answered" else None, editor, utcnow()
            session.merge(row)
            _audit(session, editor, "mark_questions", group_key, f"{mark} {topic or ''}".strip())
            session.commit()

    def stats(self) -> dict[str, Any]:
        """Counts for the console's charts: no personal data."""
        with Session(self.engine) as session:
            closed = list(
                session.execute(
                    select(CallbackRequest.created_at, CallbackRequest.closed_at).where(CallbackRequest.closed_at.is_not(None))
                )
            )
            feedback = list(
                session.execute(select(Feedback.topic, Feedback.helpful, func.count()).group_by(Feedback.topic, Feedback.helpful))
            )
            kinds = list(session.execute(select(UnansweredQuestion.kind, func.count()).group_by(UnansweredQuestion.kind)))
        usage = self.store.usage(dt.date.today() - dt.timedelta(days=30))
        return {
            "closed": closed,
            "feedback": feedback,
            "unanswered": {str(k): int(n) for k, n in kinds},
            "usage": [(u.day, u.metric, u.key, u.count) for u in usage],
        }
