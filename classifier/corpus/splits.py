"""Train/validation/test splits that keep duplicate groups (or whole sources) on one side.

`split_corpus` is stratified by label at group level with a fixed seed, so no test article
has a twin in training. `split_by_source` puts every source (site) on one side only, which
measures how a model does on sites it has never seen.
"""

from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pandas as pd

from classifier.errors import CorpusError

LOGGER = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Splits:
    """Three disjoint frames with the corpus columns."""

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame

    def sizes(self) -> dict[str, int]:
        """Rows per split."""
        return {
            "train": len(self.train),
            "validation": len(self.validation),
            "test": len(self.test),
        }


def split_corpus(
    corpus: pd.DataFrame,
    groups: pd.Series | None = None,
    *,
    validation_size: float = 0.1,
    test_size: float = 0.1,
    seed: int = 42,
) -> Splits:
    """Stratified split by label (and by corpus, when there are several); rows sharing a group
    id always land in the same split. A `test_size` of 0 gives train and validation only."""
    _check_sizes(validation_size, test_size)
    if groups is None:
        groups = pd.Series(np.arange(len(corpus)), index=corpus.index)
    table = pd.DataFrame(
        {
            "group": groups.to_numpy(),
            "label": corpus["label"].to_numpy(),
            "corpus": corpus["corpus"].to_numpy() if "corpus" in corpus else "",
        }
    )
    per_group = table.groupby("group").agg(
        size=("label", "size"), mean=("label", "mean"), corpus=("corpus", "first")
    )
    per_group["stratum"] = (per_group["mean"] >= 0.5).astype(int)
    rng = np.random.default_rng(seed)
    assignment: dict[object, int] = {}
    for _, stratum in per_group.groupby(["corpus", "stratum"], sort=True):
        order = rng.permutation(len(stratum))
        sizes = stratum["size"].to_numpy()[order]
        names = stratum.index.to_numpy()[order]
        total = sizes.sum()
        filled = np.cumsum(sizes)
        # Test first, then validation, each up to its share of the stratum's rows.
        side = np.where(
            filled <= round(test_size * total),
            2,
            np.where(filled <= round((test_size + validation_size) * total), 1, 0),
        )
        assignment.update(zip(names, side, strict=True))
    sides = table["group"].map(assignment).to_numpy()
    return _frames(corpus, sides)


def split_by_source(
    corpus: pd.DataFrame,
    *,
    validation_size: float = 0.1,
    test_size: float = 0.1,
    seed: int = 42,
    groups: pd.Series | None = None,
) -> Splits:
    """Split so that each source is on one side only (duplicate groups stay together too)."""
    _check_sizes(validation_size, test_size)
    if "source" not in corpus.columns:
        raise CorpusError("this corpus has no source column: use the default split instead")
    # Articles whose source is not known form one source of their own ("").
    sources = corpus["source"].fillna("").astype(str)
    if sources.nunique() < 3:
        raise CorpusError(
            f"a source-disjoint split needs at least 3 sources, this corpus has {sources.nunique()}"
        )
    components = _merge_sources_with_groups(sources, groups)
    counts = components.value_counts()
    rng = np.random.default_rng(seed)
    names = counts.index.to_numpy()[rng.permutation(len(counts))]
    filled = np.cumsum(counts.loc[names].to_numpy())
    total = filled[-1]
    side = np.where(
        filled <= max(round(test_size * total), 1),
        2,
        np.where(filled <= round((test_size + validation_size) * total), 1, 0),
    )
    # The first component always lands in test, so test is never empty.
    side[0] = 2
    sides = components.map(dict(zip(names, side, strict=True))).to_numpy()
    splits = _frames(corpus, sides)
    if splits.train.empty:
        raise CorpusError("one source holds nearly all articles: a source-disjoint split is empty")
    return splits


def _merge_sources_with_groups(sources: pd.Series, groups: pd.Series | None) -> pd.Series:
    """Source names, with sources joined when a duplicate group spans them."""
    if groups is None:
        return sources
    alias = {source: source for source in sources.unique()}

    def root(name: str) -> str:
        while alias[name] != name:
            name = alias[name]
        return name

    frame = pd.DataFrame({"source": sources.to_numpy(), "group": groups.to_numpy()})
    for members in frame.groupby("group")["source"].unique():
        roots = sorted({root(member) for member in members})
        for other in roots[1:]:
            alias[other] = roots[0]
    return sources.map(root)


def _frames(corpus: pd.DataFrame, sides: np.ndarray) -> Splits:
    splits = Splits(
        train=corpus[sides == 0],
        validation=corpus[sides == 1],
        test=corpus[sides == 2],
    )
    LOGGER.info("split: %s", splits.sizes())
    return splits


def _check_sizes(validation_size: float, test_size: float) -> None:
    if not (0 <= validation_size < 1 and 0 <= test_size < 1 and validation_size + test_size < 1):
        raise CorpusError(
            "validation and test sizes must be fractions with a sum below 1, "
            f"got {validation_size} and {test_size}"
        )
