"""RecrawlPipeline: a page downloaded again replaces its stored article's extraction, or not.

A page that now fails (skipped by the rules, a duplicate of another article's text, a
database error) leaves the stored article as it was; the report counts why.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from common.messages import first_line
from crawler.articles import page_to_record
from crawler.items import PageItem
from crawler.pipeline import StoragePipeline

if TYPE_CHECKING:
    from crawler.recrawl import RecrawlStore
    from crawler.spiders.recrawl import RecrawlSpider

LOGGER = logging.getLogger(__name__)


class RecrawlPipeline(StoragePipeline):
    """Updates stored articles in place and counts updated / unchanged / skipped / failed."""

    def process_item(self, item: PageItem, spider: RecrawlSpider | None = None) -> PageItem:  # type: ignore[override]
        spider = spider or self.crawler.spider  # type: ignore[assignment]
        assert spider is not None
        report = spider.report
        store: RecrawlStore = spider.store  # type: ignore[assignment]
        try:
            record = page_to_record(
                item, spider.source, store.source_id, self.extractor, report.site_names
            )
        except Exception as exc:  # an extractor bug must not end the recrawl
            LOGGER.exception("extraction failed for %s", item.url)
            report.error(item.url, "extraction_error", f"{type(exc).__name__}: {exc}")
            return item
        if record.status_reason:
            report.skipped(record.status_reason)  # the stored article stays as it was
            return item
        article_id = spider.article_ids[item.url]
        try:
            outcome = store.update(article_id, record)
        except SQLAlchemyError as exc:
            report.error(item.url, "database", first_line(getattr(exc, "orig", exc), 300))
            return item
        if outcome == "duplicate":
            report.error(item.url, "duplicate_text",
                         "its new text is another stored article's; kept the old text")  # fmt: skip
        else:
            report.count(f"articles_{outcome}")
        self._store_claims(item, spider)
        return item
