"""full-text search over articles' titles and text (`fakewatch query --search`)

SQLite: an FTS5 table `articles_search` over the articles (external content: it holds the
index, not a second copy of the text), filled from the stored articles here and kept in step
by triggers on insert, update and delete. PostgreSQL: a GIN index over the weighted tsvector
of db/search.py, in the `simple` configuration (no stemming, no stop words: the store mixes
languages). Both index the first 1,000 characters of a title and 100,000 of a text.

A later migration that rebuilds `articles` on SQLite (batch mode) drops these triggers: it
must create them again and run the fill below.

Revision ID: 0009_article_search
Revises: 0008
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009_article_search"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported from db/search.py, so that this migration stays as it ran;
# a test checks that the two agree.
POSTGRES_VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, left(coalesce(title, ''), 1000)), 'A')"
    " || setweight(to_tsvector('simple'::regconfig, left(text, 100000)), 'D')"
)
SQLITE_UPGRADE = (
    "CREATE VIRTUAL TABLE articles_search USING fts5(title, text, content='articles', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    """INSERT INTO articles_search(rowid, title, text)
    SELECT id, substr(coalesce(title, ''), 1, 1000), substr(text, 1, 100000) FROM articles""",
    """CREATE TRIGGER articles_search_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_search(rowid, title, text)
    VALUES (new.id, substr(coalesce(new.title, ''), 1, 1000), substr(new.text, 1, 100000));
END""",
    """CREATE TRIGGER articles_search_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_search(articles_search, rowid, title, text)
    VALUES ('delete', old.id, substr(coalesce(old.title, ''), 1, 1000),
            substr(old.text, 1, 100000));
END""",
    """CREATE TRIGGER articles_search_update AFTER UPDATE OF title, text ON articles BEGIN
    INSERT INTO articles_search(articles_search, rowid, title, text)
    VALUES ('delete', old.id, substr(coalesce(old.title, ''), 1, 1000),
            substr(old.text, 1, 100000));
    INSERT INTO articles_search(rowid, title, text)
    VALUES (new.id, substr(coalesce(new.title, ''), 1, 1000), substr(new.text, 1, 100000));
END""",
)
SQLITE_DOWNGRADE = (
    "DROP TRIGGER articles_search_update",
    "DROP TRIGGER articles_search_delete",
    "DROP TRIGGER articles_search_insert",
    "DROP TABLE articles_search",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UPGRADE:
            op.execute(statement)
    else:
        op.execute(f"CREATE INDEX ix_articles_search ON articles USING gin (({POSTGRES_VECTOR}))")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWNGRADE:
            op.execute(statement)
    else:
        op.execute("DROP INDEX ix_articles_search")
