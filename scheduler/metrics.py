"""Prometheus metrics: counters the daemon increments, and gauges read from the database.

Counters and histograms are instrumented directly. State that lives in the database (fake
ratios per source and model, queue depth, last successful crawls, deployed models, how far
each source's articles and scores have drifted from the model's training data, and the evidence
from fact-checkers' claims) comes from a collector that queries it at each scrape.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from classifier.models.score_drift import bin_edges, population_stability
from common.messages import first_line
from db.claim_matches import debunked_articles_by_source
from db.claims import fact_checker_stats
from db.models import CrawlRun, Source
from db.results import drift_counts, verdict_counts
from db.scoring import queue_depth
from db.types import utcnow

LOGGER = logging.getLogger(__name__)
WINDOWS = {"1h": timedelta(hours=1), "24h": timedelta(days=1), "7d": timedelta(days=7)}
# Fact-checkers are read from the pages crawled, not configured: keep only the biggest few
# as label values, so that a site naming itself anew on each page cannot flood Prometheus.
MAX_FACT_CHECKERS = 50
NO_SOURCE = "-"  # the source label of articles without one, as ARTICLES_SCORED has it

PAGES_FETCHED = Counter("fakewatch_pages_fetched_total", "Pages downloaded by crawls", ["source"])
ARTICLES_STORED = Counter(
    "fakewatch_articles_stored_total", "New articles stored by crawls", ["source"]
)
ARTICLES_DUPLICATE = Counter(
    "fakewatch_articles_duplicate_total", "Articles found again under another URL", ["source"]
)
ARTICLES_SKIPPED = Counter(
    "fakewatch_articles_skipped_total", "Pages stored as skipped, by rule", ["source", "reason"]
)
ARTICLES_SCORED = Counter(
    "fakewatch_articles_scored_total", "Articles scored, by verdict", ["source", "model", "verdict"]
)
CRAWL_ERRORS = Counter(
    "fakewatch_crawl_errors_total", "Failed requests of crawls, by reason", ["source", "reason"]
)
CRAWLS = Counter("fakewatch_crawls_total", "Crawls finished, by outcome", ["source", "outcome"])
CRAWL_SECONDS = Histogram(
    "fakewatch_crawl_duration_seconds",
    "Duration of one crawl of one source",
    ["source"],
    buckets=(1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800),
)
CRAWL_LATENESS = Histogram(
    "fakewatch_crawl_lateness_seconds",
    "How long after it fell due a crawl started",
    buckets=(1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600),
)
SCORING_SECONDS = Histogram(
    "fakewatch_scoring_seconds",
    "Time to score one article with one model",
    ["model"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)


def count_crawl(run: CrawlRun) -> None:
    """Add a finished crawl run (recorded by a crawl process) to the counters."""
    source = run.source_name
    PAGES_FETCHED.labels(source).inc(run.pages_fetched)
    ARTICLES_STORED.labels(source).inc(run.articles_new)
    ARTICLES_DUPLICATE.labels(source).inc(run.articles_duplicate)
    for reason, n in (run.skipped_by_reason or {}).items():
        ARTICLES_SKIPPED.labels(source, reason.split(":", 1)[0]).inc(n)
    for reason, n in (run.errors_by_reason or {}).items():
        CRAWL_ERRORS.labels(source, reason).inc(n)
    CRAWLS.labels(source, run.outcome.value).inc()
    if run.finished_at is not None:
        CRAWL_SECONDS.labels(source).observe((run.finished_at - run.started_at).total_seconds())
    if run.scheduled_for is not None:
        CRAWL_LATENESS.observe(max(0.0, (run.started_at - run.scheduled_for).total_seconds()))


class DatabaseCollector(Collector):
    """Gauges read fresh from the database at every scrape."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        model_info: Callable[[], list[dict[str, Any]]],
        score_histograms: Callable[[], dict[str, list[float]]] = dict,
    ) -> None:
        self.sessions = sessions
        self.model_info = model_info
        self.score_histograms = score_histograms

    def collect(self) -> Iterator[Metric]:
        ratio = GaugeMetricFamily(
            "fakewatch_fake_ratio",
            "Share of scored articles flagged fake, by source, model and window",
            labels=["source", "model", "window"],
        )
        scored = GaugeMetricFamily(
            "fakewatch_scored_articles",
            "Scored articles fetched within the window, by source, model and window",
            labels=["source", "model", "window"],
        )
        queue = GaugeMetricFamily("fakewatch_queue_depth", "Articles waiting to be scored")
        last_success = GaugeMetricFamily(
            "fakewatch_source_last_success_timestamp_seconds",
            "When the source was last crawled successfully (Unix time)",
            labels=["source"],
        )
        up = GaugeMetricFamily("fakewatch_database_up", "1 when the database answered the scrape")
        source_info = GaugeMetricFamily(
            "fakewatch_source_info",
            "1 per source, labelled with its category (wire, broadsheet, satire, ...): join it "
            "on `source` to compare kinds of outlets",
            labels=["source", "category"],
        )
        drift = DriftGauges()
        evidence = EvidenceMetrics()
        try:
            with self.sessions() as session:
                now = utcnow()
                histograms = self.score_histograms()
                for window, span in WINDOWS.items():
                    for source, model, total, fake in self._ratios(session, now - span):
                        ratio.add_metric([source, model, window], fake / total if total else 0.0)
                        scored.add_metric([source, model, window], total)
                    drift.add(session, now - span, window, histograms)
                queue.add_metric([], queue_depth(session))
                enabled = select(Source.name, Source.last_success_at, Source.category).where(
                    Source.enabled
                )
                sources = []
                for name, when, category in session.execute(enabled):
                    sources.append(name)
                    source_info.add_metric([name, category], 1)
                    if when is not None:
                        last_success.add_metric([name], when.timestamp())
                evidence.add(session, sources)
            up.add_metric([], 1)
        except SQLAlchemyError as exc:
            LOGGER.warning("metrics: database unavailable (%s)", first_line(exc))
            up.add_metric([], 0)
        yield from (ratio, scored, queue, last_success, source_info, up, *drift.families())
        yield from evidence.families()
        info = InfoMetricFamily("fakewatch_model", "Deployed models", labels=["model"])
        threshold = GaugeMetricFamily(
            "fakewatch_model_threshold",
            "Probability above which a model says fake",
            labels=["model"],
        )
        for deployed in self.model_info():
            name = deployed["name"]
            info.add_metric([name], {"kind": deployed["kind"], "version": deployed["version"]})
            threshold.add_metric([name], float(deployed["threshold"]))
        yield info
        yield threshold

    @staticmethod
    def _ratios(session: Session, since: datetime) -> list[tuple[str, str, int, int]]:
        """(source, model, scored, fake): each model's latest verdict of each article once."""
        counts = verdict_counts(session, [], [], since, None)
        return [
            (source, model, scored, fake)
            for (source, model), (scored, fake) in counts.items()
            if source is not None and model is not None
        ]


