"""Crawler components in-process: the retry and address-safety middlewares, failure reasons.

Each test builds one component from a real Scrapy crawler (`get_crawler`) and calls it directly,
so a failure names the module at fault instead of a whole `fakewatch crawl`.

The middlewares' hooks are coroutines. Two drivers run them:

- `finish` steps a coroutine once on the calling thread and requires it to complete without
  suspending: a retry with no delay, a refusal decided before any lookup and a cached verdict
  never wait on the reactor.
- `Reactor.run` runs a coroutine in the production reactor (`AsyncioSelectorReactor`, the one
  `crawler.run` installs), started by a module fixture in a background thread, the way Scrapy
  runs middlewares: needed where the code sleeps (`task.deferLater`) or resolves an address in
  a worker thread (`threads.deferToThread`). The reactor stops when the module's tests are done
  and stays installed in the test process; no other test runs a reactor in it (crawls run in
  child processes).

No test reaches the network: URLs hold IP literals only, which resolve without a DNS query.
"""

from __future__ import annotations

import email.utils
import ipaddress
import queue
import re
import threading
from collections.abc import Callable, Coroutine, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.reactor import install_reactor, verify_installed_reactor
from scrapy.utils.test import get_crawler
from twisted.internet import error as net_error
from twisted.internet.defer import CancelledError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawler.failures import failure_reason
from crawler.retry import BackoffRetryMiddleware, retry_after_seconds
from crawler.safety import BlockedUrl, SafeAddressMiddleware
from crawler.scrapy_settings import REACTOR, RETRY_HTTP_CODES

T = TypeVar("T")
PUBLIC_IP = "93.184.216.34"  # an IP literal: checked without a lookup, never connected to
PAGE = "http://192.0.2.10/news/1"  # TEST-NET-1: the retry middleware never downloads it


def kind(value: object) -> str:
    """A parameter's test id: its class name."""
    return type(value).__name__


def finish(coroutine: Coroutine[Any, Any, T]) -> T:
    """The coroutine's result; it must complete without waiting on a reactor or a loop."""
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return stop.value
    coroutine.close()
    raise AssertionError("the coroutine suspended: it waits on the reactor")


