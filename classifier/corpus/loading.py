"""Load a labelled corpus (CSV, CSV.gz or Parquet) into fakewatch's layout: title, text, label.

Column names and label values are options, so corpora other than WELFake load without
editing them. Inside fakewatch, label 1 = fake and 0 = real; any other value in the label
column is an error, never silently dropped.
"""

from __future__ import annotations

import csv
import dataclasses
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from classifier.errors import CorpusError
from common.messages import first_line

LOGGER = logging.getLogger(__name__)

# Columns that name where an article came from, for source-disjoint splits.
SOURCE_COLUMN_CANDIDATES = ("source", "site", "domain", "publisher")


@dataclasses.dataclass(frozen=True)
class CorpusFormat:
    """Where title, text and label are in a file, and which label values mean fake or real."""

    title_column: str | None = "title"
    text_column: str = "text"
    label_column: str = "label"
    fake_values: tuple[str, ...] = ("1", "fake")
    real_values: tuple[str, ...] = ("0", "real")
    source_column: str | None = None
    title_optional: bool = False  # a corpus without the title column gets empty titles


def load_corpus(path: str | Path, corpus_format: CorpusFormat | None = None) -> pd.DataFrame:
    """Read a corpus file into columns title, text, label (1 = fake) and source when known."""
    corpus_format = corpus_format or CorpusFormat()
    raw = read_table(path)
    if corpus_format.title_optional and corpus_format.title_column not in raw.columns:
        corpus_format = dataclasses.replace(corpus_format, title_column=None)
    wanted = [corpus_format.text_column, corpus_format.label_column]
    if corpus_format.title_column:
        wanted.insert(0, corpus_format.title_column)
    if corpus_format.source_column:
        wanted.append(corpus_format.source_column)
    missing = [column for column in wanted if column not in raw.columns]
    if missing:
        raise CorpusError(
            f"{path} lacks column(s) {', '.join(missing)} "
            f"(it has {', '.join(map(str, raw.columns))}): "
            "name the right ones with --title-column/--text-column/--label-column"
        )
    corpus = pd.DataFrame(
        {
            "title": _as_text(raw[corpus_format.title_column])
            if corpus_format.title_column
            else "",
            "text": _as_text(raw[corpus_format.text_column]),
            "label": map_labels(raw[corpus_format.label_column], corpus_format, path),
        },
        index=pd.RangeIndex(len(raw)),
    )
    source_column = corpus_format.source_column or next(
        (column for column in SOURCE_COLUMN_CANDIDATES if column in raw.columns), None
    )
    if source_column:
        corpus["source"] = _as_text(raw[source_column]).to_numpy()
    if "id" in raw.columns:
        corpus["id"] = _as_text(raw["id"]).to_numpy()
    LOGGER.info(
        "loaded %d articles (%d fake) from %s", len(corpus), int(corpus["label"].sum()), path
    )
    return corpus


def load_corpora(
    paths: Sequence[str | Path], corpus_format: CorpusFormat | None = None
) -> pd.DataFrame:
    """Several corpus files as one frame whose `corpus` column names each row's file.

    A corpus is named after its file, without the extensions (`gossipcop.csv.gz` is
    `gossipcop`); two files of one name are an error, since the name is what reports and the
    manifest use to tell corpora apart.
    """
    if not paths:
        raise CorpusError("no corpus file given: name at least one with --data")
    frames: list[pd.DataFrame] = []
    for path in paths:
        name = corpus_name(path)
        if any(frame.attrs["corpus"] == name for frame in frames):
            raise CorpusError(f"two corpus files are named {name!r}: rename one of them")
        frame = load_corpus(path, corpus_format).assign(corpus=name)
        frame.attrs["corpus"] = name
        frames.append(frame)
    corpus = pd.concat(frames, ignore_index=True)
    corpus.attrs = {}
    return corpus


def corpus_name(path: str | Path) -> str:
    """A corpus file's name without its extensions: `data/liar_train.csv.gz` -> `liar_train`."""
    return Path(path).name.split(".", 1)[0]


def read_table(path: str | Path) -> pd.DataFrame:
    """A CSV, CSV.gz or Parquet file as a frame of strings; CorpusError when unreadable."""
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"corpus file {path} does not exist: check the path")
    name = path.name.lower()
    try:
        if name.endswith((".parquet", ".pq")):
            return pd.read_parquet(path)
        if name.endswith((".csv", ".csv.gz", ".tsv", ".tsv.gz", ".csv.bz2", ".csv.zip")):
            _allow_long_fields()
            sep = "\t" if ".tsv" in name else ","
            return pd.read_csv(path, sep=sep, keep_default_na=False, dtype=str)
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise CorpusError(
            f"cannot read {path} ({first_line(exc)}): it must be UTF-8 CSV with a header row, "
            "or Parquet"
        ) from None
    raise CorpusError(f"{path}: unknown file type: use .csv, .csv.gz, .tsv or .parquet")


def map_labels(values: pd.Series, corpus_format: CorpusFormat, path: str | Path) -> pd.Series:
    """Label values mapped to 1 (fake) and 0 (real); unknown values are a CorpusError."""
    keys = values.astype(str).str.strip().str.lower()
    # Parquet and some CSV writers give 1.0 for 1.
    keys = keys.str.replace(r"^(-?\d+)\.0+$", r"\1", regex=True)
    fake = {value.strip().lower() for value in corpus_format.fake_values}
    real = {value.strip().lower() for value in corpus_format.real_values}
    if fake & real:
        raise CorpusError(f"label value(s) {', '.join(sorted(fake & real))} are both fake and real")
    unknown = sorted(set(keys) - fake - real)
    if unknown:
        shown = ", ".join(repr(value) for value in unknown[:5])
        raise CorpusError(
            f"{path}: label column has value(s) {shown} that are neither fake "
            f"({', '.join(sorted(fake))}) nor real ({', '.join(sorted(real))}): "
            "set --fake-values/--real-values"
        )
    return keys.isin(fake).astype(int)


def _as_text(column: pd.Series) -> pd.Series:
    return column.where(column.notna(), "").astype(str)


def _allow_long_fields() -> None:
    # Article texts exceed the csv module's default 128 KiB field limit in some corpora.
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
