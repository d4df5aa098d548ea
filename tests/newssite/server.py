"""The HTTP server of the fixture site: a ThreadingHTTPServer on 127.0.0.1 in a daemon thread."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.newssite.responses import Response
from tests.newssite.routes import respond
from tests.newssite.site import NewsSite

_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


class NewsSiteServer(ThreadingHTTPServer):
    """Serves one `NewsSite`; never waits for in-flight requests when it closes."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128
    site: NewsSite

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up mid-response are normal here (timeouts, size limits)."""


class NewsSiteHandler(BaseHTTPRequestHandler):
    """Records each request on the site, then sends what `routes.respond` says."""

    protocol_version = "HTTP/1.1"
    server_version = "FixtureNews/1.0"
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    timeout = 30
    server: NewsSiteServer

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(min(length, 1 << 20))
        self._serve(send_body=True)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read `site.requests` instead."""

    def _serve(self, send_body: bool) -> None:
        site = self.server.site
        site.record(self.command, self.path, self.headers.items())
        response = respond(site, self.command, self.path, self.headers)
        try:
            if response.reset:
                self._reset()
                return
            if response.delay and site.stopping.wait(response.delay):
                self.close_connection = True
                return
            self._send(response, send_body)
        except _GONE:
            self.close_connection = True

    def _send(self, response: Response, send_body: bool) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        chunked = response.stream is not None and response.length is None
        if response.status in (204, 304):
            pass
        elif chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            length = response.length if response.stream else len(response.body)
            self.send_header("Content-Length", str(length))
        self.end_headers()
        if not send_body or response.status in (204, 304):
            return
        if response.stream is None:
            self.wfile.write(response.body)
            return
        for chunk in response.stream():
            if self.server.site.stopping.is_set():
                self.close_connection = True
                return
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _reset(self) -> None:
        """Drop the connection with a TCP RST instead of answering."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True


@contextmanager
def serve_news_site(
    articles: int = 30,
    seed: int = 1,
    *,
    slow_seconds: float = 5.0,
    huge_bytes: int = 3_000_000,
    port: int = 0,
) -> Iterator[NewsSite]:
    """Serve a fixture news site on 127.0.0.1 (`port` 0: a free one) until the block exits."""
    server = NewsSiteServer(("127.0.0.1", port), NewsSiteHandler)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        server.site = NewsSite(
            url, articles=articles, seed=seed, slow_seconds=slow_seconds, huge_bytes=huge_bytes
        )
    except BaseException:
        server.server_close()
        raise
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True, name="newssite"
    )
    thread.start()
    try:
        yield server.site
    finally:
        server.site.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