class DriftGauges:
    """How far each source's recent articles and scores are from a model's training data."""

    def __init__(self) -> None:
        labels = ["source", "model", "window"]
        self.out_of_distribution = GaugeMetricFamily(
            "fakewatch_out_of_distribution_ratio",
            "Share of scored articles beyond the model's domain-shift limit (about 0.05 for "
            "articles like its training data), by source, model and window",
            labels=labels,
        )
        self.mean_shift = GaugeMetricFamily(
            "fakewatch_domain_shift_mean",
            "Mean domain shift of scored articles (0 like the training data .. 1 unlike)",
            labels=labels,
        )
        self.score_psi = GaugeMetricFamily(
            "fakewatch_score_drift_psi",
            "Population stability index of the scores against the model's validation scores",
            labels=labels,
        )

    def add(
        self,
        session: Session,
        since: datetime,
        window: str,
        histograms: dict[str, list[float]],
    ) -> None:
        for (source, model), counts in drift_counts(session, since, bin_edges()).items():
            labels = [source, model, window]
            if counts.out_of_distribution_ratio is not None and counts.mean_shift is not None:
                self.out_of_distribution.add_metric(labels, counts.out_of_distribution_ratio)
                self.mean_shift.add_metric(labels, counts.mean_shift)
            if model in histograms and counts.scored:
                psi = population_stability(histograms[model], counts.score_bins)
                self.score_psi.add_metric(labels, psi)

    def families(self) -> tuple[GaugeMetricFamily, ...]:
        return (self.out_of_distribution, self.mean_shift, self.score_psi)


class EvidenceMetrics:
    """What fact-checkers' claims say: debunked articles per source, claims per fact-checker."""

    def __init__(self) -> None:
        # Read from the database, so a restart of the daemon does not reset it. Matches are
        # only ever added, so it grows; it drops only when an article's best match becomes one
        # to a claim rated otherwise, which the recording rules allow for (delta, not increase).
        self.debunked = CounterMetricFamily(
            "fakewatch_debunked_articles",
            "Articles whose best claim match is a claim fact-checkers rated false or mostly "
            "false, by source",
            labels=["source"],
        )
        self.claims = GaugeMetricFamily(
            "fakewatch_claims",
            f"Fact-checkers' claims stored, by fact-checker (the {MAX_FACT_CHECKERS} with most "
            "claims only)",
            labels=["fact_checker"],
        )
        self.newest_claim = GaugeMetricFamily(
            "fakewatch_fact_checker_newest_claim_timestamp_seconds",
            "When the newest claim of the fact-checker was stored (Unix time; the "
            f"{MAX_FACT_CHECKERS} fact-checkers with most claims only)",
            labels=["fact_checker"],
        )

    def add(self, session: Session, sources: list[str]) -> None:
        """Read the store; every enabled source gets a count, 0 until one of its articles has."""
        debunked = {name: 0 for name in sources}
        for name, count in debunked_articles_by_source(session).items():
            debunked[name or NO_SOURCE] = count
        for name, count in sorted(debunked.items()):
            self.debunked.add_metric([name], count)
        biggest = sorted(fact_checker_stats(session), key=lambda row: (-row[1], row[0]))
        for fact_checker, claims, newest in biggest[:MAX_FACT_CHECKERS]:
            self.claims.add_metric([fact_checker], claims)
            if newest is not None:
                self.newest_claim.add_metric([fact_checker], newest.timestamp())

    def families(self) -> tuple[Metric, ...]:
        return (self.debunked, self.claims, self.newest_claim)
