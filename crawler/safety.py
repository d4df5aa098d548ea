"""SafeAddressMiddleware: requests go only to http(s) URLs on public or allowed addresses."""

from __future__ import annotations

import logging
import socket
from typing import Self
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import threads
from twisted.internet.error import DNSLookupError

from crawler.errors import UnsafeUrlError
from crawler.urls import DEFAULT_PORTS, blocked_address, require_http_url

LOGGER = logging.getLogger(__name__)
MAX_REMEMBERED_HOSTS = 4096  # one crawl's hosts; a crawl is short, so DNS changes are seen


class BlockedUrl(IgnoreRequest):
    """A request refused before download: not http(s), or a private/loopback/link-local address."""


class SafeAddressMiddleware:
    """Refuses non-http(s) URLs, and addresses neither public nor in FAKEWATCH_ALLOW_PRIVATE."""

    def __init__(self, allowed_networks: tuple[str, ...]) -> None:
        self.allowed_networks = allowed_networks
        self.verdicts: dict[tuple[str, int], str | None] = {}

    def _remember(self, host: tuple[str, int], address: str | None) -> None:
        if len(self.verdicts) >= MAX_REMEMBERED_HOSTS:
            self.verdicts.clear()
        self.verdicts[host] = address

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(tuple(crawler.settings.getlist("FAKEWATCH_ALLOW_PRIVATE")))

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        try:
            require_http_url(request.url)
        except UnsafeUrlError as exc:
            raise BlockedUrl(str(exc)) from None
        parts = urlsplit(request.url)
        host = (parts.hostname or "", parts.port or DEFAULT_PORTS.get(parts.scheme.lower(), 80))
        try:
            address = self.verdicts.get(host)
            if host not in self.verdicts:
                # DNS lookups block: off the reactor thread, once per host and port.
                address = await maybe_deferred_to_future(
                    threads.deferToThread(blocked_address, request.url, self.allowed_networks)
                )
                self._remember(host, address)
        except socket.gaierror as exc:
            raise DNSLookupError(f"{request.url}: {exc.strerror}") from None
        if address is not None:
            raise BlockedUrl(
                f"{request.url} resolves to non-public address {address}; "
                "set allow_private = true on the source to crawl it"
            )
        return None
