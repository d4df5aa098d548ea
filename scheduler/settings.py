"""Daemon options: which models score, where metrics are served, how crawls are batched.

Each field's `metadata` gives the range (or the choices) a settings file may set it to;
`fakewatch.settings` checks them at load.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from classifier.claim_matching import THRESHOLD
from crawler.settings import bounded


@dataclass(frozen=True)
class DaemonSettings:
    """How `fakewatch run` and `fakewatch worker` behave; the defaults suit one machine."""

    models: tuple[str, ...] = ("models/default",)
    metrics_address: str = field(default="127.0.0.1", metadata={"address": True})
    # 0: any free port (tests); otherwise a port number.
    metrics_port: int = bounded(9464, 0, 65535)  # type: ignore[assignment]
    tick_seconds: float = bounded(5.0, 0.1, 3600.0)
    sources_per_crawl: int = bounded(20, 1, 10_000)  # type: ignore[assignment]
    crawl_processes: int = bounded(1, 1, 64)  # type: ignore[assignment]
    crawl_timeout: float = bounded(1800.0, 1.0, 7 * 86400.0)
    # Renewed every quarter of itself while the daemon lives: a dead daemon's sources are free
    # again within this long (at once for a new daemon on the same host).
    claim_lease_seconds: int = bounded(60, 10, 86400)  # type: ignore[assignment]
    score_batch: int = bounded(64, 1, 100_000)  # type: ignore[assignment]
    score_lease_seconds: int = bounded(600, 10, 7 * 86400)  # type: ignore[assignment]
    max_score_attempts: int = bounded(3, 1, 100)  # type: ignore[assignment]
    score_in_daemon: bool = True
    # Link articles with fact-checkers' claims (sources of category "factcheck") in the daemon.
    match_claims: bool = True
    # A match's score (0..1) must reach this to be stored (see classifier.claim_matching).
    # New claims are matched against articles this recent.
    claim_match_threshold: float = bounded(THRESHOLD, 0.0, 1.0)
    claim_match_lookback_days: float = bounded(3.0, 0.0, 365.0)
    # auto: text when stderr is a terminal, JSON lines otherwise (containers, services).
    log_format: str = field(default="auto", metadata={"choices": ("auto", "json", "text")})
