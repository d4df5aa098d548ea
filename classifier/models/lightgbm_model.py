"""`lightgbm` kind: TF-IDF plus engineered and keyword features, boosted trees (LightGBM).

Presets: `fakewatch` (the default: 50,000-word vocabulary, an out-of-fold logistic-regression
score over TF-IDF as one more feature, early stopping on the validation split) and `study`
(the study's configuration: 100 trees of depth 3, 20 keyword features, 10,000-word unigram
TF-IDF). Explicit parameters override the preset.
Saved as LightGBM's text model plus JSON (TF-IDF vocabulary and idf, keywords).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse

from classifier.models import text_features
from classifier.models.base import FakeNewsModel, Frame, Labels
from classifier.models.explanation import (
    Explanation,
    linear_contributions,
    share_out,
    top_contributions,
)
from classifier.models.lightgbm_text import checked_model_text
from classifier.models.linear_score import fit_linear_score, linear_logits
from classifier.models.presets import resolve_preset
from classifier.models.tree_paths import TreePaths

LOGGER = logging.getLogger(__name__)

PRESETS: dict[str, dict[str, Any]] = {
    "fakewatch": {
        # Unigrams: bigrams cost ~1.7x scoring time (CPU) for little accuracy in bench runs.
        "max_features": 50_000,
        "ngram_max": 1,
        "min_df": 2,
        "keywords": 50,
        "n_estimators": 1000,
        "max_depth": -1,
        "num_leaves": 31,
        "learning_rate": 0.1,
        "colsample_bytree": 0.3,
        "early_stopping_rounds": 50,
        "linear_score": True,
    },
    "study": {
        "max_features": 10_000,
        "ngram_max": 1,
        "min_df": 1,
        "keywords": 20,
        "n_estimators": 100,
        "max_depth": 3,
        "num_leaves": 8,
        "learning_rate": 0.1,
        "colsample_bytree": 1.0,
        "early_stopping_rounds": 0,
        "linear_score": False,
    },
}
MODEL_FILE, TFIDF_FILE, FEATURES_FILE = "lightgbm_model.txt", "tfidf.json", "features.json"
LINEAR_FILE = "linear_score.json"


class LightGBMModel(FakeNewsModel):
    """TF-IDF + engineered features + information-gain keywords, classified by LightGBM."""

    kind = "lightgbm"
    supports_refit = True

    def __init__(
        self,
        *,
        preset: str = "fakewatch",
        max_features: int | None = None,
        ngram_max: int | None = None,
        min_df: int | None = None,
        keywords: int | None = None,
        n_estimators: int | None = None,
        max_depth: int | None = None,
        num_leaves: int | None = None,
        learning_rate: float | None = None,
        colsample_bytree: float | None = None,
        early_stopping_rounds: int | None = None,
        linear_score: bool | None = None,
        n_jobs: int = 2,
        **common: Any,
    ) -> None:
        super().__init__(**common)
        self.preset = preset
        self.max_features = max_features
        self.ngram_max = ngram_max
        self.min_df = min_df
        self.keywords = keywords
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.num_leaves = num_leaves
        self.learning_rate = learning_rate
        self.colsample_bytree = colsample_bytree
        self.early_stopping_rounds = early_stopping_rounds
        self.linear_score = linear_score
        self.n_jobs = n_jobs

    def config(self) -> dict[str, Any]:
        """The preset with explicit parameters applied on top."""
        return resolve_preset(self, "lightgbm", PRESETS)

    def _fit_raw(self, X: Frame, y: Labels, X_val: Frame | None, y_val: Labels | None) -> None:
        import lightgbm

        config = self.config()
        documents = text_features.article_documents(X)
        self.keywords_ = text_features.select_keywords(documents, y, config["keywords"])
        LOGGER.info("keywords by information gain: %s", ", ".join(self.keywords_[:20]))
        self.terms_, counts = text_features.fit_term_weights(
            documents,
            max_features=config["max_features"],
            ngram_max=config["ngram_max"],
            min_df=config["min_df"],
            extra_terms=self.keywords_,
        )
        self.linear_: tuple[NDArray[np.float64], float] | None = None
        out_of_fold = None
        if config["linear_score"]:
            coef, intercept, out_of_fold = fit_linear_score(
                self.terms_.tfidf(counts), y, self.random_state
            )
            self.linear_ = (coef, intercept)
        features = self._assemble(X, counts, out_of_fold)
        train_set = lightgbm.Dataset(features, label=y, free_raw_data=True)
        valid_sets: list[Any] = []
        callbacks: list[Any] = []
        if X_val is not None and y_val is not None:
            valid_sets.append(lightgbm.Dataset(self._features(X_val), label=y_val))
            if config["early_stopping_rounds"]:
                callbacks.append(
                    lightgbm.early_stopping(config["early_stopping_rounds"], verbose=False)
                )
        bar = _progress_bar(config["n_estimators"]) if self.verbose else None
        if bar is not None:
            callbacks.append(_progress_callback(bar))
        self.booster_ = lightgbm.train(
            self._lightgbm_params(config),
            train_set,
            num_boost_round=config["n_estimators"],
            valid_sets=valid_sets,
            callbacks=callbacks,
        )
        # With early stopping, keep the trees up to the best validation round only.
        self.n_trees_ = self.booster_.best_iteration or self.booster_.current_iteration()
        grown = self.booster_.current_iteration()
        if grown < config["n_estimators"]:
            LOGGER.info(
                "early stopping: validation loss stopped improving; %d of %d trees grown, the "
                "best %d kept", grown, config["n_estimators"], self.n_trees_,
            )  # fmt: skip
        if bar is not None:
            if grown < config["n_estimators"]:
                bar.set_postfix_str(f"early stop: best {self.n_trees_} of {grown}")
            bar.close()
        self.naming_: _Naming | None = None

    def _lightgbm_params(self, config: dict[str, Any]) -> dict[str, Any]:
        return {
            "objective": "binary",
            "metric": "binary_logloss",
            "learning_rate": config["learning_rate"],
            "num_leaves": config["num_leaves"],
            "max_depth": config["max_depth"],
            "feature_fraction": config["colsample_bytree"],
            "min_data_in_leaf": 20,
            "num_threads": self.n_jobs,
            "seed": self.random_state,
            "deterministic": True,
            "force_row_wise": True,
            "verbosity": -1,
        }

    def _features(self, X: pd.DataFrame) -> sparse.csr_matrix:
        return self._assemble(X, self.terms_.counts(text_features.article_documents(X)))

    def _assemble(
        self,
        X: pd.DataFrame,
        counts: sparse.csr_matrix,
        linear: NDArray[np.float64] | None = None,
        *,
        tfidf: sparse.csr_matrix | None = None,
    ) -> sparse.csr_matrix:
        # Keyword counts are columns of the same count matrix: one tokenisation per article.
        columns = self.terms_.columns
        keyword_counts = counts[:, [columns[word] for word in self.keywords_]]
        if tfidf is None:
            tfidf = self.terms_.tfidf(counts)
        blocks: list[Any] = [text_features.engineered_features(X), keyword_counts]
        if self.linear_ is not None:
            if linear is None:
                linear = linear_logits(tfidf, *self.linear_)
            blocks.append(linear.reshape(-1, 1))
        return text_features.stack_features([*blocks, tfidf])

    def _raw_scores(self, X: pd.DataFrame) -> NDArray[np.float64]:
        if len(X) == 0:
            return np.zeros(0)
        return np.asarray(
            self.booster_.predict(
                self._features(X), num_iteration=self.n_trees_, num_threads=self.n_jobs
            ),
            dtype=float,
        )

    def _explain(self, X: pd.DataFrame, top: int) -> list[Explanation]:
        return self._score_and_explain(X, top)[1]

    def _score_and_explain(
        self, X: pd.DataFrame, top: int
    ) -> tuple[NDArray[np.float64], list[Explanation]]:
        """Scores, and contributions by decision path (`tree_paths`) added up per word over
        its count, TF-IDF and keyword columns, the linear score's share given to its words."""
        if len(X) == 0 or top <= 0:
            return self._raw_scores(X), []
        counts = self.terms_.counts(text_features.article_documents(X))
        tfidf = self.terms_.tfidf(counts)
        features = self._assemble(X, counts, tfidf=tfidf)
        raw = np.asarray(
            self.booster_.predict(features, num_iteration=self.n_trees_, num_threads=self.n_jobs),
            dtype=float,
        )
        leaves = np.asarray(
            self.booster_.predict(
                features, num_iteration=self.n_trees_, num_threads=self.n_jobs, pred_leaf=True
            ),
            dtype=np.int64,
        )
        naming = self._naming()
        by_column = naming.paths.contributions(leaves)
        by_name = by_column @ naming.to_names
        if naming.linear_column is not None and self.linear_ is not None:
            words = linear_contributions(tfidf, self.linear_[0])
            shared = share_out(by_column[:, naming.linear_column].toarray().ravel(), words)
            engineered = len(text_features.ENGINEERED_FEATURES)
            by_name = by_name + sparse.hstack(
                [sparse.csr_matrix((len(X), engineered)), shared], format="csr"
            )
        return raw, top_contributions(sparse.csr_matrix(by_name), naming.names, top)

    def _naming(self) -> _Naming:
        """The trees' decision paths and the feature-to-name map, built on first use (derived
        from the booster and the vocabulary, never saved)."""
        naming = getattr(self, "naming_", None)
        if naming is None:
            naming = self.naming_ = _Naming.of(self)
        return naming

    def _save_files(self, folder: Path) -> None:
        self.booster_.save_model(str(folder / MODEL_FILE), num_iteration=self.n_trees_)
        self.terms_.to_json(folder / TFIDF_FILE)
        if self.linear_ is not None:
            coef, intercept = self.linear_
            linear = {"coef": coef.tolist(), "intercept": intercept}
            (folder / LINEAR_FILE).write_text(json.dumps(linear), encoding="utf-8")
        (folder / FEATURES_FILE).write_text(
            json.dumps(
                {
                    "engineered": list(text_features.ENGINEERED_FEATURES),
                    "keywords": self.keywords_,
                    "n_trees": self.n_trees_,
                    "linear_score": self.linear_ is not None,
                }
            ),
            encoding="utf-8",
        )

    def _load_files(self, folder: Path) -> None:
        import lightgbm

        text = (folder / MODEL_FILE).read_text(encoding="utf-8")
        self.booster_ = lightgbm.Booster(model_str=checked_model_text(text))
        self.terms_ = text_features.TermWeights.from_json(folder / TFIDF_FILE)
        features = json.loads((folder / FEATURES_FILE).read_text(encoding="utf-8"))
        if features["engineered"] != list(text_features.ENGINEERED_FEATURES):
            raise ValueError("engineered features differ from this fakewatch version")
        self.keywords_ = [str(word) for word in features["keywords"]]
        if set(self.keywords_) - set(self.terms_.columns):
            raise ValueError("keywords missing from the saved vocabulary")
        self.n_trees_ = int(features["n_trees"])
        self.naming_ = None
        self.linear_ = None
        if features["linear_score"]:
            linear = json.loads((folder / LINEAR_FILE).read_text(encoding="utf-8"))
            coef = np.asarray(linear["coef"], dtype=np.float64)
            if len(coef) != len(self.terms_.idf):
                raise ValueError("linear score coefficients do not match the vocabulary")
            self.linear_ = (coef, float(linear["intercept"]))


