"""A logistic-regression score over TF-IDF, fitted out-of-fold, as one feature for the trees.

Boosted trees use sparse TF-IDF poorly (each split sees one word); a linear model sums
evidence from every word. Its logit, computed out-of-fold on the training data (so the
trees never see a score fitted to the very article), lets LightGBM combine that evidence
with the engineered features.
"""

from __future__ import annotations

import logging

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

LOGGER = logging.getLogger(__name__)

FOLDS = 5
REGULARISATION_C = 10.0


def fit_linear_score(
    tfidf: sparse.csr_matrix, y: NDArray[np.int_], seed: int
) -> tuple[NDArray[np.float64], float, NDArray[np.float64]]:
    """Coefficients and intercept on all rows, and out-of-fold logits for each training row."""
    from sklearn.model_selection import StratifiedKFold

    out_of_fold = np.zeros(tfidf.shape[0])
    folds = min(FOLDS, int(np.bincount(y, minlength=2).min()))
    if folds >= 2:
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        for train_rows, held_rows in splitter.split(np.zeros(len(y)), y):
            coef, intercept = _fit(tfidf[train_rows], y[train_rows])
            out_of_fold[held_rows] = linear_logits(tfidf[held_rows], coef, intercept)
    coef, intercept = _fit(tfidf, y)
    if folds < 2:
        out_of_fold = linear_logits(tfidf, coef, intercept)
    return coef, intercept, out_of_fold


def linear_logits(
    tfidf: sparse.csr_matrix, coef: NDArray[np.float64], intercept: float
) -> NDArray[np.float64]:
    """The linear model's logit of fake per row."""
    return np.asarray(tfidf @ coef, dtype=np.float64).ravel() + intercept


def _fit(tfidf: sparse.csr_matrix, y: NDArray[np.int_]) -> tuple[NDArray[np.float64], float]:
    from sklearn.linear_model import LogisticRegression

    regression = LogisticRegression(C=REGULARISATION_C, solver="liblinear", max_iter=1000)
    regression.fit(tfidf, y)
    return regression.coef_[0].astype(np.float64), float(regression.intercept_[0])
