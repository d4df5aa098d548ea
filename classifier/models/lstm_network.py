"""Keras pieces of the `lstm` kind: text vectoriser, recurrent network, training and scoring."""

from __future__ import annotations

import logging
import os

# Python's SQLite module must load before TensorFlow: TensorFlow carries its own SQLite,
# built without FTS5, and a sqlite3 module loaded after it binds to that copy, so the store's
# full-text search ("no such module: fts5") would break in any process that scores with the
# LSTM. Loaded first, sqlite3 keeps the system library (tests/test_search.py checks this).
import sqlite3  # noqa: F401
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

# TensorFlow reads these once, when it starts; quiet C++ logs unless the user asked for them.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import tensorflow as tf

LOGGER = logging.getLogger(__name__)

RECURRENT_CELLS = ("lstm", "gru")
# How the recurrent layer's outputs become one vector: its last state (the study's), or the
# maximum of each unit over the (unpadded) time steps.
POOLING_OPTIONS = ("last", "max")
# Plain TextVectorization options only: a custom standardize callable would need Python code
# at load time, which safe mode refuses (and should).
STANDARDIZE_OPTIONS = ("lower", "lower_and_strip_punctuation", "strip_punctuation", "none")


@dataclass(frozen=True)
class NetworkOptions:
    """Architecture of the recurrent network; the defaults are the study's LSTM."""

    vocabulary_size: int = 10_000
    sequence_length: int = 300
    embedding_dim: int = 32
    units: int = 32
    dropout: float = 0.2
    recurrent_dropout: float = 0.0
    cell: str = "lstm"
    bidirectional: bool = False
    standardize: str = "lower"
    spatial_dropout: float = 0.0
    pooling: str = "last"


@dataclass(frozen=True)
class TrainingOptions:
    """How the network is fitted: epochs, batch size, learning rate, early stopping."""

    epochs: int = 5
    batch_size: int = 64
    learning_rate: float = 1e-3
    patience: int = 2
    verbose: int | str = "auto"


def build_vectorizer(options: NetworkOptions) -> keras.layers.TextVectorization:
    """An unfitted TextVectorization layer: whitespace tokens, padded or cut to the length."""
    standardize = None if options.standardize == "none" else options.standardize
    return keras.layers.TextVectorization(
        max_tokens=options.vocabulary_size,
        output_sequence_length=options.sequence_length,
        standardize=standardize,
        split="whitespace",
        name="vectorizer",
    )


def build_network(options: NetworkOptions) -> keras.Model:
    """The network on token ids: embedding, one recurrent layer, pooling, sigmoid output."""
    ids = keras.Input(shape=(options.sequence_length,), dtype="int64", name="token_ids")
    # mask_zero: the vectoriser pads at the end, and the recurrent layer must not read padding.
    x = keras.layers.Embedding(
        options.vocabulary_size, options.embedding_dim, mask_zero=True, name="embedding"
    )(ids)
    if options.spatial_dropout > 0:
        # Drops whole embedding channels, not single numbers: a word-level regulariser.
        x = keras.layers.SpatialDropout1D(options.spatial_dropout, name="spatial_dropout")(x)
    layer_type = keras.layers.LSTM if options.cell == "lstm" else keras.layers.GRU
    recurrent = layer_type(
        options.units,
        dropout=options.dropout,
        recurrent_dropout=options.recurrent_dropout,
        return_sequences=options.pooling == "max",
        name=options.cell,
    )
    if options.bidirectional:
        recurrent = keras.layers.Bidirectional(recurrent, name=f"bi_{options.cell}")
    x = recurrent(x)
    if options.pooling == "max":
        x = MaskedMaxPooling(name="max_pool")(x)
    fake = keras.layers.Dense(1, activation="sigmoid", name="fake")(x)
    return keras.Model(ids, fake, name="network")


