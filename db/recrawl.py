"""Stored articles downloaded again (`fakewatch recrawl`): which ones, and updating them in place.

An article keeps its id, URL, source, first fetch time, aliases and claim matches. Its text
and what was extracted with it are replaced; the predictions made on the old text are
deleted and the article goes back in the scoring queue, since a prediction is unique per model
version and the old one would otherwise stand for a text the store no longer holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, delete, select, update
from sqlalchemy.orm import Session

from db.models import Article, ArticleAlias, ArticlePassages, ArticleStatus, Prediction
from db.queries import ArticleRecord

ARTICLES = cast(Table, Article.__table__)
# The columns a new extraction may change, and whether an empty new value keeps the old one
# (a date or an author the feed gave at the first crawl, which the page alone does not).
EXTRACTED = {
    "title": True, "text": False, "authors": True, "published_at": True, "language": True,
    "top_image": True, "content_hash": False,
}  # fmt: skip


@dataclass(frozen=True)
class StoredPage:
    """A stored article to download again."""

    article_id: int
    url: str


def stored_pages(
    session: Session,
    source_id: int,
    *,
    since: datetime | None = None,
    urls: Sequence[str] = (),
) -> list[StoredPage]:
    """The source's stored articles (first fetched at `since` or later; only those with one of
    `urls`, as their own URL or an alias, if given), oldest first."""
    query = select(Article.id, Article.url).where(Article.source_id == source_id)
    if since is not None:
        query = query.where(Article.fetched_at >= since)
    if urls:
        aliased = select(ArticleAlias.article_id).where(ArticleAlias.url.in_(list(urls)))
        query = query.where(Article.url.in_(list(urls)) | Article.id.in_(aliased))
    rows = session.execute(query.order_by(Article.id)).tuples()
    return [StoredPage(article_id, url) for article_id, url in rows]


def update_article(connection: Connection, article_id: int, record: ArticleRecord) -> str:
    """Replace a stored article's extraction with `record`'s, in the caller's transaction.

    Returns `unchanged` (nothing written), `updated`, or `duplicate` when the new text is
    another stored article's (nothing written: two articles cannot hold one text).
    """
    old = connection.execute(select(ARTICLES).where(ARTICLES.c.id == article_id)).one()._mapping
    values: dict[str, Any] = {}
    for column, keep_old in EXTRACTED.items():
        new = getattr(record, column)
        new = list(new) if isinstance(new, tuple) else new
        values[column] = old[column] if keep_old and not new else new
    if all(values[c] == old[c] for c in EXTRACTED):
        return "unchanged"
    if values["content_hash"] is not None and values["content_hash"] != old["content_hash"]:
        taken = connection.scalar(
            select(Article.id).where(
                Article.content_hash == values["content_hash"], Article.id != article_id
            )
        )
        if taken is not None:
            return "duplicate"
    connection.execute(
        update(ARTICLES)
        .where(ARTICLES.c.id == article_id)
        .values(
            **values,
            extractor=record.extractor,
            status=ArticleStatus.NEW,
            status_reason=None,
            attempts=0,
            claimed_by=None,
            claimed_until=None,
        )
    )
    connection.execute(delete(Prediction).where(Prediction.article_id == article_id))
    connection.execute(delete(ArticlePassages).where(ArticlePassages.article_id == article_id))
    return "updated"
