"""The daemon: crawls due sources on schedule, scores new articles, serves /metrics and /healthz.

Stages hand over through the database. The parent process only orchestrates: an APScheduler
job claims due sources and runs them in a crawl process; a worker thread scores the queue; a
small HTTP server answers Prometheus. SIGTERM or SIGINT stop it cleanly: crawl processes
finish what they are writing, claims are released, nothing is half written.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from prometheus_client import REGISTRY
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from common.messages import first_line
from crawler.settings import CrawlSettings
from crawler.sources import Source
from db.engine import check_connection, make_engine, make_sessionmaker, unreachable_message
from db.migrate import upgrade
from db.models import CrawlRun
from db.models import Source as SourceRow
from db.queries import sync_source
from db.scheduling import (
    claim_due_sources,
    mark_interrupted_runs,
    reclaim_from_the_dead,
    release_sources,
    renew_claims,
)
from db.scoring import release_articles
from db.types import utcnow
from scheduler import metrics
from scheduler.claim_matching import ClaimMatchingWorker
from scheduler.crawling import CrawlJob, start_crawl_process
from scheduler.deployed_models import ModelSet
from scheduler.http import readiness, serve
from scheduler.settings import DaemonSettings
from scheduler.worker import ScoringWorker, owner_is_dead, worker_id

LOGGER = logging.getLogger(__name__)
STOP_GRACE_SECONDS = 30.0
TRAIN_HINT = (
    "no trained model yet: run `fakewatch setup` (trains the default model on "
    "$FAKEWATCH_TRAINING_DATA or WELFake) or `fakewatch train --data FILE --out {}`"
)


class Daemon:
    """One `fakewatch run` process."""

    def __init__(
        self,
        database_url: str,
        sources: list[Source],
        crawl: CrawlSettings,
        options: DaemonSettings,
        *,
        log_level: int = logging.INFO,
    ) -> None:
        self.database_url = database_url
        self.sources = {source.name: source for source in sources}
        self.crawl = crawl
        self.options = options
        self.log_level = log_level
        self.owner = worker_id()
        self.stop = threading.Event()
        self.engine = make_engine(database_url)
        self.sessions = make_sessionmaker(self.engine)
        self.models = ModelSet([Path(folder) for folder in options.models])
        self.children: set[Any] = set()
        self.children_lock = threading.Lock()
        self.last_run_id = 0
        # Sources of crashed crawls whose claims could not be released yet (database down).
        self.unreleased: set[str] = set()

    # ----- life cycle ---------------------------------------------------------------------

    def run(self) -> int:
        """Run until SIGTERM or SIGINT; returns the exit status."""
        # First of all: a stop asked for during start-up still ends in an orderly exit.
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self.stop.set())
        check_connection(self.engine)
        upgrade(self.engine)
        self._sync_sources()
        self._reclaim_from_the_dead()
        self.models.refresh()
        if not self.models.loaded:
            LOGGER.warning(TRAIN_HINT.format(self.options.models[0]))
        REGISTRY.register(
            metrics.DatabaseCollector(self.sessions, self.models.info, self.models.score_histograms)
        )
        server, _ = serve(self.options.metrics_address, self.options.metrics_port, REGISTRY,
                          self.health)  # fmt: skip
        scheduler = BackgroundScheduler(timezone=UTC)
        scheduler.add_job(
            self._dispatch_crawls, "interval", seconds=self.options.tick_seconds,
            next_run_time=datetime.now(UTC), max_instances=self.options.crawl_processes,
            coalesce=True, id="crawl", misfire_grace_time=None,
        )  # fmt: skip
        scheduler.add_job(
            self._heartbeat, "interval", seconds=self.options.claim_lease_seconds / 4,
            id="heartbeat", coalesce=True, misfire_grace_time=None,
        )  # fmt: skip
        worker = self._start_worker()
        matching = self._start_claim_matching()
        scheduler.start()
        LOGGER.info("fakewatch daemon started: %d sources, models %s", len(self.sources),
                    [m.name for m in self.models.loaded] or "none")  # fmt: skip
        self.stop.wait()
        LOGGER.info("stopping: letting crawls and scoring finish what they are writing")
        scheduler.shutdown(wait=False)
        self._stop_children()
        for thread in (worker, matching):
            if thread is not None:
                thread.join(timeout=STOP_GRACE_SECONDS)
        self._release_claims()
        server.shutdown()
        LOGGER.info("fakewatch daemon stopped")
        return 0

    def health(self) -> dict[str, Any]:
        """Liveness and readiness: is the database reachable, is a model loaded."""
        hint = TRAIN_HINT.format(self.options.models[0])
        return readiness(self.engine, self.models, no_model_hint=hint)

    # ----- crawling -----------------------------------------------------------------------

    def _sync_sources(self) -> None:
        with self.sessions.begin() as session:
            for source in self.sources.values():
                sync_source(session, source)
            stale = session.scalars(select(SourceRow).where(SourceRow.name.not_in(self.sources)))
            for row in stale:
                row.enabled = False  # removed from the sources file: keep its data, stop crawling
            self.last_run_id = session.scalar(select(CrawlRun.id).order_by(CrawlRun.id.desc())) or 0

    def _reclaim_from_the_dead(self) -> None:
        """At start-up: take back the claims of dead daemons on this host (and expired ones),
        and close the crawl runs they left `running`."""
        now = utcnow()
        stale_before = now - timedelta(seconds=self.options.crawl_timeout + 2 * STOP_GRACE_SECONDS)
        with self.sessions.begin() as session:
            released = reclaim_from_the_dead(
                session, now=now, is_dead=owner_is_dead, stale_before=stale_before
            )
        if released:
            LOGGER.info("took back sources claimed by daemons that are gone: %s", released)

    def _heartbeat(self) -> None:
        """Renew this daemon's claims, so that they expire soon after it dies, not later."""
        lease = timedelta(seconds=self.options.claim_lease_seconds)
        try:
            with self.sessions.begin() as session:
                renew_claims(session, self.owner, now=utcnow(), lease=lease)
        except SQLAlchemyError as exc:
            LOGGER.error("%s", unreachable_message(self.engine, exc))

    def _dispatch_crawls(self) -> None:
        """One scheduler tick: claim due sources and crawl them in a child process."""
        if self.stop.is_set():
            return
        if self.unreleased:
            self._recover(sorted(self.unreleased))
        lease = timedelta(seconds=self.options.claim_lease_seconds)
        try:
            with self.sessions.begin() as session:
                names = claim_due_sources(session, now=utcnow(), owner=self.owner, lease=lease,
                                          limit=self.options.sources_per_crawl)  # fmt: skip
        except SQLAlchemyError as exc:
            LOGGER.error("%s", unreachable_message(self.engine, exc))
            return
        known = [name for name in names if name in self.sources]
        if not known:
            return
        job = CrawlJob(self.database_url, self.crawl, tuple(self.sources[n] for n in known),
                       self.log_level, self.options.log_format)  # fmt: skip
        LOGGER.info("crawling %d due sources: %s", len(known), ", ".join(known))
        process = start_crawl_process(job)
        with self.children_lock:
            self.children.add(process)
        process.join(self.options.crawl_timeout)
        if process.is_alive():
            LOGGER.error(
                "crawl of %s ran over %.0fs: stopping it", known, self.options.crawl_timeout
            )
            process.terminate()
            process.join(STOP_GRACE_SECONDS)
            if process.is_alive():
                process.kill()
        with self.children_lock:
            self.children.discard(process)
        if process.exitcode != 0:
            LOGGER.error("crawl process for %s exited with %s", known, process.exitcode)
            self._recover(known)
        self._count_finished_runs()

    def _recover(self, names: list[str]) -> None:
        """After a crawl process died: close its runs, give its sources back to the schedule.

        When the database is down too, the sources are remembered and released on a later tick,
        rather than staying claimed until their lease runs out.
        """
        try:
            with self.sessions.begin() as session:
                mark_interrupted_runs(session, names, utcnow())
                release_sources(session, self.owner, names)
        except SQLAlchemyError as exc:
            LOGGER.error("%s", unreachable_message(self.engine, exc))
            self.unreleased.update(names)
            return
        self.unreleased.difference_update(names)

    def _count_finished_runs(self) -> None:
        try:
            with self.sessions() as session:
                runs = list(session.scalars(
                    select(CrawlRun).where(CrawlRun.id > self.last_run_id,
                                           CrawlRun.finished_at.is_not(None)).order_by(CrawlRun.id)
                ))  # fmt: skip
        except SQLAlchemyError:
            return
        for run in runs:
            metrics.count_crawl(run)
            self.last_run_id = max(self.last_run_id, run.id)

    def _stop_children(self) -> None:
        with self.children_lock:
            children = list(self.children)
        for process in children:
            process.terminate()  # Scrapy stops gracefully on SIGTERM
        for process in children:
            process.join(STOP_GRACE_SECONDS)
            if process.is_alive():
                process.kill()

    # ----- scoring ------------------------------------------------------------------------

    def _start_worker(self) -> threading.Thread | None:
        if not self.options.score_in_daemon:
            return None
        worker = ScoringWorker(
            self.sessions, self.models, owner=self.owner, batch_size=self.options.score_batch,
            lease=timedelta(seconds=self.options.score_lease_seconds),
            max_attempts=self.options.max_score_attempts,
        )  # fmt: skip
        thread = threading.Thread(target=worker.run, args=(self.stop,), name="worker", daemon=True)
        thread.start()
        return thread

    def _start_claim_matching(self) -> threading.Thread | None:
        if not self.options.match_claims:
            return None
        matching = ClaimMatchingWorker(
            self.sessions, threshold=self.options.claim_match_threshold,
            lookback=timedelta(days=self.options.claim_match_lookback_days),
        )  # fmt: skip
        thread = threading.Thread(target=matching.run, args=(self.stop,), name="claims",
                                  daemon=True)  # fmt: skip
        thread.start()
        return thread

    def _release_claims(self) -> None:
        try:
            with self.sessions.begin() as session:
                release_sources(session, self.owner)
                release_articles(session, self.owner)
        except SQLAlchemyError as exc:
            LOGGER.error("could not release claims (%s); they expire by themselves",
                         first_line(exc))  # fmt: skip
