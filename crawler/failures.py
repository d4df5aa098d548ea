"""Why a request failed, as a short stable reason code and a one-line message."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net_error
from twisted.internet.defer import CancelledError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawler.safety import BlockedUrl, blocked_when_connecting
from crawler.urls import host_of

try:  # Scrapy 2.14+ wraps Twisted's errors in its own
    from scrapy.exceptions import (
        CannotResolveHostError,
        DownloadCancelledError,
        DownloadConnectionRefusedError,
        DownloadFailedError,
        DownloadTimeoutError,
        ResponseDataLossError,
    )
except ImportError:
    CannotResolveHostError = net_error.DNSLookupError  # type: ignore[assignment,misc]
    DownloadCancelledError = CancelledError  # type: ignore[assignment,misc]
    DownloadConnectionRefusedError = net_error.ConnectionRefusedError  # type: ignore[assignment,misc]
    DownloadFailedError = net_error.ConnectError  # type: ignore[assignment,misc]
    DownloadTimeoutError = net_error.TimeoutError  # type: ignore[assignment,misc]
    ResponseDataLossError = ResponseFailed  # type: ignore[assignment,misc]


def failure_reason(failure: Failure) -> tuple[str, str]:
    """(reason code, message) for a failed request, e.g. ('http_404', '... returned 404')."""
    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        return f"http_{status}", f"the server answered HTTP {status}"
    if isinstance(exc, BlockedUrl):
        return "blocked_url", str(exc)
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "DOWNLOAD_MAXSIZE" in text:  # a compressed body that grows past the limit
            return "too_large", "the page decompresses beyond the download size limit"
        if "robots.txt" in text:
            return "robots", "disallowed by the site's robots.txt"
        if "redirections" in text:
            return "redirect_loop", "too many redirects (a loop or a long chain)"
        return "ignored", text or "request dropped"
    if isinstance(exc, CannotResolveHostError | net_error.DNSLookupError):
        url = str(getattr(getattr(failure, "request", None), "url", ""))
        address = blocked_when_connecting(host_of(url)) if url else None
        if address is not None:
            return "blocked_url", (
                f"{url} resolved to non-public address {address} when connecting "
                "(DNS rebinding?); not fetched"
            )
        return "dns", "the host name does not resolve"
    if isinstance(exc, DownloadTimeoutError | net_error.TimeoutError | net_error.TCPTimedOutError):
        return "timeout", "no answer within the download timeout"
    if isinstance(exc, DownloadCancelledError | CancelledError):
        return "too_large", "the page is larger than the download size limit"
    if isinstance(exc, DownloadConnectionRefusedError | net_error.ConnectionRefusedError):
        return "connection", "connection refused"
    if isinstance(exc, DownloadFailedError | net_error.ConnectError):
        return "connection", f"cannot connect ({exc.__class__.__name__})"
    if isinstance(exc, ResponseDataLossError | ResponseFailed | ResponseNeverReceived):
        return "connection", "the connection broke before the page was complete"
    if isinstance(exc, net_error.ConnectionLost):
        return "connection", "the connection broke before the page was complete"
    return "download_error", f"{exc.__class__.__name__}: {exc}"[:300]
