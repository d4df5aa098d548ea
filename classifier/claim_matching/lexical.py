"""Word overlap between a passage and a claim: TF-IDF cosine, the IDF learnt from the claims.

Sentence vectors find paraphrases but blur names and numbers ("Samuel L. Jackson", "4,250%");
shared rare words pin them. On the CheckThat! developer queries, adding this cosine to
MiniLM's lifted recall@1 from about 0.62 to 0.68 (BENCHMARKS.md, "Claim matching").

Claims arrive one review at a time, so nothing here is fitted once: words are hashed (no
vocabulary to outgrow), document frequencies are counted as claims are added, and the IDF
weights are applied when pairs are compared, so a claim added today weighs its words by
every claim stored, itself included.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize

HASH_FEATURES = 2**20  # collisions among a million claims' words stay rare


class ClaimWords:
    """Sublinear term counts of the claims, and their document frequencies."""

    def __init__(self) -> None:
        self._hasher = HashingVectorizer(
            n_features=HASH_FEATURES, alternate_sign=False, norm=None, stop_words="english",
            token_pattern=r"(?u)\b\w+\b", dtype=np.float32,
        )  # fmt: skip
        self._document_frequency = np.zeros(HASH_FEATURES, dtype=np.int64)
        self._rows: dict[int, int] = {}
        self._blocks: list[sp.csr_matrix] = []
        self._matrix: sp.csr_matrix = sp.csr_matrix((0, HASH_FEATURES), dtype=np.float32)

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, ids: Sequence[int], texts: Sequence[str]) -> None:
        """Count the words of claims not seen yet."""
        fresh = [(int(i), t) for i, t in zip(ids, texts, strict=True) if int(i) not in self._rows]
        if not fresh:
            return
        counts = self.counts([text for _, text in fresh])
        self._document_frequency += np.bincount(counts.indices, minlength=HASH_FEATURES)
        start = len(self._rows)
        self._rows.update({claim_id: start + n for n, (claim_id, _) in enumerate(fresh)})
        self._blocks.append(counts)

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Sublinear term counts (1 + log tf) of texts, by hashed word."""
        matrix = self._hasher.transform(list(texts)).tocsr()
        matrix.data = 1.0 + np.log(matrix.data)
        return matrix

    def similarity(
        self, passages: sp.csr_matrix, passage_rows: np.ndarray, claim_ids: np.ndarray
    ) -> np.ndarray:
        """TF-IDF cosine of each (passage row, claim id) pair; 0 for a claim never added.

        `passages` comes from `counts`.
        """
        result = np.zeros(len(claim_ids), dtype=np.float32)
        rows = np.array([self._rows.get(int(c), -1) for c in claim_ids], dtype=np.int64)
        known = rows >= 0
        if not known.any():
            return result
        idf = self._idf()
        left = normalize(sp.csr_matrix(passages[passage_rows[known]].multiply(idf)))
        right = normalize(sp.csr_matrix(self._claims()[rows[known]].multiply(idf)))
        result[known] = np.asarray(left.multiply(right).sum(axis=1)).ravel()
        return result

    def _idf(self) -> np.ndarray:
        # scikit-learn's smooth IDF, over the claims stored so far.
        claims = len(self._rows)
        return (np.log((1 + claims) / (1 + self._document_frequency)) + 1).astype(np.float32)

    def _claims(self) -> sp.csr_matrix:
        if self._blocks:
            self._matrix = sp.vstack([self._matrix, *self._blocks], format="csr")
            self._blocks = []
        return self._matrix
