"""The study's corpus cleanup: drop empty, non-English and link-only rows, and say why.

Each rule drops rows for one named reason; `CleanupReport` counts them so a training run
can print and keep what it threw away.
"""

from __future__ import annotations

import dataclasses
import logging
import re

import numpy as np
import pandas as pd

LOGGER = logging.getLogger(__name__)

_WORD = re.compile(r"\S+")
# Language identification reads this much of title + text: enough for a confident verdict.
LANGUAGE_SAMPLE_CHARS = 1000
# Below this many letters the language identifier guesses; such rows are not judged.
MIN_LETTERS_FOR_LANGUAGE = 40


@dataclasses.dataclass(frozen=True)
class CleanupOptions:
    """Which rows the cleanup drops."""

    language: str | None = "en"
    min_avg_word_length: float = 3.0
    max_avg_word_length: float = 10.0
    min_text_chars: int = 1


@dataclasses.dataclass
class CleanupReport:
    """Rows in, rows out, and how many were dropped for each reason."""

    rows_in: int = 0
    dropped: dict[str, int] = dataclasses.field(default_factory=dict)

    @property
    def rows_out(self) -> int:
        """Rows that survived."""
        return self.rows_in - sum(self.dropped.values())

    def drop(self, reason: str, count: int) -> None:
        """Record `count` rows dropped for `reason`."""
        if count:
            self.dropped[reason] = self.dropped.get(reason, 0) + count

    def summary(self) -> str:
        """One line: kept/total and the reasons."""
        reasons = ", ".join(f"{count} {reason}" for reason, count in self.dropped.items())
        return f"kept {self.rows_out} of {self.rows_in} articles" + (
            f" (dropped {reasons})" if reasons else ""
        )

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form for reports."""
        return {"rows_in": self.rows_in, "rows_out": self.rows_out, "dropped": dict(self.dropped)}


def clean_corpus(
    corpus: pd.DataFrame, options: CleanupOptions | None = None
) -> tuple[pd.DataFrame, CleanupReport]:
    """Drop unusable rows; returns the kept rows (original index) and the report."""
    options = options or CleanupOptions()
    report = CleanupReport(rows_in=len(corpus))
    text = corpus["text"].fillna("").astype(str)
    empty = text.str.strip().str.len() < options.min_text_chars
    report.drop("empty text", int(empty.sum()))
    kept = corpus[~empty]

    avg_word = kept["text"].map(average_word_length)
    link_only = (avg_word < options.min_avg_word_length) | (avg_word > options.max_avg_word_length)
    report.drop(
        f"link-only or garbled (average word length outside "
        f"{options.min_avg_word_length:g}-{options.max_avg_word_length:g})",
        int(link_only.sum()),
    )
    kept = kept[~link_only]

    if options.language:
        languages = identify_languages(kept["title"] + "\n" + kept["text"])
        foreign = (languages != options.language) & (languages != "")
        report.drop(f"not in language {options.language!r}", int(foreign.sum()))
        kept = kept[~foreign.to_numpy()]
    LOGGER.info("cleanup: %s", report.summary())
    return kept, report


def average_word_length(text: str) -> float:
    """Mean characters per whitespace-separated word (0.0 for no words)."""
    words = _WORD.findall(text)
    return float(np.mean([len(word) for word in words])) if words else 0.0


def identify_languages(texts: pd.Series) -> pd.Series:
    """ISO 639-1 code per text by py3langid; "" where the text is too short to judge."""
    import py3langid

    def identify(text: str) -> str:
        sample = text[:LANGUAGE_SAMPLE_CHARS]
        if sum(char.isalpha() for char in sample) < MIN_LETTERS_FOR_LANGUAGE:
            return ""
        return str(py3langid.classify(sample)[0])

    return pd.Series([identify(text) for text in texts], index=texts.index, dtype=object)