@keras.saving.register_keras_serializable(package="fakewatch")
class MaskedMaxPooling(keras.layers.Layer):
    """Maximum over time of each feature, ignoring padded steps (Keras' own ignores masks)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs: Any, mask: Any = None) -> Any:
        if mask is not None:
            padded = keras.ops.expand_dims(keras.ops.logical_not(mask), -1)
            inputs = keras.ops.where(padded, keras.ops.full_like(inputs, -1e9), inputs)
        # Recurrent outputs lie in (-1, 1): the floor only matters for an all-padding text.
        return keras.ops.maximum(keras.ops.max(inputs, axis=1), -1.0)

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        return None

    def compute_output_shape(self, input_shape: tuple[Any, ...]) -> tuple[Any, ...]:
        return (input_shape[0], input_shape[2])


def end_to_end(vectorizer: keras.layers.TextVectorization, network: keras.Model) -> keras.Model:
    """One model from raw (preprocessed) strings to the probability of fake, as saved."""
    text = keras.Input(shape=(1,), dtype="string", name="text")
    return keras.Model(text, network(vectorizer(text)), name="fakewatch_lstm")


def string_tensor(texts: Sequence[str]) -> tf.Tensor:
    """A (n, 1) string tensor: Keras 3 refuses NumPy object arrays of strings."""
    return tf.reshape(tf.constant(list(texts), dtype=tf.string), (-1, 1))


def fit_network(
    texts: Sequence[str],
    labels: np.ndarray,
    val_texts: Sequence[str] | None,
    val_labels: np.ndarray | None,
    options: NetworkOptions,
    training: TrainingOptions,
) -> tuple[keras.Model, dict[str, Any]]:
    """Adapt the vectoriser, train the network with early stopping, return the whole model."""
    vectorizer = build_vectorizer(options)
    vectorizer.adapt(tf.constant(list(texts), dtype=tf.string), batch_size=1024)
    LOGGER.info("vocabulary: %d tokens", vectorizer.vocabulary_size())
    # Vectorise once up front; the vectoriser then rides inside the saved model for scoring.
    ids = vectorizer(tf.constant(list(texts), dtype=tf.string))
    network = build_network(options)
    network.compile(
        optimizer=keras.optimizers.Adam(training.learning_rate),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    validation = None
    callbacks: list[keras.callbacks.Callback] = []
    if val_texts is not None and val_labels is not None and len(val_texts) > 0:
        validation = (vectorizer(tf.constant(list(val_texts), dtype=tf.string)), val_labels)
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=training.patience, restore_best_weights=True
            )
        )
    history = network.fit(
        ids,
        labels.astype("float32"),
        validation_data=validation,
        epochs=training.epochs,
        batch_size=training.batch_size,
        callbacks=callbacks,
        shuffle=True,
        verbose=training.verbose,
    )
    log = {name: [float(v) for v in values] for name, values in history.history.items()}
    return end_to_end(vectorizer, network), log


class KerasScorer:
    """Batch scoring through one traced graph, so a call costs no Python per article."""

    def __init__(self, model: keras.Model, batch_size: int = 256) -> None:
        self.model = model
        self.batch_size = batch_size
        self._call = tf.function(
            lambda t: model(t, training=False),
            input_signature=[tf.TensorSpec(shape=(None, 1), dtype=tf.string)],
            reduce_retracing=True,
        )

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of fake for each text, as float64."""
        out = np.empty(len(texts), dtype=np.float64)
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            out[start : start + len(batch)] = self._call(string_tensor(batch)).numpy().ravel()
        return out


def save_keras(model: keras.Model, path: Path) -> None:
    """Write the model in Keras' zip format (config JSON, weights in H5, vocabulary asset)."""
    model.save(path)


def load_keras(path: Path) -> keras.Model:
    """Read a `.keras` file in safe mode: no Lambda layers, no Python code from the file."""
    return keras.models.load_model(path, safe_mode=True, compile=False)
