"""Items the spider hands to the storage pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ListingHint:
    """What a feed or sitemap said about an article, used where the page itself is silent."""

    title: str | None = None
    published: datetime | None = None
    authors: tuple[str, ...] = ()


@dataclass
class PageItem:
    """One downloaded article page, before extraction."""

    url: str
    final_url: str
    body: bytes
    content_type: str
    # The charset the Content-Type header names: a hint only, servers get it wrong.
    header_charset: str | None
    hint: ListingHint = field(default_factory=ListingHint)
    alias_urls: tuple[str, ...] = ()
    skip_reason: str | None = None
