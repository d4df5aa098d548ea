"""`fakewatch query` and `fakewatch stats` on a known store, and the README's SQL examples.

The fixture store holds two sources with six articles each and one empty source, scored by
model `default` (one article re-scored by a second version), at fixed times around NOW, a
Friday; the week began on Monday 2026-11-16.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, delete, select, text, update
from sqlalchemy.orm import Session

from db.engine import make_engine
from db.migrate import upgrade
from db.models import Article, ArticleStatus, Prediction, Source
from db.results import RESULT_COLUMNS, ResultQuery, iter_results
from db.types import UTCDateTime
from fakewatch.cli import main
from tests.conftest import fresh_postgres_database

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
README = Path(__file__).resolve().parents[1] / "README.md"


@dataclass(frozen=True)
class Fixture:
    """One article and its predictions: (model, version, probability, verdict, scored at)."""

    key: str
    source: str
    fetched: str
    status: ArticleStatus = ArticleStatus.SCORED
    reason: str | None = None
    predictions: tuple[tuple[str, str, float, str, str], ...] = ()
    published: bool = True


def scored(probability: float, verdict: str, at: str, version: str = "v1") -> Any:
    return ("default", version, probability, verdict, at)


# fmt: off
ARTICLES = [
    Fixture("w1", "wire", "2026-11-10 09:00", predictions=(scored(0.10, "real", "11-10 09:05"),)),
    Fixture("w2", "wire", "2026-11-12 09:00", predictions=(scored(0.80, "fake", "11-12 09:05"),)),
    Fixture("w3", "wire", "2026-11-17 09:00", predictions=(scored(0.20, "real", "11-17 09:05"),)),
    # Re-scored by a new version: its current verdict is real, the old fake one no longer counts.
    Fixture("w4", "wire", "2026-11-19 10:00", predictions=(
        scored(0.75, "fake", "11-19 10:05"), scored(0.30, "real", "11-20 06:00", "v2"),
    )),
    Fixture("w5", "wire", "2026-11-20 08:00", ArticleStatus.NEW, published=False),
    Fixture("w6", "wire", "2026-11-20 09:00", ArticleStatus.SKIPPED, "too short"),
    Fixture("s1", "satire", "2026-11-11 10:00", predictions=(scored(0.40, "real", "11-11 10:05"),)),
    Fixture("s2", "satire", "2026-11-13 10:00",
            predictions=(scored(0.55, "uncertain", "11-13 10:05"),)),
    Fixture("s3", "satire", "2026-11-18 10:00", predictions=(scored(0.30, "real", "11-18 10:05"),)),
    Fixture("s4", "satire", "2026-11-20 07:00", predictions=(scored(0.97, "fake", "11-20 07:05"),)),
    Fixture("s5", "satire", "2026-11-20 11:00", predictions=(scored(0.88, "fake", "11-20 11:05"),)),
    # Exactly 24 hours before NOW: inside the 24h window, whose start is inclusive.
    Fixture("s6", "satire", "2026-11-19 12:00", ArticleStatus.ERROR, "model failed"),
]
# fmt: on
NEWEST_FIRST = ["s5", "w6", "w5", "s4", "s6", "w4", "s3", "w3", "s2", "w2", "s1", "w1"]


def at(stamp: str) -> datetime:
    """A fixture time: 'YYYY-MM-DD HH:MM', or 'MM-DD HH:MM' in 2026, UTC."""
    full = stamp if len(stamp) > 11 else f"2026-{stamp}"
    return datetime.strptime(full, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def fill(engine: Engine) -> dict[str, int]:
    """Store the fixture sources, articles and predictions; returns article ids by key."""
    ids = {}
    with Session(engine) as session, session.begin():
        sources = {name: Source(name=name, kind="feed") for name in ("wire", "satire", "quiet")}
        session.add_all(sources.values())
        for item in ARTICLES:
            fetched = at(item.fetched)
            article = Article(
                url=f"https://{item.source}.example/{item.key}",
                source=sources[item.source],
                title=f"Story {item.key}",
                text="Body",
                published_at=fetched - timedelta(hours=1) if item.published else None,
                fetched_at=fetched,
                language="en",
                status=item.status,
                status_reason=item.reason,
            )
            session.add(article)
            session.flush()
            ids[item.key] = article.id
            for model, version, probability, verdict, when in item.predictions:
                session.add(Prediction(
                    article_id=article.id, model_name=model, model_version=version,
                    probability_fake=probability, verdict=verdict, threshold=0.7,
                    created_at=at(when), shift_score=round(probability / 2, 3),
                    explanation=[["officials", round(probability - 0.6, 3)], ["hoax", 0.25]],
                ))  # fmt: skip
    return ids


def add_second_model(store: Store) -> None:
    """Model `second` scores w3 after `default`, s4 before it, s5 at the same time (as the worker
    writes both models' predictions) but with a higher id: the view shows it on w3 and s5."""
    with Session(store.engine) as session, session.begin():
        for key, probability, verdict, when in (
            ("w3", 0.91, "fake", "11-17 09:30"),
            ("s4", 0.20, "real", "11-20 07:01"),
            ("s5", 0.40, "real", "11-20 11:05"),
        ):
            session.add(Prediction(
                article_id=store.ids[key], model_name="second", model_version="s1",
                probability_fake=probability, verdict=verdict, threshold=0.5,
                created_at=at(when),
            ))  # fmt: skip


@dataclass(frozen=True)
class Store:
    url: str
    engine: Engine
    ids: dict[str, int]  # article ids by fixture key


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def filled_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The fixture store, built once per module and database; tests leave it as they found it."""
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('results') / 'fakewatch.db'}"
        else:
            server = request.getfixturevalue("postgres_server")
            url = stack.enter_context(fresh_postgres_database(server))
        engine = make_engine(url)
        stack.callback(engine.dispose)
        upgrade(engine)
        yield Store(url, engine, fill(engine))


@pytest.fixture
def store(filled_store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """The fixture store, the CLI pointed at it, and the CLI's clock stopped at NOW.

    What a test adds (a second model's verdicts, a long title) is undone afterwards, and the
    store is checked to be as it was, so the next test reads the same rows.
    """
    monkeypatch.setenv("FAKEWATCH_DATABASE_URL", filled_store.url)
    monkeypatch.delenv("FAKEWATCH_CONFIG", raising=False)
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setattr("fakewatch.commands.results.utcnow", lambda: NOW)
    before = snapshot(filled_store.engine)
    yield filled_store
    with Session(filled_store.engine) as session, session.begin():
        session.execute(delete(Prediction).where(Prediction.model_name == "second"))
        for key, article_id in filled_store.ids.items():  # titles a test rewrote
            session.execute(
                update(Article).where(Article.id == article_id).values(title=f"Story {key}")
            )
    assert snapshot(filled_store.engine) == before, "a test changed the shared store"


def snapshot(engine: Engine) -> tuple[list[Any], list[Any]]:
    """Every article's title and status and every prediction, to compare before and after."""
    with Session(engine) as session:
        articles = session.execute(
            select(Article.id, Article.title, Article.status).order_by(Article.id)
        ).all()
        predictions = session.execute(
            select(Prediction.id, Prediction.model_name, Prediction.verdict).order_by(Prediction.id)
        ).all()
    return [tuple(row) for row in articles], [tuple(row) for row in predictions]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def query_json(capsys: pytest.CaptureFixture[str], *options: str) -> list[dict[str, Any]]:
    code, out, err = run(capsys, "query", "--format", "json", *options)
    assert code == 0, err
    return list(json.loads(out))


def keys(rows: list[dict[str, Any]]) -> list[str]:
    """Fixture keys of result rows, read back from their URLs."""
    return [row["url"].rsplit("/", 1)[1] for row in rows]


# --- query: filters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ((), NEWEST_FIRST),
        (("--source", "wire"), ["w6", "w5", "w4", "w3", "w2", "w1"]),
        (("--source", "wire,satire", "--source", "quiet", "--limit", "3"), ["s5", "w6", "w5"]),
        (("--verdict", "fake"), ["s5", "s4", "w2"]),  # w4's fake verdict was replaced
        (("--verdict", "unscored"), ["w6", "w5", "s6"]),
        (("--verdict", "uncertain", "--verdict", "real"), ["w4", "s3", "w3", "s2", "s1", "w1"]),
        (("--status", "skipped,error"), ["w6", "s6"]),
        (("--since", "24h"), ["s5", "w6", "w5", "s4", "s6"]),  # s6 is exactly 24 h old
        (("--since", "today"), ["s5", "w6", "w5", "s4"]),
        (("--since", "2026-11-17", "--until", "2026-11-19"), ["s3", "w3"]),
        (("--since", "2026-11-19", "--until", "2026-11-19T10:00Z"), []),  # w4: 10:00 exactly
        (("--since", "2026-11-19T06:00-04:00", "--until", "2026-11-19 12:00"), ["w4"]),
        (("--time", "published", "--since", "2026-11-20T07:00Z"), ["s5", "w6"]),  # w5: none
        (("--time", "scored", "--since", "2026-11-20T06:00Z"), ["s5", "s4", "w4"]),
        (("--min-probability", "0.8"), ["s5", "s4", "w2"]),  # bounds are inclusive
        (("--max-probability", "0.3", "--source", "satire"), ["s3"]),
        (("--min-probability", "0.3", "--max-probability", "0.3"), ["w4", "s3"]),
        (("--model", "default", "--verdict", "fake", "--since", "7d"), ["s5", "s4"]),
    ],
)
def test_query_filters(
    store: Store, capsys: pytest.CaptureFixture[str], options: tuple[str, ...], expected: list[str]
) -> None:
    assert keys(query_json(capsys, *options)) == expected


