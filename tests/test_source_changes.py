"""`fakewatch sources rename` and `sources remove`: every stored row follows, in one transaction,
on SQLite and PostgreSQL; the sources file is edited only when that is one clean line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from crawler.errors import SourcesFileError
from crawler.sources import load_sources
from crawler.sources_file import renamed_text
from db.engine import make_engine
from db.migrate import upgrade
from db.models import Article, ArticleAlias, ArticleStatus, CrawlRun, Prediction, Source
from db.queries import ArticleRecord, start_crawl_run, store_article, sync_source
from fakewatch.cli import main

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SOURCES = """\
# my sources
[[source]]
name = "alpha"   # the first one
feeds = ["https://alpha.example/rss"]

[[source]]
name = "beta"
category = "wire"
feeds = ["https://beta.example/rss"]
"""


@pytest.fixture
def store(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Sources alpha and beta, each with two articles (one scored), an alias and a crawl run;
    the CLI pointed at the store and at the sources file."""
    path = tmp_path / "sources.toml"
    path.write_text(SOURCES, encoding="utf-8")
    engine = make_engine(database_url)
    upgrade(engine)
    with Session(engine) as session, session.begin():
        for source in load_sources(path):
            source_id = sync_source(session, source)
            start_crawl_run(session, source_id, source.name)
            for n in (1, 2):
                url = f"https://{source.name}.example/{n}"
                stored = store_article(session, _record(url, source_id, f"{source.name} {n}"))
                session.add(ArticleAlias(url=url + "?amp", article_id=stored.article_id,
                                         source_id=source_id))  # fmt: skip
                if n == 1:
                    session.add(Prediction(
                        article_id=stored.article_id, model_name="default", model_version="v1",
                        probability_fake=0.9, verdict="fake", threshold=0.5, created_at=NOW,
                    ))  # fmt: skip
    engine.dispose()
    monkeypatch.setenv("FAKEWATCH_DATABASE_URL", database_url)
    monkeypatch.setenv("FAKEWATCH_SOURCES", str(path))
    monkeypatch.delenv("FAKEWATCH_CONFIG", raising=False)
    return database_url


def _record(url: str, source_id: int, text: str) -> ArticleRecord:
    return ArticleRecord(
        url=url, source_id=source_id, title=text, text=text, authors=(), published_at=NOW,
        language="en", top_image=None, content_hash=text, status=ArticleStatus.NEW,
        status_reason=None, extractor="test", fetched_at=NOW,
    )  # fmt: skip


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def counts(database_url: str) -> dict[str, object]:
    """What the store holds, per source name (None: attributed to no source)."""
    engine = make_engine(database_url)
    with Session(engine) as session:
        names = dict(session.execute(select(Source.id, Source.name)).tuples().all())

        def per_source(model: type[Article] | type[ArticleAlias]) -> dict[str | None, int]:
            rows = session.execute(
                select(model.source_id, func.count()).group_by(model.source_id)
            ).tuples()
            return {names.get(k) if k is not None else None: n for k, n in rows}

        result = {
            "sources": sorted(names.values()),
            "articles": per_source(Article),
            "aliases": per_source(ArticleAlias),
            "runs": sorted(session.scalars(select(CrawlRun.source_name))),
            "predictions": session.scalar(select(func.count()).select_from(Prediction)),
        }
    engine.dispose()
    return result


