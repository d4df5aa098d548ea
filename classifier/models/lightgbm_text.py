"""Check a LightGBM text model before LightGBM's C++ code reads it.

LightGBM parses the trees of a text model in parallel when its header gives their sizes, and
a malformed tree there ends the whole process (`terminate called`, exit 134) instead of
raising; a child index out of range loads fine and crashes at the first prediction (SIGSEGV).
A model folder is checksummed, but a checksum only proves the file is the one its manifest
names. So the text is checked here first (every tree's arrays have the lengths its
`num_leaves` implies, children and features are in range, no categorical splits, which
fakewatch never trains), and the `tree_sizes` line is dropped so that LightGBM parses
sequentially, where what this check misses becomes an exception, not an abort.
"""

from __future__ import annotations

import re

TREE_SIZES = re.compile(r"(?m)^tree_sizes=.*\n")
# Per tree: arrays of one entry per split (num_leaves - 1), then per leaf (num_leaves).
PER_SPLIT = ("split_feature", "split_gain", "threshold", "decision_type", "left_child",
             "right_child")  # fmt: skip
PER_LEAF = ("leaf_value",)


class ModelTextError(ValueError):
    """The model text is malformed; the message says where."""


def checked_model_text(text: str) -> str:
    """`text` without its `tree_sizes` line, or ModelTextError when a tree is malformed."""
    header, _, rest = text.partition("\nTree=")
    fields = _fields(header)
    max_feature = _int(fields, "max_feature_idx", "header")
    trees = [block for block in ("Tree=" + rest).split("\n\n") if block.startswith("Tree=")]
    if not rest or not trees:
        raise ModelTextError("the model holds no tree")
    for block in trees:
        _check_tree(block, max_feature)
    return TREE_SIZES.sub("", text)


def _check_tree(block: str, max_feature: int) -> None:
    fields = _fields(block)
    name = block.split("\n", 1)[0]
    leaves = _int(fields, "num_leaves", name)
    if leaves < 1:
        raise ModelTextError(f"{name}: num_leaves is {leaves}")
    if _int(fields, "num_cat", name) != 0:
        raise ModelTextError(f"{name}: categorical splits, which fakewatch never trains")
    if leaves == 1:
        return
    arrays = {key: _numbers(fields, key, name, leaves - 1) for key in PER_SPLIT}
    for key in PER_LEAF:
        _numbers(fields, key, name, leaves)
    for child in (*arrays["left_child"], *arrays["right_child"]):
        if not -leaves <= child <= leaves - 2 or child != int(child):
            raise ModelTextError(f"{name}: child {child} out of range")
    if any(not 0 <= f <= max_feature or f != int(f) for f in arrays["split_feature"]):
        raise ModelTextError(f"{name}: a split on a feature the model does not have")


def _fields(block: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in block.splitlines() if "=" in line)


def _int(fields: dict[str, str], key: str, where: str) -> int:
    try:
        return int(fields[key])
    except (KeyError, ValueError):
        raise ModelTextError(f"{where}: {key} is missing or not a number") from None


def _numbers(fields: dict[str, str], key: str, where: str, count: int) -> list[float]:
    try:
        values = [float(value) for value in fields[key].split()]
    except (KeyError, ValueError):
        raise ModelTextError(f"{where}: {key} is missing or not numbers") from None
    if len(values) != count:
        raise ModelTextError(f"{where}: {key} has {len(values)} values, not {count}")
    return values
