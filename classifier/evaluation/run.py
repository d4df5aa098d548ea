"""Evaluate: score a saved model on a corpus file, with optional k-fold CV and learning curve."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from articles.skip_rules import SkipRules
from classifier.corpus.cleanup import clean_corpus
from classifier.corpus.loading import CorpusFormat, load_corpus
from classifier.errors import ClassifierError
from classifier.evaluation.metrics import evaluate_model
from classifier.evaluation.report import cross_validation_section, write_report
from classifier.models import artifacts
from classifier.models.base import FakeNewsModel

LOGGER = logging.getLogger(__name__)

# Refitting per fold is cheap only for these kinds; the others would take hours on a CPU.
LEARNING_CURVE_FILE = "learning_curve.png"


def evaluate_folder(
    model_folder: str | Path,
    data: str | Path,
    *,
    out: Path | None = None,
    corpus_format: CorpusFormat | None = None,
    cleanup: SkipRules | None = None,
    folds: int | None = None,
    learning_curve: bool = False,
    on_step: Callable[[str], None] = LOGGER.info,
) -> Path:
    """Write a report on how the model in `model_folder` scores on `data`; returns its path."""
    model = artifacts.load_model(model_folder)
    corpus = load_corpus(data, corpus_format)
    context: dict[str, object] = {"model": f"{model.kind} {model.version_}", "data": str(data)}
    if cleanup is not None:
        corpus, cleanup_report = clean_corpus(corpus, cleanup)
        context["cleanup"] = cleanup_report.summary()
        on_step(f"cleanup: {cleanup_report.summary()}")
    if corpus.empty:
        raise ClassifierError(f"no articles left to evaluate in {data}")
    if model.training_data_.get("fingerprint"):
        context["trained on"] = (
            f"{model.training_data_.get('rows')} articles, fingerprint "
            f"{str(model.training_data_['fingerprint'])[:12]}"
        )
    on_step(f"scoring {len(corpus)} articles with {model.kind}")
    evaluation = evaluate_model(model, corpus, corpus["label"].to_numpy())
    out = out or Path(model_folder) / f"{artifacts.REPORT_DIR_PREFIX}-{_stem(Path(data))}"
    sections = []
    if folds or learning_curve:
        sections += _refit_sections(model, corpus, out, folds, learning_curve, on_step)
    return write_report(
        out,
        evaluation,
        title=f"{model.kind} model {model.version_} on {Path(data).name}",
        context=context,
        extra_sections=sections,
    )


def _refit_sections(
    model: FakeNewsModel,
    corpus: pd.DataFrame,
    out: Path,
    folds: int | None,
    learning_curve: bool,
    on_step: Callable[[str], None],
) -> list[str]:
    from classifier.corpus.dedup import duplicate_groups
    from classifier.corpus.splits import split_corpus
    from classifier.evaluation.model_selection import cross_validate, plot_learning_curve
    from classifier.evaluation.model_selection import learning_curve as compute_curve

    kind = model.kind
    if not type(model).supports_refit:
        raise ClassifierError(
            f"--cv and --learning-curve refit the model many times; they support "
            f"{', '.join(artifacts.refit_kinds())}, not {kind}"
        )
    if folds is not None and folds < 2:
        raise ClassifierError("--cv needs at least 2 folds")
    groups = duplicate_groups(corpus)
    sections = []
    if folds:
        on_step(f"{folds}-fold cross-validation")
        sections.append(
            cross_validation_section(cross_validate(model, corpus, groups, folds=folds))
        )
    if learning_curve:
        on_step("learning curve")
        splits = split_corpus(corpus, groups, validation_size=0.0, test_size=0.2)
        curve = compute_curve(model, splits.train, splits.test)
        out.mkdir(parents=True, exist_ok=True)
        name = plot_learning_curve(curve, out / LEARNING_CURVE_FILE, title=f"{kind} learning curve")
        table = curve.to_markdown(index=False) if _has_tabulate() else curve.to_string(index=False)
        sections.append(f"## Learning curve\n\n![learning curve]({name})\n\n{table}")
    return sections


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".csv", ".tsv", ".parquet", ".pq"):
        name = name.removesuffix(suffix)
    return name or "data"
