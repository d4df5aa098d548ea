"""Scores of a model on labelled articles: metrics, and the PNG plots a report shows.

Evaluation needs only `predict_proba` and the model's threshold, never a branch per kind.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from sklearn import metrics

from classifier.models.calibration import (
    VERDICT_FAKE,
    VERDICT_REAL,
    VERDICT_UNCERTAIN,
    verdicts_for,
)

LOGGER = logging.getLogger(__name__)
VERDICTS = (VERDICT_REAL, VERDICT_UNCERTAIN, VERDICT_FAKE)  # the verdict matrix's columns

PLOT_FILES = {
    "confusion_matrix": "confusion_matrix.png",
    "roc": "roc_curve.png",
    "calibration": "calibration_curve.png",
}


@dataclasses.dataclass
class Evaluation:
    """Labels, probabilities of fake and the threshold they were judged at."""

    y_true: NDArray[np.int_]
    proba_fake: NDArray[np.float64]
    threshold: float = 0.5
    real_threshold: float | None = None
    seconds: float = 0.0

    def metrics(self) -> dict[str, Any]:
        """Accuracy, precision, recall, F1, log loss, ROC AUC, Brier, confusion matrix, bands."""
        return compute_metrics(
            self.y_true, self.proba_fake, self.threshold, self.real_threshold, self.seconds
        )


def evaluate_model(model: Any, X: pd.DataFrame, y: ArrayLike) -> Evaluation:
    """Score a fitted model on labelled articles and time it."""
    started = time.perf_counter()
    proba = model.predict_proba(X)[:, 1]
    seconds = time.perf_counter() - started
    return Evaluation(
        y_true=np.asarray(y, dtype=int),
        proba_fake=np.asarray(proba, dtype=float),
        threshold=float(getattr(model, "threshold_", 0.5)),
        real_threshold=getattr(model, "real_threshold_", None),
        seconds=seconds,
    )


def compute_metrics(
    y_true: ArrayLike,
    proba_fake: ArrayLike,
    threshold: float = 0.5,
    real_threshold: float | None = None,
    seconds: float = 0.0,
) -> dict[str, Any]:
    """All scores as a JSON-ready mapping (NaN where undefined, e.g. AUC of one class)."""
    y = np.asarray(y_true, dtype=int)
    p = np.clip(np.asarray(proba_fake, dtype=float), 1e-7, 1 - 1e-7)
    result: dict[str, Any] = {"articles": len(y), "fake": int(y.sum())}
    for name, cut in (("at_0.5", 0.5), ("at_threshold", threshold)):
        predicted = (p >= cut).astype(int)
        tn, fp, fn, tp = metrics.confusion_matrix(y, predicted, labels=[0, 1]).ravel()
        result[name] = {
            "threshold": float(cut),
            "accuracy": float(metrics.accuracy_score(y, predicted)) if len(y) else float("nan"),
            "precision": float(metrics.precision_score(y, predicted, zero_division=0)),
            "recall": float(metrics.recall_score(y, predicted, zero_division=0)),
            "f1": float(metrics.f1_score(y, predicted, zero_division=0)),
            "real_flagged_fake": float(fp / (fp + tn)) if fp + tn else float("nan"),
            "confusion_matrix": [[int(tn), int(fp)], [int(fn), int(tp)]],
        }
    two_classes = len(np.unique(y)) == 2
    result["log_loss"] = float(metrics.log_loss(y, p, labels=[0, 1])) if len(y) else float("nan")
    result["roc_auc"] = float(metrics.roc_auc_score(y, p)) if two_classes else float("nan")
    result["brier"] = float(metrics.brier_score_loss(y, p)) if len(y) else float("nan")
    if real_threshold is not None:
        result["verdict_bands"] = _band_metrics(y, p, threshold, real_threshold)
    real_at = threshold if real_threshold is None else real_threshold
    result["verdict_matrix"] = verdict_matrix(y, p, threshold, real_at).tolist()
    if seconds > 0:
        result["articles_per_second"] = float(len(y) / seconds)
    return result


def _band_metrics(
    y: NDArray[np.int_], p: NDArray[np.float64], fake_at: float, real_at: float
) -> dict[str, Any]:
    bands = verdicts_for(p, fake_at, real_at)
    result: dict[str, Any] = {}
    for verdict in (VERDICT_FAKE, VERDICT_UNCERTAIN, VERDICT_REAL):
        chosen = bands == verdict
        share_fake = float(y[chosen].mean()) if chosen.any() else float("nan")
        result[verdict] = {"articles": int(chosen.sum()), "share_fake": share_fake}
    return result


def verdict_matrix(y: ArrayLike, p: ArrayLike, fake_at: float, real_at: float) -> NDArray[np.int_]:
    """Counts by label (rows: real, fake) and verdict (columns: real, uncertain, fake): the
    confusion matrix of three verdicts, where "uncertain" is neither called fake nor real."""
    labels = np.asarray(y, dtype=int)
    verdicts = verdicts_for(p, fake_at, real_at)
    return np.array(
        [[int(np.sum((labels == truth) & (verdicts == v))) for v in VERDICTS] for truth in (0, 1)]
    )


def save_plots(evaluation: Evaluation, folder: Path, title: str = "") -> dict[str, str]:
    """Write the confusion matrix, ROC curve and calibration curve PNGs; returns their names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.calibration import calibration_curve

    folder.mkdir(parents=True, exist_ok=True)
    y, p = evaluation.y_true, evaluation.proba_fake
    written: dict[str, str] = {}

    # Three verdicts, not two: an "uncertain" article is neither called fake nor real.
    figure, axes = plt.subplots(figsize=(5, 3.5))
    real_at = (
        evaluation.threshold if evaluation.real_threshold is None else evaluation.real_threshold
    )
    matrix = verdict_matrix(y, p, evaluation.threshold, real_at)
    axes.imshow(matrix, cmap="Blues")
    for (row, column), count in np.ndenumerate(matrix):
        axes.text(column, row, str(count), ha="center", va="center",
                  color="white" if count > matrix.max() / 2 else "black")  # fmt: skip
    axes.set_xticks(range(3), list(VERDICTS))
    axes.set_yticks(range(2), ["real", "fake"])
    axes.set_xlabel("verdict")
    axes.set_ylabel("label")
    axes.set_title(
        f"{title}\nfake if p >= {evaluation.threshold:.2f}, real if p <= {real_at:.2f}".strip(),
        fontsize=9,
    )
    written["confusion_matrix"] = _save(figure, folder / PLOT_FILES["confusion_matrix"])

    if len(np.unique(y)) == 2:
        figure, axes = plt.subplots(figsize=(4, 4))
        metrics.RocCurveDisplay.from_predictions(y, p, ax=axes, name="model")
        axes.set_title(title, fontsize=8)
        axes.plot([0, 1], [0, 1], linestyle=":", color="grey")
        axes.set_xlabel("real articles flagged fake (false positive rate)")
        axes.set_ylabel("fake articles found (true positive rate)")
        axes.legend(loc="lower right", fontsize=8)
        written["roc"] = _save(figure, folder / PLOT_FILES["roc"])

    figure, axes = plt.subplots(figsize=(4, 4))
    bins = max(2, min(10, len(y) // 20))
    observed, predicted = calibration_curve(y, p, n_bins=bins, strategy="quantile")
    axes.plot(predicted, observed, marker="o", label="model")
    axes.set_title(title, fontsize=8)
    axes.plot([0, 1], [0, 1], linestyle=":", color="grey", label="perfect")
    axes.set_xlabel("predicted probability of fake")
    axes.set_ylabel("share actually fake")
    axes.legend(loc="lower right", fontsize=8)
    written["calibration"] = _save(figure, folder / PLOT_FILES["calibration"])
    return written


def _save(figure: Any, path: Path) -> str:
    import matplotlib.pyplot as plt

    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)
    return path.name
