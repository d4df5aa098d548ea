"""URL routing of the fixture site: homepage, sections, articles, feeds and sitemaps."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from tests.newssite import factchecker, fault_routes, feeds, pages
from tests.newssite.content import SECTION_NAMES, FixtureArticle, slugify
from tests.newssite.faults import JPEG_BYTES
from tests.newssite.responses import (
    ATOM,
    GZIP,
    RDF,
    RSS,
    XML,
    Document,
    Response,
    article_page,
    conditional,
    error,
    html,
    http_date,
    validated,
)
from tests.newssite.site import FAULT_PAGES, NewsSite

PER_PAGE = 20
PLAIN_PAGES = {
    "/about": ("About us", "The Daily Fixture is an independent newsroom founded in 1998."),
    "/contact": ("Contact", "Write to the newsdesk at news@example.org."),
    "/privacy": ("Privacy policy", "We process personal data only as described here."),
    "/terms": ("Terms of use", "By using this site you accept these terms."),
    "/cookies": ("Cookie settings", "Choose which cookies you allow."),
    "/subscribe": ("Subscribe", "Unlimited access from 1 a month."),
    "/live": ("Live coverage", "Follow the latest developments as they happen."),
    "/register": ("Create an account", "Register to comment and save articles."),
    "/reset": ("Reset your password", "Enter your email to receive a reset link."),
    "/newsletter": ("Newsletter", "Thank you for signing up."),
}
CSS = b"body{font-family:Georgia,serif;margin:0 auto;max-width:60em}.cookie-notice{position:fixed}"


def respond(site: NewsSite, method: str, target: str, headers: Any) -> Response:
    """The response of `site` to one request (`target`: the raw request path and query)."""
    path = target.split("?", 1)[0].split("#", 1)[0]
    if site.down:
        return Response(reset=True) if site.down_reset else error(503)
    exact = EXACT.get(path)
    response = exact(site) if exact else _by_pattern(site, path)
    if response.status == 200 and "ETag" in response.headers and path != "/feeds/volatile.xml":
        return conditional(response, headers)
    return response


def _by_pattern(site: NewsSite, path: str) -> Response:
    for pattern, handler in PATTERNS:
        match = pattern.fullmatch(path)
        if match:
            return handler(site, *match.groups())
    return error(404)


# -- pages -------------------------------------------------------------------------------


def _listing(heading: str, articles: list[FixtureArticle], base: str, page: str | None) -> Response:
    number = int(page or 1)
    chunk = articles[(number - 1) * PER_PAGE : number * PER_PAGE]
    if not chunk and number > 1:
        return error(404)
    more = f"{base}/page/{number + 1}" if len(articles) > number * PER_PAGE else None
    return html(pages.listing_page(heading, chunk, more=more))


def _home(site: NewsSite) -> Response:
    return html(pages.listing_page("Latest news", site.newest(PER_PAGE)))


def _section(site: NewsSite, name: str, page: str | None) -> Response:
    if name not in SECTION_NAMES:
        return error(404)
    articles = [a for a in site.newest() if a.section == name]
    return _listing(name.title(), articles, f"/section/{name}", page)


def _tag(site: NewsSite, tag: str, page: str | None) -> Response:
    articles = [a for a in site.newest() if tag in a.tags]
    if not articles:
        return error(404)
    return _listing(tag.replace("-", " ").title(), articles, f"/tag/{tag}", page)


def _author(site: NewsSite, slug: str) -> Response:
    articles = [a for a in site.newest() if slug in map(slugify, a.authors)]
    return html(pages.listing_page("Stories by this author", articles[:PER_PAGE]))


def _news(site: NewsSite, path: str) -> Response:
    article = site.by_path.get(path)  # a trailing-slash variant serves the same page
    return article_page(site, article) if article else error(404)


def _wire(site: NewsSite, path: str) -> Response:
    for copy in site.syndicated:
        if copy.path == path:
            return article_page(site, copy.original, canonical=copy.url, site_name="Fixture Wire")
    return error(404)


def _plain(site: NewsSite, path: str) -> Response:
    heading, text = PLAIN_PAGES[path]
    return html(pages.plain_page(heading, [text]))


def _robots(site: NewsSite) -> Response:
    text = (
        "# Fixture news site\nUser-agent: *\nDisallow: /private/\nDisallow: /search\n\n"
        f"Sitemap: {site.url}/sitemap_index.xml\n"
    )
    return Response(200, text.encode(), "text/plain; charset=utf-8")


# -- feeds and sitemaps ------------------------------------------------------------------


def _newest_time(articles: list[FixtureArticle]) -> datetime | None:
    return max((a.published for a in articles), default=None)


def _rss(site: NewsSite) -> Response:
    def build() -> Document:
        articles = site.feed_articles()
        items = feeds.items_for(articles, messy=True)
        return feeds.rss(site.url, pages.SITE_NAME, items, "/feeds/rss.xml"), _newest_time(articles)

    return validated(site, "rss", build, RSS)


def _atom(site: NewsSite) -> Response:
    def build() -> Document:
        articles = site.feed_articles()
        return feeds.atom(site.url, feeds.items_for(articles)), _newest_time(articles)

    return validated(site, "atom", build, ATOM)


def _rdf(site: NewsSite) -> Response:
    def build() -> Document:
        articles = site.feed_articles()
        return feeds.rdf(site.url, feeds.items_for(articles)), _newest_time(articles)

    return validated(site, "rdf", build, RDF)


def _selected_feed(site: NewsSite, key: str, keep: Callable[[FixtureArticle], bool]) -> Response:
    def build() -> Document:
        articles = [a for a in site.newest() if keep(a)][:PER_PAGE]
        path = f"/feeds/{key}.xml"
        return feeds.rss(site.url, key, feeds.items_for(articles), path), _newest_time(articles)

    return validated(site, key, build, RSS)


def _section_feed(site: NewsSite, name: str) -> Response:
    if name not in SECTION_NAMES:
        return error(404)
    return _selected_feed(site, f"sections/{name}", lambda a: a.section == name)


def _shard_feed(site: NewsSite, shard: str, shards: str) -> Response:
    """Feed `shard` of `shards` (articles whose id % shards == shard): many small sources."""
    k, n = int(shard), int(shards)
    if not 0 <= k < n:
        return error(404)
    return _selected_feed(site, f"shard/{k}-of-{n}", lambda a: a.id % n == k)


def _volatile(site: NewsSite) -> Response:
    """The RSS feed behind a dishonest server: a new ETag and date on every request."""
    body = _rss(site).body
    count = site.take_fault("volatile")
    headers = {"ETag": f'"volatile-{count}"', "Last-Modified": http_date(datetime.now(UTC))}
    return Response(200, body, RSS, headers)


def _syndicated(site: NewsSite) -> Response:
    def build() -> Document:
        copies = site.syndicated
        items = [
            feeds.FeedItem(c.title, c.url, c.original.summary, c.original.published, c.url)
            for c in copies
        ]
        text = feeds.rss(site.url, "Wire stories", items, "/feeds/syndicated.xml")
        return text, _newest_time([c.original for c in copies])

    return validated(site, "syndicated", build, RSS)


def _faults_feed(site: NewsSite) -> Response:
    when = datetime(2024, 3, 1, tzinfo=UTC)
    items = [
        feeds.FeedItem(f"Fault: {name}", site.url + path, f"The {name} fault.", when, name)
        for name, path in FAULT_PAGES.items()
    ]
    return Response(200, feeds.rss(site.url, "Faults", items, "/feeds/faults.xml").encode(), RSS)


def _sitemap_halves(site: NewsSite) -> list[list[FixtureArticle]]:
    """All articles, newest first, split in two: the .xml.gz part and the plain .xml part."""
    newest = site.newest()
    middle = (len(newest) + 1) // 2
    return [newest[:middle], newest[middle:]]


def _sitemap_index(site: NewsSite) -> Response:
    def build() -> Document:
        first, second = _sitemap_halves(site)
        parts = [
            ("/sitemaps/articles-1.xml.gz", _newest_time(first)),
            ("/sitemaps/articles-2.xml", _newest_time(second)),
            ("/sitemaps/news.xml", _newest_time(first)),
        ]
        return feeds.sitemap_index(site.url, parts), _newest_time(first)

    return validated(site, "sitemap_index", build, XML)


def _sitemap_part(site: NewsSite, number: str) -> Response:
    def build() -> Document:
        articles = _sitemap_halves(site)[int(number) - 1]
        return feeds.urlset(articles), _newest_time(articles)

    if number == "1":
        return validated(site, "articles-1.xml.gz", build, GZIP)
    return validated(site, "articles-2.xml", build, XML)


def _news_sitemap(site: NewsSite) -> Response:
    def build() -> Document:
        articles = site.feed_articles()
        return feeds.news_sitemap(articles), _newest_time(articles)

    return validated(site, "news", build, XML)


def _image(site: NewsSite, *_: str) -> Response:
    return Response(200, JPEG_BYTES, "image/jpeg")


Route = Callable[..., Response]
EXACT: dict[str, Route] = {
    "/": _home,
    "/index.html": _home,
    "/search": lambda site: html(pages.listing_page("Search results", site.newest(10))),
    "/login": lambda site: html(pages.login_page()),
    "/robots.txt": _robots,
    "/static/site.css": lambda site: Response(200, CSS, "text/css"),
    "/favicon.ico": _image,
    "/feeds/rss.xml": _rss,
    "/feeds/atom.xml": _atom,
    "/feeds/rdf.xml": _rdf,
    "/feeds/volatile.xml": _volatile,
    "/feeds/syndicated.xml": _syndicated,
    "/feeds/faults.xml": _faults_feed,
    "/sitemap_index.xml": _sitemap_index,
    "/sitemap.xml": _sitemap_index,
    "/sitemaps/news.xml": _news_sitemap,
    **{path: partial(_plain, path=path) for path in PLAIN_PAGES},
    **fault_routes.EXACT,
    **factchecker.EXACT,
}
PATTERNS: list[tuple[re.Pattern[str], Route]] = [
    (re.compile(r"(/news/\d{4}/\d\d/\d\d/[a-z0-9-]+\.html)/?"), _news),
    (re.compile(r"(/wire/[a-z0-9-]+\.html)"), _wire),
    (re.compile(r"/section/([a-z]+)(?:/page/(\d+))?/?"), _section),
    (re.compile(r"/tag/([a-z0-9-]+)(?:/page/(\d+))?/?"), _tag),
    (re.compile(r"/author/([a-z0-9-]+)/?"), _author),
    (re.compile(r"/images/(\d+)\.jpg"), _image),
    (re.compile(r"/feeds/sections/([a-z]+)\.xml"), _section_feed),
    (re.compile(r"/feeds/shard/(\d+)-of-(\d+)\.xml"), _shard_feed),
    (re.compile(r"/sitemaps/articles-(1)\.xml\.gz"), _sitemap_part),
    (re.compile(r"/sitemaps/articles-(2)\.xml"), _sitemap_part),
    (re.compile(r"/share/[a-z]+"), lambda site: html(pages.plain_page("Share", ["Shared."]))),
    (re.compile(r"/az(?:/.*)?"), lambda site: html(pages.link_only_page())),
    *fault_routes.PATTERNS,
]
