"""`fakewatch sources`: list the configured sources; `sources rename` and `sources remove`."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from crawler.sources import load_sources
from fakewatch.commands import source_changes
from fakewatch.settings import Settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sources", help="list the configured news sources; rename or remove a stored one"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(handler=run)
    source_changes.register(parser.add_subparsers(dest="action", metavar="ACTION", title="actions"))


def run(args: argparse.Namespace, settings: Settings) -> int:
    sources = load_sources(settings.sources_file)
    if args.json:
        print(json.dumps([asdict(s) | {"kind": s.kind} for s in sources], indent=2))
        return 0
    print(f"{len(sources)} sources from {settings.sources_file}")
    rows = [("NAME", "KIND", "CATEGORY", "EVERY", "LANG", "URLS")]
    for s in sources:
        urls = [*s.feeds, *s.sitemaps, *([s.homepage] if s.homepage else [])]
        name = s.name if s.enabled else f"{s.name} (disabled)"
        every = _duration(s.interval_seconds)
        rows.append((name, s.kind, s.category, every, ",".join(s.languages), " ".join(urls)))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        print(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[5]
        )
    return 0


def _duration(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
