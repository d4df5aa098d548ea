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
    "link_only": "average word length below 3 or above 10: link lists, URLs, menus, not prose "
    "(text mostly in a script written without spaces, such as Chinese, Japanese or Thai, is "
    "counted in characters and not judged by this rule)",
    "too_short": "fewer words than the minimum (MIN_WORDS by default; DECLARED_MIN_WORDS on a "
    "page that declares itself an article)",
    "not_article": "not an article: an index, tag, search or login page, a short consent notice "
    "or paywall stub, or, on a page that does not declare itself an article, text without "
    "sentences or mostly headlines",
    "language": "identified language is not one of the expected languages",
}

MIN_WORDS = 50
# A page that declares itself an article (og:type, article:published_time, JSON-LD) is a story
# from this many words: a local paper's 44-word report is news. Its short text is checked for
# what a page shows instead of the story (NOTICE).
DECLARED_MIN_WORDS = 15
NOTICE = re.compile(
    r"\bcookies?\b|\bconsent\b|\bdatenschutz|\bsubscribe\b|\bsubscription\b|\babonn|"
    r"\bsign in\b|\blog ?in\b|\banmelden\b|\bjavascript\b",
    re.IGNORECASE,
)
MIN_SENTENCES = 2  # "text without sentences": fewer than this many
MIN_AVG_WORD_LEN = 3.0
MAX_AVG_WORD_LEN = 10.0
LONGEST_WORD = 20
# An index page comes out as a list of headlines: mostly short lines without a full stop.
HEADLINE_MAX_WORDS = 12
HEADLINE_SHARE = 0.6
HEADLINE_MIN_LINES = 6

SENTENCE_END = re.compile(
    r"[.!?\u061f\u0964][\"'\u201d\u2019)\]]*(?:\s|$)"
    r"|[\u3002\uff01\uff1f]"  # CJK full stops need no space after them
    r"|(?<=[\u0e00-\u0e7f]) (?=[\u0e00-\u0e7f])"  # Thai ends a sentence with a space
)
# Scripts written without spaces between words, and about how many characters make a word:
# their words are counted in characters, not whitespace tokens.
UNSPACED_SCRIPTS = (
    (re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"), 2.0),  # Han, kana
    (re.compile(r"[\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff]"), 4.0),  # Thai, Lao..
)
# Path segments of index, tag, search and account pages. Such a segment makes a page an index
# only near the end of its path: /tag/politics is an index, /ideas/archive/2020/08/a-story/
# an article filed under an archive.
INDEX_SEGMENT = re.compile(
    r"tags?|topics?|categor(?:y|ies)|archives?|search|login|signin|sign-in|register|account|"
    r"authors?",
    re.IGNORECASE,
)
INDEX_SEGMENT_DEPTH = 2  # an index segment followed by at most this many more
PAGINATION = re.compile(r"/page/\d+/?$", re.IGNORECASE)


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
    declared_article: bool = False,
) -> str | None:
    """The REASONS code why an article should be skipped, or None to keep it.

    Rules run in the table's order and the first that fails wins. `url` (the page's
    canonical URL), `declared_language` and `declared_article` (the page says it is an
    article: og:type, article:published_time, a JSON-LD article) come from the page when
    there is one. A declared article is judged an index page only by its URL.
    """
    spaced, unspaced = _word_counts(text)
    if not spaced and not unspaced:
        return "empty"
    if unspaced < len(spaced):  # mostly words between spaces: their length tells prose
        # A long token counts as no longer than LONGEST_WORD: a few pasted URLs in a story
        # do not make it a link list, a page of URLs still is one.
        average = sum(min(len(word), LONGEST_WORD) for word in spaced) / len(spaced)
        if not MIN_AVG_WORD_LEN <= average <= MAX_AVG_WORD_LEN:
            return "link_only"
    words = len(spaced) + unspaced
    if words < rules.min_words:
        if not (rules.page_shape and declared_article) or words < DECLARED_MIN_WORDS:
            return "too_short"
        if NOTICE.search(text):  # short, and about cookies or logging in: not the story
            return "not_article"
    if rules.page_shape and _is_index_like(text, url, declared_article):
        return "not_article"
    if rules.languages:
        foreign = foreign_language(text, declared_language, rules.languages)
        if foreign is not None:
            return f"language:{foreign}"
    return None


def reason_label(reason: str) -> str:
    """The REASONS key of a recorded reason, for use as a metrics label."""
    return reason.split(":", 1)[0]


def _word_counts(text: str) -> tuple[list[str], float]:
    """The words written between spaces, and the words of unspaced scripts (in characters)."""
    unspaced = 0.0
    for script, characters_per_word in UNSPACED_SCRIPTS:
        found = len(script.findall(text))
        if found:
            unspaced += found / characters_per_word
            text = script.sub(" ", text)
    return text.split(), unspaced


def _is_index_like(text: str, url: str | None, declared_article: bool) -> bool:
    """Whether the page is an index, tag, search or login page rather than one article."""
    if url and _is_index_url(url):
        return True
    if declared_article:
        return False
    return reads_like_index(text)


def reads_like_index(text: str) -> bool:
    """The text's shape alone: fewer than MIN_SENTENCES sentences, or mostly headlines (most
    lines and most words): a list of links, a menu, an index page's teasers."""
    if len(SENTENCE_END.findall(text)) < MIN_SENTENCES:
        return True
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) < HEADLINE_MIN_LINES:
        return False
    headlines = [line for line in lines if _is_headline(line)]
    # Most lines, and most of the words, are headlines: a story with short paragraphs or a
    # list in it has most of its words in sentences.
    words = sum(map(word_count, lines))
    return (
        len(headlines) / len(lines) >= HEADLINE_SHARE
        and sum(map(word_count, headlines)) / max(words, 1) >= HEADLINE_SHARE
    )


def _is_index_url(url: str) -> bool:
    """A homepage (without a query: /?p=123 is a post), a paginated list, or a path that
    ends in an index segment and at most INDEX_SEGMENT_DEPTH more."""
    if is_home_page(url):
        return True
    parts = urlsplit(url)
    if PAGINATION.search(parts.path):
        return True
    segments = [segment for segment in parts.path.split("/") if segment]
    return any(
        INDEX_SEGMENT.fullmatch(segment) for segment in segments[-(INDEX_SEGMENT_DEPTH + 1) :]
    )


def is_home_page(url: str) -> bool:
    """A site's root address, without a query (/?p=123 is a post)."""
    parts = urlsplit(url)
    return parts.path in {"", "/"} and not parts.query


def _is_headline(line: str) -> bool:
    """A short line without a sentence end: a headline, a label, a menu item."""
    return word_count(line) <= HEADLINE_MAX_WORDS and not SENTENCE_END.search(line.strip() + " ")


def word_count(text: str) -> float:
    """Words in the text, those of unspaced scripts (Japanese, Thai, ...) counted in characters."""
    spaced, unspaced = _word_counts(text)
    return len(spaced) + unspaced
