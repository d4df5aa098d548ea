"""Feeds: article links and their metadata from RSS 2.0, Atom and RSS 1.0 (RDF) documents."""

from __future__ import annotations

import calendar
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser

from common.messages import first_line

LOGGER = logging.getLogger(__name__)
HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html)", re.IGNORECASE | re.DOTALL)
FEED_START = re.compile(rb"<(rss|feed|rdf:RDF)[\s>]", re.IGNORECASE)
# Entity declarations, quoted values and all. feedparser keeps "safe" ones (plain strings),
# and one 4 KB entity referenced a thousand times per title grew a 4.5 MB feed to 1.86 GB of
# memory: feeds have no use for them, so none survives. A reference to a removed entity stays
# literal text ("&a;").
ENTITY_DECLARATION = re.compile(rb"""<!ENTITY\b(?:"[^"]*"|'[^']*'|[^>"'])*>""", re.IGNORECASE)
# What a feed may tell about one item; longer values are cut (a title is a line, not a page).
TITLE_MAX_CHARS = 1000
AUTHOR_MAX_CHARS = 200
AUTHORS_MAX = 20


class FeedError(ValueError):
    """A document that should be a feed is not one; `reason` is a short stable code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed: its link, plus what the feed says about it."""

    url: str
    title: str | None
    published: datetime | None
    authors: tuple[str, ...]


def looks_like_feed(body: bytes) -> bool:
    """True when the first kilobytes hold an RSS, Atom or RDF root element."""
    return bool(FEED_START.search(body[:4096]))


def parse_feed(body: bytes, url: str) -> list[FeedEntry]:
    """The entries of a feed document; raises FeedError for HTML, broken XML or non-feeds."""
    if HTML_START.match(body[:1024]):
        raise FeedError("not_a_feed", f"{url} is an HTML page, not a feed")
    body = ENTITY_DECLARATION.sub(b"", body)
    # Bytes, never a URL string: feedparser would otherwise fetch it itself.
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.version:
        if parsed.bozo:
            detail = first_line(parsed.get("bozo_exception", ""), 200)
            raise FeedError("malformed_feed", f"{url} is not well-formed XML ({detail})")
        raise FeedError("not_a_feed", f"{url} is XML but not RSS, Atom or RDF")
    entries = [entry for raw in parsed.entries if (entry := _entry(raw)) is not None]
    if parsed.bozo and not entries:
        detail = first_line(parsed.get("bozo_exception", ""), 200)
        raise FeedError("malformed_feed", f"{url} is a broken feed ({detail})")
    if parsed.bozo:
        LOGGER.info("%s: feed has errors but %d entries were read", url, len(entries))
    return entries


def _entry(raw: Any) -> FeedEntry | None:
    link = raw.get("link") or next(
        (x.get("href") for x in raw.get("links", []) if x.get("rel", "alternate") == "alternate"),
        None,
    )
    if not link and str(raw.get("id", "")).startswith(("http://", "https://")):
        link = raw["id"]
    if not link:
        return None
    when = raw.get("published_parsed") or raw.get("updated_parsed")
    published = datetime.fromtimestamp(calendar.timegm(when), UTC) if when else None
    authors = tuple(a["name"] for a in raw.get("authors", []) if a.get("name"))
    if not authors and raw.get("author"):
        authors = (raw["author"],)
    authors = tuple(str(name)[:AUTHOR_MAX_CHARS] for name in authors[:AUTHORS_MAX])
    title = str(raw.get("title") or "")[:TITLE_MAX_CHARS] or None
    return FeedEntry(url=link.strip(), title=title, published=published, authors=authors)
