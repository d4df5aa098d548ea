"""`fakewatch review`: labels by id and from a piped walk, kept with their history on SQLite and
PostgreSQL, exported as a corpus that the real `fakewatch train` learns from."""

from __future__ import annotations

import csv
import getpass
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from db.engine import make_engine
from db.migrate import upgrade
from db.models import Article, Prediction, Source
from db.reviews import review_history
from fakewatch.cli import main
from tests.corpora import synthetic_corpus

REPO_ROOT = Path(__file__).resolve().parents[1]
FAST = ["--param", "n_estimators=30", "--param", "n_jobs=1", "--preset", "study"]


def store_articles(engine: Engine, rows: list[tuple[str, str, str, float]]) -> list[int]:
    """Store (title, text, verdict, probability) articles of source `wire`, fetched a minute
    apart before now (the first newest), each with a prediction; returns their ids."""
    now = datetime.now(UTC)
    ids = []
    with Session(engine) as session, session.begin():
        source = Source(name="wire", kind="feed")
        for number, (title, body, verdict, probability) in enumerate(rows):
            article = Article(
                url=f"https://wire.example/{number}", source=source, title=title, text=body,
                fetched_at=now - timedelta(minutes=number + 1), language="en",
            )  # fmt: skip
            session.add(article)
            session.flush()
            ids.append(article.id)
            session.add(Prediction(
                article_id=article.id, model_name="default", model_version="v1",
                probability_fake=probability, verdict=verdict, threshold=0.7,
                created_at=now - timedelta(minutes=number), shift_score=0.2,
                explanation=[["hoax", 0.5], ["officials", -0.25]],
            ))  # fmt: skip
    return ids


FEW = [
    ("Secret cure banned", "Insiders say a miracle cure was banned.", "fake", 0.93),
    ("Budget agreed", "Officials announced the budget, according to a statement.", "uncertain",
     0.55),
    ("Mayor re-elected", "The mayor won with 60 percent, officials said.", "real", 0.12),
]  # fmt: skip


