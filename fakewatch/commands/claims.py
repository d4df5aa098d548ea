"""`fakewatch claims`: the fact-checkers' claims in the store, searched and listed."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sqlalchemy.orm import Session

from db.claims import claim_rows
from factchecks.ratings import RATINGS
from fakewatch.commands.options import (
    add_repeatable,
    choice,
    row_limit,
    split_values,
    terminal_width,
)
from fakewatch.database import open_database
from fakewatch.output import FORMATS, write_records
from fakewatch.result_tables import print_results_table
from fakewatch.settings import Settings

CLAIM_COLUMNS = (
    "id", "reviewed_at", "fact_checker", "rating", "rating_words", "articles", "claim",
    "claimant", "language", "review_url",
)  # fmt: skip
TABLE_COLUMNS = ("id", "reviewed_at", "fact_checker", "rating", "articles", "claim")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "claims",
        help="list and search the fact-checkers' claims in the store, with their ratings",
        description="Claims read from fact-checkers' ClaimReview markup, newest review first, "
        "with how many stored articles repeat each. Ratings are normalised to: "
        + ", ".join(RATINGS) + " (the fact-checker's own words are in rating_words).",
    )  # fmt: skip
    parser.add_argument("--search", metavar="WORDS", help="only claims containing all these words")
    add_repeatable(parser, "--fact-checker", "NAME", "only this fact-checker (repeat, or commas)")
    add_repeatable(parser, "--rating", "|".join(RATINGS), "only this rating (repeat, or commas)")
    parser.add_argument("--limit", metavar="N", help="at most N claims (table default 50; 0: all)")
    parser.add_argument("--format", default="table", metavar="|".join(FORMATS),
                        help="table (default), csv, json or jsonl")  # fmt: skip
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    fmt = choice("--format", args.format, FORMATS)
    ratings = [choice("--rating", r, RATINGS) for r in split_values(args.rating)]
    engine = open_database(settings)
    try:
        with Session(engine) as session:
            rows = claim_rows(
                session, search=args.search, fact_checkers=split_values(args.fact_checker),
                ratings=ratings, limit=row_limit(args.limit, fmt),
            )  # fmt: skip
    finally:
        engine.dispose()
    if fmt != "table":
        write_records(rows, CLAIM_COLUMNS, fmt, sys.stdout)
    elif rows:
        print_results_table(rows, TABLE_COLUMNS, sys.stdout, width=terminal_width())
    else:
        print("no claims match; claims come from fact-check sources (category = 'factcheck') "
              "that `fakewatch run` or `fakewatch crawl` reads")  # fmt: skip
    return 0
