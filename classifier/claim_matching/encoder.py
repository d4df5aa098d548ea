"""Sentence embeddings from the shipped MiniLM, for matching articles with checked claims.

all-MiniLM-L6-v2 was trained for exactly this (sentence similarity over 1 billion pairs),
ships with the project, and runs on a CPU. Its Linear layers are quantised to int8 for
speed; vectors are L2-normalised, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from classifier import extras
from classifier.errors import ModelFolderError
from classifier.models.hf_folder import check_folder, default_base_model, offline, quantize_int8

LOGGER = logging.getLogger(__name__)

# What matching by meaning imports: the encoder's stack and the claim index's.
MEANING_MODULES = ("torch", "sentence_transformers", "faiss")
# Claims and sentences are short: 96 word pieces cover 99% of the benchmark's texts, and
# attention cost grows with the square of the length.
MAX_TOKENS = 96
BATCH_SIZE = 64


class SentenceEncoder:
    """Texts in, L2-normalised float32 vectors out (one row per text)."""

    def __init__(
        self,
        folder: Path | None = None,
        *,
        quantise: bool = True,
        max_tokens: int = MAX_TOKENS,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        """MissingExtraError when torch, sentence-transformers or faiss is not installed."""
        extras.require("transformer", "claim matching by meaning", MEANING_MODULES)
        self.folder = folder or default_base_model()
        self.quantise = quantise
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """What the vectors came from: stored beside each vector, so a new model re-embeds."""
        shipped = self.folder.resolve() == default_base_model().resolve()
        model = "all-MiniLM-L6-v2" if shipped else self.folder.name
        return f"{model}{'-int8' if self.quantise else ''}@{self.max_tokens}"

    @property
    def dimensions(self) -> int:
        return int(self._loaded().get_embedding_dimension())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length float32 row per text; an empty sequence gives an empty (0, d) array."""
        model = self._loaded()
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        import torch

        with torch.inference_mode():
            vectors = model.encode(
                list(texts),
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def _load(self) -> Any:
        check_folder(self.folder, allow_pickle_beside=True)
        if not (self.folder / "modules.json").is_file():
            raise ModelFolderError(
                f"{self.folder} is not a sentence-transformers folder (no modules.json): "
                "use the shipped all-MiniLM-L6-v2 or another sentence-transformers model"
            )
        offline()
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(max(1, torch.get_num_threads()))
        try:
            model = SentenceTransformer(
                str(self.folder),
                device="cpu",
                local_files_only=True,
                trust_remote_code=False,
                model_kwargs={"use_safetensors": True},
            )
        except (OSError, ValueError, KeyError) as exc:
            raise ModelFolderError(
                f"cannot load sentence embeddings from {self.folder} ({exc}): "
                "use a sentence-transformers folder with safetensors weights"
            ) from None
        model.max_seq_length = self.max_tokens
        if self.quantise:
            model = quantize_int8(model)
        LOGGER.info("sentence encoder %s loaded", self.name)
        return model
