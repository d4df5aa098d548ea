"""How unlike the training data an article is: the domain-shift score behind "uncertain".

A classifier trained on a few corpora learns their house style as much as deception; on an
article unlike anything it was trained on its probability means little. So every model
keeps a sample of its training articles as unit-length TF-IDF vectors (unigrams) and
scores a new article by its distance to the nearest of them:

    shift = 1 - mean cosine similarity to the `neighbours` most similar training articles

0 is a near-copy of a training article, 1 shares no word with any. The "in distribution"
limit is the `quantile` of the shifts of the validation articles (never part of the sample),
so by construction about 5% of articles like the training data fall outside it. Measured
against the alternatives (nearest k-means centroid, out-of-vocabulary share; MiniLM
embeddings score ~60 articles/s here, far below the 500/s goal) in
`bench/domain_shift.py`: see BENCHMARKS.md.

Saved as JSON (vocabulary, idf, limit) and a sparse `.npz` matrix read without pickle.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from classifier.models import text_features

LOGGER = logging.getLogger(__name__)

TERMS_FILE, REFERENCE_FILE, STATE_FILE = "shift_terms.json", "shift_reference.npz", "shift.json"
FILES = (TERMS_FILE, REFERENCE_FILE, STATE_FILE)

REFERENCE_ROWS = 4000
NEIGHBOURS = 10
VOCABULARY = 30_000
QUANTILE = 0.95
# Similarities are computed this many articles at a time (rows x reference, dense).
CHUNK = 512


class DomainShift:
    """The training sample and the in-distribution limit of one model."""

    def __init__(
        self,
        terms: text_features.TermWeights,
        reference: sparse.csr_matrix,
        *,
        limit: float = 1.0,
        neighbours: int = NEIGHBOURS,
    ) -> None:
        self.terms = terms
        self.reference = reference
        self.limit = limit
        self.neighbours = neighbours

    @classmethod
    def fit(
        cls,
        documents: Sequence[str],
        validation: Sequence[str] = (),
        *,
        seed: int = 0,
        reference_rows: int = REFERENCE_ROWS,
        quantile: float = QUANTILE,
    ) -> DomainShift:
        """Sample the training documents; the limit is `quantile` of the validation shifts."""
        terms, counts = text_features.fit_term_weights(
            documents, max_features=VOCABULARY, ngram_max=1, min_df=2
        )
        rows = np.arange(len(documents))
        if len(rows) > reference_rows:
            rows = np.sort(np.random.default_rng(seed).choice(rows, reference_rows, replace=False))
        detector = cls(terms, terms.tfidf(counts[rows]))
        if len(validation):
            detector.limit = float(np.quantile(detector.scores(validation), quantile))
        LOGGER.info(
            "domain shift: %d reference articles, in distribution if shift <= %.3f",
            detector.reference.shape[0],
            detector.limit,
        )
        return detector

    def scores(self, documents: Sequence[str]) -> NDArray[np.float64]:
        """Shift of each document in [0, 1]: 1 - mean similarity to its nearest references."""
        vectors = self.terms.tfidf(self.terms.counts(documents))
        k = min(self.neighbours, self.reference.shape[0])
        out = np.ones(vectors.shape[0])
        reference_t = self.reference.T.tocsc()
        for start in range(0, vectors.shape[0], CHUNK):
            similarity = (vectors[start : start + CHUNK] @ reference_t).toarray()
            nearest = np.partition(similarity, similarity.shape[1] - k, axis=1)[:, -k:]
            out[start : start + CHUNK] = 1.0 - nearest.mean(axis=1)
        return np.clip(out, 0.0, 1.0)

    def in_distribution(self, shift: NDArray[np.float64]) -> NDArray[np.bool_]:
        """True where an article is as close to the training data as most validation ones."""
        return np.asarray(shift) <= self.limit

    def to_dict(self) -> dict[str, Any]:
        """What the manifest records about the detector."""
        return {
            "method": "tfidf_knn",
            "reference_rows": int(self.reference.shape[0]),
            "neighbours": self.neighbours,
            "limit": self.limit,
        }

    def save(self, folder: Path) -> None:
        """Write the vocabulary, the reference sample and the limit (no pickle)."""
        self.terms.to_json(folder / TERMS_FILE)
        sparse.save_npz(folder / REFERENCE_FILE, self.reference.astype(np.float32))
        (folder / STATE_FILE).write_text(json.dumps(self.to_dict()), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> DomainShift | None:
        """The saved detector, or None for a folder saved without one."""
        if not (folder / STATE_FILE).is_file():
            return None
        state = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
        terms = text_features.TermWeights.from_json(folder / TERMS_FILE)
        reference = sparse.load_npz(folder / REFERENCE_FILE).tocsr()  # allow_pickle=False
        if reference.shape[1] != len(terms.idf):
            raise ValueError("the shift reference does not match its vocabulary")
        return cls(
            terms, reference, limit=float(state["limit"]), neighbours=int(state["neighbours"])
        )
