"""k-fold cross-validation and learning curves, group-aware, for any model kind (used for lightgbm).

Folds keep duplicate groups together (StratifiedGroupKFold), so no fold scores a twin of
an article it trained on. Each fold calibrates on a slice of its own training part.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import StratifiedGroupKFold

from classifier.corpus.splits import split_corpus
from classifier.evaluation.metrics import compute_metrics

LOGGER = logging.getLogger(__name__)


def cross_validate(
    model: Any,
    corpus: pd.DataFrame,
    groups: pd.Series,
    *,
    folds: int = 5,
    seed: int = 42,
) -> dict[str, Any]:
    """Mean and standard deviation of the scores over `folds` group-aware folds."""
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    per_fold: list[dict[str, float]] = []
    for fold, (train_rows, test_rows) in enumerate(
        splitter.split(corpus, corpus["label"], groups.to_numpy())
    ):
        scores = _fit_and_score(model, corpus, groups, train_rows, test_rows, seed + fold)
        LOGGER.info("fold %d/%d: %s", fold + 1, folds, scores)
        per_fold.append(scores)
    table = pd.DataFrame(per_fold)
    return {
        "folds": folds,
        "per_fold": per_fold,
        "mean": table.mean().to_dict(),
        "std": table.std(ddof=1).to_dict(),
    }


def learning_curve(
    model: Any,
    train: pd.DataFrame,
    test: pd.DataFrame,
    *,
    fractions: tuple[float, ...] = (0.1, 0.25, 0.5, 0.75, 1.0),
    seed: int = 42,
) -> pd.DataFrame:
    """Test scores after training on growing stratified fractions of the training split."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(train))
    rows = []
    for fraction in fractions:
        subset = train.iloc[np.sort(order[: max(20, int(fraction * len(train)))])]
        fitted = clone(model).fit(subset, subset["label"].to_numpy())
        proba = fitted.predict_proba(test)[:, 1]
        scores = _summary(compute_metrics(test["label"].to_numpy(), proba))
        rows.append({"fraction": fraction, "train_articles": len(subset), **scores})
        LOGGER.info("learning curve at %d articles: %s", len(subset), scores)
    return pd.DataFrame(rows)


def plot_learning_curve(curve: pd.DataFrame, path: Path, title: str = "") -> str:
    """Accuracy and AUC against training articles, as a PNG; returns the file name."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(5, 3.5))
    for metric in ("accuracy", "roc_auc"):
        axes.plot(curve["train_articles"], curve[metric], marker="o", label=metric)
    axes.set_xlabel("training articles")
    axes.set_ylabel("score on test split")
    axes.set_title(title or "learning curve")
    axes.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path.name


def _fit_and_score(
    model: Any,
    corpus: pd.DataFrame,
    groups: pd.Series,
    train_rows: np.ndarray,
    test_rows: np.ndarray,
    seed: int,
) -> dict[str, float]:
    train_part, test_part = corpus.iloc[train_rows], corpus.iloc[test_rows]
    inner = split_corpus(
        train_part, groups.iloc[train_rows], validation_size=0.1, test_size=0.01, seed=seed
    )
    fit_part = pd.concat([inner.train, inner.test])
    fitted = clone(model).fit(
        fit_part,
        fit_part["label"].to_numpy(),
        inner.validation,
        inner.validation["label"].to_numpy(),
    )
    proba = fitted.predict_proba(test_part)[:, 1]
    return _summary(compute_metrics(test_part["label"].to_numpy(), proba))


def _summary(scores: dict[str, Any]) -> dict[str, float]:
    return {
        "accuracy": scores["at_0.5"]["accuracy"],
        "f1": scores["at_0.5"]["f1"],
        "roc_auc": scores["roc_auc"],
        "log_loss": scores["log_loss"],
    }