@dataclasses.dataclass(frozen=True)
class _Naming:
    """How a model's per-feature contributions become per-name ones."""

    paths: TreePaths
    # (features x names): engineered features, then words; a keyword's count column and a
    # word's TF-IDF column both map to the word. The linear score maps to nothing here: it
    # is shared out over its words per article.
    to_names: sparse.csr_matrix
    names: list[str]
    linear_column: int | None

    @classmethod
    def of(cls, model: LightGBMModel) -> _Naming:
        engineered = len(text_features.ENGINEERED_FEATURES)
        vocabulary = len(model.terms_.idf)
        targets = [
            *range(engineered),
            *(engineered + model.terms_.columns[word] for word in model.keywords_),
        ]
        linear_column = len(targets) if model.linear_ is not None else None
        if linear_column is not None:
            targets.append(-1)
        targets.extend(range(engineered, engineered + vocabulary))
        target_array = np.asarray(targets)
        kept = np.flatnonzero(target_array >= 0)
        to_names = sparse.csr_matrix(
            (np.ones(len(kept)), (kept, target_array[kept])),
            shape=(len(targets), engineered + vocabulary),
        )
        names = [*text_features.ENGINEERED_FEATURES, *model.terms_.terms]
        return cls(TreePaths(model.booster_, model.n_trees_), to_names, names, linear_column)


def _progress_bar(total: int) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="lightgbm trees", unit="tree")


def _progress_callback(bar: Any) -> Any:
    """A LightGBM callback that moves a tqdm bar one step per tree."""

    def callback(env: Any) -> None:
        bar.update(1)

    callback.order = 30  # type: ignore[attr-defined]
    return callback
