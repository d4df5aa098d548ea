"""`fakewatch crawl` progress: each listing and every 100 pages at a terminal, one summary line
elsewhere; a real crawl of a 150-article fixture site on 127.0.0.1."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crawling import fakewatch, local_source, write_sources
from tests.newssite import NewsSite, serve_news_site

pytestmark = pytest.mark.slow

ARTICLES = 150
SUMMARY = re.compile(
    r"^fakewatch: crawled 1 source in [\d.]+ s: (\d+) pages fetched, (\d+) new, \d+ duplicate, "
    r"\d+ skipped, \d+ failed \([\d.]+ pages/s\)$"
)


@pytest.fixture(scope="module")
def site() -> Iterator[NewsSite]:
    with serve_news_site(articles=ARTICLES, seed=11) as served:
        yield served


def crawl(site: NewsSite, tmp_path: Path, *options: str) -> list[str]:
    """Crawl the site's RSS feed and sitemap index into a fresh store; the stderr lines."""
    sources = write_sources(tmp_path, [local_source(
        "fixture", feeds=[f"{site.url}/feeds/rss.xml"], sitemaps=[f"{site.url}/sitemap.xml"],
    )])  # fmt: skip
    result = fakewatch("crawl", "fixture", "--json", *options, folder=tmp_path, sources=sources,
                       database_url=f"sqlite:///{tmp_path / 'store.db'}")  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.summary()[0]["articles_new"] == ARTICLES  # stdout keeps the JSON summary
    return result.stderr.splitlines()


def test_forced_progress_tells_each_listing_and_every_hundred_pages(
    site: NewsSite, tmp_path: Path
) -> None:
    lines = crawl(site, tmp_path, "--progress", "always")
    feed = f"fakewatch: fixture: feed {site.url}/feeds/rss.xml: {ARTICLES} links, "
    assert any(line.startswith(feed) and line.endswith(" to fetch") for line in lines), lines
    assert any(
        line.startswith(f"fakewatch: fixture: sitemap index {site.url}/sitemap.xml: ")
        and line.endswith(" to read")
        for line in lines
    ), lines
    listed = [
        re.search(r": (feed|sitemap) \S+: \d+ links, (\d+) to fetch$", line) for line in lines
    ]
    assert {m.group(1) for m in listed if m} == {"feed", "sitemap"}, lines
    # Each article is fetched once, for whichever listing named it first.
    assert sum(int(m.group(2)) for m in listed if m) == ARTICLES
    hundred = [line for line in lines if line.startswith("fakewatch: fixture: 100 pages: ")]
    assert len(hundred) == 1, lines
    assert re.fullmatch(
        r"fakewatch: fixture: 100 pages: \d+ stored, \d+ duplicate, \d+ skipped, \d+ failed "
        r"\([\d.]+ pages/s\)",
        hundred[0],
    ), hundred
    assert not any(line.startswith("fakewatch: fixture: 200 pages") for line in lines)
    summary = SUMMARY.match(lines[-1])
    assert summary and int(summary.group(2)) == ARTICLES, lines[-1]


def test_without_a_terminal_only_the_summary_is_printed(site: NewsSite, tmp_path: Path) -> None:
    lines = crawl(site, tmp_path)  # stderr is a pipe: --progress auto prints no steps
    said = [line for line in lines if line.startswith("fakewatch: ")]
    assert len(said) == 1 and SUMMARY.match(said[0]), lines
    assert int(SUMMARY.match(said[0]).group(2)) == ARTICLES  # type: ignore[union-attr]
    (tmp_path / "never").mkdir()
    never = crawl(site, tmp_path / "never", "--progress", "never")
    said = [line for line in never if line.startswith("fakewatch: ")]
    assert len(said) == 1 and SUMMARY.match(said[0]), never


def test_auto_means_a_terminal_on_stderr() -> None:
    script = "from fakewatch.output import progress_wanted; print(progress_wanted('auto'))"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    piped = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert piped.stdout.strip() == "False"
    leader, follower = pty.openpty()
    at_terminal = subprocess.run(
        [sys.executable, "-c", script], stderr=follower, stdout=subprocess.PIPE, text=True,
        env=env, timeout=60,
    )  # fmt: skip
    os.close(follower)
    os.close(leader)
    assert at_terminal.stdout.strip() == "True"
