"""Crawl benchmark: articles stored per second end to end, against the extractor alone.

Serves a local fixture site of N article pages (feeds, sitemaps) in a separate process, then
1. downloads every article page once and times fakewatch's extractor on them (the standalone
   rate, CPU-bound, one process), and
2. runs `fakewatch crawl` on a source made of the site's RSS feed and sitemap index into a
   fresh SQLite file and times it from process start to exit (Scrapy, robots.txt, dedup
   checks, extraction, cleanup, storage).
The extractor is timed again after the crawl and the two passes pooled, so that a drift in
the machine's speed during the run weighs on both sides alike.
Prints both rates and their ratio (wall clock, machine load included), and the cost that
matters on a busy machine: CPU seconds per article of the crawl process against those of the
extractor alone, with and without the crawl process' start-up (imports; paid once by a daemon).

`--pages real` (the default when ../shared is beside the checkout) serves the 990 real news
pages of ../shared/data/extraction/trafilatura_eval, the pages bench/extraction.py scores
(robots.txt, an RSS feed of the newest 100 and a sitemap index around them), each under
several URLs to reach `--articles`, every copy made distinct by one inserted
paragraph so that dedup stores it as a new article; both measurements read the same bytes.
`--pages fixture` serves the synthetic pages of `tests.newssite` instead: small, clean and
about seven times cheaper to extract, so the crawl's fixed cost per page weighs more.

    python bench/crawl.py [--articles 2000] [--pages fixture|real]
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import json
import os
import re
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from articles.extraction import extract_article  # noqa: E402
from bench.machine import describe  # noqa: E402
from crawler.sitemaps import parse_sitemap  # noqa: E402

CRAWL_SETTINGS = """
sources_file = "sources.toml"

