"""When to crawl a source next: adaptive intervals, as Media Cloud's feed poller does it.

A crawl that finds mostly new links shortens the interval, one that finds mostly known links
(or an unchanged feed) lengthens it, always within the source's bounds. Failures back off
exponentially; a source that keeps failing is still retried, at its longest interval.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

FASTER = 0.5  # most links new: poll twice as often
SLOWER = 1.5  # nothing or almost nothing new: poll less often
MOSTLY_NEW = 0.5
MOSTLY_KNOWN = 0.1
DEAD_AFTER_FAILURES = 8
JITTER = 0.1  # spread sources that share an interval, so they do not all fall due at once


@dataclass(frozen=True)
class Bounds:
    """A source's configured interval and the limits the adaptive schedule keeps to."""

    interval: int
    minimum: int
    maximum: int


@dataclass(frozen=True)
class CrawlResult:
    """What the schedule needs to know about the crawl that just ended."""

    failed: bool
    new_links: int
    known_links: int


def next_interval(bounds: Bounds, current: int | None, result: CrawlResult, failures: int) -> int:
    """Seconds until the next crawl, given the last interval and this crawl's result.

    `failures` counts consecutive failed crawls including this one.
    """
    if result.failed:
        if failures >= DEAD_AFTER_FAILURES:
            return bounds.maximum
        backoff = bounds.minimum * 2 ** (failures - 1)
        return int(min(bounds.maximum, max(bounds.minimum, backoff)))
    current = current or bounds.interval
    links = result.new_links + result.known_links
    share_new = result.new_links / links if links else 0.0
    if share_new >= MOSTLY_NEW:
        current = int(current * FASTER)
    elif share_new <= MOSTLY_KNOWN:
        current = int(current * SLOWER)
    return max(bounds.minimum, min(bounds.maximum, current))


def next_crawl_at(now: datetime, interval: int, rng: random.Random | None = None) -> datetime:
    """`now` plus the interval, with a little jitter."""
    spread = (rng or random).uniform(-JITTER, JITTER) * interval
    return now + timedelta(seconds=max(1.0, interval + spread))
