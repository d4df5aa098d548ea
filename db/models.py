"""SQLAlchemy models of the public schema: sources, articles, crawl runs, predictions, claims,
reviews."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Any

from sqlalchemy import (
    JSON,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from db.source_config import SourceConfig
from db.types import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

IntPk = Annotated[int, mapped_column(Integer, primary_key=True, autoincrement=True)]
Timestamp = Annotated[datetime, mapped_column(UTCDateTime(), default=utcnow)]
OptionalTimestamp = Annotated[datetime | None, mapped_column(UTCDateTime(), nullable=True)]
Url = Annotated[str, mapped_column(String(2048))]


def _stored_enum(values: type[enum.StrEnum]) -> Enum:
    """A VARCHAR(16) holding the members' values ("new"), not their names, on every database."""
    return Enum(
        values, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class ArticleStatus(enum.StrEnum):
    NEW = "new"
    SCORED = "scored"
    SKIPPED = "skipped"
    ERROR = "error"


class CrawlOutcome(enum.StrEnum):
    RUNNING = "running"
    OK = "ok"
    PARTIAL = "partial"
    FAILED = "failed"


class Source(Base):
    """One configured source, with the crawl schedule state that must survive restarts."""

    __tablename__ = "sources"

    id: Mapped[IntPk]
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    feeds: Mapped[list[Any]] = mapped_column(default=list)
    sitemaps: Mapped[list[Any]] = mapped_column(default=list)
    homepage: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    allowed_domains: Mapped[list[Any]] = mapped_column(default=list)
    languages: Mapped[list[Any]] = mapped_column(default=lambda: list(SourceConfig.languages))
    interval_seconds: Mapped[int] = mapped_column(default=SourceConfig.interval_seconds)
    min_interval_seconds: Mapped[int] = mapped_column(default=SourceConfig.min_interval_seconds)
    max_interval_seconds: Mapped[int] = mapped_column(default=SourceConfig.max_interval_seconds)
    poll_interval_seconds: Mapped[int | None] = mapped_column(nullable=True)
    enabled: Mapped[bool] = mapped_column(default=SourceConfig.enabled)
    category: Mapped[str] = mapped_column(String(20), default=SourceConfig.category)
    next_crawl_at: Mapped[OptionalTimestamp]
    last_crawl_at: Mapped[OptionalTimestamp]
    last_success_at: Mapped[OptionalTimestamp]
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    feed_validators: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Names its titles were seen to carry ("... | Daily Courier"): see articles.site_names.
    site_names: Mapped[list[Any]] = mapped_column(default=list)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_until: Mapped[OptionalTimestamp]
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp] = mapped_column(onupdate=utcnow)

    articles: Mapped[list[Article]] = relationship(back_populates="source")


class Article(Base):
    """One distinct article, keyed by its canonical URL; syndicated copies become aliases."""

    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_status_id", "status", "id"),
        Index("ix_articles_fetched_at", "fetched_at"),
    )

    id: Mapped[IntPk]
    url: Mapped[Url] = mapped_column(unique=True)
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), index=True, nullable=True
    )
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    text: Mapped[str] = mapped_column(Text, default="")
    authors: Mapped[list[Any]] = mapped_column(default=list)
    published_at: Mapped[OptionalTimestamp]
    fetched_at: Mapped[Timestamp]
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    top_image: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    content_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    status: Mapped[ArticleStatus] = mapped_column(
        _stored_enum(ArticleStatus), default=ArticleStatus.NEW
    )
    status_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(default=0)
    extractor: Mapped[str | None] = mapped_column(String(32), nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_until: Mapped[OptionalTimestamp]

    source: Mapped[Source | None] = relationship(back_populates="articles")
    aliases: Mapped[list[ArticleAlias]] = relationship(
        back_populates="article", cascade="all, delete-orphan"
    )


class ArticleAlias(Base):
    """Another URL under which the same article was found (a syndicated copy, a redirect)."""

    __tablename__ = "article_aliases"

    id: Mapped[IntPk]
    url: Mapped[Url] = mapped_column(unique=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), nullable=True
    )
    seen_at: Mapped[Timestamp]

    article: Mapped[Article] = relationship(back_populates="aliases")


class CrawlRun(Base):
    """One crawl of one source: when, how it ended, what it counted, which errors it saw."""

    __tablename__ = "crawl_runs"

    id: Mapped[IntPk]
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), index=True, nullable=True
    )
    source_name: Mapped[str] = mapped_column(String(200))
    scheduled_for: Mapped[OptionalTimestamp]
    started_at: Mapped[Timestamp]
    finished_at: Mapped[OptionalTimestamp]
    outcome: Mapped[CrawlOutcome] = mapped_column(
        _stored_enum(CrawlOutcome), default=CrawlOutcome.RUNNING
    )
    pages_fetched: Mapped[int] = mapped_column(default=0)
    articles_new: Mapped[int] = mapped_column(default=0)
    articles_duplicate: Mapped[int] = mapped_column(default=0)
    articles_skipped: Mapped[int] = mapped_column(default=0)
    articles_failed: Mapped[int] = mapped_column(default=0)
    # Listed articles left for the next crawl: over the limit, or failed for a passing reason.
    articles_owed: Mapped[int] = mapped_column(default=0)
    links_known: Mapped[int] = mapped_column(default=0)
    listings_unchanged: Mapped[int] = mapped_column(default=0)
    skipped_by_reason: Mapped[dict[str, Any]] = mapped_column(default=dict)
    errors_by_reason: Mapped[dict[str, Any]] = mapped_column(default=dict)
    errors: Mapped[list[Any]] = mapped_column(default=list)


