"""Several corpora at once: `train --data A --data B`, and leave-one-corpus-out evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier.corpus.dedup import duplicate_groups
from classifier.corpus.loading import corpus_name, load_corpora
from classifier.corpus.splits import split_corpus
from classifier.errors import CorpusError
from classifier.evaluation.leave_one_out import labelled_part
from fakewatch.cli import main
from tests.corpora import synthetic_corpus

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two corpora that agree on what a fake reads like, and one whose labels say the opposite."""
    folder = tmp_path_factory.mktemp("corpora")
    frames = {
        "wire": synthetic_corpus(160, seed=1),
        "blogs": synthetic_corpus(160, seed=2),
        "upside": synthetic_corpus(120, seed=3).assign(label=lambda f: 1 - f["label"]),
    }
    paths = {}
    for name, frame in frames.items():
        paths[name] = folder / f"{name}.csv.gz"
        frame.to_csv(paths[name], index=False)
    return paths


def test_each_file_is_a_corpus_named_after_it(corpora: dict[str, Path]) -> None:
    corpus = load_corpora([corpora["wire"], corpora["upside"]])
    assert corpus["corpus"].value_counts().to_dict() == {"wire": 160, "upside": 120}
    assert corpus_name("data/liar_train.csv.gz") == "liar_train"
    with pytest.raises(CorpusError, match="two corpus files are named 'wire'"):
        load_corpora([corpora["wire"], corpora["wire"]])
    with pytest.raises(CorpusError, match="no corpus file"):
        load_corpora([])


def test_split_keeps_each_corpus_on_every_side(corpora: dict[str, Path]) -> None:
    corpus = load_corpora(list(corpora.values()))
    splits = split_corpus(corpus, duplicate_groups(corpus), validation_size=0.1, test_size=0.2)
    for name, rows in corpus.groupby("corpus"):
        test_share = (splits.test["corpus"] == name).sum() / len(rows)
        assert 0.15 <= test_share <= 0.25, (name, test_share)
    only_validation = split_corpus(corpus, validation_size=0.2, test_size=0.0)
    assert only_validation.test.empty and len(only_validation.validation) > 0


