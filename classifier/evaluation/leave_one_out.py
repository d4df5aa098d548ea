"""Leave one corpus out: train on all corpora but one, score the one left out, for each.

A model's score on its own corpus's test split rewards the house style of that corpus
(datelines, publishers, boilerplate); the sources a user monitors are never the training
corpus. So the question asked here is how a configuration does on a corpus it has never seen:
per left-out corpus, AUC and log loss of the probabilities, and, at the threshold the model
chose on its own validation split, how often its "fake" verdict is right, how many fakes it
finds, how many real articles it flags, and how many it leaves uncertain.

A second question is how many labels of a new corpus make the verdict hold there, as a user's
reviews of their own sources would (`fakewatch review --export`): with `labelled_rows`, that
many articles of the left-out corpus (whole duplicate groups, stratified by label) join the
training data, or with `labelled_only` are the whole of it, and the rest of the corpus is
scored. Labelled articles teach the style of the sites they come from; `labelled_by="source"`
takes them from whole sources (the `source` column) and scores the other sources, which asks
whether labels of some sites carry to sites of the same kind that nobody labelled.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from classifier.corpus.dedup import duplicate_groups
from classifier.corpus.splits import split_by_source, split_corpus
from classifier.errors import CorpusError
from classifier.evaluation.metrics import compute_metrics
from classifier.models.base import FakeNewsModel
from classifier.models.calibration import VERDICT_FAKE, VERDICT_UNCERTAIN

LOGGER = logging.getLogger(__name__)

LABELLED_BY = ("random", "source")
# At most this share of a left-out corpus may be labelled: the rest is what is scored.
MAX_LABELLED_SHARE = 0.5
# Columns of the table, in order, with their headings.
TABLE_COLUMNS = {
    "corpus": "left out",
    "labelled_rows": "labelled rows of it",
    "articles": "articles",
    "fake": "fake",
    "roc_auc": "AUC",
    "log_loss": "log loss",
    "precision": "precision of fake",
    "recall": "recall of fake",
    "real_flagged_fake": "real flagged fake",
    "uncertain": "uncertain",
    "out_of_distribution": "beyond shift limit",
    "threshold": "threshold",
}


@dataclasses.dataclass(frozen=True)
class HeldOutScore:
    """How a model trained without one corpus did on that corpus."""

    corpus: str
    trained_on: tuple[str, ...]
    train_rows: int
    articles: int
    fake: int
    roc_auc: float
    log_loss: float
    precision: float  # of the "fake" verdict, at the model's own threshold
    recall: float
    real_flagged_fake: float  # share of the real articles given a "fake" verdict
    uncertain: float  # share of all articles left "uncertain"
    # Share beyond the model's domain-shift limit (NaN without a detector): where a "fake"
    # becomes "uncertain".
    out_of_distribution: float
    threshold: float
    seconds: float
    # Articles of this corpus in the training data (`labelled_rows`), not among those scored.
    labelled_rows: int = 0

    def row(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dataclasses.asdict(self)


def leave_one_corpus_out(
    corpus: pd.DataFrame,
    make_model: Callable[[], FakeNewsModel],
    *,
    held_out: Sequence[str] = (),
    validation_size: float = 0.1,
    seed: int = 42,
    labelled_rows: int = 0,
    labelled_only: bool = False,
    labelled_by: str = "random",
    on_step: Callable[[str], None] = LOGGER.info,
) -> list[HeldOutScore]:
    """Score each corpus (each of `held_out`, or all) with a model trained on the others.

    `corpus` is cleaned rows with a `corpus` column. The training part is split into train
    and validation (duplicate groups kept together, stratified by corpus and label); the
    validation rows calibrate the model and choose its thresholds, as `fakewatch train` does.
    `labelled_rows` articles of the left-out corpus join the training part (`labelled_only`:
    they are all of it) and are not scored; `labelled_by` is one of LABELLED_BY.
    """
    if labelled_by not in LABELLED_BY:
        raise CorpusError(f"--labelled-by {labelled_by}: use one of {', '.join(LABELLED_BY)}")
    if labelled_rows < 0:
        raise CorpusError(f"--labelled {labelled_rows}: give a number of rows, 0 or more")
    if labelled_only and labelled_rows == 0:
        raise CorpusError("--labelled-only needs --labelled N, a number of rows above 0")
    names = sorted(corpus["corpus"].unique()) if "corpus" in corpus else []
    if len(names) < 2:
        raise CorpusError("leave-one-out needs at least two corpora: give --data twice or more")
    unknown = sorted(set(held_out) - set(names))
    if unknown:
        raise CorpusError(
            f"no corpus named {', '.join(unknown)}: the corpora are {', '.join(names)}"
        )
    scores = []
    for name in held_out or names:
        rest, left_out = corpus[corpus["corpus"] != name], corpus[corpus["corpus"] == name]
        labelled = left_out.iloc[:0]
        if labelled_rows:
            labelled, left_out = labelled_part(
                left_out, name, labelled_rows, seed, by_source=labelled_by == "source"
            )
            rest = labelled if labelled_only else pd.concat([rest, labelled])
        splits = split_corpus(
            rest, duplicate_groups(rest), validation_size=validation_size, test_size=0.0, seed=seed
        )
        if splits.validation["label"].nunique() < 2:
            raise CorpusError(
                f"the validation rows for leaving out {name} hold one class only: "
                "give more --labelled rows or a larger --validation-size"
            )
        trained_on = tuple(sorted(rest["corpus"].unique()))
        on_step(f"{name}: training on {len(splits.train)} articles of {', '.join(trained_on)}")
        started = time.perf_counter()
        model = make_model().fit(
            splits.train,
            splits.train["label"].to_numpy(),
            splits.validation,
            splits.validation["label"].to_numpy(),
        )
        score = _score(model, left_out, name, trained_on, len(splits.train))
        score = dataclasses.replace(
            score,
            seconds=round(time.perf_counter() - started, 1),
            labelled_rows=len(labelled),
        )
        on_step(
            f"{name}: AUC {score.roc_auc:.3f}, precision of fake {score.precision:.3f}, "
            f"recall {score.recall:.3f}, real flagged fake {score.real_flagged_fake:.3f}"
        )
        scores.append(score)
    return scores


def labelled_part(
    rows: pd.DataFrame, name: str, size: int, seed: int, *, by_source: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """About `size` rows of a corpus and the rest: whole duplicate groups stratified by label,
    or (`by_source`) whole sources, so that no source scored had an article labelled."""
    if size >= len(rows) * MAX_LABELLED_SHARE:
        raise CorpusError(
            f"--labelled {size} would leave too few of the {len(rows)} articles of {name} "
            f"to score: give at most {int(len(rows) * MAX_LABELLED_SHARE) - 1}"
        )
    groups, share = duplicate_groups(rows), size / len(rows)
    if by_source:
        if "source" not in rows or rows["source"].isna().all():
            raise CorpusError(
                f"{name} has no source column: --labelled-by source needs one (--source-column)"
            )
        # Its "test" side always holds one source: unlabelled, so scored with the rest.
        parts = split_by_source(
            rows, validation_size=share, test_size=0.0, seed=seed, groups=groups
        )
        labelled, rest = parts.validation, pd.concat([parts.train, parts.test])
    else:
        parts = split_corpus(rows, groups, validation_size=share, test_size=0.0, seed=seed)
        labelled, rest = parts.validation, parts.train
    if labelled["label"].nunique() < 2:
        raise CorpusError(
            f"{size} labelled rows of {name} hold one class only: give --labelled a larger number"
            + (" (a source's articles often share one label)" if by_source else "")
        )
    return labelled, rest


def _score(
    model: FakeNewsModel,
    rows: pd.DataFrame,
    name: str,
    trained_on: tuple[str, ...],
    train_rows: int,
) -> HeldOutScore:
    labels = rows["label"].to_numpy()
    assessment = model.assess(rows)  # probability, shift and verdict: preprocessed once
    metrics = compute_metrics(
        labels, assessment.proba_fake, model.threshold_, model.real_threshold_
    )
    shift, verdicts = assessment.shift, assessment.verdicts
    detector = model.domain_shift_
    flagged = verdicts == VERDICT_FAKE
    real = labels == 0
    return HeldOutScore(
        corpus=name,
        trained_on=trained_on,
        train_rows=train_rows,
        articles=len(rows),
        fake=int(labels.sum()),
        roc_auc=metrics["roc_auc"],
        log_loss=metrics["log_loss"],
        precision=float(labels[flagged].mean()) if flagged.any() else float("nan"),
        recall=float(flagged[~real].mean()) if (~real).any() else float("nan"),
        real_flagged_fake=float(flagged[real].mean()) if real.any() else float("nan"),
        uncertain=float(np.mean(verdicts == VERDICT_UNCERTAIN)),
        out_of_distribution=(
            float(np.mean(~detector.in_distribution(shift))) if detector else float("nan")
        ),
        threshold=float(model.threshold_),
        seconds=0.0,
    )


def markdown_table(scores: Sequence[HeldOutScore], model: str = "") -> str:
    """The scores as a Markdown table, one row per left-out corpus (and `model` column)."""
    # The labelled rows' column only where some were labelled.
    columns = {
        key: title
        for key, title in TABLE_COLUMNS.items()
        if key != "labelled_rows" or any(score.labelled_rows for score in scores)
    }
    heading = (["model"] if model else []) + list(columns.values())
    lines = ["| " + " | ".join(heading) + " |", "|" + " --- |" * len(heading)]
    for score in scores:
        row = score.row()
        cells = ([model] if model else []) + [_cell(row[key]) for key in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "-" if np.isnan(value) else f"{value:.3f}"
    return str(value)
