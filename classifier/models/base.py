"""`FakeNewsModel`: the one interface behind every model kind (scikit-learn's estimator contract).

Contract, for users of any kind:

- `X` is a pandas DataFrame with string columns `title` and `text` (other columns are
  ignored; NaN counts as ""). `y` is an int array-like, 1 = fake, 0 = real.
- `__init__` only stores hyperparameters under their own names (so `get_params`,
  `set_params` and `sklearn.base.clone` work).
- `fit(X, y, X_val=None, y_val=None)` learns and returns `self`. With validation data it
  also fits the calibrator (`calibration="platt"|"isotonic"|"none"`) and chooses
  `threshold_` (lowest probability whose "fake" verdicts reach `target_precision` on
  validation) and `real_threshold_` (the same for "real" verdicts). Without it the
  probabilities are the raw scores and both thresholds are 0.5.
- `predict_proba(X)` is an (n, 2) array whose columns follow `classes_ == [0, 1]`:
  column 1 is the calibrated probability of fake. `predict(X)` is 1 where that is
  >= `threshold_`. `verdicts(X)` gives "fake" / "uncertain" / "real" per article.
- `assess(X, explain=n)` gives all of it at once, preprocessing once: the probability, the
  domain-shift score (how unlike the training data each article is, see
  `domain_shift.py`), the verdict (a "fake" needs a high probability *and* an article
  within the training data's range: otherwise it is "uncertain") and, with `explain`, the
  `n` features that pushed each article's score most, as (feature, log-odds) pairs.
- `save(folder)` writes the kind's files and `manifest.json`; `Kind.load(folder)` or
  `classifier.models.artifacts.load_model(folder)` reads it back with identical probabilities.
- After fit or load: `threshold_`, `real_threshold_`, `calibrator_`, `preprocessing_`,
  `version_` (names this trained model, e.g. for the predictions table), `created_`,
  `training_data_` (fingerprint, rows), `metrics_` (what training measured) and
  `domain_shift_` (None when `shift_quantile` is None or for folders saved without one) and
  `score_histogram_` (the validation probabilities' histogram, see `score_drift.py`).
  `verdicts_for_proba(p, shift)` turns already computed probabilities into verdicts.

Contract, for authors of a kind (see `lightgbm_model.py` for a complete example):

- Subclass with a class attribute `kind = "name"` (that registers it; add its module to
  `artifacts.KIND_MODULES`, the one list of kinds, so `load_model` can import it lazily) and
  optionally `kind_version` (bump when your files change meaning), `default_preprocessing`
  and `supports_refit` (True when a fit is cheap enough for k-fold and learning curves).
- Write `__init__(self, *, your_param=default, ..., **common)`: call
  `super().__init__(**common)` and store each parameter as `self.your_param`, unchanged.
  Parameters must be JSON values (str, int, float, bool, None, lists).
- Implement `_fit_raw(X, y, X_val, y_val)`: train on already-preprocessed frames (X_val and
  y_val may be None; use them for early stopping if you like), store learned state in
  attributes ending in `_`.
- Implement `_raw_scores(X) -> ndarray (n,)`: uncalibrated probability of fake in [0, 1]
  for an already-preprocessed frame.
- Implement `_save_files(folder)` (write safe formats only: no pickle, no joblib) and
  `_load_files(folder)` (restore the learned state that `_fit_raw` set). The base class
  stores preprocessing, calibration, thresholds, params and metrics in the manifest.
- Optionally implement `_explain(X, top)`: per preprocessed article, the `top` features by
  absolute contribution to the raw score's log-odds (positive: towards fake). Kinds
  without one explain nothing (empty lists).
"""

from __future__ import annotations

import abc
import dataclasses
import datetime as dt
import hashlib
import inspect
import json
import logging
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, ClassVar, Self, TypeAlias

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin

from classifier.errors import ClassifierError, ModelFolderError
from classifier.extras import MissingExtraError
from classifier.models import artifacts, text_features
from classifier.models.calibration import (
    VERDICT_FAKE,
    VERDICT_UNCERTAIN,
    Calibrator,
    fake_threshold,
    real_threshold,
    verdicts_for,
)
from classifier.models.domain_shift import DomainShift
from classifier.models.explanation import Explanation
from classifier.models.preprocessing import Preprocessing
from classifier.models.score_drift import score_histogram
from common.messages import first_line

