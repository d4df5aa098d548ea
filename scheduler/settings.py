"""Daemon options: which models score, where metrics are served, how crawls are batched."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DaemonSettings:
    """How `fakewatch run` and `fakewatch worker` behave; the defaults suit one machine."""

    models: tuple[str, ...] = ("models/default",)
    metrics_address: str = "127.0.0.1"
    metrics_port: int = 9464
    tick_seconds: float = 5.0
    sources_per_crawl: int = 20
    crawl_processes: int = 1
    crawl_timeout: float = 1800.0
    claim_lease_seconds: int = 3600
    score_batch: int = 64
    score_lease_seconds: int = 600
    max_score_attempts: int = 3
    score_in_daemon: bool = True
    log_format: str = "json"
