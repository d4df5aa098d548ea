"""`ensemble` kind: the families fakewatch has, stacked on out-of-fold predictions.

Each member kind (default `tfidf_logreg` and `lightgbm`; `lstm`, `transformer` and
`embedding_logreg` may join) is trained `folds` times on all training articles but one fold
and scores that fold, so every training article gets each member's score from a model that
never saw it. A logistic regression on those scores' log-odds (the stacker) learns how much
to trust each member; then every member is trained once more on all the training articles
(with the validation articles for early stopping) and the stacker combines them. The
ensemble as a whole is then calibrated, thresholded and given its domain-shift detector by
the base class, like any kind.

Members see the text the ensemble's preprocessing made and add none of their own. Each is
saved in its own subfolder (`member-<kind>/`, its own safe format and manifest, checksummed by
the ensemble's manifest); the stacker's weights are JSON. An explanation is the members'
explanations, each weighted by its stacker coefficient and added up per feature.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from classifier.errors import ClassifierError
from classifier.models import artifacts
from classifier.models.base import FakeNewsModel, Frame, Labels
from classifier.models.explanation import DECIMALS, Explanation
from classifier.models.preprocessing import Preprocessing

LOGGER = logging.getLogger(__name__)

STACKER_FILE = "stacker.json"
# Keeps log-odds finite for members that are certain.
EPSILON = 1e-6


class EnsembleModel(FakeNewsModel):
    """Member kinds stacked by a logistic regression on their out-of-fold log-odds."""

    kind = "ensemble"

    def __init__(
        self,
        *,
        members: list[str] | None = None,
        member_params: dict[str, dict[str, Any]] | None = None,
        folds: int = 3,
        **common: Any,
    ) -> None:
        super().__init__(**common)
        self.members = members
        self.member_params = member_params
        self.folds = folds

    def _member_kinds(self) -> list[str]:
        kinds = list(self.members or ["tfidf_logreg", "lightgbm"])
        if "ensemble" in kinds or len(set(kinds)) != len(kinds) or not kinds:
            raise ClassifierError(f"ensemble members must be distinct kinds, got {kinds}")
        return kinds

    def _member(self, kind: str) -> FakeNewsModel:
        params = dict((self.member_params or {}).get(kind, {}))
        params.setdefault("random_state", self.random_state)
        model = artifacts.model_class(kind)(**params)
        # The ensemble preprocessed the text and owns calibration and the shift detector.
        model.set_params(preprocessing=Preprocessing.none(), calibration="none")
        model.set_params(shift_quantile=None)
        return model

    def _fit_raw(self, X: Frame, y: Labels, X_val: Frame | None, y_val: Labels | None) -> None:
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold

        kinds = self._member_kinds()
        folds = min(self.folds, int(np.bincount(y, minlength=2).min()))
        if folds < 2:
            raise ClassifierError("the ensemble needs at least 2 fake and 2 real articles")
        out_of_fold = np.zeros((len(X), len(kinds)))
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=self.random_state)
        for number, (fit_rows, held_rows) in enumerate(splitter.split(np.zeros(len(y)), y), 1):
            for column, kind in enumerate(kinds):
                LOGGER.info("ensemble: fold %d of %d, %s", number, folds, kind)
                member = self._member(kind).fit(X.iloc[fit_rows], y[fit_rows])
                out_of_fold[held_rows, column] = member.raw_scores(X.iloc[held_rows])
        stacker = LogisticRegression(C=1.0, max_iter=1000)
        stacker.fit(_log_odds(out_of_fold), y)
        self.stacker_ = (stacker.coef_[0].astype(float), float(stacker.intercept_[0]))
        LOGGER.info("ensemble: stacker weights %s", dict(zip(kinds, self.stacker_[0], strict=True)))
        self.members_ = {}
        for kind in kinds:
            LOGGER.info("ensemble: training %s on all %d articles", kind, len(X))
            self.members_[kind] = self._member(kind).fit(X, y, X_val, y_val)

    def _member_scores(self, X: pd.DataFrame) -> NDArray[np.float64]:
        return np.column_stack([m.raw_scores(X) for m in self.members_.values()])

    def _raw_scores(self, X: pd.DataFrame) -> NDArray[np.float64]:
        if len(X) == 0:
            return np.zeros(0)
        coef, intercept = self.stacker_
        logits = _log_odds(self._member_scores(X)) @ coef + intercept
        return np.asarray(1.0 / (1.0 + np.exp(-logits)), dtype=float)

    def _explain(self, X: pd.DataFrame, top: int) -> list[Explanation]:
        coef, _ = self.stacker_
        combined: list[dict[str, float]] = [defaultdict(float) for _ in range(len(X))]
        for weight, member in zip(coef, self.members_.values(), strict=True):
            for row, why in enumerate(member.assess(X, explain=top * 4).explanations):
                for feature, value in why:
                    combined[row][feature] += weight * value
        return [
            [
                (feature, round(value, DECIMALS))
                for feature, value in sorted(row.items(), key=lambda item: -abs(item[1]))[:top]
                if value
            ]
            for row in combined
        ]

    def _save_files(self, folder: Path) -> None:
        for kind, member in self.members_.items():
            member.save(folder / f"member-{kind}")
        coef, intercept = self.stacker_
        state = {"members": list(self.members_), "coef": list(coef), "intercept": intercept}
        (folder / STACKER_FILE).write_text(json.dumps(state), encoding="utf-8")

    def _load_files(self, folder: Path) -> None:
        state = json.loads((folder / STACKER_FILE).read_text(encoding="utf-8"))
        kinds = [str(kind) for kind in state["members"]]
        coef = np.asarray(state["coef"], dtype=float)
        if len(coef) != len(kinds):
            raise ValueError("the stacker's weights do not match its members")
        self.members_ = {kind: artifacts.load_model(folder / f"member-{kind}") for kind in kinds}
        self.stacker_ = (coef, float(state["intercept"]))


def _log_odds(p: NDArray[np.float64]) -> NDArray[np.float64]:
    p = np.clip(p, EPSILON, 1 - EPSILON)
    return np.asarray(np.log(p / (1 - p)), dtype=float)
