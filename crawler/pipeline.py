"""StoragePipeline: every spider's one item pipeline: extract, judge, dedup and store each page."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.crawler import Crawler
from sqlalchemy.exc import SQLAlchemyError

from common.messages import first_line
from crawler.articles import page_to_record
from crawler.claim_reviews import page_reviews, review_rows
from crawler.items import PageItem

if TYPE_CHECKING:
    from crawler.spiders.news import NewsSpider

LOGGER = logging.getLogger(__name__)


class StoragePipeline:
    """Turns PageItems into stored articles and counts what happened in the spider's report."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.extractor = crawler.settings.get("FAKEWATCH_EXTRACTOR", "fakewatch")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        return cls(crawler)

    def process_item(self, item: PageItem, spider: NewsSpider | None = None) -> PageItem:
        spider = spider or self.crawler.spider  # type: ignore[assignment]
        assert spider is not None
        report = spider.report
        try:
            record = page_to_record(
                item, spider.source, spider.store.source_id, self.extractor, report.site_names
            )
        except Exception as exc:  # an extractor bug must not end the crawl
            LOGGER.exception("extraction failed for %s", item.url)
            report.error(item.url, "extraction_error", f"{type(exc).__name__}: {exc}")
            return item
        try:
            outcome = spider.store.save(record)
        except SQLAlchemyError as exc:
            message = first_line(getattr(exc, "orig", exc), 300)
            report.error(item.url, "database", message)
            return item
        self._store_claims(item, spider)
        if outcome.kind == "new":
            report.count("articles_new")
        elif outcome.kind == "duplicate":
            report.count("articles_duplicate")
        else:
            report.skipped(record.status_reason or "unknown")
        return item

    def _store_claims(self, item: PageItem, spider: NewsSpider) -> None:
        """Fact-check reviews on the page, counted; a bad review never costs the page."""
        report = spider.report
        try:
            found = page_reviews(item)
        except Exception:  # a parser bug on hostile markup must not end the crawl
            LOGGER.exception("reading ClaimReview markup failed for %s", item.url)
            report.count("claims_skipped")
            return
        for reason, count in found.skipped.items():
            report.count("claims_skipped", count)
            LOGGER.info("%s: %d ClaimReview item(s) skipped on %s: %s", report.source_name,
                        count, item.url, reason)  # fmt: skip
        if not found.reviews:
            return
        try:
            stored = spider.store.save_claims(review_rows(found))
        except SQLAlchemyError as exc:
            report.error(item.url, "database", first_line(getattr(exc, "orig", exc), 300))
            return
        report.count("claims_found", len(found.reviews))
        report.count("claims_new", stored.new)
