"""The scoring worker on a real store and real models: batches, failures, new model versions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select, text

from classifier.models.lightgbm_model import LightGBMModel
from db.engine import make_engine, make_sessionmaker
from db.migrate import upgrade
from db.models import Article, ArticleStatus, Prediction
from db.queries import ArticleRecord, store_article, sync_source
from db.scoring import requeue_for_rescore
from db.source_config import SourceConfig
from db.types import utcnow
from scheduler.deployed_models import ModelSet
from scheduler.worker import ScoringWorker
from tests.corpora import off_topic_corpus, synthetic_corpus
from tests.daemons import train_small_model

NOW = datetime(2026, 11, 1, tzinfo=UTC)


class PoisonedLightGBM(LightGBMModel):
    """A real LightGBM model that fails on any article whose text says POISON (fault injection)."""

    kind = "test_poisoned_lightgbm"

    def _raw_scores(self, X: pd.DataFrame) -> Any:
        self._refuse_poison(X)
        return super()._raw_scores(X)

    def _score_and_explain(self, X: pd.DataFrame, top: int) -> Any:
        self._refuse_poison(X)
        return super()._score_and_explain(X, top)

    @staticmethod
    def _refuse_poison(X: pd.DataFrame) -> None:
        if X["text"].str.contains("poison", case=False).any():
            raise ValueError("cannot score this article")


def store(sessions: Any, texts: list[str]) -> None:
    with sessions.begin() as session:
        for i, body in enumerate(texts):
            store_article(session, ArticleRecord(
                url=f"https://n.example/{i}", source_id=None, title=f"Story {i}", text=body,
                authors=(), published_at=NOW, language="en", top_image=None,
                content_hash=f"hash-{i}", status=ArticleStatus.NEW, status_reason=None,
                extractor="test", fetched_at=NOW,
            ))  # fmt: skip


def store_for_source(sessions: Any, name: str, texts: list[str]) -> None:
    """A source `name` (at https://NAME.example) with one new article per text, fetched now."""
    with sessions.begin() as session:
        source_id = sync_source(session, SourceConfig(
            name, feeds=(f"https://{name}.example/rss",), allowed_domains=(f"{name}.example",)
        ))  # fmt: skip
        for i, body in enumerate(texts):
            store_article(session, ArticleRecord(
                url=f"https://{name}.example/{i}", source_id=source_id, title=f"Story {i}",
                text=body, authors=(), published_at=None, language="en", top_image=None,
                content_hash=f"{name}-{i}", status=ArticleStatus.NEW, status_reason=None,
                extractor="test", fetched_at=utcnow(),
            ))  # fmt: skip


def corpus_texts(n: int) -> list[str]:
    return list(synthetic_corpus(n, seed=4)["text"])


def test_batches_are_scored_and_new_model_versions_rescore(
    sessions: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="scheduler.worker")
    folder = train_small_model(tmp_path / "default")
    store(sessions, corpus_texts(10))
    models = ModelSet([folder])
    worker = ScoringWorker(sessions, models, batch_size=4)
    timed = {"model": "default"}
    before = REGISTRY.get_sample_value("fakewatch_scoring_seconds_count", timed) or 0
    assert [worker.score_batch() for _ in range(4)] == [4, 4, 2, 0]
    # One observation per article scored, not per batch.
    assert REGISTRY.get_sample_value("fakewatch_scoring_seconds_count", timed) == before + 10
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("scored ")]
    assert len(said) == 3 and said[0].startswith("scored 4 articles with default: ")
    with sessions() as session:
        first = set(session.scalars(select(Prediction.model_version)))
        assert (
            session.scalar(select(Article.id).where(Article.status != ArticleStatus.SCORED)) is None
        )
        stored = session.scalars(select(Prediction)).all()
        # Each prediction keeps how far from training its article is, and why it scored so.
        assert all(0.0 <= p.shift_score <= 1.0 for p in stored if p.shift_score is not None)
        assert all(p.shift_score is not None and p.explanation for p in stored)
        assert all(isinstance(feature, str) for p in stored for feature, _ in p.explanation)
        view = session.execute(text("SELECT shift_score, explanation FROM results")).all()
        assert len(view) == 10 and all(shift is not None and why for shift, why in view)

    train_small_model(folder, seed=9)  # deploy a new version into the same folder
    with sessions.begin() as session:
        assert requeue_for_rescore(session) == 10
    while worker.score_batch():
        pass
    with sessions() as session:
        versions = set(session.scalars(select(Prediction.model_version)))
        current = set(session.scalars(text("SELECT DISTINCT model_version FROM results")))
    assert len(first) == 1 and len(versions) == 2 and current == versions - first


def test_an_article_that_breaks_the_model_is_retried_then_marked_error(
    sessions: Any, tmp_path: Path
) -> None:
    frame = synthetic_corpus(200, seed=5)
    model = PoisonedLightGBM(preset="study", n_estimators=20, n_jobs=1)
    model.fit(frame.iloc[:150], frame.label.iloc[:150], frame.iloc[150:], frame.label.iloc[150:])
    model.save(tmp_path / "poisoned")
    texts = corpus_texts(5)
    texts[2] = texts[2] + " poison"
    store(sessions, texts)
    worker = ScoringWorker(sessions, ModelSet([tmp_path / "poisoned"]), batch_size=10,
                           max_attempts=3)  # fmt: skip
    worker.score_batch()
    with sessions() as session:
        statuses = dict(session.execute(select(Article.url, Article.status)).tuples().all())
        assert sum(s is ArticleStatus.SCORED for s in statuses.values()) == 4
        assert statuses["https://n.example/2"] is ArticleStatus.NEW  # will be retried
    worker.score_batch()
    worker.score_batch()
    with sessions() as session:
        poisoned = session.scalars(
            select(Article).where(Article.url == "https://n.example/2")
        ).one()
        assert poisoned.status is ArticleStatus.ERROR and poisoned.attempts == 3
        assert "cannot score this article" in (poisoned.status_reason or "")
    assert worker.score_batch() == 0  # the queue is not blocked by it


