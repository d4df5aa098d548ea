"""Daemon benchmark: many sources on short intervals for a long run, measured from the outside.

Serves a local fixture site whose articles are split over N shard feeds, one source each, and
publishes new articles while `fakewatch run` (a real process, SQLite, a small trained LightGBM
model) crawls and scores. Reports crawls done and how late they started against when they
fell due, scoring lag (stored to scored), throughput, and the daemon's memory over the run.

    python bench/daemon.py [--sources 500] [--minutes 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench.machine import describe  # noqa: E402
from db.engine import make_engine, make_sessionmaker  # noqa: E402
from db.models import Article, CrawlRun, Prediction  # noqa: E402
from tests.crawling import write_sources  # noqa: E402
from tests.daemons import DaemonProcess, train_small_model  # noqa: E402
from tests.newssite import serve_news_site  # noqa: E402


def rss_mib(pid: int) -> float:
    """Resident memory of a process, in MiB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=500)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--interval", default="2m", help="each source's configured interval")
    parser.add_argument("--publish-every", type=float, default=20.0, help="seconds")
    args = parser.parse_args()
    print(f"machine: {describe(('scrapy', 'sqlalchemy', 'apscheduler', 'lightgbm'))}")
    folder = Path(tempfile.mkdtemp(prefix="fakewatch-daemon-bench-"))
    database_url = f"sqlite:///{folder / 'bench.db'}"
    model = train_small_model(folder / "models" / "default")
    stop = threading.Event()
    with serve_news_site(articles=args.sources * 2, seed=3) as site:
        shard = f"{site.url}/feeds/shard/{{}}-of-{args.sources}.xml"
        tables = [
            {"name": f"shard-{k:03d}", "feeds": [shard.format(k)], "interval": args.interval,
             "allow_private": ["127.0.0.1/32"], "min_interval": "1m", "max_interval": "10m"}
            for k in range(args.sources)
        ]  # fmt: skip
        sources = write_sources(folder, tables)

        def publish() -> None:
            while not stop.wait(args.publish_every):
                site.add_articles(max(1, args.sources // 50))

        publisher = threading.Thread(target=publish, daemon=True)
        batching = "sources_per_crawl = 50\ncrawl_processes = 2\n"
        daemon = DaemonProcess(folder, database_url, sources, [model], extra_settings=batching)
        started = time.monotonic()
        publisher.start()
        memory: list[tuple[float, float]] = []
        try:
            while time.monotonic() - started < args.minutes * 60:
                time.sleep(10)
                memory.append((time.monotonic() - started, rss_mib(daemon.process.pid)))
                if daemon.process.poll() is not None:
                    raise SystemExit(f"the daemon exited early:\n{daemon.logs()[-3000:]}")
        finally:
            stop.set()
            exit_code = daemon.stop()
        elapsed = time.monotonic() - started
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as session:
        runs = list(session.execute(select(CrawlRun.scheduled_for, CrawlRun.started_at,
                                           CrawlRun.outcome)))  # fmt: skip
        lags = [
            (scored - fetched).total_seconds()
            for fetched, scored in session.execute(
                select(Article.fetched_at, func.min(Prediction.created_at))
                .join(Prediction, Prediction.article_id == Article.id)
                .group_by(Article.id)
            )
        ]
        stored = session.scalar(select(func.count(Article.id))) or 0
        unscored = session.scalar(select(func.count(Article.id)).where(Article.status == "new"))
    engine.dispose()
    late = [max(0.0, (s - d).total_seconds()) for d, s, _ in runs if d is not None]
    first = len([1 for d, _, _ in runs if d is None])
    on_time = sum(1 for x in late if x <= 60)
    print(f"run: {args.sources} sources, interval {args.interval} (adaptive 1m..10m), "
          f"{elapsed / 60:.1f} min, daemon exit {exit_code}")  # fmt: skip
    print(f"crawls: {len(runs)} done ({first} first crawls, {len(late)} scheduled); "
          f"{sum(1 for _, _, o in runs if o.value == 'ok')} ok")  # fmt: skip
    if late:
        print(f"lateness of scheduled crawls: p50 {percentile(late, 0.5):.1f} s, "
              f"p95 {percentile(late, 0.95):.1f} s, max {max(late):.1f} s; "
              f"{on_time / len(late):.1%} started within 60 s of falling due")  # fmt: skip
    print(f"articles: {stored} stored, {len(lags)} scored, {unscored} waiting at the end; "
          f"{stored / elapsed * 60:.0f} stored/min")  # fmt: skip
    if lags:
        print(f"scoring lag (stored to scored): p50 {percentile(lags, 0.5):.1f} s, "
              f"p95 {percentile(lags, 0.95):.1f} s, max {max(lags):.1f} s")  # fmt: skip
    if memory:
        warm = [m for t, m in memory if t >= 60] or [m for _, m in memory]
        print(f"daemon memory (RSS): {warm[0]:.0f} MiB after the first minute, "
              f"{memory[-1][1]:.0f} MiB at the end, max {max(m for _, m in memory):.0f} MiB, "
              f"mean {statistics.fmean(warm):.0f} MiB")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
