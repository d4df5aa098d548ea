"""Do sentence embeddings carry across corpora better than words? Leave one out, side by side.

For every labelled corpus in ../shared/data, both models below are trained on the same
articles of the other corpora (the training part of the split `fakewatch evaluate
--leave-one-out` uses, after the same cleanup and source-cue preprocessing) and scored on the
corpus left out:

- `tfidf_lr`: TF-IDF of words and word pairs, logistic regression (a plain baseline, not the
  product's tfidf_logreg with its calibration and threshold);
- `minilm_lr`: the shipped all-MiniLM-L6-v2 sentence embedding of the article's first
  `--max-tokens` word pieces (title first), logistic regression.

Only ranking and probability quality are compared (AUC, log loss), not verdicts: the question
is whether the representation generalizes, before any model kind is built on it.

    python bench/embedding_generalization.py [--max-tokens 256] [--cache /tmp/minilm.npy]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score

REPO = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
sys.path.insert(0, str(REPO))

from bench.generalization import CORPORA, load  # noqa: E402
from bench.machine import describe  # noqa: E402
from bench.shared_data import absent  # noqa: E402
from classifier.claim_matching.encoder import SentenceEncoder  # noqa: E402
from classifier.corpus.dedup import duplicate_groups  # noqa: E402
from classifier.corpus.splits import split_corpus  # noqa: E402
from classifier.models import text_features  # noqa: E402
from classifier.models.preprocessing import Preprocessing  # noqa: E402


def embeddings(documents: list[str], max_tokens: int, cache: Path | None) -> np.ndarray:
    """One unit vector per document, from the cache when it holds exactly these documents."""
    if cache is not None and cache.exists():
        vectors = np.load(cache, allow_pickle=False)
        if len(vectors) == len(documents):
            print(f"embeddings read from {cache}")
            return vectors
    encoder = SentenceEncoder(max_tokens=max_tokens, batch_size=32)
    started = time.perf_counter()
    parts = []
    step = 2000
    for start in range(0, len(documents), step):
        parts.append(encoder.encode(documents[start : start + step]))
        done = start + len(parts[-1])
        rate = done / (time.perf_counter() - started)
        print(f"  embedded {done} of {len(documents)} ({rate:.0f}/s)", flush=True)
    vectors = np.concatenate(parts)
    if cache is not None:
        np.save(cache, vectors, allow_pickle=False)
    return vectors


def scores(truth: np.ndarray, proba: np.ndarray) -> str:
    auc = roc_auc_score(truth, proba) if len(set(truth)) == 2 else float("nan")
    return f"{auc:.3f} | {log_loss(truth, np.clip(proba, 1e-7, 1 - 1e-7), labels=[0, 1]):.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--cache", type=Path, default=None, help="an .npy file for embeddings")
    parser.add_argument("--held-out", default="", help="leave out only these (default: each)")
    args = parser.parse_args()
    if absent():
        return 2
    print(f"machine: {describe(('scikit-learn', 'torch', 'sentence-transformers'))}")
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    corpus = load(list(CORPORA)).reset_index(drop=True)
    documents = text_features.article_documents(Preprocessing().transform(corpus))
    vectors = embeddings(documents, args.max_tokens, args.cache)
    labels = corpus["label"].to_numpy(dtype=int)
    held_out = [c for c in args.held_out.split(",") if c] or sorted(corpus["corpus"].unique())
    print("\n| left out | articles | fake | tfidf_lr AUC | tfidf_lr log loss "
          "| minilm_lr AUC | minilm_lr log loss |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name in held_out:
        inside = corpus["corpus"] != name
        rest = corpus[inside]
        splits = split_corpus(rest, duplicate_groups(rest), validation_size=0.1, test_size=0.0)
        train = splits.train.index.to_numpy()
        outside = np.flatnonzero(~inside.to_numpy())
        tfidf = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=200_000,
                                sublinear_tf=True)  # fmt: skip
        words = tfidf.fit_transform([documents[i] for i in train])
        word_model = LogisticRegression(C=1.0, max_iter=2000).fit(words, labels[train])
        word_proba = word_model.predict_proba(tfidf.transform([documents[i] for i in outside]))
        meaning_model = LogisticRegression(C=1.0, max_iter=2000).fit(vectors[train], labels[train])
        meaning_proba = meaning_model.predict_proba(vectors[outside])
        truth = labels[outside]
        print(f"| {name} | {len(outside)} | {int(truth.sum())} | "
              f"{scores(truth, word_proba[:, 1])} | {scores(truth, meaning_proba[:, 1])} |",
              flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