def test_rescore_command_requeues_stored_articles(sqlite_url: str, tmp_path: Path) -> None:
    import subprocess
    import sys

    engine = make_engine(sqlite_url)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    store(sessions, corpus_texts(3))
    with sessions.begin() as session:
        session.execute(text("UPDATE articles SET status = 'scored'"))
    engine.dispose()
    env = {"FAKEWATCH_DATABASE_URL": sqlite_url, "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "fakewatch", "rescore"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, check=True)  # fmt: skip
    assert result.stdout.strip() == "3 articles queued for scoring again"
    engine = make_engine(sqlite_url)
    with make_sessionmaker(engine)() as session:
        assert set(session.scalars(select(Article.status))) == {ArticleStatus.NEW}
    engine.dispose()


def test_metrics_count_each_article_once_after_a_rescore(sessions: Any, tmp_path: Path) -> None:
    from scheduler.metrics import DatabaseCollector

    store_for_source(sessions, "wire", corpus_texts(6))
    folder = train_small_model(tmp_path / "default")
    worker = ScoringWorker(sessions, ModelSet([folder]), batch_size=10)
    worker.score_batch()
    train_small_model(folder, seed=9)
    with sessions.begin() as session:
        requeue_for_rescore(session)
    worker.score_batch()

    families = {f.name: f for f in DatabaseCollector(sessions, lambda: []).collect()}
    scored = {s.labels["window"]: s.value for s in families["fakewatch_scored_articles"].samples}
    assert scored == {"1h": 6, "24h": 6, "7d": 6}
    with sessions() as session:
        assert session.scalar(text("SELECT COUNT(*) FROM predictions")) == 12
        latest_fakes = session.scalar(text("SELECT COUNT(*) FROM results WHERE verdict = 'fake'"))
    ratios = {s.labels["window"]: s.value for s in families["fakewatch_fake_ratio"].samples}
    assert ratios["24h"] == pytest.approx(latest_fakes / 6)


def test_drift_gauges_tell_an_unfamiliar_source_from_a_familiar_one(
    sessions: Any, tmp_path: Path
) -> None:
    from scheduler.metrics import DatabaseCollector

    texts = {"familiar": corpus_texts(30), "recipes": list(off_topic_corpus(30, seed=5)["text"])}
    for name, bodies in texts.items():
        store_for_source(sessions, name, bodies)
    models = ModelSet([train_small_model(tmp_path / "default")])
    worker = ScoringWorker(sessions, models, batch_size=100)
    assert worker.score_batch() == 60
    collector = DatabaseCollector(sessions, models.info, models.score_histograms)
    families = {f.name: f for f in collector.collect()}

    def gauge(name: str) -> dict[str, float]:
        samples = families[name].samples
        return {s.labels["source"]: s.value for s in samples if s.labels["window"] == "24h"}

    outside = gauge("fakewatch_out_of_distribution_ratio")
    assert outside["recipes"] == 1.0 and outside["familiar"] <= 0.2
    shift = gauge("fakewatch_domain_shift_mean")
    assert shift["recipes"] > shift["familiar"] + 0.2
    psi = gauge("fakewatch_score_drift_psi")
    assert set(psi) == {"familiar", "recipes"} and all(v >= 0 for v in psi.values())
    # No recipe was called fake: each would have been "uncertain" at most.
    with sessions() as session:
        verdicts = session.scalars(
            text("SELECT verdict FROM results WHERE url LIKE 'https://recipes.example/%'")
        ).all()
    assert len(verdicts) == 30 and "fake" not in verdicts


def test_a_story_two_sources_published_counts_for_both(sessions: Any, tmp_path: Path) -> None:
    from db.results import ResultQuery, Window, iter_results, source_stats
    from scheduler.metrics import DatabaseCollector

    story = corpus_texts(1)[0]
    with sessions.begin() as session:
        for name in ("first", "second"):  # "second" syndicates "first"'s story under its URL
            source_id = sync_source(session, SourceConfig(
                name, feeds=(f"https://{name}.example/rss",), allowed_domains=(f"{name}.example",)
            ))  # fmt: skip
            outcome = store_article(session, ArticleRecord(
                url=f"https://{name}.example/story", source_id=source_id, title="Story",
                text=story, authors=(), published_at=None, language="en", top_image=None,
                content_hash="same-text", status=ArticleStatus.NEW, status_reason=None,
                extractor="test", fetched_at=utcnow(),
            ))  # fmt: skip
            assert outcome.kind == ("new" if name == "first" else "duplicate")
    models = ModelSet([train_small_model(tmp_path / "default")])
    assert ScoringWorker(sessions, models).score_batch() == 1
    with sessions() as session:
        stats = source_stats(session, [Window("all", None)], now=utcnow())
        credited = {s.source: (s.articles, s.scored) for s in stats}
        second = list(iter_results(session, ResultQuery(sources=("second",))))
    assert credited == {"first": (1, 1), "second": (1, 1)}
    assert [row["url"] for row in second] == ["https://first.example/story"]
    families = {f.name: f for f in DatabaseCollector(sessions, models.info).collect()}
    scored = {
        s.labels["source"]: s.value
        for s in families["fakewatch_scored_articles"].samples
        if s.labels["window"] == "24h"
    }
    assert scored == {"first": 1, "second": 1}
