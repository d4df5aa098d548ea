"""Full-text search over articles' titles and text: one syntax, on SQLite FTS5 or PostgreSQL.

The syntax is a web search's, the same on both stores: every word must appear, `"a phrase"`
in that order, `OR` between two terms takes either, `-word` leaves out the articles with it.
Words match whole, case aside, accents counted, without stemming: PostgreSQL's `simple`
configuration and FTS5's `unicode61` tokenizer (remove_diacritics 0) agree on that for every
language the crawler stores, where a language's stemmer would suit one language and mangle
the rest. The search is parsed here and built from quoted terms, so no user text reaches
FTS5's own query language, whose syntax errors would otherwise surface as database errors.

Migration 0009 builds the index: an FTS5 table kept by triggers on SQLite, a GIN index over
`SEARCH_VECTOR_SQL` on PostgreSQL. Both index the first TITLE_CHARS of the title and the first
TEXT_CHARS of the text: PostgreSQL refuses a tsvector over 1 MB, which would make storing a
huge page fail, and the same cap on SQLite keeps the two stores' answers alike.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import reduce
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Subquery,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.exc import OperationalError

from db.errors import DatabaseError
from db.models import Article

SEARCH_TABLE = "articles_search"  # SQLite's FTS5 table (and its shadow tables' prefix)
SEARCH_INDEX = "ix_articles_search"  # PostgreSQL's GIN index
TITLE_CHARS = 1000
TEXT_CHARS = 100_000
# A title's words weigh ten times a body's (FTS5 bm25 column weights; ts_rank's A and D).
TITLE_WEIGHT, TEXT_WEIGHT = 10.0, 1.0
# The indexed expression, exactly as the query below spells it: the planner uses the index
# only for the same expression.
SEARCH_VECTOR_SQL = (
    f"setweight(to_tsvector('simple'::regconfig, left(coalesce(title, ''), {TITLE_CHARS})), 'A')"
    f" || setweight(to_tsvector('simple'::regconfig, left(text, {TEXT_CHARS})), 'D')"
)
SYNTAX = 'words (all must appear), "a phrase", a OR b, -word (leaves out)'
_TERM = re.compile(r'(-?)(?:"([^"]*)"|([^\s"]+))')


class SearchError(DatabaseError):
    """A search the syntax cannot read, or one with nothing to look for."""


@dataclass(frozen=True)
class Search:
    """A parsed search: every group must match (any of its terms); no excluded term may."""

    groups: tuple[tuple[str, ...], ...]
    excluded: tuple[str, ...] = ()


def parse_search(text: str) -> Search:
    """The search in `text`, or a SearchError saying what is wrong with it."""
    if text.count('"') % 2:
        raise SearchError(f'search {text!r} has an unclosed quote: close the phrase with "')
    groups: list[list[str]] = []
    excluded: list[str] = []
    joining = False  # the previous term was OR
    for match in _TERM.finditer(text):
        negated, phrase, word = bool(match.group(1)), match.group(2), match.group(3)
        if phrase is None and word == "OR" and not negated:
            if not groups or joining:
                raise SearchError(f"search {text!r}: OR must stand between two terms")
            joining = True
            continue
        term = phrase if phrase is not None else word
        if not _has_words(term):
            continue
        if negated:
            if joining:
                raise SearchError(f"search {text!r}: OR joins terms to find, not -excluded ones")
            excluded.append(term)
        elif joining:
            groups[-1].append(term)
        else:
            groups.append([term])
        joining = False
    if joining:
        raise SearchError(f"search {text!r}: OR must stand between two terms")
    if not groups:
        raise SearchError(
            f"search {text!r} has no word to look for (excluded words alone find nothing); "
            f"use {SYNTAX}"
        )
    return Search(tuple(tuple(group) for group in groups), tuple(excluded))


def search_hits(dialect: str, search: Search) -> Subquery:
    """(article_id, relevance) of the articles the search finds; higher relevance first."""
    if dialect == "sqlite":
        return _fts5_hits(search)
    if dialect == "postgresql":
        return _postgres_hits(search)
    raise SearchError(f"full-text search needs SQLite or PostgreSQL, not {dialect}")


def search_failure(exc: OperationalError) -> SearchError | None:
    """A one-line SearchError for a failure of the search itself (an FTS5 error), else None."""
    reason = str(getattr(exc, "orig", exc))
    if "fts5" in reason or SEARCH_TABLE in reason:
        return SearchError(
            f"the search failed ({reason.splitlines()[0]}); use {SYNTAX}, or run "
            "`fakewatch db upgrade` if the search index is missing"
        )
    return None


def described_by_models(
    _object: Any, name: str | None, _type: str, reflected: bool, _other: Any
) -> bool:
    """Alembic's include_object: False for the search index, which the models do not describe."""
    return not (reflected and name is not None and name.startswith((SEARCH_TABLE, SEARCH_INDEX)))


def fts5_expression(search: Search) -> str:
    """The search as an FTS5 query in which every term is a quoted string."""

    def quoted(term: str) -> str:
        return '"' + term.replace('"', '""') + '"'

    parts = [
        quoted(group[0]) if len(group) == 1 else "(" + " OR ".join(map(quoted, group)) + ")"
        for group in search.groups
    ]
    expression = " AND ".join(parts)
    for term in search.excluded:
        expression = f"({expression}) NOT {quoted(term)}"
    return expression


def _fts5_hits(search: Search) -> Subquery:
    index = table(SEARCH_TABLE, column("rowid"))
    name: ColumnElement[Any] = literal_column(SEARCH_TABLE)
    # bm25 is lower for better matches.
    rank = func.bm25(name, literal_column(repr(TITLE_WEIGHT)), literal_column(repr(TEXT_WEIGHT)))
    return (
        select(index.c.rowid.label("article_id"), (-rank).label("relevance"))
        .where(name.op("MATCH")(bindparam("search_expression", fts5_expression(search))))
        .subquery("search_hits")
    )


def _postgres_hits(search: Search) -> Subquery:
    vector: ColumnElement[Any] = literal_column(
        SEARCH_VECTOR_SQL
    )  # `title` and `text` of the FROM's articles
    query = _tsquery(search)
    # Normalisation 1: a long article's many mentions count less than a short one's few.
    relevance = func.ts_rank(vector, query, literal_column("1"))
    return (
        select(Article.id.label("article_id"), relevance.label("relevance"))
        .where(vector.op("@@")(query))
        .subquery("search_hits")
    )


def _tsquery(search: Search) -> ColumnElement[Any]:
    counter = iter(range(1 << 30))

    def term(text: str) -> ColumnElement[Any]:
        value: ColumnElement[str] = bindparam(f"search_term_{next(counter)}", text)
        return func.phraseto_tsquery(literal_column("'simple'::regconfig"), value)

    groups = [reduce(func.tsquery_or, map(term, group)) for group in search.groups]
    query = reduce(func.tsquery_and, groups)
    for excluded in search.excluded:
        query = func.tsquery_and(query, func.tsquery_not(term(excluded)))
    return query


def _has_words(term: str) -> bool:
    """Whether a term holds a letter or digit: the tokenizers drop everything else."""
    return any(unicodedata.category(char)[0] in "LN" for char in term)
