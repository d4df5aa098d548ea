"""The evidence metrics: debunked articles per source and claims per fact-checker, read from the
store at each scrape, as Prometheus sees them on /metrics."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session, sessionmaker

from db.claim_matches import Match, store_matches
from db.claims import upsert_claims
from db.engine import make_engine, make_sessionmaker
from db.migrate import upgrade
from db.models import Article, ArticleStatus, Claim, Source
from db.types import utcnow
from scheduler.metrics import MAX_FACT_CHECKERS, DatabaseCollector

NEWEST = datetime(2026, 11, 3, 8, 30, tzinfo=UTC)


def review(fact_checker: str | None, rating: str, n: int) -> dict[str, Any]:
    """A ClaimReview as the crawler stores it (keys of db.claims.CLAIM_FIELDS)."""
    slug = (fact_checker or "anonymous").lower().replace(" ", "-")
    return {
        "review_url": f"https://{slug}.example/check/{n}",
        "claim": f"Claim {n} that {slug} rated {rating}.",
        "rating": rating,
        "fact_checker": fact_checker,
        "appearances": [],
    }


def add_articles(session: Session, source: str, count: int, *, enabled: bool = True) -> list[int]:
    owner = Source(name=source, kind="feed", enabled=enabled)
    articles = [
        Article(url=f"https://{source}.example/{i}", source=owner, title=f"{source} {i}",
                text="...", fetched_at=utcnow(), status=ArticleStatus.SCORED)
        for i in range(count)
    ]  # fmt: skip
    session.add_all([owner, *articles])
    session.flush()
    return [article.id for article in articles]


def claim_ids(session: Session) -> dict[str, int]:
    """Claim id by review URL."""
    return dict(session.execute(select(Claim.review_url, Claim.id)).tuples().all())


def scrape(sessions: sessionmaker[Session]) -> dict[str, dict[str, float]]:
    """{sample name: {label value: value}} of the evidence metrics on a /metrics page."""
    registry = CollectorRegistry()
    registry.register(DatabaseCollector(sessions, list))
    page = generate_latest(registry).decode()
    found: dict[str, dict[str, float]] = {}
    for family in text_string_to_metric_families(page):
        for sample in family.samples:
            if sample.name.startswith(("fakewatch_debunked", "fakewatch_claims", "fakewatch_fact")):
                (label,) = sample.labels.values()
                found.setdefault(sample.name, {})[label] = sample.value
            if sample.name == "fakewatch_database_up":
                found.setdefault(sample.name, {})[""] = sample.value
    return found


def test_debunked_articles_and_claims_per_fact_checker(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        wire = add_articles(session, "wire", 4)
        daily = add_articles(session, "daily", 2)
        add_articles(session, "quiet", 1)
        retired = add_articles(session, "retired", 1, enabled=False)
        reviews = [
            review("Full Fact", "false", 1), review("Full Fact", "mostly_false", 2),
            review("Full Fact", "true", 3), review("PolitiFact", "mixed", 4),
            review(None, "false", 5),
        ]  # fmt: skip
        upsert_claims(session, reviews, None)
        ids = claim_ids(session)
        false, mostly_false, true, mixed, anonymous = (ids[r["review_url"]] for r in reviews)
        store_matches(session, [
            Match(wire[0], false, "meaning", 0.8, "passage"),
            Match(wire[1], mostly_false, "meaning", 0.8, "passage"),
            Match(wire[2], anonymous, "url", 1.0),
            Match(wire[3], true, "meaning", 0.9, "passage"),  # supported: not counted
            # The best match decides: a URL match to a claim rated mixed beats a false one.
            Match(daily[0], false, "meaning", 0.95, "passage"),
            Match(daily[0], mixed, "url", 1.0),
            Match(daily[1], mixed, "meaning", 0.7, "passage"),
            Match(retired[0], false, "meaning", 0.8, "passage"),
        ])  # fmt: skip
        session.execute(update(Claim).where(Claim.id == mostly_false).values(found_at=NEWEST))
        session.execute(update(Claim).where(Claim.id != mostly_false).values(
            found_at=datetime(2026, 11, 1, tzinfo=UTC)
        ))  # fmt: skip

    metrics = scrape(sessions)

    assert metrics["fakewatch_database_up"] == {"": 1}
    # A counter: every enabled source from 0, and a disabled one that has any.
    assert metrics["fakewatch_debunked_articles_total"] == {
        "wire": 3, "daily": 0, "quiet": 0, "retired": 1,
    }  # fmt: skip
    assert metrics["fakewatch_claims"] == {"Full Fact": 3, "PolitiFact": 1, "unknown": 1}
    newest = metrics["fakewatch_fact_checker_newest_claim_timestamp_seconds"]
    assert newest["Full Fact"] == NEWEST.timestamp()
    assert newest["PolitiFact"] == datetime(2026, 11, 1, tzinfo=UTC).timestamp()

    # The count grows as matches are added.
    with sessions.begin() as session:
        store_matches(session, [Match(daily[1], false, "url", 1.0)])
    assert scrape(sessions)["fakewatch_debunked_articles_total"]["daily"] == 1


def test_only_the_fact_checkers_with_most_claims_are_labels(
    sessions: sessionmaker[Session],
) -> None:
    big = [f"big {i:02}" for i in range(MAX_FACT_CHECKERS)]
    small = [f"small {i}" for i in range(5)]
    reviews = [review(name, "false", n) for name in big for n in (1, 2)]
    reviews += [review(name, "false", 1) for name in small]
    with sessions.begin() as session:
        upsert_claims(session, reviews, None)
    metrics = scrape(sessions)
    assert metrics["fakewatch_claims"] == dict.fromkeys(big, 2)
    assert set(metrics["fakewatch_fact_checker_newest_claim_timestamp_seconds"]) == set(big)
    family = DatabaseCollector(sessions, list).collect()
    (claims,) = [f for f in family if f.name == "fakewatch_claims"]
    assert f"the {MAX_FACT_CHECKERS} with most claims only" in claims.documentation


def test_a_database_error_in_the_claims_tables_does_not_break_the_scrape(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'fakewatch.db'}")
    upgrade(engine)
    with engine.begin() as connection:  # a store whose evidence table is gone
        connection.execute(text("DROP TABLE article_evidence"))
    sessions = make_sessionmaker(engine)
    model = {"name": "default", "kind": "lightgbm", "version": "1", "threshold": "0.5"}
    try:
        families = {f.name: f for f in DatabaseCollector(sessions, lambda: [model]).collect()}
    finally:
        engine.dispose()
    assert [s.value for s in families["fakewatch_database_up"].samples] == [0]
    assert "metrics: database unavailable" in caplog.text
    for name in ("fakewatch_debunked_articles", "fakewatch_claims", "fakewatch_model"):
        assert name in families  # the scrape still lists them, and the rest of the page