@pytest.fixture
def store(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    engine = make_engine(database_url)
    upgrade(engine)
    ids = store_articles(engine, FEW)
    monkeypatch.setenv("FAKEWATCH_DATABASE_URL", database_url)
    monkeypatch.delenv("FAKEWATCH_CONFIG", raising=False)
    yield engine, ids
    engine.dispose()


def walk(database_url: str, keys: str, *options: str) -> subprocess.CompletedProcess[str]:
    """`fakewatch review` in its own process, reading `keys` from a pipe."""
    env = {**os.environ, "FAKEWATCH_DATABASE_URL": database_url, "PYTHONPATH": str(REPO_ROOT)}
    env.pop("FAKEWATCH_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "fakewatch", "review", *options],
        input=keys, capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_a_later_review_replaces_the_label_and_keeps_the_first(
    store: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    engine, (cure, budget, mayor) = store
    assert main(["review", str(cure), "--label", "real", "--reviewer", "ann"]) == 0
    assert "reviewed as real; the model said fake" in capsys.readouterr().out
    assert (
        main(["review", str(cure), "--label", "fake", "--note", "made up", "--reviewer", "bob"])
        == 0
    )
    capsys.readouterr()
    with Session(engine) as session:
        history = review_history(session, cure)
        assert [(r.label, r.reviewer, r.note) for r in history] == [
            ("real", "ann", None), ("fake", "bob", "made up"),
        ]  # fmt: skip
        assert (history[0].verdict, history[0].probability_fake) == ("fake", 0.93)
        assert history[0].reviewed_at <= history[1].reviewed_at
        view = session.execute(text(
            "SELECT article_id, reviewed_label, reviewer FROM results WHERE reviewed_label "
            "IS NOT NULL"
        )).all()  # fmt: skip
    assert [tuple(row) for row in view] == [(cure, "fake", "bob")]
    assert (
        main(["query", "--format", "json", "--columns", "article_id,reviewed_label,reviewer"]) == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert {r["article_id"]: r["reviewed_label"] for r in rows} == {
        cure: "fake", budget: None, mayor: None,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["review", "999", "--label", "fake"], "no article with id 999"),
        (["review", "1", "--label", "maybe"], "--label 'maybe' is not one of: fake, real"),
        (["review", "1"], "give --label fake or --label real"),
        (["review", "one", "--label", "fake"], "is not a number"),
        (["review", "--label", "fake"], "need an ARTICLE_ID"),
        (["review", "1", "--export", "x.csv"], "give no ARTICLE_ID"),
        (["review", "--since", "soon"], "--since"),
    ],
)
def test_bad_reviews_are_one_line_errors(
    store: Any, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1, err


def test_the_walk_reads_keys_from_a_pipe(store: Any, database_url: str) -> None:
    engine, (cure, budget, mayor) = store
    # The cure (fake) and the budget (uncertain) are walked, newest first; the mayor (real) is
    # not. A key it does not know is asked again.
    done = walk(database_url, "x\nr it is satire\nf\n", "--reviewer", "carol")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert (
        "[1/2] article" in out
        and "Secret cure banned" in out
        and "verdict fake, P(fake) 0.930" in out
    )
    assert "why: hoax +0.50, officials -0.25" in out
    assert "'x' is not a key" in out and "[2/2]" in out and "Mayor" not in out
    assert "2 reviewed (1 fake, 1 real), 0 skipped" in out
    with Session(engine) as session:
        assert [(r.label, r.note, r.reviewer) for r in review_history(session, cure)] == [
            ("real", "it is satire", "carol")
        ]
        assert [r.label for r in review_history(session, budget)] == ["fake"]
        assert review_history(session, mayor) == []
    # Reviewed articles are not walked again; the end of the input ends the walk.
    again = walk(database_url, "", "--verdict", "fake,uncertain,real")
    assert again.returncode == 0 and "[1/1]" in again.stdout and "Mayor" in again.stdout
    assert "0 reviewed (0 fake, 0 real), 0 skipped" in again.stdout
    quit_early = walk(database_url, "s\n", "--verdict", "real")
    assert "0 reviewed (0 fake, 0 real), 1 skipped" in quit_early.stdout
    nothing = walk(database_url, "", "--source", "wire", "--since", "1m")
    assert nothing.returncode == 0 and "nothing to review" in nothing.stdout


def test_export_writes_the_current_labels(
    store: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, (cure, budget, _) = store
    main(["review", str(cure), "--label", "real", "--reviewer", "ann"])
    main(
        [
            "review",
            str(cure),
            "--label",
            "fake",
            "--reviewer",
            "bob",
            "--note",
            'a "quote", made up',
        ]
    )
    main(["review", str(budget), "--label", "real"])
    capsys.readouterr()
    out = tmp_path / "reviews.csv"
    assert main(["review", "--export", str(out)]) == 0
    assert "2 reviewed articles (1 fake, 1 real) written" in capsys.readouterr().out
    with out.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["id"], r["title"], r["label"], r["reviewer"], r["source"]) for r in rows] == [
        (str(cure), "Secret cure banned", "1", "bob", "wire"),
        (str(budget), "Budget agreed", "0", getpass.getuser(), "wire"),
    ]  # fmt: skip
    assert rows[0]["note"] == 'a "quote", made up' and rows[0]["model_verdict"] == "fake"
    assert not list(tmp_path.glob("*.partial"))
    assert main(["review", "--export", str(tmp_path / "missing" / "x.csv")]) == 2
    assert "cannot write" in capsys.readouterr().err


@pytest.mark.slow
def test_review_export_and_retrain(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """Store scored articles, review them (by id and by a piped walk), export, and train a
    model with the real `fakewatch train` on the export and a small fixture corpus."""
    corpus = synthetic_corpus(80, seed=7)
    engine = make_engine(sqlite_url)
    upgrade(engine)
    rows = [
        (r.title, r.text, "fake" if i % 3 else "uncertain", 0.8)
        for i, r in enumerate(corpus.itertuples())
    ]
    ids = store_articles(engine, rows)
    engine.dispose()
    monkeypatch.setenv("FAKEWATCH_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("FAKEWATCH_CONFIG", raising=False)
    labels = ["fake" if label else "real" for label in corpus["label"]]
    for article_id, label in zip(ids[:10], labels[:10], strict=True):  # by id
        assert main(["review", str(article_id), "--label", label, "--reviewer", "ann"]) == 0
    # The walk shows the other 70, newest first: the order they were stored in.
    keys = "".join(f"{label[0]}\n" for label in labels[10:])
    done = walk(sqlite_url, keys, "--limit", "0", "--reviewer", "bob")
    assert done.returncode == 0 and "70 reviewed" in done.stdout, done.stdout[-500:] + done.stderr
    export = tmp_path / "reviews.csv"
    assert main(["review", "--export", str(export)]) == 0
    exported = list(csv.DictReader(export.open(encoding="utf-8")))
    assert len(exported) == 80
    assert [int(r["label"]) for r in sorted(exported, key=lambda r: int(r["id"]))] == list(
        corpus["label"]
    )
    fixture = tmp_path / "fixture.csv"
    synthetic_corpus(120, seed=8).to_csv(fixture, index=False)
    model = tmp_path / "model"
    capsys.readouterr()
    code = main(
        ["train", "--data", str(export), "--data", str(fixture), "--out", str(model), *FAST]
    )
    assert code == 0, capsys.readouterr().err
    manifest = json.loads((model / "manifest.json").read_text())
    data = manifest["metrics"]["data"]
    assert data["files"] == ["reviews.csv", "fixture.csv"]
    assert set(data["corpora"]) == {"reviews", "fixture"}
    assert manifest["metrics"]["test"]["accuracy"] > 0.6
