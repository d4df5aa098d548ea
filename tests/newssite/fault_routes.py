"""Fault routes of the fixture site: broken feeds, errors, redirects, odd bytes and charsets."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterator
from dataclasses import replace

from tests.newssite import feeds, pages
from tests.newssite.faults import (
    GERMAN_PARAGRAPHS,
    GERMAN_TITLE,
    JPEG_BYTES,
    PDF_BYTES,
    PRIVATE_LINKS,
    mojibake,
)
from tests.newssite.responses import RSS, Response, article_page, error, html, redirect
from tests.newssite.site import NewsSite

_FILLER = b"padding " * 8192  # 64 KiB


def _feed(title: str, path: str, links: tuple[str, ...] = ()) -> Callable[[NewsSite], Response]:
    def route(site: NewsSite) -> Response:
        when = site.fault_articles["slow"].published
        items = [
            feeds.FeedItem(f"{title} {n}", u, "Item.", when, u) for n, u in enumerate(links, 1)
        ]
        return Response(200, feeds.rss(site.url, title, items, path).encode(), RSS)

    return route


def _malformed(site: NewsSite) -> Response:
    return Response(200, feeds.malformed_feed(site.url).encode(), RSS)


def _html_feed(site: NewsSite) -> Response:
    """A feed URL that answers with an HTML page, as when a feed was removed."""
    return html(pages.listing_page("Latest news", site.newest(5)))


def _fault_article(name: str) -> Callable[[NewsSite], Response]:
    def route(site: NewsSite) -> Response:
        return article_page(site, site.fault_articles[name])

    return route


def _slow(site: NewsSite) -> Response:
    response = article_page(site, site.fault_articles["slow"])
    response.delay = site.slow_seconds
    return response


def _ratelimit(site: NewsSite) -> Response:
    if site.take_fault("ratelimit") < 1:
        return error(429, **{"Retry-After": "1"})
    return article_page(site, site.fault_articles["ratelimit"])


def _unavailable(site: NewsSite) -> Response:
    if site.take_fault("unavailable") < 2:
        return error(503, **{"Retry-After": "1"})
    return article_page(site, site.fault_articles["unavailable"])


def _status(site: NewsSite, code: str) -> Response:
    return error(int(code)) if 200 <= int(code) <= 599 else error(404)


def _chain(site: NewsSite, hops: str) -> Response:
    """`/redirect/chain/N`: N redirects, the last to /redirect/target.html."""
    n = int(hops)
    if n == 0:
        return article_page(site, site.fault_articles["redirect_target"])
    return redirect(site, f"/redirect/chain/{n - 1}" if n > 1 else "/redirect/target.html")


def _huge(name: str, chunked: bool) -> Callable[[NewsSite], Response]:
    """A valid article padded with an HTML comment to `huge_bytes`, streamed in 64 KiB chunks."""

    def route(site: NewsSite) -> Response:
        page = pages.article_page(site.fault_articles[name], []).encode("utf-8")
        head, tail = page.split(pages.PADDING_MARK.encode())
        padding = max(0, site.huge_bytes - len(head) - len(tail))

        def stream() -> Iterator[bytes]:
            yield head
            if padding >= 9:
                yield b"<!-- "
                left = padding - 9
                while left > 0:
                    chunk = _FILLER[:left]
                    left -= len(chunk)
                    yield chunk
                yield b" -->"
            else:
                yield b" " * padding
            yield tail

        length = None if chunked else len(head) + padding + len(tail)
        return Response(200, stream=stream, length=length)

    return route


def _gzip_bomb(site: NewsSite) -> Response:
    """A small gzip body (Content-Encoding) that inflates to five times `huge_bytes`."""
    body = gzip.compress(b" " * (5 * site.huge_bytes), mtime=0)
    return Response(200, body, headers={"Content-Encoding": "gzip"})


def _charset(name: str, encoding: str, content_type: str) -> Callable[[NewsSite], Response]:
    """An article encoded as `encoding`, with no <meta charset>; the header says `content_type`."""

    def route(site: NewsSite) -> Response:
        article = site.fault_articles[name]
        if name == "mojibake":
            paragraphs = [mojibake(p) for p in article.paragraphs]
            page = pages.article_page(article, [], paragraphs=paragraphs)
        else:
            page = pages.article_page(article, [], charset=None)
        body = page.replace(pages.PADDING_MARK, "").encode(encoding, "xmlcharrefreplace")
        return Response(200, body, content_type)

    return route


def _german(site: NewsSite) -> Response:
    base = replace(site.fault_articles["slow"], title=GERMAN_TITLE, authors=["Katrin Vogel"])
    page = pages.article_page(
        base, [], canonical=site.url + "/pages/german.html", paragraphs=GERMAN_PARAGRAPHS, lang="de"
    )
    return html(page.replace(pages.PADDING_MARK, ""))


def _loop(target: str) -> Callable[[NewsSite], Response]:
    return lambda site: redirect(site, target)


EXACT: dict[str, Callable[[NewsSite], Response]] = {
    "/feeds/malformed.xml": _malformed,
    "/feeds/empty.xml": _feed("Empty", "/feeds/empty.xml"),
    "/feeds/html.xml": _html_feed,
    "/feeds/private.xml": _feed("Private", "/feeds/private.xml", PRIVATE_LINKS),
    "/slow/article.html": _slow,
    "/loop/a": _loop("/loop/b"),
    "/loop/b": _loop("/loop/a"),
    "/redirect/target.html": _fault_article("redirect_target"),
    "/files/report.pdf": lambda site: Response(200, PDF_BYTES, "application/pdf"),
    "/files/image.jpg": lambda site: Response(200, JPEG_BYTES, "image/jpeg"),
    "/huge/article.html": _huge("huge", chunked=False),
    "/huge/chunked.html": _huge("huge_chunked", chunked=True),
    "/charset/latin1.html": _charset("latin1", "latin-1", "text/html; charset=ISO-8859-1"),
    "/charset/cp1252.html": _charset("cp1252", "cp1252", "text/html"),
    "/charset/mojibake.html": _charset("mojibake", "utf-8", "text/html; charset=utf-8"),
    # Headers that lie: Windows-1252 bytes said to be UTF-8, UTF-8 bytes said to be UTF-16.
    "/charset/cp1252-labelled-utf8.html": _charset(
        "cp1252_labelled_utf8", "cp1252", "text/html; charset=utf-8"
    ),
    "/charset/utf8-labelled-utf16.html": _charset(
        "utf8_labelled_utf16", "utf-8", "text/html; charset=utf-16"
    ),
    "/huge/gzip-bomb.html": _gzip_bomb,
    "/pages/link-only.html": lambda site: html(pages.link_only_page()),
    "/pages/german.html": _german,
    "/pages/empty.html": lambda site: html(pages.empty_page()),
    "/private/secret.html": _fault_article("robots_disallowed"),
    "/ratelimit/article.html": _ratelimit,
    "/unavailable/article.html": _unavailable,
}
PATTERNS: list[tuple[re.Pattern[str], Callable[..., Response]]] = [
    (re.compile(r"/status/(\d{3})"), _status),
    (re.compile(r"/redirect/chain/(\d{1,3})"), _chain),
]