class Reactor:
    """Runs coroutines in the reactor thread and waits for their outcome."""

    def __init__(self, reactor: Any) -> None:
        self.reactor = reactor

    def run(self, make: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Start `make()` in the reactor thread; its result, or its exception raised here."""
        outcome: queue.Queue[T | Failure] = queue.Queue()

        def start() -> None:
            deferred_from_coro(make()).addBoth(outcome.put)

        self.reactor.callFromThread(start)
        result = outcome.get(timeout=30)  # a guard against a hang, not a timing check
        if isinstance(result, Failure):
            result.raiseException()
        return result


@pytest.fixture(scope="module", autouse=True)
def reactor() -> Iterator[Reactor]:
    """The production reactor, running in a background thread for all of this module's tests.

    Autouse, so that every test, alone or not, builds its crawler with the same reactor
    installed, and a coroutine that wrongly sleeps under `finish` cannot install Twisted's
    default reactor by importing it.
    """
    install_reactor(REACTOR)
    verify_installed_reactor(REACTOR)  # fails plainly if another reactor was installed first
    from twisted.internet import reactor as module

    installed: Any = module  # the module object is the reactor instance
    thread = threading.Thread(
        target=installed.run,
        kwargs={"installSignalHandlers": False},
        name="components-reactor",
        daemon=True,
    )
    thread.start()
    yield Reactor(installed)
    installed.callFromThread(installed.stop)
    thread.join(timeout=30)
    assert not thread.is_alive(), "the reactor did not stop"


# --- crawler/retry.py -----------------------------------------------------------------------


def retry_middleware(**settings: Any) -> BackoffRetryMiddleware:
    """The middleware as a crawl builds it: two retries, no backoff unless a test asks."""
    crawler = get_crawler(
        settings_dict={
            "RETRY_TIMES": 2,
            "RETRY_HTTP_CODES": RETRY_HTTP_CODES,
            "FAKEWATCH_RETRY_BASE_DELAY": 0,
            "FAKEWATCH_MAX_RETRY_AFTER": 120,
            **settings,
        }
    )
    crawler.spider = Spider.from_crawler(crawler, name="components")
    return BackoffRetryMiddleware.from_crawler(crawler)


def answer(request: Request, status: int, **headers: str) -> Response:
    return Response(request.url, status=status, headers=headers, request=request)


def retry_count(middleware: BackoffRetryMiddleware) -> int:
    assert middleware.crawler.stats is not None
    return int(middleware.crawler.stats.get_value("retry/count", 0))


@pytest.mark.parametrize("status", [200, 304, 404])
def test_status_not_retried_passes_through(status: int) -> None:
    middleware = retry_middleware()
    request = Request(PAGE)
    response = answer(request, status)
    assert finish(middleware.process_response(request, response)) is response
    assert retry_count(middleware) == 0


def test_503_retry_after_zero_retries() -> None:
    middleware = retry_middleware(FAKEWATCH_RETRY_BASE_DELAY=30)  # Retry-After wins over backoff
    request = Request(PAGE, meta={"source": "fixture"})
    retry = finish(
        middleware.process_response(request, answer(request, 503, **{"Retry-After": "0"}))
    )
    assert isinstance(retry, Request)
    assert retry.url == PAGE and retry is not request
    assert retry.meta["retry_times"] == 1 and retry.meta["source"] == "fixture"
    assert retry.dont_filter
    assert retry_count(middleware) == 1


def test_500_without_retry_after_backs_off() -> None:
    middleware = retry_middleware()
    request = Request(PAGE, meta={"retry_times": 1})
    retry = finish(middleware.process_response(request, answer(request, 500)))
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 2


def test_backoff_doubles_per_retry() -> None:
    middleware = retry_middleware(FAKEWATCH_RETRY_BASE_DELAY=0.5)
    delays = [middleware._backoff(Request(PAGE, meta={"retry_times": n})) for n in range(4)]
    assert delays == [0.5, 1.0, 2.0, 4.0]


def test_backoff_sleeps_on_the_reactor(reactor: Reactor) -> None:
    middleware = retry_middleware(FAKEWATCH_RETRY_BASE_DELAY=0.001)
    request = Request(PAGE)
    after_502 = reactor.run(lambda: middleware.process_response(request, answer(request, 502)))
    assert isinstance(after_502, Request) and after_502.meta["retry_times"] == 1
    timeout = DownloadTimeoutError("took too long")
    after_timeout = reactor.run(lambda: middleware.process_exception(request, timeout))
    assert isinstance(after_timeout, Request) and after_timeout.meta["retry_times"] == 1


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_too_long_gives_up(status: int) -> None:
    middleware = retry_middleware(FAKEWATCH_MAX_RETRY_AFTER=60)
    request = Request(PAGE)
    response = answer(request, status, **{"Retry-After": "3600"})
    assert finish(middleware.process_response(request, response)) is response
    tomorrow = email.utils.format_datetime(datetime.now(UTC) + timedelta(days=1), usegmt=True)
    response = answer(request, status, **{"Retry-After": tomorrow})
    assert finish(middleware.process_response(request, response)) is response
    assert retry_count(middleware) == 0


def test_dont_retry_meta() -> None:
    middleware = retry_middleware()
    request = Request(PAGE, meta={"dont_retry": True})
    response = answer(request, 503, **{"Retry-After": "0"})
    assert finish(middleware.process_response(request, response)) is response
    assert finish(middleware.process_exception(request, DownloadTimeoutError())) is None
    assert retry_count(middleware) == 0


@pytest.mark.parametrize(
    "exception",
    [
        DownloadTimeoutError("took too long"),
        CannotResolveHostError("no such host"),
        DownloadConnectionRefusedError("refused"),
        ResponseDataLossError(),
        net_error.ConnectionRefusedError(),
        net_error.ConnectionLost(),
    ],
    ids=kind,
)
def test_transient_exception_retries(exception: Exception) -> None:
    middleware = retry_middleware()
    assert isinstance(exception, middleware.exceptions_to_retry)
    request = Request(PAGE)
    retry = finish(middleware.process_exception(request, exception))
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 1


@pytest.mark.parametrize(
    "exception",
    [IgnoreRequest("Forbidden by robots.txt"), BlockedUrl("private"), ValueError("bad page")],
    ids=kind,
)
def test_other_exception_not_retried(exception: Exception) -> None:
    middleware = retry_middleware()
    assert finish(middleware.process_exception(Request(PAGE), exception)) is None
    assert retry_count(middleware) == 0


def test_retries_stop_after_retry_times() -> None:
    middleware = retry_middleware(RETRY_TIMES=2)
    request = Request(PAGE)
    for attempt in (1, 2):
        retry = finish(middleware.process_response(request, answer(request, 503)))
        assert isinstance(retry, Request) and retry.meta["retry_times"] == attempt
        request = retry
    last = answer(request, 503)
    assert finish(middleware.process_response(request, last)) is last
    assert finish(middleware.process_exception(request, DownloadTimeoutError())) is None
    assert retry_count(middleware) == 2


@pytest.mark.parametrize(("header", "seconds"), [("120", 120.0), (" 7 ", 7.0), ("0", 0.0)])
def test_retry_after_delta_seconds(header: str, seconds: float) -> None:
    response = Response(PAGE, status=503, headers={"Retry-After": header})
    assert retry_after_seconds(response) == seconds


def test_retry_after_http_date() -> None:
    past = Response(PAGE, status=503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert retry_after_seconds(past) == 0.0
    in_an_hour = email.utils.format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    future = Response(PAGE, status=503, headers={"Retry-After": in_an_hour})
    seconds = retry_after_seconds(future)
    assert seconds is not None and 3000 < seconds <= 3600


@pytest.mark.parametrize("header", ["soon", "-5", "1.5", "Wed, 99 Foo 2015", ""])
def test_retry_after_garbage_is_none(header: str) -> None:
    response = Response(PAGE, status=503, headers={"Retry-After": header})
    assert retry_after_seconds(response) is None


def test_retry_after_missing_is_none() -> None:
    assert retry_after_seconds(Response(PAGE, status=503)) is None


def test_retry_after_superscript_digit_is_none() -> None:
    response = Response(PAGE, status=503, headers={"Retry-After": b"\xb2"})
    assert retry_after_seconds(response) is None


# --- crawler/safety.py ----------------------------------------------------------------------


def refused(address: str) -> str:
    """The pattern of BlockedUrl's message for a non-public address."""
    return f"non-public address {re.escape(address)};"


def safety_middleware(*allowed: str) -> SafeAddressMiddleware:
    crawler = get_crawler(settings_dict={"FAKEWATCH_ALLOW_PRIVATE": list(allowed)})
    return SafeAddressMiddleware.from_crawler(crawler)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("file:///etc/passwd", r"not an http\(s\) URL"),
        ("ftp://93.184.216.34/pub/", r"not an http\(s\) URL"),
        ("gopher://127.0.0.1:70/", r"not an http\(s\) URL"),
        ("data:text/html,<p>hi</p>", r"not an http\(s\) URL"),
        ("http:///no-host", "no host name"),
    ],
)
def test_non_http_url_refused(url: str, why: str) -> None:
    middleware = safety_middleware("0.0.0.0/0")  # even with everything allowed
    with pytest.raises(BlockedUrl, match=why):
        finish(middleware.process_request(Request(url)))  # refused before any lookup
    assert middleware.verdicts == {}


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://127.0.0.1:8080/", "127.0.0.1"),
        ("https://10.1.2.3/", "10.1.2.3"),
        ("http://172.16.5.4/", "172.16.5.4"),
        ("http://192.168.0.1/admin", "192.168.0.1"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://0.0.0.0/", "0.0.0.0"),
        ("http://[::1]:8080/", "::1"),
        ("http://[fe80::1]/", "fe80::1"),
        ("http://[fd00::5]/", "fd00::5"),
        ("http://[::ffff:127.0.0.1]/", str(ipaddress.ip_address("::ffff:127.0.0.1"))),
        ("http://2130706433/", "127.0.0.1"),  # 127.0.0.1 as one number: parsed, not looked up
    ],
)
def test_private_address_refused(reactor: Reactor, url: str, address: str) -> None:
    middleware = safety_middleware()
    with pytest.raises(BlockedUrl, match=refused(address)):
        reactor.run(lambda: middleware.process_request(Request(url)))