def test_train_on_two_corpora_records_them(corpora: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "model"
    args = ["train", "--model", "tfidf_logreg", "--out", str(out)]
    assert main([*args, "--data", str(corpora["wire"]), "--data", str(corpora["blogs"])]) == 0
    metrics = json.loads((out / "manifest.json").read_text())["metrics"]
    assert metrics["data"]["files"] == ["wire.csv.gz", "blogs.csv.gz"]
    assert set(metrics["data"]["corpora"]) == {"wire", "blogs"}
    assert all(counts["test"] > 0 for counts in metrics["data"]["corpora"].values())
    assert set(metrics["test_by_corpus"]) == {"wire", "blogs"}


def test_train_says_when_a_small_corpus_is_outvoted(
    corpora: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reviews = tmp_path / "reviews.csv"
    synthetic_corpus(16, seed=9).to_csv(reviews, index=False)
    args = ["train", "--model", "tfidf_logreg", "--out", str(tmp_path / "model")]
    assert main([*args, "--data", str(corpora["wire"]), "--data", str(reviews)]) == 0
    err = capsys.readouterr().err
    assert "reviews is 9.1% of the articles: the other corpora outvote" in err
    assert "wire is" not in err


def test_leave_one_out_scores_each_corpus_with_a_model_that_never_saw_it(
    corpora: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "loo"
    args = ["evaluate", "--leave-one-out", "--model", "tfidf_logreg", "--out", str(out)]
    for path in corpora.values():
        args += ["--data", str(path)]
    assert main(args) == 0
    assert "| left out |" in capsys.readouterr().out
    scores = {row["corpus"]: row for row in json.loads((out / "leave_one_out.json").read_text())}
    assert set(scores) == {"wire", "blogs", "upside"}
    assert scores["upside"]["trained_on"] == ["blogs", "wire"]
    # Trained on the other two, the model reads "upside"'s labels backwards; had it seen them,
    # it would not.
    assert scores["upside"]["roc_auc"] < 0.3
    for row in scores.values():
        assert 0 <= row["real_flagged_fake"] <= 1 and 0 <= row["uncertain"] <= 1
        assert 0 <= row["out_of_distribution"] <= 1
    report = (out / "REPORT.md").read_text()
    assert report.count("\n| upside |") == 1


def test_leave_one_out_of_a_model_folder_and_one_corpus(
    corpora: dict[str, Path], tmp_path: Path
) -> None:
    folder = tmp_path / "model"
    train = ["train", "--model", "tfidf_logreg", "--out", str(folder), "--param", "C=1.0"]
    assert main([*train, "--data", str(corpora["wire"])]) == 0
    args = ["evaluate", "--leave-one-out", "--model", str(folder), "--held-out", "blogs"]
    args += ["--data", str(corpora["wire"]), "--data", str(corpora["blogs"])]
    assert main(args) == 0
    rows = json.loads((folder / "evaluation-leave-one-out" / "leave_one_out.json").read_text())
    assert [row["corpus"] for row in rows] == ["blogs"]
    # Trained on "wire" alone, whose cues "blogs" shares.
    assert rows[0]["trained_on"] == ["wire"] and rows[0]["roc_auc"] > 0.8


def test_labelled_rows_of_the_left_out_corpus_teach_its_labels(
    corpora: dict[str, Path], tmp_path: Path
) -> None:
    base = ["evaluate", "--leave-one-out", "--model", "tfidf_logreg", "--held-out", "upside"]
    base += [arg for path in corpora.values() for arg in ("--data", str(path))]
    scores = {}
    for name, extra in {
        "mixed": ["--labelled", "50"],
        "only": ["--labelled", "50", "--labelled-only", "--validation-size", "0.3"],
    }.items():
        out = tmp_path / name
        assert main([*base, *extra, "--out", str(out)]) == 0
        [scores[name]] = json.loads((out / "leave_one_out.json").read_text())
        assert f"{scores[name]['labelled_rows']} |" in (out / "REPORT.md").read_text()
    for row in scores.values():
        # Whole duplicate groups, about the number asked for; they are not scored.
        assert 40 <= row["labelled_rows"] <= 60
        assert row["articles"] + row["labelled_rows"] == 120
    assert scores["mixed"]["trained_on"] == ["blogs", "upside", "wire"]
    assert scores["only"]["trained_on"] == ["upside"]
    assert scores["only"]["train_rows"] < row["labelled_rows"]  # its validation rows aside
    # Its own labels, alone, teach "upside" what the other corpora got backwards (AUC < 0.3);
    # mixed with their 280, its 50 are outvoted.
    assert scores["only"]["roc_auc"] > 0.7 > scores["mixed"]["roc_auc"]


def test_labelled_by_source_scores_only_sources_nobody_labelled(
    corpora: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sites = synthetic_corpus(160, seed=4).assign(source=[f"site{i % 10}" for i in range(160)])
    labelled, scored = labelled_part(
        sites.assign(corpus="sites"), "sites", 50, seed=42, by_source=True
    )
    assert set(labelled["source"]).isdisjoint(scored["source"])
    assert len(labelled) + len(scored) == 160 and 32 <= len(labelled) <= 64  # 16 per site
    path = tmp_path / "sites.csv.gz"
    sites.to_csv(path, index=False)
    args = ["evaluate", "--leave-one-out", "--model", "tfidf_logreg", "--held-out", "sites"]
    args += ["--labelled", "50", "--labelled-by", "source", "--out", str(tmp_path / "loo")]
    assert main([*args, "--data", str(path), "--data", str(corpora["wire"])]) == 0
    [row] = json.loads((tmp_path / "loo" / "leave_one_out.json").read_text())
    assert row["articles"] + row["labelled_rows"] == 160
    assert "scored on its other sources" in (tmp_path / "loo" / "REPORT.md").read_text()
    # A corpus without sources cannot be carved by them: one line says so.
    args[args.index("sites")] = "wire"
    assert main([*args, "--data", str(path), "--data", str(corpora["wire"])]) != 0
    assert "wire has no source column" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--model", "nonsense"], "neither a model folder nor a model kind"),
        (["--model", "tfidf_logreg", "--held-out", "nope"], "no corpus named nope"),
        (["--model", "tfidf_logreg", "--cv", "3"], "do not go with --leave-one-out"),
        (["--model", "tfidf_logreg", "--labelled", "100"], "too few of the 160 articles of blogs"),
        (["--model", "tfidf_logreg", "--labelled-only"], "needs --labelled N"),
        (["--model", "tfidf_logreg", "--labelled", "-5"], "0 or more"),
    ],
)
def test_leave_one_out_errors_are_one_line(
    corpora: dict[str, Path], argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["evaluate", "--leave-one-out", *argv]
    args += ["--data", str(corpora["wire"]), "--data", str(corpora["blogs"])]
    assert main(args) != 0
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("fakewatch: error:") and message in error


def test_labelled_goes_with_leave_one_out(
    corpora: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["evaluate", "--model", "tfidf_logreg", "--labelled", "10"]
    assert main([*args, "--data", str(corpora["wire"])]) != 0
    assert "--labelled go with --leave-one-out" in capsys.readouterr().err


def test_leave_one_out_needs_two_corpora(
    corpora: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["evaluate", "--leave-one-out", "--model", "tfidf_logreg"]
    assert main([*args, "--data", str(corpora["wire"])]) != 0
    assert "at least two corpora" in capsys.readouterr().err
