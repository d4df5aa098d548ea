"""Renaming and removing a source's stored rows, each in the caller's one transaction.

Articles, aliases, claims and crawl runs point at a source by id; crawl runs also keep its
name (`source_name`), which a rename rewrites so that a source's history stays one history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.orm import Session

from db.errors import DatabaseError
from db.models import (
    Article,
    ArticleAlias,
    ArticleEvidence,
    ArticlePassages,
    Base,
    Claim,
    ClaimMatch,
    CrawlRun,
    Prediction,
    Source,
)


class SourceChangeError(DatabaseError):
    """A rename or removal the store cannot do: an unknown name, a taken one, a live crawl."""


@dataclass(frozen=True)
class SourceRows:
    """How many stored rows belong to one source."""

    articles: int
    predictions: int
    crawl_runs: int
    claims: int


def stored_source(session: Session, name: str) -> Source:
    """The stored source called `name`, locked for the change; a one-line error if none is."""
    source = session.scalar(select(Source).where(Source.name == name).with_for_update())
    if source is None:
        known = ", ".join(session.scalars(select(Source.name).order_by(Source.name))) or "none"
        raise SourceChangeError(
            f"no source named {name!r} in the store (stored: {known}); check the name"
        )
    return source


def rename_source(session: Session, old: str, new: str, *, now: datetime) -> SourceRows:
    """Rename a stored source and its crawl runs' names; returns the rows that follow it."""
    source = stored_source(session, old)
    if session.scalar(select(Source.id).where(Source.name == new)) is not None:
        raise SourceChangeError(
            f"a source named {new!r} is already stored; choose another name, or "
            f"`fakewatch sources remove {new}` first"
        )
    _refuse_while_busy(session, source, now)
    rows = source_rows(session, source)
    session.execute(update(CrawlRun).where(_runs_of(source)).values(source_name=new))
    source.name = new
    session.flush()
    return rows


def remove_source(
    session: Session, name: str, *, delete_articles: bool, now: datetime
) -> SourceRows:
    """Delete a stored source. Its articles, their predictions and its crawl runs are deleted
    too with `delete_articles`; otherwise they stay, attributed to no source. Claims read from
    its pages stay either way. Returns the rows it had."""
    source = stored_source(session, name)
    _refuse_while_busy(session, source, now, articles_too=delete_articles)
    rows = source_rows(session, source)
    articles = select(Article.id).where(Article.source_id == source.id)
    if delete_articles:
        # Explicit, not left to ON DELETE: the same on every database and every connection.
        dependents: tuple[Any, ...] = (
            ArticleEvidence, ArticlePassages, ClaimMatch, Prediction, ArticleAlias,
        )  # fmt: skip
        for dependent in dependents:
            session.execute(
                delete(dependent).where(dependent.article_id.in_(articles)),
                execution_options={"synchronize_session": False},
            )
        session.execute(delete(Article).where(Article.source_id == source.id),
                        execution_options={"synchronize_session": False})  # fmt: skip
        session.execute(delete(CrawlRun).where(_runs_of(source)),
                        execution_options={"synchronize_session": False})  # fmt: skip
    attributed: tuple[Any, ...] = (Article, ArticleAlias, CrawlRun, Claim)
    for model in attributed:
        session.execute(
            update(model).where(model.source_id == source.id).values(source_id=None),
            execution_options={"synchronize_session": False},
        )
    session.execute(delete(Source).where(Source.id == source.id),
                    execution_options={"synchronize_session": False})  # fmt: skip
    session.expunge(source)
    return rows


def source_rows(session: Session, source: Source) -> SourceRows:
    """Count the rows that belong to `source`."""
    articles = select(Article.id).where(Article.source_id == source.id)

    def count(model: type[Base], where: ColumnElement[bool]) -> int:
        return int(session.scalar(select(func.count()).select_from(model).where(where)) or 0)

    return SourceRows(
        articles=count(Article, Article.source_id == source.id),
        predictions=count(Prediction, Prediction.article_id.in_(articles)),
        crawl_runs=count(CrawlRun, _runs_of(source)),
        claims=count(Claim, Claim.source_id == source.id),
    )


def _runs_of(source: Source) -> ColumnElement[bool]:
    # A run whose source row was replaced once (removed, crawled again) has only the name.
    return or_(CrawlRun.source_id == source.id,
               (CrawlRun.source_id.is_(None)) & (CrawlRun.source_name == source.name))  # fmt: skip


def _refuse_while_busy(
    session: Session, source: Source, now: datetime, *, articles_too: bool = False
) -> None:
    """A crawl or a scoring worker holding the source (or its articles) would write to rows
    that are about to change; the change waits until they are done."""
    if source.claimed_until is not None and source.claimed_until > now:
        raise SourceChangeError(
            f"source {source.name!r} is being crawled by {source.claimed_by}; stop the daemon "
            "(or wait for the crawl to end) and try again"
        )
    if articles_too:
        busy = session.scalar(
            select(func.count())
            .select_from(Article)
            .where(Article.source_id == source.id, Article.claimed_until > now)
        )
        if busy:
            raise SourceChangeError(
                f"{busy} of source {source.name!r}'s articles are being scored; stop the "
                "worker (or wait a minute) and try again"
            )
