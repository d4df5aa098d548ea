"""Crawl options: politeness, limits and the extractor, as one small value object."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CrawlSettings:
    """How politely and how far the crawler goes; the defaults suit public news sites."""

    user_agent: str = (
        "fakewatch/0.1 (+https://github.com/fakewatch/fakewatch; news research crawler)"
    )
    obey_robots: bool = True
    concurrent_requests: int = 16
    concurrent_per_domain: int = 2
    download_delay: float = 1.0
    autothrottle: bool = True
    autothrottle_target_concurrency: float = 1.0
    download_timeout: float = 30.0
    max_page_bytes: int = 5 * 1024 * 1024
    retry_times: int = 2
    retry_base_delay: float = 2.0
    max_retry_after: float = 120.0
    max_redirects: int = 5
    max_articles: int = 200
    extractor: str = "fakewatch"
