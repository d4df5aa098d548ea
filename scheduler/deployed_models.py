"""The deployed models: loaded once, reloaded when a model folder gets a new version."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from classifier.errors import ClassifierError
from classifier.models.artifacts import MANIFEST_NAME, load_model
from classifier.models.base import FakeNewsModel

LOGGER = logging.getLogger(__name__)


@dataclass
class DeployedModel:
    """One model folder in use: its name (the folder's), version and the loaded model."""

    name: str
    folder: Path
    model: FakeNewsModel
    manifest_mtime: float

    @property
    def version(self) -> str:
        return str(self.model.version_)

    @property
    def threshold(self) -> float:
        return float(self.model.threshold_)

    @property
    def shift_limit(self) -> float | None:
        """The domain shift beyond which the model says "uncertain" rather than "fake"."""
        detector = self.model.domain_shift_
        return None if detector is None else float(detector.limit)


class ModelSet:
    """The configured model folders; `refresh()` picks up new versions and new folders."""

    def __init__(self, folders: list[Path]) -> None:
        self.folders = folders
        self.models: dict[Path, DeployedModel] = {}
        self.problems: dict[Path, str] = {}
        # Folders with no trained model in them yet (their problem says so).
        self.missing: set[Path] = set()

    def refresh(self) -> bool:
        """(Re)load folders whose manifest changed; True when the set of models changed."""
        changed = False
        for folder in self.folders:
            manifest = folder / MANIFEST_NAME
            try:
                mtime = manifest.stat().st_mtime
            except OSError:
                self._problem(folder, f"no trained model in {folder}: run `fakewatch train`")
                self.missing.add(folder)
                changed |= self.models.pop(folder, None) is not None
                continue
            self.missing.discard(folder)
            current = self.models.get(folder)
            if current is not None and current.manifest_mtime == mtime:
                continue
            try:
                model = load_model(folder)
            except ClassifierError as exc:
                self._problem(folder, str(exc))
                continue
            self.models[folder] = DeployedModel(folder.name, folder, model, mtime)
            self.problems.pop(folder, None)
            LOGGER.info("model %s version %s loaded from %s", folder.name, model.version_, folder)
            changed = True
        return changed

    @property
    def loaded(self) -> list[DeployedModel]:
        return list(self.models.values())

    def info(self) -> list[dict[str, Any]]:
        """Name, kind, version, threshold and shift limit of each loaded model (for /healthz
        and metrics)."""
        return [
            {
                "name": m.name,
                "kind": m.model.kind,
                "version": m.version,
                "threshold": m.threshold,
                "shift_limit": m.shift_limit,
            }
            for m in self.loaded
        ]

    def score_histograms(self) -> dict[str, list[float]]:
        """Per model name, its validation score histogram (for the score-drift gauge)."""
        return {m.name: histogram for m in self.loaded if (histogram := m.model.score_histogram_)}

    def _problem(self, folder: Path, message: str) -> None:
        if self.problems.get(folder) != message:
            LOGGER.warning("%s", message)
        self.problems[folder] = message
