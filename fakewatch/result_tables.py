"""`fakewatch query` and `fakewatch stats` tables as people read them.

Short headers, times to the minute in UTC, probabilities to three places, rates in percent,
`-` for a missing value; titles (or URLs) are cut to fit the terminal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TextIO

from fakewatch.output import write_table

HEADERS = {
    "article_id": "ID",
    "probability_fake": "P(FAKE)",
    "model_version": "VERSION",
    "status_reason": "REASON",
    "fake_rate": "FAKE RATE",
    "last_fetched": "LAST FETCHED",
    "shift_score": "SHIFT",
    "explanation": "WHY (LOG-ODDS)",
    "match_score": "MATCH",
    "fact_checker": "CHECKED BY",
    "review_url": "REVIEW",
    "claim_rating": "RATING",
    "reviewed_at": "REVIEWED",
}
# Columns cut to this many characters in a table (machine formats give them whole).
CUT = {"claim": 60}
# Contributions shown per row in a table; machine formats give every stored one.
TABLE_CONTRIBUTIONS = 4
NUMERIC = {
    "article_id",
    "probability_fake",
    "threshold",
    "shift_score",
    "match_score",
    "articles",
    "scored",
    "fake",
    "fake_rate",
    "waiting",
    "skipped",
    "errors",
}
DATETIMES = {"published_at", "fetched_at", "scored_at", "last_fetched", "reviewed_at"}


def print_results_table(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], stream: TextIO, *, width: int
) -> None:
    """Results, one line each, the title (else the URL) cut to fit `width`."""
    elastic = next((columns.index(c) for c in ("title", "url") if c in columns), None)
    write_table(
        [_header(c) for c in columns],
        [[_cell(c, row[c]) for c in columns] for row in rows],
        stream,
        width=width,
        elastic=elastic,
        right=[i for i, c in enumerate(columns) if c in NUMERIC],
    )


def print_stats_table(
    records: Sequence[Mapping[str, Any]], columns: Sequence[str], stream: TextIO, *, width: int
) -> None:
    """One line per window; a source's name, model and last fetch only on its first line."""
    rows: list[list[str]] = []
    previous = None
    for record in records:
        row = [_cell(c, record[c]) for c in columns]
        group = (record.get("category", record["source"]), record["model"])
        if group == previous:
            for i, column in enumerate(columns):
                if column in ("source", "category", "model", "last_fetched"):
                    row[i] = ""
        previous = group
        rows.append(row)
    write_table(
        [_header(c) for c in columns],
        rows,
        stream,
        width=width,
        right=[i for i, c in enumerate(columns) if c in NUMERIC],
    )


def _header(column: str) -> str:
    name = HEADERS.get(column, column.removesuffix("_at").upper())
    return f"{name} (UTC)" if column in DATETIMES else name


def _cell(column: str, value: Any) -> str:
    """A value as people read it: times to the minute, probabilities to 3 places, rates in %."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if column == "fake_rate":
        return f"{value:.1%}"
    if column == "explanation":
        return explanation_text(value[:TABLE_CONTRIBUTIONS])
    if isinstance(value, float):
        return f"{value:.3f}"
    text = str(value)
    limit = CUT.get(column)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "\u2026"


def explanation_text(contributions: Sequence[Sequence[Any]]) -> str:
    """[[feature, weight], ...] as "hoax +0.25, officials -0.30" (positive: towards fake)."""
    return ", ".join(f"{feature} {float(weight):+.2f}" for feature, weight in contributions) or "-"
