"""predictions, claims, crawl run detail, results view

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 19:49:33.368882
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# The table users query: one row per article with its current (latest) verdict.
RESULTS_VIEW = """
CREATE VIEW results AS
SELECT
    a.id AS article_id,
    s.name AS source,
    a.url,
    a.title,
    a.published_at,
    a.fetched_at,
    a.language,
    a.status,
    a.status_reason,
    p.model_name AS model,
    p.model_version,
    p.probability_fake,
    p.verdict,
    p.threshold,
    p.created_at AS scored_at
FROM articles a
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN predictions p ON p.id = (
    SELECT p2.id FROM predictions p2
    WHERE p2.article_id = a.id
    ORDER BY p2.created_at DESC, p2.id DESC
    LIMIT 1
)
"""

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "predictions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("model_name", sa.String(length=100), nullable=False),
        sa.Column("model_version", sa.String(length=100), nullable=False),
        sa.Column("probability_fake", sa.Float(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_predictions_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_predictions")),
        sa.UniqueConstraint(
            "article_id", "model_name", "model_version", name=op.f("uq_predictions_article_id")
        ),
    )
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_predictions_article_id"), ["article_id"], unique=False)
        batch_op.create_index("ix_predictions_created_at", ["created_at"], unique=False)

    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("links_known", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("listings_unchanged", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("skipped_by_reason", sa.JSON(), nullable=False, server_default="{}")
        )
        batch_op.add_column(
            sa.Column("errors_by_reason", sa.JSON(), nullable=False, server_default="{}")
        )

    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("min_interval_seconds", sa.Integer(), nullable=False, server_default="300")
        )
        batch_op.add_column(
            sa.Column("max_interval_seconds", sa.Integer(), nullable=False, server_default="86400")
        )
        batch_op.add_column(sa.Column("poll_interval_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))

    op.execute(RESULTS_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW results")

    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("poll_interval_seconds")
        batch_op.drop_column("max_interval_seconds")
        batch_op.drop_column("min_interval_seconds")

    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_column("errors_by_reason")
        batch_op.drop_column("skipped_by_reason")
        batch_op.drop_column("listings_unchanged")
        batch_op.drop_column("links_known")

    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("claimed_by")

    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.drop_index("ix_predictions_created_at")
        batch_op.drop_index(batch_op.f("ix_predictions_article_id"))

    op.drop_table("predictions")
