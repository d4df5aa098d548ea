"""ClaimMatchingWorker: links stored articles with fact-checkers' claims, both ways, as they come.

Each step, in its own transactions:
1. claims without a vector are embedded and stored with it, so a restart re-embeds nothing;
2. claims new since the last step are matched against the recent articles: by URL (a review
   names the article as where the claim appeared) and by meaning, on the passage vectors kept
   for the look-back;
3. articles new since the last step are matched against all claims, by URL and by meaning;
   their passage vectors are kept for step 2 of later steps.
How far steps 2 and 3 have read is kept in `matching_marks`. The index of claim vectors is
built from the stored vectors at the first step, then grows with each new claim.

Without the `transformer` extra (torch, sentence-transformers, faiss) there is no encoder:
the worker says so once and matches by URL only, both ways, with the same marks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

import numpy as np
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from classifier.claim_matching.encoder import SentenceEncoder
from classifier.claim_matching.matcher import ClaimMatcher, EmbeddedArticle
from classifier.errors import ModelFolderError
from classifier.extras import MissingExtraError
from common.messages import first_line
from db import claim_matches as matching
from db import claims as store
from db.types import utcnow

LOGGER = logging.getLogger(__name__)

ARTICLES_MARK = "articles"
CLAIMS_MARK = "claims"
EMBED_BATCH = 256
PRUNE_EVERY = 100  # steps between deletions of passage vectors past the look-back


def load_stored_claims(session: Session, matcher: ClaimMatcher) -> int:
    """Put every claim embedded by the matcher's encoder into it; returns the last claim id."""
    model, dimensions = matcher.encoder.name, matcher.encoder.dimensions
    all_ids: list[int] = []
    for ids, vectors in store.claim_vectors(session, model, dimensions):
        matcher.index.add(ids, vectors)
        all_ids.extend(int(i) for i in ids)
    texts = store.claim_texts(session, all_ids)
    matcher.words.add(all_ids, [texts[i] for i in all_ids])
    return max(all_ids, default=0)


