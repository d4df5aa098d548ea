"""`fakewatch run` as a real process: crawls on schedule, scores, exports metrics, survives."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from db.engine import make_engine, make_sessionmaker
from db.models import Article, ArticleStatus, CrawlOutcome, CrawlRun, Prediction
from db.models import Source as SourceRow
from tests.crawling import local_source, write_sources
from tests.daemons import DaemonProcess, count, free_port, train_small_model, wait_until
from tests.newssite import NewsSite, serve_news_site
from tests.postgres import PostgresServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def model_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_small_model(tmp_path_factory.mktemp("models") / "default")


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with serve_news_site(articles=10, seed=21) as served:
        yield served


def sources_for(site: NewsSite, folder: Path) -> Path:
    return write_sources(
        folder,
        [
            local_source(
                "fixture",
                feeds=[f"{site.url}/feeds/rss.xml"],
                interval="2s",
                min_interval="1s",
                max_interval="4s",
            )
        ],
    )


def results(database_url: str) -> list[dict[str, object]]:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        rows = [dict(r._mapping) for r in connection.execute(text("SELECT * FROM results"))]
    engine.dispose()
    return rows


def test_daemon_crawls_scores_and_exports_fake_ratios(
    site: NewsSite, database_url: str, model_folder: Path, tmp_path: Path
) -> None:
    daemon = DaemonProcess(tmp_path, database_url, sources_for(site, tmp_path), [model_folder])
    try:
        wait_until(lambda: count(database_url, Prediction.id) == 10, 90, "10 predictions")
        rows = results(database_url)
        assert len(rows) == 10
        assert {r["source"] for r in rows} == {"fixture"}
        assert all(r["verdict"] in ("fake", "uncertain", "real") for r in rows)
        assert all(r["model"] == "default" and 0 <= r["probability_fake"] <= 1 for r in rows)
        assert count(database_url, Article.id, Article.status == ArticleStatus.SCORED) == 10

        status, body = daemon.get("/healthz")
        assert status == 200 and json.loads(body)["ready"] is True
        ratio = wait_until(
            lambda: daemon.metric("fakewatch_fake_ratio", source="fixture", model="default",
                                  window="1h") is not None, 20, "the fake ratio gauge")  # fmt: skip
        assert ratio
        fake = sum(1 for r in rows if r["verdict"] == "fake")
        got = daemon.metric("fakewatch_fake_ratio", source="fixture", model="default", window="1h")
        assert got == pytest.approx(fake / 10)
        # Crawl counters arrive when the crawl process has finished and recorded its run.
        wait_until(lambda: daemon.metric("fakewatch_articles_stored_total", source="fixture") == 10,
                   30, "the stored-articles counter")  # fmt: skip
        assert daemon.metric("fakewatch_queue_depth") == 0
        scored = sum(
            daemon.metric("fakewatch_articles_scored_total", source="fixture", model="default",
                          verdict=v) or 0 for v in ("fake", "uncertain", "real")
        )  # fmt: skip
        assert scored == 10

        site.add_articles(3)  # the schedule comes back to the source by itself
        wait_until(lambda: count(database_url, Prediction.id) == 13, 60, "the new articles scored")
    finally:
        assert daemon.stop(signal.SIGTERM) == 0, daemon.logs()[-3000:]
    assert "fakewatch daemon stopped" in daemon.logs()
    assert count(database_url, Article.id, Article.claimed_by.is_not(None)) == 0
    # Every crawl went well; one running when SIGTERM came is stopped short, and says only that.
    engine = make_engine(database_url)
    with engine.connect() as connection:
        runs = connection.execute(select(CrawlRun.outcome, CrawlRun.errors_by_reason)).all()
    engine.dispose()
    assert len(runs) >= 2
    assert all(
        outcome == CrawlOutcome.OK
        # Stopped inside Scrapy (partial), or killed before Scrapy took the signal (failed).
        or (outcome in (CrawlOutcome.PARTIAL, CrawlOutcome.FAILED) and errors == {"interrupted": 1})
        for outcome, errors in runs
    ), runs
    assert sum(outcome == CrawlOutcome.OK for outcome, _ in runs) >= 2
    for line in daemon.logs().splitlines():
        if line.startswith("{"):
            json.loads(line)  # one structured event per line


def test_without_a_model_the_daemon_still_crawls_and_says_how_to_train(
    site: NewsSite, sqlite_url: str, tmp_path: Path
) -> None:
    missing = tmp_path / "models" / "default"
    daemon = DaemonProcess(tmp_path, sqlite_url, sources_for(site, tmp_path), [missing])
    try:
        wait_until(lambda: count(sqlite_url, Article.id) == 10, 60, "10 articles stored")
        status, body = daemon.get("/healthz")
        health = json.loads(body)
        assert status == 503 and health["ready"] is False and health["database"] == "ok"
        assert any("fakewatch train" in problem for problem in health["problems"])
        assert daemon.metric("fakewatch_queue_depth") == 10

        train_small_model(missing)  # deploying a model later: the daemon picks it up
        wait_until(lambda: count(sqlite_url, Prediction.id) == 10, 60, "scores after deploying")
    finally:
        assert daemon.stop(signal.SIGINT) == 0
    assert "fakewatch train" in daemon.logs()


def test_kill_9_mid_run_then_restart_loses_and_duplicates_nothing(
    database_url: str, model_folder: Path, tmp_path: Path
) -> None:
    with serve_news_site(articles=40, seed=5, slow_seconds=0.2) as site:
        sources = sources_for(site, tmp_path)
        # The first daemon only crawls, so its death always leaves work for the second.
        first = DaemonProcess(
            tmp_path,
            database_url,
            sources,
            [model_folder],
            extra_settings="score_in_daemon = false",
        )
        wait_until(lambda: count(database_url, Article.id) >= 5, 90, "some articles stored")
        first.stop(signal.SIGKILL)
        assert count(database_url, Prediction.id) == 0
        second = DaemonProcess(tmp_path, database_url, sources, [model_folder])
        try:
            wait_until(lambda: second.get("/healthz")[0] in (200, 503), 60, "the second daemon")
            wait_until(lambda: count(database_url, Prediction.id) == 40, 120, "all 40 scored")
        finally:
            assert second.stop() == 0, second.logs()[-2000:]
        urls = {a.url for a in site.articles}
        engine = make_engine(database_url)
        with make_sessionmaker(engine)() as session:
            stored = list(session.scalars(select(Article.url)))
            predictions = list(session.scalars(select(Prediction.article_id)))
        engine.dispose()
        assert sorted(stored) == sorted(urls)  # each article once
        assert len(predictions) == len(set(predictions)) == 40  # each scored once


def faulty_source(site: NewsSite, folder: Path) -> Path:
    """The fault feed: its slow page keeps a crawl busy for 15 s (3 tries of 5 s)."""
    feed = f"{site.url}/feeds/faults.xml"
    return write_sources(folder, [local_source("faulty", feeds=[feed], interval="1h")])


def running_runs(database_url: str) -> int:
    return count(database_url, CrawlRun.id, CrawlRun.outcome == CrawlOutcome.RUNNING)


def test_kill_9_of_the_whole_daemon_frees_its_source_at_the_next_start(
    sqlite_url: str, model_folder: Path, tmp_path: Path
) -> None:
    with serve_news_site(articles=5, seed=8, slow_seconds=30) as site:
        sources = faulty_source(site, tmp_path)
        first = DaemonProcess(tmp_path, sqlite_url, sources, [model_folder], own_session=True)
        wait_until(lambda: running_runs(sqlite_url) == 1, 60, "a crawl under way")
        os.killpg(first.process.pid, signal.SIGKILL)  # the daemon and its crawl process
        first.process.wait(30)
        claimed = count(sqlite_url, SourceRow.id, SourceRow.claimed_by.is_not(None))
        assert claimed == 1 and running_runs(sqlite_url) == 1  # what the dead left behind
        second = DaemonProcess(tmp_path, sqlite_url, sources, [model_folder])
        try:
            wait_until(lambda: count(sqlite_url, CrawlRun.id) == 2, 30, "the source crawled again")
        finally:
            assert second.stop() == 0, second.logs()[-2000:]
    engine = make_engine(sqlite_url)
    with make_sessionmaker(engine)() as session:
        first_run = session.scalars(select(CrawlRun).order_by(CrawlRun.id)).first()
    engine.dispose()
    assert first_run is not None and first_run.outcome is CrawlOutcome.FAILED
    assert first_run.errors[-1]["reason"] == "interrupted"
    assert first_run.errors_by_reason == {"interrupted": 1}  # what metrics and `runs` count


class SlowSite(http.server.BaseHTTPRequestHandler):
    """A feed of 30 stories that take 4 s each: a crawl of it lasts about a minute."""

    def do_GET(self) -> None:
        port = self.server.server_address[1]
        if self.path == "/feed.xml":
            items = "".join(
                f"<item><title>Story {i}</title><link>http://127.0.0.1:{port}/news/{i}</link></item>"
                for i in range(30)
            )
            body = f"<rss version='2.0'><channel>{items}</channel></rss>".encode()
        elif self.path.startswith("/news/"):
            time.sleep(4)
            body = b"<html><body><article><p>" + b"A slow story, told slowly. " * 40 + b"</p>"
            body += b"</article></body></html>"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_crawl_process_stops_when_its_daemon_is_killed(
    sqlite_url: str, model_folder: Path, tmp_path: Path
) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    feed = f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    sources = write_sources(tmp_path, [local_source("slow", feeds=[feed], interval="1h")])
    daemon = DaemonProcess(tmp_path, sqlite_url, sources, [model_folder], own_session=True)
    try:
        wait_until(lambda: running_runs(sqlite_url) == 1, 60, "a crawl under way")
        children = child_processes(daemon.process.pid)
        assert children, "no crawl process found"
        daemon.process.kill()  # the daemon alone: its crawl process is orphaned
        daemon.process.wait(30)
        # Left alone the crawl would take a minute more; orphaned, it stops within seconds.
        wait_until(lambda: not any(map(alive, children)), 20, "the orphaned crawl to exit")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(daemon.process.pid, signal.SIGKILL)
        server.shutdown()
        server.server_close()


def child_processes(pid: int) -> list[int]:
    listing = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(line) for line in listing.stdout.split()]


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for a parent (in a container, maybe forever)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.postgres
def test_two_workers_on_postgres_never_score_an_article_twice(
    postgres_url: str, model_folder: Path, tmp_path: Path
) -> None:
    with serve_news_site(articles=120, seed=8) as site:
        sources = write_sources(
            tmp_path, [local_source("many", feeds=[f"{site.url}/feeds/rss.xml"])]
        )
        crawl = DaemonProcess(
            tmp_path, postgres_url, sources, [model_folder], command=("crawl", "many")
        )
        assert crawl.process.wait(120) == 0
    assert count(postgres_url, Article.id) == 120
    workers = [
        DaemonProcess(
            tmp_path,
            postgres_url,
            sources,
            [model_folder],
            command=("worker", "--once", "--batch", "8"),
        )
        for _ in range(2)
    ]
    assert [w.process.wait(180) for w in workers] == [0, 0], workers[0].logs()[-2000:]
    assert count(postgres_url, Prediction.id) == 120
    engine = make_engine(postgres_url)
    with make_sessionmaker(engine)() as session:
        ids = list(session.scalars(select(Prediction.article_id)))
    engine.dispose()
    assert len(set(ids)) == 120


@pytest.mark.postgres
def test_daemon_survives_postgres_going_away(model_folder: Path, tmp_path: Path) -> None:
    try:
        server = PostgresServer()
    except FileNotFoundError as exc:
        pytest.skip(f"needs a local PostgreSQL installation: {exc}")
    server.start()
    try:
        with serve_news_site(articles=6, seed=9) as site:
            daemon = DaemonProcess(
                tmp_path, server.url, sources_for(site, tmp_path), [model_folder]
            )
            try:
                wait_until(lambda: count(server.url, Prediction.id) == 6, 90, "first scores")
                server.stop()

                def database_down() -> str | None:
                    status, body = daemon.get("/healthz")
                    return body if status == 503 else None

                body = wait_until(database_down, 30, "/healthz to report the database down")
                assert "unreachable" in json.loads(body)["database"]
                failures = daemon.logs().count("unreachable")
                site.add_articles(4)

                def tried_again() -> bool:  # a scheduler tick met the stopped database
                    return daemon.logs().count("unreachable") > failures

                wait_until(tried_again, 60, "the daemon to try the stopped database again")
                assert daemon.process.poll() is None  # still running
                server.start()
                wait_until(lambda: count(server.url, Prediction.id) == 10, 120, "scores after")
            finally:
                assert daemon.stop() == 0, daemon.logs()[-3000:]
    finally:
        server.remove()


def test_a_worker_started_before_any_model_waits_then_scores(
    sqlite_url: str, tmp_path: Path
) -> None:
    with serve_news_site(articles=6, seed=4) as site:
        sources = write_sources(
            tmp_path, [local_source("early", feeds=[f"{site.url}/feeds/rss.xml"])]
        )
        missing = tmp_path / "models" / "later"
        crawl = DaemonProcess(tmp_path, sqlite_url, sources, [missing], command=("crawl", "early"))
        assert crawl.process.wait(120) == 0
    once = DaemonProcess(tmp_path, sqlite_url, sources, [missing], command=("worker", "--once"))
    assert once.process.wait(60) == 2
    assert "no model could be loaded" in once.logs()

    port = free_port()
    worker = DaemonProcess(
        tmp_path, sqlite_url, sources, [missing], command=("worker", "--metrics-port", str(port))
    )
    worker.port = port  # its own /metrics and /healthz
    try:
        wait_until(lambda: "waiting for one to appear" in worker.logs(), 60, "the worker to wait")
        status, body = wait_until(lambda: worker.get("/healthz"), 30, "the worker's /healthz")
        assert status == 503 and json.loads(body)["ready"] is False
        assert worker.process.poll() is None
        train_small_model(missing)
        wait_until(lambda: count(sqlite_url, Prediction.id) == 6, 90, "6 articles scored")
        assert worker.get("/healthz")[0] == 200
        _, metrics_text = worker.get("/metrics")
        scored = [
            float(line.rsplit(" ", 1)[1])
            for line in metrics_text.splitlines()
            if line.startswith('fakewatch_articles_scored_total{model="later",source="early"')
        ]
        assert sum(scored) == 6
        # One observation per article scored (six, in one batch).
        assert 'fakewatch_scoring_seconds_count{model="later"} 6.0' in metrics_text
    finally:
        assert worker.stop() == 0, worker.logs()[-2000:]
