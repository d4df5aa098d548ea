"""One web page, fetched for `fakewatch classify URL` under the crawler's safety rules.

- only http(s), on every redirect hop too (at most MAX_REDIRECTS);
- only public addresses, or networks the user allows (`--allow-private CIDR`), by the same
  rules as a crawl (`common.addresses`); the connection goes to the very address that was
  checked, so a DNS answer that changes between check and connect (rebinding) cannot
  redirect it;
- one deadline for the whole fetch, not per read: a server that trickles a byte at a time
  is cut off when the time is up;
- at most `max_bytes` of body.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
import urllib.parse

from classifier.errors import ClassifierError
from common.addresses import address_allowed, resolve_addresses

MAX_PAGE_BYTES = 10 * 1024 * 1024
DEADLINE_SECONDS = 30.0
MAX_REDIRECTS = 5
USER_AGENT = "fakewatch classify (+https://github.com/fakewatch)"
REDIRECTS = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to a checked address, whatever the host name resolves to by then."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to a checked address, with the host name for SNI and certificate checks."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def fetch_page(
    url: str,
    *,
    allowed: tuple[str, ...] = (),
    deadline_seconds: float = DEADLINE_SECONDS,
    max_bytes: int = MAX_PAGE_BYTES,
) -> bytes:
    """The body of `url` after redirects; ClassifierError, one line, on any refusal or failure."""
    deadline = time.monotonic() + deadline_seconds
    for _ in range(MAX_REDIRECTS + 1):
        connection = _connect(url, allowed, deadline)
        try:
            parts = urllib.parse.urlsplit(url)
            target = parts.path or "/"
            if parts.query:
                target += "?" + parts.query
            connection.request(
                "GET", target, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
            )
            response = connection.getresponse()
            location = response.getheader("Location")
            if response.status in REDIRECTS and location:
                url = urllib.parse.urljoin(url, location)
                continue
            if response.status >= 400:
                raise ClassifierError(
                    f"fetching {url} failed: HTTP {response.status} {response.reason}"
                )
            body = _read_body(response, connection, url, deadline, max_bytes)
            if body is None:
                raise _too_slow(url, deadline_seconds)
            return body
        except (OSError, http.client.HTTPException) as exc:
            if time.monotonic() >= deadline:
                raise _too_slow(url, deadline_seconds) from None
            raise ClassifierError(f"cannot fetch {url} ({exc or type(exc).__name__})") from None
        finally:
            connection.close()
    raise ClassifierError(f"{url}: more than {MAX_REDIRECTS} redirects; give the final URL")


def _connect(url: str, allowed: tuple[str, ...], deadline: float) -> http.client.HTTPConnection:
    """A connection to the first address of `url`'s host, once every address is allowed."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise ClassifierError(f"{url!r} is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ClassifierError(f"{url}: only http:// and https:// URLs can be classified")
    try:
        addresses = resolve_addresses(parts.hostname, port)
    except OSError as exc:
        raise ClassifierError(f"cannot fetch {url}: the host does not resolve ({exc})") from None
    refused = [a for a in addresses if not address_allowed(a, allowed)]
    if refused or not addresses:
        raise ClassifierError(
            f"{url} resolves to non-public address {refused[0] if refused else '(none)'}; "
            "add --allow-private CIDR to classify pages on your own network"
        )
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    remaining = max(0.1, deadline - time.monotonic())
    return connection_class(parts.hostname, port, addresses[0], remaining)


def _read_body(
    response: http.client.HTTPResponse,
    connection: http.client.HTTPConnection,
    url: str,
    deadline: float,
    max_bytes: int,
) -> bytes | None:
    """The body, or None when the deadline passes first."""
    chunks: list[bytes] = []
    size = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        if connection.sock is not None:
            connection.sock.settimeout(remaining)
        chunk = response.read1(CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise ClassifierError(f"{url} is larger than {max_bytes // 2**20} MiB: not an article")
        chunks.append(chunk)


def _too_slow(url: str, seconds: float) -> ClassifierError:
    return ClassifierError(
        f"{url} did not arrive within {seconds:g} s: the server is too slow or stalled "
        "(--timeout SECONDS allows more)"
    )
