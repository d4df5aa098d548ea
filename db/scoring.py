"""The scoring queue in the database: claim unscored articles, store predictions, record failures.

Claims are leases with an expiry: a worker that dies leaves its articles to be claimed again
once the lease runs out. On PostgreSQL several workers claim with FOR UPDATE SKIP LOCKED and
never score an article twice; on SQLite one worker runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from db.models import Article, ArticleStatus, Prediction, Source


@dataclass(frozen=True)
class ClaimedArticle:
    """What a worker needs to score one article."""

    id: int
    source: str | None
    title: str
    text: str
    attempts: int


@dataclass(frozen=True)
class Score:
    """One model's verdict on one article."""

    article_id: int
    model_name: str
    model_version: str
    probability_fake: float
    verdict: str
    threshold: float
    shift_score: float | None = None  # None: the model has no domain-shift detector
    shift_limit: float | None = None
    explanation: list[Any] | None = None  # [[feature, contribution], ...], strongest first


def claim_unscored(
    session: Session, *, now: datetime, owner: str, lease: timedelta, limit: int
) -> list[ClaimedArticle]:
    """Claim up to `limit` unscored articles, oldest first, that no live claim holds."""
    query = (
        select(Article)
        .where(
            Article.status == ArticleStatus.NEW,
            or_(Article.claimed_until.is_(None), Article.claimed_until < now),
        )
        .order_by(Article.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Article)
    )
    articles = list(session.scalars(query))
    if not articles:
        return []
    source_ids = {a.source_id for a in articles if a.source_id is not None}
    names = {
        source_id: name
        for source_id, name in session.execute(
            select(Source.id, Source.name).where(Source.id.in_(source_ids))
        )
    }
    for article in articles:
        article.claimed_by = owner
        article.claimed_until = now + lease
    session.flush()
    return [
        ClaimedArticle(
            a.id, names.get(a.source_id) if a.source_id else None, a.title or "", a.text, a.attempts
        )
        for a in articles
    ]


def save_scores(session: Session, owner: str, scores: Sequence[Score], now: datetime) -> int:
    """Store the predictions and mark their articles scored; returns how many articles."""
    ids = sorted({score.article_id for score in scores})
    if not ids:
        return 0
    existing = set(
        session.execute(
            select(Prediction.article_id, Prediction.model_name, Prediction.model_version).where(
                Prediction.article_id.in_(ids)
            )
        ).tuples()
    )
    for score in scores:
        if (score.article_id, score.model_name, score.model_version) in existing:
            continue  # a re-score with the same model version keeps the first prediction
        session.add(
            Prediction(
                article_id=score.article_id,
                model_name=score.model_name,
                model_version=score.model_version,
                probability_fake=score.probability_fake,
                verdict=score.verdict,
                threshold=score.threshold,
                created_at=now,
                shift_score=score.shift_score,
                shift_limit=score.shift_limit,
                explanation=score.explanation,
            )
        )
    result = session.execute(
        update(Article)
        .where(Article.id.in_(ids), Article.claimed_by == owner)
        .values(
            status=ArticleStatus.SCORED, status_reason=None, claimed_by=None, claimed_until=None
        )
    )
    session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def record_failure(session: Session, article_id: int, message: str, *, max_attempts: int) -> bool:
    """Count a failed scoring attempt; after `max_attempts` the article becomes `error`.

    Returns True when the article was given up on.
    """
    article = session.get_one(Article, article_id)
    article.attempts += 1
    article.claimed_by = None
    article.claimed_until = None
    given_up = article.attempts >= max_attempts
    if given_up:
        article.status = ArticleStatus.ERROR
        article.status_reason = message[:1000]
    session.flush()
    return given_up


def release_articles(session: Session, owner: str) -> int:
    """Give back every claim `owner` holds (on shutdown); returns how many."""
    result = session.execute(
        update(Article)
        .where(Article.claimed_by == owner, Article.status == ArticleStatus.NEW)
        .values(claimed_by=None, claimed_until=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def queue_depth(session: Session) -> int:
    """Articles waiting to be scored."""
    return int(
        session.scalar(
            select(func.count()).select_from(Article).where(Article.status == ArticleStatus.NEW)
        )
        or 0
    )


def requeue_for_rescore(
    session: Session, *, source: str | None = None, since: datetime | None = None
) -> int:
    """Put scored (and failed) articles back in the queue; returns how many."""
    statement = update(Article).where(
        Article.status.in_([ArticleStatus.SCORED, ArticleStatus.ERROR])
    )
    if source is not None:
        source_id = select(Source.id).where(Source.name == source).scalar_subquery()
        statement = statement.where(Article.source_id == source_id)
    if since is not None:
        statement = statement.where(Article.fetched_at >= since)
    result = session.execute(
        statement.values(
            status=ArticleStatus.NEW,
            status_reason=None,
            attempts=0,
            claimed_by=None,
            claimed_until=None,
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