def test_allowed_private_network_accepted(reactor: Reactor) -> None:
    middleware = safety_middleware("127.0.0.1/32", "10.0.0.0/8")
    for url in ("http://127.0.0.1:8080/feed.xml", "https://10.200.3.4/", "http://10.0.0.1:81/"):
        assert reactor.run(partial(middleware.process_request, Request(url))) is None
    with pytest.raises(BlockedUrl, match=refused("127.0.0.2")):
        reactor.run(lambda: middleware.process_request(Request("http://127.0.0.2:8080/")))
    with pytest.raises(BlockedUrl, match=refused("192.168.1.1")):
        reactor.run(lambda: middleware.process_request(Request("http://192.168.1.1/")))


@pytest.mark.parametrize(
    "url", [f"http://{PUBLIC_IP}/", f"https://{PUBLIC_IP}:8443/a", "http://[2606:4700::1111]/"]
)
def test_public_address_accepted(reactor: Reactor, url: str) -> None:
    middleware = safety_middleware()
    assert reactor.run(lambda: middleware.process_request(Request(url))) is None


def test_verdicts_cached_per_host_and_port(reactor: Reactor) -> None:
    middleware = safety_middleware("10.0.0.0/8")
    assert reactor.run(lambda: middleware.process_request(Request("http://10.1.1.1/a"))) is None
    assert reactor.run(lambda: middleware.process_request(Request(f"https://{PUBLIC_IP}/"))) is None
    with pytest.raises(BlockedUrl):
        reactor.run(lambda: middleware.process_request(Request("http://127.0.0.1/")))
    assert middleware.verdicts == {
        ("10.1.1.1", 80): None,
        (PUBLIC_IP, 443): None,
        ("127.0.0.1", 80): "127.0.0.1",
    }

    middleware.allowed_networks = ()  # a cached verdict stands for the rest of the crawl
    assert finish(middleware.process_request(Request("http://10.1.1.1:80/b?page=2"))) is None
    with pytest.raises(BlockedUrl, match=refused("127.0.0.1")):
        finish(middleware.process_request(Request("http://127.0.0.1/other")))
    with pytest.raises(BlockedUrl, match=refused("10.1.1.1")):  # another port: checked afresh
        reactor.run(lambda: middleware.process_request(Request("http://10.1.1.1:8080/")))
    assert middleware.verdicts[("10.1.1.1", 8080)] == "10.1.1.1"


