"""Evidence end to end: a fixture fact-checker and a fixture news site, crawled by the daemon.

The daemon reads the fact-checks' ClaimReview markup into claims, links the news articles
that repeat a checked claim (by URL and by meaning), shows the evidence in `results`,
`query --evidence`, `claims` and `classify`, and counts it in its metrics.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from db.engine import make_engine
from db.models import Claim, ClaimMatch
from tests.crawling import fakewatch, local_source, write_sources
from tests.daemons import DaemonProcess, count, train_small_model, wait_until
from tests.newssite import NewsSite, serve_news_site
from tests.newssite.factchecker import (
    CLAIM_RATINGS,
    CLAIMS_NEWS_FEED_PATH,
    FACT_CHECKER_NAME,
    FACTCHECK_FEED_PATH,
    NEWS_MATCHES,
    NO_MATCH_PATH,
    TEXT_MATCH_PATH,
    URL_MATCH_PATH,
)


@pytest.fixture(scope="module")
def model_folder_for_classify(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_small_model(tmp_path_factory.mktemp("models") / "default")


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with serve_news_site(articles=3, seed=4) as served:
        yield served


def sources(site: NewsSite, folder: Path) -> Path:
    fast = {"interval": "2s", "min_interval": "1s", "max_interval": "4s"}
    return write_sources(
        folder,
        [
            local_source("checker", category="factcheck",
                         feeds=[site.url + FACTCHECK_FEED_PATH], **fast),
            local_source("claimsnews", feeds=[site.url + CLAIMS_NEWS_FEED_PATH], **fast),
        ],
    )  # fmt: skip


def evidence_by_url(database_url: str) -> dict[str, dict[str, object]]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT url, claim, claim_rating, fact_checker, review_url, match_method, "
                    "match_score, evidence FROM results"
                )
            )
            return {row.url: dict(row._mapping) for row in rows}
    finally:
        engine.dispose()


@pytest.mark.slow
def test_the_daemon_links_news_to_checked_claims(
    site: NewsSite, database_url: str, tmp_path: Path
) -> None:
    path = sources(site, tmp_path)
    daemon = DaemonProcess(tmp_path, database_url, path, [tmp_path / "models" / "none"])
    try:
        wait_until(lambda: count(database_url, Claim.id) == 4, 90, "the 4 claims stored")
        wait_until(lambda: count(database_url, ClaimMatch.id) >= 2, 120, "2 claim matches")
        rows = evidence_by_url(database_url)
        matched = rows[site.url + TEXT_MATCH_PATH]
        assert matched["claim"] == NEWS_MATCHES[TEXT_MATCH_PATH]
        assert matched["match_method"] == "meaning" and matched["evidence"] == "debunked"
        assert matched["fact_checker"] == FACT_CHECKER_NAME
        assert str(matched["review_url"]).startswith(site.url + "/factcheck/")
        named = rows[site.url + URL_MATCH_PATH]
        assert named["claim"] == NEWS_MATCHES[URL_MATCH_PATH]
        assert named["match_method"] == "url" and named["match_score"] == 1.0
        assert named["evidence"] == "debunked"
        assert rows[site.url + NO_MATCH_PATH]["claim"] is None
        # The fact-checks' own pages are stored as articles, but never matched.
        assert all(row["claim"] is None for url, row in rows.items() if "/factcheck/" in url)
        debunked = wait_until(
            lambda: daemon.metric("fakewatch_debunked_articles_total", source="claimsnews"),
            30, "the debunked-articles counter",
        )  # fmt: skip
        assert debunked == 2
        assert daemon.metric("fakewatch_claims", fact_checker=FACT_CHECKER_NAME) == 4
    finally:
        assert daemon.stop(signal.SIGTERM) == 0, daemon.logs()[-3000:]

    query = fakewatch("query", "--evidence", "debunked", "--format", "json",
                      database_url=database_url, folder=tmp_path, sources=path)  # fmt: skip
    assert query.returncode == 0, query.stderr
    found = {row["url"]: row for row in json.loads(query.stdout)}
    assert set(found) == {site.url + TEXT_MATCH_PATH, site.url + URL_MATCH_PATH}
    claims = fakewatch("claims", "--format", "json", database_url=database_url, folder=tmp_path,
                       sources=path)  # fmt: skip
    assert claims.returncode == 0, claims.stderr
    stored = {row["claim"]: row for row in json.loads(claims.stdout)}
    assert {claim: row["rating"] for claim, row in stored.items()} == CLAIM_RATINGS
    assert stored[NEWS_MATCHES[TEXT_MATCH_PATH]]["articles"] == 1
    searched = fakewatch("claims", "--search", "BLEACH cold", database_url=database_url,
                         folder=tmp_path, sources=path)  # fmt: skip
    assert searched.returncode == 0 and "Drinking bleach" in searched.stdout
    assert "Eiffel" not in searched.stdout


def test_a_crawl_counts_the_reviews_it_reads(
    site: NewsSite, sqlite_url: str, tmp_path: Path
) -> None:
    path = sources(site, tmp_path)
    crawl = fakewatch("crawl", "checker", "--json", database_url=sqlite_url, folder=tmp_path,
                      sources=path)  # fmt: skip
    (summary,) = crawl.summary()
    assert summary["claims_found"] == 4 and summary["claims_new"] == 4, summary
    assert summary["claims_skipped"] == 0
    again = fakewatch("crawl", "checker", "--json", database_url=sqlite_url, folder=tmp_path,
                      sources=path)  # fmt: skip
    assert again.summary()[0]["claims_new"] == 0  # pages already stored are not read again
    assert count(sqlite_url, Claim.id) == 4


@pytest.mark.slow
def test_classify_shows_the_claim_an_article_repeats(
    site: NewsSite, sqlite_url: str, tmp_path: Path, model_folder_for_classify: Path
) -> None:
    path = sources(site, tmp_path)
    crawl = fakewatch("crawl", "checker", database_url=sqlite_url, folder=tmp_path, sources=path)
    assert crawl.returncode == 0, crawl.stderr
    args = ["classify", "--json", "--model", str(model_folder_for_classify),
            "--allow-private", "127.0.0.1/32"]  # fmt: skip
    for article, claim in NEWS_MATCHES.items():
        run = fakewatch(*args, site.url + article, database_url=sqlite_url, folder=tmp_path,
                        sources=path)  # fmt: skip
        assert run.returncode == 0, run.stderr
        (record,) = [json.loads(line) for line in run.stdout.splitlines()]
        assert [m["claim"] for m in record["claim_matches"]][:1] == ([claim] if claim else [])
        assert record["evidence"] == ("debunked" if claim else None)
