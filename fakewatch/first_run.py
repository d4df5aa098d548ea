"""The first run: make sure a model is deployed, training the default one when none is.

`fakewatch setup` (and so `make run`) calls `ensure_model`. When a configured model folder
already holds a model, nothing happens: later runs reuse it. Otherwise training corpora are
found (the files named by $FAKEWATCH_TRAINING_DATA, each one corpus, or WELFake: a CSV already
downloaded, or the download), the default model is trained into a temporary folder beside the
target and moved into place only when complete, so an interrupted first run never leaves half
a model.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from classifier.corpus.fetch import DatasetSource, dataset_source, fetch_dataset
from classifier.errors import ClassifierError, DatasetError
from classifier.models.artifacts import MANIFEST_NAME, load_model

TRAINING_DATA_ENV = "FAKEWATCH_TRAINING_DATA"
DEFAULT_KIND = "lightgbm"
DEFAULT_DATA_FOLDER = Path("data")


class NoTrainingData(ClassifierError):
    """No corpus could be found or downloaded; the message says how to provide one."""


@dataclasses.dataclass(frozen=True)
class ModelReady:
    """What `ensure_model` found or did."""

    folder: Path
    version: str
    trained_now: bool


def ensure_model(
    folders: list[Path],
    *,
    data_folder: Path = DEFAULT_DATA_FOLDER,
    progress: bool = True,
    on_step: Callable[[str], None] = print,
) -> ModelReady:
    """A loadable model in one of `folders`, training the default into the first if none is."""
    if not folders:
        raise ClassifierError(
            "no model folder is configured: set [daemon] models or FAKEWATCH_MODELS"
        )
    for folder in folders:
        if (folder / MANIFEST_NAME).is_file():
            model = load_model(folder)  # a corrupt folder is an error to fix, never overwritten
            return ModelReady(folder, str(model.version_), trained_now=False)
    target = folders[0]
    if target.exists() and any(target.iterdir()):
        raise ClassifierError(
            f"model folder {target} is not empty but holds no {MANIFEST_NAME}: "
            "move its files away (or delete it) and run again"
        )
    corpora = training_corpora(data_folder, progress=progress, on_step=on_step)
    shown = ", ".join(str(path) for path in corpora)
    on_step(f"no model yet: training the default {DEFAULT_KIND} model on {shown}")
    version = train_default_model(corpora, target, on_step=on_step)
    return ModelReady(target, version, trained_now=True)


def training_corpora(
    data_folder: Path, *, progress: bool = True, on_step: Callable[[str], None] = print
) -> list[Path]:
    """The labelled corpora to train on: those $FAKEWATCH_TRAINING_DATA names (several are
    separated by the path separator, ":" on Unix), else WELFake (downloaded)."""
    if named := os.environ.get(TRAINING_DATA_ENV):
        paths = [Path(part) for part in named.split(os.pathsep) if part.strip()]
        for path in paths:
            if not path.is_file():
                raise NoTrainingData(
                    f"${TRAINING_DATA_ENV} names {path}, which is not a file: point it at "
                    "labelled CSV, CSV.gz or Parquet files (title, text, label; 1 = fake), "
                    f"separated by {os.pathsep!r}"
                )
        return paths
    welfake = dataset_source("welfake")
    on_step(
        f"fetching {welfake.file_name} into {data_folder}/ to train on (resumes if interrupted)"
    )
    try:
        return [fetch_dataset(welfake, data_folder, progress=progress)]
    except DatasetError as exc:
        raise NoTrainingData(_no_download_message(welfake, data_folder, str(exc))) from None


def train_default_model(
    corpora: list[Path], target: Path, *, on_step: Callable[[str], None] = print
) -> str:
    """Train the default kind on `corpora` and move it to `target` only once it is complete."""
    from classifier.corpus.loading import CorpusFormat
    from classifier.training import PrepareOptions, train_model

    options = PrepareOptions(corpus_format=CorpusFormat(title_optional=True))

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-training-", dir=target.parent))
    try:
        result = train_model(
            corpora,
            staging / "model",
            kind=DEFAULT_KIND,
            params={"verbose": 1},
            options=options,
            on_step=on_step,
        )
        if target.exists():
            target.rmdir()  # empty: ensure_model checked
        (staging / "model").replace(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    test = result.model.metrics_["test"]
    on_step(
        f"default model saved to {target}: test accuracy {test['accuracy']:.4f}, "
        f"AUC {test['roc_auc']:.4f} on {test['articles']} held-out articles"
    )
    return str(result.model.version_)


def _no_download_message(source: DatasetSource, data_folder: Path, reason: str) -> str:
    return (
        f"no model yet, and {reason.rstrip('.')}. To train one, either download {source.url} "
        f"(md5 {source.md5}) to {data_folder / source.file_name}, or set "
        f"{TRAINING_DATA_ENV}=/path/to/labelled.csv (columns title, text, label; 1 = fake); "
        "then run again"
    )
