"""Records for people (an aligned table) or machines (CSV, JSON, JSON Lines); progress lines.

Machine formats write one record at a time, so a caller that streams rows from the database
never holds them all; JSON Lines flushes after each line for consumers that follow along.
"""

from __future__ import annotations

import csv
import enum
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from fakewatch.times import iso_utc

MACHINE_FORMATS = ("csv", "json", "jsonl")
# Text cells spreadsheets read as formulas (OWASP's list); CSV prefixes them with "'".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters (C0, DEL, C1) that would drive the terminal a table is printed to.
TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
FORMATS = ("table", *MACHINE_FORMATS)
# Written to a file (`--output`), not a stream: a columnar format for pandas, DuckDB, Spark.
FILE_FORMATS = ("parquet",)
PARQUET_BATCH = 10_000
MIN_ELASTIC_WIDTH = 20
GAP = "  "
ELLIPSIS = "…"

Record = Mapping[str, Any]


PROGRESS_MODES = ("auto", "always", "never")


def progress_wanted(mode: str) -> bool:
    """Whether to print step-by-step progress: `always`, `never`, or (`auto`) when stderr is a
    terminal, where a person waits; a log file or a pipe gets only the summary."""
    if mode == "auto":
        return sys.stderr.isatty()
    return mode == "always"


def say(message: str) -> None:
    """One progress line on stderr, where it never mixes with the records on stdout."""
    print(f"fakewatch: {message}", file=sys.stderr, flush=True)


def plain(value: Any) -> Any:
    """A value JSON can hold: datetimes as ISO 8601 UTC, enums as their value."""
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def write_records(
    records: Iterable[Record], columns: Sequence[str], fmt: str, stream: TextIO
) -> int:
    """Write records in a machine format with these columns; returns how many were written."""
    writer = {"csv": write_csv, "json": write_json, "jsonl": write_jsonl}[fmt]
    return writer(records, columns, stream)


def write_csv(records: Iterable[Record], columns: Sequence[str], stream: TextIO) -> int:
    """A header line, then one line per record; None is an empty field."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for record in records:
        writer.writerow([_csv_field(record[c]) for c in columns])
        count += 1
    return count


def _csv_field(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | dict):  # e.g. an explanation: as JSON, not Python's repr
        return json.dumps(value, ensure_ascii=False, default=plain)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value  # a spreadsheet would run "=HYPERLINK(...)" from a feed's title
    return plain(value)


def write_json(records: Iterable[Record], columns: Sequence[str], stream: TextIO) -> int:
    """One JSON array, one object per line, written as the records come."""
    count = 0
    for record in records:
        stream.write("[\n" if count == 0 else ",\n")
        stream.write(_json_object(record, columns))
        count += 1
    stream.write("[]\n" if count == 0 else "\n]\n")
    return count


def write_jsonl(records: Iterable[Record], columns: Sequence[str], stream: TextIO) -> int:
    """One JSON object per line, flushed at once; nothing at all for no records."""
    count = 0
    for record in records:
        stream.write(_json_object(record, columns) + "\n")
        stream.flush()
        count += 1
    return count


def write_parquet(records: Iterable[Record], columns: Sequence[str], path: str) -> int:
    """Write the records to a Parquet file in batches; lists (explanations) as JSON text.

    The file is written beside `path` and renamed into place at the end: an export that
    fails leaves no half-written file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    target = Path(path)
    partial = target.with_name(target.name + ".part")
    writer = None
    count = 0
    batch: list[dict[str, Any]] = []
    try:
        for record in records:
            batch.append({c: _parquet_value(record[c]) for c in columns})
            if len(batch) >= PARQUET_BATCH:
                writer = _write_batch(pa, pq, writer, batch, columns, partial)
                count += len(batch)
                batch = []
        if batch or writer is None:
            writer = _write_batch(pa, pq, writer, batch, columns, partial)
            count += len(batch)
        writer.close()
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count


def _write_batch(pa: Any, pq: Any, writer: Any, batch: list[dict[str, Any]],
                 columns: Sequence[str], path: Path) -> Any:  # fmt: skip
    table = pa.Table.from_pylist(batch, schema=writer.schema if writer else None)
    if not batch and writer is None:
        table = pa.table({c: pa.array([], pa.string()) for c in columns})
    if writer is None:
        writer = pq.ParquetWriter(str(path), table.schema)
    writer.write_table(table)
    return writer


def _parquet_value(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=plain)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def write_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    stream: TextIO,
    *,
    width: int,
    elastic: int | None = None,
    right: Iterable[int] = (),
) -> None:
    """Aligned columns; the `elastic` column (e.g. titles) is cut to fit `width` characters."""
    cells = [
        [" ".join(TERMINAL_CONTROL.sub("", cell).split()) for cell in row]
        for row in [headers, *rows]
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    if elastic is not None:
        gaps = len(GAP) * (len(widths) - 1)
        others = sum(w for i, w in enumerate(widths) if i != elastic) + gaps
        widths[elastic] = min(widths[elastic], max(MIN_ELASTIC_WIDTH, width - others))
    right_aligned = set(right)
    for row in cells:
        line = GAP.join(
            _fit(cell, w).rjust(w) if i in right_aligned else _fit(cell, w).ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        stream.write(line.rstrip() + "\n")


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + ELLIPSIS


def _json_object(record: Record, columns: Sequence[str]) -> str:
    # `default` converts only what JSON lacks (datetimes), sparing a call for every value.
    return json.dumps({c: record[c] for c in columns}, ensure_ascii=False, default=plain)
