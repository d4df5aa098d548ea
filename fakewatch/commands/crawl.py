"""`fakewatch crawl NAME|URL ... | --all`: crawl sources once, now, and print what was stored."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from common.addresses import allowed_networks
from crawler.report import CrawlReport
from crawler.run import crawl_once
from crawler.sources import Source, find_source, load_sources
from fakewatch.database import open_database
from fakewatch.output import PROGRESS_MODES, progress_wanted, say
from fakewatch.settings import Settings, SettingsError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "crawl", help="crawl sources once now (configured names, or feed/sitemap/site URLs)"
    )
    parser.add_argument("targets", nargs="*", metavar="NAME|URL", help="source names or URLs")
    parser.add_argument("--all", action="store_true", help="crawl every enabled source")
    parser.add_argument("--limit", type=int, metavar="N", help="at most N new articles a source")
    parser.add_argument("--json", action="store_true", help="print a JSON summary")
    parser.add_argument(
        "--allow-private",
        action="append",
        default=[],
        metavar="CIDR",
        help="let an ad-hoc URL crawl reach this private network (e.g. 127.0.0.1/32)",
    )
    parser.add_argument("--language", action="append", metavar="CODE", help="keep this language")
    add_progress_option(parser)
    parser.set_defaults(handler=run)


def add_progress_option(parser: Any) -> None:
    """`--progress`: step-by-step lines on stderr at a terminal (auto), always, or never."""
    parser.add_argument(
        "--progress",
        choices=PROGRESS_MODES,
        default="auto",
        help="progress lines on stderr: each listing read, every 100 pages, every "
        "progress_seconds (auto: only when stderr is a terminal; a summary line always)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    sources = _chosen_sources(args, settings)
    if args.limit is not None and args.limit < 1:
        raise SettingsError("--limit must be a positive number of articles")
    engine = open_database(settings)
    started = time.monotonic()
    progress = say if progress_wanted(args.progress) else None
    reports = crawl_once(sources, settings.crawl, engine, limit=args.limit, progress=progress)
    say(_batch_summary(reports, time.monotonic() - started))
    if args.json:
        print(json.dumps([r.summary() for r in reports], indent=2, default=str))
    else:
        for report in reports:
            print(_summary_line(report))
    return 1 if any(r.outcome.value == "failed" for r in reports) else 0


def _chosen_sources(args: argparse.Namespace, settings: Settings) -> list[Source]:
    if not args.targets and not args.all:
        raise SettingsError(
            "name a source or URL to crawl, or pass --all; `fakewatch sources` lists them"
        )
    configured: list[Source] | None = None
    chosen: list[Source] = []
    for target in args.targets:
        if "://" in target:
            private = allowed_networks(args.allow_private)
            languages = tuple(args.language or ("en",))
            chosen.append(Source.adhoc(target, allow_private=private, languages=languages))
        else:
            configured = (
                configured if configured is not None else load_sources(settings.sources_file)
            )
            chosen.append(find_source(configured, target))
    if args.all:
        configured = configured if configured is not None else load_sources(settings.sources_file)
        chosen.extend(s for s in configured if s.enabled and s not in chosen)
    return chosen


def _batch_summary(reports: Sequence[CrawlReport], seconds: float) -> str:
    """One line for the whole batch: what a log file keeps of a crawl."""
    total = sum((r.counts for r in reports), start=Counter[str]())
    pages = total["pages_fetched"]
    return (
        f"crawled {len(reports)} source{'s' if len(reports) != 1 else ''} in {seconds:.1f} s: "
        f"{pages} pages fetched, {total['articles_new']} new, "
        f"{total['articles_duplicate']} duplicate, {total['articles_skipped']} skipped, "
        f"{total['articles_failed']} failed ({pages / max(seconds, 1e-3):.1f} pages/s)"
    )


def _summary_line(report: CrawlReport) -> str:
    c = report.counts
    line = (
        f"{report.source_name}: {report.outcome.value}: {c['pages_fetched']} pages fetched, "
        f"{c['articles_new']} new, {c['articles_duplicate']} duplicate, "
        f"{c['articles_skipped']} skipped, {c['articles_failed']} failed"
    )
    if report.error_reasons:
        reasons = ", ".join(f"{k} x{v}" for k, v in report.error_reasons.most_common(5))
        line += f" (errors: {reasons})"
    if report.outcome.value == "failed" and report.errors:
        print(f"  {report.errors[0]['url']}: {report.errors[0]['message']}", file=sys.stderr)
    return line
