"""`tfidf_logreg` kind: the honest baseline, TF-IDF (uni+bigrams) and logistic regression.

Every other model should beat it; it is saved as JSON (vocabulary, idf, coefficients).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from classifier.models import text_features
from classifier.models.base import FakeNewsModel, Frame, Labels
from classifier.models.explanation import Explanation, linear_contributions, top_contributions

LOGGER = logging.getLogger(__name__)

TFIDF_FILE, WEIGHTS_FILE = "tfidf.json", "logreg.json"


class TfidfLogregModel(FakeNewsModel):
    """TF-IDF features with an L2-regularised logistic regression."""

    kind = "tfidf_logreg"
    supports_refit = True

    def __init__(
        self,
        *,
        max_features: int = 50_000,
        ngram_max: int = 2,
        min_df: int = 2,
        C: float = 10.0,
        **common: Any,
    ) -> None:
        super().__init__(**common)
        self.max_features = max_features
        self.ngram_max = ngram_max
        self.min_df = min_df
        self.C = C

    def _fit_raw(self, X: Frame, y: Labels, X_val: Frame | None, y_val: Labels | None) -> None:
        from sklearn.linear_model import LogisticRegression

        self.terms_, counts = text_features.fit_term_weights(
            text_features.article_documents(X),
            max_features=self.max_features,
            ngram_max=self.ngram_max,
            min_df=self.min_df,
        )
        features = self.terms_.tfidf(counts)
        regression = LogisticRegression(C=self.C, max_iter=1000, solver="liblinear")
        regression.fit(features, y)
        self.coef_ = regression.coef_[0].astype(np.float64)
        self.intercept_ = float(regression.intercept_[0])

    def _raw_scores(self, X: pd.DataFrame) -> NDArray[np.float64]:
        features = self.terms_.tfidf(self.terms_.counts(text_features.article_documents(X)))
        logits = features @ self.coef_ + self.intercept_
        return 1.0 / (1.0 + np.exp(-np.asarray(logits, dtype=float)))

    def _explain(self, X: pd.DataFrame, top: int) -> list[Explanation]:
        features = self.terms_.tfidf(self.terms_.counts(text_features.article_documents(X)))
        return top_contributions(linear_contributions(features, self.coef_), self.terms_.terms, top)

    def _save_files(self, folder: Path) -> None:
        self.terms_.to_json(folder / TFIDF_FILE)
        weights = {"coef": self.coef_.tolist(), "intercept": self.intercept_}
        (folder / WEIGHTS_FILE).write_text(json.dumps(weights), encoding="utf-8")

    def _load_files(self, folder: Path) -> None:
        self.terms_ = text_features.TermWeights.from_json(folder / TFIDF_FILE)
        weights = json.loads((folder / WEIGHTS_FILE).read_text(encoding="utf-8"))
        self.coef_ = np.asarray(weights["coef"], dtype=np.float64)
        self.intercept_ = float(weights["intercept"])
        if len(self.coef_) != len(self.terms_.idf):
            raise ValueError("coefficients do not match the TF-IDF vocabulary")