class ClaimMatchingWorker:
    """Matches articles with checked claims until stopped; one instance per daemon."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        batch_size: int = 64,
        lookback: timedelta = timedelta(days=3),
        threshold: float | None = None,
        encoder: Callable[[], SentenceEncoder] = SentenceEncoder,
    ) -> None:
        self.sessions = sessions
        self.batch_size = batch_size
        self.lookback = lookback
        self.threshold = threshold
        self._encoder_factory = encoder
        self._matcher: ClaimMatcher | None = None
        self._indexed_up_to = 0
        self._steps = 0
        self._url_only = False

    @property
    def matcher(self) -> ClaimMatcher:
        """The matcher with every stored claim vector in its index (built on first use)."""
        if self._matcher is None:
            self._matcher = ClaimMatcher(self._encoder_factory())
            if self.threshold is not None:
                self._matcher.threshold = self.threshold
            self._load_claims(self._matcher)
        return self._matcher

    def step(self) -> int:
        """One round of the three stages; returns how many claims and articles it handled.

        Until the first claim is stored nothing is loaded: a store without fact-checkers
        costs neither the encoder's memory nor its time.
        """
        if self._matcher is None and not self._url_only:
            with self.sessions.begin() as session:
                if not store.any_claims(session):
                    return 0
                matching.start_article_mark(session, ARTICLES_MARK, utcnow() - self.lookback)
        if self._url_only:
            return self._match_by_url()
        try:
            matcher = self.matcher
        except MissingExtraError as exc:
            LOGGER.warning("claims are matched by URL only: %s", exc)
            self._url_only = True
            return self._match_by_url()
        embedded = self._embed_claims(matcher)
        claims_done = self._match_new_claims(matcher)
        articles_done = self._match_new_articles(matcher)
        self._steps += 1
        if self._steps % PRUNE_EVERY == 1:
            with self.sessions.begin() as session:
                matching.prune_passages(session, utcnow() - self.lookback)
        return embedded + claims_done + articles_done

    def run(self, stop: threading.Event, *, idle_seconds: float = 5.0) -> None:
        """Match until `stop` is set; sleeps when there is nothing new, backs off on DB errors."""
        delay = idle_seconds
        while not stop.is_set():
            try:
                done = self.step()
                delay = idle_seconds
            except ModelFolderError as exc:
                LOGGER.error("claim matching is off: %s", exc)
                return
            except OperationalError as exc:
                LOGGER.error("database unavailable while matching claims (%s); retrying in %.0fs",
                             first_line(exc.orig or exc), delay)  # fmt: skip
                done, delay = 0, min(delay * 2, 300.0)
            except Exception:  # a bug must not stop matching for good: log, wait, go on
                LOGGER.exception("claim matching failed; retrying in %.0fs", delay)
                done, delay = 0, min(delay * 2, 300.0)
            if not done:
                stop.wait(delay)

    # ----- stages -------------------------------------------------------------------------

    def _load_claims(self, matcher: ClaimMatcher) -> None:
        with self.sessions() as session:
            self._indexed_up_to = load_stored_claims(session, matcher)
        if self._indexed_up_to:
            LOGGER.info("claim index loaded: %d claims from the store", len(matcher))

    def _embed_claims(self, matcher: ClaimMatcher) -> int:
        model = matcher.encoder.name
        with self.sessions() as session:
            pending = store.claims_to_embed(session, model, EMBED_BATCH)
            texts = store.claim_texts(session, [claim_id for claim_id, _ in pending])
        if not pending:
            return 0
        ids = [claim_id for claim_id, _ in pending]
        vectors = matcher.encoder.encode([texts[i] for i in ids])
        with self.sessions.begin() as session:
            store.store_claim_vectors(session, ids, vectors, model)
        fresh = [i for i in ids if i > self._indexed_up_to]
        if fresh:
            rows = [ids.index(i) for i in fresh]
            matcher.add_claims(fresh, vectors[rows], [texts[i] for i in fresh])
            self._indexed_up_to = max(fresh)
        LOGGER.info("embedded %d new claims (%d in the index)", len(ids), len(matcher))
        return len(ids)

    def _match_new_claims(self, matcher: ClaimMatcher) -> int:
        model, dimensions = matcher.encoder.name, matcher.encoder.dimensions
        with self.sessions() as session:
            after = matching.read_mark(session, CLAIMS_MARK)
            last = matching.last_claim_id(session, model)
        if last <= after:
            return 0
        with self.sessions() as session:
            new_ids: list[int] = []
            new_vectors: list[np.ndarray] = []
            for ids, vectors in store.claim_vectors(session, model, dimensions, after_id=after):
                new_ids.extend(int(i) for i in ids)
                new_vectors.append(vectors)
            texts = store.claim_texts(session, new_ids)
            matches = matching.claims_appearing_at(session, new_ids)
            claim_vectors = np.vstack(new_vectors)
            for batch in matching.recent_passages(session, model, utcnow() - self.lookback):
                articles = [
                    (article_id, EmbeddedArticle(passages, matching.vectors_from(data, dimensions)))
                    for article_id, passages, data in batch
                ]
                found = matcher.match_new_claims(
                    new_ids, claim_vectors, [texts[i] for i in new_ids], articles
                )
                matches.extend(
                    matching.Match(article_id, m.claim_id, "meaning", m.score, m.passage)
                    for article_id, m in found
                )
        with self.sessions.begin() as session:
            added = matching.store_matches(session, matches)
            matching.advance_mark(session, CLAIMS_MARK, max(new_ids))
        LOGGER.info("matched %d new claims against recent articles: %d new matches",
                    len(new_ids), added)  # fmt: skip
        return len(new_ids)

    def _match_by_url(self) -> int:
        """New claims against stored articles and new articles against all claims, by URL."""
        with self.sessions.begin() as session:
            claim_ids = store.claim_ids_after(
                session, matching.read_mark(session, CLAIMS_MARK), EMBED_BATCH
            )
            articles = matching.articles_to_match(
                session, matching.read_mark(session, ARTICLES_MARK), self.batch_size
            )
            found = matching.claims_appearing_at(session, claim_ids)
            found.extend(matching.url_matches(session, [a.id for a in articles]))
            added = matching.store_matches(session, found)
            if claim_ids:
                matching.advance_mark(session, CLAIMS_MARK, claim_ids[-1])
            if articles:
                matching.advance_mark(session, ARTICLES_MARK, articles[-1].id)
        if added:
            LOGGER.info("matched articles with checked claims by URL: %d new matches", added)
        return len(claim_ids) + len(articles)

    def _match_new_articles(self, matcher: ClaimMatcher) -> int:
        model = matcher.encoder.name
        with self.sessions() as session:
            after = matching.read_mark(session, ARTICLES_MARK)
            articles = matching.articles_to_match(session, after, self.batch_size)
        if not articles:
            return 0
        embedded = matcher.embed([(a.title, a.text) for a in articles])
        found = matcher.match(embedded)
        with self.sessions.begin() as session:
            matches = matching.url_matches(session, [a.id for a in articles])
            matches.extend(
                matching.Match(article.id, m.claim_id, "meaning", m.score, m.passage)
                for article, article_matches in zip(articles, found, strict=True)
                for m in article_matches
            )
            added = matching.store_matches(session, matches)
            for article, vectors in zip(articles, embedded, strict=True):
                if vectors.passages:
                    matching.store_passages(session, article.id, vectors.passages, vectors.vectors,
                                         model)  # fmt: skip
            matching.advance_mark(session, ARTICLES_MARK, articles[-1].id)
        if added:
            LOGGER.info("matched %d articles with checked claims: %d new matches",
                        len(articles), added)  # fmt: skip
        return len(articles)
