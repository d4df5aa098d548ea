"""Corpus loading, cleanup, duplicate groups and splits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from articles.skip_rules import SkipRules
from classifier.corpus.cleanup import clean_corpus
from classifier.corpus.dedup import drop_duplicate_copies, duplicate_groups, duplicate_summary
from classifier.corpus.loading import CorpusFormat, load_corpus
from classifier.corpus.splits import split_by_source, split_corpus
from classifier.errors import CorpusError
from tests.corpora import synthetic_corpus


def test_loads_welfake_layout_from_csv_gz_and_parquet(tmp_path: Path) -> None:
    corpus = synthetic_corpus(20)
    corpus.to_csv(tmp_path / "c.csv.gz", index=False)
    corpus.to_parquet(tmp_path / "c.parquet")
    for name in ("c.csv.gz", "c.parquet"):
        loaded = load_corpus(tmp_path / name)
        assert list(loaded.columns[:3]) == ["title", "text", "label"]
        assert loaded["label"].tolist() == corpus["label"].tolist()


def test_other_column_names_and_label_values(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "headline": ["A", "B", None],
            "body": ["one text", "two text", "three"],
            "verdict": ["FAKE", "true", " Fake "],
            "site": ["x.com", "y.com", "z.com"],
        }
    )
    frame.to_csv(tmp_path / "other.csv", index=False)
    corpus_format = CorpusFormat(
        title_column="headline",
        text_column="body",
        label_column="verdict",
        fake_values=("fake",),
        real_values=("true",),
        source_column="site",
    )
    loaded = load_corpus(tmp_path / "other.csv", corpus_format)
    assert loaded["label"].tolist() == [1, 0, 1]
    assert loaded["title"].tolist() == ["A", "B", ""]
    assert loaded["source"].tolist() == ["x.com", "y.com", "z.com"]


@pytest.mark.parametrize(
    ("content", "corpus_format", "message"),
    [
        ("title,body,label\na,b,1\n", CorpusFormat(), "lacks column"),
        ("title,text,label\na,b,2\n", CorpusFormat(), "neither fake"),
        ("title,text,label\na,b,1\n", CorpusFormat(fake_values=("1",), real_values=("1",)), "both"),
    ],
)
def test_bad_corpus_is_a_one_line_error(
    tmp_path: Path, content: str, corpus_format: CorpusFormat, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(CorpusError, match=message) as raised:
        load_corpus(path, corpus_format)
    assert "\n" not in str(raised.value)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "missing.csv")
    (tmp_path / "x.parquet").write_bytes(b"not parquet")
    with pytest.raises(CorpusError, match="cannot read"):
        load_corpus(tmp_path / "x.parquet")
    (tmp_path / "x.xlsx").write_bytes(b"")
    with pytest.raises(CorpusError, match="unknown file type"):
        load_corpus(tmp_path / "x.xlsx")


def test_cleanup_drops_and_reports_each_reason() -> None:
    corpus = synthetic_corpus(10)
    extra = pd.DataFrame(
        {
            "title": ["", "Links", "Deutsch"],
            "text": [
                "   ",
                "https://example.com/a/very/long/link/only/page https://example.org/another/link",
                "Die Regierung hat am Montag beschlossen, dass die neuen Regeln für alle "
                "Bürgerinnen und Bürger ab dem nächsten Jahr gelten sollen. Die Opposition "
                "kritisierte den Beschluss scharf und kündigte an, vor dem Verfassungsgericht "
                "dagegen zu klagen.",
            ],
            "label": [1, 0, 1],
        }
    )
    kept, report = clean_corpus(pd.concat([corpus, extra], ignore_index=True))
    assert len(kept) == 10 and report.rows_in == 13 and report.rows_out == 10
    assert report.dropped == {"empty": 1, "link_only": 1, "language": 1}
    _, any_language = clean_corpus(extra, SkipRules(languages=(), min_words=1, page_shape=False))
    assert any_language.dropped == {"empty": 1, "link_only": 1}


def test_exact_and_near_duplicates_share_a_group() -> None:
    corpus = synthetic_corpus(30, seed=3)
    base_text = corpus.loc[0, "text"]
    words = base_text.split()
    near = " ".join([*words[:-1], "tomorrow"])
    extra = pd.DataFrame(
        {
            "title": [corpus.loc[0, "title"].upper(), corpus.loc[0, "title"]],
            "text": [base_text.upper() + "!!", near],
            "label": [corpus.loc[0, "label"], 1 - corpus.loc[0, "label"]],
        }
    )
    corpus = pd.concat([corpus, extra], ignore_index=True)
    groups = duplicate_groups(corpus)
    assert groups[30] == groups[0] == groups[31]
    assert groups.iloc[:30].nunique() == 30
    summary = duplicate_summary(corpus, groups)
    assert summary["duplicate_copies"] == 2 and summary["groups_with_conflicting_labels"] == 1
    assert len(drop_duplicate_copies(corpus, groups)) == 29


def test_split_keeps_duplicate_groups_on_one_side() -> None:
    corpus = synthetic_corpus(300, seed=4)
    groups = pd.Series(np.arange(300) // 3, index=corpus.index)  # groups of three
    splits = split_corpus(corpus, groups, validation_size=0.1, test_size=0.2, seed=7)
    sides = [set(groups.loc[part.index]) for part in (splits.train, splits.validation, splits.test)]
    assert not (sides[0] & sides[1]) and not (sides[0] & sides[2]) and not (sides[1] & sides[2])
    assert sum(splits.sizes().values()) == 300
    assert 50 <= len(splits.test) <= 70 and 20 <= len(splits.validation) <= 40
    for part in (splits.train, splits.test):
        assert 0.35 < part["label"].mean() < 0.65
    again = split_corpus(corpus, groups, validation_size=0.1, test_size=0.2, seed=7)
    assert again.test.index.equals(splits.test.index)


def test_source_disjoint_split() -> None:
    corpus = synthetic_corpus(200, seed=5)
    corpus["source"] = [f"site{i % 10}.example" for i in range(200)]
    splits = split_by_source(corpus, validation_size=0.1, test_size=0.2)
    train_sources = set(splits.train["source"])
    assert not train_sources & set(splits.test["source"])
    assert not train_sources & set(splits.validation["source"])
    assert len(splits.test) > 0
    with pytest.raises(CorpusError, match="no source column"):
        split_by_source(synthetic_corpus(20))


def test_source_disjoint_split_of_corpora_with_and_without_sources() -> None:
    # Two corpora, one with no source column: concatenated, its sources are missing. They form
    # one unknown source (missing values once made the duplicate-group merge loop forever).
    known = synthetic_corpus(120, seed=6).assign(source=[f"site{i % 6}" for i in range(120)])
    corpus = pd.concat([known, synthetic_corpus(60, seed=7)], ignore_index=True)
    assert corpus["source"].isna().sum() == 60
    splits = split_by_source(corpus, groups=duplicate_groups(corpus), test_size=0.2)
    parts = (splits.train, splits.validation, splits.test)
    sides = [set(part["source"].fillna("")) for part in parts]
    assert sum(("" in side) for side in sides) == 1
    assert sum(splits.sizes().values()) == 180
