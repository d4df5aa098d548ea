"""Article extraction from raw pages: body text and metadata, with a choice of extractor.

The default, "fakewatch", takes the body text from trafilatura (the more accurate library on
the evaluation set, see bench/extraction.py) without related links at its edges, and
newspaper4k's when trafilatura's is too short to keep and newspaper4k finds more. Its
metadata comes from what the page declares (JSON-LD, meta tags: canonical URL, full
publication timestamp, authors, image, whether it is an article), the <h1> headline,
htmldate's day and trafilatura's byline search: on the eval set this finds more correct
titles and authors than either library's own metadata, at about half the cost of
trafilatura's.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from lxml.html import HtmlElement
from trafilatura.utils import load_html

from articles.backends import (
    aware_utc,
    byline,
    newspaper_article,
    publication_day,
    trafilatura_document,
)
from articles.cleaning import clean_text
from articles.decoding import decode_html, repair_mojibake
from articles.edge_links import without_edge_links
from articles.language import recorded_language
from articles.metadata import (
    PageMetadata,
    believed_canonical,
    page_metadata,
    parse_timestamp,
    refine_title,
)
from articles.page_notices import shows_notice, without_notices
from articles.skip_rules import MIN_WORDS, reads_like_index, word_count

LOGGER = logging.getLogger(__name__)

EXTRACTORS = ("fakewatch", "trafilatura", "newspaper")
AUTHOR_SEPARATOR = re.compile(r"\s*;\s*")


@dataclass(frozen=True)
class ExtractedArticle:
    """An article's text and metadata as one extractor found them on one page."""

    title: str | None
    text: str
    authors: tuple[str, ...]
    published: datetime | None
    language: str | None
    top_image: str | None
    canonical_url: str | None
    extractor: str
    declares_article: bool = False  # see PageMetadata.declares_article
    page_title: str | None = None  # og:title or <title> as the page gives it (see SiteNames)


EMPTY_METADATA = PageMetadata(None, None, None, (), (), None, None)


def _authors(value: str | list[str] | None) -> tuple[str, ...]:
    """Author names, split and repaired, without duplicates."""
    if not value:
        return ()
    names = AUTHOR_SEPARATOR.split(value) if isinstance(value, str) else value
    cleaned = (clean_text(repair_mojibake(name)).strip() for name in names)
    return tuple(dict.fromkeys(name for name in cleaned if name))


def _title(value: str | None) -> str | None:
    """A title repaired and with whitespace collapsed, or None when blank."""
    title = clean_text(repair_mojibake(value or "")).replace("\n\n", " ")
    return title or None


def _published(tree: HtmlElement, url: str, declared: datetime | None) -> datetime | None:
    """When the article was published, in UTC: the timestamp the page declares (meta tags,
    microdata, JSON-LD), else htmldate's day from the markup and URL, else from dates in the
    text. On trafilatura_eval this order is right on 647 of 728 annotated pages, against 615
    for htmldate's day first and 630 for trafilatura's own (BENCHMARKS.md).
    """
    if declared is not None:
        return declared.astimezone(UTC)
    day = publication_day(tree, url) or publication_day(tree, url, search_text=True)
    return parse_timestamp(day)


def _from_newspaper(page: str, url: str, meta: PageMetadata, name: str) -> ExtractedArticle:
    """An ExtractedArticle from newspaper4k alone, the page metadata filling its gaps."""
    article = newspaper_article(page, url, meta.html_lang)
    if article is None:
        return _empty(meta, name)
    text = clean_text(repair_mojibake(article.text or ""))
    published = article.publish_date if isinstance(article.publish_date, datetime) else None
    return ExtractedArticle(
        title=_title(article.title),
        text=text,
        authors=_authors(list(article.authors)),
        published=aware_utc(published),
        language=recorded_language(text, meta.html_lang or (article.meta_lang or None)),
        top_image=article.top_image or meta.top_image,
        canonical_url=believed_canonical(url, article.canonical_link) or meta.canonical_url,
        extractor=name,
        declares_article=meta.declares_article,
        page_title=meta.title,
    )


def _empty(meta: PageMetadata, name: str) -> ExtractedArticle:
    """An article with no text, keeping whatever metadata the page declared."""
    title = meta.headlines[0] if meta.headlines else None
    return ExtractedArticle(
        title=_title(title),
        text="",
        authors=(),
        published=meta.published.astimezone(UTC) if meta.published else None,
        language=meta.html_lang,
        top_image=meta.top_image,
        canonical_url=meta.canonical_url,
        extractor=name,
        declares_article=meta.declares_article,
        page_title=meta.title,
    )


def _from_trafilatura(page: str, url: str, meta: PageMetadata) -> ExtractedArticle | None:
    """An ExtractedArticle from trafilatura alone, body text and metadata."""
    document = trafilatura_document(page, url)
    if document is None or not (document.text or "").strip():
        return None
    text = clean_text(repair_mojibake(document.text or ""))
    return ExtractedArticle(
        title=_title(document.title),
        text=text,
        authors=_authors(document.author),
        published=parse_timestamp(document.date),
        language=recorded_language(text, meta.html_lang),
        top_image=document.image or meta.top_image,
        canonical_url=meta.canonical_url
        or (believed_canonical(url, document.url) if document.url != url else None),
        extractor="trafilatura",
        declares_article=meta.declares_article,
        page_title=meta.title,
    )


