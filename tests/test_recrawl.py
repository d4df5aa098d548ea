"""`fakewatch recrawl` / `reextract`: stored articles downloaded again from a real server on
127.0.0.1 whose pages changed; rows updated in place, nothing lost when a page fails."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db.engine import make_engine
from db.models import Article, ArticleStatus, Prediction
from db.scoring import claim_unscored
from db.types import utcnow
from tests.crawling import fakewatch, local_source, serve_pages, write_sources
from tests.newssite.content import FixtureArticle, make_article
from tests.newssite.feeds import items_for, rss
from tests.newssite.pages import PADDING_MARK, article_page

pytestmark = pytest.mark.slow
NEW_PARAGRAPH = "The ministry corrected the figures on Tuesday, and the committee accepted them."


@dataclass
class Site:
    url: str
    pages: dict[str, str]
    articles: list[FixtureArticle]


@pytest.fixture
def site() -> Iterator[Site]:
    pages: dict[str, str] = {}
    with serve_pages(pages) as url:
        articles = [make_article(21, i, url) for i in range(1, 6)]
        pages.update({a.path: page(a) for a in articles})
        pages["/rss.xml"] = rss(url, "Changing", items_for(articles), "/rss.xml")
        yield Site(url, pages, articles)


def page(article: FixtureArticle, **options: object) -> str:
    return article_page(article, [], **options).replace(PADDING_MARK, "")  # type: ignore[arg-type]


def crawled_and_scored(site: Site, database_url: str, tmp_path: Path, **source: object) -> Path:
    """The site crawled into the store, every article given a prediction; the sources file."""
    sources = write_sources(tmp_path, [local_source("changing", feeds=[f"{site.url}/rss.xml"])])
    result = fakewatch("crawl", "changing", "--json", database_url=database_url,
                       folder=tmp_path, sources=sources)  # fmt: skip
    assert result.summary()[0]["articles_new"] == len(site.articles), result.stderr
    engine = make_engine(database_url)
    with Session(engine) as session, session.begin():
        for article_id in session.scalars(select(Article.id)):
            session.add(Prediction(
                article_id=article_id, model_name="default", model_version="v1",
                probability_fake=0.2, verdict="real", threshold=0.5, created_at=utcnow(),
            ))  # fmt: skip
        session.execute(update(Article).values(status=ArticleStatus.SCORED))
    engine.dispose()
    if source:
        write_sources(tmp_path, [{"name": "changing", "feeds": [f"{site.url}/rss.xml"], **source}])
    return sources


def articles(database_url: str) -> dict[str, tuple[int, str, ArticleStatus, int]]:
    """url -> (id, text, status, predictions)."""
    engine = make_engine(database_url)
    with Session(engine) as session:
        counts = dict(session.execute(
            select(Prediction.article_id, func.count()).group_by(Prediction.article_id)
        ).tuples().all())  # fmt: skip
        rows = {a.url: (a.id, a.text, a.status, counts.get(a.id, 0))
                for a in session.scalars(select(Article))}  # fmt: skip
    engine.dispose()
    return rows


def test_changed_pages_are_updated_in_place_and_failures_keep_the_old_text(
    site: Site, database_url: str, tmp_path: Path
) -> None:
    sources = crawled_and_scored(site, database_url, tmp_path)
    before = articles(database_url)
    changed, gone, stub, *same = site.articles
    site.pages[changed.path] = page(replace(changed, extra_paragraph=NEW_PARAGRAPH))
    del site.pages[gone.path]
    site.pages[stub.path] = page(stub, paragraphs=["Subscribe to read this story."])

    result = fakewatch("recrawl", "changing", "--json", "--progress", "always",
                       database_url=database_url, folder=tmp_path, sources=sources)  # fmt: skip
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert {k: summary[k] for k in ("pages", "updated", "unchanged", "now_skipped", "failed")} == {
        "pages": 5, "updated": 1, "unchanged": 2, "now_skipped": 1, "failed": 1,
    }  # fmt: skip
    assert summary["failed_by_reason"] == {"http_404": 1}
    assert "fakewatch: recrawling 5 stored articles of changing" in result.stderr

    after = articles(database_url)
    assert set(after) == set(before)  # nothing added, nothing lost
    article_id, text, status, predictions = after[changed.url]
    assert article_id == before[changed.url][0] and NEW_PARAGRAPH in text
    assert NEW_PARAGRAPH not in before[changed.url][1]
    # The old text's prediction is gone and the worker's queue has the article again.
    assert status is ArticleStatus.NEW and predictions == 0
    for kept in (gone, stub, *same):
        assert after[kept.url] == before[kept.url]
    engine = make_engine(database_url)
    with Session(engine) as session, session.begin():
        queued = claim_unscored(session, now=utcnow(), owner="test",
                                lease=timedelta(minutes=1), limit=10)  # fmt: skip
    engine.dispose()
    assert [a.id for a in queued] == [article_id]


def test_url_since_and_reextract_choose_the_stored_articles(
    site: Site, sqlite_url: str, tmp_path: Path
) -> None:
    sources = crawled_and_scored(site, sqlite_url, tmp_path)
    first = site.articles[0]

    def run(*args: str) -> tuple[int, str, str]:
        result = fakewatch(*args, database_url=sqlite_url, folder=tmp_path, sources=sources)
        return result.returncode, result.stdout, result.stderr

    code, out, err = run("reextract", "changing", "--url", first.url + "?utm_source=x")
    assert code == 0 and out.startswith("recrawled changing: 1 stored articles: 0 updated, 1 "
                                        "unchanged"), (out, err)  # fmt: skip
    code, out, _ = run("recrawl", "changing", "--since", "7d")
    assert code == 0 and "5 stored articles" in out and "5 unchanged" in out
    code, out, _ = run("recrawl", "changing", "--since", "2999-01-01")
    assert code == 0 and out == "no stored articles of changing to recrawl\n"
    code, out, err = run("recrawl", "changing", "--url", f"{site.url}/news/none.html")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "not a stored article of changing" in err
    code, _, err = run("recrawl", "nosuch")
    assert code == 2 and "no source named 'nosuch' in the store (stored: changing)" in err


def test_a_recrawl_obeys_the_private_address_rules(
    site: Site, sqlite_url: str, tmp_path: Path
) -> None:
    # The source no longer allows 127.0.0.1: nothing is downloaded, nothing is lost.
    sources = crawled_and_scored(site, sqlite_url, tmp_path, category="other")
    before = articles(sqlite_url)
    result = fakewatch("recrawl", "changing", "--json", database_url=sqlite_url, folder=tmp_path,
                       sources=sources)  # fmt: skip
    assert result.returncode == 1
    summary = json.loads(result.stdout)
    assert summary["failed"] == 5 and summary["failed_by_reason"] == {"blocked_url": 5}
    assert articles(sqlite_url) == before