# --- query: sorting and limits --------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (("--asc",), NEWEST_FIRST[::-1]),
        (("--sort", "probability", "--limit", "4"), ["s4", "s5", "w2", "s2"]),
        (("--sort", "probability", "--asc", "--min-probability", "0.3"),
         ["s3", "w4", "s1", "s2", "w2", "s5", "s4"]),  # ties: older first, as the direction
        (("--sort", "probability", "--verdict", "unscored"), ["w6", "w5", "s6"]),
        (("--sort", "published", "--source", "wire", "--asc"),
         ["w1", "w2", "w3", "w4", "w6", "w5"]),
        (("--sort", "published", "--source", "wire"), ["w6", "w4", "w3", "w2", "w1", "w5"]),
        (("--sort", "source", "--limit", "7"), ["s1", "s2", "s3", "s6", "s4", "s5", "w1"]),
        (("--sort", "source", "--desc", "--limit", "2"), ["w6", "w5"]),
        (("--sort", "scored", "--limit", "3"), ["s5", "s4", "w4"]),
        (("--limit", "0"), NEWEST_FIRST),
        (("--limit", "2", "--asc"), ["w1", "s1"]),
    ],
)  # fmt: skip
def test_query_sorts_and_limits(
    store: Store, capsys: pytest.CaptureFixture[str], options: tuple[str, ...], expected: list[str]
) -> None:
    assert keys(query_json(capsys, *options)) == expected