def _from_fakewatch(
    page: str, tree: HtmlElement, url: str, meta: PageMetadata
) -> ExtractedArticle | None:
    """The best body text found (see `_body_text`) with the page's declared metadata."""
    text = _body_text(page, tree, url, meta.html_lang)
    if not text:
        return None
    return ExtractedArticle(
        title=_title(refine_title(meta.title, meta.headlines, meta.site_names)),
        text=text,
        authors=_authors(list(meta.authors) or byline(tree)),
        published=_published(tree, url, meta.published),
        language=recorded_language(text, meta.html_lang),
        top_image=meta.top_image,
        canonical_url=meta.canonical_url,
        extractor="fakewatch",
        declares_article=meta.declares_article,
        page_title=meta.title,
    )


def _body_text(page: str, tree: HtmlElement, url: str, language: str | None) -> str:
    """The text `_chosen_text` finds; where that is PHP error messages or a consent notice
    the page shows instead of its story, the text found on the page without them."""
    text = _chosen_text(page, tree, url, language)
    if not shows_notice(text):
        return text
    clean_page, clean_tree = without_notices(page)
    if clean_tree is None:
        return text
    other = _chosen_text(clean_page, clean_tree, url, language)
    LOGGER.debug("%s shows a notice in place of its story; without it: %r", url, other[:80])
    return other if other and not shows_notice(other) else text


def _chosen_text(page: str, tree: HtmlElement, url: str, language: str | None) -> str:
    """trafilatura's body text without related links at its edges; newspaper4k's when that
    is too short to keep (fewer than MIN_WORDS words) and newspaper4k finds more.

    The second extractor runs on about 1% of real pages, so the choice costs little; the
    rule was measured on trafilatura_eval (BENCHMARKS.md).
    """
    text = _trafilatura_text(tree, url)
    # Counted as the skip rules count: a Japanese story has few spaces but many words.
    words = word_count(text)
    if words >= MIN_WORDS:
        return _without_menu(text, tree, url)
    LOGGER.debug("trafilatura found %d words on %s; trying newspaper4k", words, url)
    article = newspaper_article(page, url, language)
    other = clean_text(repair_mojibake(article.text or "")) if article is not None else ""
    return other if word_count(other) > words else text


def _trafilatura_text(tree: HtmlElement, url: str, *, fast: bool = False) -> str:
    """trafilatura's body text, cleaned, without related links at its edges ("" for none)."""
    document = trafilatura_document(tree, url, with_metadata=False, fast=fast)
    raw = (document.text or "").strip() if document is not None else ""
    return clean_text(repair_mojibake(without_edge_links(raw, tree))) if raw else ""


def _without_menu(text: str, tree: HtmlElement, url: str) -> str:
    """trafilatura's own extraction where the text it chose reads like a menu and that one
    reads like a story: its comparison with the fallback extractors can prefer a long menu
    built of custom elements (<pp-link><p>...</p></pp-link>), which no link density betrays.
    On trafilatura_eval, 11 of 990 texts read like a menu; this changes one of them."""
    if not reads_like_index(text):
        return text
    own = _trafilatura_text(tree, url, fast=True)
    if word_count(own) >= MIN_WORDS and not reads_like_index(own):
        LOGGER.debug("trafilatura's text on %s reads like a menu: its own extraction taken", url)
        return own
    return text


def extract_article(
    html: str | bytes,
    url: str,
    *,
    extractor: str = "fakewatch",
    header_charset: str | None = None,
    timezone: str | None = None,
    site_names: tuple[str, ...] = (),
) -> ExtractedArticle:
    """Extract one article from a page's HTML, raw bytes in any charset or already decoded text.

    `extractor` is one of EXTRACTORS; `header_charset`, the charset the HTTP header named (a
    hint, see `decode_html`); `timezone`, the source's IANA zone for local times the page
    gives without an offset; `site_names`, names the source's titles were seen to carry besides
    those the page declares (`articles.site_names.SiteNames`). Never raises on a bad page: the
    result then has text "" and whatever metadata could be read.
    """
    if extractor not in EXTRACTORS:
        raise ValueError(f"unknown extractor {extractor!r}: choose one of {', '.join(EXTRACTORS)}")
    page = decode_html(html, header_charset)
    try:
        tree = load_html(page) if page.strip() else None
    except Exception:  # lxml gives up on some broken pages; the result is then empty
        LOGGER.warning("unparsable page %s", url, exc_info=True)
        tree = None
    if tree is None:
        return _empty(EMPTY_METADATA, extractor)
    meta = page_metadata(tree, url, ZoneInfo(timezone) if timezone else None, site_names)
    if extractor == "newspaper":
        return _from_newspaper(page, url, meta, extractor)
    if extractor == "trafilatura":
        return _from_trafilatura(page, url, meta) or _empty(meta, extractor)
    return _from_fakewatch(page, tree, url, meta) or _empty(meta, extractor)
