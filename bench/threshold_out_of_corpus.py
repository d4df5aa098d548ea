"""Could a threshold chosen across corpora make "fake" verdicts hold on a corpus never seen?

The "fake" threshold a model chooses on its validation split (90% precision there) does not
carry over to a corpus it was not trained on (bench/generalization.py). This asks whether a
threshold chosen *out of corpus* would: for each left-out corpus H, train on the others as
`fakewatch evaluate --leave-one-out` does; then, for each of those training corpora C, train
the same kind on the remaining ones and score C, keeping the articles within C's
domain-shift limit; pool those out-of-corpus probabilities and take the lowest threshold
whose "fake" verdicts reach 90% precision on them. Both thresholds are then applied to H
(with the domain-shift abstention, as the product does).

    python bench/threshold_out_of_corpus.py [--model tfidf_logreg] [--held-out gossipcop]

Costs one model per corpus pair: about 25 minutes for tfidf_logreg on the five corpora here.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
sys.path.insert(0, str(REPO))

from bench.generalization import CORPORA, MODELS, load  # noqa: E402
from bench.machine import describe  # noqa: E402
from bench.shared_data import absent  # noqa: E402
from classifier.corpus.dedup import duplicate_groups  # noqa: E402
from classifier.corpus.splits import split_corpus  # noqa: E402
from classifier.models.base import FakeNewsModel  # noqa: E402
from classifier.models.calibration import fake_threshold  # noqa: E402
from classifier.training import build_model  # noqa: E402

TARGET_PRECISION = 0.9


def fit(name: str, rows: pd.DataFrame) -> FakeNewsModel:
    """A model of benchmark configuration `name` trained as leave-one-out trains it."""
    kind, params = MODELS[name]
    splits = split_corpus(rows, duplicate_groups(rows), validation_size=0.1, test_size=0.0)
    model = build_model(kind, dict(params))
    return model.fit(
        splits.train,
        splits.train["label"].to_numpy(),
        splits.validation,
        splits.validation["label"].to_numpy(),
    )


def verdict_row(model: FakeNewsModel, rows: pd.DataFrame, threshold: float) -> str:
    """Precision, recall and real articles flagged of "fake" at `threshold`, abstention on."""
    assessment = model.assess(rows)
    labels = rows["label"].to_numpy()
    inside = model.domain_shift_.in_distribution(assessment.shift) if model.domain_shift_ else True
    flagged = (assessment.proba_fake >= threshold) & inside
    precision = f"{labels[flagged].mean():.3f}" if flagged.any() else "-"
    return (
        f"{threshold:.3f} | {int(flagged.sum())} | {precision} | "
        f"{flagged[labels == 1].mean():.3f} | {flagged[labels == 0].mean():.3f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="tfidf_logreg", choices=sorted(MODELS))
    parser.add_argument("--held-out", default="", help="leave out only these (default: each)")
    args = parser.parse_args()
    if absent():
        return 2
    print(f"machine: {describe(('scikit-learn', 'lightgbm'))}")
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    corpus = load(list(CORPORA))
    names = [c for c in args.held_out.split(",") if c] or sorted(corpus["corpus"].unique())
    print(
        "\n| left out | threshold from | threshold | flagged fake | precision | recall "
        "| real flagged fake |\n| --- | --- | --- | --- | --- | --- | --- |",
        flush=True,
    )
    for held in names:
        started = time.perf_counter()
        rest = corpus[corpus["corpus"] != held]
        model = fit(args.model, rest)
        pooled_p, pooled_y = [], []
        for inner in sorted(rest["corpus"].unique()):
            rows = rest[rest["corpus"] == inner]
            outsider = fit(args.model, rest[rest["corpus"] != inner])
            assessment = outsider.assess(rows)
            keep = outsider.domain_shift_.in_distribution(assessment.shift)
            pooled_p.append(assessment.proba_fake[keep])
            pooled_y.append(rows["label"].to_numpy()[keep])
        probabilities, labels = np.concatenate(pooled_p), np.concatenate(pooled_y)
        across = fake_threshold(probabilities, labels, TARGET_PRECISION)
        left_out = corpus[corpus["corpus"] == held]
        print(f"| {held} | validation | {verdict_row(model, left_out, model.threshold_)} |")
        print(f"| {held} | out of corpus | {verdict_row(model, left_out, across)} |")
        print(f"  ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
