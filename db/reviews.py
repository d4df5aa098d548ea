"""People's reviews of verdicts: store a fake or real label, read the current ones as a corpus.

Reviews are only ever added: an article's newest review is its current label, and the older
ones stay with who gave them and when.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.errors import DatabaseError
from db.models import Article, Prediction, Review, Source
from db.results import current_prediction, current_review

LABELS = ("fake", "real")


class ReviewError(DatabaseError):
    """A review of an article the store does not hold, or with an unknown label."""


@dataclass(frozen=True)
class ReviewInput:
    """What a person said about one article."""

    article_id: int
    label: str  # of LABELS
    note: str | None = None
    reviewer: str | None = None


def add_review(session: Session, review: ReviewInput, *, now: datetime) -> Review:
    """Store a review, with the verdict it answers (the article's current prediction, if any)."""
    if review.label not in LABELS:
        raise ReviewError(f"label {review.label!r} is not one of: {', '.join(LABELS)}")
    if session.get(Article, review.article_id) is None:
        raise ReviewError(
            f"no article with id {review.article_id} in the store: `fakewatch query` lists ids"
        )
    shown = session.execute(
        select(Prediction).where(current_prediction(None), Article.id == review.article_id)
    ).scalar_one_or_none()
    row = Review(
        article_id=review.article_id,
        label=review.label,
        note=review.note or None,
        reviewer=review.reviewer or None,
        reviewed_at=now,
        model_name=shown.model_name if shown else None,
        model_version=shown.model_version if shown else None,
        probability_fake=shown.probability_fake if shown else None,
        verdict=shown.verdict if shown else None,
    )
    session.add(row)
    session.flush()
    return row


def review_history(session: Session, article_id: int) -> list[Review]:
    """Every review of an article, oldest first."""
    query = (
        select(Review)
        .where(Review.article_id == article_id)
        .order_by(Review.reviewed_at, Review.id)
    )
    return list(session.scalars(query))


def reviewed_articles(session: Session) -> Iterator[dict[str, Any]]:
    """Each reviewed article with its current label, oldest review first: id, title, text,
    label (1 fake, 0 real), source, url, reviewer, reviewed_at, note and the model's verdict."""
    query = (
        select(
            Article.id,
            Article.title,
            Article.text,
            Review.label,
            Source.name.label("source"),
            Article.url,
            Review.reviewer,
            Review.reviewed_at,
            Review.note,
            Review.verdict.label("model_verdict"),
        )
        .select_from(Article)
        .join(Review, current_review())
        .outerjoin(Source, Source.id == Article.source_id)
        .order_by(Review.reviewed_at, Review.id)
    )
    for row in session.execute(query, execution_options={"yield_per": 500}):
        values = dict(row._mapping)
        values["label"] = 1 if values["label"] == "fake" else 0
        yield values
