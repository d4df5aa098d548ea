"""From a downloaded page to a storable article: extraction, cleanup rules, canonical URL, hash."""

from __future__ import annotations

from articles.cleaning import clean_line
from articles.extraction import extract_article
from articles.fingerprint import content_hash
from articles.site_names import SiteNames
from articles.skip_rules import SkipRules, skip_reason
from crawler.items import PageItem
from crawler.sources import Source
from crawler.urls import ALLOWED_SCHEMES, canonical_url, in_domains
from db.models import ArticleStatus
from db.queries import ArticleRecord
from db.types import utcnow


def page_to_record(
    page: PageItem,
    source: Source,
    source_id: int | None,
    extractor: str,
    site_names: SiteNames | None = None,
) -> ArticleRecord:
    """Extract and judge one page; a page that fails a rule becomes a `skipped` record.

    `site_names`, the source's names so far: its titles lose them, and learn from this one.
    """
    if page.skip_reason:
        return _skipped(page, source_id, page.skip_reason)
    # Raw bytes: the extractor's own decoding (BOM, valid UTF-8, then the header's and the
    # page's declared charsets if the bytes fit them, then sniffing) beats a wrong header.
    extracted = extract_article(
        page.body,
        page.final_url,
        extractor=extractor,
        header_charset=page.header_charset,
        timezone=source.timezone,
        site_names=site_names.names if site_names is not None else (),
    )
    if site_names is not None:
        site_names.observe(extracted.page_title)
    url = page.url
    declared = extracted.canonical_url
    if declared and _usable_canonical(declared, source):
        url = canonical_url(declared)
    # Only this source's own URLs: a redirect to another site's story must not make that
    # story "known" before its own source crawls it.
    aliases = tuple(
        a
        for a in dict.fromkeys((page.url, *page.alias_urls))
        if a != url and in_domains(a, source.allowed_domains)
    )
    reason = skip_reason(
        extracted.text,
        SkipRules(languages=source.languages),
        url=extracted.canonical_url or page.final_url,
        declared_language=extracted.language,
        declared_article=extracted.declares_article,
    )
    return ArticleRecord(
        url=url,
        source_id=source_id,
        title=clean_line(extracted.title or page.hint.title),
        text=extracted.text,
        authors=_names(extracted.authors or page.hint.authors),
        published_at=extracted.published or page.hint.published,
        language=extracted.language,
        top_image=extracted.top_image,
        content_hash=None if reason else content_hash(extracted.text),
        status=ArticleStatus.SKIPPED if reason else ArticleStatus.NEW,
        status_reason=reason,
        extractor=extracted.extractor,
        fetched_at=utcnow(),
        alias_urls=aliases,
    )


def _names(authors: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(name for name in map(clean_line, authors) if name)


def _usable_canonical(url: str, source: Source) -> bool:
    # A canonical link to another site (the original of a syndicated story) is not ours to claim.
    return url.split(":", 1)[0].lower() in ALLOWED_SCHEMES and in_domains(
        url, source.allowed_domains
    )


def _skipped(page: PageItem, source_id: int | None, reason: str) -> ArticleRecord:
    return ArticleRecord(
        url=page.url,
        source_id=source_id,
        title=clean_line(page.hint.title),
        text="",
        authors=_names(page.hint.authors),
        published_at=page.hint.published,
        language=None,
        top_image=None,
        content_hash=None,
        status=ArticleStatus.SKIPPED,
        status_reason=reason,
        extractor=None,
        fetched_at=utcnow(),
        alias_urls=page.alias_urls,
    )
