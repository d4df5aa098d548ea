"""Probability calibration and decision thresholds, stored as plain JSON numbers.

A model's raw fake score (an uncalibrated probability in [0, 1]) is mapped to a calibrated
probability by Platt scaling (a logistic fit on the score's logit) or isotonic regression
(a monotone piecewise-linear map), both fitted on validation data. Thresholds then turn the
calibrated probability into three verdict bands: `fake` (p >= fake threshold, chosen for a
target precision of the fake verdict), `real` (p <= real threshold, chosen for the same
precision of the real verdict) and `uncertain` in between.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from classifier.errors import ClassifierError

LOGGER = logging.getLogger(__name__)

CALIBRATION_METHODS = ("platt", "isotonic", "none")
VERDICT_FAKE, VERDICT_UNCERTAIN, VERDICT_REAL = "fake", "uncertain", "real"
_EPS = 1e-6


def _logit(p: NDArray[np.float64]) -> NDArray[np.float64]:
    p = np.clip(p, _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


@dataclasses.dataclass(frozen=True)
class Calibrator:
    """A fitted monotone map from raw fake score to calibrated probability."""

    method: str = "none"
    slope: float = 1.0
    intercept: float = 0.0
    knots_x: tuple[float, ...] = ()
    knots_y: tuple[float, ...] = ()

    @classmethod
    def fit(cls, raw: ArrayLike, y: ArrayLike, method: str = "platt") -> Calibrator:
        """Fit on validation raw scores and labels (1 = fake)."""
        raw_scores, labels = np.asarray(raw, dtype=float), np.asarray(y, dtype=int)
        if method not in CALIBRATION_METHODS:
            raise ClassifierError(
                f"unknown calibration {method!r}: use one of {', '.join(CALIBRATION_METHODS)}"
            )
        if method == "none":
            return cls()
        if len(np.unique(labels)) < 2:
            LOGGER.warning("validation data has one class only; probabilities stay uncalibrated")
            return cls()
        if method == "platt":
            from sklearn.linear_model import LogisticRegression

            # Platt's smoothed targets keep a perfectly separated validation set from
            # producing an infinitely steep, overconfident map.
            n_fake, n_real = int(labels.sum()), int(len(labels) - labels.sum())
            target = np.where(labels == 1, (n_fake + 1) / (n_fake + 2), 1 / (n_real + 2))
            scores = np.tile(_logit(raw_scores), 2).reshape(-1, 1)
            both = np.concatenate([np.ones(len(labels)), np.zeros(len(labels))]).astype(int)
            weights = np.concatenate([target, 1 - target])
            fitted = LogisticRegression(C=1e6).fit(scores, both, sample_weight=weights)
            slope, intercept = float(fitted.coef_[0, 0]), float(fitted.intercept_[0])
            return cls("platt", slope=slope, intercept=intercept)
        from sklearn.isotonic import IsotonicRegression

        fitted = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(
            raw_scores, labels
        )
        return cls(
            "isotonic",
            knots_x=tuple(float(v) for v in fitted.X_thresholds_),
            knots_y=tuple(float(v) for v in fitted.y_thresholds_),
        )

    def transform(self, raw: ArrayLike) -> NDArray[np.float64]:
        """Calibrated probabilities of fake for raw fake scores."""
        raw_scores = np.asarray(raw, dtype=float)
        if self.method == "platt":
            return 1.0 / (1.0 + np.exp(-(self.slope * _logit(raw_scores) + self.intercept)))
        if self.method == "isotonic":
            return np.interp(raw_scores, self.knots_x, self.knots_y)
        return np.clip(raw_scores, 0.0, 1.0)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready parameters."""
        values = dataclasses.asdict(self)
        return {**values, "knots_x": list(self.knots_x), "knots_y": list(self.knots_y)}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Calibrator:
        """Rebuild from `to_dict()` output."""
        calibrator = cls(
            method=str(values["method"]),
            slope=float(values.get("slope", 1.0)),
            intercept=float(values.get("intercept", 0.0)),
            knots_x=tuple(float(v) for v in values.get("knots_x", ())),
            knots_y=tuple(float(v) for v in values.get("knots_y", ())),
        )
        if calibrator.method not in CALIBRATION_METHODS or len(calibrator.knots_x) != len(
            calibrator.knots_y
        ):
            raise ValueError(f"bad calibration parameters: {dict(values)}")
        return calibrator


def fake_threshold(proba: ArrayLike, y: ArrayLike, target_precision: float) -> float:
    """Lowest threshold t where articles with p >= t are fake with the target precision."""
    return _band_threshold(np.asarray(proba, float), np.asarray(y, int), target_precision, 1)


def real_threshold(proba: ArrayLike, y: ArrayLike, target_precision: float) -> float:
    """Highest threshold t where articles with p <= t are real with the target precision."""
    return _band_threshold(np.asarray(proba, float), np.asarray(y, int), target_precision, 0)


def _band_threshold(
    proba: NDArray[np.float64], y: NDArray[np.int_], target: float, label: int
) -> float:
    # Walk from the most confident end; keep the widest band whose precision meets the target.
    order = np.argsort(-proba if label == 1 else proba, kind="stable")
    sorted_p, hits = proba[order], (y[order] == label)
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    # Only cut between distinct probabilities: tied articles always share a verdict.
    is_cut = np.append(sorted_p[1:] != sorted_p[:-1], True)
    ok = np.flatnonzero(is_cut & (precision >= target))
    if len(ok) == 0:
        LOGGER.warning(
            "no %s threshold reaches precision %.2f on validation data: that verdict is rare",
            VERDICT_FAKE if label == 1 else VERDICT_REAL,
            target,
        )
        return 1.0 if label == 1 else 0.0
    return float(sorted_p[ok[-1]])


def verdicts_for(proba_fake: ArrayLike, fake_at: float, real_at: float) -> NDArray[np.str_]:
    """`fake` where p >= fake_at, else `real` where p <= real_at, else `uncertain`."""
    p = np.asarray(proba_fake, dtype=float)
    return np.where(
        p >= fake_at, VERDICT_FAKE, np.where(p <= real_at, VERDICT_REAL, VERDICT_UNCERTAIN)
    )
