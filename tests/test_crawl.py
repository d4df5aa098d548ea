"""`fakewatch crawl` end to end: real spiders, a fixture site on 127.0.0.1 on both backends."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import select

from db.engine import make_engine, make_sessionmaker
from db.models import Article, ArticleAlias, ArticleStatus, CrawlOutcome, CrawlRun
from tests.crawling import TEST_CRAWL_SETTINGS, fakewatch, local_source, write_sources
from tests.daemons import wait_until
from tests.newssite import NewsSite, serve_news_site

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site() -> Iterator[NewsSite]:
    # The slow page answers after 10 s, five download timeouts: the crawl's reactor can be busy
    # (first imports, extraction) when the 2 s timer is due, and a 4 s page then sometimes
    # arrived before the late timer fired, so the timeout fault went uncounted.
    with serve_news_site(articles=12, seed=7, slow_seconds=10, huge_bytes=3_000_000) as served:
        yield served


T = TypeVar("T", Article, CrawlRun)


def rows(database_url: str, table: type[T]) -> list[T]:
    """Every row of a table (given its model class), in id order."""
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as session:
        result = list(session.scalars(select(table).order_by(table.id)))
    engine.dispose()
    return result


def stored(database_url: str) -> list[Article]:
    return rows(database_url, Article)


def runs(database_url: str) -> list[CrawlRun]:
    return rows(database_url, CrawlRun)


def test_feed_crawl_stores_clean_articles_and_is_incremental(
    site: NewsSite, database_url: str, tmp_path: Path
) -> None:
    sources = write_sources(
        tmp_path, [local_source("fixture", feeds=[f"{site.url}/feeds/rss.xml"])]
    )
    site.clear_log()
    first = fakewatch(
        "crawl", "fixture", "--json", database_url=database_url, folder=tmp_path, sources=sources
    )
    assert first.returncode == 0, first.stderr
    (summary,) = first.summary()
    assert summary["outcome"] == "ok"
    assert summary["articles_new"] == len(site.articles)

    articles = stored(database_url)
    by_url = {a.url: a for a in articles}
    for fixture in site.articles:
        article = by_url[fixture.url]  # canonical: no utm_*, no fragment, no trailing slash
        assert article.status is ArticleStatus.NEW
        assert article.title == fixture.title
        assert fixture.text.split("\n\n")[0][:200] in article.text
        assert "Cookie" not in article.text and "Share on" not in article.text
        assert article.language == "en" and article.content_hash
        assert article.published_at is not None and article.published_at.tzinfo is not None
        assert list(article.authors) == list(fixture.authors)

    requests = site.requests
    assert any(r.path == "/robots.txt" for r in requests)
    assert all("fakewatch" in r.headers.get("User-Agent", "") for r in requests)

    site.clear_log()
    again = fakewatch(
        "crawl", "fixture", "--json", database_url=database_url, folder=tmp_path, sources=sources
    )
    (summary,) = again.summary()
    assert summary["articles_new"] == 0 and summary["listings_unchanged"] == 1
    assert not [path for path in site.hits if path.startswith("/news/")]  # nothing downloaded again
    (feed_request,) = [r for r in site.requests if r.path == "/feeds/rss.xml"]
    assert feed_request.headers.get("If-None-Match")  # a conditional GET, answered 304

    added = site.add_articles(2)
    try:
        third = fakewatch(
            "crawl",
            "fixture",
            "--json",
            database_url=database_url,
            folder=tmp_path,
            sources=sources,
        )
        (summary,) = third.summary()
        assert summary["articles_new"] == 2
        assert {a.url for a in added} <= {a.url for a in stored(database_url)}
    finally:
        site.reset_faults()
    assert [r.outcome for r in runs(database_url)] == [CrawlOutcome.OK] * 3


def test_atom_rdf_sitemaps_and_syndicated_copies_are_stored_once(
    database_url: str, tmp_path: Path
) -> None:
    with serve_news_site(articles=40, seed=3) as site:
        sources = write_sources(
            tmp_path,
            [
                local_source(
                    "many-listings",
                    feeds=[
                        f"{site.url}/feeds/atom.xml",
                        f"{site.url}/feeds/rdf.xml",
                        f"{site.url}/feeds/syndicated.xml",
                    ],
                    sitemaps=[f"{site.url}/sitemap_index.xml"],
                )
            ],
        )
        site.clear_log()
        result = fakewatch(
            "crawl",
            "many-listings",
            "--json",
            database_url=database_url,
            folder=tmp_path,
            sources=sources,
        )
        assert result.returncode == 0, result.stderr
        (summary,) = result.summary()
        # Each syndicated pair is stored once: whichever URL came first is the article,
        # the other its alias.
        articles = {a.url for a in stored(database_url)}
        assert len(articles) == len(site.articles)
        assert summary["articles_new"] == len(site.articles)
        assert summary["articles_duplicate"] >= len(site.syndicated)
        # Four listings name the same articles: each is still downloaded once.
        downloads = {path: n for path, n in site.hits.items() if path.startswith("/news/")}
        assert downloads and set(downloads.values()) == {1}, downloads
        engine = make_engine(database_url)
        with make_sessionmaker(engine)() as session:
            aliases = {alias.url for alias in session.scalars(select(ArticleAlias))}
        engine.dispose()
        for copy in site.syndicated:
            assert {copy.url, copy.original.url} <= articles | aliases
            assert len({copy.url, copy.original.url} & articles) == 1


def test_homepage_discovery_finds_articles(database_url: str, tmp_path: Path) -> None:
    with serve_news_site(articles=6, seed=5) as site:
        sources = write_sources(tmp_path, [local_source("home", homepage=f"{site.url}/")])
        result = fakewatch(
            "crawl", "home", "--json", database_url=database_url, folder=tmp_path, sources=sources
        )
        assert result.returncode == 0, result.stderr
        new = [a for a in stored(database_url) if a.status is ArticleStatus.NEW]
        assert {a.url for a in new} == {a.url for a in site.articles}


def test_adhoc_url_crawl_sniffs_the_listing(sqlite_url: str, tmp_path: Path) -> None:
    with serve_news_site(articles=5, seed=11) as site:
        args = ("crawl", "--json", "--allow-private", "127.0.0.1/32", "--limit", "3")
        result = fakewatch(
            *args, f"{site.url}/sitemaps/news.xml", database_url=sqlite_url, folder=tmp_path
        )
        assert result.returncode == 0, result.stderr
        (summary,) = result.summary()
        assert summary["articles_new"] == 3
        private = fakewatch(
            "crawl", f"{site.url}/feeds/rss.xml", database_url=sqlite_url, folder=tmp_path
        )
        assert private.returncode == 1
        assert "non-public address 127.0.0.1; add --allow-private CIDR" in private.stderr


def test_every_fault_has_a_counted_outcome_and_nothing_is_lost(
    site: NewsSite, database_url: str, tmp_path: Path
) -> None:
    site.reset_faults()
    site.clear_log()
    sources = write_sources(
        tmp_path, [local_source("faults", feeds=[f"{site.url}/feeds/faults.xml"])]
    )
    result = fakewatch(
        "crawl", "faults", "--json", database_url=database_url, folder=tmp_path, sources=sources
    )
    (summary,) = result.summary()
    assert summary["outcome"] == "partial"
    errors = summary["errors_by_reason"]
    assert errors == {
        "http_404": 1, "http_500": 1, "timeout": 1, "redirect_loop": 2, "robots": 1,
    }, summary  # fmt: skip
    articles = {a.url.removeprefix(site.url): a for a in stored(database_url)}
    # The section page lists the newest headlines; how many words that makes depends on what
    # the site has published, so it is skipped as too short or as not an article.
    section = articles["/section/world"]
    assert section.status is ArticleStatus.SKIPPED
    assert section.status_reason in ("too_short", "not_article")
    skipped = dict(summary["skipped_by_reason"])
    skipped[section.status_reason] -= 1
    assert {reason: n for reason, n in skipped.items() if n} == {
        "not_html": 2, "too_large": 3, "link_only": 1, "language:de": 1, "empty": 1,
    }, summary  # fmt: skip

    for path in ("/ratelimit/article.html", "/unavailable/article.html", "/redirect/target.html"):
        assert articles[path].status is ArticleStatus.NEW, path
    assert "café" in articles["/charset/latin1.html"].text
    assert (
        "didn’t" in articles["/charset/cp1252.html"].text
        and "€" in articles["/charset/cp1252.html"].text
    )
    assert "don’t" in articles["/charset/mojibake.html"].text
    assert "â€" not in articles["/charset/mojibake.html"].text
    # The header lies; the bytes are believed.
    lied_to = articles["/charset/cp1252-labelled-utf8.html"]
    assert "didn’t" in lied_to.text and "€" in lied_to.text and "\ufffd" not in lied_to.text
    utf8 = articles["/charset/utf8-labelled-utf16.html"]
    assert utf8.status is ArticleStatus.NEW and "café" in utf8.text
    assert articles["/huge/gzip-bomb.html"].status_reason == "too_large"
    assert articles["/pages/german.html"].status_reason == "language:de"
    assert "/private/secret.html" not in articles
    assert site.hits["/private/secret.html"] == 0
    assert site.hits["/ratelimit/article.html"] == 2  # waited for Retry-After, then fetched
    (run,) = runs(database_url)
    assert run.articles_failed == 6 and len(run.errors) == 6
    assert run.articles_skipped == 9 and run.pages_fetched >= 18


@pytest.mark.parametrize(
    ("feed", "outcome", "reason"),
    [
        ("malformed_feed", "failed", "malformed_feed"),
        ("html_feed", "failed", "not_a_feed"),
        ("empty_feed", "ok", None),
    ],
)
def test_bad_feeds_fail_cleanly_and_keep_stored_data(
    site: NewsSite, sqlite_url: str, tmp_path: Path, feed: str, outcome: str, reason: str | None
) -> None:
    sources = write_sources(
        tmp_path,
        [
            local_source("good", feeds=[f"{site.url}/feeds/rss.xml"]),
            local_source("bad", feeds=[site.faults[feed]]),
        ],
    )
    fakewatch("crawl", "good", database_url=sqlite_url, folder=tmp_path, sources=sources)
    before = [(a.url, a.text) for a in stored(sqlite_url)]
    result = fakewatch(
        "crawl", "bad", "--json", database_url=sqlite_url, folder=tmp_path, sources=sources
    )
    (summary,) = result.summary()
    assert summary["outcome"] == outcome
    assert result.returncode == (1 if outcome == "failed" else 0)
    if reason:
        assert summary["errors_by_reason"] == {reason: 1}
    assert [(a.url, a.text) for a in stored(sqlite_url)] == before


def test_links_to_private_addresses_are_refused(
    site: NewsSite, sqlite_url: str, tmp_path: Path
) -> None:
    domains = ["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1"]
    sources = write_sources(
        tmp_path,
        [local_source("private", feeds=[site.faults["private_feed"]], allowed_domains=domains)],
    )
    result = fakewatch(
        "crawl", "private", "--json", database_url=sqlite_url, folder=tmp_path, sources=sources
    )
    (summary,) = result.summary()
    assert summary["errors_by_reason"] == {"blocked_url": 6}, summary
    assert summary["articles_new"] == 0 and stored(sqlite_url) == []
    assert "set allow_private (CIDRs, or true) on source 'private'" in json.dumps(summary["errors"])


def test_unresolvable_host_and_unreachable_database(sqlite_url: str, tmp_path: Path) -> None:
    sources = write_sources(
        tmp_path, [{"name": "nowhere", "feeds": ["https://no-such-host.invalid/rss.xml"]}]
    )
    result = fakewatch(
        "crawl", "nowhere", "--json", database_url=sqlite_url, folder=tmp_path, sources=sources
    )
    (summary,) = result.summary()
    assert result.returncode == 1
    assert summary["outcome"] == "failed" and summary["errors_by_reason"] == {"dns": 1}

    down = fakewatch(
        "crawl",
        "nowhere",
        database_url="postgresql+psycopg://u:hunter2@127.0.0.1:9/x",
        folder=tmp_path,
        sources=sources,
    )
    assert down.returncode == 2
    lines = down.stderr.strip().splitlines()
    assert len(lines) == 1 and "unreachable" in lines[0] and "hunter2" not in lines[0]


def test_bad_sources_file_is_one_line_with_its_line_number(sqlite_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[source]]\nname = "x"\nfeeds = ["gopher://x.example/"]\n', encoding="utf-8")
    result = fakewatch("sources", database_url=sqlite_url, folder=tmp_path, sources=bad)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"fakewatch: error: {bad}:3: 'gopher://x.example/' is not an http(s) URL; "
        "only http and https are crawled"
    )


def test_feed_without_validators_is_skipped_when_its_body_is_unchanged(
    site: NewsSite, sqlite_url: str, tmp_path: Path
) -> None:
    sources = write_sources(
        tmp_path, [local_source("volatile", feeds=[site.faults["volatile_feed"]])]
    )
    first = fakewatch(
        "crawl", "volatile", "--json", database_url=sqlite_url, folder=tmp_path, sources=sources
    )
    assert first.summary()[0]["listings_unchanged"] == 0
    second = fakewatch(
        "crawl", "volatile", "--json", database_url=sqlite_url, folder=tmp_path, sources=sources
    )
    (summary,) = second.summary()
    assert summary["listings_unchanged"] == 1 and summary["links_known"] == 0


STORY = (
    "The {n} council met on Tuesday evening to decide how the old harbour should be used. "
    "After three hours of debate, members agreed to turn the empty warehouses into homes, "
    "workshops and a public market. Residents who spoke at the meeting welcomed the plan but "
    "asked for more trees and a safe path for cyclists along the water. The first buildings "
    "are due to open in two years, and the council will publish the full budget next month."
)


class OneBadLinkSite(http.server.BaseHTTPRequestHandler):
    """A feed of three items, the middle one a link no URL parser accepts, and two stories."""

    def do_GET(self) -> None:
        port = self.server.server_address[1]
        if self.path == "/feed.xml":
            links = [f"http://127.0.0.1:{port}/news/first-story", "http://127.0.0.1:99999/x",
                     f"http://127.0.0.1:{port}/news/second-story"]  # fmt: skip
            items = "".join(f"<item><title>t</title><link>{link}</link></item>" for link in links)
            self._send(
                "application/rss+xml", f"<rss version='2.0'><channel>{items}</channel></rss>"
            )
        elif self.path.startswith("/news/"):
            paragraph = STORY.format(n=self.path.rsplit("/", 1)[1])
            body = f"<html><body><article><h1>News</h1><p>{paragraph}</p></article></body></html>"
            self._send("text/html; charset=utf-8", body)
        else:
            self.send_error(404)

    def _send(self, content_type: str, text: str) -> None:
        body = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_one_bad_link_in_a_feed_is_skipped_and_counted(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # where Scrapy's token goes
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), OneBadLinkSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        feed = f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
        sources = write_sources(tmp_path, [local_source("harbour", feeds=[feed])])
        result = fakewatch(
            "crawl", "harbour", "--json", database_url=sqlite_url, folder=tmp_path, sources=sources
        )
    finally:
        server.shutdown()
        server.server_close()
    (summary,) = result.summary()
    assert summary["errors_by_reason"] == {"bad_url": 1}, summary
    assert summary["outcome"] == "partial"
    assert not (tmp_path / "state").exists(), "Scrapy's remote control left a token file"
    assert sorted(a.url.rsplit("/", 1)[1] for a in stored(sqlite_url)) == [
        "first-story",
        "second-story",
    ]


# Run in the crawl's child process: a DNS that answers a public address to the first lookup
# of rebind.test and 127.0.0.1 to every later one (the attack), then the real command line.
REBINDING_LAUNCHER = """
import socket, sys
real_getaddrinfo, real_gethostbyname, lookups = socket.getaddrinfo, socket.gethostbyname, []
def answer(host):
    if host != "rebind.test":
        return host
    lookups.append(host)
    return "93.184.216.34" if len(lookups) == 1 else "127.0.0.1"
