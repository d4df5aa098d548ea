"""Named configurations of a model kind, with the parameters a user set explicitly on top."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from classifier.errors import ClassifierError


def resolve_preset(
    model: Any, kind: str, presets: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """`model.preset`'s values, overridden by each of its parameters that is not None."""
    if model.preset not in presets:
        raise ClassifierError(
            f"unknown {kind} preset {model.preset!r}: use one of {', '.join(presets)}"
        )
    chosen = presets[model.preset]
    explicit = {name: getattr(model, name) for name in chosen}
    return {**chosen, **{k: v for k, v in explicit.items() if v is not None}}
