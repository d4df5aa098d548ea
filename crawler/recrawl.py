"""Download stored articles again (`fakewatch recrawl`): one source, its chosen stored URLs.

The pages go through the crawl's own Scrapy settings (robots.txt, politeness, size limits,
private-address checks and the resolver that enforces them), then `RecrawlPipeline`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from scrapy.crawler import Crawler
from scrapy.settings import Settings
from sqlalchemy import Engine

from articles.site_names import SiteNames
from crawler.report import CrawlReport
from crawler.run import crawler_process
from crawler.scrapy_settings import scrapy_settings
from crawler.settings import CrawlSettings
from crawler.site_names import known_site_names, remember_learned_names
from crawler.sources import Source
from crawler.spiders.recrawl import RecrawlSpider
from crawler.store import ArticleStore
from db.engine import make_sessionmaker
from db.queries import ArticleRecord
from db.recrawl import StoredPage, update_article

LOGGER = logging.getLogger(__name__)
RECRAWL_LABELS = (
    ("articles_updated", "updated"), ("articles_unchanged", "unchanged"),
    ("articles_skipped", "now skipped"), ("articles_failed", "failed"),
)  # fmt: skip


class RecrawlStore(ArticleStore):
    """The recrawl's door to the database: one short transaction per updated page."""

    def update(self, article_id: int, record: ArticleRecord) -> str:
        """Replace one article's extraction (see `db.recrawl.update_article`)."""
        with self.engine.begin() as connection:
            return update_article(connection, article_id, record)


def recrawl(
    source: Source,
    source_id: int,
    pages: Sequence[StoredPage],
    options: CrawlSettings,
    engine: Engine,
    *,
    progress: Callable[[str], None] | None = None,
) -> CrawlReport:
    """Download `pages` again and update their articles; blocks until done (one reactor run)."""
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        site_names = SiteNames(known_site_names(session, source_id))
    report = CrawlReport(source.name, say=progress, labels=RECRAWL_LABELS, site_names=site_names)
    settings = scrapy_settings(options, source) | {
        "ITEM_PIPELINES": {"crawler.recrawl_pipeline.RecrawlPipeline": 300},
        "CLOSESPIDER_TIMEOUT": 0,  # asked for by a person, who can stop it with Ctrl-C
    }
    process = crawler_process()
    crawler = Crawler(RecrawlSpider, Settings(settings, priority="cmdline"))
    deferred = process.crawl(
        crawler,
        article_ids={page.url: page.article_id for page in pages},
        source=source,
        report=report,
        store=RecrawlStore(engine, source_id),
    )
    deferred.addErrback(_crashed, report)
    process.start()
    with sessions.begin() as session:
        remember_learned_names(session, source_id, report)
    return report


def _crashed(failure: Any, report: CrawlReport) -> None:
    LOGGER.error("recrawl of %s crashed: %s", report.source_name, failure.getTraceback())
    report.error("-", "crawler_error", failure.getErrorMessage(), listing=True)
