"""The daemon's /metrics and /healthz server keeps answering while other clients hang."""

from __future__ import annotations

import json
import socket
import urllib.request
from collections.abc import Iterator

import pytest
from prometheus_client import CollectorRegistry, Counter

from scheduler.http import serve


@pytest.fixture
def port() -> Iterator[int]:
    registry = CollectorRegistry()
    Counter("fakewatch_test_total", "A counter", registry=registry).inc()
    server, _ = serve("127.0.0.1", 0, registry, lambda: {"alive": True, "ready": True})
    try:
        yield int(server.server_port)
    finally:
        server.shutdown()
        server.server_close()


def get(port: int, path: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
        return response.status, response.read()


def test_idle_and_half_sent_connections_do_not_block_health_or_metrics(port: int) -> None:
    idle = socket.create_connection(("127.0.0.1", port))  # connects, says nothing
    trickle = socket.create_connection(("127.0.0.1", port))
    trickle.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # never finishes its headers
    try:
        status, body = get(port, "/healthz")
        assert status == 200 and json.loads(body)["ready"] is True
        status, body = get(port, "/metrics")
        assert status == 200 and b"fakewatch_test_total 1.0" in body
    finally:
        idle.close()
        trickle.close()
