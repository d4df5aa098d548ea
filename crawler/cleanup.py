"""The study's cleanup: repair formatting artefacts, and decide which pages to skip, and why."""

from __future__ import annotations

import html
import logging
import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from crawler.language import detect_language

if TYPE_CHECKING:
    from crawler.extraction import ExtractedArticle

LOGGER = logging.getLogger(__name__)

# Reason codes a skipped article is stored with; metrics use them as label values, so they
# stay few and stable. A language skip is recorded as "language:<code>", labelled "language".
REASONS: dict[str, str] = {
    "empty": "no text at all, or only whitespace",
    "link_only": "average word length below 3 or above 10: link lists, URLs, menus, not prose",
    "too_short": "fewer words than the source's minimum (MIN_WORDS by default)",
    "not_article": "not an article: an index, tag, search or login page, or text without sentences",
    "language": "identified language is not one of the source's languages",
}

MIN_WORDS = 50
MIN_SENTENCES = 3
MIN_AVG_WORD_LEN = 3.0
MAX_AVG_WORD_LEN = 10.0
# Below this confidence, or on texts shorter than this, the identifier's verdict alone does
# not skip an article: the page's declared <html lang> must agree that it is foreign.
LANGUAGE_CONFIDENCE_FLOOR = 0.8
LANGUAGE_MIN_CHARS = 200
# An index page comes out as a list of headlines: mostly short lines without a full stop.
HEADLINE_MAX_WORDS = 12
HEADLINE_SHARE = 0.6
HEADLINE_MIN_LINES = 6

ZERO_WIDTH = re.compile(r"[\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Only real HTML element names: "<config files>" in a programming article is text, not markup.
STRAY_TAG = re.compile(
    r"</?(?:a|abbr|b|blockquote|br|code|dd|div|dl|dt|em|figcaption|figure|font|h[1-6]|hr|i|"
    r"iframe|img|li|nav|noscript|ol|p|picture|pre|q|s|script|section|small|source|span|strong|"
    r"style|sub|sup|table|tbody|td|th|thead|tr|u|ul)(?:\s[^<>]{0,300})?/?>",
    re.IGNORECASE,
)
ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
INLINE_SPACE = re.compile(r"[^\S\n]+")
PARAGRAPH_BREAK = re.compile(r"\n\s*")
SENTENCE_END = re.compile(r"[.!?\u3002\u061f\u0964][\"'\u201d\u2019)\]]*(?:\s|$)")
NOT_ARTICLE_PATH = re.compile(
    r"/(?:tags?|topics?|categor(?:y|ies)|archives?|search|login|signin|sign-in|register|"
    r"account|author|authors|page/\d+)(?:/|$)",
    re.IGNORECASE,
)


def clean_text(text: str) -> str:
    """Remove formatting artefacts; paragraphs are kept, separated by one blank line."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = ZERO_WIDTH.sub("", CONTROL.sub("", text))
    if "<" in text:
        text = STRAY_TAG.sub(" ", text)
    if "&" in text and ENTITY.search(text):
        text = html.unescape(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = (INLINE_SPACE.sub(" ", line).strip() for line in PARAGRAPH_BREAK.split(text))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def _is_index_like(text: str, url: str | None) -> bool:
    """Whether the page is an index, tag, search or login page rather than one article."""
    if url:
        path = urlsplit(url).path
        if path in {"", "/"} or NOT_ARTICLE_PATH.search(path):
            return True
    if len(SENTENCE_END.findall(text)) < MIN_SENTENCES:
        return True
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) < HEADLINE_MIN_LINES:
        return False
    headlines = sum(
        1
        for line in lines
        if len(line.split()) <= HEADLINE_MAX_WORDS and not SENTENCE_END.search(line.strip() + " ")
    )
    return headlines / len(lines) >= HEADLINE_SHARE


def _foreign_language(article: ExtractedArticle, languages: Sequence[str]) -> str | None:
    """The article's language when it is confidently not one of the source's languages."""
    code, confidence = detect_language(article.text)
    if code in languages:
        return None
    sure = confidence >= LANGUAGE_CONFIDENCE_FLOOR and len(article.text) >= LANGUAGE_MIN_CHARS
    if code is not None and sure:
        return code
    # Unsure: skip only when the page's own declaration also says it is foreign.
    declared = article.language
    if declared is not None and declared not in languages and (code is None or code == declared):
        return declared
    return None


def skip_reason(
    article: ExtractedArticle,
    *,
    languages: Sequence[str] = ("en",),
    min_words: int = MIN_WORDS,
) -> str | None:
    """The REASONS code why an article should be stored as skipped, or None to keep it.

    Rules run in the table's order and the first that fails wins. An empty `languages`
    accepts every language.
    """
    text = article.text
    words = text.split()
    if not words:
        return "empty"
    average = sum(map(len, words)) / len(words)
    if not MIN_AVG_WORD_LEN <= average <= MAX_AVG_WORD_LEN:
        return "link_only"
    if len(words) < min_words:
        return "too_short"
    if _is_index_like(text, article.canonical_url):
        return "not_article"
    if languages:
        foreign = _foreign_language(article, languages)
        if foreign is not None:
            return f"language:{foreign}"
    return None


def reason_label(reason: str) -> str:
    """The REASONS key of a recorded reason, for use as a metrics label."""
    return reason.split(":", 1)[0]
