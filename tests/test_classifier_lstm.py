"""The `lstm` kind: a tiny Keras network trains, round-trips, and scores as it was trained."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

# Two cores shared by many: TensorFlow reads these once, when it starts.
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

keras = pytest.importorskip("keras")
pytest.importorskip("tensorflow")

from classifier.errors import ClassifierError  # noqa: E402
from classifier.models import lstm_network  # noqa: E402
from classifier.models.artifacts import load_model  # noqa: E402
from classifier.models.lstm_model import PRESETS, LSTMModel, joined_text  # noqa: E402
from tests.corpora import giveaway_corpus  # noqa: E402

pytestmark = pytest.mark.slow

TINY = {"vocabulary_size": 200, "sequence_length": 30, "embedding_dim": 8, "units": 8}


def articles(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """An easy corpus with HTML and punctuation that preprocessing must handle."""
    return giveaway_corpus(n, seed, filler=120, filler_per_article=16, html=True)


@pytest.fixture(scope="module")
def trained() -> LSTMModel:
    X, y = articles(400, seed=1)
    X_val, y_val = articles(100, seed=2)
    return LSTMModel(**TINY, epochs=3, batch_size=32, learning_rate=0.01).fit(X, y, X_val, y_val)


def test_study_preset_is_the_study_architecture() -> None:
    network = lstm_network.build_network(LSTMModel(preset="study")._network_options())
    layers = {layer.name: layer for layer in network.layers}
    assert list(layers) == ["token_ids", "embedding", "lstm", "fake"]
    assert layers["embedding"].input_dim == 10_000
    assert layers["embedding"].output_dim == 32
    assert layers["lstm"].units == 32
    assert layers["lstm"].dropout == pytest.approx(0.2)
    assert not layers["lstm"].return_sequences
    assert network.input_shape == (None, 300)


def test_fakewatch_preset_is_the_default_and_differs_from_the_study() -> None:
    assert LSTMModel().config() == PRESETS["fakewatch"]
    assert PRESETS["fakewatch"] != PRESETS["study"]
    assert LSTMModel(preset="study", units=8).config() == {**PRESETS["study"], "units": 8}
    network = lstm_network.build_network(LSTMModel()._network_options())
    assert network.input_shape == (None, PRESETS["fakewatch"]["sequence_length"])


def test_masked_max_pooling_ignores_padding() -> None:
    values = np.array([[[0.1, -0.5], [0.3, -0.2], [0.9, 0.8]]], dtype="float32")
    mask = np.array([[True, True, False]])
    pooled = lstm_network.MaskedMaxPooling()(values, mask=mask)
    np.testing.assert_allclose(np.asarray(pooled), [[0.3, -0.2]])


def test_unknown_preset_and_pooling_are_one_line_errors() -> None:
    with pytest.raises(ClassifierError, match="unknown lstm preset 'huge'"):
        LSTMModel(preset="huge").config()
    with pytest.raises(ClassifierError, match="unknown pooling 'mean'"):
        LSTMModel(pooling="mean")._network_options()


def test_trained_model_separates_easy_articles(trained: LSTMModel) -> None:
    X, y = articles(200, seed=3)
    proba = trained.predict_proba(X)
    assert proba.shape == (200, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert ((proba[:, 1] >= 0.5) == y).mean() >= 0.8
    assert "val_loss" in trained.history_


def test_round_trip_gives_identical_probabilities(trained: LSTMModel, tmp_path: Path) -> None:
    X, _ = articles(50, seed=4)
    folder = trained.save(tmp_path / "model")
    with zipfile.ZipFile(folder / "model.keras") as archive:
        assert not [name for name in archive.namelist() if name.endswith((".pkl", ".pickle"))]
    loaded = load_model(folder)
    assert isinstance(loaded, LSTMModel)
    np.testing.assert_array_equal(loaded.predict_proba(X), trained.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), trained.predict(X))


def test_scoring_applies_the_training_preprocessing(trained: LSTMModel, tmp_path: Path) -> None:
    X, _ = articles(20, seed=5)
    vocabulary = trained.model_.get_layer("vectorizer").get_vocabulary()
    # Training text was cleaned and spaced: tags and entities gone, punctuation as tokens.
    assert "!" in vocabulary and "," in vocabulary
    assert not any("<p>" in token or "&amp;" in token for token in vocabulary)
    folder = trained.save(tmp_path / "model")
    loaded = load_model(folder)
    assert loaded.model_.get_layer("vectorizer").get_vocabulary() == vocabulary
    by_hand = joined_text(loaded.preprocessing_.transform(X))
    network = lstm_network.load_keras(folder / "model.keras")
    raw = network.predict(lstm_network.string_tensor(by_hand), verbose=0).ravel()
    np.testing.assert_allclose(loaded.raw_scores(X), raw, rtol=1e-6, atol=1e-7)
    expected = loaded.calibrator_.transform(raw)
    np.testing.assert_allclose(loaded.predict_proba(X)[:, 1], expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize(
    ("cell", "bidirectional", "pooling", "layer_name"),
    [
        ("gru", False, "last", "gru"),
        ("lstm", True, "last", "bi_lstm"),
        ("gru", True, "max", "bi_gru"),
        ("lstm", False, "max", "max_pool"),
    ],
)
def test_variants_build_and_train(
    cell: str, bidirectional: bool, pooling: str, layer_name: str, tmp_path: Path
) -> None:
    X, y = articles(120, seed=6)
    model = LSTMModel(
        **TINY,
        cell=cell,
        bidirectional=bidirectional,
        pooling=pooling,
        spatial_dropout=0.1,
        epochs=1,
        batch_size=32,
    )
    model.fit(X, y)
    network = model.model_.get_layer("network")
    assert layer_name in [layer.name for layer in network.layers]
    loaded = LSTMModel.load(model.save(tmp_path / "model"))
    np.testing.assert_array_equal(loaded.raw_scores(X.head(8)), model.raw_scores(X.head(8)))


def test_unknown_cell_is_a_one_line_error() -> None:
    X, y = articles(20, seed=7)
    with pytest.raises(ClassifierError, match="unknown recurrent cell 'transformer'"):
        LSTMModel(cell="transformer").fit(X, y)


def test_saved_model_loads_in_safe_mode(trained: LSTMModel, tmp_path: Path) -> None:
    folder = trained.save(tmp_path / "model")
    model = keras.models.load_model(folder / "model.keras", safe_mode=True, compile=False)
    assert model.inputs[0].dtype == "string"
    assert not any(type(layer).__name__ == "Lambda" for layer in model.layers)
