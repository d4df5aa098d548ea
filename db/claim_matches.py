"""Articles linked with claims: what is left to match, the matches, and the evidence they give.

Matches are written once per (article, claim, method); each article's best match is kept in
`article_evidence`, which the results view reads. Recent articles' passage vectors are kept
so that new claims can be matched against them, and `matching_marks` says how far matching
has read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, delete, func, insert, select
from sqlalchemy.orm import Session

from db.models import (
    Article,
    ArticleAlias,
    ArticleEvidence,
    ArticlePassages,
    ArticleStatus,
    Claim,
    ClaimAppearance,
    ClaimMatch,
    MatchingMark,
    Source,
)
from db.types import utcnow

# Ratings whose claims make an article "debunked" or "supported" when it repeats them.
DEBUNKING = ("false", "mostly_false")
SUPPORTING = ("mostly_true", "true")
FACT_CHECK_CATEGORY = "factcheck"  # one of db.source_config.CATEGORIES
VECTOR_DTYPE = np.float16  # half the bytes of float32; cosine stays within 1e-3
IN_BATCH = 500  # ids per IN (...): well under SQLite's bound-parameter limit

Session_ = Session | Connection


def vector_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=VECTOR_DTYPE).tobytes()


def vectors_from(data: bytes, dimensions: int) -> np.ndarray:
    """float32 rows from stored bytes (one or several vectors)."""
    return np.frombuffer(data, dtype=VECTOR_DTYPE).reshape(-1, dimensions).astype(np.float32)


# --- what to match -------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleToMatch:
    id: int
    title: str
    text: str


def read_mark(session: Session, name: str) -> int:
    return session.scalar(select(MatchingMark.last_id).where(MatchingMark.name == name)) or 0


def advance_mark(session: Session, name: str, last_id: int) -> None:
    """Move a mark forward (never back), creating it on first use."""
    mark = session.get(MatchingMark, name, with_for_update=True)
    if mark is None:
        session.add(MatchingMark(name=name, last_id=last_id))
    elif last_id > mark.last_id:
        mark.last_id = last_id
    session.flush()


def articles_to_match(session: Session, after_id: int, limit: int) -> list[ArticleToMatch]:
    """Stored news articles after `after_id`, oldest first; fact-checkers' own pages left out.

    Skipped pages have no text worth matching; articles of fact-check sources would match
    the very claims they review.
    """
    query = (
        select(Article.id, Article.title, Article.text)
        .outerjoin(Source, Source.id == Article.source_id)
        .where(
            Article.id > after_id,
            Article.status.in_([ArticleStatus.NEW, ArticleStatus.SCORED]),
            (Source.category.is_(None)) | (Source.category != FACT_CHECK_CATEGORY),
        )
        .order_by(Article.id)
        .limit(limit)
    )
    return [ArticleToMatch(row.id, row.title or "", row.text) for row in session.execute(query)]


def last_claim_id(session: Session, model: str) -> int:
    return session.scalar(select(func.max(Claim.id)).where(Claim.embedding_model == model)) or 0


# --- matches and evidence ------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    article_id: int
    claim_id: int
    method: str  # "url" or "meaning"
    score: float
    passage: str | None = None


def url_matches(session: Session, article_ids: Sequence[int]) -> list[Match]:
    """Articles whose URL, or one of whose aliases, a review names as where its claim appeared."""
    return _appearance_matches(session, article_ids, by_article=True)


def claims_appearing_at(session: Session, claim_ids: Sequence[int]) -> list[Match]:
    """URL matches of newly stored claims against articles already stored."""
    return _appearance_matches(session, claim_ids, by_article=False)


def _appearance_matches(session: Session, ids: Sequence[int], *, by_article: bool) -> list[Match]:
    matches: list[Match] = []
    for start in range(0, len(ids), IN_BATCH):
        batch = list(ids[start : start + IN_BATCH])
        by_url = select(Article.id, ClaimAppearance.claim_id).join(
            ClaimAppearance, ClaimAppearance.url == Article.url
        )
        by_alias = select(ArticleAlias.article_id, ClaimAppearance.claim_id).join(
            ClaimAppearance, ClaimAppearance.url == ArticleAlias.url
        )
        if by_article:
            by_url = by_url.where(Article.id.in_(batch))
            by_alias = by_alias.where(ArticleAlias.article_id.in_(batch))
        else:
            by_url = by_url.where(ClaimAppearance.claim_id.in_(batch))
            by_alias = by_alias.where(ClaimAppearance.claim_id.in_(batch))
        pairs = {tuple(row) for query in (by_url, by_alias) for row in session.execute(query)}
        matches.extend(Match(article, claim, "url", 1.0) for article, claim in sorted(pairs))
    return matches


def store_matches(session: Session, matches: Sequence[Match]) -> int:
    """Insert the matches not stored yet and refresh their articles' evidence; returns new ones."""
    if not matches:
        return 0
    articles = sorted({match.article_id for match in matches})
    known: set[tuple[int, int, str]] = set()
    for start in range(0, len(articles), IN_BATCH):
        rows = session.execute(
            select(ClaimMatch.article_id, ClaimMatch.claim_id, ClaimMatch.method).where(
                ClaimMatch.article_id.in_(articles[start : start + IN_BATCH])
            )
        )
        known.update((row.article_id, row.claim_id, row.method) for row in rows)
    now = utcnow()
    rows_to_add: list[dict[str, Any]] = []
    for match in matches:
        key = (match.article_id, match.claim_id, match.method)
        if key not in known:
            known.add(key)
            rows_to_add.append(
                {
                    "article_id": match.article_id,
                    "claim_id": match.claim_id,
                    "method": match.method,
                    "score": float(match.score),
                    "passage": match.passage,
                    "matched_at": now,
                }
            )
    if rows_to_add:
        session.execute(insert(ClaimMatch), rows_to_add)
        refresh_evidence(session, sorted({int(row["article_id"]) for row in rows_to_add}))
    return len(rows_to_add)