socket.getaddrinfo = lambda host, *args, **kwargs: real_getaddrinfo(answer(host), *args, **kwargs)
socket.gethostbyname = lambda host: real_gethostbyname(answer(host))
from fakewatch.cli import main
sys.exit(main(sys.argv[1:]))
"""


class CountingSite(OneBadLinkSite):
    hits: list[str] = []

    def do_GET(self) -> None:
        CountingSite.hits.append(self.path)
        super().do_GET()


def test_dns_rebinding_to_a_private_address_is_not_fetched(sqlite_url: str, tmp_path: Path) -> None:
    """The host passes the check as public, then resolves to 127.0.0.1 to connect."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CountingSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    launcher = tmp_path / "rebinding.py"
    launcher.write_text(REBINDING_LAUNCHER, encoding="utf-8")
    try:
        feed = f"http://rebind.test:{server.server_address[1]}/feed.xml"
        sources = write_sources(
            tmp_path, [{"name": "rebind", "feeds": [feed], "allowed_domains": ["rebind.test"]}]
        )
        result = fakewatch(
            "crawl", "rebind", "--json", database_url=sqlite_url, folder=tmp_path,
            sources=sources, launcher=launcher,
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    (summary,) = result.summary()
    assert CountingSite.hits == [], "a request reached the private address"
    assert summary["errors_by_reason"].get("blocked_url", 0) >= 1, summary
    assert summary["articles_new"] == 0 and stored(sqlite_url) == []
    assert "when connecting (DNS rebinding?)" in json.dumps(summary["errors"])


def test_a_crawl_stopped_by_its_limit_leaves_the_rest_for_the_next(
    site: NewsSite, sqlite_url: str, tmp_path: Path
) -> None:
    sources = write_sources(
        tmp_path, [local_source("fixture", feeds=[f"{site.url}/feeds/rss.xml"])]
    )
    args = ("crawl", "fixture", "--json")
    first = fakewatch(*args, "--limit", "5", database_url=sqlite_url, folder=tmp_path,
                      sources=sources)  # fmt: skip
    (summary,) = first.summary()
    owed = len(site.articles) - 5
    assert summary["articles_new"] == 5 and summary["articles_owed"] == owed, summary
    # The feed is the same, but it still lists articles never fetched: read it again.
    second = fakewatch(*args, database_url=sqlite_url, folder=tmp_path, sources=sources)
    (summary,) = second.summary()
    assert summary["listings_unchanged"] == 0 and summary["articles_new"] == owed, summary
    assert summary["articles_owed"] == 0
    third = fakewatch(*args, database_url=sqlite_url, folder=tmp_path, sources=sources)
    assert third.summary()[0]["listings_unchanged"] == 1  # now nothing is owed: skip it


class SlowStories(http.server.BaseHTTPRequestHandler):
    """A feed of 20 stories, each answered after `delay` seconds."""

    delay = 1.5

    def handle(self) -> None:
        with contextlib.suppress(OSError):  # a crawl that was stopped hangs up mid-answer
            super().handle()

    def do_GET(self) -> None:
        port = self.server.server_address[1]
        if self.path == "/feed.xml":
            items = "".join(
                f"<item><title>t</title><link>http://127.0.0.1:{port}/news/story-{i}</link></item>"
                for i in range(20)
            )
            body = f"<rss version='2.0'><channel>{items}</channel></rss>"
            content_type = "application/rss+xml"
        elif self.path.startswith("/news/"):
            self.hold(int(self.path.rsplit("-", 1)[1]))
            paragraph = STORY.format(n=self.path.rsplit("/", 1)[1])
            body = f"<html><body><article><h1>News</h1><p>{paragraph}</p></article></body></html>"
            content_type = "text/html; charset=utf-8"
        else:
            self.send_error(404)
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(data)

    def hold(self, story: int) -> None:
        time.sleep(self.delay)

    def log_message(self, *args: object) -> None:
        pass


class GatedStories(SlowStories):
    """The first 4 stories answer at once; the rest wait until the test opens the gate.

    So a crawl stopped before the gate opens cannot have stored them all, however fast
    or slow this machine is.
    """

    gate = threading.Event()

    def hold(self, story: int) -> None:
        if story >= 4:
            self.gate.wait(30)


def test_a_crawl_stopped_by_sigterm_is_partial_and_the_next_fetches_the_rest(
    sqlite_url: str, tmp_path: Path
) -> None:
    GatedStories.gate.clear()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), GatedStories)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        feed = f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
        sources = write_sources(tmp_path, [local_source("slow", feeds=[feed])])
        (tmp_path / "settings.toml").write_text(TEST_CRAWL_SETTINGS, encoding="utf-8")
        env = dict(os.environ, FAKEWATCH_DATABASE_URL=sqlite_url, FAKEWATCH_SOURCES=str(sources),
                   FAKEWATCH_CONFIG=str(tmp_path / "settings.toml"))  # fmt: skip
        crawl = subprocess.Popen(
            [sys.executable, "-m", "fakewatch", "crawl", "slow", "--json"],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        wait_until(lambda: len(stored(sqlite_url)) >= 1, 60, "a first story stored")
        crawl.send_signal(signal.SIGTERM)
        out, err = crawl.communicate(timeout=60)
        assert out.strip(), err[-2000:]
        (summary,) = json.loads(out)
        assert summary["outcome"] == "partial", summary
        assert summary["errors_by_reason"].get("interrupted") == 1, summary
        first_count = len(stored(sqlite_url))
        assert 1 <= first_count <= 4
        GatedStories.gate.set()
        again = fakewatch("crawl", "slow", "--json", database_url=sqlite_url, folder=tmp_path,
                          sources=sources)  # fmt: skip
        (summary,) = again.summary()
        assert summary["outcome"] == "ok" and summary["articles_new"] == 20 - first_count, summary
    finally:
        GatedStories.gate.set()
        server.shutdown()
        server.server_close()


class SlowerStories(SlowStories):
    delay = 3.0  # 20 stories, 8 at a time: 9 s at least, past the 5 s share below


def test_a_slow_source_neither_delays_nor_outlasts_its_batch(
    site: NewsSite, sqlite_url: str, tmp_path: Path
) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowerStories)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        slow_feed = f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
        sources = write_sources(tmp_path, [
            local_source("fast", feeds=[f"{site.url}/feeds/rss.xml"]),
            local_source("slow", feeds=[slow_feed]),
        ])  # fmt: skip
        (tmp_path / "settings.toml").write_text(
            TEST_CRAWL_SETTINGS + "max_crawl_seconds = 5\nprogress_seconds = 0.5\n",
            encoding="utf-8",
        )
        result = fakewatch("crawl", "fast", "slow", "--json", "--progress", "always",
                           database_url=sqlite_url,
                           folder=tmp_path, sources=sources)  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    summaries = {s["source"]: s for s in result.summary()}
    assert summaries["fast"]["outcome"] == "ok"
    # A person at the terminal hears how far it has got while it runs.
    progress = [line for line in result.stderr.splitlines() if "fakewatch: crawling: " in line]
    assert progress and "fast " in progress[-1] and "slow " in progress[-1], result.stderr
    assert any("fast " in line and "done" in line for line in progress)
    slow = summaries["slow"]
    assert slow["outcome"] == "partial" and slow["errors_by_reason"]["interrupted"] == 1, slow
    by_source = {run.source_name: run for run in runs(sqlite_url)}
    fast_run, slow_run = by_source["fast"], by_source["slow"]
    assert fast_run.finished_at is not None and slow_run.finished_at is not None
    # Each run is closed when its own crawl ends, not when the slowest of the batch does.
    assert (slow_run.finished_at - fast_run.finished_at).total_seconds() > 1


