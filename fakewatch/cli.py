"""The `fakewatch` command line: parses arguments, loads settings once, runs one subcommand."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from sqlalchemy.exc import OperationalError

from db.engine import failure_message
from fakewatch import __version__
from fakewatch.errors import user_errors
from scheduler.logs import configure_logging

# Each module registers its subcommands; the order here is the order in `fakewatch --help`.
COMMAND_MODULES = (
    "fakewatch.commands.sources",
    "fakewatch.commands.crawl",
    "fakewatch.commands.recrawl",
    "fakewatch.commands.results",
    "fakewatch.commands.review",
    "fakewatch.commands.claims",
    "fakewatch.commands.daemon",
    "fakewatch.commands.db",
    "fakewatch.commands.model",
    "fakewatch.commands.setup",
    "fakewatch.commands.doctor",
)

LOGGER = logging.getLogger("fakewatch")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="fakewatch", description="Watch news sources for fake news."
    )
    parser.add_argument("--version", action="version", version=f"fakewatch {__version__}")
    parser.add_argument(
        "--config", metavar="FILE", help="settings file (TOML); default $FAKEWATCH_CONFIG"
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.DEBUG if args.verbose > 1 else logging.INFO if args.verbose else logging.WARNING
    configure_logging(level, "text")
    from fakewatch.settings import load_settings

    try:
        if getattr(args, "reads_own_settings", False):
            return int(args.handler(args, None) or 0)
        settings = load_settings(args.config)
        return int(args.handler(args, settings) or 0)
    except user_errors() as exc:
        print(f"fakewatch: error: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:  # locked, read-only, full: the user's to fix, one line
        print(f"fakewatch: error: {failure_message(None, exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("fakewatch: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
