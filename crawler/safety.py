"""Requests go only to http(s) URLs on public or allowed addresses, checked twice.

`SafeAddressMiddleware` refuses a request before download when its host resolves to an
address that is neither public nor allowed (with a one-line reason). But the host is
resolved again to connect, and a hostile DNS server can answer a public address to the
first lookup and 127.0.0.1 to the second (DNS rebinding). So `SafeHostnameResolver`, the
resolver the crawl's reactor connects through, drops every address the host's crawls may
not reach: a connection only ever goes to an address that passed the check.
"""

from __future__ import annotations

import logging
import socket
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import threads
from twisted.internet.base import ReactorBase
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import (
    IAddress,
    IHostnameResolver,
    IHostResolution,
    IResolutionReceiver,
)
from zope.interface import implementer, provider

from common.addresses import address_allowed
from crawler.errors import UnsafeUrlError
from crawler.urls import DEFAULT_PORTS, blocked_address, require_http_url

LOGGER = logging.getLogger(__name__)
MAX_REMEMBERED_HOSTS = 4096  # one crawl's hosts; a crawl is short, so DNS changes are seen


# Per host name: the networks beyond public ones its crawls in this process may reach. A host
# asked for by several sources gets only what all of them allow; an unknown host, nothing.
_ALLOWED_BY_HOST: dict[str, frozenset[str]] = {}
# Per host name: an address dropped when connecting (the failure is then reported as blocked).
_BLOCKED_WHEN_CONNECTING: dict[str, str] = {}


def allow_networks_for_host(host: str, networks: tuple[str, ...]) -> None:
    """Record what a crawl allows for `host` (the middleware does, before each request)."""
    key = host.lower()
    wanted = frozenset(networks)
    current = _ALLOWED_BY_HOST.get(key)
    _ALLOWED_BY_HOST[key] = wanted if current is None else current & wanted


def blocked_when_connecting(host: str) -> str | None:
    """The non-public address `host` answered when a connection was about to be made."""
    return _BLOCKED_WHEN_CONNECTING.get(host.lower())


@provider(IResolutionReceiver)
class _CheckedReceiver:
    """Passes on only the addresses the host may be reached at."""

    def __init__(self, receiver: IResolutionReceiver, host: str) -> None:
        self.receiver: Any = receiver
        self.host = host
        self.allowed = tuple(_ALLOWED_BY_HOST.get(host.lower(), frozenset()))

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address: IAddress) -> None:
        ip = str(getattr(address, "host", ""))
        try:
            allowed = address_allowed(ip, self.allowed)
        except ValueError:
            allowed = False
        if allowed:
            self.receiver.addressResolved(address)
            return
        _BLOCKED_WHEN_CONNECTING[self.host.lower()] = ip
        LOGGER.warning(
            "%s resolved to non-public address %s when connecting (DNS rebinding?): "
            "not connecting there",
            self.host,
            ip,
        )

    def resolutionComplete(self) -> None:
        self.receiver.resolutionComplete()


@implementer(IHostnameResolver)
class SafeHostnameResolver:
    """The reactor's name resolver for crawls: the system's, minus addresses not allowed."""

    def __init__(self, reactor: ReactorBase) -> None:
        self.reactor = reactor
        # zope interfaces type their methods without `self`: Any keeps mypy from misreading.
        self.system: Any = reactor.nameResolver

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: ReactorBase) -> Self:
        return cls(reactor)

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)  # type: ignore[arg-type]  # zope, not a Protocol

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Any = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        return self.system.resolveHostName(
            _CheckedReceiver(resolutionReceiver, hostName),
            hostName,
            portNumber,
            addressTypes,
            transportSemantics,
        )


class BlockedUrl(IgnoreRequest):
    """A request refused before download: not http(s), or a private/loopback/link-local address."""


class SafeAddressMiddleware:
    """Refuses non-http(s) URLs, and addresses neither public nor in FAKEWATCH_ALLOW_PRIVATE."""

    def __init__(self, allowed_networks: tuple[str, ...], hint: str = "") -> None:
        self.allowed_networks = allowed_networks
        self.hint = hint or "set allow_private on the source to crawl it"
        self.verdicts: dict[tuple[str, int], str | None] = {}

    def _remember(self, host: tuple[str, int], address: str | None) -> None:
        if len(self.verdicts) >= MAX_REMEMBERED_HOSTS:
            self.verdicts.clear()
        self.verdicts[host] = address

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(
            tuple(crawler.settings.getlist("FAKEWATCH_ALLOW_PRIVATE")),
            crawler.settings.get("FAKEWATCH_PRIVATE_HINT", ""),
        )

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        try:
            require_http_url(request.url)
        except UnsafeUrlError as exc:
            raise BlockedUrl(str(exc)) from None
        parts = urlsplit(request.url)
        host = (parts.hostname or "", parts.port or DEFAULT_PORTS.get(parts.scheme.lower(), 80))
        allow_networks_for_host(host[0], self.allowed_networks)
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
            raise BlockedUrl(f"{request.url} resolves to non-public address {address}; {self.hint}")
        return None
