"""A source's name learned from its titles: "... | Harbour Gazette" on several pages that do not
declare it is the site's, and its titles lose it; a dash inside one headline is not."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from articles.site_names import SiteNames, title_edges
from db.engine import make_engine
from db.models import Article, Source
from tests.crawling import fakewatch, local_source, serve_pages, write_sources
from tests.newssite.content import FixtureArticle, make_article
from tests.newssite.feeds import items_for, rss

SITE = "Harbour Gazette"
DASHED = "Harbour plan - what happens next"


def test_a_part_on_three_pages_with_different_headlines_is_the_sites_name() -> None:
    names = SiteNames()
    names.observe(f"Ferry fares rise | {SITE}")
    names.observe(f"Ferry fares rise | {SITE}")  # the same page again proves nothing
    names.observe(f"Council meets on Tuesday | {SITE}")
    assert names.names == ()
    names.observe(f"Storm closes the bridge | {SITE}")
    assert names.learned == (SITE,) and names.names == (SITE,)


def test_a_name_before_the_headline_is_learned_and_known_names_are_kept() -> None:
    names = SiteNames(known=["Old Name"])
    for headline in ("Ferry fares rise", "Council meets", "Storm closes the bridge"):
        names.observe(f"Courier :: {headline}")
    assert names.names == ("Old Name", "Courier") and names.learned == ("Courier",)


def test_long_parts_and_titles_without_separators_teach_nothing() -> None:
    names = SiteNames()
    tail = "what the council decided about the harbour plan on Tuesday night"
    for headline in ("Ferry fares rise", "Council meets", "Storm closes the bridge", "Mayor"):
        names.observe(f"{headline} - {tail}")
        names.observe(headline)
    assert names.names == ()
    assert title_edges("No separator here") == []


@dataclass
class Site:
    url: str
    pages: dict[str, str]
    articles: list[FixtureArticle]

    def publish(self, articles: list[FixtureArticle]) -> None:
        self.articles = articles
        self.pages.update({a.path: undeclared_page(a) for a in articles})
        self.pages["/rss.xml"] = rss(self.url, SITE, items_for(articles), "/rss.xml")


def undeclared_page(article: FixtureArticle) -> str:
    """A story whose <title> carries the site's name, which nothing else on the page gives."""
    story = "\n".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)
    return (
        f"<html><head><title>{escape(article.title)} | {SITE}</title></head>"
        f"<body><article>{story}</article></body></html>"
    )


@pytest.fixture
def site() -> Iterator[Site]:
    pages: dict[str, str] = {}
    with serve_pages(pages) as url:
        articles = [make_article(31, i, url) for i in range(1, 6)]
        articles[1] = replace(articles[1], title=DASHED)
        shown = Site(url, pages, [])
        shown.publish(articles)
        yield shown


def stored(database_url: str) -> tuple[dict[str, str], list[str]]:
    """url -> title, and the source's learned names."""
    engine = make_engine(database_url)
    with Session(engine) as session:
        titles = {a.url: a.title for a in session.scalars(select(Article))}
        names = session.scalars(select(Source.site_names)).one()
    engine.dispose()
    return titles, names


@pytest.mark.slow
def test_a_crawl_learns_the_sites_name_and_every_title_loses_it(
    site: Site, database_url: str, tmp_path: Path
) -> None:
    sources = write_sources(tmp_path, [local_source("harbour", feeds=[f"{site.url}/rss.xml"])])
    result = fakewatch("crawl", "harbour", "--json", database_url=database_url,
                       folder=tmp_path, sources=sources)  # fmt: skip
    assert result.summary()[0]["articles_new"] == 5, result.stderr
    titles, names = stored(database_url)
    assert names == [SITE]
    # Those stored before the name was known lose it too; the inner dash stays.
    assert titles == {a.url: a.title for a in site.articles}
    assert titles[site.articles[1].url] == DASHED

    # The next crawl knows the name from its first page.
    site.publish([*site.articles, make_article(31, 6, site.url)])
    result = fakewatch("crawl", "harbour", "--json", database_url=database_url,
                       folder=tmp_path, sources=sources)  # fmt: skip
    assert result.summary()[0]["articles_new"] == 1, result.stderr
    titles, names = stored(database_url)
    assert names == [SITE] and titles == {a.url: a.title for a in site.articles}
