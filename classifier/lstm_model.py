"""The `lstm` kind: a Keras recurrent network over title + text, the study's LSTM by default.

The saved `model.keras` runs from preprocessed string to raw fake score: its
`TextVectorization` layer (vocabulary stored inside the file) is the one adapted on the
training text, so scoring tokenises exactly as training did. It loads in Keras' safe mode.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from classifier import lstm_network
from classifier.base import FakeNewsModel
from classifier.errors import ClassifierError, ModelFolderError

LOGGER = logging.getLogger(__name__)

MODEL_FILE = "model.keras"
HISTORY_FILE = "training.json"


def joined_text(X: pd.DataFrame) -> list[str]:
    """Title and text of each preprocessed article as one string, the network's input."""
    return [f"{title} {text}".strip() for title, text in zip(X["title"], X["text"], strict=True)]


class LSTMModel(FakeNewsModel):
    """Embedding, one LSTM or GRU layer (optionally bidirectional) and a sigmoid output."""

    kind = "lstm"

    def __init__(
        self,
        *,
        vocabulary_size: int = 10_000,
        sequence_length: int = 300,
        embedding_dim: int = 32,
        units: int = 32,
        dropout: float = 0.2,
        recurrent_dropout: float = 0.0,
        cell: str = "lstm",
        bidirectional: bool = False,
        standardize: str = "lower",
        epochs: int = 5,
        batch_size: int = 64,
        learning_rate: float = 1e-3,
        patience: int = 2,
        scoring_batch_size: int = 256,
        **common: Any,
    ) -> None:
        super().__init__(**common)
        self.vocabulary_size = vocabulary_size
        self.sequence_length = sequence_length
        self.embedding_dim = embedding_dim
        self.units = units
        self.dropout = dropout
        self.recurrent_dropout = recurrent_dropout
        self.cell = cell
        self.bidirectional = bidirectional
        self.standardize = standardize
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.patience = patience
        self.scoring_batch_size = scoring_batch_size

    def _network_options(self) -> lstm_network.NetworkOptions:
        if self.cell not in lstm_network.RECURRENT_CELLS:
            raise ClassifierError(
                f"unknown recurrent cell {self.cell!r}: use one of "
                f"{', '.join(lstm_network.RECURRENT_CELLS)}"
            )
        if self.standardize not in lstm_network.STANDARDIZE_OPTIONS:
            raise ClassifierError(
                f"unknown standardize option {self.standardize!r}: use one of "
                f"{', '.join(lstm_network.STANDARDIZE_OPTIONS)}"
            )
        for name in ("vocabulary_size", "sequence_length", "embedding_dim", "units"):
            if int(getattr(self, name)) < 1:
                raise ClassifierError(
                    f"{name} must be a positive integer, got {getattr(self, name)}"
                )
        return lstm_network.NetworkOptions(
            vocabulary_size=int(self.vocabulary_size),
            sequence_length=int(self.sequence_length),
            embedding_dim=int(self.embedding_dim),
            units=int(self.units),
            dropout=float(self.dropout),
            recurrent_dropout=float(self.recurrent_dropout),
            cell=self.cell,
            bidirectional=bool(self.bidirectional),
            standardize=self.standardize,
        )

    def _fit_raw(
        self,
        X: pd.DataFrame,
        y: NDArray[np.int_],
        X_val: pd.DataFrame | None,
        y_val: NDArray[np.int_] | None,
    ) -> None:
        """Adapt the vocabulary and train the network; early stopping on validation loss."""
        options = self._network_options()
        lstm_network.keras.utils.set_random_seed(int(self.random_state))
        training = lstm_network.TrainingOptions(
            epochs=int(self.epochs),
            batch_size=int(self.batch_size),
            learning_rate=float(self.learning_rate),
            patience=int(self.patience),
            verbose=1 if self.verbose else 0,
        )
        self.model_, self.history_ = lstm_network.fit_network(
            joined_text(X),
            np.asarray(y),
            joined_text(X_val) if X_val is not None else None,
            np.asarray(y_val) if y_val is not None else None,
            options,
            training,
        )
        self.scorer_ = lstm_network.KerasScorer(self.model_, int(self.scoring_batch_size))

    def _raw_scores(self, X: pd.DataFrame) -> NDArray[np.float64]:
        """The network's sigmoid output for preprocessed articles."""
        return self.scorer_(joined_text(X))

    def _save_files(self, folder: Path) -> None:
        """Write `model.keras` (network and vocabulary) and the training history as JSON."""
        lstm_network.save_keras(self.model_, folder / MODEL_FILE)
        history = json.dumps(getattr(self, "history_", {}), indent=2, allow_nan=False)
        (folder / HISTORY_FILE).write_text(history + "\n", encoding="utf-8")

    def _load_files(self, folder: Path) -> None:
        """Read `model.keras` in safe mode and check that it takes text."""
        path = folder / MODEL_FILE
        if not path.is_file():
            raise ModelFolderError(f"model folder {folder} is missing {MODEL_FILE}: retrain it")
        self.model_ = lstm_network.load_keras(path)
        if self.model_.inputs[0].dtype != "string":
            raise ModelFolderError(f"{path} does not take text input: retrain the model")
        history_path = folder / HISTORY_FILE
        self.history_ = (
            json.loads(history_path.read_text(encoding="utf-8")) if history_path.is_file() else {}
        )
        self.scorer_ = lstm_network.KerasScorer(self.model_, int(self.scoring_batch_size))
