"""ArticleStore: the crawler's door to the database, one short transaction per page."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from db.queries import ArticleRecord, StoreOutcome, known_urls, store_article


class ArticleStore:
    """Stores pages and answers "seen before?" for one source."""

    def __init__(self, sessions: sessionmaker[Session], source_id: int | None) -> None:
        self.sessions = sessions
        self.source_id = source_id

    def known(self, urls: list[str]) -> set[str]:
        """Those of `urls` already stored (as articles or aliases)."""
        if not urls:
            return set()
        with self.sessions() as session:
            return known_urls(session, urls)

    def save(self, record: ArticleRecord) -> StoreOutcome:
        """Store one page in its own transaction: all of it or none of it."""
        try:
            with self.sessions.begin() as session:
                return store_article(session, record)
        except IntegrityError:
            # Another crawler stored this URL or text a moment ago: now it is a duplicate.
            with self.sessions.begin() as session:
                return store_article(session, record)
