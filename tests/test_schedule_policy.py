"""The adaptive schedule: faster for busy sources, slower for quiet ones, backoff on failure."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from scheduler.policy import (
    DEAD_AFTER_FAILURES,
    Bounds,
    CrawlResult,
    next_crawl_at,
    next_interval,
)

BOUNDS = Bounds(interval=600, minimum=60, maximum=3600)


def test_mostly_new_links_poll_more_often_down_to_the_minimum() -> None:
    busy = CrawlResult(failed=False, new_links=9, known_links=1)
    assert next_interval(BOUNDS, 600, busy, 0) == 300
    assert next_interval(BOUNDS, 100, busy, 0) == 60


def test_mostly_known_links_or_unchanged_feeds_poll_less_often_up_to_the_maximum() -> None:
    quiet = CrawlResult(failed=False, new_links=0, known_links=20)
    assert next_interval(BOUNDS, 600, quiet, 0) == 900
    assert next_interval(BOUNDS, 3000, quiet, 0) == 3600
    unchanged = CrawlResult(failed=False, new_links=0, known_links=0)
    assert next_interval(BOUNDS, 600, unchanged, 0) == 900


def test_a_mix_keeps_the_interval() -> None:
    assert next_interval(BOUNDS, 600, CrawlResult(False, 3, 10), 0) == 600


def test_failures_back_off_and_dead_sources_are_still_retried() -> None:
    failed = CrawlResult(failed=True, new_links=0, known_links=0)
    waits = [next_interval(BOUNDS, 600, failed, n) for n in range(1, DEAD_AFTER_FAILURES + 2)]
    assert waits[:4] == [60, 120, 240, 480]
    assert waits == sorted(waits) and waits[-1] == BOUNDS.maximum


def test_jitter_stays_within_ten_percent() -> None:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    rng = random.Random(1)
    for _ in range(100):
        delay = (next_crawl_at(now, 600, rng) - now).total_seconds()
        assert 540 <= delay <= 660
