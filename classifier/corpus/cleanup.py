"""Corpus cleanup at training time: the crawler's cleaning and skip rules, applied to rows.

Each row's text is cleaned with `articles.cleaning.clean_text`, as a crawled page's is, then
judged with `articles.skip_rules.skip_reason`; `CleanupReport` counts the dropped rows per
reason so a training run can print and keep what it threw away.
"""

from __future__ import annotations

import dataclasses
import logging

import pandas as pd

from articles.cleaning import clean_text
from articles.skip_rules import CORPUS_RULES, SkipRules, reason_label, skip_reason

LOGGER = logging.getLogger(__name__)


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
    corpus: pd.DataFrame, rules: SkipRules = CORPUS_RULES
) -> tuple[pd.DataFrame, CleanupReport]:
    """Clean each row's text and drop the rows the skip rules reject.

    Returns the kept rows (original index, cleaned text) and the report, whose reasons are
    `articles.skip_rules.REASONS` keys.
    """
    report = CleanupReport(rows_in=len(corpus))
    text = corpus["text"].fillna("").astype(str).map(clean_text)
    reasons = text.map(lambda value: skip_reason(value, rules))
    for reason, count in reasons.dropna().map(reason_label).value_counts(sort=False).items():
        report.drop(str(reason), int(count))
    keep = reasons.isna()
    kept = corpus[keep].assign(text=text[keep])
    LOGGER.info("cleanup: %s", report.summary())
    return kept, report