def test_a_run_left_running_by_a_dead_crawl_is_closed_by_the_next(
    site: NewsSite, sqlite_url: str, tmp_path: Path
) -> None:
    """A crawl whose last write failed (a full disk) or that was killed leaves its run
    `running`; no crawl of one source lasts past max_crawl_seconds, so the next closes it."""
    from datetime import UTC, datetime, timedelta

    from db.migrate import upgrade
    from db.queries import start_crawl_run, sync_source
    from db.source_config import SourceConfig

    engine = make_engine(sqlite_url)
    upgrade(engine)
    with make_sessionmaker(engine).begin() as session:
        source_id = sync_source(
            session, SourceConfig("fixture", feeds=(f"{site.url}/feeds/rss.xml",))
        )
        dead = start_crawl_run(session, source_id, "fixture")
        session.get_one(CrawlRun, dead).started_at = datetime.now(UTC) - timedelta(hours=2)
    engine.dispose()
    sources = write_sources(
        tmp_path, [local_source("fixture", feeds=[f"{site.url}/feeds/rss.xml"])]
    )
    fakewatch("crawl", "fixture", "--json", database_url=sqlite_url, folder=tmp_path,
              sources=sources)  # fmt: skip
    by_id = {run.id: run for run in runs(sqlite_url)}
    assert by_id[dead].outcome is CrawlOutcome.FAILED
    assert by_id[dead].errors[-1]["reason"] == "interrupted"
    assert [r.outcome for r in by_id.values() if r.id != dead] == [CrawlOutcome.OK]
