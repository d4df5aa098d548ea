"""A source's learned names (`sources.site_names`): read before a crawl, kept after it.

When a crawl learns a name (see `articles.site_names`), the titles this source stored before
it was known, in this crawl or earlier ones, lose it too, so that a source's titles read
alike whatever page taught the name.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from articles.metadata import refine_title
from crawler.report import CrawlReport
from db.models import Article, Source

LOGGER = logging.getLogger(__name__)


def known_site_names(session: Session, source_id: int) -> tuple[str, ...]:
    """The names earlier crawls learned for this source."""
    names = session.scalar(select(Source.site_names).where(Source.id == source_id))
    return tuple(str(name) for name in names or ())


def remember_learned_names(session: Session, source_id: int, report: CrawlReport) -> None:
    """Keep the names a crawl learned from the source's titles, and say so."""
    learned = report.site_names.learned
    if learned:
        changed = remember_site_names(session, source_id, learned)
        LOGGER.info("%s: its titles carry the name %s: dropped from %d stored titles",
                    report.source_name, " / ".join(map(repr, learned)), changed)  # fmt: skip


def remember_site_names(session: Session, source_id: int, learned: Sequence[str]) -> int:
    """Keep newly learned names and drop them from the source's stored titles; returns how
    many titles changed."""
    if not learned:
        return 0
    source = session.get_one(Source, source_id)
    names = tuple(dict.fromkeys([*(source.site_names or ()), *learned]))
    source.site_names = list(names)
    # Only titles that begin or end with a learned name can change (bound, escaped patterns).
    edges = [
        condition
        for name in learned
        for condition in (
            Article.title.like(f"%{_escaped(name)}", escape="\\"),
            Article.title.like(f"{_escaped(name)}%", escape="\\"),
        )
    ]
    changed = 0
    query = select(Article).where(Article.source_id == source_id, or_(*edges))
    for article in session.scalars(query):
        title = refine_title(article.title, (), names)
        if title and title != article.title:
            article.title = title
            changed += 1
    session.flush()
    return changed


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