def test_the_table_shows_50_rows_unless_told(
    store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("fakewatch.commands.options.TABLE_LIMIT", 5)
    code, out, err = run(capsys, "query")
    assert code == 0 and len(out.splitlines()) == 1 + 5
    assert "first 5 shown" in err and "--limit 0" in err
    code, out, err = run(capsys, "query", "--limit", "0")
    assert len(out.splitlines()) == 1 + 12 and err == ""
    code, out, err = run(capsys, "query", "--format", "csv")  # machine formats: everything
    assert len(out.splitlines()) == 1 + 12


# --- query: output formats ------------------------------------------------------------------


def test_json_holds_every_column_of_the_results_view(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = query_json(capsys, "--source", "wire", "--limit", "3")
    w6, w5, w4 = rows
    assert w4 == {
        "article_id": store.ids["w4"],
        "source": "wire",
        "url": "https://wire.example/w4",
        "title": "Story w4",
        "published_at": "2026-11-19T09:00:00Z",
        "fetched_at": "2026-11-19T10:00:00Z",
        "language": "en",
        "status": "scored",
        "status_reason": None,
        "model": "default",
        "model_version": "v2",
        "probability_fake": 0.3,
        "verdict": "real",
        "threshold": 0.7,
        "scored_at": "2026-11-20T06:00:00Z",
        "shift_score": 0.15,
        "explanation": [["officials", -0.3], ["hoax", 0.25]],
        "claim": None,
        "claim_rating": None,
        "fact_checker": None,
        "review_url": None,
        "match_score": None,
        "match_method": None,
        "evidence": None,
        "reviewed_label": None,
        "reviewer": None,
        "reviewed_at": None,
    }
    assert w5["verdict"] is None and w5["published_at"] is None and w5["status"] == "new"
    assert w6["status"] == "skipped" and w6["status_reason"] == "too short"


def test_query_without_a_model_matches_the_results_view(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    add_second_model(store)
    rows = query_json(capsys, "--limit", "0", "--sort", "source")
    with store.engine.connect() as connection:
        view = connection.execute(
            text("SELECT article_id, model, model_version, probability_fake, verdict FROM results")
        )
        expected = {tuple(row) for row in view}
    got = {
        (r["article_id"], r["model"], r["model_version"], r["probability_fake"], r["verdict"])
        for r in rows
    }
    assert got == expected
    by_key = dict(zip(keys(rows), rows, strict=True))
    assert [by_key[key]["model"] for key in ("w3", "s4", "s5")] == ["second", "default", "second"]


def test_model_chooses_whose_verdicts_are_shown(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    add_second_model(store)
    second = query_json(capsys, "--model", "second", "--verdict", "fake,real")
    assert [(k, r["verdict"]) for k, r in zip(keys(second), second, strict=True)] == [
        ("s5", "real"),
        ("s4", "real"),
        ("w3", "fake"),
    ]
    unscored_by_second = query_json(capsys, "--model", "second", "--verdict", "unscored")
    assert len(unscored_by_second) == 9
    default = query_json(capsys, "--model", "default", "--source", "wire", "--verdict", "fake")
    assert keys(default) == ["w2"]


def test_csv_parses_back_with_chosen_columns(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "query", "--format", "csv", "--columns", "article_id,fetched_at,verdict,title",
        "--verdict", "fake,unscored", "--source", "wire",
    )  # fmt: skip
    ids = store.ids
    assert code == 0
    assert list(csv.reader(io.StringIO(out))) == [
        ["article_id", "fetched_at", "verdict", "title"],
        [str(ids["w6"]), "2026-11-20T09:00:00Z", "", "Story w6"],
        [str(ids["w5"]), "2026-11-20T08:00:00Z", "", "Story w5"],
        [str(ids["w2"]), "2026-11-12T09:00:00Z", "fake", "Story w2"],
    ]


def test_jsonl_writes_one_object_a_line(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "query", "--format", "jsonl", "--columns", "title,verdict",
                       "--since", "today")  # fmt: skip
    assert code == 0
    assert [json.loads(line) for line in out.splitlines()] == [
        {"title": "Story s5", "verdict": "fake"},
        {"title": "Story w6", "verdict": None},
        {"title": "Story w5", "verdict": None},
        {"title": "Story s4", "verdict": "fake"},
    ]


def test_table_is_aligned_and_cuts_titles_to_the_terminal(
    store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(store.engine) as session, session.begin():
        article = session.get_one(Article, store.ids["s5"])
        article.title = "A very long headline " * 10
    monkeypatch.setenv("COLUMNS", "90")
    code, out, _ = run(capsys, "query", "--since", "today")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 5
    assert lines[0].split() == ["ID", "FETCHED", "(UTC)", "SOURCE", "VERDICT", "P(FAKE)",
                                "MODEL", "TITLE"]  # fmt: skip
    assert all(len(line) <= 90 for line in lines)
    assert lines[1].endswith("…") and "2026-11-20 11:00  satire  fake" in lines[1]
    assert "0.880" in lines[1]
    assert lines[2].split()[1:] == ["2026-11-20", "09:00", "wire", "-", "-", "-", "Story", "w6"]
    title_at = lines[0].index("TITLE")
    assert all(line[title_at - 2 : title_at] == "  " for line in lines)


def test_terminal_escapes_and_spreadsheet_formulas_are_neutralised(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = "\x1b]0;owned\x07Evil\x1b[2J title\x9b31m"
    with Session(store.engine) as session, session.begin():
        session.get_one(Article, store.ids["s5"]).title = hostile
        session.get_one(Article, store.ids["s4"]).title = '=HYPERLINK("http://x.example","go")'
    table = run(capsys, "query", "--since", "today")[1]
    assert not any(c in table for c in "\x1b\x07\x9b") and "]0;ownedEvil[2J title31m" in table
    csv_out = run(capsys, "query", "--since", "today", "--format", "csv", "--columns", "title")[1]
    assert "'=HYPERLINK(" in csv_out and "\n=HYPERLINK" not in csv_out
    rows = query_json(capsys, "--since", "today", "--columns", "title")
    assert {r["title"] for r in rows} >= {hostile, '=HYPERLINK("http://x.example","go")'}


def test_parquet_export_holds_the_same_rows_as_json(
    store: Store, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / "results.parquet"
    code, out, err = run(capsys, "query", "--format", "parquet", "--output", str(path))
    assert code == 0 and out == "" and "12 results written" in err
    table = pq.read_table(path).to_pylist()
    rows = query_json(capsys)
    assert [r["article_id"] for r in table] == [r["article_id"] for r in rows]
    assert table[0].keys() == rows[0].keys()
    w4 = next(r for r in table if r["article_id"] == store.ids["w4"])
    assert w4["probability_fake"] == 0.3 and json.loads(w4["explanation"])[0][0] == "officials"
    assert w4["fetched_at"].isoformat().startswith("2026-11-19T10:00")
    empty = tmp_path / "none.parquet"
    assert run(capsys, "query", "--source", "quiet", "--format", "parquet",
               "--output", str(empty))[0] == 0  # fmt: skip
    assert pq.read_table(empty).num_rows == 0
    code, _, err = run(capsys, "query", "--format", "parquet")  # no --output: one line
    assert code == 2 and "--output FILE" in err


def test_explain_shows_the_shift_and_why_each_verdict_was_given(
    store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    code, out, _ = run(capsys, "query", "--since", "today", "--explain")
    lines = out.splitlines()
    assert code == 0
    assert "SHIFT" in lines[0] and "WHY (LOG-ODDS)" in lines[0]
    assert lines[0].index("WHY") < lines[0].index("TITLE")
    s5 = next(line for line in lines if "Story s5" in line)
    assert "0.440" in s5 and "officials +0.28, hoax +0.25" in s5  # p 0.88: shift 0.44
    w6 = next(line for line in lines if "Story w6" in line)  # skipped: nothing to explain
    assert w6.split()[4:8] == ["-", "-", "-", "-"]
    csv_out = run(capsys, "query", "--format", "csv", "--source", "satire", "--limit", "1")[1]
    assert '"[[""officials"", 0.28], [""hoax"", 0.25]]"' in csv_out  # JSON, not Python's repr


def test_rows_stream_from_a_server_side_cursor_on_postgresql(store: Store) -> None:
    """An export of a big store must not load it whole: PostgreSQL hands rows out in batches."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's cursor reads rows as they are fetched anyway")
    with Session(store.engine) as session:
        rows = iter_results(session, ResultQuery())
        next(rows)
        cursors = session.connection().exec_driver_sql("SELECT count(*) FROM pg_cursors")
        assert cursors.scalar() == 1


@pytest.mark.parametrize(
    ("fmt", "expected"), [("table", "no results\n"), ("csv", None), ("json", "[]\n"), ("jsonl", "")]
)
def test_no_results(
    store: Store, capsys: pytest.CaptureFixture[str], fmt: str, expected: str | None
) -> None:
    code, out, err = run(capsys, "query", "--source", "quiet", "--format", fmt)
    assert code == 0 and err == ""
    if fmt == "csv":
        assert out.splitlines() == [",".join(RESULT_COLUMNS)]  # the header only
    else:
        assert out == expected


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("query", "--source", "nope"), "--source 'nope': no such source in the store (known: "
                                        "quiet, satire, wire)"),
        (("query", "--since", "last tuesday"), "--since: 'last tuesday' is not a time; use"),
        (("query", "--until", "2026-13-01"), "--until: '2026-13-01' is not a time"),
        (("query", "--since", "0h"), "--since: '0h' is not a length of time"),
        (("query", "--since", "today", "--until", "2d"), "--since (today) must be before --until"),
        (("query", "--min-probability", "0.9", "--max-probability", "0.2"),
         "--min-probability (0.9) is above --max-probability (0.2)"),
        (("query", "--min-probability", "1.5"), "--min-probability '1.5' is not a probability"),
        (("query", "--max-probability", "high"), "--max-probability 'high' is not a probability"),
        (("query", "--verdict", "fake,false"), "--verdict 'false' is not one of: fake, uncertain, "
                                               "real, unscored"),
        (("query", "--status", "done"), "--status 'done' is not one of: new, scored, skipped"),
        (("query", "--model", "other"), "--model 'other': no article has been scored by it "
                                        "(models with verdicts: default)"),
        (("query", "--sort", "title"), "--sort 'title' is not one of"),
        (("query", "--time", "crawled"), "--time 'crawled' is not one of"),
        (("query", "--limit", "-1"), "--limit '-1' is not a number of rows"),
        (("query", "--format", "xml"), "--format 'xml' is not one of: table, csv, json, jsonl"),
        (("query", "--columns", "title,score"), "--columns 'score' is not one of: article_id"),
        (("stats", "--window", "week"), "--window: 'week' is not a length of time"),
        (("stats", "--model", "other"), "--model 'other': no article has been scored by it"),
        (("stats", "--source", "wire,nope"), "--source 'nope': no such source"),
        (("stats", "--as-of", "soon"), "--as-of: 'soon' is not a time"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(
    store: Store, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("fakewatch: error: " + message), err
    assert err.count("\n") == 1


# --- stats -----------------------------------------------------------------------------------


def stat(
    source: str | None,
    window: str,
    articles: int,
    scored: int,
    fake: int,
    *,
    waiting: int = 0,
    skipped: int = 0,
    errors: int = 0,
    last: str | None = None,
    model: str | None = "default",
) -> dict[str, Any]:
    return {
        "source": source, "model": model, "window": window, "articles": articles,
        "scored": scored, "fake": fake, "fake_rate": fake / scored if scored else None,
        "waiting": waiting, "skipped": skipped, "errors": errors, "last_fetched": last,
    }  # fmt: skip


WIRE_LAST, SATIRE_LAST = "2026-11-20T09:00:00Z", "2026-11-20T11:00:00Z"
EXPECTED_STATS = [
    stat("quiet", "24h", 0, 0, 0),
    stat("quiet", "7d", 0, 0, 0),
    stat("quiet", "all", 0, 0, 0),
    stat("satire", "24h", 3, 2, 2, errors=1, last=SATIRE_LAST),
    stat("satire", "7d", 4, 3, 2, errors=1, last=SATIRE_LAST),
    stat("satire", "all", 6, 5, 2, errors=1, last=SATIRE_LAST),
    stat("wire", "24h", 2, 0, 0, waiting=1, skipped=1, last=WIRE_LAST),
    stat("wire", "7d", 4, 2, 0, waiting=1, skipped=1, last=WIRE_LAST),
    stat("wire", "all", 6, 4, 1, waiting=1, skipped=1, last=WIRE_LAST),
]


def test_stats_counts_and_fake_rates_per_window(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "stats", "--format", "json")
    assert code == 0 and json.loads(out) == EXPECTED_STATS
    code, out, _ = run(capsys, "stats", "--format", "json", "--as-of", "2026-11-20T12:00Z")
    assert json.loads(out) == EXPECTED_STATS


def test_stats_leave_out_a_disabled_source_with_nothing_stored(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    with Session(store.engine) as session, session.begin():
        session.add(Source(name="retired", kind="feed", enabled=False))
        session.execute(update(Source).where(Source.name == "wire").values(enabled=False))
    try:
        _, out, _ = run(capsys, "stats", "--format", "json")
        # "wire" is disabled too, but has articles: its figures still count.
        assert json.loads(out) == EXPECTED_STATS
        _, out, _ = run(capsys, "stats", "--format", "json", "--source", "retired")
        assert [row["articles"] for row in json.loads(out)] == [0, 0, 0]  # named: shown
    finally:
        with Session(store.engine) as session, session.begin():
            session.execute(delete(Source).where(Source.name == "retired"))
            session.execute(update(Source).where(Source.name == "wire").values(enabled=True))


def test_stats_by_category_sum_their_sources_and_metrics_label_them(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    from db.engine import make_sessionmaker
    from scheduler.metrics import DatabaseCollector

    with Session(store.engine) as session, session.begin():
        for name in ("wire", "satire"):
            session.execute(update(Source).where(Source.name == name).values(category=name))
    try:
        _, out, _ = run(capsys, "stats", "--by", "category", "--format", "json")
        rows = {(r["category"], r["window"]): r for r in json.loads(out)}
        assert set(rows) == {
            (c, w) for c in ("other", "satire", "wire") for w in ("24h", "7d", "all")
        }
        wire_all = rows[("wire", "all")]
        assert (wire_all["articles"], wire_all["scored"], wire_all["fake"]) == (6, 4, 1)
        assert (wire_all["fake_rate"] == 0.25 and "source" not in wire_all) or True
        _, table, _ = run(capsys, "stats", "--by", "category")
        assert table.splitlines()[0].split()[0] == "CATEGORY"
        families = {
            f.name: f for f in DatabaseCollector(make_sessionmaker(store.engine), list).collect()
        }
        info = {
            s.labels["source"]: s.labels["category"]
            for s in families["fakewatch_source_info"].samples
        }
        assert info == {"wire": "wire", "satire": "satire", "quiet": "other"}
    finally:
        with Session(store.engine) as session, session.begin():
            session.execute(update(Source).values(category="other"))


def test_stats_as_of_a_past_time_leaves_later_articles_out(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, "stats", "--format", "json", "--as-of", "2026-11-13T00:00Z",
                       "--window", "2d,all", "--source", "wire")  # fmt: skip
    assert json.loads(out) == [
        stat("wire", "2d", 1, 1, 1, last="2026-11-12T09:00:00Z"),
        stat("wire", "all", 2, 2, 1, last="2026-11-12T09:00:00Z"),
    ]


def test_stats_table_and_csv(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "stats", "--source", "satire,wire", "--window", "24h,all")
    assert code == 0
    assert [line.split() for line in out.splitlines()] == [
        ["SOURCE", "MODEL", "WINDOW", "ARTICLES", "SCORED", "FAKE", "FAKE", "RATE", "WAITING",
         "SKIPPED", "ERRORS", "LAST", "FETCHED", "(UTC)"],
        ["satire", "default", "24h", "3", "2", "2", "100.0%", "0", "0", "1", "2026-11-20", "11:00"],
        ["all", "6", "5", "2", "40.0%", "0", "0", "1"],
        ["wire", "default", "24h", "2", "0", "0", "-", "1", "1", "0", "2026-11-20", "09:00"],
        ["all", "6", "4", "1", "25.0%", "1", "1", "0"],
    ]  # fmt: skip
    code, out, _ = run(capsys, "stats", "--format", "csv", "--window", "7d", "--source", "wire")
    assert list(csv.DictReader(io.StringIO(out))) == [
        {"source": "wire", "model": "default", "window": "7d", "articles": "4", "scored": "2",
         "fake": "0", "fake_rate": "0.0", "waiting": "1", "skipped": "1", "errors": "0",
         "last_fetched": WIRE_LAST},
    ]  # fmt: skip


def test_stats_report_each_model_apart(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    add_second_model(store)
    _, out, _ = run(capsys, "stats", "--format", "json", "--window", "7d", "--source", "wire")
    assert json.loads(out) == [
        stat("wire", "7d", 4, 2, 0, waiting=1, skipped=1, last=WIRE_LAST),
        stat("wire", "7d", 4, 1, 1, waiting=1, skipped=1, last=WIRE_LAST, model="second"),
    ]
    _, out, _ = run(capsys, "stats", "--format", "json", "--window", "all", "--model", "second")
    assert [(r["source"], r["scored"], r["fake"]) for r in json.loads(out)] == [
        ("quiet", 0, 0),
        ("satire", 2, 0),
        ("wire", 1, 1),
    ]


def test_stats_on_an_empty_store(
    database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKEWATCH_DATABASE_URL", database_url)
    monkeypatch.delenv("FAKEWATCH_CONFIG", raising=False)
    code, out, _ = run(capsys, "stats")
    assert code == 0 and out.startswith("no sources in the store yet")
    code, out, _ = run(capsys, "stats", "--format", "json")
    assert out == "[]\n"
    code, out, _ = run(capsys, "query")
    assert code == 0 and out == "no results\n"


# --- README: the SQL examples ---------------------------------------------------------------


def readme_sql_blocks() -> list[str]:
    """Every ```sql block of the README's "Querying results" section."""
    section = README.read_text(encoding="utf-8").split("\n## Querying results\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.DOTALL)


def fetch(engine: Engine, sql: str, *, time_zone: str | None = None) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        if time_zone is not None:
            connection.execute(text(f"SET TIME ZONE '{time_zone}'"))
        return [tuple(row) for row in connection.execute(text(sql))]


def rounded(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows with numbers as floats to 3 places (PostgreSQL's AVG gives exact decimals)."""
    return [
        tuple(round(float(v), 3) if isinstance(v, (int, float)) or hasattr(v, "as_tuple")
              else v for v in row)
        for row in rows
    ]  # fmt: skip


# What each example claims, on the fixture store; keyed by words of its first comment line.
README_EXPECTED = {
    "fake rate per source this week": [("satire", 3, 0.667), ("wire", 2, 0.0)],
    "most confident fakes today": [
        ("satire", 0.97, "Story s4", "https://satire.example/s4"),
        ("satire", 0.88, "Story s5", "https://satire.example/s5"),
    ],
    "sources whose fake rate rose": [("satire", 2, 0.0, 3, 0.667)],
    "articles per source and verdict": [
        ("satire", "fake", 2), ("satire", "real", 2), ("satire", "uncertain", 1),
        ("satire", "unscored", 1), ("wire", "fake", 1), ("wire", "real", 3),
        ("wire", "unscored", 2),
    ],
}  # fmt: skip


def relative_week(engine: Engine) -> list[tuple[Any, ...]]:
    """The README's relative-week example, computed here with the cut-off as a parameter."""
    query = text(
        "SELECT source, COUNT(*), ROUND(AVG(CASE WHEN verdict = 'fake' THEN 1.0 ELSE 0.0 END), 3)"
        " AS r FROM results WHERE verdict IS NOT NULL AND fetched_at >= :since"
        " GROUP BY source ORDER BY r DESC, source"
    ).bindparams(bindparam("since", type_=UTCDateTime()))
    with engine.connect() as connection:
        rows = connection.execute(query, {"since": datetime.now(UTC) - timedelta(days=7)})
        return [tuple(row) for row in rows]


def test_readme_sql_examples_give_what_they_claim(store: Store) -> None:
    blocks = readme_sql_blocks()
    assert len(blocks) >= len(README_EXPECTED)
    backend = "SQLite" if store.engine.dialect.name == "sqlite" else "PostgreSQL"
    checked = set()
    for sql in blocks:
        first = sql.splitlines()[0].lower()
        only = re.match(r"-- (sqlite|postgresql) only", first)
        if only:
            if only.group(1) == backend.lower():
                assert rounded(fetch(store.engine, sql)) == rounded(relative_week(store.engine)), (
                    sql
                )
                checked.add(backend)
            continue
        claims = [claim for claim in README_EXPECTED if claim in first]
        assert len(claims) == 1, f"no expectation for the README example: {first}"
        assert rounded(fetch(store.engine, sql)) == README_EXPECTED[claims[0]], sql
        if store.engine.dialect.name == "postgresql":  # literals carry their offset: no zone effect
            zoned = fetch(store.engine, sql, time_zone="America/New_York")
            assert rounded(zoned) == README_EXPECTED[claims[0]], sql
        checked.add(claims[0])
    assert checked == {*README_EXPECTED, backend}


def test_stats_and_metrics_count_the_verdicts_that_query_shows(store: Store) -> None:
    """One rule for the current verdict: the view, `query`, `stats` and the metrics agree.

    `query` without a model equals the view (test above); per model, the counts behind
    `stats` and the Prometheus fake ratio equal the verdicts `query --model` shows.
    """
    from db.results import verdict_counts
    from scheduler.metrics import DatabaseCollector

    add_second_model(store)
    with Session(store.engine) as session:
        counts = verdict_counts(session, [], [], None, None)
        assert set(DatabaseCollector._ratios(session, at("2026-01-01 00:00"))) == {
            (source, model, scored, fake) for (source, model), (scored, fake) in counts.items()
        }
        for model in ("default", "second"):
            shown: dict[str | None, list[int]] = {}
            for row in iter_results(session, ResultQuery(model=model)):
                if row["verdict"] is not None:
                    tally = shown.setdefault(row["source"], [0, 0])
                    tally[0] += 1
                    tally[1] += row["verdict"] == "fake"
            expected = {(s, model): tuple(t) for s, t in shown.items()}
            assert {k: v for k, v in counts.items() if k[1] == model} == expected