def test_rename_moves_every_row_and_edits_the_sources_file(
    store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(store)
    with Session(engine) as session:
        alpha_id = session.scalar(select(Source.id).where(Source.name == "alpha"))
    code, out, err = run(capsys, "sources", "rename", "alpha", "gamma")
    assert code == 0, err
    assert "renamed source 'alpha' to 'gamma': 2 articles, 1 predictions, 1 crawl runs" in out
    # The one line changed, its comment and every other line kept.
    assert (tmp_path / "sources.toml").read_text() == SOURCES.replace('"alpha"', '"gamma"')
    assert counts(store) == {
        "sources": ["beta", "gamma"], "articles": {"beta": 2, "gamma": 2},
        "aliases": {"beta": 2, "gamma": 2}, "runs": ["beta", "gamma"], "predictions": 2,
    }  # fmt: skip
    with Session(engine) as session:  # the same row: id and schedule state kept
        assert session.scalar(select(Source.id).where(Source.name == "gamma")) == alpha_id
    engine.dispose()
    code, out, _ = run(capsys, "stats", "--format", "json", "--window", "all")
    assert {row["source"]: row["articles"] for row in json.loads(out)} == {"beta": 2, "gamma": 2}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["rename", "alpha", "beta"], "sources.toml already declares a source named 'beta'"),
        (["rename", "alpha", "beta", "--store-only"], "a source named 'beta' is already stored"),
        (["rename", "nope", "other"], "no source named 'nope' in the store (stored: alpha, beta)"),
        (["rename", "alpha", "Not A Name"], "must be 1-100 lower-case letters"),
        (["remove", "nope", "--force"], "no source named 'nope' in the store"),
        (["remove", "alpha"], "still declared in"),
    ],
)
def test_bad_names_are_one_line_and_change_nothing(
    store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    before = counts(store)
    code, out, err = run(capsys, "sources", *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err, err
    assert counts(store) == before
    assert (tmp_path / "sources.toml").read_text() == SOURCES


def test_a_source_being_crawled_is_not_changed(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(store)
    with Session(engine) as session, session.begin():
        until = datetime.now(UTC) + timedelta(minutes=1)
        session.execute(update(Source).where(Source.name == "alpha").values(
            claimed_by="host:42", claimed_until=until))  # fmt: skip
    engine.dispose()
    code, _, err = run(capsys, "sources", "rename", "alpha", "gamma", "--store-only")
    assert code == 2 and "is being crawled by host:42" in err


def test_remove_keeps_the_articles_unattributed_or_deletes_them(
    store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "sources.toml").write_text(SOURCES.split('[[source]]\nname = "beta"')[0])
    code, out, err = run(capsys, "sources", "remove", "beta")
    assert code == 0, err
    assert "removed source 'beta'; kept 2 articles, 1 predictions, 1 crawl runs" in out
    assert counts(store) == {
        "sources": ["alpha"], "articles": {"alpha": 2, None: 2},
        "aliases": {"alpha": 2, None: 2}, "runs": ["alpha", "beta"], "predictions": 2,
    }  # fmt: skip
    code, out, _ = run(capsys, "stats", "--format", "json", "--window", "all")
    assert "beta" not in {row["source"] for row in json.loads(out)}

    code, out, err = run(capsys, "sources", "remove", "alpha", "--force", "--delete-articles")
    assert code == 0, err
    assert "removed source 'alpha' and deleted 2 articles, 1 predictions, 1 crawl runs" in out
    assert counts(store) == {
        "sources": [], "articles": {None: 2}, "aliases": {None: 2}, "runs": ["beta"],
        "predictions": 1,
    }  # fmt: skip


def test_a_rename_the_file_cannot_take_cleanly_leaves_it_alone() -> None:
    path = Path("sources.toml")
    assert renamed_text(SOURCES, path, "alpha", "gamma") == SOURCES.replace('alpha"', 'gamma"')
    assert renamed_text(SOURCES, path, "absent", "gamma") is None  # not declared: nothing to do
    inline = SOURCES.replace('name = "beta"\n', 'name = "beta"\n').replace(
        '[[source]]\nname = "beta"\ncategory = "wire"\nfeeds = ["https://beta.example/rss"]\n',
        '[[source]]\nname = """beta"""\nfeeds = ["https://beta.example/rss"]\n',
    )
    assert renamed_text(inline, path, "beta", "gamma") is None  # not a plain name line
    with pytest.raises(SourcesFileError, match="already declares a source named 'beta'"):
        renamed_text(SOURCES, path, "alpha", "beta")


def test_rename_tells_what_to_change_when_the_file_is_not_edited(
    store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "sources", "rename", "beta", "gamma", "--store-only")
    assert code == 0 and "renamed source 'beta' to 'gamma'" in out
    assert "now rename it in" in err and 'name = "gamma"' in err
    assert (tmp_path / "sources.toml").read_text() == SOURCES
