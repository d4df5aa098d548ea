"""Evidence for one-off articles (`fakewatch classify`): the stored claims they repeat.

The daemon matches every stored article as it arrives (scheduler.claim_matching); `classify`
reads an article that is not stored, so it builds the same matcher from the stored claim
vectors, and looks its URL up among the claims' appearances.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifier.claim_matching.encoder import SentenceEncoder
from classifier.claim_matching.matcher import ClaimMatcher, PassageMatch
from classifier.extras import MissingExtraError
from db import claim_matches as matching
from db import claims as store
from db.models import Claim, ClaimAppearance
from fakewatch.database import open_database
from fakewatch.settings import Settings
from scheduler.claim_matching import load_stored_claims

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClaimEvidence:
    """One stored claim an article repeats, with its fact-check."""

    claim: str
    rating: str
    rating_words: str | None
    fact_checker: str
    review_url: str
    method: str
    score: float
    passage: str | None

    @property
    def evidence(self) -> str | None:
        return matching.evidence_of(self.rating)

    def record(self) -> dict[str, Any]:
        return {**self.__dict__, "evidence": self.evidence}


def claim_evidence(
    settings: Settings, articles: Sequence[tuple[str | None, str, str]]
) -> list[list[ClaimEvidence]] | None:
    """For each (URL or None, title, text): its matches, best first. None when no claim is
    stored (or no store exists yet): there is nothing to match against."""
    engine = open_database(settings)
    try:
        with Session(engine) as session:
            if not store.any_claims(session):
                return None
            found = _meaning_matches(session, articles)
            results = []
            for (url, _, _), matches in zip(articles, found, strict=True):
                pairs: list[tuple[int, str, float, str | None]] = []
                if url:  # a certain match first
                    pairs.extend((i, "url", 1.0, None) for i in _named_at(session, url))
                pairs.extend((m.claim_id, "meaning", m.score, m.passage) for m in matches)
                results.append(_evidence(session, pairs))
            return results
    finally:
        engine.dispose()


def _meaning_matches(
    session: Session, articles: Sequence[tuple[str | None, str, str]]
) -> list[list[PassageMatch]]:
    """Each article's matches by meaning; none, said once, without the `transformer` extra."""
    try:
        # A flat index: a few articles do not repay building a graph of every claim.
        matcher = ClaimMatcher(SentenceEncoder(), exact=True)
    except MissingExtraError as exc:
        LOGGER.warning("claims are matched by URL only: %s", exc)
        return [[] for _ in articles]
    _embed_missing(session, matcher)
    load_stored_claims(session, matcher)
    return matcher.match(matcher.embed([(title, text) for _, title, text in articles]))


def _embed_missing(session: Session, matcher: ClaimMatcher) -> None:
    """Vectors for claims the daemon has not embedded yet (stored: the daemon then skips them)."""
    model = matcher.encoder.name
    while pending := store.claims_to_embed(session, model, 256):
        ids = [claim_id for claim_id, _ in pending]
        texts = store.claim_texts(session, ids)
        store.store_claim_vectors(session, ids, matcher.encoder.encode([texts[i] for i in ids]),
                                  model)  # fmt: skip
        session.commit()


def _named_at(session: Session, url: str) -> list[int]:
    from crawler.urls import canonical_url

    query = select(ClaimAppearance.claim_id).where(ClaimAppearance.url == canonical_url(url))
    return list(session.scalars(query))


def _evidence(
    session: Session, pairs: list[tuple[int, str, float, str | None]]
) -> list[ClaimEvidence]:
    claims = {
        c.id: c for c in session.scalars(select(Claim).where(Claim.id.in_({p[0] for p in pairs})))
    }
    seen: set[int] = set()
    evidence = []
    for claim_id, method, score, passage in pairs:
        if claim_id in seen or claim_id not in claims:
            continue
        seen.add(claim_id)
        claim = claims[claim_id]
        evidence.append(ClaimEvidence(claim.claim, claim.rating, claim.rating_words,
                                      claim.fact_checker, claim.review_url, method, score,
                                      passage))  # fmt: skip
    return evidence
