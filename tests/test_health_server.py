"""The daemon's /metrics and /healthz server keeps answering while other clients hang."""

from __future__ import annotations

import json
import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path

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


def test_head_answers_like_get_without_a_body(port: int) -> None:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", method="HEAD")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200 and response.read() == b""
        assert response.headers["Content-Type"].startswith("text/plain")


def test_a_missing_model_is_one_problem_with_its_fix(tmp_path: Path) -> None:
    from db.engine import make_engine
    from scheduler.deployed_models import ModelSet
    from scheduler.http import readiness
    from tests.daemons import train_small_model

    engine = make_engine(f"sqlite:///{tmp_path / 'fakewatch.db'}")
    missing = ModelSet([tmp_path / "models" / "default"])
    missing.refresh()
    report = readiness(engine, missing, no_model_hint="no trained model yet: run `fakewatch setup`")
    assert report["problems"] == ["no trained model yet: run `fakewatch setup`"]
    trained = ModelSet([train_small_model(tmp_path / "models" / "trained")])
    trained.refresh()
    (info,) = readiness(engine, trained, no_model_hint="unused")["models"]
    engine.dispose()
    assert isinstance(info["threshold"], float) and isinstance(info["shift_limit"], float)


def test_a_taken_port_is_one_line_for_the_daemon_and_the_worker(tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = tmp_path / "settings.toml"
        settings.write_text(f"[daemon]\nmetrics_port = {port}\n", encoding="utf-8")
        sources = tmp_path / "sources.toml"
        sources.write_text('[[source]]\nname = "x"\nfeeds = ["https://x.example/rss"]\n')
        env = {"PATH": "/usr/bin:/bin", "FAKEWATCH_CONFIG": str(settings),
               "FAKEWATCH_SOURCES": str(sources),
               "FAKEWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'fakewatch.db'}"}  # fmt: skip
        for command in (["run"], ["worker", "--metrics-port", str(port)]):
            result = subprocess.run(
                [sys.executable, "-m", "fakewatch", *command],
                capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
            )  # fmt: skip
            errors = [line for line in result.stderr.splitlines() if "error" in line]
            assert result.returncode == 2, result.stderr[-2000:]
            assert "Traceback" not in result.stderr
            assert len(errors) == 1 and f"127.0.0.1:{port}" in errors[0], result.stderr
