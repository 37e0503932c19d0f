"""The Local Offer's services directory, from an Open Referral UK feed, and its sync log.

Full-text search: an FTS5 table on SQLite; on PostgreSQL a GIN index over the same
English text search document that bot/storage/directory.py queries.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Must match bot.storage.directory.PG_DOCUMENT, or PostgreSQL will not use the index.
PG_DOCUMENT = (
    "to_tsvector('english', coalesce(name, '') || ' ' || coalesce(organisation, '') || ' ' || coalesce(description, '') "
    "|| ' ' || coalesce(eligibility, '') || ' ' || coalesce(terms, ''))"
)


def upgrade() -> None:
    op.create_table(
        "directory_services",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("organisation", sa.String(500)),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("eligibility", sa.Text),
        sa.Column("terms", sa.Text, nullable=False),
        sa.Column("needs", sa.Text, nullable=False),
        sa.Column("areas", sa.Text, nullable=False),
        sa.Column("districts", sa.Text, nullable=False),
        sa.Column("reach", sa.String(16), nullable=False),
        sa.Column("postcodes", sa.Text, nullable=False),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("minimum_age", sa.Float),
        sa.Column("maximum_age", sa.Float),
        sa.Column("url", sa.Text),
        sa.Column("email", sa.String(254)),
        sa.Column("phone", sa.String(64)),
        sa.Column("cost", sa.Text),
        sa.Column("assured_date", sa.Date),
        sa.Column("last_modified", sa.String(64)),
        sa.Column("record", sa.Text, nullable=False),
    )
    op.create_table(
        "directory_syncs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("feed", sa.Text, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("incremental", sa.Boolean, nullable=False),
        sa.Column("stored", sa.Integer, nullable=False),
        sa.Column("removed", sa.Integer, nullable=False),
        sa.Column("skipped", sa.Text, nullable=False),
        sa.Column("error", sa.Text),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE directory_search USING fts5(service_id UNINDEXED, name, organisation, description, "
            "eligibility, terms, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
    elif op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_directory_services_search ON directory_services USING gin ({PG_DOCUMENT})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE directory_search")
    op.drop_table("directory_syncs")
    op.drop_table("directory_services")
