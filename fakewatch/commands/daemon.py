"""`fakewatch run`, `fakewatch worker`, `fakewatch rescore`: the long-running parts."""

from __future__ import annotations

import argparse
import logging
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from crawler.sources import load_sources
from db.engine import make_sessionmaker
from db.scoring import release_articles, requeue_for_rescore
from fakewatch.database import open_database
from fakewatch.settings import Settings, SettingsError
from fakewatch.times import parse_time
from scheduler.logs import configure_logging


def register(subparsers: Any) -> None:
    run = subparsers.add_parser(
        "run", help="the daemon: crawl every source on schedule, score, serve /metrics"
    )
    run.add_argument(
        "--log-format",
        choices=("auto", "json", "text"),
        help="default: settings (auto: text at a terminal, JSON otherwise)",
    )
    run.set_defaults(handler=run_daemon)

    worker = subparsers.add_parser("worker", help="score unscored articles (no crawling)")
    worker.add_argument("--batch", type=int, metavar="N", help="articles claimed at a time")
    worker.add_argument("--once", action="store_true", help="stop when the queue is empty")
    worker.add_argument(
        "--log-format", choices=("auto", "json", "text"), help="default: settings (auto)"
    )
    worker.add_argument(
        "--metrics-port",
        type=int,
        metavar="PORT",
        help="serve this worker's /metrics and /healthz on [daemon] metrics_address:PORT",
    )
    worker.set_defaults(handler=run_worker)

    rescore = subparsers.add_parser("rescore", help="put stored articles back in the queue")
    rescore.add_argument("--source", help="only this source's articles")
    rescore.add_argument(
        "--since",
        metavar="TIME",
        help="only those fetched from TIME on: an age (7d, 24h) or an ISO date or time, as in "
        "`query`",
    )
    rescore.set_defaults(handler=run_rescore)


def _logging(args: argparse.Namespace, settings: Settings) -> int:
    level = logging.DEBUG if args.verbose > 1 else logging.INFO
    configure_logging(level, args.log_format or settings.daemon.log_format)
    return level


def run_daemon(args: argparse.Namespace, settings: Settings) -> int:
    from scheduler.daemon import Daemon

    level = _logging(args, settings)
    sources = load_sources(settings.sources_file)
    daemon = Daemon(
        settings.database_url, sources, settings.crawl, settings.daemon, log_level=level
    )
    return daemon.run()


def run_worker(args: argparse.Namespace, settings: Settings) -> int:
    import signal

    from scheduler.deployed_models import ModelSet
    from scheduler.worker import ScoringWorker

    _logging(args, settings)
    engine = open_database(settings)
    sessions = make_sessionmaker(engine)
    models = ModelSet([Path(folder) for folder in settings.daemon.models])
    models.refresh()
    if not models.loaded:
        problems = "; ".join(models.problems.values())
        if args.once:
            raise SettingsError(f"no model could be loaded: {problems}")
        # A worker started before the first model is trained waits for it, as the daemon does.
        logging.getLogger("fakewatch.worker").warning(
            "no model loaded yet (%s); waiting for one to appear", problems
        )
    worker = ScoringWorker(
        sessions,
        models,
        batch_size=args.batch or settings.daemon.score_batch,
        lease=timedelta(seconds=settings.daemon.score_lease_seconds),
        max_attempts=settings.daemon.max_score_attempts,
    )
    if args.once:
        total = 0
        while taken := worker.score_batch():
            total += taken
        print(f"scored {total} articles")
        return 0
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    server = None
    if args.metrics_port is not None:
        from prometheus_client import REGISTRY

        from scheduler.http import readiness, serve

        address = settings.daemon.metrics_address
        server, _ = serve(address, args.metrics_port, REGISTRY, lambda: readiness(engine, models))
    try:
        worker.run(stop)
    finally:
        with sessions.begin() as session:
            release_articles(session, worker.owner)
        if server is not None:
            server.shutdown()
    return 0


def run_rescore(args: argparse.Namespace, settings: Settings) -> int:
    since = None
    if args.since:
        try:
            since = parse_time(args.since, datetime.now(UTC))
        except ValueError as exc:
            raise SettingsError(f"--since: {exc}") from None
    engine = open_database(settings)
    with make_sessionmaker(engine).begin() as session:
        count = requeue_for_rescore(session, source=args.source, since=since)
    print(f"{count} articles queued for scoring again")
    return 0
