"""Scoring throughput of the neural kinds: `lstm` (study network) and `transformer` fp32 vs int8.

Usage: python bench/neural_throughput.py [--data CSV] [--lstm-articles N] [--bert-articles N]

Uses the ISOT sample in ../shared/data when present (else synthetic articles). Models are
trained only briefly: throughput does not depend on how well they are trained. Each figure
is the best of `--repeats` runs of `predict_proba` on raw articles, so preprocessing,
tokenisation and batching are included.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

LOGGER = logging.getLogger(__name__)

ISOT = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "isot_sample" / "isot_sample.csv.gz"
)


def load_articles(path: Path | None) -> tuple[pd.DataFrame, np.ndarray, str]:
    """Labelled articles from a CSV, else synthetic ones of news length."""
    path = path or (ISOT if ISOT.is_file() else None)
    if path is not None:
        # Shuffled once, with a fixed seed: the files are sorted by label.
        frame = pd.read_csv(path).fillna("").sample(frac=1.0, random_state=0)
        return frame[["title", "text"]], frame["label"].to_numpy(int), str(path)
    rng = np.random.default_rng(0)
    words = [f"word{i}" for i in range(5000)]
    labels = rng.integers(0, 2, 2000)
    titles = [" ".join(rng.choice(words, 10)) for _ in labels]
    texts = [" ".join(rng.choice(words, 400)) + "." for _ in labels]
    return pd.DataFrame({"title": titles, "text": texts}), labels, "synthetic"


def best_rate(score: Callable[[], object], n: int, repeats: int) -> float:
    """Articles per second: the best of several timed runs."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        score()
        best = min(best, time.perf_counter() - started)
    return n / best


def bench_lstm(X: pd.DataFrame, y: np.ndarray, n: int, repeats: int) -> None:
    """Study network (vocabulary 10k, length 300, embedding 32, LSTM 32): fit, then score."""
    from classifier.models.lstm_model import LSTMModel

    train = min(len(X) - 200, 1200)
    started = time.perf_counter()
    model = LSTMModel(epochs=1).fit(X.iloc[:train], y[:train], X.iloc[train:], y[train:])
    seconds = time.perf_counter() - started
    print(f"lstm: fit (vocabulary, 1 epoch, calibration) on {train} articles: {seconds:.1f} s")
    sample = pd.concat([X] * (n // len(X) + 1)).iloc[:n]
    model.predict_proba(sample.iloc[:64])  # trace the scoring graph once
    rate = best_rate(lambda: model.predict_proba(sample), n, repeats)
    print(
        f"lstm: predict_proba {n} articles: {rate:.0f} articles/s "
        f"(load average {os.getloadavg()[0]:.1f})"
    )
    pre = model.preprocessing_.transform(sample)
    rate = best_rate(lambda: model._raw_scores(pre), n, repeats)
    print(f"lstm: network only (preprocessed text): {rate:.0f} articles/s")


def bench_transformer(
    X: pd.DataFrame, y: np.ndarray, n: int, repeats: int, threads: int | None
) -> None:
    """MiniLM at 256 tokens, briefly fine-tuned: fp32 versus int8 dynamic quantization."""
    import torch

    from classifier.models.transformer_model import TransformerModel

    model = TransformerModel(
        max_length=256, epochs=1, max_train_samples=16, batch_size=16, num_threads=threads
    )
    started = time.perf_counter()
    model.fit(X.iloc[:64], y[:64], X.iloc[64:96], y[64:96])
    print(f"transformer: 1 step of 16 articles + setup in {time.perf_counter() - started:.1f} s")
    sample = X.iloc[-n:]
    ids = model.tokenizer_(
        list(sample["title"]), list(sample["text"]), truncation=True, max_length=256
    )
    lengths = [len(row) for row in ids["input_ids"]]
    print(
        f"transformer: {n} articles, mean {np.mean(lengths):.0f} tokens "
        f"({np.mean(np.array(lengths) == 256):.0%} at the 256 cap), torch threads "
        f"{torch.get_num_threads()}"
    )
    rates = {}
    for quantize in (False, True):
        model.set_params(quantize=quantize)
        model.predict_proba(sample.iloc[:4])
        rates[quantize] = best_rate(lambda: model.predict_proba(sample), n, repeats)
        name = "int8" if quantize else "fp32"
        print(
            f"transformer: {name} predict_proba: {rates[quantize]:.1f} articles/s "
            f"(load average {os.getloadavg()[0]:.1f})"
        )
    model.set_params(quantize=False)
    fp32 = model.raw_scores(sample)
    model.set_params(quantize=True)
    int8 = model.raw_scores(sample)
    print(
        f"transformer: int8 speed-up x{rates[True] / rates[False]:.2f}, "
        f"max |p_int8 - p_fp32| = {np.abs(int8 - fp32).max():.4f}"
    )


def main() -> None:
    """Run the benchmarks named on the command line (both by default)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--lstm-articles", type=int, default=2000)
    parser.add_argument("--bert-articles", type=int, default=96)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=("lstm", "transformer"), default=None)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: all)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    X, y, source = load_articles(args.data)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; data: {source}")
    if args.only in (None, "lstm"):
        bench_lstm(X, y, args.lstm_articles, args.repeats)
    if args.only in (None, "transformer"):
        n = min(args.bert_articles, len(X) - 96)
        bench_transformer(X, y, n, args.repeats, args.threads)


if __name__ == "__main__":
    main()
