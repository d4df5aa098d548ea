"""Sitemaps: article links from URL sets, news sitemaps and sitemap indexes (gzip or plain)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree
from scrapy.utils.gz import gunzip

LOGGER = logging.getLogger(__name__)
GZIP_MAGIC = b"\x1f\x8b"
MEDIA = ("image", "video")
MEDIA_NAMESPACES = ("sitemap-image", "sitemap-video")
# No entities, no network, no DTDs: a sitemap is untrusted input.
PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, recover=True, remove_comments=True
)


class SitemapError(ValueError):
    """A document that should be a sitemap is not one."""

    reason = "not_a_sitemap"


@dataclass(frozen=True)
class SitemapEntry:
    """One `<url>` or `<sitemap>` entry."""

    url: str
    modified: datetime | None
    title: str | None


@dataclass(frozen=True)
class SitemapDocument:
    """A parsed sitemap: either child sitemaps (an index) or page URLs."""

    is_index: bool
    entries: list[SitemapEntry]


def looks_like_sitemap(body: bytes) -> bool:
    """True for gzip data or a document with a urlset or sitemapindex root."""
    head = body[:4096]
    return head.startswith(GZIP_MAGIC) or b"<urlset" in head or b"<sitemapindex" in head


def parse_sitemap(body: bytes, url: str, *, max_size: int) -> SitemapDocument:
    """Parse a sitemap, decompressing gzip up to `max_size` bytes; newest entries first."""
    if body.startswith(GZIP_MAGIC):
        try:
            body = gunzip(body, max_size=max_size)
        except Exception as exc:  # scrapy raises its own size error or OSError for bad data
            raise SitemapError(f"{url}: cannot decompress the sitemap ({exc})") from None
    try:
        root = etree.fromstring(body, parser=PARSER)
    except etree.XMLSyntaxError as exc:
        raise SitemapError(f"{url} is not a valid sitemap ({exc})") from None
    if root is None:
        raise SitemapError(f"{url} is empty or not XML")
    kind = etree.QName(root).localname
    if kind not in ("urlset", "sitemapindex"):
        raise SitemapError(f"{url} is XML but not a sitemap (root {kind!r})")
    entries = [e for child in root if (e := _entry(child)) is not None]
    entries.sort(key=lambda e: e.modified or datetime.min.replace(tzinfo=UTC), reverse=True)
    return SitemapDocument(is_index=kind == "sitemapindex", entries=entries)


def _entry(element: etree._Element) -> SitemapEntry | None:
    fields: dict[str, str] = {}
    for node in _article_fields(element):
        if node.text and node.text.strip():
            fields.setdefault(etree.QName(node).localname, node.text.strip())
    if not fields.get("loc"):
        return None
    modified = _parse_date(fields.get("publication_date") or fields.get("lastmod") or "")
    return SitemapEntry(url=fields["loc"], modified=modified, title=fields.get("title"))


def _article_fields(element: etree._Element) -> Iterator[etree._Element]:
    """An entry's elements, less its image and video extensions: a photo's caption is not the
    article's title, nor a video's publication date the article's."""
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child)
        if name.localname in MEDIA or any(m in (name.namespace or "") for m in MEDIA_NAMESPACES):
            continue
        yield child
        yield from _article_fields(child)


def _parse_date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
