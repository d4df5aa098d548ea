"""Scrapy settings for one source's crawl, built from fakewatch's crawl options."""

from __future__ import annotations

from typing import Any

from crawler.settings import CrawlSettings
from crawler.sources import Source

REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]


def scrapy_settings(options: CrawlSettings, source: Source) -> dict[str, Any]:
    """Polite defaults: robots.txt, an honest User-Agent, throttling, size and time limits."""
    return {
        "BOT_NAME": "fakewatch",
        "USER_AGENT": options.user_agent,
        "ROBOTSTXT_OBEY": options.obey_robots,
        "CONCURRENT_REQUESTS": options.concurrent_requests,
        "CONCURRENT_REQUESTS_PER_DOMAIN": options.concurrent_per_domain,
        # Scrapy starts this many asyncio tasks for every callback's output; our one pipeline
        # is synchronous, so more than one buys nothing and cost about 1 ms of CPU a page.
        "CONCURRENT_ITEMS": 1,
        # Scrapy re-reads and parses a callback's source to warn about `return value` in
        # generators, again whenever its weak cache drops the bound method: ~0.2 ms a page.
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
        "DOWNLOAD_DELAY": options.download_delay,
        "AUTOTHROTTLE_ENABLED": options.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(options.download_delay, 0.1),
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": options.autothrottle_target_concurrency,
        "DOWNLOAD_TIMEOUT": options.download_timeout,
        "CLOSESPIDER_TIMEOUT": options.max_crawl_seconds,
        "DNS_TIMEOUT": min(options.download_timeout, 20),
        "DOWNLOAD_MAXSIZE": options.max_page_bytes,
        "DOWNLOAD_WARNSIZE": options.max_page_bytes // 2,
        "REDIRECT_MAX_TIMES": options.max_redirects,
        "METAREFRESH_MAXDELAY": 0,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": options.retry_times,
        "RETRY_HTTP_CODES": RETRY_HTTP_CODES,
        "FAKEWATCH_RETRY_BASE_DELAY": options.retry_base_delay,
        "FAKEWATCH_MAX_RETRY_AFTER": options.max_retry_after,
        "FAKEWATCH_ALLOW_PRIVATE": list(source.allow_private),
        # What to do about a refused private address: an ad-hoc URL (`fakewatch crawl URL`)
        # has no source table to edit.
        "FAKEWATCH_PRIVATE_HINT": (
            "add --allow-private CIDR to crawl it"
            if source.start_urls
            else f"set allow_private (CIDRs, or true) on source {source.name!r} to crawl it"
        ),
        "FAKEWATCH_EXTRACTOR": options.extractor,
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.safety.SafeAddressMiddleware": 50,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawler.retry.BackoffRetryMiddleware": 550,
        },
        "ITEM_PIPELINES": {"crawler.pipeline.StoragePipeline": 300},
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        # An authenticated code-execution endpoint on 127.0.0.1 whose token sits in a file any
        # process of the user can read: a crawler has no use for it.
        "REMOTE_CONTROL_ENABLED": False,
        "HTTPCACHE_ENABLED": False,
        "LOG_ENABLED": False,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "TWISTED_REACTOR": REACTOR,
    }
