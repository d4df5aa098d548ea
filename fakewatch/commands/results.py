"""`fakewatch query` and `fakewatch stats`: stored articles with their verdicts, and fake rates."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from db.results import (
    EVIDENCE,
    RESULT_COLUMNS,
    SORT_KEYS,
    STATUSES,
    TIME_FIELDS,
    UNSCORED,
    VERDICTS,
    ResultQuery,
    SourceStats,
    Window,
    iter_results,
    model_names,
    source_categories,
    source_names,
    source_stats,
)
from db.search import SYNTAX, parse_search
from db.types import utcnow
from fakewatch.commands.options import (
    TABLE_LIMIT,
    add_repeatable,
    choice,
    row_limit,
    split_values,
    terminal_width,
)
from fakewatch.database import open_database
from fakewatch.output import FILE_FORMATS, FORMATS, write_parquet, write_records
from fakewatch.result_tables import print_results_table, print_stats_table
from fakewatch.settings import Settings, SettingsError
from fakewatch.times import TIME_FORMS, parse_span, parse_time

TABLE_COLUMNS = (
    "article_id",
    "fetched_at",
    "source",
    "verdict",
    "probability_fake",
    "model",
    "title",
)
# What `query --explain` adds to the table, before the title.
EXPLAIN_COLUMNS = ("shift_score", "explanation")
# What `query --evidence` adds to the table, before the title: the claim and who checked it.
EVIDENCE_COLUMNS = ("evidence", "match_score", "fact_checker", "claim", "review_url")
DEFAULT_WINDOWS = ("24h", "7d", "all")
# The counts a category's row sums over its sources.
SUMMED = ("articles", "scored", "fake", "waiting", "skipped", "errors")
STATS_COLUMNS = (
    "source", "model", "window", "articles", "scored", "fake", "fake_rate", "waiting", "skipped",
    "errors", "last_fetched",
)  # fmt: skip


def register(subparsers: Any) -> None:
    _register_query(subparsers)
    _register_stats(subparsers)


def _register_query(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "query",
        help="list stored articles with their verdicts: filter, sort, print a table, CSV or JSON",
        description="Stored articles with their current verdict (the `results` view). "
        f"Times are UTC; TIME is {TIME_FORMS}.",
    )
    parser.add_argument(
        "--search",
        metavar="WORDS",
        help=f"only articles whose title or text match, best match first: {SYNTAX}",
    )
    add_repeatable(parser, "--source", "NAME", "only this source (repeat, or separate by commas)")
    parser.add_argument("--since", metavar="TIME", help="only those from TIME on (inclusive)")
    parser.add_argument("--until", metavar="TIME", help="only those before TIME (exclusive)")
    parser.add_argument(
        "--time",
        default="fetched",
        metavar="|".join(TIME_FIELDS),
        help="which time --since and --until look at (default: fetched)",
    )
    add_repeatable(
        parser,
        "--verdict",
        "|".join((*VERDICTS, UNSCORED)),
        "only this verdict (repeat, or separate by commas)",
    )
    add_repeatable(
        parser,
        "--status",
        "|".join(STATUSES),
        "only articles in this state (repeat, or separate by commas)",
    )
    add_repeatable(
        parser,
        "--evidence",
        "|".join(EVIDENCE),
        "only articles whose best fact-check match gives this evidence: debunked (repeats a "
        "claim rated false or mostly false) or supported; the table then shows the claim",
    )
    parser.add_argument(
        "--model",
        metavar="NAME",
        help="verdicts of this model (default: each article's latest verdict, "
        "whichever model gave it)",
    )
    parser.add_argument("--min-probability", metavar="P", help="probability of fake at least P")
    parser.add_argument("--max-probability", metavar="P", help="probability of fake at most P")
    parser.add_argument(
        "--sort",
        metavar="|".join(SORT_KEYS),
        help="order by this (default: fetched, newest first; relevance with --search)",
    )
    direction = parser.add_mutually_exclusive_group()
    direction.add_argument(
        "--desc",
        dest="descending",
        action="store_true",
        default=None,
        help="largest or newest first (the default, except for source)",
    )
    direction.add_argument(
        "--asc", dest="descending", action="store_false", help="smallest or oldest first"
    )
    parser.add_argument(
        "--limit",
        metavar="N",
        help=f"at most N rows, 0 for all (default: {TABLE_LIMIT} for the table, "
        "all for the other formats)",
    )
    parser.add_argument(
        "--format",
        default="table",
        metavar="|".join((*FORMATS, *FILE_FORMATS)),
        help="output format (default: table; jsonl streams one object a line; parquet writes "
        "--output FILE)",
    )
    parser.add_argument("--output", metavar="FILE", help="the file --format parquet writes")
    parser.add_argument(
        "--columns", metavar="COL,...", help="columns to print, from: " + ", ".join(RESULT_COLUMNS)
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="show why: each verdict's domain shift (0 like the training data .. 1 unlike) and "
        "the words and features that pushed its score most (positive: towards fake)",
    )
    parser.set_defaults(handler=run_query)


def _register_stats(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "stats",
        help="per source: articles stored, scored, fake and the fake rate over time windows",
        description="Per source and model, over windows of fetch time ending now: articles "
        "stored, scored by the model, flagged fake, and the fake rate (fake / scored).",
    )
    add_repeatable(
        parser,
        "--window",
        "SPAN",
        "a window such as 1h, 24h, 7d, 30d, or all (repeat, or separate by "
        f"commas; default: {','.join(DEFAULT_WINDOWS)})",
    )
    add_repeatable(parser, "--source", "NAME", "only this source (repeat, or separate by commas)")
    add_repeatable(
        parser, "--model", "NAME", "only this model's verdicts (default: a row for every model)"
    )
    parser.add_argument(
        "--as-of",
        metavar="TIME",
        help="end the windows at TIME instead of now; later articles are left out",
    )
    parser.add_argument(
        "--by",
        choices=("source", "category"),
        default="source",
        help="one row per source (default), or per category of source (wire, satire, ...): "
        "the sums of its sources",
    )
    parser.add_argument(
        "--format",
        default="table",
        metavar="|".join(FORMATS),
        help="output format (default: table)",
    )
    parser.set_defaults(handler=run_stats)


def run_query(args: argparse.Namespace, settings: Settings) -> int:
    now = utcnow()
    fmt = choice("--format", args.format, (*FORMATS, *FILE_FORMATS))
    if fmt in FILE_FORMATS and not args.output:
        raise SettingsError(f"--format {fmt} writes a file: give --output FILE")
    columns = _columns(args.columns, "json" if fmt in FILE_FORMATS else fmt, explain=args.explain,
                       evidence=bool(args.evidence))  # fmt: skip
    query = _result_query(args, now)
    wanted = query.limit
    if fmt == "table" and query.limit is not None:
        query = replace(query, limit=query.limit + 1)  # one more tells whether it was cut
    engine = open_database(settings)
    try:
        with Session(engine) as session, _quiet_when_the_reader_leaves():
            _check_names(session, query.sources, [query.model] if query.model else [])
            rows = iter_results(session, query)
            if fmt == "table":
                _print_results(rows, columns, wanted)
            elif fmt == "parquet":
                count = write_parquet(rows, columns, args.output)
                print(f"{count} results written to {args.output}", file=sys.stderr)
            else:
                write_records(rows, columns, fmt, sys.stdout)
    finally:
        engine.dispose()
    return 0


def run_stats(args: argparse.Namespace, settings: Settings) -> int:
    now = utcnow()
    fmt = choice("--format", args.format, FORMATS)
    windows = _windows(split_values(args.window) or list(DEFAULT_WINDOWS))
    sources, models = split_values(args.source), split_values(args.model)
    as_of = _time("--as-of", args.as_of, now)
    engine = open_database(settings)
    try:
        with Session(engine) as session:
            _check_names(session, sources, models)
            stats = source_stats(
                session, windows, now=as_of or now, sources=sources, models=models, until=as_of
            )
            categories = source_categories(session)
    finally:
        engine.dispose()
    records = [_stats_record(s) for s in stats]
    columns: tuple[str, ...] = STATS_COLUMNS
    if args.by == "category":
        records = _by_category(records, categories)
        columns = ("category", *STATS_COLUMNS[1:])
    with _quiet_when_the_reader_leaves():
        if fmt != "table":
            write_records(records, columns, fmt, sys.stdout)
        elif records:
            print_stats_table(records, columns, sys.stdout, width=terminal_width())
        else:
            print("no sources in the store yet; `fakewatch crawl` or `fakewatch run` fills it")
    return 0


def _result_query(args: argparse.Namespace, now: datetime) -> ResultQuery:
    """The query the options ask for, or a SettingsError naming the first bad option."""
    verdicts = [choice("--verdict", v, (*VERDICTS, UNSCORED)) for v in split_values(args.verdict)]
    statuses = [choice("--status", s, STATUSES) for s in split_values(args.status)]
    evidence = [choice("--evidence", e, EVIDENCE) for e in split_values(args.evidence)]
    since, until = _time("--since", args.since, now), _time("--until", args.until, now)
    if since is not None and until is not None and since >= until:
        raise SettingsError(f"--since ({args.since}) must be before --until ({args.until})")
    low = _probability("--min-probability", args.min_probability)
    high = _probability("--max-probability", args.max_probability)
    if low is not None and high is not None and low > high:
        raise SettingsError(f"--min-probability ({low:g}) is above --max-probability ({high:g})")
    if args.search is not None:
        parse_search(args.search)  # a bad search fails here, before any output
    sort = choice("--sort", args.sort or ("relevance" if args.search else "fetched"), SORT_KEYS)
    if sort == "relevance" and args.search is None:
        raise SettingsError("--sort relevance ranks a search: give --search WORDS")
    # Times and probabilities sort newest and most confident first; sources from A.
    descending = sort != "source" if args.descending is None else args.descending
    return ResultQuery(
        sources=tuple(split_values(args.source)),
        verdicts=tuple(verdicts),
        statuses=tuple(statuses),
        evidence=tuple(evidence),
        model=args.model,
        since=since,
        until=until,
        time_field=choice("--time", args.time, TIME_FIELDS),
        min_probability=low,
        max_probability=high,
        sort=sort,
        descending=descending,
        limit=row_limit(args.limit, args.format),
        search=args.search,
    )


def _time(option: str, text: str | None, now: datetime) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_time(text, now)
    except ValueError as exc:
        raise SettingsError(f"{option}: {exc}") from None


def _probability(option: str, text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise SettingsError(f"{option} {text!r} is not a probability; use a number from 0 to 1")
    return value


def _columns(
    text: str | None, fmt: str, *, explain: bool = False, evidence: bool = False
) -> tuple[str, ...]:
    if text is None and fmt == "table" and (explain or evidence):
        title = TABLE_COLUMNS.index("title")
        extra = (EXPLAIN_COLUMNS if explain else ()) + (EVIDENCE_COLUMNS if evidence else ())
        return TABLE_COLUMNS[:title] + extra + TABLE_COLUMNS[title:]
    if text is None:
        return TABLE_COLUMNS if fmt == "table" else RESULT_COLUMNS
    columns = tuple(choice("--columns", c, RESULT_COLUMNS) for c in split_values([text]))
    if not columns:
        raise SettingsError("--columns names no column; choose from " + ", ".join(RESULT_COLUMNS))
    return columns


def _windows(names: Sequence[str]) -> list[Window]:
    windows = []
    for name in names:
        if name == "all":
            windows.append(Window("all", None))
            continue
        try:
            windows.append(Window(name, parse_span(name)))
        except ValueError as exc:
            raise SettingsError(f"--window: {exc}, or `all`") from None
    return windows


def _check_names(session: Session, sources: Sequence[str], models: Sequence[str]) -> None:
    """Refuse source and model names the store does not know, since they would match nothing."""
    if sources:
        known = source_names(session)
        for name in sources:
            if name not in known:
                listed = ", ".join(known) if known else "none yet"
                raise SettingsError(
                    f"--source {name!r}: no such source in the store (known: {listed})"
                )
    if models:
        known = model_names(session)
        for name in models:
            if name not in known:
                listed = ", ".join(known) if known else "none yet"
                raise SettingsError(
                    f"--model {name!r}: no article has been scored by it "
                    f"(models with verdicts: {listed})"
                )


@contextlib.contextmanager
def _quiet_when_the_reader_leaves() -> Iterator[None]:
    """Stop quietly when the reader goes away (`| head`), as other Unix tools do."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        # Python flushes stdout again at exit; point it at /dev/null so that cannot fail.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _print_results(
    rows: Iterator[dict[str, Any]], columns: Sequence[str], limit: int | None
) -> None:
    shown = list(rows)
    cut = limit is not None and len(shown) > limit
    shown = shown[:limit] if limit is not None else shown
    if not shown:
        print("no results")
        return
    print_results_table(shown, columns, sys.stdout, width=terminal_width())
    if cut:
        print(f"(first {limit} shown; --limit N for more, --limit 0 for all)", file=sys.stderr)