# --- crawler/failures.py --------------------------------------------------------------------


def reason(exc: BaseException) -> tuple[str, str]:
    return failure_reason(Failure(exc))


@pytest.mark.parametrize("status", [404, 500])
def test_http_error(status: int) -> None:
    response = HtmlResponse(PAGE, status=status, body=b"<html></html>", request=Request(PAGE))
    error = HttpError(response, "Ignoring non-200 response")
    assert reason(error) == (f"http_{status}", f"the server answered HTTP {status}")


def test_blocked_url() -> None:
    message = "http://10.0.0.1/ resolves to non-public address 10.0.0.1"
    assert reason(BlockedUrl(message)) == ("blocked_url", message)


def test_ignored_requests() -> None:
    assert reason(IgnoreRequest("Forbidden by robots.txt")) == (
        "robots",
        "disallowed by the site's robots.txt",
    )
    assert reason(IgnoreRequest("max redirections reached")) == (
        "redirect_loop",
        "too many redirects (a loop or a long chain)",
    )
    offsite = "Filtered offsite request to 'elsewhere.example'"
    assert reason(IgnoreRequest(offsite)) == ("ignored", offsite)
    assert reason(IgnoreRequest()) == ("ignored", "request dropped")


@pytest.mark.parametrize(
    "exc", [CannotResolveHostError("nope.invalid"), net_error.DNSLookupError("nope")], ids=kind
)
def test_dns_error(exc: Exception) -> None:
    assert reason(exc) == ("dns", "the host name does not resolve")


@pytest.mark.parametrize(
    "exc",
    [DownloadTimeoutError("took 2 s"), net_error.TimeoutError(), net_error.TCPTimedOutError()],
    ids=kind,
)
def test_timeout(exc: Exception) -> None:
    assert reason(exc) == ("timeout", "no answer within the download timeout")


@pytest.mark.parametrize(
    "exc", [DownloadCancelledError("size 3000000 larger than 1000000"), CancelledError()], ids=kind
)
def test_cancelled(exc: Exception) -> None:
    assert reason(exc) == ("too_large", "the page is larger than the download size limit")


@pytest.mark.parametrize(
    "exc", [DownloadConnectionRefusedError("refused"), net_error.ConnectionRefusedError()], ids=kind
)
def test_connection_refused(exc: Exception) -> None:
    assert reason(exc) == ("connection", "connection refused")


@pytest.mark.parametrize(
    ("exc", "name"),
    [
        (DownloadFailedError("reset"), "DownloadFailedError"),
        (net_error.ConnectError(), "ConnectError"),
    ],
)
def test_cannot_connect(exc: Exception, name: str) -> None:
    assert reason(exc) == ("connection", f"cannot connect ({name})")


@pytest.mark.parametrize(
    "exc",
    [
        ResponseDataLossError(),
        ResponseFailed([Failure(net_error.ConnectionLost())]),
        ResponseNeverReceived([Failure(net_error.ConnectionDone())]),
        net_error.ConnectionLost(),
    ],
    ids=kind,
)
def test_data_loss(exc: Exception) -> None:
    assert reason(exc) == ("connection", "the connection broke before the page was complete")


def test_unknown_exception_cut_to_300() -> None:
    code, message = reason(RuntimeError("x" * 1000))
    assert code == "download_error"
    assert message == ("RuntimeError: " + "x" * 1000)[:300]
    assert len(message) == 300
    assert reason(KeyError("etag")) == ("download_error", "KeyError: 'etag'")
