"""ArticleStore: the crawler's door to the database, one short transaction per page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from db.claims import StoredClaims, upsert_claims
from db.queries import ArticleRecord, StoreOutcome, known_urls, store_article


class ArticleStore:
    """Stores pages and answers "seen before?" for one source.

    Works on plain connections, not ORM sessions: it runs for every page a crawl fetches.
    """

    def __init__(self, engine: Engine, source_id: int | None) -> None:
        self.engine = engine
        self.source_id = source_id

    def known(self, urls: list[str]) -> set[str]:
        """Those of `urls` already stored (as articles or aliases)."""
        if not urls:
            return set()
        with self.engine.connect() as connection:
            return known_urls(connection, urls)

    def save(self, record: ArticleRecord) -> StoreOutcome:
        """Store one page in its own transaction: all of it or none of it."""
        try:
            with self.engine.begin() as connection:
                return store_article(connection, record)
        except IntegrityError:
            # Another crawler stored this URL or text a moment ago: now it is a duplicate.
            with self.engine.begin() as connection:
                return store_article(connection, record)

    def save_claims(self, reviews: list[dict[str, Any]]) -> StoredClaims:
        """Store one page's fact-check reviews in their own transaction."""
        try:
            with self.engine.begin() as connection:
                return upsert_claims(connection, reviews, self.source_id)
        except IntegrityError:
            # Another crawl stored the same review a moment ago: now it is an update.
            with self.engine.begin() as connection:
                return upsert_claims(connection, reviews, self.source_id)
