"""reviews: people's fake or real labels for articles; the current one in the results view

Every review is kept; an article's newest (by `reviewed_at`, then id) is its current one, which
the results view shows as `reviewed_label`, `reviewer` and `reviewed_at`, and which
`fakewatch review --export` writes as a training corpus.

Revision ID: 0010_reviews
Revises: 0009_article_search
Create Date: 2026-12-03 11:00:00
"""

from collections.abc import Sequence
from importlib import import_module

import sqlalchemy as sa
from alembic import op

from db.types import UTCDateTime

revision: str = "0010_reviews"
down_revision: str | None = "0009_article_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PREVIOUS = import_module("migrations.versions.0008_claims")
# Each article's newest review: "no newer review exists", as for predictions (0004).
CURRENT_REVIEW_JOIN = """
LEFT JOIN reviews r ON r.article_id = a.id AND NOT EXISTS (
    SELECT 1 FROM reviews newer
    WHERE newer.article_id = r.article_id
      AND (newer.reviewed_at > r.reviewed_at
           OR (newer.reviewed_at = r.reviewed_at AND newer.id > r.id))
)
"""
# 0008's view with each article's current review after the evidence.
RESULTS_VIEW = (
    _PREVIOUS.RESULTS_VIEW.replace(
        "    ev.evidence\n",
        "    ev.evidence,\n    r.label AS reviewed_label,\n    r.reviewer,\n    r.reviewed_at\n",
    ).rstrip()
    + CURRENT_REVIEW_JOIN
)
assert RESULTS_VIEW.count("r.label AS reviewed_label") == 1


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reviewer", sa.String(length=200), nullable=True),
        sa.Column("reviewed_at", UTCDateTime(), nullable=False),
        sa.Column("model_name", sa.String(length=100), nullable=True),
        sa.Column("model_version", sa.String(length=100), nullable=True),
        sa.Column("probability_fake", sa.Float(), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_reviews_article_id_articles",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reviews"),
    )
    op.create_index("ix_reviews_article_latest", "reviews", ["article_id", "reviewed_at", "id"])
    op.execute("DROP VIEW results")
    op.execute(RESULTS_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW results")
    op.execute(_PREVIOUS.RESULTS_VIEW)
    op.drop_table("reviews")