class Prediction(Base):
    """One model's score of one article: probability of fake, the verdict and its threshold."""

    __tablename__ = "predictions"
    __table_args__ = (
        UniqueConstraint("article_id", "model_name", "model_version"),
        Index("ix_predictions_created_at", "created_at"),
        # The latest prediction of an article (the results view, the worker, the metrics).
        Index("ix_predictions_article_latest", "article_id", "created_at", "id"),
    )

    id: Mapped[IntPk]
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    model_name: Mapped[str] = mapped_column(String(100))
    model_version: Mapped[str] = mapped_column(String(100))
    probability_fake: Mapped[float] = mapped_column(Float)
    verdict: Mapped[str] = mapped_column(String(16))
    threshold: Mapped[float] = mapped_column(Float)
    created_at: Mapped[Timestamp]
    # How unlike the model's training data the article is (0 alike .. 1 unlike); NULL when the
    # model has no detector or the prediction predates it.
    shift_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    # The model's in-distribution limit: beyond it a "fake" became "uncertain".
    shift_limit: Mapped[float | None] = mapped_column(Float, nullable=True)
    # The features that pushed the score most: [[feature, log-odds contribution], ...].
    explanation: Mapped[list[Any] | None] = mapped_column(nullable=True)


class Claim(Base):
    """One fact-checker's verdict on one claim, read from ClaimReview markup.

    Unique per review URL and claim text (`claim_key`, a hash of the normalised text): a
    page re-crawled updates its reviews rather than adding them again. `embedding` holds the
    claim's sentence vector (float16) from the model named in `embedding_model`.
    """

    __tablename__ = "claims"
    __table_args__ = (
        UniqueConstraint("review_url", "claim_key"),
        Index("ix_claims_fact_checker_reviewed_at", "fact_checker", "reviewed_at"),
    )

    id: Mapped[IntPk]
    review_url: Mapped[Url]
    claim_key: Mapped[str] = mapped_column(String(64))
    claim: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    rating: Mapped[str] = mapped_column(String(16))
    rating_words: Mapped[str | None] = mapped_column(String(200), nullable=True)
    rating_value: Mapped[str | None] = mapped_column(String(40), nullable=True)
    best_rating: Mapped[str | None] = mapped_column(String(40), nullable=True)
    worst_rating: Mapped[str | None] = mapped_column(String(40), nullable=True)
    fact_checker: Mapped[str] = mapped_column(String(200))
    fact_checker_url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), index=True, nullable=True
    )
    reviewed_at: Mapped[OptionalTimestamp]
    language: Mapped[str | None] = mapped_column(String(35), nullable=True)
    claimant: Mapped[str | None] = mapped_column(String(200), nullable=True)
    claimed_at: Mapped[OptionalTimestamp]
    appearances: Mapped[list[Any]] = mapped_column(default=list)
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    embedding_model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    found_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp] = mapped_column(onupdate=utcnow)


class ClaimAppearance(Base):
    """A URL where a claim appeared (its review's `appearance` / `sameAs`): a certain match."""

    __tablename__ = "claim_appearances"
    __table_args__ = (UniqueConstraint("claim_id", "url"),)

    id: Mapped[IntPk]
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    url: Mapped[Url] = mapped_column(index=True)


class ClaimMatch(Base):
    """An article that carries a checked claim: by URL (certain) or by meaning (a score)."""

    __tablename__ = "claim_matches"
    __table_args__ = (UniqueConstraint("article_id", "claim_id", "method"),)

    id: Mapped[IntPk]
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(16))  # "url" or "meaning"
    score: Mapped[float] = mapped_column(Float)
    passage: Mapped[str | None] = mapped_column(Text, nullable=True)
    matched_at: Mapped[Timestamp] = mapped_column(index=True)


class ArticleEvidence(Base):
    """An article's best claim match and the evidence verdict it gives: the results view's."""

    __tablename__ = "article_evidence"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    match_id: Mapped[int] = mapped_column(ForeignKey("claim_matches.id", ondelete="CASCADE"))
    evidence: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    updated_at: Mapped[Timestamp] = mapped_column(onupdate=utcnow)


class ArticlePassages(Base):
    """A recent article's passage vectors, kept so that new claims are matched without
    embedding the article again; pruned after the matching look-back."""

    __tablename__ = "article_passages"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    passages: Mapped[list[Any]] = mapped_column(default=list)
    vectors: Mapped[bytes] = mapped_column(LargeBinary)
    embedding_model: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[Timestamp] = mapped_column(index=True)


class MatchingMark(Base):
    """How far claim matching has read: the last article id and the last claim id it matched."""

    __tablename__ = "matching_marks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_id: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[Timestamp] = mapped_column(onupdate=utcnow)


class Review(Base):
    """A person's label for an article, fake or real. An article's newest review is its current
    one; older reviews stay, so a changed mind keeps who said what and when."""

    __tablename__ = "reviews"
    __table_args__ = (
        # The current review of an article (the results view, the export).
        Index("ix_reviews_article_latest", "article_id", "reviewed_at", "id"),
    )

    id: Mapped[IntPk]
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(8))  # "fake" or "real"
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    reviewer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    reviewed_at: Mapped[Timestamp]
    # The verdict the person was shown: the article's current prediction then, if any.
    model_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    model_version: Mapped[str | None] = mapped_column(String(100), nullable=True)
    probability_fake: Mapped[float | None] = mapped_column(Float, nullable=True)
    verdict: Mapped[str | None] = mapped_column(String(16), nullable=True)
