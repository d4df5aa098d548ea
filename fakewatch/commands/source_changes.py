"""`fakewatch sources rename OLD NEW` and `fakewatch sources remove NAME`: change stored sources.

A rename also edits the sources file when it is one clean line (see `crawler.sources_file`):
left alone, the file's old name would come back as a new, empty source at the daemon's next
start, and the renamed one would be disabled as "no longer configured".
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from crawler.sources import parse_sources
from crawler.sources_file import check_new_name, renamed_text, write_atomically
from db.source_changes import SourceRows, remove_source, rename_source
from db.types import utcnow
from fakewatch.database import open_database
from fakewatch.settings import Settings, SettingsError


def register(actions: Any) -> None:
    rename = actions.add_parser(
        "rename",
        help="rename a source: its articles, crawl runs and schedule follow, in one transaction",
    )
    rename.add_argument("old", metavar="OLD", help="the source's stored name")
    rename.add_argument("new", metavar="NEW", help="its new name")
    rename.add_argument(
        "--store-only",
        action="store_true",
        help='leave the sources file alone (by default its `name = "OLD"` line is changed too)',
    )
    rename.set_defaults(handler=run_rename)
    remove = actions.add_parser(
        "remove",
        help="remove a stored source; its articles stay, unattributed, unless --delete-articles",
    )
    remove.add_argument("name", metavar="NAME", help="the source's stored name")
    remove.add_argument(
        "--delete-articles",
        action="store_true",
        help="also delete its articles, their predictions and its crawl runs",
    )
    remove.add_argument(
        "--force",
        action="store_true",
        help="remove it even though the sources file still declares it (the next crawl of it "
        "stores it again, empty)",
    )
    remove.set_defaults(handler=run_remove)


def run_rename(args: argparse.Namespace, settings: Settings) -> int:
    check_new_name(args.new)
    path = settings.sources_file
    content = _read(path)
    edited = (
        None
        if args.store_only or content is None
        else renamed_text(content, path, args.old, args.new)
    )
    declared = content is not None and _declares(content, path, args.old)
    engine = open_database(settings)
    try:
        with Session(engine) as session, session.begin():
            rows = rename_source(session, args.old, args.new, now=utcnow())
    finally:
        engine.dispose()
    print(f"renamed source {args.old!r} to {args.new!r}: {_counts(rows)}")
    if not declared:
        return 0
    if edited is not None:
        try:
            write_atomically(path, edited)
        except OSError as exc:
            print(f"fakewatch: cannot edit {path} ({exc.strerror or exc})", file=sys.stderr)
        else:
            print(f"{path}: name = {args.old!r} is now {args.new!r}")
            return 0
    print(
        f'fakewatch: now rename it in {path} too (name = "{args.new}"), or the daemon\'s next '
        f"start stores {args.old!r} again as a new source",
        file=sys.stderr,
    )
    return 0


def run_remove(args: argparse.Namespace, settings: Settings) -> int:
    content = _read(settings.sources_file)
    if (
        content is not None
        and _declares(content, settings.sources_file, args.name)
        and not (args.force)
    ):
        raise SettingsError(
            f"source {args.name!r} is still declared in {settings.sources_file}; delete its "
            "[[source]] table there first (or pass --force)"
        )
    engine = open_database(settings)
    try:
        with Session(engine) as session, session.begin():
            rows = remove_source(
                session, args.name, delete_articles=args.delete_articles, now=utcnow()
            )
    finally:
        engine.dispose()
    if args.delete_articles:
        print(f"removed source {args.name!r} and deleted {_counts(rows)}")
    else:
        print(
            f"removed source {args.name!r}; kept {_counts(rows)}, now attributed to no source "
            "(--delete-articles deletes them)"
        )
    return 0


def _read(path: Path) -> str | None:
    """The sources file's text, or None when there is none to keep in step."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"sources file {path} cannot be read ({exc})") from None


def _declares(content: str, path: Path, name: str) -> bool:
    return any(source.name == name for source in parse_sources(content, path))


def _counts(rows: SourceRows) -> str:
    return f"{rows.articles} articles, {rows.predictions} predictions, {rows.crawl_runs} crawl runs"