def _by_category(records: list[dict[str, Any]], categories: dict[str, str]) -> list[dict[str, Any]]:
    """Source rows summed per (category, model, window); windows stay in their order."""
    summed: dict[tuple[Any, ...], dict[str, Any]] = {}
    for record in records:
        category = categories.get(record["source"], "other") if record["source"] else "-"
        key = (category, record["model"], record["window"])
        if key not in summed:
            empty = dict.fromkeys(SUMMED, 0)
            summed[key] = {**record, **empty, "category": category, "last_fetched": None}
        total = summed[key]
        for column in SUMMED:
            total[column] += record[column]
        last = record["last_fetched"]
        if last is not None and (total["last_fetched"] is None or last > total["last_fetched"]):
            total["last_fetched"] = last
    for total in summed.values():
        total["fake_rate"] = total["fake"] / total["scored"] if total["scored"] else None
    return sorted(summed.values(), key=lambda r: (r["category"], r["model"] or ""))


def _stats_record(stats: SourceStats) -> dict[str, Any]:
    return {
        "source": stats.source,
        "model": stats.model,
        "window": stats.window,
        "articles": stats.articles,
        "scored": stats.scored,
        "fake": stats.fake,
        "fake_rate": stats.fake_rate,
        "waiting": stats.waiting,
        "skipped": stats.skipped,
        "errors": stats.errors,
        "last_fetched": stats.last_fetched,
    }
