"""`fakewatch recrawl SOURCE` (and `reextract`): download stored articles again, re-extract them,
and update their rows in place.

The store keeps no page HTML (only the extracted text), so `reextract` cannot re-run the
extractor on what was downloaded: it is `recrawl` under the name people look for.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from common.addresses import allowed_networks
from crawler.recrawl import RECRAWL_LABELS, recrawl
from crawler.report import CrawlReport
from crawler.sources import Source, load_sources
from crawler.urls import canonical_url
from db.models import ArticleAlias
from db.models import Source as SourceRow
from db.recrawl import StoredPage, stored_pages
from db.types import utcnow
from fakewatch.commands.crawl import add_progress_option
from fakewatch.commands.options import add_repeatable, split_values
from fakewatch.database import open_database
from fakewatch.output import progress_wanted, say
from fakewatch.settings import Settings, SettingsError
from fakewatch.times import TIME_FORMS, parse_time

HELP = {
    "recrawl": "download a source's stored articles again, re-extract them and update them "
    "in place (new text is scored again)",
    "reextract": "re-extract stored articles with the current extractor: the store keeps no "
    "HTML, so this downloads them again (the same as recrawl)",
}


def register(subparsers: Any) -> None:
    for name, help in HELP.items():
        parser = subparsers.add_parser(
            name, help=help, description=help + f". TIME is {TIME_FORMS}."
        )
        parser.add_argument("source", metavar="SOURCE", help="the stored source's name")
        parser.add_argument(
            "--since", metavar="TIME", help="only articles first fetched from TIME on (e.g. 7d)"
        )
        add_repeatable(parser, "--url", "URL", "only this stored article (repeat, or commas)")
        parser.add_argument(
            "--allow-private",
            action="append",
            default=[],
            metavar="CIDR",
            help="let a source the sources file does not declare reach this private network",
        )
        parser.add_argument("--json", action="store_true", help="print a JSON summary")
        add_progress_option(parser)
        parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    since = None
    if args.since is not None:
        try:
            since = parse_time(args.since, utcnow())
        except ValueError as exc:
            raise SettingsError(f"--since: {exc}") from None
    urls = [canonical_url(url) for url in split_values(args.url)]
    engine = open_database(settings)
    try:
        source, source_id, pages = _chosen(engine, settings, args, since, urls)
        if not pages:
            print(f"no stored articles of {args.source} to recrawl")
            return 0
        progress = say if progress_wanted(args.progress) else None
        if progress is not None:
            progress(f"recrawling {len(pages)} stored articles of {source.name}")
        report = recrawl(source, source_id, pages, settings.crawl, engine, progress=progress)
    finally:
        engine.dispose()
    counts = {label.replace(" ", "_"): report.counts[name] for name, label in RECRAWL_LABELS}
    if args.json:
        summary = {"source": source.name, "pages": len(pages), **counts,
                   "failed_by_reason": dict(report.error_reasons),
                   "skipped_by_reason": dict(report.skip_reasons),
                   "errors": report.errors[:20]}  # fmt: skip
        print(json.dumps(summary, indent=2))
    else:
        print(_summary_line(report, len(pages)))
    failed = report.counts["articles_failed"] + report.listings_failed
    return 1 if failed >= len(pages) else 0


def _chosen(
    engine: Engine,
    settings: Settings,
    args: argparse.Namespace,
    since: Any,
    urls: list[str],
) -> tuple[Source, int, list[StoredPage]]:
    """The source (as the sources file declares it, else as stored), its id, and the pages."""
    with Session(engine) as session:
        row = session.scalar(select(SourceRow).where(SourceRow.name == args.source))
        if row is None:
            known = ", ".join(session.scalars(select(SourceRow.name).order_by(SourceRow.name)))
            raise SettingsError(
                f"no source named {args.source!r} in the store (stored: {known or 'none'})"
            )
        pages = stored_pages(session, row.id, since=since, urls=urls)
        source = _configured(settings, args.source) or Source(
            name=row.name, feeds=tuple(row.feeds), sitemaps=tuple(row.sitemaps),
            homepage=row.homepage, allowed_domains=tuple(row.allowed_domains),
            languages=tuple(row.languages), category=row.category,
        )  # fmt: skip
        source_id = row.id
        found = {page.url for page in pages} | set(session.scalars(
            select(ArticleAlias.url).where(
                ArticleAlias.url.in_(urls),
                ArticleAlias.article_id.in_([page.article_id for page in pages]),
            )
        ))  # fmt: skip
    missing = [url for url in urls if url not in found]
    if missing:
        raise SettingsError(f"--url {missing[0]}: not a stored article of {args.source}")
    extra = allowed_networks(args.allow_private)
    if extra:
        source = replace(source, allow_private=(*source.allow_private, *extra))
    return source, source_id, pages


def _configured(settings: Settings, name: str) -> Source | None:
    if not settings.sources_file.exists():
        return None
    return next((s for s in load_sources(settings.sources_file) if s.name == name), None)


def _summary_line(report: CrawlReport, pages: int) -> str:
    c = report.counts
    line = (
        f"recrawled {report.source_name}: {pages} stored articles: {c['articles_updated']} "
        f"updated, {c['articles_unchanged']} unchanged, {c['articles_skipped']} now skipped and "
        f"{c['articles_failed']} failed (both kept as they were)"
    )
    reasons = report.error_reasons + report.skip_reasons
    if reasons:
        line += " (" + ", ".join(f"{k} x{v}" for k, v in reasons.most_common(5)) + ")"
    return line
