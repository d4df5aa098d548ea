"""Crawl options: politeness, limits and the extractor, as one small value object.

Each field's `metadata` gives the range (or the choices) a settings file may set it to;
`fakewatch.settings` checks them at load, so a value outside them is one line, not a crawl
that quietly misbehaves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The extractors `articles.extraction` knows (listed here, where settings are checked, so
# loading settings does not import trafilatura); a test keeps the two lists equal.
EXTRACTORS = ("fakewatch", "trafilatura", "newspaper")


def bounded(default: float, low: float, high: float) -> float:
    """A numeric field whose value must lie in [low, high]."""
    value: float = field(default=default, metadata={"range": (low, high)})
    return value


@dataclass(frozen=True)
class CrawlSettings:
    """How politely and how far the crawler goes; the defaults suit public news sites."""

    user_agent: str = (
        "fakewatch/0.1 (+https://github.com/fakewatch/fakewatch; news research crawler)"
    )
    obey_robots: bool = True
    concurrent_requests: int = bounded(16, 1, 256)  # type: ignore[assignment]
    concurrent_per_domain: int = bounded(2, 1, 64)  # type: ignore[assignment]
    download_delay: float = bounded(1.0, 0.0, 3600.0)
    autothrottle: bool = True
    autothrottle_target_concurrency: float = bounded(1.0, 0.1, 64.0)
    download_timeout: float = bounded(30.0, 0.1, 3600.0)
    # 0 would turn every size limit off, the decompression-bomb guard included.
    max_page_bytes: int = bounded(5 * 1024 * 1024, 1024, 1024**3)  # type: ignore[assignment]
    retry_times: int = bounded(2, 0, 20)  # type: ignore[assignment]
    retry_base_delay: float = bounded(2.0, 0.0, 3600.0)
    max_retry_after: float = bounded(120.0, 0.0, 86400.0)
    max_redirects: int = bounded(5, 0, 50)  # type: ignore[assignment]
    max_articles: int = bounded(200, 1, 1_000_000)  # type: ignore[assignment]
    # One source's share of a crawl batch: past it, that source's crawl stops (what it listed
    # and did not fetch is owed to its next crawl) and the others go on.
    max_crawl_seconds: float = bounded(900.0, 5.0, 86400.0)
    # How often `fakewatch crawl` says how far it has got (on stderr).
    progress_seconds: float = bounded(10.0, 0.5, 3600.0)
    extractor: str = field(default="fakewatch", metadata={"choices": EXTRACTORS})
