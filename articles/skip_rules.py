"""Which articles are kept, and why the others are skipped: one set of rules for crawl and training.

The crawler judges each extracted page with `skip_reason`; corpus cleanup at training time
judges each labelled row with the same function, so a model learns from text filtered the
way the text it will score is filtered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from articles.language import foreign_language

# Reason codes a skipped article is stored with; metrics use them as label values, so they
# stay few and stable. A language skip is recorded as "language:<code>", labelled "language".
REASONS: dict[str, str] = {
    "empty": "no text at all, or only whitespace",
    "link_only": "average word length below 3 or above 10: link lists, URLs, menus, not prose",
    "too_short": "fewer words than the minimum (MIN_WORDS by default)",
    "not_article": "not an article: an index, tag, search or login page, or text without sentences",
    "language": "identified language is not one of the expected languages",
}

MIN_WORDS = 50
MIN_SENTENCES = 3
MIN_AVG_WORD_LEN = 3.0
MAX_AVG_WORD_LEN = 10.0
# An index page comes out as a list of headlines: mostly short lines without a full stop.
HEADLINE_MAX_WORDS = 12
HEADLINE_SHARE = 0.6
HEADLINE_MIN_LINES = 6

SENTENCE_END = re.compile(r"[.!?\u3002\u061f\u0964][\"'\u201d\u2019)\]]*(?:\s|$)")
NOT_ARTICLE_PATH = re.compile(
    r"/(?:tags?|topics?|categor(?:y|ies)|archives?|search|login|signin|sign-in|register|"
    r"account|author|authors|page/\d+)(?:/|$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SkipRules:
    """Which rules apply: the accepted languages (empty: any), the minimum length, page shape.

    `page_shape` is the not_article rule (index, tag and search pages, text without
    sentences): it judges a crawled page's layout, so corpus rows, which are claims and
    leads as often as full pages, are judged without it.
    """

    languages: tuple[str, ...] = ("en",)
    min_words: int = MIN_WORDS
    page_shape: bool = True


# Corpus rows at training time: the rules that judge the text itself, not a page's layout.
CORPUS_RULES = SkipRules(min_words=1, page_shape=False)


def skip_reason(
    text: str,
    rules: SkipRules = SkipRules(),
    *,
    url: str | None = None,
    declared_language: str | None = None,
) -> str | None:
    """The REASONS code why an article should be skipped, or None to keep it.

    Rules run in the table's order and the first that fails wins. `url` (the page's
    canonical URL) and `declared_language` come from the page when there is one.
    """
    words = text.split()
    if not words:
        return "empty"
    average = sum(map(len, words)) / len(words)
    if not MIN_AVG_WORD_LEN <= average <= MAX_AVG_WORD_LEN:
        return "link_only"
    if len(words) < rules.min_words:
        return "too_short"
    if rules.page_shape and _is_index_like(text, url):
        return "not_article"
    if rules.languages:
        foreign = foreign_language(text, declared_language, rules.languages)
        if foreign is not None:
            return f"language:{foreign}"
    return None


def reason_label(reason: str) -> str:
    """The REASONS key of a recorded reason, for use as a metrics label."""
    return reason.split(":", 1)[0]


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
