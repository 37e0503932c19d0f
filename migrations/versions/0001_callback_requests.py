"""Call-back requests.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "callback_requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
        sa.Column("session_id", sa.String(128), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("phone", sa.String(32)),
        sa.Column("email", sa.String(254)),
        sa.Column("preferred_time", sa.String(100)),
        sa.Column("topic", sa.String(64)),
        sa.Column("district", sa.String(64)),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("consent_at", sa.DateTime, nullable=False),
        sa.Column("email_status", sa.String(16), nullable=False, index=True),
        sa.Column("email_attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("sent_at", sa.DateTime),
    )


def downgrade() -> None:
    op.drop_table("callback_requests")
