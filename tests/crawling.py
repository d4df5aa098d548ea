"""Helpers for crawl tests: a sources file and settings for a fixture site, and a CLI runner."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TEST_CRAWL_SETTINGS = """
[crawl]
download_delay = 0.0
autothrottle = false
download_timeout = 2.0
retry_times = 2
retry_base_delay = 0.1
max_retry_after = 5
max_page_bytes = 1000000
concurrent_per_domain = 8
max_redirects = 4
"""


class PageHandler(http.server.BaseHTTPRequestHandler):
    """Serves `server.pages` (path -> HTML or RSS text), which a test may change between crawls."""

    server: PageServer

    def do_GET(self) -> None:
        page = self.server.pages.get(self.path)
        if page is None:
            self.send_error(404)
            return
        body = page.encode("utf-8")
        kind = "application/rss+xml" if self.path.endswith(".xml") else "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


class PageServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    pages: dict[str, str]


@contextmanager
def serve_pages(pages: dict[str, str]) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 serving `pages` (changes show at once); its base URL."""
    server = PageServer(("127.0.0.1", 0), PageHandler)
    server.pages = pages
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    def summary(self) -> list[dict[str, Any]]:
        """The `--json` summary printed by `fakewatch crawl`."""
        return list(json.loads(self.stdout))


def write_sources(folder: Path, sources: list[dict[str, Any]]) -> Path:
    """A sources file with the given tables (values rendered as TOML)."""
    lines = []
    for table in sources:
        lines.append("[[source]]")
        lines.extend(f"{key} = {_toml(value)}" for key, value in table.items())
        lines.append("")
    path = folder / "sources.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def fakewatch(
    *args: str,
    database_url: str,
    folder: Path,
    sources: Path | None = None,
    timeout: float = 120,
    launcher: Path | None = None,
) -> CliResult:
    """Run the real `fakewatch` command line in a child process (one reactor per crawl);
    `launcher`, a script that sets up the child's world and then runs the command line."""
    settings = folder / "settings.toml"
    if not settings.exists():
        settings.write_text(TEST_CRAWL_SETTINGS, encoding="utf-8")
    env = dict(os.environ)
    env.update(FAKEWATCH_DATABASE_URL=database_url, FAKEWATCH_CONFIG=str(settings))
    if sources is not None:
        env["FAKEWATCH_SOURCES"] = str(sources)
    process = subprocess.run(
        [sys.executable, *([str(launcher)] if launcher else ["-m", "fakewatch"]), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=folder,
        timeout=timeout,
    )
    return CliResult(process.returncode, process.stdout, process.stderr)


def local_source(name: str, **keys: Any) -> dict[str, Any]:
    """A source table for the fixture site: only 127.0.0.1 is allowed among private addresses."""
    return {"name": name, "allow_private": ["127.0.0.1/32"], **keys}


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(str(value))