LOGGER = logging.getLogger(__name__)

ARTICLE_COLUMNS = ("title", "text")

# Articles (the `title` and `text` columns) and their labels (1 = fake), as the kinds take them.
Frame: TypeAlias = pd.DataFrame
Labels: TypeAlias = NDArray[np.int_]


@dataclasses.dataclass(frozen=True)
class Assessment:
    """A model's view of some articles: probability, shift, verdict and (optionally) why."""

    proba_fake: NDArray[np.float64]
    shift: NDArray[np.float64]  # NaN where the model has no domain-shift detector
    verdicts: NDArray[np.str_]
    explanations: list[Explanation]  # empty lists unless asked for and the kind can explain


class FakeNewsModel(ClassifierMixin, BaseEstimator, abc.ABC):
    """A fake-news classifier over (title, text) with calibration, thresholds and safe save/load."""

    kind: ClassVar[str]
    kind_version: ClassVar[int] = 1
    default_preprocessing: ClassVar[Preprocessing] = Preprocessing()
    # Cheap enough to refit many times (k-fold cross-validation, learning curves).
    supports_refit: ClassVar[bool] = False

    def __init__(
        self,
        *,
        preprocessing: Preprocessing | None = None,
        calibration: str = "platt",
        target_precision: float = 0.9,
        shift_quantile: float | None = 0.95,
        random_state: int = 0,
        verbose: int = 0,
    ) -> None:
        self.preprocessing = preprocessing
        self.calibration = calibration
        self.target_precision = target_precision
        # Articles whose domain shift exceeds this quantile of the validation articles' shifts
        # cannot be called fake; None turns the domain-shift detector off.
        self.shift_quantile = shift_quantile
        self.random_state = random_state
        self.verbose = verbose

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" in cls.__dict__:
            artifacts.register_kind(cls)

    @classmethod
    def _get_param_names(cls) -> list[str]:
        # Parameters of every __init__ in the MRO, so subclasses may forward **common.
        names: set[str] = set()
        for klass in cls.__mro__:
            init = klass.__dict__.get("__init__")
            if init is None or klass in (object, BaseEstimator, ClassifierMixin, abc.ABC):
                continue
            for param in inspect.signature(init).parameters.values():
                if param.kind == param.VAR_POSITIONAL:
                    raise TypeError(f"{cls.__name__}.__init__ must not take *args")
                if param.name != "self" and param.kind != param.VAR_KEYWORD:
                    names.add(param.name)
        return sorted(names)

    # ----- the subclass hooks -------------------------------------------------------------

    @abc.abstractmethod
    def _fit_raw(self, X: Frame, y: Labels, X_val: Frame | None, y_val: Labels | None) -> None:
        """Learn from preprocessed articles; store learned state in `*_` attributes."""

    @abc.abstractmethod
    def _raw_scores(self, X: pd.DataFrame) -> NDArray[np.float64]:
        """Uncalibrated probability of fake, shape (n,), for preprocessed articles."""

    @abc.abstractmethod
    def _save_files(self, folder: Path) -> None:
        """Write the kind's learned state into `folder` in safe formats."""

    @abc.abstractmethod
    def _load_files(self, folder: Path) -> None:
        """Restore the learned state that `_save_files` wrote."""

    def _explain(self, X: pd.DataFrame, top: int) -> list[Explanation]:
        """The `top` contributions per preprocessed article; this kind explains nothing."""
        return [[] for _ in range(len(X))]

    def _score_and_explain(
        self, X: pd.DataFrame, top: int
    ) -> tuple[NDArray[np.float64], list[Explanation]]:
        """Raw scores and (with `top` > 0) explanations; a kind may share work between them."""
        return self._raw_scores(X), self._explain(X, top) if top > 0 else []

    # ----- the estimator contract ---------------------------------------------------------

    def fit(
        self,
        X: pd.DataFrame,
        y: ArrayLike,
        X_val: pd.DataFrame | None = None,
        y_val: ArrayLike | None = None,
    ) -> Self:
        """Train, then calibrate and choose thresholds on validation data when given."""
        articles, labels = check_articles(X), check_labels(y, len(X))
        if len(np.unique(labels)) < 2:
            raise ClassifierError("training data holds one class only: it needs fake and real")
        has_val = X_val is not None and y_val is not None
        val_articles = check_articles(X_val) if has_val else None
        val_labels = check_labels(y_val, len(val_articles)) if val_articles is not None else None
        self.preprocessing_ = self.preprocessing or type(self).default_preprocessing
        train_pre = self.preprocessing_.transform(articles)
        val_pre = self.preprocessing_.transform(val_articles) if val_articles is not None else None
        self._fit_raw(train_pre, labels, val_pre, val_labels)
        self.classes_ = np.array([0, 1])
        self.created_ = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        fingerprint = data_fingerprint(articles, labels)
        # Sorted and unique: what `evaluate` checks its data against (`seen_in_training`).
        self.training_rows_: NDArray[np.uint64] | None = np.unique(row_hashes(articles))
        self.training_data_: dict[str, Any] = {
            "fingerprint": fingerprint,
            "rows": len(labels),
            "fake": int(labels.sum()),
            "validation_rows": 0 if val_labels is None else len(val_labels),
        }
        stamp = self.created_[:19].replace("-", "").replace(":", "")
        self.version_ = f"{self.kind}-{stamp}-{fingerprint[:8]}"
        self.metrics_: dict[str, Any] = {}
        self.score_histogram_: list[float] | None = None
        self.domain_shift_ = self._fit_domain_shift(train_pre, val_pre)
        if val_pre is not None and val_labels is not None:
            self._calibrate(self._raw_scores(val_pre), val_labels)
        else:
            self.calibrator_ = Calibrator()
            self.threshold_, self.real_threshold_ = 0.5, 0.5
        return self

    def _fit_domain_shift(
        self, train: pd.DataFrame, validation: pd.DataFrame | None
    ) -> DomainShift | None:
        if self.shift_quantile is None or validation is None or len(validation) == 0:
            return None
        return DomainShift.fit(
            text_features.article_documents(train),
            text_features.article_documents(validation),
            seed=self.random_state,
            quantile=self.shift_quantile,
        )

    def _calibrate(self, raw_val: NDArray[np.float64], y_val: NDArray[np.int_]) -> None:
        self.calibrator_ = Calibrator.fit(raw_val, y_val, self.calibration)
        proba = self.calibrator_.transform(raw_val)
        # What the daemon's score-drift gauge compares each source's recent scores with.
        self.score_histogram_ = score_histogram(proba)
        self.threshold_ = fake_threshold(proba, y_val, self.target_precision)
        self.real_threshold_ = min(
            real_threshold(proba, y_val, self.target_precision), self.threshold_
        )
        LOGGER.info(
            "calibrated (%s): fake if p >= %.3f, real if p <= %.3f",
            self.calibrator_.method,
            self.threshold_,
            self.real_threshold_,
        )

    def raw_scores(self, X: pd.DataFrame) -> NDArray[np.float64]:
        """Uncalibrated fake scores for raw articles (preprocessed here)."""
        self._check_fitted()
        return np.asarray(self._raw_scores(self.preprocessing_.transform(check_articles(X))), float)

    def predict_proba(self, X: pd.DataFrame) -> NDArray[np.float64]:
        """Calibrated probabilities, columns following `classes_` ([real, fake])."""
        raw = self.raw_scores(X)
        fake = np.clip(self.calibrator_.transform(raw), 0.0, 1.0)
        return np.column_stack([1.0 - fake, fake])

    def predict(self, X: pd.DataFrame) -> NDArray[np.int_]:
        """1 (fake) where the probability of fake reaches `threshold_`, else 0."""
        return (self.predict_proba(X)[:, 1] >= self.threshold_).astype(int)

    def verdicts(self, X: pd.DataFrame) -> NDArray[np.str_]:
        """Verdict per article: fake, uncertain or real (see `assess`)."""
        return self.assess(X).verdicts

    def shift_scores(self, X: pd.DataFrame) -> NDArray[np.float64]:
        """Domain shift per raw article, 0 (like the training data) to 1; NaN without detector."""
        self._check_fitted()
        return self._shift(self.preprocessing_.transform(check_articles(X)))

    def assess(self, X: pd.DataFrame, *, explain: int = 0) -> Assessment:
        """Probability, shift, verdict and (with `explain` > 0) the top contributions."""
        self._check_fitted()
        articles = self.preprocessing_.transform(check_articles(X))
        raw, explanations = self._score_and_explain(articles, explain)
        proba = np.clip(self.calibrator_.transform(np.asarray(raw, dtype=float)), 0.0, 1.0)
        shift = self._shift(articles)
        return Assessment(
            proba_fake=proba,
            shift=shift,
            verdicts=self.verdicts_for_proba(proba, shift),
            explanations=explanations or [[] for _ in range(len(articles))],
        )

    def verdicts_for_proba(
        self, proba_fake: ArrayLike, shift: ArrayLike | None = None
    ) -> NDArray[np.str_]:
        """Verdicts for computed probabilities; a "fake" beyond the shift limit is "uncertain"."""
        verdicts = verdicts_for(proba_fake, self.threshold_, self.real_threshold_)
        detector = getattr(self, "domain_shift_", None)
        if shift is None or detector is None:
            return verdicts
        outside = ~detector.in_distribution(np.asarray(shift, dtype=float))
        return np.where((verdicts == VERDICT_FAKE) & outside, VERDICT_UNCERTAIN, verdicts)

    def _shift(self, articles: pd.DataFrame) -> NDArray[np.float64]:
        detector = getattr(self, "domain_shift_", None)
        if detector is None:
            return np.full(len(articles), np.nan)
        return detector.scores(text_features.article_documents(articles))

    def _check_fitted(self) -> None:
        if not hasattr(self, "classes_"):
            raise ClassifierError(f"this {self.kind} model is not trained: call fit() or load()")

    # ----- save and load ------------------------------------------------------------------

    def save(self, folder: str | Path) -> Path:
        """Write the model folder (kind files, then `manifest.json` with their checksums)."""
        self._check_fitted()
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / artifacts.MANIFEST_NAME).unlink(missing_ok=True)
        self._save_files(folder)
        if self.training_rows_ is not None:
            np.save(folder / TRAINING_ROWS_FILE, self.training_rows_, allow_pickle=False)
        if self.domain_shift_ is not None:
            self.domain_shift_.save(folder)
        artifacts.write_manifest(folder, self.manifest(artifacts.file_checksums(folder)))
        LOGGER.info("saved %s model to %s", self.kind, folder)
        return folder

    def manifest(self, files: dict[str, str]) -> dict[str, Any]:
        """The manifest as a JSON-ready mapping."""
        params = {k: v for k, v in self.get_params(deep=False).items() if k != "preprocessing"}
        try:
            json.dumps(params, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{type(self).__name__} parameters must be JSON values: {exc}") from exc
        try:
            software = version("fakewatch")
        except PackageNotFoundError:  # running from a source tree that is not installed
            software = "unknown"

        return {
            "format": artifacts.MANIFEST_FORMAT,
            "format_version": artifacts.MANIFEST_VERSION,
            "kind": self.kind,
            "kind_version": self.kind_version,
            "model_version": self.version_,
            "created": self.created_,
            "fakewatch_version": software,
            "training_data": self.training_data_,
            "params": params,
            "preprocessing": self.preprocessing_.to_dict(),
            "calibration": self.calibrator_.to_dict(),
            "thresholds": {
                "fake": self.threshold_,
                "real": self.real_threshold_,
                "target_precision": self.target_precision,
            },
            "metrics": artifacts.json_safe(self.metrics_),
            "domain_shift": self.domain_shift_.to_dict() if self.domain_shift_ else None,
            "score_histogram": self.score_histogram_,
            "files": files,
        }

    @classmethod
    def load(cls, folder: str | Path) -> Self:
        """Read a model folder written by `save`; one-line ModelFolderError when unusable."""
        folder = Path(folder)
        manifest = artifacts.read_manifest(folder)
        if manifest["kind"] != cls.kind:
            raise ModelFolderError(
                f"{folder} holds a {manifest['kind']!r} model, not {cls.kind!r}: "
                "use classifier.models.artifacts.load_model or the right kind"
            )
        if manifest.get("kind_version") != cls.kind_version:
            raise ModelFolderError(
                f"{folder} is a {cls.kind} model of format {manifest.get('kind_version')!r}; "
                f"this fakewatch reads format {cls.kind_version}: retrain it"
            )
        artifacts.verify_files(folder, manifest["files"])
        try:
            preprocessing = Preprocessing.from_dict(manifest["preprocessing"])
            model = cls(**manifest["params"], preprocessing=preprocessing)
            model.preprocessing_ = preprocessing
            model.calibrator_ = Calibrator.from_dict(manifest["calibration"])
            model.threshold_ = probability(manifest["thresholds"]["fake"], "thresholds.fake")
            model.real_threshold_ = probability(manifest["thresholds"]["real"], "thresholds.real")
            model.created_ = str(manifest["created"])
            model.version_ = str(manifest["model_version"])
            model.training_data_ = dict(manifest["training_data"])
            model.metrics_ = dict(manifest.get("metrics") or {})
            model.domain_shift_ = DomainShift.load(folder)
            rows_file = folder / TRAINING_ROWS_FILE
            model.training_rows_ = (
                np.load(rows_file, allow_pickle=False) if rows_file.is_file() else None
            )
            histogram = manifest.get("score_histogram")
            model.score_histogram_ = [float(x) for x in histogram] if histogram else None
        except (TypeError, ValueError, KeyError, OSError, ClassifierError) as exc:
            raise ModelFolderError(
                f"{folder}/{artifacts.MANIFEST_NAME} has bad contents ({exc}): retrain the model"
            ) from None
        try:
            model._load_files(folder)
        except (ModelFolderError, MissingExtraError):  # an ensemble member's kind, say
            raise
        except Exception as exc:
            raise ModelFolderError(
                f"cannot load the {cls.kind} files in {folder} ({type(exc).__name__}: "
                f"{first_line(exc)}): retrain or restore the model"
            ) from exc
        model.classes_ = np.array([0, 1])
        return model


def probability(value: Any, name: str) -> float:
    """`value` as a float in [0, 1]; ValueError (NaN, infinity, text, out of range) otherwise."""
    number = float(value)
    if not 0.0 <= number <= 1.0:  # also False for NaN
        raise ValueError(f"{name} is {value!r}, not a probability")
    return number


def check_articles(X: Any) -> pd.DataFrame:
    """A frame with string `title` and `text` columns (NaN → ""), or a ClassifierError."""
    if not isinstance(X, pd.DataFrame):
        raise ClassifierError(f"articles must be a DataFrame with title and text, got {type(X)}")
    missing = [column for column in ARTICLE_COLUMNS if column not in X.columns]
    if missing:
        raise ClassifierError(f"articles lack column(s) {', '.join(missing)}")
    return pd.DataFrame(
        {column: X[column].fillna("").astype(str) for column in ARTICLE_COLUMNS}, index=X.index
    )


def check_labels(y: Any, n_rows: int) -> NDArray[np.int_]:
    """Labels as an int array of 0 and 1, matching the number of articles."""
    labels = np.asarray(y)
    if labels.ndim != 1 or len(labels) != n_rows:
        raise ClassifierError(f"expected {n_rows} labels, got shape {labels.shape}")
    if not np.isin(labels, (0, 1)).all():
        raise ClassifierError("labels must be 1 (fake) or 0 (real)")
    return labels.astype(int)


TRAINING_ROWS_FILE = "training_rows.npy"


def row_hashes(articles: pd.DataFrame) -> NDArray[np.uint64]:
    """A 64-bit hash of each article's title and text, as the model was given them."""
    articles = check_articles(articles)
    return np.fromiter(
        (
            int.from_bytes(hashlib.sha256(f"{title}\x1f{text}".encode()).digest()[:8], "little")
            for title, text in zip(articles["title"], articles["text"], strict=True)
        ),
        dtype=np.uint64,
        count=len(articles),
    )


def seen_in_training(model: FakeNewsModel, articles: pd.DataFrame) -> NDArray[np.bool_] | None:
    """Which of `articles` the model was trained on; None for folders saved without the hashes."""
    trained = getattr(model, "training_rows_", None)
    if trained is None:
        return None
    return np.isin(row_hashes(articles), trained)


def data_fingerprint(articles: pd.DataFrame, labels: NDArray[np.int_]) -> str:
    """SHA-256 over titles, texts and labels, in order: identifies the training data."""
    digest = hashlib.sha256()
    for title, text, label in zip(articles["title"], articles["text"], labels, strict=True):
        digest.update(f"{title}\x1f{text}\x1f{int(label)}\x1e".encode())
    return digest.hexdigest()
