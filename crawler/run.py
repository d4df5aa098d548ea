"""Run crawls now: each source's spider in one Scrapy process, each crawl recorded in crawl_runs."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.reactor import install_reactor
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from twisted.internet.task import LoopingCall

from articles.site_names import SiteNames
from crawler.report import CrawlReport
from crawler.scrapy_settings import REACTOR, scrapy_settings
from crawler.settings import CrawlSettings
from crawler.site_names import known_site_names, remember_learned_names
from crawler.sources import Source
from crawler.spiders.news import NewsSpider
from crawler.store import ArticleStore
from db.engine import make_sessionmaker
from db.models import CrawlRun
from db.models import Source as SourceRow
from db.queries import finish_crawl_run, start_crawl_run, sync_source
from db.scheduling import mark_interrupted_runs
from db.types import utcnow

LOGGER = logging.getLogger(__name__)
# Beyond a source's own time limit: Scrapy's graceful stop, and the recording of the run.
STALE_RUN_GRACE = 600.0


def crawl_once(
    sources: Sequence[Source],
    options: CrawlSettings,
    engine: Engine,
    *,
    limit: int | None = None,
    after_run: Callable[[Session, Source, CrawlRun], None] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[CrawlReport]:
    """Crawl each source once, concurrently, and record every crawl; blocks until all are done.

    Starts a Twisted reactor, so it runs once per process (the daemon uses child processes).
    `after_run` is called in the transaction that records each crawl (the daemon's schedule).
    """
    sessions = make_sessionmaker(engine)
    process = crawler_process()
    jobs: list[tuple[Source, CrawlReport, int, int]] = []
    recorded: set[int] = set()

    def record(source: Source, report: CrawlReport, run_id: int, source_id: int) -> None:
        """Close one source's run as soon as its crawl ends, not when the batch does."""
        if run_id in recorded:
            return
        recorded.add(run_id)
        with sessions.begin() as session:
            run = finish_crawl_run(
                session,
                run_id,
                outcome=report.outcome,
                counts=report.row_counts(),
                errors=report.errors,
            )
            row = session.get_one(SourceRow, source_id)
            if report.complete:  # else the next crawl must read the listings again
                row.feed_validators = {**(row.feed_validators or {}), **report.validators}
            remember_learned_names(session, source_id, report)
            if after_run is not None:
                after_run(session, source, run)
        LOGGER.info(
            "crawl of %s: %s %s", report.source_name, report.outcome.value, report.row_counts()
        )

    def record_when_done(result: Any, *job: Any) -> Any:
        try:
            record(*job)
        except Exception:  # the database is down: the batch's end tries again, then gives up
            recorded.discard(job[2])
            LOGGER.exception("cannot record the crawl of %s yet", job[0].name)
        return result

    # A crawl of one source stops after max_crawl_seconds: a run still `running` long after
    # that was left by a crawl that died (killed, or its last write failed on a full disk).
    dead_before = utcnow() - timedelta(seconds=options.max_crawl_seconds + STALE_RUN_GRACE)
    for source in sources:
        with sessions.begin() as session:
            source_id = sync_source(session, source)
            mark_interrupted_runs(session, [source.name], utcnow(), started_before=dead_before)
            run_id = start_crawl_run(session, source_id, source.name)
            validators = dict(session.get_one(SourceRow, source_id).feed_validators or {})
            site_names = SiteNames(known_site_names(session, source_id))
        report = CrawlReport(source.name, say=progress, site_names=site_names)
        # "cmdline" priority: the process' defaults must not override this source's settings.
        crawler = Crawler(
            NewsSpider, Settings(scrapy_settings(options, source), priority="cmdline")
        )
        deferred = process.crawl(
            crawler,
            source=source,
            report=report,
            store=ArticleStore(engine, source_id),
            limit=limit or source.max_articles or options.max_articles,
            max_sitemap_bytes=options.max_page_bytes * 10,
            validators=validators,
        )
        deferred.addErrback(_crawler_crashed, report)
        deferred.addBoth(record_when_done, source, report, run_id, source_id)
        jobs.append((source, report, run_id, source_id))
    # Everything built so far (modules, Scrapy, SQLAlchemy) lives as long as the process: out of
    # the collector's sight, every full collection during the crawl no longer walks it. Measured
    # on real pages: 3 to 5 ms less CPU per page (bench/crawl.py --pages real).
    gc.collect()
    gc.freeze()
    if progress is not None:
        ticker = LoopingCall(_report_progress, [job[1] for job in jobs], progress)
        ticker.start(options.progress_seconds, now=False)
    process.start()
    for job in jobs:
        record(*job)  # those whose recording failed while the crawl ran
    return [report for _, report, _, _ in jobs]


def crawler_process() -> CrawlerProcess:
    """The one Scrapy process of this Python process, on the reactor with the safe resolver."""
    install_reactor(REACTOR)
    scrapy_logger = logging.getLogger("scrapy")
    level = scrapy_logger.level
    process = CrawlerProcess(
        Settings(
            {
                "TWISTED_REACTOR": REACTOR,
                # Connects only to addresses the middleware's checks allow (DNS rebinding).
                "TWISTED_DNS_RESOLVER": "crawler.safety.SafeHostnameResolver",
                "LOG_ENABLED": False,
                "LOG_INSTALL_ROOT_HANDLER": False,
            }
        )
    )
    scrapy_logger.setLevel(level)  # Scrapy's logging set-up turns its loggers up to DEBUG
    return process


def _report_progress(reports: Sequence[CrawlReport], say: Callable[[str], None]) -> None:
    """One line on how far each crawl has got (for a person waiting at a terminal)."""
    parts = [
        f"{r.source_name} {r.counts['pages_fetched']} pages, {r.counts['articles_new']} new"
        + (", done" if r.finished else "")
        for r in reports
    ]
    say("crawling: " + "; ".join(parts))


def _crawler_crashed(failure: Any, report: CrawlReport) -> None:
    LOGGER.error("crawl of %s crashed: %s", report.source_name, failure.getTraceback())
    report.error("-", "crawler_error", failure.getErrorMessage(), listing=True)
