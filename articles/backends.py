"""The two extraction libraries, called with offline-safe settings."""

from __future__ import annotations

import importlib.util
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import htmldate
import tldextract.tldextract
import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Document

from articles.byline_search import find_byline

if TYPE_CHECKING:
    import newspaper

LOGGER = logging.getLogger(__name__)

# newspaper's URL checks call tldextract's shared extractor, which otherwise downloads the
# public suffix list on first use; its bundled snapshot is enough for us.
tldextract.tldextract.TLD_EXTRACTOR.suffix_list_urls = ()

NEWSPAPER_OPTIONS = {
    "fetch_images": False,
    "memoize_articles": False,
    "disable_category_cache": True,
    "follow_meta_refresh": False,
}
# Languages newspaper4k tokenizes with a package of its extras ("newspaper4k[ja]"), which
# fakewatch does not install: trafilatura reads these pages well (their words are counted in
# characters by the skip rules), so newspaper4k is not called on them unless the package is
# there. Korean and Arabic use NLTK, which fakewatch has.
NEWSPAPER_TOKENIZERS = {
    "ja": "tinysegmenter",
    "zh": "jieba",
    "th": "pythainlp",
    "bn": "indicnlp",
    "hi": "indicnlp",
    "ne": "indicnlp",
    "ta": "indicnlp",
}


def trafilatura_document(
    page: HtmlElement | str, url: str, *, with_metadata: bool = True, fast: bool = False
) -> Document | None:
    """Body text, and metadata if asked, by trafilatura; None when it finds no main text.

    `fast`: trafilatura's own algorithm only, without the comparison with its fallback
    extractors (readability, jusText) that may swap in a longer text."""
    try:
        document = trafilatura.bare_extraction(
            page, url=url, include_comments=False, with_metadata=with_metadata, fast=fast
        )
    except Exception:  # a bad page must never stop a crawl
        LOGGER.warning("trafilatura failed on %s", url, exc_info=True)
        return None
    # A dict only when asked for one (as_dict=True), which this call never does.
    return document if isinstance(document, Document) else None


def publication_day(tree: HtmlElement, url: str, *, search_text: bool = False) -> str | None:
    """htmldate's publication day (YYYY-MM-DD) from markup and URL, and with `search_text`
    from dates in the page's text too (slower: only for pages whose markup gives none)."""
    try:
        return htmldate.find_date(
            tree,
            extensive_search=search_text,
            original_date=True,
            url=url,
            max_date=datetime.now(UTC),
        )
    except Exception:
        LOGGER.warning("htmldate failed on %s", url, exc_info=True)
        return None


def byline(tree: HtmlElement) -> str | None:
    """trafilatura's search for a byline in the page body ("By ...", class="author"), in the
    single pass of `articles.byline_search` (the same answer, at about a third of the cost)."""
    try:
        return find_byline(tree)
    except Exception:
        LOGGER.warning("byline search failed", exc_info=True)
        return None


def newspaper_reads(language: str | None) -> bool:
    """Whether newspaper4k can tokenize pages in this language with what is installed."""
    module = NEWSPAPER_TOKENIZERS.get(language or "")
    return module is None or importlib.util.find_spec(module) is not None


def newspaper_article(html: str, url: str, language: str | None = None) -> newspaper.Article | None:
    """A parsed newspaper4k article built from HTML already in hand, or None on failure.

    `language` is the page's declared one: None, without a try, where newspaper4k would
    need a tokenizer package that is not installed (see NEWSPAPER_TOKENIZERS).
    """
    if not newspaper_reads(language):
        LOGGER.debug(
            "newspaper4k needs %s for %s pages; not used on %s",
            NEWSPAPER_TOKENIZERS[language or ""],
            language,
            url,
        )
        return None
    # Imported on first use: newspaper loads NLTK and more (1.5 s), which the default
    # extractor never needs, and every crawl process would pay for it at start.
    import newspaper

    try:
        article = newspaper.Article(url, **NEWSPAPER_OPTIONS)
        article.download(input_html=html)
        article.parse()
    except Exception:
        LOGGER.warning("newspaper4k failed on %s", url, exc_info=True)
        return None
    return article


def aware_utc(value: datetime | None) -> datetime | None:
    """A datetime in UTC; naive values are taken as UTC already."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
