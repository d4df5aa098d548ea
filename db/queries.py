"""The queries other packages call: sources, article storage with dedup, crawl-run records."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, cast

from sqlalchemy import BindParameter, Connection, Table, bindparam, func, insert, select, union
from sqlalchemy.orm import Session

from db.models import Article, ArticleAlias, ArticleStatus, CrawlOutcome, CrawlRun, Source
from db.source_config import SourceConfig
from db.types import utcnow

URL_BATCH = 500
MAX_RECORDED_ERRORS = 200

ARTICLES = cast(Table, Article.__table__)
ALIASES = cast(Table, ArticleAlias.__table__)
_URLS: BindParameter[list[str]] = bindparam("urls", expanding=True)
# The stored article with one of these URLs (as its own or an alias), or with this text hash.
EXISTING_ARTICLE = select(
    func.coalesce(
        select(Article.id)
        .where(Article.url.in_(_URLS) | (Article.content_hash == bindparam("content_hash")))
        .limit(1)
        .scalar_subquery(),
        select(ArticleAlias.article_id)
        .where(ArticleAlias.url.in_(_URLS))
        .limit(1)
        .scalar_subquery(),
    )
)
INSERT_ARTICLE = insert(ARTICLES).returning(ARTICLES.c.id)


@dataclass(frozen=True)
class ArticleRecord:
    """One extracted page, ready to store."""

    url: str
    source_id: int | None
    title: str | None
    text: str
    authors: Sequence[str]
    published_at: datetime | None
    language: str | None
    top_image: str | None
    content_hash: str | None
    status: ArticleStatus
    status_reason: str | None
    extractor: str | None
    fetched_at: datetime
    alias_urls: Sequence[str] = ()


@dataclass(frozen=True)
class StoreOutcome:
    """What storing a page did: `new`, `skipped` (stored with a reason) or `duplicate`."""

    kind: str
    article_id: int


def sync_source(session: Session, config: SourceConfig) -> int:
    """Insert or update a source's configuration, keeping its schedule state; returns its id."""
    source = session.scalar(select(Source).where(Source.name == config.name))
    values = _row(config, SourceConfig, skip={"name", "start_urls"}) | {
        "kind": config.kind,
        "feeds": list(config.feeds or config.start_urls),
        "enabled": config.scheduled,
    }
    if source is None:
        source = Source(name=config.name, **values)
        session.add(source)
    else:
        for key, value in values.items():
            if getattr(source, key) != value:
                setattr(source, key, value)
    session.flush()
    return source.id


def known_urls(session: Session | Connection, urls: Iterable[str]) -> set[str]:
    """Those of `urls` already stored, as an article's URL or as an alias."""
    wanted = list(dict.fromkeys(urls))
    found: set[str] = set()
    for start in range(0, len(wanted), URL_BATCH):
        batch = wanted[start : start + URL_BATCH]
        query = union(
            select(Article.url).where(Article.url.in_(batch)),
            select(ArticleAlias.url).where(ArticleAlias.url.in_(batch)),
        )
        found.update(session.scalars(query))
    return found


def store_article(session: Session | Connection, record: ArticleRecord) -> StoreOutcome:
    """Store one page once: a known URL or known text becomes an alias of the stored article.

    Runs inside the caller's transaction, a session's or a connection's. Should another
    crawler store the same URL or text at the same moment, the unique constraints raise
    IntegrityError and the caller retries. Core statements built once, not the unit of work:
    this runs for every page a crawl fetches.
    """
    urls = list(dict.fromkeys([record.url, *record.alias_urls]))
    existing = session.scalar(EXISTING_ARTICLE, {"urls": urls, "content_hash": record.content_hash})
    if existing is not None:
        _add_aliases(session, existing, record.source_id, urls)
        return StoreOutcome("duplicate", existing)
    article_id: int = session.execute(
        INSERT_ARTICLE, _row(record, ArticleRecord, skip={"alias_urls"})
    ).scalar_one()
    # None of `urls` was known (the query above), so the others need no second look.
    _insert_aliases(session, article_id, record.source_id, urls[1:])
    kind = "skipped" if record.status is ArticleStatus.SKIPPED else "new"
    return StoreOutcome(kind, article_id)


def _row(record: Any, shape: type[Any], *, skip: set[str]) -> dict[str, Any]:
    """Column values from the fields `shape` declares, named as the columns; tuples become lists.

    `shape` rather than the record's own class: a subclass (the crawler's `Source`) carries
    fields that are not columns.
    """
    values = {}
    for field in fields(shape):
        if field.name not in skip:
            value = getattr(record, field.name)
            values[field.name] = list(value) if isinstance(value, tuple | list) else value
    return values


def start_crawl_run(session: Session, source_id: int | None, source_name: str) -> int:
    """Record that a crawl of a source has begun; returns the run's id."""
    due = session.get_one(Source, source_id).next_crawl_at if source_id is not None else None
    run = CrawlRun(
        source_id=source_id, source_name=source_name, scheduled_for=due, started_at=utcnow()
    )
    session.add(run)
    session.flush()
    return run.id


def finish_crawl_run(
    session: Session,
    run_id: int,
    *,
    outcome: CrawlOutcome,
    counts: dict[str, Any],
    errors: Sequence[dict[str, Any]],
) -> CrawlRun:
    """Close a crawl run with its outcome, counts and (at most 200) errors."""
    run = session.get_one(CrawlRun, run_id)
    run.finished_at = utcnow()
    run.outcome = outcome
    for key, value in counts.items():
        setattr(run, key, value)
    run.errors = list(errors[:MAX_RECORDED_ERRORS])
    if run.source_id is not None and outcome is not CrawlOutcome.FAILED:
        source = session.get_one(Source, run.source_id)
        source.last_success_at = run.finished_at
    if run.source_id is not None:
        session.get_one(Source, run.source_id).last_crawl_at = run.finished_at
    session.flush()
    return run


def _add_aliases(
    session: Session | Connection, article_id: int, source_id: int | None, urls: Iterable[str]
) -> None:
    wanted = list(dict.fromkeys(urls))
    if wanted:
        known = known_urls(session, wanted)
        _insert_aliases(session, article_id, source_id, [u for u in wanted if u not in known])


def _insert_aliases(
    session: Session | Connection, article_id: int, source_id: int | None, urls: Sequence[str]
) -> None:
    if urls:
        session.execute(
            insert(ALIASES),
            [{"url": url, "article_id": article_id, "source_id": source_id} for url in urls],
        )
