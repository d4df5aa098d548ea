"""BackoffRetryMiddleware: retries with exponential backoff, honouring Retry-After on 429/503."""

from __future__ import annotations

import email.utils
import logging
import time
from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message

LOGGER = logging.getLogger(__name__)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry policy, but each retry waits: Retry-After when given, else base * 2**n."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        self.base_delay = crawler.settings.getfloat("FAKEWATCH_RETRY_BASE_DELAY", 1.0)
        self.max_retry_after = crawler.settings.getfloat("FAKEWATCH_MAX_RETRY_AFTER", 120.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: object = None
    ) -> Request | Response:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        delay = retry_after_seconds(response)
        if delay is not None and delay > self.max_retry_after:
            LOGGER.info("not retrying %s: Retry-After %.0fs is too long", request.url, delay)
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await self._sleep(delay if delay is not None else self._backoff(request))
        return retry

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: object = None
    ) -> Request | Response | None:
        if request.meta.get("dont_retry") or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await self._sleep(self._backoff(request))
        return retry

    def _backoff(self, request: Request) -> float:
        return float(self.base_delay * 2 ** request.meta.get("retry_times", 0))

    async def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            from twisted.internet import reactor, task  # the running reactor, never installed here

            await maybe_deferred_to_future(task.deferLater(reactor, seconds, lambda: None))


def retry_after_seconds(response: Response) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), if present."""
    value = response.headers.get(b"Retry-After")
    if not value:
        return None
    text = value.decode("latin-1").strip()
    # ASCII only: isdigit() also takes "²" (Latin-1 0xB2), which float() refuses.
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
