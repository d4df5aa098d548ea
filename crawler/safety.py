"""SafeAddressMiddleware: requests go only to http(s) URLs on public or allowed addresses."""

from __future__ import annotations

import logging
import socket
from functools import lru_cache
from typing import Self

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import threads
from twisted.internet.error import DNSLookupError

from crawler.errors import UnsafeUrlError
from crawler.urls import blocked_address, require_http_url

LOGGER = logging.getLogger(__name__)


class BlockedUrl(IgnoreRequest):
    """A request refused before download: not http(s), or a private/loopback/link-local address."""


class SafeAddressMiddleware:
    """Refuses non-http(s) URLs, and addresses neither public nor in FAKEWATCH_ALLOW_PRIVATE."""

    def __init__(self, allowed_networks: tuple[str, ...]) -> None:
        self.allowed_networks = allowed_networks

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(tuple(crawler.settings.getlist("FAKEWATCH_ALLOW_PRIVATE")))

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        try:
            require_http_url(request.url)
        except UnsafeUrlError as exc:
            raise BlockedUrl(str(exc)) from None
        try:
            address = await maybe_deferred_to_future(
                threads.deferToThread(_cached_blocked_address, request.url, self.allowed_networks)
            )
        except socket.gaierror as exc:
            raise DNSLookupError(f"{request.url}: {exc.strerror}") from None
        if address is not None:
            raise BlockedUrl(
                f"{request.url} resolves to non-public address {address}; "
                "set allow_private = true on the source to crawl it"
            )
        return None


@lru_cache(maxsize=4096)
def _cached_blocked_address(url: str, allowed: tuple[str, ...]) -> str | None:
    return blocked_address(url, allowed)
