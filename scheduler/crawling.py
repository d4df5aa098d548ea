"""Crawls for the daemon: due sources run in a child process, which records their schedule.

A child process per batch keeps Scrapy's reactor fresh (it cannot restart in one process) and
returns all of a crawl's memory to the system when it exits.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crawler.settings import CrawlSettings
from crawler.sources import Source
from db.models import CrawlOutcome, CrawlRun
from db.models import Source as SourceRow
from db.scheduling import schedule_next
from db.types import utcnow
from scheduler.policy import Bounds, CrawlResult, next_crawl_at, next_interval

LOGGER = logging.getLogger(__name__)
SPAWN = multiprocessing.get_context("spawn")
# How often a crawl process checks that the daemon that started it is alive, and how long it
# then has to stop gracefully (finish the pages it is writing) before it exits regardless.
PARENT_CHECK_SECONDS = 1.0
ORPHAN_GRACE_SECONDS = 30.0


@dataclass(frozen=True)
class CrawlJob:
    """Everything a crawl process needs, as plain picklable values."""

    database_url: str
    options: CrawlSettings
    sources: tuple[Source, ...]
    log_level: int
    log_format: str


def apply_schedule(session: Session, source: Source, run: CrawlRun) -> None:
    """After a crawl: adapt the source's interval, set its next crawl, release its claim."""
    row = session.get_one(SourceRow, run.source_id)
    failed = run.outcome is CrawlOutcome.FAILED
    failures = row.consecutive_failures + 1 if failed else 0
    bounds = Bounds(source.interval_seconds, source.min_interval_seconds,
                    source.max_interval_seconds)  # fmt: skip
    seen_new = run.articles_new + run.articles_duplicate + run.articles_skipped
    result = CrawlResult(failed=failed, new_links=seen_new, known_links=run.links_known)
    interval = next_interval(bounds, row.poll_interval_seconds, result, failures)
    schedule_next(
        session, row.id, failed=failed, interval=interval,
        next_crawl_at=next_crawl_at(utcnow(), interval),
    )  # fmt: skip
    LOGGER.info("source %s: next crawl in %ds", source.name, interval)


def run_crawl_job(job: CrawlJob) -> None:
    """The crawl process' entry point: crawl the sources once and record the schedule."""
    from sqlalchemy.exc import SQLAlchemyError

    from crawler.run import crawl_once
    from db.engine import make_engine, unreachable_message
    from scheduler.logs import configure_logging

    configure_logging(job.log_level, job.log_format)
    watch_parent(os.getppid())
    engine = make_engine(job.database_url)
    try:
        crawl_once(job.sources, job.options, engine, after_run=apply_schedule)
    except SQLAlchemyError as exc:
        # The parent closes the runs and releases the sources once the database is back.
        LOGGER.error("crawl stopped: %s", unreachable_message(engine, exc))
        raise SystemExit(1) from None
    finally:
        engine.dispose()


def watch_parent(parent: int) -> threading.Thread:
    """Stop this process when `parent` dies: its claims are no longer renewed, so another
    daemon may soon crawl the same sources. SIGTERM first (Scrapy stops gracefully), then exit."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        LOGGER.error("the daemon that started this crawl is gone: stopping the crawl")
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(ORPHAN_GRACE_SECONDS)
        os._exit(1)

    thread = threading.Thread(target=watch, name="parent-watch", daemon=True)
    thread.start()
    return thread


def start_crawl_process(job: CrawlJob) -> multiprocessing.process.BaseProcess:
    """Start a crawl process for the job."""
    process = SPAWN.Process(target=run_crawl_job, args=(job,), name="fakewatch-crawl")
    process.start()
    return process
