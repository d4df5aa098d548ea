"""Matching articles with checked claims: the matcher, and the worker on both databases.

The encoder is the shipped MiniLM itself (a few seconds to load, once per test process);
the store is a real SQLite file or PostgreSQL database.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from datetime import timedelta
from functools import cache

import numpy as np
import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from classifier.claim_matching.encoder import MEANING_MODULES, SentenceEncoder
from classifier.claim_matching.index import ClaimIndex
from classifier.claim_matching.matcher import ClaimMatcher
from classifier.claim_matching.passages import MAX_PASSAGES, article_passages
from db import claims as store
from db.models import Article, ArticleStatus, ClaimMatch, Source
from db.results import ResultQuery, iter_results
from db.types import utcnow
from scheduler.claim_matching import ClaimMatchingWorker

BLEACH = "Drinking bleach cures the common cold."
TOWER = "The Eiffel Tower will be dismantled and moved to Las Vegas in 2031."
VITAMIN = "Vitamin C supplements shorten colds in marathon runners."
LIGHTS = "Members debated road repairs, library opening hours and the cost of street lighting."
FILLER = (
    "The council met on Tuesday evening to discuss the budget for the coming year. "
    "Members debated road repairs, library opening hours and the cost of street lighting. "
    "A final vote is expected next month after a public consultation. "
)
REPEATS_BLEACH = (
    FILLER + "Drinking bleach cures the common cold, a viral post claims. Doctors warn that "
    "bleach is a poison. " + FILLER
)
UNRELATED = FILLER * 3


class CountingEncoder(SentenceEncoder):
    """The real encoder, counting the texts it embeds (to show what a restart re-embeds)."""

    def __init__(self) -> None:
        super().__init__()
        self.texts = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        return shared_encoder().encode(texts)

    @property
    def dimensions(self) -> int:
        return shared_encoder().dimensions

    @property
    def name(self) -> str:
        return shared_encoder().name


@cache
def shared_encoder() -> SentenceEncoder:
    return SentenceEncoder()


def test_passages_are_the_title_then_distinct_sentences() -> None:
    text = "First sentence has enough words here. Short one. " + "Again a sentence of words. " * 3
    assert article_passages("A title of five words", text) == [
        "A title of five words",
        "First sentence has enough words here.",
        "Again a sentence of words.",
    ]
    # A title of a name or a topic is not a claim: it would match every claim about them.
    assert article_passages("Jennifer Lopez", text)[0] == "First sentence has enough words here."
    many = " ".join(f"Sentence number {n} has five words." for n in range(40))
    assert len(article_passages("t", many)) == MAX_PASSAGES


def test_matcher_finds_the_repeated_claim_and_nothing_in_unrelated_text() -> None:
    encoder = shared_encoder()
    matcher = ClaimMatcher(encoder)
    claims = [BLEACH, TOWER, VITAMIN]
    matcher.add_claims([11, 12, 13], encoder.encode(claims), claims)
    repeats, unrelated = matcher.match(
        matcher.embed([("Health scare", REPEATS_BLEACH), ("Council news", UNRELATED)])
    )
    assert [m.claim_id for m in repeats] == [11]
    assert matcher.threshold <= repeats[0].score <= 1.0
    assert "bleach" in repeats[0].passage
    assert unrelated == []
    ranked = matcher.ranked(matcher.embed([("Council news", UNRELATED)]))[0]
    assert ranked and all(m.score < matcher.threshold for m in ranked)  # candidates, no match


def add_source(session: Session, name: str, category: str = "other") -> int:
    source = Source(name=name, kind="feed", category=category, feeds=[], sitemaps=[])
    session.add(source)
    session.flush()
    return source.id


def add_article(session: Session, source_id: int, url: str, title: str, body: str) -> int:
    article = Article(url=url, source_id=source_id, title=title, text=body,
                      status=ArticleStatus.NEW, fetched_at=utcnow())  # fmt: skip
    session.add(article)
    session.flush()
    return article.id


def review(claim: str, rating: str, url: str, appearances: Sequence[str] = ()) -> dict[str, object]:
    return {"claim": claim, "rating": rating, "review_url": url, "fact_checker": "FixtureCheck",
            "rating_words": rating, "appearances": list(appearances)}  # fmt: skip


@pytest.mark.slow
def test_worker_matches_both_ways_and_a_restart_reembeds_nothing(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        checker = add_source(session, "checker", "factcheck")
        news = add_source(session, "news")
        store.upsert_claims(
            session,
            [
                review(BLEACH, "false", "https://check.example/bleach"),
                review(
                    TOWER,
                    "false",
                    "https://check.example/tower",
                    appearances=["https://news.example/tower-story"],
                ),
                review(VITAMIN, "mostly_true", "https://check.example/vitamin"),
            ],
            checker,
        )
        repeats = add_article(
            session, news, "https://news.example/bleach", "Health", REPEATS_BLEACH
        )
        named = add_article(session, news, "https://news.example/tower-story", "Paris", UNRELATED)
        plain = add_article(session, news, "https://news.example/council", "Council", UNRELATED)
        # The fact-check's own page repeats its claim: it is not a match.
        add_article(session, checker, "https://check.example/bleach", "Fact check", REPEATS_BLEACH)
    encoder = CountingEncoder()
    worker = ClaimMatchingWorker(sessions, encoder=lambda: encoder, lookback=timedelta(days=1))
    while worker.step():
        pass
    news_passages = [
        article_passages(title, body)
        for title, body in (
            ("Health", REPEATS_BLEACH),
            ("Paris", UNRELATED),
            ("Council", UNRELATED),
        )
    ]
    assert encoder.texts == 3 + sum(map(len, news_passages))  # the fact-check page is not read
    with sessions() as session:
        found = {(m.article_id, m.method): m for m in session.scalars(select(ClaimMatch))}
        results = {row["article_id"]: row for row in iter_results(session, ResultQuery())}
    assert set(found) == {(repeats, "meaning"), (named, "url")}
    assert found[(named, "url")].score == 1.0
    assert results[repeats]["evidence"] == "debunked"
    assert (
        results[repeats]["claim"] == BLEACH and results[repeats]["fact_checker"] == "FixtureCheck"
    )
    assert results[repeats]["review_url"] == "https://check.example/bleach"
    assert results[named]["match_method"] == "url" and results[named]["claim_rating"] == "false"
    assert results[plain]["evidence"] is None and results[plain]["claim"] is None
    with sessions() as session:
        debunked = list(iter_results(session, ResultQuery(evidence=("debunked",))))
        assert {row["article_id"] for row in debunked} == {repeats, named}
        view = session.execute(text("SELECT article_id, evidence FROM results")).all()
        assert dict(view) == {row["article_id"]: row["evidence"] for row in results.values()}

    # A fact-checker revises its verdict: the articles' evidence follows.
    with sessions.begin() as session:
        store.upsert_claims(session, [review(BLEACH, "mostly_true", "https://check.example/bleach")],
                            checker)  # fmt: skip
    with sessions() as session:
        revised = {row["article_id"]: row for row in iter_results(session, ResultQuery())}
    assert revised[repeats]["evidence"] == "supported" and revised[named]["evidence"] == "debunked"

    # A restart: vectors come from the store; only a claim published since is embedded, and it
    # is matched against the articles already seen, from their kept passages.
    with sessions.begin() as session:
        store.upsert_claims(
            session,
            [
                review(
                    LIGHTS,
                    "true",
                    "https://check.example/lights",
                )
            ],
            checker,
        )
    restarted_encoder = CountingEncoder()
    restarted = ClaimMatchingWorker(sessions, encoder=lambda: restarted_encoder)
    while restarted.step():
        pass
    assert restarted_encoder.texts == 1
    assert len(restarted.matcher) == 4
    with sessions() as session:
        lights = {m.article_id for m in session.scalars(select(ClaimMatch))
                  if m.method == "meaning" and m.article_id != repeats}  # fmt: skip
    assert plain in lights and named in lights


def test_worker_loads_nothing_while_no_claim_is_stored(sessions: sessionmaker[Session]) -> None:
    made: list[SentenceEncoder] = []
    worker = ClaimMatchingWorker(
        sessions, encoder=lambda: made.append(SentenceEncoder()) or made[-1]
    )
    with sessions.begin() as session:
        add_article(session, add_source(session, "news"), "https://n.example/a", "T", UNRELATED)
    assert worker.step() == 0
    assert made == []


def test_without_the_transformer_extra_claims_are_matched_by_url_only(
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # As in an install without extras: importing these fails and find_spec finds nothing.
    for module in MEANING_MODULES:
        monkeypatch.setitem(sys.modules, module, None)
    tower_story = "https://news.example/tower-story"
    with sessions.begin() as session:
        checker = add_source(session, "checker", "factcheck")
        news = add_source(session, "news")
        named = add_article(session, news, tower_story, "Paris", UNRELATED)
        repeats = add_article(
            session, news, "https://news.example/bleach", "Health", REPEATS_BLEACH
        )
        store.upsert_claims(session, [review(BLEACH, "false", "https://check.example/bleach"),
                                      review(TOWER, "false", "https://check.example/tower",
                                             appearances=[tower_story])], checker)  # fmt: skip
    worker = ClaimMatchingWorker(sessions, lookback=timedelta(days=1))
    with caplog.at_level(logging.INFO, logger="scheduler.claim_matching"):
        while worker.step():
            pass
        # Later: a claim naming an article not stored yet, then that article.
        with sessions.begin() as session:
            store.upsert_claims(session, [review(VITAMIN, "false", "https://check.example/vit",
                                                 appearances=["https://news.example/vit"])],
                                checker)  # fmt: skip
        while worker.step():
            pass
        with sessions.begin() as session:
            later = add_article(session, news, "https://news.example/vit", "Colds", UNRELATED)
        while worker.step():
            pass
    with sessions() as session:
        found = {(m.article_id, m.method) for m in session.scalars(select(ClaimMatch))}
        results = {row["article_id"]: row for row in iter_results(session, ResultQuery())}
    # Both ways by URL; the article that repeats a claim in words is not matched by meaning.
    assert found == {(named, "url"), (later, "url")}
    assert results[named]["evidence"] == "debunked" and results[repeats]["evidence"] is None
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(said) == 1 and "matched by URL only" in said[0]
    assert said[0].endswith("pip install 'fakewatch[transformer]'")


def test_classify_without_the_transformer_extra_gives_url_evidence_only(
    sessions: sessionmaker[Session],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from fakewatch.claim_evidence import claim_evidence
    from fakewatch.settings import Settings

    for module in MEANING_MODULES:
        monkeypatch.setitem(sys.modules, module, None)
    named_at = "https://news.example/tower-story"
    with sessions.begin() as session:
        checker = add_source(session, "checker", "factcheck")
        store.upsert_claims(session, [review(BLEACH, "false", "https://check.example/bleach"),
                                      review(TOWER, "false", "https://check.example/tower",
                                             appearances=[named_at])], checker)  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="fakewatch.claim_evidence"):
        found = claim_evidence(
            Settings(database_url=database_url),
            [(named_at, "Paris", UNRELATED), (None, "Health", REPEATS_BLEACH)],
        )
    assert found is not None
    named, repeats = found
    assert [(e.claim, e.method, e.score) for e in named] == [(TOWER, "url", 1.0)]
    assert repeats == []  # it repeats BLEACH in words: matching by meaning needs the extra
    (said,) = [r.getMessage() for r in caplog.records]
    assert said.endswith("pip install 'fakewatch[transformer]'")


def test_the_graph_index_finds_what_exact_search_finds() -> None:
    rng = np.random.default_rng(5)
    vectors = rng.standard_normal((2_000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = vectors[:50] + 0.05 * rng.standard_normal((50, 32)).astype(np.float32)
    found = {}
    for exact in (True, False):
        index = ClaimIndex(32, exact=exact)
        index.add(np.arange(100, 2_100), vectors)
        found[exact] = index.search(queries, 5)
    assert (found[True][1][:, 0] == np.arange(100, 150)).all()  # each query's own claim first
    pairs = zip(found[True][1], found[False][1], strict=True)
    overlap = np.mean([len(set(exact) & set(graph)) / 5 for exact, graph in pairs])
    assert overlap >= 0.95
    assert ClaimIndex(32).search(queries, 5)[1].shape == (50, 0)  # an empty index finds nothing
