"""Per-feature contributions of a LightGBM model by decision paths (Saabas' method).

Each tree's output for an article is its root's expected value plus, at every split on the
way to the article's leaf, the change of expected value that split made; that change is
credited to the split's feature. Summed over trees, the contributions add up exactly to the
raw score's log-odds minus the model's expected value, as SHAP values do. Unlike LightGBM's
TreeSHAP (`pred_contrib`), whose cost grows with the square of the tree depth and took
1.6 s per 1,600 GossipCop articles here, the paths are computed once per model and an
article's contributions are one sparse product from the leaves it lands in (a few ms).
SHAP spreads credit over features more fairly when they interact; for naming the words
that moved a score most, paths agree with it on the strongest ones in practice.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse


class TreePaths:
    """One row per leaf of every tree: the contributions of the path to that leaf."""

    def __init__(self, booster: Any, num_iteration: int) -> None:
        dump = booster.dump_model(num_iteration=num_iteration)
        n_features = int(dump["max_feature_idx"]) + 1
        rows: list[int] = []
        columns: list[int] = []
        values: list[float] = []
        self.offsets: list[int] = []
        self.expected_value = 0.0
        leaves = 0
        for tree in dump["tree_info"]:
            self.offsets.append(leaves)
            root = tree["tree_structure"]
            self.expected_value += _value(root)
            for leaf, path in _paths(root, ()):
                for feature, change in path:
                    rows.append(leaves + leaf)
                    columns.append(feature)
                    values.append(change)
            leaves += int(tree["num_leaves"])
        # Repeated (leaf, feature) entries are summed when the matrix is built.
        self.matrix = sparse.csr_matrix(
            (values, (rows, columns)), shape=(leaves, n_features), dtype=np.float64
        )

    def contributions(self, leaf_indices: NDArray[np.int_]) -> sparse.csr_matrix:
        """(articles x features) contributions, from `predict(..., pred_leaf=True)`."""
        leaf_indices = np.asarray(leaf_indices, dtype=np.int64).reshape(len(leaf_indices), -1)
        n, trees = leaf_indices.shape
        landed = leaf_indices + np.asarray(self.offsets[:trees], dtype=np.int64)
        indicator = sparse.csr_matrix(
            (np.ones(n * trees), landed.ravel(), np.arange(0, n * trees + 1, trees)),
            shape=(n, self.matrix.shape[0]),
        )
        return sparse.csr_matrix(indicator @ self.matrix)


def _value(node: dict[str, Any]) -> float:
    return float(node["leaf_value"] if "leaf_index" in node else node["internal_value"])


def _paths(
    node: dict[str, Any], path: tuple[tuple[int, float], ...]
) -> list[tuple[int, tuple[tuple[int, float], ...]]]:
    """(leaf index, ((feature, change), ...)) for every leaf under `node`."""
    if "leaf_index" in node:
        return [(int(node["leaf_index"]), path)]
    feature, here = int(node["split_feature"]), _value(node)
    found = []
    for side in ("left_child", "right_child"):
        child = node[side]
        found.extend(_paths(child, (*path, (feature, _value(child) - here))))
    return found