def refresh_evidence(session: Session_, article_ids: Sequence[int]) -> None:
    """Point each article at its best match: by URL before by meaning, then the higher score."""
    for start in range(0, len(article_ids), IN_BATCH):
        batch = list(article_ids[start : start + IN_BATCH])
        rows = session.execute(
            select(
                ClaimMatch.id,
                ClaimMatch.article_id,
                ClaimMatch.method,
                ClaimMatch.score,
                Claim.rating,
            )
            .join(Claim, Claim.id == ClaimMatch.claim_id)
            .where(ClaimMatch.article_id.in_(batch))
        ).all()
        best: dict[int, Any] = {}
        for row in rows:
            rank = (row.method == "url", row.score, -row.id)
            if row.article_id not in best or rank > best[row.article_id][0]:
                best[row.article_id] = (rank, row)
        session.execute(delete(ArticleEvidence).where(ArticleEvidence.article_id.in_(batch)))
        now = utcnow()
        values = [
            {
                "article_id": article_id,
                "match_id": row.id,
                "evidence": evidence_of(row.rating),
                "updated_at": now,
            }
            for article_id, (_, row) in best.items()
        ]
        if values:
            session.execute(insert(ArticleEvidence), values)


def evidence_of(rating: str) -> str | None:
    if rating in DEBUNKING:
        return "debunked"
    if rating in SUPPORTING:
        return "supported"
    return None


# --- passages kept for new claims ----------------------------------------------------------


def store_passages(
    session: Session, article_id: int, passages: Sequence[str], vectors: np.ndarray, model: str
) -> None:
    session.merge(
        ArticlePassages(
            article_id=article_id,
            passages=list(passages),
            vectors=vector_bytes(vectors),
            embedding_model=model,
            created_at=utcnow(),
        )
    )


def recent_passages(
    session: Session, model: str, since: datetime, *, batch: int = 2_000
) -> Iterator[list[tuple[int, list[str], bytes]]]:
    """Kept passages of articles matched since `since`, by `model`, a batch at a time."""
    last = 0
    while True:
        rows = session.execute(
            select(ArticlePassages.article_id, ArticlePassages.passages, ArticlePassages.vectors)
            .where(
                ArticlePassages.embedding_model == model,
                ArticlePassages.created_at >= since,
                ArticlePassages.article_id > last,
            )
            .order_by(ArticlePassages.article_id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield [(row.article_id, list(row.passages), row.vectors) for row in rows]
        last = rows[-1].article_id


def prune_passages(session: Session, before: datetime) -> int:
    """Forget passage vectors older than the look-back; returns how many articles'."""
    result = session.execute(delete(ArticlePassages).where(ArticlePassages.created_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


def start_article_mark(session: Session, name: str, since: datetime) -> None:
    """On first use, start a mark after the articles fetched before `since` (older ones
    are not matched: the first claims arrive in a store that may hold years of articles)."""
    if session.get(MatchingMark, name) is not None:
        return
    older = select(func.max(Article.id)).where(Article.fetched_at < since)
    session.add(MatchingMark(name=name, last_id=session.scalar(older) or 0))
    session.flush()


def debunked_articles_by_source(session: Session) -> dict[str | None, int]:
    """Per source: articles whose best claim match is a false or mostly-false claim."""
    query = (
        select(Source.name, func.count(ArticleEvidence.article_id))
        .select_from(ArticleEvidence)
        .join(Article, Article.id == ArticleEvidence.article_id)
        .outerjoin(Source, Source.id == Article.source_id)
        .where(ArticleEvidence.evidence == "debunked")
        .group_by(Source.name)
    )
    return {name: int(count) for name, count in session.execute(query)}
