"""The claims store: fact-checkers' reviews and their vectors; listing and counting them.

Reviews are upserted by (review URL, claim key): a re-crawled fact-check updates its rating
rather than adding a second row, and a revised rating refreshes its articles' evidence.
Matches with articles live in db.claim_matches.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from db.claim_matches import IN_BATCH, Session_, refresh_evidence, vector_bytes, vectors_from
from db.models import (
    Claim,
    ClaimAppearance,
    ClaimMatch,
)
from db.types import utcnow

CLAIM_FIELDS = (
    "claim",
    "title",
    "rating",
    "rating_words",
    "rating_value",
    "best_rating",
    "worst_rating",
    "fact_checker",
    "fact_checker_url",
    "reviewed_at",
    "language",
    "claimant",
    "claimed_at",
)
_SPACES = re.compile(r"\s+")


def claim_key(claim: str) -> str:
    """A claim's identity within its review: the hash of its text, case and spacing folded."""
    return hashlib.sha256(_SPACES.sub(" ", claim).strip().casefold().encode()).hexdigest()


@dataclass(frozen=True)
class StoredClaims:
    new: int
    updated: int


def upsert_claims(
    session: Session_, reviews: Sequence[dict[str, Any]], source_id: int | None
) -> StoredClaims:
    """Store reviews (dicts with `review_url`, `claim`, `appearances` and CLAIM_FIELDS).

    Runs in the caller's transaction. A review already stored gets its fields refreshed;
    a changed claim text is a new claim (its key differs), so a stored vector is never stale.
    """
    new = updated = 0
    for review in reviews:
        key = claim_key(review["claim"])
        values = {name: review.get(name) for name in CLAIM_FIELDS}
        values["fact_checker"] = values["fact_checker"] or "unknown"
        appearances = [str(url) for url in review.get("appearances") or []]
        values["appearances"] = appearances
        existing = session.execute(
            select(Claim.id, Claim.rating).where(
                Claim.review_url == review["review_url"], Claim.claim_key == key
            )
        ).first()
        now = utcnow()
        if existing is None:
            claim_id = session.execute(
                insert(Claim).returning(Claim.id),
                {
                    **values,
                    "review_url": review["review_url"],
                    "claim_key": key,
                    "source_id": source_id,
                    "found_at": now,
                    "updated_at": now,
                },
            ).scalar_one()
            new += 1
        else:
            claim_id, rating = existing
            session.execute(
                update(Claim).where(Claim.id == claim_id), {**values, "updated_at": now}
            )
            updated += 1
            if rating != values["rating"]:  # a revised verdict changes its articles' evidence
                matched = select(ClaimMatch.article_id).where(ClaimMatch.claim_id == claim_id)
                refresh_evidence(session, sorted(set(session.scalars(matched))))
        _add_appearances(session, claim_id, appearances)
    return StoredClaims(new, updated)


def _add_appearances(session: Session_, claim_id: int, urls: Iterable[str]) -> None:
    wanted = list(dict.fromkeys(urls))
    if not wanted:
        return
    known = set(
        session.execute(
            select(ClaimAppearance.url).where(
                ClaimAppearance.claim_id == claim_id, ClaimAppearance.url.in_(wanted)
            )
        ).scalars()
    )
    rows = [{"claim_id": claim_id, "url": url} for url in wanted if url not in known]
    if rows:
        session.execute(insert(ClaimAppearance), rows)


# --- vectors -------------------------------------------------------------------------------


def claims_to_embed(session: Session, model: str, limit: int) -> list[tuple[int, str]]:
    """Claims without a vector from `model` (new ones, or embedded by another model)."""
    query = (
        select(Claim.id, Claim.claim)
        .where((Claim.embedding_model.is_(None)) | (Claim.embedding_model != model))
        .order_by(Claim.id)
        .limit(limit)
    )
    return [(row.id, row.claim) for row in session.execute(query)]


def claim_ids_after(session: Session, after_id: int, limit: int) -> list[int]:
    """Ids of the claims stored after `after_id`, oldest first (matching by URL needs no vector)."""
    query = select(Claim.id).where(Claim.id > after_id).order_by(Claim.id).limit(limit)
    return list(session.scalars(query))


def store_claim_vectors(
    session: Session, ids: Sequence[int], vectors: np.ndarray, model: str
) -> None:
    for claim_id, vector in zip(ids, vectors, strict=True):
        session.execute(
            update(Claim).where(Claim.id == claim_id),
            {"embedding": vector_bytes(vector), "embedding_model": model},
        )


def claim_vectors(
    session: Session, model: str, dimensions: int, *, after_id: int = 0, batch: int = 10_000
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(ids, float32 vectors) of the claims embedded by `model`, in id order, batch by batch."""
    last = after_id
    while True:
        rows = session.execute(
            select(Claim.id, Claim.embedding)
            .where(Claim.embedding_model == model, Claim.id > last)
            .order_by(Claim.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        ids = np.array([row.id for row in rows], dtype=np.int64)
        vectors = np.vstack([vectors_from(row.embedding, dimensions) for row in rows])
        yield ids, vectors
        last = int(ids[-1])


def claim_texts(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """The text a claim is matched on: its claim, then the review's title when it has one."""
    wanted = sorted(set(ids))
    texts: dict[int, str] = {}
    for start in range(0, len(wanted), IN_BATCH):
        rows = session.execute(
            select(Claim.id, Claim.claim, Claim.title).where(
                Claim.id.in_(wanted[start : start + IN_BATCH])
            )
        )
        texts.update({row.id: matching_text(row.claim, row.title) for row in rows})
    return texts


def matching_text(claim: str, title: str | None) -> str:
    """Claim and review title together: the title often restates the claim in plain words."""
    return f"{claim} {title}" if title else claim


# --- reading claims ------------------------------------------------------------------------


def claim_rows(
    session: Session,
    *,
    search: str | None = None,
    fact_checkers: Sequence[str] = (),
    ratings: Sequence[str] = (),
    limit: int | None = 50,
) -> list[dict[str, Any]]:
    """Stored claims, newest review first, with how many articles each was matched to."""
    matched = (
        select(ClaimMatch.claim_id, func.count(func.distinct(ClaimMatch.article_id)).label("n"))
        .group_by(ClaimMatch.claim_id)
        .subquery()
    )
    query = (
        select(
            Claim.id,
            Claim.claim,
            Claim.rating,
            Claim.rating_words,
            Claim.fact_checker,
            Claim.review_url,
            Claim.reviewed_at,
            Claim.claimant,
            Claim.language,
            func.coalesce(matched.c.n, 0).label("articles"),
        )
        .outerjoin(matched, matched.c.claim_id == Claim.id)
        .order_by(Claim.reviewed_at.desc().nulls_last(), Claim.id.desc())
    )
    if search:
        for word in search.split():
            query = query.where(func.lower(Claim.claim).contains(word.lower(), autoescape=True))
    if fact_checkers:
        query = query.where(Claim.fact_checker.in_(fact_checkers))
    if ratings:
        query = query.where(Claim.rating.in_(ratings))
    if limit is not None:
        query = query.limit(limit)
    return [dict(row._mapping) for row in session.execute(query)]


def fact_checker_stats(session: Session) -> list[tuple[str, int, datetime | None]]:
    """Per fact-checker: claims stored and when the newest was found."""
    query = select(Claim.fact_checker, func.count(Claim.id), func.max(Claim.found_at)).group_by(
        Claim.fact_checker
    )
    return [(name, int(count), newest) for name, count, newest in session.execute(query)]


def any_claims(session: Session) -> bool:
    return session.scalar(select(Claim.id).limit(1)) is not None