[crawl]
download_delay = 0.0
autothrottle = false
concurrent_requests = 16
concurrent_per_domain = 16
download_timeout = 30.0
"""
# The site as a configured source: feed and sitemap list overlapping articles, as on real sites.
BENCH_SOURCE = """
[[source]]
name = "bench"
feeds = ["{site}/feeds/rss.xml"]
sitemaps = ["{site}/sitemap_index.xml"]
allowed_domains = ["127.0.0.1"]
allow_private = ["127.0.0.1/32"]
max_articles = {articles}
"""
FEED_ITEMS = 100


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


REAL_PAGES = ROOT.parent / "shared" / "data" / "extraction" / "trafilatura_eval" / "html"
FIRST_PARAGRAPH_END = re.compile(rb"</p\s*>", re.IGNORECASE)


class RealPagesSite(http.server.ThreadingHTTPServer):
    """robots.txt, an RSS feed, a sitemap index, sitemaps of 500, `/news/N`: real page N mod 990."""

    daemon_threads = True

    def __init__(self, pages: list[bytes], articles: int) -> None:
        super().__init__(("127.0.0.1", 0), RealPagesHandler)
        self.pages, self.articles = pages, articles
        self.url = f"http://127.0.0.1:{self.server_address[1]}"

    def page(self, number: int) -> bytes:
        """Real page `number` mod 990 with one paragraph naming this copy after its first."""
        original = self.pages[number % len(self.pages)]
        marker = f"<p>Archive copy {number} of this story.</p>".encode()
        end = FIRST_PARAGRAPH_END.search(original)
        if end is None:
            return original.replace(b"</body>", marker + b"</body>", 1)
        return original[: end.end()] + marker + original[end.end() :]

    def sitemap(self, part: int) -> bytes:
        numbers = range(part * 500, min(self.articles, (part + 1) * 500))
        entries = "".join(f"<url><loc>{self.url}/news/{n}</loc></url>" for n in numbers)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
        ).encode()

    def feed(self) -> bytes:
        """RSS 2.0 of the newest FEED_ITEMS articles (the highest numbers)."""
        numbers = range(self.articles - 1, max(-1, self.articles - 1 - FEED_ITEMS), -1)
        items = "".join(
            f"<item><title>Story {n}</title><link>{self.url}/news/{n}</link></item>"
            for n in numbers
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Real pages</title><link>{self.url}/</link>{items}</channel></rss>"
        ).encode()

    def sitemap_index(self) -> bytes:
        parts = range((self.articles + 499) // 500)
        entries = "".join(
            f"<sitemap><loc>{self.url}/sitemap-{p}.xml</loc></sitemap>" for p in parts
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
            "</sitemapindex>"
        ).encode()


class RealPagesHandler(http.server.BaseHTTPRequestHandler):
    server: RealPagesSite
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        path = self.path
        if path == "/robots.txt":
            self._send(b"User-agent: *\nAllow: /\n", "text/plain")
        elif path == "/feeds/rss.xml":
            self._send(self.server.feed(), "application/rss+xml")
        elif path == "/sitemap_index.xml":
            self._send(self.server.sitemap_index(), "application/xml")
        elif match := re.fullmatch(r"/sitemap-(\d+)\.xml", path):
            self._send(self.server.sitemap(int(match[1])), "application/xml")
        elif (match := re.fullmatch(r"/news/(\d+)", path)) and int(match[1]) < self.server.articles:
            self._send(self.server.page(int(match[1])), "text/html")
        else:
            self._send(b"not found", "text/plain", status=404)

    def _send(self, body: bytes, content_type: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def start_real_site(articles: int) -> tuple[RealPagesSite, str]:
    if not REAL_PAGES.is_dir():
        raise SystemExit(f"--pages real needs {REAL_PAGES} (../shared beside the checkout)")
    pages = [gzip.decompress(path.read_bytes()) for path in sorted(REAL_PAGES.glob("*.html.gz"))]
    site = RealPagesSite(pages, articles)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    return site, site.url


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
    code = (
        "import fakewatch.cli as cli; cli.build_parser(); "
        "import crawler.run, crawler.pipeline, crawler.spiders.news"
    )
    before = child_cpu()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    return child_cpu() - before


def crawl_rate(site: str, expected: int) -> tuple[float, dict[str, object], float, float]:
    """(articles stored/s, the summary, seconds, CPU seconds) of one `fakewatch crawl`."""
    folder = Path(tempfile.mkdtemp(prefix="fakewatch-bench-"))
    (folder / "settings.toml").write_text(CRAWL_SETTINGS)
    (folder / "sources.toml").write_text(BENCH_SOURCE.format(site=site, articles=expected))
    env = dict(os.environ, FAKEWATCH_DATABASE_URL=f"sqlite:///{folder / 'bench.db'}",
               FAKEWATCH_CONFIG=str(folder / "settings.toml"))  # fmt: skip
    command = [sys.executable, "-m", "fakewatch", "crawl", "bench", "--json"]
    start, cpu = time.perf_counter(), child_cpu()
    result = subprocess.run(
        command, cwd=folder, env=env, capture_output=True, text=True, check=True
    )
    seconds, cpu = time.perf_counter() - start, child_cpu() - cpu
    (summary,) = json.loads(result.stdout)
    return processed(summary) / seconds, summary, seconds, cpu


def processed(summary: dict[str, object]) -> int:
    """Article pages the crawl took to an outcome: stored, duplicate, skipped or failed."""
    keys = ("articles_new", "articles_duplicate", "articles_skipped", "articles_failed")
    return sum(int(str(summary[key])) for key in keys)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument(
        "--pages", choices=("fixture", "real"), default="real" if REAL_PAGES.is_dir() else "fixture"
    )
    args = parser.parse_args()
    print(f"machine: {describe(('scrapy', 'newspaper4k', 'trafilatura', 'sqlalchemy'))}")
    if args.pages == "real":
        real_site, site = start_real_site(args.articles)
        stop = real_site.shutdown
    else:
        server, site = start_site(args.articles)

        def stop() -> None:
            server.terminate()
            server.wait()

    try:
        urls = article_urls(site)
        with ThreadPoolExecutor(8) as pool:
            pages = list(zip(urls, pool.map(fetch, urls), strict=True))
        megabytes = sum(len(page) for _, page in pages) / 1e6
        print(f"site: {site}, {len(pages)} {args.pages} article pages, {megabytes:.1f} MB")
        before = extraction_rate(pages)
        print(f"extractor alone:  {before[0]:7.1f} pages/s wall, {before[1]:7.1f} pages/CPU-s")
        page_rate, summary, seconds, cpu = crawl_rate(site, len(pages))
        after = extraction_rate(pages)
        print(f"extractor again:  {after[0]:7.1f} pages/s wall, {after[1]:7.1f} pages/CPU-s")
        extract_wall, extract_cpu = (
            2 / (1 / b + 1 / a) for b, a in zip(before, after, strict=True)
        )
        print(f"extractor pooled: {extract_wall:7.1f} pages/s wall, {extract_cpu:7.1f} pages/CPU-s")
        done = processed(summary)
        print(
            f"fakewatch crawl:  {page_rate:7.1f} pages/s to an outcome ({done} in {seconds:.1f} s:"
            f" {summary['articles_new']} stored, {summary['articles_duplicate']} duplicate, "
            f"{summary['articles_skipped']} skipped {summary['skipped_by_reason']}, "
            f"{summary['articles_failed']} failed; outcome {summary['outcome']})"
        )
        ratio = page_rate / extract_wall
        print(
            f"wall-clock ratio crawl/extract: {ratio:.2f} ({1 / ratio - 1:+.0%} time per article)"
        )
        extract_ms = 1000 / extract_cpu
        startup = startup_cpu()
        total_ms, steady_ms = 1000 * cpu / done, 1000 * (cpu - startup) / done
        print(f"CPU per article: extractor {extract_ms:.1f} ms; crawl {total_ms:.1f} ms "
              f"({total_ms / extract_ms - 1:+.0%}), {steady_ms:.1f} ms without the "
              f"{startup:.1f} s start-up ({steady_ms / extract_ms - 1:+.0%})")  # fmt: skip
    finally:
        stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
