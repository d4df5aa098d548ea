"""Loaders against the real corpora in ../shared/data (skipped where that folder is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier.corpus.loading import CorpusFormat, load_corpus

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

pytestmark = pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason=f"{SHARED_DATA} is absent (developer data, not shipped)"
)


def test_welfake_sample_labels_are_one_for_fake() -> None:
    corpus = load_corpus(
        SHARED_DATA / "welfake_sample200" / "welfake_sample200.csv.gz",
        CorpusFormat(title_column=None),
    )
    assert len(corpus) == 200 and corpus["label"].sum() == 103
    reuters = corpus["text"].str.contains("(Reuters)", regex=False)
    assert reuters[corpus["label"] == 1].sum() == 0 and reuters[corpus["label"] == 0].sum() > 50


def test_gossipcop_loads_with_its_source_column() -> None:
    corpus = load_corpus(SHARED_DATA / "fakenewsnet_gossipcop" / "gossipcop.csv.gz")
    assert len(corpus) == 9747 and int(corpus["label"].sum()) == 4226
    assert set(corpus["source"]) == {"gossipcop"}
