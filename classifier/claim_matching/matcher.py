"""Match articles with checked claims by meaning: nearest claims by vector, then a blended score.

Each passage of an article (title, leading sentences) is embedded; the index gives its
CANDIDATES nearest claims; each pair is scored as the mean of MiniLM's cosine and of the
TF-IDF cosine weighted by LEXICAL_WEIGHT; an article's score for a claim is its best
passage's. A pair at or above the threshold is a match. The weight and the threshold were
chosen on the CheckThat! developer queries (bench/claim_matching.py, BENCHMARKS.md).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from classifier.claim_matching import THRESHOLD
from classifier.claim_matching.encoder import SentenceEncoder
from classifier.claim_matching.index import ClaimIndex
from classifier.claim_matching.lexical import ClaimWords
from classifier.claim_matching.passages import MAX_PASSAGES, article_passages

LOGGER = logging.getLogger(__name__)

CANDIDATES = 20
LEXICAL_WEIGHT = 0.8
# Score = (dense cosine + LEXICAL_WEIGHT * TF-IDF cosine) / (1 + LEXICAL_WEIGHT), in [0, 1];
# a pair at or above THRESHOLD is a match.
MAX_MATCHES_PER_ARTICLE = 5


@dataclass(frozen=True)
class PassageMatch:
    """One claim an article repeats: which claim, how close, and the passage that repeats it."""

    claim_id: int
    score: float
    passage: str


@dataclass(frozen=True)
class EmbeddedArticle:
    """An article's passages and their vectors: kept so that new claims can be matched later."""

    passages: list[str]
    vectors: np.ndarray


class ClaimMatcher:
    """Holds the claims (vectors in an index, words for overlap) and matches texts against them."""

    def __init__(
        self,
        encoder: SentenceEncoder,
        *,
        threshold: float = THRESHOLD,
        lexical_weight: float = LEXICAL_WEIGHT,
        candidates: int = CANDIDATES,
        max_passages: int = MAX_PASSAGES,
        exact: bool = False,
    ) -> None:
        self.encoder = encoder
        self.threshold = threshold
        self.lexical_weight = lexical_weight
        self.candidates = candidates
        self.max_passages = max_passages
        self.index = ClaimIndex(encoder.dimensions, exact=exact)
        self.words = ClaimWords()

    def __len__(self) -> int:
        return len(self.index)

    def add_claims(self, ids: Sequence[int], vectors: np.ndarray, texts: Sequence[str]) -> None:
        """Claims with their stored vectors and matching texts (see db.claims.matching_text)."""
        self.index.add(np.asarray(ids, dtype=np.int64), vectors)
        self.words.add(ids, texts)

    def embed(self, articles: Sequence[tuple[str, str]]) -> list[EmbeddedArticle]:
        """Each (title, text)'s passages and their vectors, in one encoder call."""
        passages = [article_passages(title, text, self.max_passages) for title, text in articles]
        flat = [passage for article in passages for passage in article]
        vectors = self.encoder.encode(flat)
        embedded, start = [], 0
        for article in passages:
            embedded.append(EmbeddedArticle(article, vectors[start : start + len(article)]))
            start += len(article)
        return embedded

    def match(self, articles: Sequence[EmbeddedArticle]) -> list[list[PassageMatch]]:
        """Each article's matches at or above the threshold, best first."""
        return [
            [m for m in ranked if m.score >= self.threshold][:MAX_MATCHES_PER_ARTICLE]
            for ranked in self.ranked(articles)
        ]

    def ranked(self, articles: Sequence[EmbeddedArticle]) -> list[list[PassageMatch]]:
        """Each article's candidate claims, best first, whatever their score."""
        passages = [passage for article in articles for passage in article.passages]
        if not passages or len(self.index) == 0:
            return [[] for _ in articles]
        owners = np.repeat(np.arange(len(articles)), [len(a.passages) for a in articles])
        dense, claim_ids = self.index.search(np.vstack([a.vectors for a in articles]),
                                             self.candidates)  # fmt: skip
        rows = np.repeat(np.arange(len(passages)), dense.shape[1])
        flat_ids = claim_ids.ravel()
        valid = flat_ids >= 0
        rows, flat_ids, flat_dense = rows[valid], flat_ids[valid], dense.ravel()[valid]
        lexical = self.words.similarity(self.words.counts(passages), rows, flat_ids)
        scores = (flat_dense + self.lexical_weight * lexical) / (1 + self.lexical_weight)
        best: list[dict[int, PassageMatch]] = [{} for _ in articles]
        for row, claim_id, score in zip(rows.tolist(), flat_ids.tolist(), scores.tolist(),
                                        strict=True):  # fmt: skip
            found = best[owners[row]]
            if claim_id not in found or score > found[claim_id].score:
                found[claim_id] = PassageMatch(claim_id, score, passages[row])
        return [sorted(found.values(), key=lambda m: (-m.score, m.claim_id)) for found in best]

    def match_new_claims(
        self,
        claim_ids: Sequence[int],
        claim_vectors: np.ndarray,
        claim_texts: Sequence[str],
        articles: Sequence[tuple[int, EmbeddedArticle]],
    ) -> list[tuple[int, PassageMatch]]:
        """New claims against articles already embedded: (article id, match) pairs.

        Exact search (a matrix product): the new claims are few and the kept passages of
        recent articles are what there is to search.
        """
        if not claim_ids or not articles:
            return []
        passages = [p for _, article in articles for p in article.passages]
        if not passages:
            return []
        owners = np.repeat([article_id for article_id, _ in articles],
                           [len(article.passages) for _, article in articles])  # fmt: skip
        vectors = np.vstack([article.vectors for _, article in articles])
        dense = vectors @ np.asarray(claim_vectors, dtype=np.float32).T  # passages x claims
        # Only pairs the dense score alone could carry over the threshold need words.
        floor = self.threshold * (1 + self.lexical_weight) - self.lexical_weight
        rows, columns = np.nonzero(dense >= floor)
        if len(rows) == 0:
            return []
        ids = np.asarray(claim_ids, dtype=np.int64)
        self.words.add(claim_ids, claim_texts)
        lexical = self.words.similarity(self.words.counts(passages), rows, ids[columns])
        scores = (dense[rows, columns] + self.lexical_weight * lexical) / (1 + self.lexical_weight)
        best: dict[tuple[int, int], PassageMatch] = {}
        for position in np.flatnonzero(scores >= self.threshold):
            key = (int(owners[rows[position]]), int(ids[columns[position]]))
            match = PassageMatch(key[1], float(scores[position]), passages[rows[position]])
            if key not in best or match.score > best[key].score:
                best[key] = match
        return [(article_id, match) for (article_id, _), match in sorted(best.items())]
