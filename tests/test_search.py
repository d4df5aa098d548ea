"""`fakewatch query --search`: full-text search on SQLite FTS5 and PostgreSQL, through the CLI."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from importlib import import_module
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, delete, text, update
from sqlalchemy.orm import Session

from db.engine import make_engine
from db.migrate import alembic_config, upgrade
from db.models import Article, Prediction, Source
from db.search import SEARCH_VECTOR_SQL, Search, SearchError, fts5_expression, parse_search
from fakewatch.cli import main

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FILLER = "The council met on Tuesday to discuss the budget for roads and schools. " * 30
# key: (source, title, text, verdict, hours before NOW)
ARTICLES = {
    "eruption": ("wire", "Volcano erupts near the coast", "The volcano sent ash over the "
                 "villages; volcano experts watch it.", "real", 2),
    "council": ("wire", "Council budget agreed", FILLER + "A volcano tour was mentioned.",
                "real", 30),
    "hoax": ("satire", "Secret base exposed", "Insiders say the volcano base hides a tunnel.",
             "fake", 5),
    "cafe": ("satire", "Café owners protest", "Prices at the café rose again.", "uncertain", 1),
}  # fmt: skip


def fill(engine: Engine) -> dict[str, int]:
    """Store the articles above with one prediction each; returns their ids by key."""
    ids = {}
    with Session(engine) as session, session.begin():
        sources = {name: Source(name=name, kind="feed") for name in ("wire", "satire")}
        for key, (source, title, body, verdict, hours) in ARTICLES.items():
            article = Article(
                url=f"https://{source}.example/{key}", source=sources[source], title=title,
                text=body, fetched_at=NOW - timedelta(hours=hours), language="en",
            )  # fmt: skip
            session.add(article)
            session.flush()
            ids[key] = article.id
            session.add(Prediction(
                article_id=article.id, model_name="default", model_version="v1",
                probability_fake=0.9 if verdict == "fake" else 0.5 if verdict == "uncertain"
                else 0.1, verdict=verdict, threshold=0.7, created_at=NOW,
            ))  # fmt: skip
    return ids


@pytest.fixture
def store(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    engine = make_engine(database_url)
    upgrade(engine)
    ids = fill(engine)
    monkeypatch.setenv("FAKEWATCH_DATABASE_URL", database_url)
    monkeypatch.delenv("FAKEWATCH_CONFIG", raising=False)
    monkeypatch.setattr("fakewatch.commands.results.utcnow", lambda: NOW)
    yield engine, ids
    engine.dispose()


def search(capsys: pytest.CaptureFixture[str], words: str, *options: str) -> list[str]:
    """Keys of the articles `query --search` prints as JSON, in its order."""
    code = main(["query", "--search", words, "--format", "json", *options])
    out, err = capsys.readouterr()
    assert code == 0, err
    return [row["url"].rsplit("/", 1)[1] for row in json.loads(out)]


def test_a_word_in_the_body_is_found_and_titles_rank_first(
    store: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert search(capsys, "ash") == ["eruption"]  # only in the body
    # In the title and twice in the body, before once in a short body, before once in a
    # long one.
    assert search(capsys, "volcano") == ["eruption", "hoax", "council"]
    assert search(capsys, "VOLCANO", "--sort", "fetched") == ["eruption", "hoax", "council"]
    assert search(capsys, "volcano", "--sort", "fetched", "--asc") == [
        "council",
        "hoax",
        "eruption",
    ]
    assert search(capsys, "volcano", "--asc") == ["council", "hoax", "eruption"]


def test_the_syntax_is_the_same_on_both_stores(
    store: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert search(capsys, '"volcano base"') == ["hoax"]
    assert search(capsys, '"base volcano"') == []
    assert search(capsys, "volcano -secret -tour") == ["eruption"]
    assert sorted(search(capsys, "café OR villages")) == ["cafe", "eruption"]
    assert search(capsys, "cafe") == []  # accents count, as in PostgreSQL's simple configuration
    assert search(capsys, "volcanoes") == []  # whole words, no stemming
    # FTS5's own operators are plain text here, never a syntax error.
    for words in ("volcano*", "title:volcano", "NEAR(volcano ash)", "^volcano", "volcano AND"):
        code = main(["query", "--search", words, "--format", "json"])
        assert code == 0, (words, capsys.readouterr().err)
        capsys.readouterr()


def test_search_combines_with_the_other_filters(
    store: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert search(capsys, "volcano", "--source", "satire") == ["hoax"]
    assert search(capsys, "volcano", "--verdict", "real") == ["eruption", "council"]
    assert search(capsys, "volcano", "--since", "24h") == ["eruption", "hoax"]
    assert search(capsys, "volcano", "--limit", "1") == ["eruption"]
    code = main(["query", "--search", "volcano", "--format", "csv", "--columns", "title,verdict"])
    out = capsys.readouterr().out
    assert code == 0 and out.splitlines()[1] == "Volcano erupts near the coast,real"
    assert main(["query", "--search", "volcano"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert len(table) == 4 and "Volcano erupts" in table[1]


def test_articles_stored_updated_or_deleted_after_the_migration_are_searched(
    store: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    engine, ids = store
    with Session(engine) as session, session.begin():
        session.add(Article(url="https://wire.example/new", title="Glacier melts",
                            text="A glacier retreated.", fetched_at=NOW))  # fmt: skip
        session.execute(update(Article).where(Article.id == ids["cafe"]).values(title="Glacier"))
        session.execute(delete(Article).where(Article.id == ids["eruption"]))
    assert sorted(search(capsys, "glacier")) == ["cafe", "new"]
    assert search(capsys, "café") == ["cafe"]  # its text, unchanged, is still found
    assert search(capsys, "ash") == []
    assert search(capsys, "volcano") == ["hoax", "council"]


def test_articles_stored_before_the_migration_are_searched(database_url: str) -> None:
    from db.results import ResultQuery, iter_results

    engine = make_engine(database_url)
    upgrade(engine)
    fill(engine)
    command.downgrade(alembic_config(engine), "0008")  # the rows stay; the search index goes
    upgrade(engine)
    with Session(engine) as session:
        found = [row["title"] for row in iter_results(session, ResultQuery(search="ash"))]
    engine.dispose()
    assert found == ["Volcano erupts near the coast"]


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ('"volcano ash', "unclosed quote"),
        ("-volcano", "no word to look for"),
        ("!!! ...", "no word to look for"),
        ("OR volcano", "OR must stand between two terms"),
        ("volcano OR", "OR must stand between two terms"),
        ("volcano OR -ash", "not -excluded ones"),
    ],
)
def test_a_bad_search_is_a_one_line_error(
    store: Any, capsys: pytest.CaptureFixture[str], words: str, message: str
) -> None:
    assert main(["query", f"--search={words}", "--format", "csv"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and message in err and len(err.strip().splitlines()) == 1, err


def test_sorting_by_relevance_needs_a_search(
    store: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["query", "--sort", "relevance"]) == 2
    assert "give --search" in capsys.readouterr().err


def test_parse_search_and_its_fts5_form() -> None:
    parsed = parse_search('volcano "ash cloud" iceland OR norway OR "faroe islands" -tourist - !')
    assert parsed == Search(
        groups=(("volcano",), ("ash cloud",), ("iceland", "norway", "faroe islands")),
        excluded=("tourist",),
    )
    assert fts5_expression(Search((("a", "b"), ('x"y',)), ("c", "d"))) == (
        '((("a" OR "b") AND "x""y") NOT "c") NOT "d"'
    )
    with pytest.raises(SearchError):
        parse_search("")


@pytest.mark.postgres
def test_postgres_uses_the_gin_index_and_the_migrations_expression(postgres_url: str) -> None:
    migration = import_module("migrations.versions.0009_article_search")
    assert migration.POSTGRES_VECTOR == SEARCH_VECTOR_SQL
    from db.search import search_hits

    engine = make_engine(postgres_url)
    upgrade(engine)
    fill(engine)
    hits = search_hits("postgresql", parse_search("volcano ash"))
    with engine.connect() as connection:
        connection.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(
            connection.execute(text("EXPLAIN " + str(hits.element.compile(engine, compile_kwargs={
                "literal_binds": True})))).scalars()
        )  # fmt: skip
    engine.dispose()
    assert "ix_articles_search" in plan, plan


def test_a_huge_page_is_stored_and_its_first_100000_characters_searched(database_url: str) -> None:
    from db.results import ResultQuery, iter_results

    engine = make_engine(database_url)
    upgrade(engine)
    # 1.35 million characters of distinct words: over PostgreSQL's 1 MB tsvector limit.
    body = " ".join(f"w{i:07d}" for i in range(150_000))
    with Session(engine) as session, session.begin():
        session.add(Article(url="https://big.example/", title="Big", text=body, fetched_at=NOW))
    with Session(engine) as session:
        early = list(iter_results(session, ResultQuery(search="w0000005")))
        late = list(iter_results(session, ResultQuery(search="w0149999")))
    engine.dispose()
    assert [row["title"] for row in early] == ["Big"] and late == []


def test_full_text_search_survives_tensorflow_in_the_same_process() -> None:
    # TensorFlow bundles an SQLite without FTS5; the LSTM's module loads Python's sqlite3
    # first so that the store keeps the system library, whatever is imported next.
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("TensorFlow is not installed (the lstm extra): nothing to collide with")
    code = (
        "import classifier.models.lstm_network, sqlite3\n"
        "sqlite3.connect(':memory:').execute('create virtual table t using fts5(x)')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-500:]
