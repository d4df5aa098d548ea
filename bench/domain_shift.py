"""Which domain-shift score tells a left-out corpus from the training corpora?

For every labelled corpus in ../shared/data, fit each candidate on the training part of the
other corpora (the split `fakewatch evaluate --leave-one-out` uses), set its limit at the 95th
percentile of the validation articles' shifts, and score the left-out corpus:

- AUC of the shift, left-out articles against validation articles (1.0: fully separated);
- the share of left-out articles beyond the limit (what becomes "uncertain" when the model
  would say "fake");
- scoring time per 1,000 articles.

Candidates: `tfidf_knn` (what fakewatch ships, classifier.models.domain_shift), `centroid`
(1 - cosine similarity to the nearest of 64 k-means centroids of the same vectors), `oov`
(share of an article's words outside the training vocabulary) and `minilm_knn` (`tfidf_knn`'s
rule on the shipped MiniLM's sentence embeddings; needs the `transformer` extra, and about
4 minutes to embed the corpora).

    python bench/domain_shift.py [--held-out coaid] [--methods tfidf_knn,minilm_knn]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.cluster import MiniBatchKMeans
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import normalize

REPO = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
sys.path.insert(0, str(REPO))

from bench.generalization import CORPORA, load  # noqa: E402
from bench.machine import describe  # noqa: E402
from bench.shared_data import absent  # noqa: E402
from classifier.corpus.dedup import duplicate_groups  # noqa: E402
from classifier.corpus.splits import split_corpus  # noqa: E402
from classifier.models import text_features  # noqa: E402
from classifier.models.domain_shift import (  # noqa: E402
    NEIGHBOURS,
    QUANTILE,
    REFERENCE_ROWS,
    DomainShift,
)
from classifier.models.preprocessing import Preprocessing  # noqa: E402


class Centroids:
    def __init__(self, documents: list[str], seed: int) -> None:
        self.terms, counts = text_features.fit_term_weights(
            documents, max_features=30_000, ngram_max=1, min_df=2
        )
        kmeans = MiniBatchKMeans(n_clusters=64, random_state=seed, n_init=3, batch_size=2048)
        kmeans.fit(self.terms.tfidf(counts))
        self.centroids = normalize(kmeans.cluster_centers_)

    def scores(self, documents: list[str]) -> np.ndarray:
        vectors = self.terms.tfidf(self.terms.counts(documents))
        return 1.0 - np.asarray(vectors @ self.centroids.T).max(axis=1)


class OutOfVocabulary:
    def __init__(self, documents: list[str], seed: int) -> None:
        self.counter = text_features.make_counter(1, min_df=2)
        self.counter.fit(documents)
        self.analyse = self.counter.build_analyzer()

    def scores(self, documents: list[str]) -> np.ndarray:
        known = self.counter.vocabulary_
        out = []
        for document in documents:
            tokens = self.analyse(document)
            out.append(sum(t not in known for t in tokens) / max(len(tokens), 1))
        return np.asarray(out)


class Knn:
    def __init__(self, documents: list[str], seed: int) -> None:
        self.detector = DomainShift.fit(documents, seed=seed)

    def scores(self, documents: list[str]) -> np.ndarray:
        return self.detector.scores(documents)


class MiniLmKnn:
    """The same nearest-neighbour score in the shipped MiniLM's sentence-embedding space (the
    `embedding_logreg` kind's vectors). Training articles are embedded once per process;
    scored articles are embedded anew each time, so the timing includes the encoder."""

    def __init__(self, documents: list[str], seed: int) -> None:
        from classifier.models.embedding_model import embed, shipped_encoder

        self.encoder = shipped_encoder(256, 32)
        vectors = embed(self.encoder, documents)
        rows = np.random.default_rng(seed).permutation(len(vectors))[:REFERENCE_ROWS]
        self.reference = vectors[np.sort(rows)]

    def scores(self, documents: list[str]) -> np.ndarray:
        vectors = self.encoder.encode(documents)
        similarity = vectors @ self.reference.T
        nearest = -np.sort(-similarity, axis=1)[:, :NEIGHBOURS]
        return np.asarray(1.0 - nearest.mean(axis=1), dtype=float)


METHODS: dict[str, Any] = {
    "tfidf_knn": Knn,
    "centroid": Centroids,
    "oov": OutOfVocabulary,
    "minilm_knn": MiniLmKnn,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--held-out", default="", help="leave out only these (default: each)")
    parser.add_argument("--methods", default=",".join(METHODS))
    args = parser.parse_args()
    if absent():
        return 2
    print(f"machine: {describe(('scikit-learn',))}")
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    corpus = load(list(CORPORA))
    preprocessing = Preprocessing()
    held_out = [c for c in args.held_out.split(",") if c] or sorted(corpus["corpus"].unique())
    print("\n| left out | method | AUC (left out vs validation) | left out beyond limit "
          "| validation beyond limit | ms per 1,000 |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- |")
    for name in held_out:
        rest, left_out = corpus[corpus["corpus"] != name], corpus[corpus["corpus"] == name]
        splits = split_corpus(rest, duplicate_groups(rest), validation_size=0.1, test_size=0.0)
        train, validation, outside = (
            text_features.article_documents(preprocessing.transform(frame))
            for frame in (splits.train, splits.validation, left_out)
        )
        for method in args.methods.split(","):
            detector = METHODS[method](train, 0)
            inside = detector.scores(validation)
            started = time.perf_counter()
            beyond = detector.scores(outside)
            per_1000 = (time.perf_counter() - started) / len(outside) * 1e6
            limit = np.quantile(inside, QUANTILE)
            truth = np.r_[np.zeros(len(inside)), np.ones(len(beyond))]
            auc = roc_auc_score(truth, np.r_[inside, beyond])
            print(
                f"| {name} | {method} | {auc:.3f} | {np.mean(beyond > limit):.3f} "
                f"| {np.mean(inside > limit):.3f} | {per_1000:.0f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
