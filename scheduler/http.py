"""The daemon's HTTP endpoint: `/metrics` for Prometheus, `/healthz` for liveness and readiness."""

from __future__ import annotations

import json
import logging
import socketserver
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app
from sqlalchemy import Engine

from db.engine import check_connection, check_writable
from db.errors import DatabaseError
from scheduler.deployed_models import ModelSet
from scheduler.errors import SchedulerError

LOGGER = logging.getLogger(__name__)


class _QuietHandler(WSGIRequestHandler):
    # An idle or trickling client gives up its thread after this many seconds of silence.
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:  # scrapes every 15 s: not news
        LOGGER.debug("http: " + format, *args)


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """One thread per connection: an idle socket must not block the health check or a scrape."""

    daemon_threads = True


def readiness(
    engine: Engine, models: ModelSet, *, no_model_hint: str | None = None
) -> dict[str, Any]:
    """A daemon's or worker's /healthz report: ready when the database answers and a model is
    loaded; `problems` says what to fix."""
    report: dict[str, Any] = {"alive": True, "models": models.info()}
    try:
        check_connection(engine)
        check_writable(engine)
        report["database"] = "ok"
    except DatabaseError as exc:
        report["database"] = str(exc)
    problems = [
        message for folder, message in models.problems.items() if folder not in models.missing
    ]
    if not models.loaded and no_model_hint:
        problems.append(no_model_hint)  # says what to do about the missing folders too
    else:
        problems.extend(models.problems[folder] for folder in models.missing)
    report["problems"] = problems
    report["ready"] = report["database"] == "ok" and bool(models.loaded)
    return report


def health_app(health: Callable[[], dict[str, Any]]) -> Callable[..., Iterable[bytes]]:
    """A WSGI app answering `/healthz` with the health dict: 200 when ready, else 503."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        report = health()
        status = "200 OK" if report.get("ready") else "503 Service Unavailable"
        body = json.dumps(report, indent=2, default=str).encode()
        start_response(status, [("Content-Type", "application/json"),
                                ("Content-Length", str(len(body)))])  # fmt: skip
        return [body]

    return app


def serve(
    address: str, port: int, registry: CollectorRegistry, health: Callable[[], dict[str, Any]]
) -> tuple[WSGIServer, threading.Thread]:
    """Serve both endpoints in a background thread; returns the server (for shutdown)."""
    metrics = make_wsgi_app(registry)
    healthz = health_app(health)

    def route(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "HEAD":  # the GET's status and headers, no body
            for _ in route({**environ, "REQUEST_METHOD": "GET"}, start_response):
                pass
            return [b""]
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            return healthz(environ, start_response)
        if path in ("/metrics", "/"):
            return metrics(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"fakewatch serves /metrics and /healthz\n"]

    try:
        server = make_server(
            address, port, route, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
        )
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise SchedulerError(
            f"cannot serve /metrics and /healthz on {address}:{port} ({exc.strerror or exc}): "
            "is another fakewatch daemon running (`fakewatch doctor` tells)? Stop it, or set "
            "[daemon] metrics_port / metrics_address"
        ) from None
    thread = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    thread.start()
    LOGGER.info("serving /metrics and /healthz on http://%s:%d", address, server.server_port)
    return server, thread
