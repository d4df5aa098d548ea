"""The `Response` the handler sends, and helpers building common ones (HTML, errors, 304s)."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from tests.newssite import pages
from tests.newssite.content import FIRST_PUBLISHED, FixtureArticle
from tests.newssite.site import NewsSite

HTML = "text/html; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
RDF = "application/rdf+xml; charset=utf-8"
GZIP = "application/x-gzip"


@dataclass
class Response:
    """What the handler sends: a body, or a `stream` of chunks (`length` None: chunked)."""

    status: int = 200
    body: bytes = b""
    content_type: str = HTML
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    stream: Callable[[], Iterator[bytes]] | None = None
    length: int | None = None
    reset: bool = False


def html(text: str, status: int = 200, **headers: str) -> Response:
    """An HTML page encoded as UTF-8."""
    return Response(status, text.encode("utf-8"), HTML, dict(headers))


def error(code: int, **headers: str) -> Response:
    """A short HTML error page with status `code`."""
    body = f"<html><head><title>{code}</title></head><body><h1>Error {code}</h1></body></html>"
    return html(body, code, **headers)


def redirect(site: NewsSite, path: str, code: int = 302) -> Response:
    """A redirect to `path` on this site (absolute Location)."""
    return Response(code, b"", HTML, {"Location": site.url + path})


def http_date(moment: datetime) -> str:
    """An RFC 9110 date (`Fri, 01 Mar 2024 06:00:00 GMT`)."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


Document = tuple[str, datetime | None]  # text, and when its newest content was published


def validated(
    site: NewsSite, key: str, build: Callable[[], Document], content_type: str
) -> Response:
    """A cached document (gzipped when `key` ends in .gz) with a strong ETag and Last-Modified."""
    version = site.version  # read first: a build racing add_articles is cached as stale
    cached = site.cache.get(key)
    if cached is None or cached[0] != version:
        text, modified = build()
        body = text.encode("utf-8")
        if key.endswith(".gz"):
            body = gzip.compress(body, mtime=0)
        etag = '"' + hashlib.sha1(body).hexdigest()[:24] + '"'
        cached = site.cache[key] = (version, body, etag, http_date(modified or FIRST_PUBLISHED))
    _, body, etag, last_modified = cached
    return Response(200, body, content_type, {"ETag": etag, "Last-Modified": last_modified})


def conditional(response: Response, headers: Any) -> Response:
    """304 Not Modified when the request's validators still match `response`."""
    etag, modified = response.headers["ETag"], response.headers.get("Last-Modified")
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:  # RFC 9110: If-None-Match wins over If-Modified-Since
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        fresh = "*" in tags or etag in tags
    elif (since := headers.get("If-Modified-Since")) and modified:
        try:
            fresh = parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            fresh = False
    else:
        fresh = False
    if not fresh:
        return response
    return Response(304, b"", response.content_type, dict(response.headers))


def article_page(site: NewsSite, article: FixtureArticle, **options: Any) -> Response:
    """An article page (cached), with `pages.article_page` options such as `canonical`."""
    key = article.path + repr(sorted(options.items()))
    body = site.page_cache.get(key)
    if body is None:
        ids = (article.id - 3, article.id - 2, article.id - 1, article.id + 1)
        related = [site.articles[i - 1] for i in ids if 0 < i <= len(site.articles)]
        page = pages.article_page(article, related, **options)
        body = site.page_cache[key] = page.replace(pages.PADDING_MARK, "").encode("utf-8")
    return Response(200, body, HTML)
