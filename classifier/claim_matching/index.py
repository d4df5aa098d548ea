"""An approximate nearest-neighbour index of claim vectors (faiss HNSW, inner product).

HNSW needs no training, takes claims one batch at a time as fact-checkers publish them, and
answers a query in well under a millisecond at a million claims. Vectors are unit length,
so the inner product is the cosine similarity.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

# Graph degree and search breadth: recall@20 against exact search above 0.99 on the
# benchmark's 33,000 claims (bench/claim_matching.py prints it).
HNSW_NEIGHBOURS = 32
EF_CONSTRUCTION = 80
EF_SEARCH = 128


class ClaimIndex:
    """Claim ids and their vectors; `search` gives each query's nearest claims."""

    def __init__(self, dimensions: int, *, exact: bool = False, threads: int | None = None) -> None:
        """`exact`: a flat index, searched in full: no build cost, for a few queries (classify)."""
        import faiss  # the `transformer` extra: imported only where claims are matched by meaning

        self.dimensions = dimensions
        if exact:
            inner: Any = faiss.IndexFlatIP(dimensions)
        else:
            inner = faiss.IndexHNSWFlat(dimensions, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
            inner.hnsw.efConstruction = EF_CONSTRUCTION
            inner.hnsw.efSearch = EF_SEARCH
        self._index = faiss.IndexIDMap2(inner)
        self._lock = threading.Lock()
        if threads is not None:
            faiss.omp_set_num_threads(threads)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids) == 0:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(ids), self.dimensions):
            raise ValueError(
                f"expected {len(ids)} vectors of {self.dimensions}, got {vectors.shape}"
            )
        with self._lock:
            self._index.add_with_ids(vectors, np.asarray(ids, dtype=np.int64))

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(similarities, claim ids), each (queries, k); missing neighbours have id -1."""
        queries = np.ascontiguousarray(vectors, dtype=np.float32)
        if len(self) == 0 or len(queries) == 0:
            return (np.zeros((len(queries), 0), dtype=np.float32),
                    np.zeros((len(queries), 0), dtype=np.int64))  # fmt: skip
        with self._lock:
            scores, ids = self._index.search(queries, min(k, len(self)))
        return scores, ids
