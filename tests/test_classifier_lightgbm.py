"""The lightgbm and tfidf_logreg kinds, trained for real on small synthetic corpora."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from classifier.errors import ClassifierError
from classifier.models.artifacts import load_model, read_manifest
from classifier.models.baseline_model import TfidfLogregModel
from classifier.models.lightgbm_model import LightGBMModel
from classifier.models.text_features import information_gain, select_keywords
from tests.corpora import FAKE_CUES, REAL_CUES, synthetic_corpus

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus():
    frame = synthetic_corpus(260, seed=11)
    return frame.iloc[:160], frame.iloc[160:210], frame.iloc[210:]


def test_keywords_are_chosen_by_information_gain() -> None:
    frame = synthetic_corpus(200, seed=12)
    documents = (frame["title"] + " " + frame["text"]).str.lower().tolist()
    keywords = select_keywords(documents, frame["label"].to_numpy(), 10)
    cues = set(FAKE_CUES) | set(REAL_CUES) | {"!"}
    assert sum(word in cues for word in keywords) >= 8


def test_information_gain_of_a_perfect_and_a_useless_word() -> None:
    from scipy import sparse

    presence = sparse.csr_matrix(np.array([[1, 1], [1, 0], [0, 1], [0, 0]]))
    gain = information_gain(presence, np.array([1, 1, 0, 0]))
    assert gain[0] == pytest.approx(1.0) and gain[1] == pytest.approx(0.0)


@pytest.mark.parametrize("preset", ["study", "fakewatch"])
def test_lightgbm_learns_and_round_trips(corpus, tmp_path: Path, preset: str) -> None:
    train, val, test = corpus
    model = LightGBMModel(preset=preset, n_estimators=40, n_jobs=1)
    model.fit(train, train["label"], val, val["label"])
    assert model.score(test, test["label"]) > 0.75
    assert len(model.keywords_) == model.config()["keywords"]
    model.save(tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    np.testing.assert_array_equal(loaded.predict_proba(test), model.predict_proba(test))
    assert list(loaded.verdicts(test)) == list(model.verdicts(test))
    manifest = read_manifest(tmp_path / "m")
    assert manifest["params"]["preset"] == preset
    assert json.loads((tmp_path / "m" / "features.json").read_text())["keywords"]
    assert (tmp_path / "m" / "lightgbm_model.txt").read_text().startswith("tree")


def test_study_preset_is_the_study_configuration() -> None:
    config = LightGBMModel(preset="study").config()
    assert (config["n_estimators"], config["max_depth"], config["keywords"]) == (100, 3, 20)
    assert LightGBMModel(preset="study", keywords=5).config()["keywords"] == 5
    with pytest.raises(ClassifierError, match="unknown lightgbm preset"):
        LightGBMModel(preset="huge").config()


def test_baseline_learns_and_round_trips(corpus, tmp_path: Path) -> None:
    train, val, test = corpus
    model = TfidfLogregModel().fit(train, train["label"], val, val["label"])
    assert model.score(test, test["label"]) > 0.75
    model.save(tmp_path / "b")
    loaded = load_model(tmp_path / "b")
    np.testing.assert_array_equal(loaded.predict_proba(test), model.predict_proba(test))


def test_lightgbm_import_does_not_import_tensorflow_or_torch() -> None:
    import subprocess
    import sys

    code = (
        "import sys, classifier.models.artifacts as a; a.model_class('lightgbm');"
        "print('tensorflow' in sys.modules or 'torch' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("find", "replace"),
    [
        ("num_leaves=", "num_leaves=99999"),  # LightGBM's parallel parser: terminate, exit 134
        ("split_feature=", "split_feature=0 "),  # one value too many: exit 134 as well
        ("left_child=", "left_child=77 "),  # loads, then SIGSEGV at the first prediction
    ],
)
def test_corrupt_but_checksummed_weights_are_a_one_line_error(
    corpus, tmp_path: Path, find: str, replace: str
) -> None:
    import hashlib
    import subprocess
    import sys

    train, val, _ = corpus
    folder = (
        LightGBMModel(preset="study", n_estimators=10, n_jobs=1)
        .fit(train, train["label"], val, val["label"])
        .save(tmp_path / "model")
    )
    weights = folder / "lightgbm_model.txt"
    text = weights.read_text()
    start = text.index(find)
    end = text.index("\n", start)
    line = text[start:end]
    corrupted = replace if replace.endswith("99999") else replace + line[len(find) :]
    weights.write_text(text[:start] + corrupted + text[end:])
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["lightgbm_model.txt"] = hashlib.sha256(weights.read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))  # checksums match again
    article = tmp_path / "article.txt"
    article.write_text("Officials said\nThe committee reported the agreement on Monday.\n")
    result = subprocess.run(
        [sys.executable, "-m", "fakewatch", "classify", str(article), "--model", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, (result.returncode, result.stderr[-500:])
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "retrain or restore" in lines[0], result.stderr


def test_fast_unigram_counts_equal_the_counters() -> None:
    from classifier.models import text_features

    frame = synthetic_corpus(120, seed=31)
    documents = text_features.article_documents(frame)
    terms, _ = text_features.fit_term_weights(
        documents[:80], max_features=300, ngram_max=1, min_df=2, extra_terms=["never-seen"]
    )
    fresh = [*documents[80:], "", "!! ?", "Unknown words only: qwertyuiop asdfghjkl"]
    expected = terms.counter.transform(fresh).tocsr()
    got = terms.counts(fresh)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    assert (got != expected).nnz == 0
