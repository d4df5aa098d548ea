"""Training runs end to end: load, clean, deduplicate, split, fit, evaluate, save, report.

`prepare_corpus` is shared with the benchmark, so both see the same cleaned, split data.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from articles.skip_rules import CORPUS_RULES, SkipRules
from classifier.corpus.cleanup import CleanupReport, clean_corpus
from classifier.corpus.dedup import (
    DedupOptions,
    drop_duplicate_copies,
    duplicate_groups,
    duplicate_summary,
)
from classifier.corpus.loading import CorpusFormat, load_corpora
from classifier.corpus.shortcuts import CorpusAudit, audit_corpus, markdown_section
from classifier.corpus.splits import Splits, split_by_source, split_corpus
from classifier.errors import ClassifierError, CorpusError
from classifier.evaluation.metrics import compute_metrics, evaluate_model
from classifier.evaluation.report import write_report
from classifier.models import artifacts
from classifier.models.base import FakeNewsModel
from classifier.models.preprocessing import strip_source_cues

LOGGER = logging.getLogger(__name__)

SPLIT_KINDS = ("group", "source")
TEST_REPORT_DIR = f"{artifacts.REPORT_DIR_PREFIX}-test"
# A corpus under this share of the training articles is outvoted by the others: 300 labelled
# articles of GossipCop ranked the rest of it at AUC 0.811 alone, 0.703 among 14,000 others.
OUTVOTED_SHARE = 0.1


@dataclasses.dataclass(frozen=True)
class PrepareOptions:
    """How a corpus becomes train/validation/test splits."""

    corpus_format: CorpusFormat = dataclasses.field(default_factory=CorpusFormat)
    cleanup: SkipRules | None = CORPUS_RULES
    dedup: DedupOptions = dataclasses.field(default_factory=DedupOptions)
    keep_duplicate_copies: bool = False
    split: str = "group"
    validation_size: float = 0.1
    test_size: float = 0.1
    seed: int = 42


@dataclasses.dataclass
class PreparedCorpus:
    """Splits plus what happened on the way, for reports."""

    splits: Splits
    cleanup: CleanupReport
    duplicates: dict[str, int]

    def context(self) -> dict[str, Any]:
        """JSON-ready summary of the preparation."""
        return {
            "cleanup": self.cleanup.summary(),
            "duplicates": self.duplicates,
            "split sizes": self.splits.sizes(),
        }


@dataclasses.dataclass
class TrainingResult:
    """The trained model, where it was saved, and its held-out test metrics."""

    model: FakeNewsModel
    folder: Path
    report: Path
    test_metrics: dict[str, Any]


def outvoted_corpora(corpus: pd.DataFrame) -> list[str]:
    """A note per corpus that is under OUTVOTED_SHARE of several: the others outvote what its
    labels teach (measured in BENCHMARKS.md, "With labels of the left-out corpus")."""
    sizes = corpus["corpus"].value_counts()
    if len(sizes) < 2:
        return []
    return [
        f"{name} is {rows / len(corpus):.1%} of the articles: the other corpora outvote what its "
        "labels teach. If it labels the sources you watch (a review export), train on it alone "
        "once it has a few hundred articles (README: verdicts that hold on your sources)"
        for name, rows in sizes.items()
        if rows < OUTVOTED_SHARE * len(corpus)
    ]


def prepare_corpus(
    corpus: pd.DataFrame, options: PrepareOptions, on_step: Callable[[str], None] = LOGGER.info
) -> PreparedCorpus:
    """Clean, group duplicates, optionally drop copies, and split."""
    if options.split not in SPLIT_KINDS:
        raise ClassifierError(f"unknown split {options.split!r}: use one of {SPLIT_KINDS}")
    if options.cleanup is not None:
        corpus, report = clean_corpus(corpus, options.cleanup)
    else:
        report = CleanupReport(rows_in=len(corpus))
    on_step(f"cleanup: {report.summary()}")
    groups = duplicate_groups(corpus, options.dedup)
    duplicates = duplicate_summary(corpus, groups)
    on_step(
        f"duplicates: {duplicates['rows_in_duplicate_groups']} articles in groups of copies, "
        f"{duplicates['duplicate_copies']} copies, "
        f"{duplicates['groups_with_conflicting_labels']} groups with conflicting labels"
    )
    if not options.keep_duplicate_copies:
        kept = drop_duplicate_copies(corpus, groups)
        report.drop("duplicate copy or conflicting duplicate labels", len(corpus) - len(kept))
        corpus, groups = kept, groups.loc[kept.index]
    if corpus["label"].nunique() < 2 or corpus["label"].value_counts().min() < 5:
        raise CorpusError("after cleanup the corpus needs at least 5 fake and 5 real articles")
    if options.split == "source":
        splits = split_by_source(
            corpus,
            groups=groups,
            validation_size=options.validation_size,
            test_size=options.test_size,
            seed=options.seed,
        )
    else:
        splits = split_corpus(
            corpus,
            groups,
            validation_size=options.validation_size,
            test_size=options.test_size,
            seed=options.seed,
        )
    sizes = splits.sizes()
    on_step(
        f"split: {sizes['train']} to train, {sizes['validation']} to calibrate, "
        f"{sizes['test']} to test"
    )
    return PreparedCorpus(splits=splits, cleanup=report, duplicates=duplicates)


def train_model(
    data: str | Path | Sequence[str | Path],
    out: str | Path,
    *,
    kind: str = "lightgbm",
    params: dict[str, Any] | None = None,
    options: PrepareOptions | None = None,
    on_step: Callable[[str], None] = LOGGER.info,
    refit: bool = True,
) -> TrainingResult:
    """Train a model of `kind` on one or more corpus files, evaluate it on the test split, save.

    With several files, each is a corpus: its name is kept per row (`corpus`), the split keeps
    each corpus's share on every side, and the test metrics are also given per corpus.
    With `refit`, the model saved is then trained again, with the same configuration, on the
    training and test rows together: the test rows have done their work (measuring the
    configuration), and a model that learns from them too is a better one to ship. The
    validation rows keep theirs: calibration, the thresholds, the domain-shift limit and early
    stopping need articles the model did not learn from. The test metrics recorded are those
    measured before the refit.
    """
    paths = [data] if isinstance(data, str | Path) else list(data)
    options = options or PrepareOptions()
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise ClassifierError(
            f"output folder {out} is not empty: choose another --out or delete it"
        )
    model = build_model(kind, params or {})
    corpus = load_corpora(paths, options.corpus_format)
    for name, rows in corpus.groupby("corpus", sort=False):
        on_step(f"loaded {len(rows)} articles ({int(rows['label'].sum())} fake) from {name}")
    for note in outvoted_corpora(corpus):
        on_step(note)
    prepared = prepare_corpus(corpus, options, on_step)
    train, validation, test = (
        prepared.splits.train,
        prepared.splits.validation,
        prepared.splits.test,
    )
    audits = audit_corpus(train)
    for audit in audits:
        on_step(f"shortcut audit: {audit.summary()}")
    on_step(f"training {kind} on {len(train)} articles")
    started = time.perf_counter()
    _fit(model, train, validation)
    training_seconds = time.perf_counter() - started
    on_step(f"trained in {training_seconds:.1f} s; evaluating on {len(test)} test articles")
    evaluation = evaluate_model(model, test, test["label"].to_numpy())
    scores = evaluation.metrics()
    # Per corpus from the probabilities just computed: the test split is scored once.
    corpora = test["corpus"].to_numpy()
    by_corpus = {
        str(name): _headline(
            compute_metrics(
                evaluation.y_true[corpora == name],
                evaluation.proba_fake[corpora == name],
                evaluation.threshold,
                evaluation.real_threshold,
            )
        )
        for name in sorted(set(corpora))
    }
    measured_version = model.version_
    if refit and len(test):
        on_step(f"refitting on train and test: {len(train) + len(test)} articles")
        model = _fit(build_model(kind, params or {}), pd.concat([train, test]), validation)
    model.metrics_ = {
        "test": _headline(scores),
        "refit": {
            "refit": model.version_ != measured_version,
            "measured_model": measured_version,
            "rows": int(model.training_data_["rows"]),
        },
        "test_by_corpus": by_corpus,
        "training_seconds": training_seconds,
        "shortcuts": [audit.to_dict() for audit in audits],
        "source_cues_removed": _source_cues_removed(model, train),
        "data": {
            "files": [Path(path).name for path in paths],
            "corpora": _corpus_rows(prepared.splits),
            **prepared.context(),
        },
    }
    model.save(out)
    refit_note = (
        f"measured as {measured_version}, then refit on train and test as {model.version_}"
        if model.version_ != measured_version
        else "not refit: the saved model is the one measured"
    )
    report = write_report(
        out / TEST_REPORT_DIR,
        evaluation,
        title=f"{kind} model {measured_version}: held-out test split",
        context={
            "data": ", ".join(str(path) for path in paths),
            **prepared.context(),
            "training seconds": round(training_seconds, 1),
            "threshold (fake)": model.threshold_,
            "threshold (real)": model.real_threshold_,
            "saved model": refit_note,
        },
        extra_sections=[_audit_section(audits, model.metrics_["source_cues_removed"])],
    )
    return TrainingResult(model=model, folder=out, report=report, test_metrics=scores)


def _fit(model: FakeNewsModel, rows: pd.DataFrame, validation: pd.DataFrame) -> FakeNewsModel:
    """Train on `rows`; the validation rows (if any) calibrate and choose the thresholds."""
    has_validation = len(validation) > 0
    return model.fit(
        rows,
        rows["label"].to_numpy(),
        validation if has_validation else None,
        validation["label"].to_numpy() if has_validation else None,
    )


def _source_cues_removed(model: FakeNewsModel, train: pd.DataFrame) -> int | None:
    """Training articles whose text the `strip_source_cues` step changed; None when it is off."""
    if not model.preprocessing_.strip_source_cues:
        return None
    texts = train["text"].fillna("").astype(str)
    return int(sum(strip_source_cues(text) != text for text in texts))


def _audit_section(audits: list[CorpusAudit], removed: int | None) -> str:
    step = (
        "The `strip_source_cues` step is off for this model: the cues above stay in its input."
        if removed is None
        else f"The `strip_source_cues` step changed {removed} training articles' text."
    )
    return f"{markdown_section(audits)}\n\n{step}"


def _corpus_rows(splits: Splits) -> dict[str, dict[str, int]]:
    """Per corpus: its rows in each split, and its fake rows in all."""
    rows: dict[str, dict[str, int]] = {}
    for side, frame in (("train", splits.train), ("validation", splits.validation),
                        ("test", splits.test)):  # fmt: skip
        for name, part in frame.groupby("corpus", sort=True):
            counts = rows.setdefault(str(name), {"train": 0, "validation": 0, "test": 0, "fake": 0})
            counts[side] = len(part)
            counts["fake"] += int(part["label"].sum())
    return rows


def build_model(kind: str, params: dict[str, Any]) -> FakeNewsModel:
    """A model of `kind` with these hyperparameters; unknown names are a ClassifierError."""
    cls = artifacts.model_class(kind)
    known = cls._get_param_names()
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ClassifierError(
            f"{kind} has no parameter(s) {', '.join(unknown)}: known are {', '.join(known)}"
        )
    return cls(**params)


def _headline(scores: dict[str, Any]) -> dict[str, Any]:
    """The few numbers a manifest keeps."""
    return {
        "articles": scores["articles"],
        "accuracy": scores["at_0.5"]["accuracy"],
        "f1": scores["at_0.5"]["f1"],
        "roc_auc": scores["roc_auc"],
        "log_loss": scores["log_loss"],
        "brier": scores["brier"],
        "precision_at_threshold": scores["at_threshold"]["precision"],
        "recall_at_threshold": scores["at_threshold"]["recall"],
    }
