"""The store: migrations, article dedup by URL and by text, crawl runs, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, select, text

from db.engine import check_connection, make_engine
from db.errors import DatabaseError
from db.migrate import current_revision, head_revision, upgrade
from db.models import Article, ArticleAlias, ArticleStatus, CrawlOutcome, CrawlRun, Source
from db.queries import (
    ArticleRecord,
    finish_crawl_run,
    known_urls,
    start_crawl_run,
    store_article,
    sync_source,
)
from db.source_config import SourceConfig

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
WIRE = SourceConfig(
    "wire", feeds=("https://a.example/rss",), allowed_domains=("a.example",), interval_seconds=600
)


def record(url: str, text: str, content_hash: str | None, **changes: object) -> ArticleRecord:
    values: dict[str, object] = dict(
        url=url, source_id=None, title="A title", text=text, authors=["Ann Writer"],
        published_at=NOW, language="en", top_image=None, content_hash=content_hash,
        status=ArticleStatus.NEW, status_reason=None, extractor="test", fetched_at=NOW,
    )  # fmt: skip
    values.update(changes)
    return ArticleRecord(**values)  # type: ignore[arg-type]


def test_migrations_create_the_schema_and_are_idempotent(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"sources", "articles", "article_aliases", "crawl_runs", "predictions"} <= tables
    assert "results" in inspect(engine).get_view_names()


def test_models_and_migrations_describe_the_same_schema(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from db.models import Base
    from db.search import described_by_models

    engine = make_engine(database_url)
    upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": described_by_models}
        )
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_migrations_go_down_and_up_again(database_url: str) -> None:
    from alembic import command

    from db.migrate import alembic_config

    engine = make_engine(database_url)
    upgrade(engine)
    command.downgrade(alembic_config(engine), "0003")
    assert current_revision(engine) == "0003"
    assert "results" in inspect(engine).get_view_names()
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)


def test_same_url_and_same_text_are_stored_once_with_aliases(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions.begin() as session:
        first = store_article(session, record("https://a.example/one", "Body text", "h1"))
    with sessions.begin() as session:
        again = store_article(session, record("https://a.example/one", "Body text", "h1"))
        syndicated = store_article(
            session,
            record(
                "https://b.example/copy",
                "Body text",
                "h1",
                alias_urls=("https://b.example/copy?x=1",),
            ),
        )
    assert first.kind == "new"
    assert again.kind == syndicated.kind == "duplicate"
    assert again.article_id == syndicated.article_id == first.article_id
    with sessions() as session:
        assert session.scalar(select(Article.id).where(Article.url == "https://a.example/one"))
        aliases = set(session.scalars(select(ArticleAlias.url)))
        assert aliases == {"https://b.example/copy", "https://b.example/copy?x=1"}
        assert known_urls(
            session, ["https://b.example/copy", "https://a.example/one", "https://c.example/"]
        ) == {
            "https://b.example/copy",
            "https://a.example/one",
        }
        stored = session.scalars(select(Article)).one()
        assert stored.published_at == NOW and stored.authors == ["Ann Writer"]


def test_skipped_pages_are_kept_with_their_reason(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions.begin() as session:
        outcome = store_article(
            session,
            record(
                "https://a.example/x", "", None, status=ArticleStatus.SKIPPED, status_reason="empty"
            ),
        )
        other = store_article(
            session,
            record(
                "https://a.example/y", "", None, status=ArticleStatus.SKIPPED, status_reason="empty"
            ),
        )
    assert outcome.kind == other.kind == "skipped"
    with sessions() as session:
        reasons = session.scalars(select(Article.status_reason)).all()
        assert reasons == ["empty", "empty"]


def test_crawl_runs_record_counts_and_source_state(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions.begin() as session:
        source_id = sync_source(session, WIRE)
        run_id = start_crawl_run(session, source_id, "wire")
    with sessions.begin() as session:
        assert sync_source(session, WIRE) == source_id
        finish_crawl_run(
            session, run_id, outcome=CrawlOutcome.PARTIAL,
            counts={"pages_fetched": 3, "articles_new": 2, "articles_failed": 1},
            errors=[{"url": "https://a.example/x", "reason": "http_404", "message": "404"}],
        )  # fmt: skip
    with sessions() as session:
        run = session.get_one(CrawlRun, run_id)
        assert (run.outcome, run.pages_fetched, run.articles_new, run.articles_failed) == (
            CrawlOutcome.PARTIAL, 3, 2, 1,
        )  # fmt: skip
        assert run.errors[0]["reason"] == "http_404"
        assert run.finished_at is not None and run.finished_at.tzinfo is not None
        assert session.get_one(Source, source_id).last_success_at == run.finished_at


def test_unreachable_database_gives_one_line_error() -> None:
    engine = make_engine("postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    with pytest.raises(DatabaseError) as caught:
        check_connection(engine)
    message = str(caught.value)
    assert "unreachable" in message and "\n" not in message and "secret" not in message


def test_results_view_shows_the_current_verdict_on_both_backends(sessions) -> None:  # type: ignore[no-untyped-def]
    # The README's SQL examples are run by tests/test_results_query.py.
    from db.models import Prediction

    with sessions.begin() as session:
        source_id = sync_source(session, WIRE)
        ids = [
            store_article(
                session, record(f"https://a.example/{i}", f"text {i}", f"h{i}", source_id=source_id)
            ).article_id
            for i in range(4)
        ]
        for article_id, verdict in zip(ids[:3], ["fake", "real", "fake"], strict=True):
            session.add(Prediction(article_id=article_id, model_name="m", model_version="1",
                                   probability_fake=0.9 if verdict == "fake" else 0.1,
                                   verdict=verdict, threshold=0.5, created_at=NOW))  # fmt: skip
        # a newer model version's prediction becomes the article's current verdict
        session.add(Prediction(article_id=ids[0], model_name="m", model_version="2",
                               probability_fake=0.2, verdict="real", threshold=0.5,
                               created_at=NOW.replace(hour=13)))  # fmt: skip
    with sessions() as session:
        rows = session.execute(text("SELECT * FROM results ORDER BY article_id")).mappings().all()
        assert [r["verdict"] for r in rows] == ["real", "real", "fake", None]
        assert rows[0]["model_version"] == "2" and rows[0]["source"] == "wire"


def test_records_and_tables_name_the_same_fields() -> None:
    """A field added to a record reaches its table by name alone, and vice versa."""
    stored_by_worker = {"id", "attempts", "claimed_by", "claimed_until"}
    article_fields = {f.name for f in dataclasses.fields(ArticleRecord)} - {"alias_urls"}
    assert article_fields == set(Article.__table__.columns.keys()) - stored_by_worker
    derived_or_schedule_state = {  # and what crawls learn
        "id", "kind", "poll_interval_seconds", "next_crawl_at", "last_crawl_at",
        "last_success_at", "consecutive_failures", "feed_validators", "claimed_by",
        "claimed_until", "created_at", "updated_at", "site_names",
    }  # fmt: skip
    source_fields = {f.name for f in dataclasses.fields(SourceConfig)} - {"start_urls"}
    assert source_fields == set(Source.__table__.columns.keys()) - derived_or_schedule_state
