"""Crawl benchmark: articles stored per second end to end, against the extractor alone.

Serves a local fixture site of N article pages (feeds, sitemaps) in a separate process, then
1. downloads every article page once and times fakewatch's extractor on them (the standalone
   rate, CPU-bound, one process), and
2. runs `fakewatch crawl` on the site's sitemap index into a fresh SQLite file and times it
   from process start to exit (Scrapy, robots.txt, dedup checks, extraction, cleanup, storage).
Prints both rates and their ratio (wall clock, machine load included), and the cost that
matters on a busy machine: CPU seconds per article of the crawl process against those of the
extractor alone, with and without the crawl process' start-up (imports; paid once by a daemon).

    python bench/crawl.py [--articles 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.machine import describe  # noqa: E402
from crawler.extraction import extract_article  # noqa: E402
from crawler.sitemaps import parse_sitemap  # noqa: E402

CRAWL_SETTINGS = """
[crawl]
download_delay = 0.0
autothrottle = false
concurrent_requests = 16
concurrent_per_domain = 16
download_timeout = 30.0
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_site(articles: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "tests.newssite",
        "--articles",
        str(articles),
        "--port",
        str(port),
    ]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE)
    assert server.stdout is not None
    server.stdout.readline()  # "fixture news site with N articles at ..."
    return server, f"http://127.0.0.1:{port}"


def article_urls(site: str) -> list[str]:
    index = parse_sitemap(fetch(f"{site}/sitemap_index.xml"), "index", max_size=10**8)
    urls: list[str] = []
    for part in index.entries:
        urls += [e.url for e in parse_sitemap(fetch(part.url), part.url, max_size=10**8).entries]
    return list(dict.fromkeys(urls))


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return bytes(response.read())


def extraction_rate(pages: list[tuple[str, bytes]]) -> tuple[float, float]:
    """(pages per wall second, pages per CPU second) of the extractor alone."""
    wall, cpu = time.perf_counter(), time.process_time()
    for url, html in pages:
        extract_article(html, url)
    return len(pages) / (time.perf_counter() - wall), len(pages) / (time.process_time() - cpu)


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def startup_cpu() -> float:
    """CPU seconds a crawl process spends importing what it needs before the first request."""
    code = "import fakewatch.commands.crawl, crawler.pipeline, crawler.spiders.news"
    before = child_cpu()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    return child_cpu() - before


def crawl_rate(site: str, expected: int) -> tuple[float, dict[str, object], float, float]:
    """(articles stored/s, the summary, seconds, CPU seconds) of one `fakewatch crawl`."""
    folder = Path(tempfile.mkdtemp(prefix="fakewatch-bench-"))
    (folder / "settings.toml").write_text(CRAWL_SETTINGS)
    env = dict(os.environ, FAKEWATCH_DATABASE_URL=f"sqlite:///{folder / 'bench.db'}",
               FAKEWATCH_CONFIG=str(folder / "settings.toml"))  # fmt: skip
    command = [
        sys.executable, "-m", "fakewatch", "crawl", f"{site}/sitemap_index.xml",
        "--allow-private", "127.0.0.1/32", "--limit", str(expected), "--json",
    ]  # fmt: skip
    start, cpu = time.perf_counter(), child_cpu()
    result = subprocess.run(
        command, cwd=folder, env=env, capture_output=True, text=True, check=True
    )
    seconds, cpu = time.perf_counter() - start, child_cpu() - cpu
    (summary,) = json.loads(result.stdout)
    return int(summary["articles_new"]) / seconds, summary, seconds, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    print(f"machine: {describe(('scrapy', 'newspaper4k', 'trafilatura', 'sqlalchemy'))}")
    server, site = start_site(args.articles)
    try:
        urls = article_urls(site)
        with ThreadPoolExecutor(8) as pool:
            pages = list(zip(urls, pool.map(fetch, urls), strict=True))
        megabytes = sum(len(page) for _, page in pages) / 1e6
        print(f"site: {site}, {len(pages)} article pages, {megabytes:.1f} MB")
        extract_wall, extract_cpu = extraction_rate(pages)
        print(f"extractor alone:  {extract_wall:7.1f} pages/s wall, {extract_cpu:7.1f} pages/CPU-s")
        stored_rate, summary, seconds, cpu = crawl_rate(site, len(pages))
        stored = int(summary["articles_new"])
        print(
            f"fakewatch crawl:  {stored_rate:7.1f} articles stored/s "
            f"({summary['articles_new']} new in {seconds:.1f} s, outcome {summary['outcome']}, "
            f"{summary['articles_skipped']} skipped, {summary['articles_failed']} failed)"
        )
        ratio = stored_rate / extract_wall
        print(
            f"wall-clock ratio crawl/extract: {ratio:.2f} ({1 / ratio - 1:+.0%} time per article)"
        )
        extract_ms = 1000 / extract_cpu
        startup = startup_cpu()
        total_ms, steady_ms = 1000 * cpu / stored, 1000 * (cpu - startup) / stored
        print(f"CPU per article: extractor {extract_ms:.1f} ms; crawl {total_ms:.1f} ms "
              f"({total_ms / extract_ms - 1:+.0%}), {steady_ms:.1f} ms without the "
              f"{startup:.1f} s start-up ({steady_ms / extract_ms - 1:+.0%})")  # fmt: skip
    finally:
        server.terminate()
        server.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
