"""The staff console: staff accounts, the audit log, the call-back queue's columns, questions
the assistant could not answer, editors' marks on groups of them, and daily usage counts.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text),
        sa.Column("setup_token_hash", sa.String(64)),
        sa.Column("setup_expires_at", sa.DateTime),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_login_at", sa.DateTime),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False, index=True),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(254)),
        sa.Column("detail", sa.Text),
    )
    with op.batch_alter_table("callback_requests") as batch:
        batch.add_column(sa.Column("language", sa.String(8)))
        batch.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="new"))
        batch.add_column(sa.Column("assigned_to", sa.String(254)))
        batch.add_column(sa.Column("outcome_note", sa.Text))
        batch.add_column(sa.Column("updated_at", sa.DateTime))
        batch.add_column(sa.Column("closed_at", sa.DateTime))
    op.create_table(
        "unanswered_questions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("topic", sa.String(64)),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_table(
        "usage_daily",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("metric", sa.String(16), primary_key=True),
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.create_table(
        "question_marks",
        sa.Column("group_key", sa.String(64), primary_key=True),
        sa.Column("mark", sa.String(16), nullable=False),
        sa.Column("topic", sa.String(64)),
        sa.Column("marked_by", sa.String(254), nullable=False),
        sa.Column("marked_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("question_marks")
    op.drop_table("usage_daily")
    op.drop_table("unanswered_questions")
    with op.batch_alter_table("callback_requests") as batch:
        for column in ("closed_at", "updated_at", "outcome_note", "assigned_to", "status", "language"):
            batch.drop_column(column)
    op.drop_table("audit_log")
    op.drop_table("staff_users")
