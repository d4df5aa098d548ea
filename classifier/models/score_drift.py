"""Has the distribution of a model's scores moved away from what it was on validation data?

A model keeps the histogram of its calibrated probabilities on the validation articles
(`BINS` equal bins over [0, 1]). The daemon compares each source's recent scores with it by
the population stability index, the usual drift measure of credit scoring:

    PSI = sum over bins of (observed - expected) * ln(observed / expected)

about 0 when the scores are distributed as on validation; by the usual rule of thumb, above
0.1 a moderate and above 0.25 a large shift. A source all of one kind is *expected* to differ
from a mixed validation set, so read PSI beside the share of out-of-distribution articles.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

BINS = 10
# Floor for empty bins, so that ln(observed / expected) stays finite.
SMOOTHING = 1e-4


def score_histogram(proba_fake: ArrayLike) -> list[float]:
    """The share of probabilities in each of BINS equal bins over [0, 1] (1.0 in the last)."""
    p = np.clip(np.asarray(proba_fake, dtype=float), 0.0, 1.0)
    counts = np.bincount(np.minimum((p * BINS).astype(int), BINS - 1), minlength=BINS)
    return [float(c) for c in counts / max(len(p), 1)]


def bin_edges() -> list[tuple[float, float]]:
    """(low, high) of each bin; a probability belongs where low <= p < high (1.0: last)."""
    return [(i / BINS, (i + 1) / BINS) for i in range(BINS)]


def population_stability(expected: Sequence[float], observed_counts: Sequence[int]) -> float:
    """PSI of observed bin counts against expected bin shares (both BINS long)."""
    total = sum(observed_counts)
    if total == 0 or len(expected) != BINS or len(observed_counts) != BINS:
        return float("nan")
    e = np.maximum(np.asarray(expected, dtype=float), SMOOTHING)
    o = np.maximum(np.asarray(observed_counts, dtype=float) / total, SMOOTHING)
    return float(np.sum((o - e) * np.log(o / e)))
