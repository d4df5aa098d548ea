"""NewsSpider: one source's feeds, sitemaps or homepage, then the article pages they list."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure
from w3lib.encoding import http_content_type_encoding

from crawler.discovery import advertised_feeds, looks_like_article, page_links
from crawler.errors import UnsafeUrlError
from crawler.failures import failure_reason
from crawler.feeds import FeedError, looks_like_feed, parse_feed
from crawler.items import ListingHint, PageItem
from crawler.report import CrawlReport
from crawler.sitemaps import SitemapError, looks_like_sitemap, parse_sitemap
from crawler.sources import Source
from crawler.store import ArticleStore
from crawler.urls import ALLOWED_SCHEMES, canonical_url, in_domains

LOGGER = logging.getLogger(__name__)
MAX_CHILD_SITEMAPS = 20
MAX_ADVERTISED_FEEDS = 3
LISTING_PRIORITY = 10


class NewsSpider(scrapy.Spider):
    """Reads a source's listings and fetches the articles it has not stored yet."""

    name = "fakewatch-news"

    def __init__(
        self,
        source: Source,
        report: CrawlReport,
        store: ArticleStore,
        limit: int,
        max_sitemap_bytes: int = 50 * 1024 * 1024,
        validators: dict[str, dict[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.report = report
        self.store = store
        self.limit = limit
        self.max_sitemap_bytes = max_sitemap_bytes
        self.validators = validators or {}
        self.scheduled: set[str] = set()

    def closed(self, reason: str) -> None:
        """Scrapy's last call: why the crawl ended ("finished", or "shutdown" on SIGTERM)."""
        self.report.closed(reason)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.source.feeds:
            yield self._feed_listing(url)
        for url in self.source.sitemaps:
            yield self._listing(url, self.parse_sitemap)
        if self.source.homepage:
            yield self._listing(self.source.homepage, self.parse_homepage)
        for url in self.source.start_urls:
            yield self._listing(url, self.parse_any)

    def parse_any(self, response: Response) -> Iterator[scrapy.Request]:
        """An ad-hoc URL: a sitemap, a feed, or else a page to discover articles from."""
        if looks_like_sitemap(response.body):
            yield from self.parse_sitemap(response)
        elif looks_like_feed(response.body):
            yield from self.parse_feed(response)
        elif isinstance(response, TextResponse):
            yield from self.parse_homepage(response)
        else:
            self._listing_fetched()
            self.report.error(
                response.url, "not_a_listing", "neither a feed, a sitemap nor a page", listing=True
            )

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        if self._feed_unchanged(response):
            self._listing_done()
            self.report.count("listings_unchanged")
            self.report.listing_read("feed", response.url, "unchanged since the last crawl")
            return
        try:
            entries = parse_feed(response.body, response.url)
        except FeedError as exc:
            self._listing_fetched()
            self.report.error(response.url, exc.reason, str(exc), listing=True)
            return
        self._listing_done()
        if not entries:
            LOGGER.info("%s: feed %s lists no items", self.source.name, response.url)
        hints = (
            (entry.url, ListingHint(entry.title, entry.published, entry.authors))
            for entry in entries
        )
        yield from self._articles(hints, response.url, "feed")

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            document = parse_sitemap(response.body, response.url, max_size=self.max_sitemap_bytes)
        except SitemapError as exc:
            self._listing_fetched()
            self.report.error(response.url, exc.reason, str(exc), listing=True)
            return
        self._listing_done()
        if document.is_index:
            children = document.entries[:MAX_CHILD_SITEMAPS]
            self.report.listing_read(
                "sitemap index", response.url,
                f"{len(document.entries)} sitemaps, {len(children)} to read",
            )  # fmt: skip
            for entry in children:
                yield self._listing(entry.url, self.parse_sitemap)
            return
        hints = ((e.url, ListingHint(e.title, e.modified)) for e in document.entries)
        yield from self._articles(hints, response.url, "sitemap")

    def parse_homepage(self, response: Response) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            self._listing_fetched()
            self.report.error(response.url, "not_html", "the homepage is not HTML", listing=True)
            return
        self._listing_done()
        for feed in advertised_feeds(response.text, response.url)[:MAX_ADVERTISED_FEEDS]:
            if in_domains(feed, self.source.allowed_domains):
                yield self._listing(feed, self.parse_feed)
        links = (u for u in page_links(response.text, response.url) if looks_like_article(u))
        yield from self._articles(((u, ListingHint()) for u in links), response.url, "page")

    def parse_article(self, response: Response) -> Iterator[PageItem]:
        self.report.count("pages_fetched")
        content_type = _header(response, b"Content-Type").lower()
        is_html = isinstance(response, TextResponse) and (
            "html" in content_type
            or (not content_type and b"<html" in response.body[:2048].lower())
        )
        requested = response.meta["article_url"]
        aliases = tuple(
            canonical_url(u) for u in (response.url, *response.meta.get("redirect_urls", ()))
        )
        yield PageItem(
            url=requested,
            final_url=response.url,
            body=response.body if is_html else b"",
            content_type=content_type,
            header_charset=http_content_type_encoding(content_type),
            hint=response.meta.get("hint", ListingHint()),
            alias_urls=tuple(a for a in dict.fromkeys(aliases) if a != requested),
            skip_reason=None if is_html else "not_html",
        )

    def article_failed(self, failure: Failure) -> Iterator[PageItem]:
        request = failure.request  # type: ignore[attr-defined]
        reason, message = failure_reason(failure)
        if reason == "too_large":
            # Stored as skipped so that the next crawl does not download it again.
            self.report.count("pages_fetched")
            yield PageItem(
                url=request.meta["article_url"],
                final_url=request.url,
                body=b"",
                content_type="",
                header_charset=None,
                hint=request.meta.get("hint", ListingHint()),
                skip_reason="too_large",
            )
            return
        self.report.error(request.url, reason, message)

    def listing_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        reason, message = failure_reason(failure)
        self.report.error(request.url, reason, message, listing=True)

    def _listing(self, url: str, callback: Callable[..., Any]) -> scrapy.Request:
        return scrapy.Request(
            url, callback=callback, errback=self.listing_failed, priority=LISTING_PRIORITY,
            dont_filter=True,
        )  # fmt: skip

    def _feed_listing(self, url: str) -> scrapy.Request:
        """A feed request, conditional on what the last crawl saw (ETag, Last-Modified)."""
        request = self._listing(url, self.parse_feed)
        known = self.validators.get(url, {})
        if known.get("etag"):
            request.headers[b"If-None-Match"] = known["etag"]
        if known.get("last_modified"):
            request.headers[b"If-Modified-Since"] = known["last_modified"]
        request.meta["handle_httpstatus_list"] = [304]
        return request

    def _feed_unchanged(self, response: Response) -> bool:
        """True for a 304, or a body that hashes as last time (for servers without validators)."""
        url = response.request.url if response.request else response.url
        if response.status == 304:
            return True
        digest = hashlib.sha256(response.body).hexdigest()
        previous = self.validators.get(url, {}).get("sha256")
        self.report.validators[url] = {
            "etag": _header(response, b"ETag"),
            "last_modified": _header(response, b"Last-Modified"),
            "sha256": digest,
        }
        return previous == digest

    def _listing_fetched(self) -> None:
        self.report.count("pages_fetched")

    def _listing_done(self) -> None:
        self.report.count("pages_fetched")
        self.report.listings_ok += 1

    def _articles(
        self, candidates: Iterable[tuple[str, ListingHint]], listing_url: str, what: str
    ) -> list[scrapy.Request]:
        """Requests for the listed articles that are in scope, new, and within the limit.

        Eager on purpose: Scrapy consumes several listings' callbacks interleaved, so an
        article is marked scheduled here, before any request is handed over, or two listings
        naming it would both download it.
        """
        wanted: dict[str, tuple[str, ListingHint]] = {}
        links = 0
        for raw_url, hint in candidates:
            links += 1
            try:
                url = canonical_url(raw_url, base=listing_url)
            except UnsafeUrlError as exc:  # one bad link must not hide the listing's others
                self.report.error(raw_url, "bad_url", str(exc))
                continue
            scheme = url.split(":", 1)[0].lower()
            if scheme not in ALLOWED_SCHEMES:
                self.report.error(raw_url, "blocked_url", "not an http(s) link")
                continue
            if not in_domains(url, self.source.allowed_domains) or url in self.scheduled:
                continue
            wanted.setdefault(url, (raw_url, hint))
        known = self.store.known(list(wanted))
        self.report.count("articles_known", len(known))
        new = [(url, raw_url, hint) for url, (raw_url, hint) in wanted.items() if url not in known]
        room = max(0, self.limit - len(self.scheduled))
        if len(new) > room:
            LOGGER.info("%s: limit of %d articles reached", self.source.name, self.limit)
            self.report.owe(len(new) - room)
            del new[room:]
        self.scheduled.update(url for url, _, _ in new)
        self.report.listing_read(what, listing_url, f"{links} links, {len(new)} to fetch")
        return [
            scrapy.Request(
                raw_url if raw_url.startswith(("http://", "https://")) else url,
                callback=self.parse_article,
                errback=self.article_failed,
                meta={"article_url": url, "hint": hint},
                # We dedupe articles ourselves; unfiltered, a redirect loop runs into the
                # redirect limit and is reported instead of vanishing in Scrapy's dupefilter.
                dont_filter=True,
            )
            for url, raw_url, hint in new
        ]


def _header(response: Response, name: bytes) -> str:
    """A response header's value as text, "" when the server sent none."""
    return (response.headers.get(name) or b"").decode("latin-1")
