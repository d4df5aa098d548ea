"""Exact and near-duplicate detection: every article gets a duplicate group id.

Exact duplicates share normalised title and text (`articles.fingerprint`, as in the crawler).
Near duplicates share most of their word shingles: MinHash signatures and locality-sensitive hashing
(datasketch) find candidate pairs, whose estimated Jaccard similarity must pass the
threshold. Groups are the connected components, so splits can keep each group on one side.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging

import numpy as np
import pandas as pd

from articles.fingerprint import normalised_text

LOGGER = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class DedupOptions:
    """How near two articles must be to count as duplicates."""

    near_duplicates: bool = True
    jaccard_threshold: float = 0.8
    shingle_words: int = 5
    num_perm: int = 64
    # Long texts: the opening is what crawls and reposts share; the tail adds only cost.
    max_chars: int = 3000


def duplicate_groups(corpus: pd.DataFrame, options: DedupOptions | None = None) -> pd.Series:
    """A group id per row (int, aligned with the index); singletons get their own id."""
    options = options or DedupOptions()
    normalised = [
        normalised_text(f"{title} {text}")[: options.max_chars]
        for title, text in zip(corpus["title"], corpus["text"], strict=True)
    ]
    parent = np.arange(len(normalised))
    first_seen: dict[str, int] = {}
    for row, key in enumerate(normalised):
        digest = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
        if digest in first_seen:
            _union(parent, first_seen[digest], row)
        else:
            first_seen[digest] = row
    if options.near_duplicates and len(first_seen) > 1:
        for left, right in _near_pairs(normalised, sorted(first_seen.values()), options):
            _union(parent, left, right)
    roots = np.array([_find(parent, row) for row in range(len(parent))])
    _, group_ids = np.unique(roots, return_inverse=True)
    return pd.Series(group_ids, index=corpus.index, name="dup_group")


def duplicate_summary(corpus: pd.DataFrame, groups: pd.Series) -> dict[str, int]:
    """Counts for reports: rows in groups, extra copies, groups whose labels disagree."""
    sizes = groups.map(groups.value_counts())
    labels_per_group = corpus.groupby(groups)["label"].nunique()
    return {
        "rows_in_duplicate_groups": int((sizes > 1).sum()),
        "duplicate_copies": int(len(groups) - groups.nunique()),
        "groups_with_conflicting_labels": int((labels_per_group > 1).sum()),
    }


def drop_duplicate_copies(corpus: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """Keep one row per exact/near group, and no row of a group whose labels disagree."""
    conflicting = corpus.groupby(groups)["label"].transform("nunique") > 1
    first = ~groups.duplicated(keep="first")
    return corpus[first & ~conflicting]


def _near_pairs(
    normalised: list[str], rows: list[int], options: DedupOptions
) -> list[tuple[int, int]]:
    from datasketch import MinHash, MinHashLSH

    shingled = [_shingles(normalised[row], options.shingle_words) for row in rows]
    signatures = MinHash.bulk(shingled, num_perm=options.num_perm, seed=1)
    lsh = MinHashLSH(threshold=options.jaccard_threshold, num_perm=options.num_perm)
    inserted: dict[int, MinHash] = {}
    pairs: list[tuple[int, int]] = []
    for row, shingles, signature in zip(rows, shingled, signatures, strict=True):
        if not shingles:
            continue
        for other in lsh.query(signature):
            if signature.jaccard(inserted[other]) >= options.jaccard_threshold:
                pairs.append((other, row))
        lsh.insert(row, signature)
        inserted[row] = signature
    return pairs


def _shingles(text: str, size: int) -> list[bytes]:
    words = text.split()
    if len(words) <= size:
        return [" ".join(words).encode()] if words else []
    return list({" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)})


def _find(parent: np.ndarray, row: int) -> int:
    while parent[row] != row:
        parent[row] = parent[parent[row]]
        row = int(parent[row])
    return row


def _union(parent: np.ndarray, left: int, right: int) -> None:
    root_left, root_right = _find(parent, left), _find(parent, right)
    if root_left != root_right:
        parent[max(root_left, root_right)] = min(root_left, root_right)
