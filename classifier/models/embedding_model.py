"""`embedding_logreg` kind: the shipped MiniLM's sentence embeddings with a logistic regression.

Words tie a model to its corpus's vocabulary; a sentence embedding maps what an article says
into a space trained on a billion sentence pairs, so meaning might carry to sources whose words
differ. The encoder is the claim matcher's (all-MiniLM-L6-v2, int8 on the CPU), reading the
first `max_tokens` word pieces of title and text; the head is an L2-regularised logistic
regression on the unit vectors. Measured leave one corpus out (BENCHMARKS.md), it ranks better
than words on CoAID only: it is an ensemble member and an option, not the default.

The encoder is not copied into the model folder: the head's weights are JSON, with the name of
the encoder that made its vectors, and a folder whose encoder this install does not ship is
refused on load. Training articles' embeddings are kept per process by the text's digest, so
an ensemble's folds and a refit embed each article once. No explanation: a vector's dimensions
name no word.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import OrderedDict
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from classifier.claim_matching.encoder import SentenceEncoder
from classifier.models import text_features
from classifier.models.base import FakeNewsModel, Frame, Labels
from classifier.models.preprocessing import Preprocessing

LOGGER = logging.getLogger(__name__)

HEAD_FILE = "head.json"
# Vectors kept per process: 384 float32 each, so about 150 MB at the cap.
CACHE_SIZE = 100_000
# Long embedding runs (about 100 articles a second on two cores) say how far they are.
PROGRESS_EVERY = 2000
_VECTORS: OrderedDict[tuple[str, bytes], NDArray[np.float32]] = OrderedDict()


class EmbeddingLogregModel(FakeNewsModel):
    """A logistic regression on MiniLM sentence embeddings of title and text."""

    kind = "embedding_logreg"
    supports_refit = True
    # The encoder reads natural text (its tokenizer lowercases): only clean it up and drop
    # the source cues.
    default_preprocessing: ClassVar[Preprocessing] = Preprocessing(
        cleanup=True, lowercase=False, space_special_characters=False
    )

    def __init__(
        self, *, max_tokens: int = 256, C: float = 1.0, batch_size: int = 32, **common: Any
    ) -> None:
        super().__init__(**common)
        self.max_tokens = max_tokens
        self.C = C
        self.batch_size = batch_size

    def _fit_raw(self, X: Frame, y: Labels, X_val: Frame | None, y_val: Labels | None) -> None:
        from sklearn.linear_model import LogisticRegression

        encoder = shipped_encoder(self.max_tokens, self.batch_size)
        regression = LogisticRegression(C=self.C, max_iter=2000)
        regression.fit(embed(encoder, text_features.article_documents(X), remember=True), y)
        self.encoder_name_ = encoder.name
        self.coef_ = regression.coef_[0].astype(np.float64)
        self.intercept_ = float(regression.intercept_[0])

    def _raw_scores(self, X: pd.DataFrame) -> NDArray[np.float64]:
        if len(X) == 0:
            return np.zeros(0)
        vectors = embed(
            shipped_encoder(self.max_tokens, self.batch_size), text_features.article_documents(X)
        )
        logits = vectors.astype(np.float64) @ self.coef_ + self.intercept_
        return np.asarray(1.0 / (1.0 + np.exp(-logits)), dtype=float)

    def _save_files(self, folder: Path) -> None:
        head = {
            "encoder": self.encoder_name_,
            "coef": self.coef_.tolist(),
            "intercept": self.intercept_,
        }
        (folder / HEAD_FILE).write_text(json.dumps(head), encoding="utf-8")

    def _load_files(self, folder: Path) -> None:
        head = json.loads((folder / HEAD_FILE).read_text(encoding="utf-8"))
        encoder = shipped_encoder(self.max_tokens, self.batch_size)
        if head["encoder"] != encoder.name:
            raise ValueError(
                f"its head was trained on {head['encoder']} vectors, but this install's encoder "
                f"is {encoder.name}: train the model again here"
            )
        self.encoder_name_ = str(head["encoder"])
        self.coef_ = np.asarray(head["coef"], dtype=np.float64)
        self.intercept_ = float(head["intercept"])
        if self.coef_.shape != (encoder.dimensions,):
            raise ValueError("the head's weights do not match the encoder's dimensions")


@cache
def shipped_encoder(max_tokens: int, batch_size: int) -> SentenceEncoder:
    """One shipped MiniLM per setting and process (loading it takes seconds)."""
    return SentenceEncoder(max_tokens=max_tokens, batch_size=batch_size)


def embed(
    encoder: SentenceEncoder, documents: list[str], *, remember: bool = False
) -> NDArray[np.float32]:
    """One unit vector per document. Vectors of training articles (`remember`) are kept, up to
    CACHE_SIZE, so that refits on the same articles (an ensemble's folds, a refit on train and
    test) do not embed them again. A process that has trained keeps what it scores too (an
    ensemble scores the fold it held out, then trains on it); one that only scores (the
    daemon) keeps nothing, so it does not grow."""
    remember = remember or bool(_VECTORS)
    keys = [(encoder.name, hashlib.blake2b(d.encode(), digest_size=16).digest()) for d in documents]
    # Each document not yet embedded, once even where it repeats.
    pending = list(
        {k: d for k, d in zip(keys, documents, strict=True) if k not in _VECTORS}.items()
    )
    found: dict[tuple[str, bytes], NDArray[np.float32]] = {}
    for start in range(0, len(pending), PROGRESS_EVERY):
        chunk = pending[start : start + PROGRESS_EVERY]
        for (key, _), vector in zip(chunk, encoder.encode([d for _, d in chunk]), strict=True):
            found[key] = vector
        if len(pending) > PROGRESS_EVERY:
            LOGGER.info("embedded %d of %d articles", start + len(chunk), len(pending))
    rows = []
    for key in keys:
        if key in _VECTORS:
            _VECTORS.move_to_end(key)
            rows.append(_VECTORS[key])
        else:
            rows.append(found[key])
            if remember:
                _VECTORS[key] = found[key]
    while len(_VECTORS) > CACHE_SIZE:
        _VECTORS.popitem(last=False)
    return np.vstack(rows) if rows else np.zeros((0, encoder.dimensions), dtype=np.float32)
