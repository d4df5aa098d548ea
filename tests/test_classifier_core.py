"""The model interface: preprocessing, calibration, thresholds, manifests and model folders."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from classifier.errors import ClassifierError, ModelFolderError
from classifier.extras import MissingExtraError
from classifier.models import artifacts
from classifier.models.base import FakeNewsModel
from classifier.models.calibration import Calibrator, fake_threshold, real_threshold, verdicts_for
from classifier.models.preprocessing import Preprocessing, stopwords_available
from tests.corpora import synthetic_corpus


class CueCountModel(FakeNewsModel):
    """A transparent test kind: fake score grows with the count of one learned cue word."""

    kind = "test_cue_count"

    def __init__(self, *, weight: float = 0.2, **common: Any) -> None:
        super().__init__(**common)
        self.weight = weight

    def _fit_raw(self, X, y, X_val, y_val) -> None:
        self.seen_texts_ = list(X["text"])
        self.cue_ = "shocking"

    def _raw_scores(self, X: pd.DataFrame) -> np.ndarray:
        counts = X["text"].str.count(self.cue_) + X["title"].str.count(self.cue_)
        return np.clip(0.2 + self.weight * counts.to_numpy(float), 0, 1)

    def _save_files(self, folder: Path) -> None:
        (folder / "cue.json").write_text(json.dumps({"cue": self.cue_}))

    def _load_files(self, folder: Path) -> None:
        self.cue_ = json.loads((folder / "cue.json").read_text())["cue"]


def test_preprocessing_steps_in_order() -> None:
    steps = Preprocessing(strip_dateline=True, replace_asterisk_words=True)
    text = "WASHINGTON (Reuters) - The <b>F**K</b> said:&amp; go to https://x.y/z now!"
    assert steps.apply(text) == "the censoredword said : & go to now !"


def test_preprocessing_round_trips_through_json() -> None:
    steps = Preprocessing(lowercase=False, remove_stopwords=True)
    assert Preprocessing.from_dict(json.loads(json.dumps(steps.to_dict()))) == steps
    with pytest.raises(ClassifierError, match="unknown preprocessing step"):
        Preprocessing.from_dict({"stemming": True})


@pytest.mark.skipif(not stopwords_available(), reason="NLTK stopwords absent: set NLTK_DATA")
def test_stopword_removal() -> None:
    assert Preprocessing(remove_stopwords=True).apply("This is the Truth about it") == "truth"


def test_preprocessing_parity_between_training_and_scoring() -> None:
    corpus = synthetic_corpus(40)
    corpus.loc[0, "text"] = "SHOCKING&nbsp;news: <i>shocking</i>!!"
    model = CueCountModel(preprocessing=Preprocessing(remove_stopwords=False)).fit(
        corpus, corpus["label"]
    )
    # The model saw preprocessed text while training, and scoring preprocesses the same way.
    assert model.seen_texts_[0] == "shocking news : shocking ! !"
    scored = model.raw_scores(corpus.iloc[:1])
    assert scored[0] == pytest.approx(0.2 + 0.2 * 2)


def test_fit_calibrates_and_chooses_thresholds() -> None:
    corpus = synthetic_corpus(200, seed=1)
    train, val = corpus.iloc[:100], corpus.iloc[100:]
    model = CueCountModel().fit(train, train["label"], val, val["label"])
    proba = model.predict_proba(val)
    assert proba.shape == (100, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert list(model.classes_) == [0, 1]
    assert model.calibrator_.method == "platt"
    assert 0.0 <= model.real_threshold_ <= model.threshold_ <= 1.0
    assert set(model.verdicts(val)) <= {"fake", "uncertain", "real"}
    flagged = proba[:, 1] >= model.threshold_
    assert val["label"].to_numpy()[flagged].mean() >= 0.9


def test_without_validation_thresholds_are_one_half() -> None:
    corpus = synthetic_corpus(30)
    model = CueCountModel().fit(corpus, corpus["label"])
    assert (model.threshold_, model.real_threshold_) == (0.5, 0.5)
    assert model.calibrator_.method == "none"


def test_get_params_and_clone_include_common_parameters() -> None:
    model = CueCountModel(weight=0.3, target_precision=0.8)
    params = model.get_params()
    assert params["weight"] == 0.3 and params["target_precision"] == 0.8
    assert clone(model).get_params() == params


def test_bad_input_is_a_one_line_error() -> None:
    with pytest.raises(ClassifierError, match="lack column"):
        CueCountModel().fit(pd.DataFrame({"text": ["a"]}), [1])
    with pytest.raises(ClassifierError, match="labels must be 1"):
        CueCountModel().fit(pd.DataFrame({"title": ["a", "b"], "text": ["a", "b"]}), [1, 2])
    with pytest.raises(ClassifierError, match="not trained"):
        CueCountModel().predict_proba(synthetic_corpus(4))


def test_calibrators_round_trip_through_json() -> None:
    rng = np.random.default_rng(0)
    raw = rng.random(300)
    y = (rng.random(300) < raw).astype(int)
    for method in ("platt", "isotonic", "none"):
        calibrator = Calibrator.fit(raw, y, method)
        again = Calibrator.from_dict(json.loads(json.dumps(calibrator.to_dict())))
        np.testing.assert_array_equal(calibrator.transform(raw), again.transform(raw))
        assert np.all(np.diff(again.transform(np.sort(raw))) >= -1e-12)


def test_thresholds_reach_target_precision() -> None:
    proba = np.array([0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9])
    y = np.array([0, 0, 1, 0, 0, 1, 1, 1])
    assert fake_threshold(proba, y, 0.75) == 0.6
    assert fake_threshold(proba, y, 1.0) == 0.7
    assert real_threshold(proba, y, 1.0) == 0.2
    assert list(verdicts_for([0.1, 0.5, 0.95], 0.9, 0.2)) == ["real", "uncertain", "fake"]


def test_evaluation_counts_three_verdicts_and_keeps_uncertain_apart(tmp_path: Path) -> None:
    from classifier.evaluation.metrics import Evaluation, save_plots

    # fake at p >= 0.8, real at p <= 0.3; the rest uncertain, whatever the label.
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1])
    p = np.array([0.1, 0.2, 0.5, 0.9, 0.3, 0.5, 0.6, 0.8, 0.95])
    evaluation = Evaluation(y, p, threshold=0.8, real_threshold=0.3)
    scores = evaluation.metrics()
    assert scores["verdict_matrix"] == [[2, 1, 1], [1, 2, 2]]  # rows: real, fake labels
    # The two-class matrix at the threshold folds the three uncertain articles into "real".
    assert scores["at_threshold"]["confusion_matrix"] == [[3, 1], [3, 2]]
    assert (tmp_path / save_plots(evaluation, tmp_path)["confusion_matrix"]).stat().st_size > 0


def test_save_and_load_give_identical_probabilities(tmp_path: Path) -> None:
    corpus = synthetic_corpus(120, seed=2)
    model = CueCountModel(weight=0.1).fit(
        corpus.iloc[:60], corpus["label"][:60], corpus.iloc[60:], corpus["label"][60:]
    )
    model.save(tmp_path / "model")
    loaded = artifacts.load_model(tmp_path / "model")
    assert isinstance(loaded, CueCountModel) and loaded.weight == 0.1
    np.testing.assert_array_equal(loaded.predict_proba(corpus), model.predict_proba(corpus))
    manifest = artifacts.read_manifest(tmp_path / "model")
    assert manifest["kind"] == "test_cue_count" and "cue.json" in manifest["files"]
    assert manifest["training_data"]["rows"] == 60


@pytest.fixture
def saved_folder(tmp_path: Path) -> Path:
    corpus = synthetic_corpus(30)
    return CueCountModel().fit(corpus, corpus["label"]).save(tmp_path / "model")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda f: (f / "manifest.json").unlink(), "not a model folder"),
        (lambda f: (f / "manifest.json").write_text("{not json"), "corrupt"),
        (lambda f: (f / "cue.json").unlink(), "lacks cue.json"),
        (lambda f: (f / "cue.json").write_text('{"cue": "x"}'), "checksum"),
        (lambda f: _edit_manifest(f, format_version=99), "manifest version 99"),
        (lambda f: _edit_manifest(f, kind="nonesuch"), "unknown model kind"),
        (lambda f: _edit_manifest(f, params={"bogus": 1}), "bad contents"),
        (lambda f: _edit_manifest(f, files={"../../../etc/passwd": "0" * 64}), "outside"),
        (lambda f: _edit_manifest(f, files={"/etc/hostname": "0" * 64}), "outside"),
        (lambda f: _edit_thresholds(f, fake="nan"), "not a probability"),
        (lambda f: _edit_thresholds(f, real=1.5), "not a probability"),
    ],
)
def test_damaged_folder_is_a_one_line_error(saved_folder: Path, damage, message: str) -> None:
    damage(saved_folder)
    with pytest.raises(ModelFolderError, match=message) as raised:
        artifacts.load_model(saved_folder)
    assert "\n" not in str(raised.value)


def test_missing_folder_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(ModelFolderError, match="does not exist"):
        artifacts.load_model(tmp_path / "nowhere")


def test_nothing_in_a_model_folder_is_pickled(saved_folder: Path) -> None:
    for path in saved_folder.rglob("*"):
        assert path.suffix in {".json", ".txt", ".npy", ".npz"}, path
        if path.suffix in {".npy", ".npz"}:  # plain arrays: they load with pickle refused
            np.load(path, allow_pickle=False)


def _edit_manifest(folder: Path, **changes: Any) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest.update(changes)
    path.write_text(json.dumps(manifest))


def test_every_listed_kind_is_a_registered_class_and_the_cli_offers_it() -> None:
    from fakewatch.commands.model import MODEL_KINDS

    assert tuple(artifacts.KIND_MODULES) == MODEL_KINDS
    for kind in artifacts.KIND_MODULES:
        assert artifacts.model_class(kind).kind == kind
    # Cheap kinds refit per fold; the neural ones would take hours on a CPU. Sentence
    # embeddings are made once per article and process, so their linear head refits cheaply.
    assert artifacts.refit_kinds() == ("lightgbm", "tfidf_logreg", "embedding_logreg")


def test_a_kind_whose_stack_is_not_installed_names_the_extra_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in an install without extras: importing these fails and find_spec finds nothing.
    for module in ("tensorflow", "keras", "torch", "transformers"):
        monkeypatch.setitem(sys.modules, module, None)
    for kind, extra in (
        ("lstm", "lstm"),
        ("transformer", "transformer"),
        ("embedding_logreg", "transformer"),
    ):
        with pytest.raises(MissingExtraError) as raised:
            artifacts.model_class(kind)
        message = str(raised.value)
        assert message.startswith(f"the {kind} model kind needs ") and "\n" not in message
        assert message.endswith(f"pip install 'fakewatch[{extra}]'")
        assert not artifacts.kind_installed(kind)
        # A saved model of that kind says the same, not "corrupt, retrain".
        folder = tmp_path / kind
        folder.mkdir()
        manifest: dict[str, Any] = {"format": artifacts.MANIFEST_FORMAT, "format_version": 1}
        manifest |= {"kind": kind, "params": {}, "preprocessing": {}, "calibration": {}}
        manifest |= {"thresholds": {}, "files": {}}
        (folder / artifacts.MANIFEST_NAME).write_text(json.dumps(manifest))
        with pytest.raises(MissingExtraError, match=rf"fakewatch\[{extra}\]"):
            artifacts.load_model(folder)
    corpus = synthetic_corpus(40)
    ensemble = artifacts.model_class("ensemble")(members=["tfidf_logreg", "lstm"])
    with pytest.raises(MissingExtraError, match=r"fakewatch\[lstm\]"):
        ensemble.fit(corpus[["title", "text"]], corpus["label"].to_numpy())
    # The LightGBM default and the others need no extra.
    assert artifacts.refit_kinds() == ("lightgbm", "tfidf_logreg")
    assert all(artifacts.kind_installed(k) for k in ("lightgbm", "tfidf_logreg", "ensemble"))


def _edit_thresholds(folder: Path, **thresholds: object) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["thresholds"].update(thresholds)
    (folder / "manifest.json").write_text(json.dumps(manifest))
