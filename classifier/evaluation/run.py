"""Evaluate: score a saved model on corpus files (optional k-fold CV and learning curve), or
leave one corpus out."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
from sklearn.base import clone

from articles.skip_rules import SkipRules
from classifier.corpus.cleanup import clean_corpus
from classifier.corpus.loading import CorpusFormat, corpus_name, load_corpora
from classifier.errors import ClassifierError
from classifier.evaluation.leave_one_out import leave_one_corpus_out, markdown_table
from classifier.evaluation.metrics import evaluate_model
from classifier.evaluation.report import cross_validation_section, write_report
from classifier.models import artifacts
from classifier.models.base import FakeNewsModel, seen_in_training

LOGGER = logging.getLogger(__name__)

LEARNING_CURVE_FILE = "learning_curve.png"
LEAVE_ONE_OUT_JSON = "leave_one_out.json"


def evaluate_folder(
    model_folder: str | Path,
    data: str | Path | Sequence[str | Path],
    *,
    out: Path | None = None,
    corpus_format: CorpusFormat | None = None,
    cleanup: SkipRules | None = None,
    folds: int | None = None,
    learning_curve: bool = False,
    on_step: Callable[[str], None] = LOGGER.info,
) -> Path:
    """Write a report on how the model in `model_folder` scores on `data`; returns its path."""
    paths = _paths(data)
    model = artifacts.load_model(model_folder)
    corpus = load_corpora(paths, corpus_format)
    names = "+".join(corpus_name(path) for path in paths)
    context: dict[str, object] = {
        "model": f"{model.kind} {model.version_}",
        "data": ", ".join(map(str, paths)),
    }
    if cleanup is not None:
        corpus, cleanup_report = clean_corpus(corpus, cleanup)
        context["cleanup"] = cleanup_report.summary()
        on_step(f"cleanup: {cleanup_report.summary()}")
    if corpus.empty:
        raise ClassifierError(f"no articles left to evaluate in {names}")
    if model.training_data_.get("fingerprint"):
        context["trained on"] = (
            f"{model.training_data_.get('rows')} articles, fingerprint "
            f"{str(model.training_data_['fingerprint'])[:12]}"
        )
    seen = seen_in_training(model, corpus)
    if seen is not None and seen.any():
        overlap = (
            f"{int(seen.sum())} of {len(corpus)} articles ({seen.mean():.0%}) were in the "
            "model's training data: these scores overstate how it does on articles it has not "
            "seen"
        )
        context["WARNING"] = overlap
        on_step(f"warning: {overlap}")
    on_step(f"scoring {len(corpus)} articles with {model.kind}")
    evaluation = evaluate_model(model, corpus, corpus["label"].to_numpy())
    out = out or Path(model_folder) / f"{artifacts.REPORT_DIR_PREFIX}-{names}"
    sections = []
    if folds or learning_curve:
        sections += _refit_sections(model, corpus, out, folds, learning_curve, on_step)
    return write_report(
        out,
        evaluation,
        title=f"{model.kind} model {model.version_} on {names}",
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


def leave_one_out_report(
    model: str | Path,
    data: Sequence[str | Path],
    *,
    out: Path | None = None,
    held_out: Sequence[str] = (),
    corpus_format: CorpusFormat | None = None,
    cleanup: SkipRules | None = None,
    validation_size: float = 0.1,
    labelled_rows: int = 0,
    labelled_only: bool = False,
    labelled_by: str = "random",
    on_step: Callable[[str], None] = LOGGER.info,
) -> Path:
    """Leave each corpus out in turn (see `leave_one_out`); writes REPORT.md and scores.json.

    `model` is a model folder, whose kind and hyperparameters are retrained per corpus, or
    a kind name, with its defaults. `labelled_rows` articles of each left-out corpus join the
    training data (`labelled_only`: are all of it). Returns the Markdown report's path.
    """
    folder = Path(model)
    if folder.is_dir():
        template: FakeNewsModel = artifacts.load_model(folder)
        out = out or folder / f"{artifacts.REPORT_DIR_PREFIX}-leave-one-out"
    elif str(model) in artifacts.KIND_MODULES:
        template = artifacts.model_class(str(model))()
        out = out or Path(f"{artifacts.REPORT_DIR_PREFIX}-leave-one-out-{template.kind}")
    else:
        raise ClassifierError(
            f"{model} is neither a model folder nor a model kind "
            f"({', '.join(artifacts.KIND_MODULES)}): check the --model value"
        )
    corpus = load_corpora(_paths(data), corpus_format)
    if cleanup is not None:
        corpus, cleanup_report = clean_corpus(corpus, cleanup)
        on_step(f"cleanup: {cleanup_report.summary()}")
    scores = leave_one_corpus_out(
        corpus,
        lambda: clone(template),
        held_out=held_out,
        validation_size=validation_size,
        labelled_rows=labelled_rows,
        labelled_only=labelled_only,
        labelled_by=labelled_by,
        on_step=on_step,
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / LEAVE_ONE_OUT_JSON).write_text(
        json.dumps([score.row() for score in scores], indent=2, allow_nan=True) + "\n",
        encoding="utf-8",
    )
    report = out / "REPORT.md"
    report.write_text(
        f"# {template.kind}: leave one corpus out\n\n"
        f"{_trained_on(labelled_rows, labelled_only, labelled_by)}\n\n"
        f"{markdown_table(scores)}\n",
        encoding="utf-8",
    )
    return report


def _trained_on(labelled_rows: int, labelled_only: bool, labelled_by: str) -> str:
    """What the report's rows were trained on, in a sentence."""
    if not labelled_rows:
        return (
            "Each row: trained on the other corpora (their validation split chose the "
            "threshold), scored on the corpus left out, which it never saw."
        )
    by_source = labelled_by == "source"
    labelled = (
        f"{'about ' if by_source else ''}{labelled_rows} labelled articles of "
        f"{'whole sources of ' if by_source else ''}the corpus left out"
    )
    trained = f"{labelled} alone" if labelled_only else f"the other corpora and {labelled}"
    scored = "its other sources" if by_source else "the rest of it"
    return (
        f"Each row: trained on {trained} (their validation split chose the threshold), "
        f"scored on {scored}."
    )


def _paths(data: str | Path | Sequence[str | Path]) -> list[str | Path]:
    return [data] if isinstance(data, str | Path) else list(data)
