"""Why a score is what it is: per-article contributions to the log-odds of fake, top first.

The kinds build a sparse (articles x features) matrix of contributions that add up to the
raw score's logit (linear weights times TF-IDF values, or LightGBM's SHAP values from
`pred_contrib`); `top_contributions` keeps the strongest of each row. Positive pushes
towards fake, negative towards real.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

Explanation = list[tuple[str, float]]

# Contributions are stored rounded: four decimals of log-odds are more than a reader needs.
DECIMALS = 4


def top_contributions(
    contributions: sparse.csr_matrix, names: Sequence[str], top: int
) -> list[Explanation]:
    """The `top` entries of each row by absolute value, as (name, contribution)."""
    contributions = sparse.csr_matrix(contributions)
    contributions.eliminate_zeros()
    explanations: list[Explanation] = []
    for row in range(contributions.shape[0]):
        start, end = contributions.indptr[row], contributions.indptr[row + 1]
        columns, values = contributions.indices[start:end], contributions.data[start:end]
        strongest = np.argsort(-np.abs(values), kind="stable")[:top]
        explanations.append(
            [(str(names[columns[i]]), round(float(values[i]), DECIMALS)) for i in strongest]
        )
    return explanations


def linear_contributions(tfidf: sparse.csr_matrix, coef: NDArray[np.float64]) -> sparse.csr_matrix:
    """Each word's share of a linear model's logit: its TF-IDF value times its weight."""
    return sparse.csr_matrix(tfidf.multiply(coef.reshape(1, -1)))


def share_out(total: NDArray[np.float64], parts: sparse.csr_matrix) -> sparse.csr_matrix:
    """Split each row's `total` over the parts that push the same way, by their size.

    Used to give a derived feature's contribution (LightGBM's view of the linear score)
    back to the words the linear score is made of; the row still sums to `total`.
    """
    direction = np.sign(total).reshape(-1, 1)
    agreeing = sparse.csr_matrix(parts.multiply(direction))
    agreeing.data = np.maximum(agreeing.data, 0.0)
    agreeing.eliminate_zeros()
    sums = np.asarray(agreeing.sum(axis=1)).ravel()
    scale = np.divide(np.abs(total), sums, out=np.zeros_like(sums), where=sums > 0)
    return sparse.csr_matrix(sparse.diags(scale * direction.ravel()) @ agreeing)
