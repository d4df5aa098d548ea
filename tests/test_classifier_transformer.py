"""The `transformer` kind: fine-tuning a tiny BERT, round trips, int8 scoring, safe loading."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from classifier.errors import ModelFolderError  # noqa: E402
from classifier.models import hf_folder  # noqa: E402
from classifier.models.artifacts import load_model  # noqa: E402
from classifier.models.transformer_model import TransformerModel  # noqa: E402
from tests.corpora import GIVEAWAY_FAKE, GIVEAWAY_REAL, filler_words, giveaway_corpus  # noqa: E402

pytestmark = pytest.mark.slow

FILLER = filler_words(40)
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def articles(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """An easy corpus: fake and real articles use different giveaway words."""
    return giveaway_corpus(n, seed, filler=40, filler_per_article=12, html=False)


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer BERT with hidden size 32 and its own WordPiece vocabulary, saved as a base."""
    folder = tmp_path_factory.mktemp("tiny_bert")
    vocab = [*SPECIAL, ".", ",", "!", *GIVEAWAY_FAKE, *GIVEAWAY_REAL, *FILLER]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    config = transformers.BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
    )
    torch.manual_seed(0)
    transformers.BertModel(config).save_pretrained(folder)
    # Built from vocab.txt + config.json the way any BERT folder is read (transformers 4 and 5).
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def trained(tiny_bert: Path) -> TransformerModel:
    X, y = articles(128, seed=1)
    X_val, y_val = articles(48, seed=2)
    # A randomly initialised BERT needs a high learning rate to move in a few steps.
    model = TransformerModel(
        base_model=str(tiny_bert),
        max_length=32,
        epochs=8,
        batch_size=16,
        learning_rate=3e-3,
        num_threads=1,
    )
    return model.fit(X, y, X_val, y_val)


def test_fine_tuned_model_separates_easy_articles(trained: TransformerModel) -> None:
    X, y = articles(64, seed=3)
    proba = trained.predict_proba(X)
    assert proba.shape == (64, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert ((proba[:, 1] >= 0.5) == y).mean() >= 0.8
    assert trained.history_["steps"] > 0


def test_round_trip_gives_identical_probabilities(
    trained: TransformerModel, tmp_path: Path
) -> None:
    X, _ = articles(16, seed=4)
    trained.save(tmp_path / "model")
    assert (tmp_path / "model" / "hf" / "model.safetensors").is_file()
    assert not list((tmp_path / "model").rglob("*.bin"))
    loaded = load_model(tmp_path / "model")
    assert isinstance(loaded, TransformerModel)
    np.testing.assert_array_equal(loaded.predict_proba(X), trained.predict_proba(X))


def test_int8_scoring_agrees_and_round_trips(trained: TransformerModel, tmp_path: Path) -> None:
    X, _ = articles(32, seed=5)
    fp32 = trained.raw_scores(X)
    quantized = TransformerModel.load(trained.save(tmp_path / "fp32")).set_params(quantize=True)
    q_scores = quantized.raw_scores(X)
    modules = [type(m).__module__ for m in quantized.scoring_network_.modules()]
    assert any("quantized" in name for name in modules)
    assert np.abs(q_scores - fp32).max() < 0.05
    reloaded = load_model(quantized.save(tmp_path / "int8"))
    assert json.loads((tmp_path / "int8" / "manifest.json").read_text())["params"]["quantize"]
    np.testing.assert_array_equal(reloaded.raw_scores(X), q_scores)


def test_pickle_only_base_folder_is_refused(tiny_bert: Path, tmp_path: Path) -> None:
    folder = tmp_path / "pickled"
    shutil.copytree(tiny_bert, folder)
    model = transformers.BertModel.from_pretrained(folder)
    (folder / "model.safetensors").unlink()
    torch.save(model.state_dict(), folder / "pytorch_model.bin")
    X, y = articles(8, seed=6)
    with pytest.raises(ModelFolderError, match=r"pytorch_model\.bin") as info:
        TransformerModel(base_model=str(folder), max_length=16).fit(X, y)
    assert "\n" not in str(info.value)


def test_saved_folder_with_pickle_file_is_refused(
    trained: TransformerModel, tmp_path: Path
) -> None:
    folder = trained.save(tmp_path / "model")
    torch.save({"x": torch.zeros(1)}, folder / "hf" / "pytorch_model.bin")
    with pytest.raises(ModelFolderError, match="pickle") as info:
        load_model(folder)
    assert "\n" not in str(info.value)


def test_missing_base_folder_is_a_one_line_error(tmp_path: Path) -> None:
    X, y = articles(8, seed=7)
    with pytest.raises(ModelFolderError, match="does not exist"):
        TransformerModel(base_model=str(tmp_path / "nowhere")).fit(X, y)


def test_sample_limit_and_time_budget(tiny_bert: Path) -> None:
    X, y = articles(48, seed=8)
    model = TransformerModel(
        base_model=str(tiny_bert),
        max_length=16,
        epochs=3,
        batch_size=8,
        max_train_samples=24,
        time_budget_s=0.0,
        num_threads=1,
    ).fit(X, y)
    assert model.history_["train_rows"] == 24
    assert model.history_["steps"] == 1
    assert model.history_["stopped"] == "time budget"


def test_shipped_minilm_fine_tunes_and_scores() -> None:
    try:
        base = hf_folder.default_base_model()
    except ModelFolderError as exc:
        pytest.skip(f"shipped MiniLM unavailable: {exc}")
    X, y = articles(8, seed=9)
    model = TransformerModel(max_length=32, epochs=1, batch_size=8, num_threads=1).fit(X, y)
    assert model.history_["base_model"] == str(base)
    assert model.network_.config.num_labels == 2
    proba = model.predict_proba(X.head(2))
    assert proba.shape == (2, 2)
    assert np.all((proba >= 0) & (proba <= 1))
