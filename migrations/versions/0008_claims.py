"""claims, claim matches and evidence: fact-checkers' verdicts linked to the articles

`claims` holds each ClaimReview read from a fact-checker's page (unique per review URL and
claim text), with its sentence vector; `claim_appearances` the URLs where a claim appeared;
`claim_matches` every article found to carry a claim, by URL or by meaning; and
`article_evidence` each article's best match. `article_passages` keeps recent articles'
passage vectors so new claims can be matched without embedding articles again, and
`matching_marks` how far matching has read. The results view gains the best match.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 18:00:00
"""

from collections.abc import Sequence
from importlib import import_module

import sqlalchemy as sa
from alembic import op

from db.types import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PREVIOUS = import_module("migrations.versions.0005_prediction_shift_explanation")
# 0005's view (0007 recreated it unchanged) with each article's best claim match after it.
RESULTS_VIEW = (
    _PREVIOUS.RESULTS_VIEW.replace(
        "    p.explanation\n",
        "    p.explanation,\n"
        "    c.claim,\n"
        "    c.rating AS claim_rating,\n"
        "    c.fact_checker,\n"
        "    c.review_url,\n"
        "    cm.score AS match_score,\n"
        "    cm.method AS match_method,\n"
        "    ev.evidence\n",
    ).rstrip()
    + """
LEFT JOIN article_evidence ev ON ev.article_id = a.id
LEFT JOIN claim_matches cm ON cm.id = ev.match_id
LEFT JOIN claims c ON c.id = cm.claim_id
"""
)
assert RESULTS_VIEW.count("c.rating AS claim_rating") == 1


def upgrade() -> None:
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("review_url", sa.String(length=2048), nullable=False),
        sa.Column("claim_key", sa.String(length=64), nullable=False),
        sa.Column("claim", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("rating", sa.String(length=16), nullable=False),
        sa.Column("rating_words", sa.String(length=200), nullable=True),
        sa.Column("rating_value", sa.String(length=40), nullable=True),
        sa.Column("best_rating", sa.String(length=40), nullable=True),
        sa.Column("worst_rating", sa.String(length=40), nullable=True),
        sa.Column("fact_checker", sa.String(length=200), nullable=False),
        sa.Column("fact_checker_url", sa.String(length=2048), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", UTCDateTime(), nullable=True),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("claimant", sa.String(length=200), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("appearances", sa.JSON(), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=True),
        sa.Column("embedding_model", sa.String(length=200), nullable=True),
        sa.Column("found_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name="fk_claims_source_id_sources", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_claims"),
        sa.UniqueConstraint("review_url", "claim_key", name="uq_claims_review_url"),
    )
    op.create_index("ix_claims_source_id", "claims", ["source_id"])
    op.create_index("ix_claims_fact_checker_reviewed_at", "claims", ["fact_checker", "reviewed_at"])
    op.create_table(
        "claim_appearances",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name="fk_claim_appearances_claim_id_claims",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_claim_appearances"),
        sa.UniqueConstraint("claim_id", "url", name="uq_claim_appearances_claim_id"),
    )
    op.create_index("ix_claim_appearances_url", "claim_appearances", ["url"])
    op.create_table(
        "claim_matches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("passage", sa.Text(), nullable=True),
        sa.Column("matched_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_claim_matches_article_id_articles",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name="fk_claim_matches_claim_id_claims",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_claim_matches"),
        sa.UniqueConstraint("article_id", "claim_id", "method", name="uq_claim_matches_article_id"),
    )
    op.create_index("ix_claim_matches_article_id", "claim_matches", ["article_id"])
    op.create_index("ix_claim_matches_claim_id", "claim_matches", ["claim_id"])
    op.create_index("ix_claim_matches_matched_at", "claim_matches", ["matched_at"])
    op.create_table(
        "article_evidence",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.String(length=16), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_article_evidence_article_id_articles",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["match_id"],
            ["claim_matches.id"],
            name="fk_article_evidence_match_id_claim_matches",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name="pk_article_evidence"),
    )
    op.create_index("ix_article_evidence_evidence", "article_evidence", ["evidence"])
    op.create_table(
        "article_passages",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("passages", sa.JSON(), nullable=False),
        sa.Column("vectors", sa.LargeBinary(), nullable=False),
        sa.Column("embedding_model", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_article_passages_article_id_articles",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name="pk_article_passages"),
    )
    op.create_index("ix_article_passages_created_at", "article_passages", ["created_at"])
    op.create_table(
        "matching_marks",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_matching_marks"),
    )
    op.execute("DROP VIEW results")
    op.execute(RESULTS_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW results")
    op.execute(_PREVIOUS.RESULTS_VIEW)
    for table in (
        "matching_marks",
        "article_passages",
        "article_evidence",
        "claim_matches",
        "claim_appearances",
        "claims",
    ):
        op.drop_table(table)
