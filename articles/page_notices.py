"""What a page shows in place of its story: PHP error messages and cookie consent banners.

A WordPress plugin that prints PHP warnings into a sidebar, or a consent banner longer than
a short post, can outweigh the story, and an extractor then returns the warnings or the
banner as the article. `shows_notice` tells such a text; `without_notices` gives the page
without them, to extract again. Both run only on the rare page whose text is such a notice.
"""

from __future__ import annotations

import logging
import re

from lxml.html import HtmlElement, tostring
from trafilatura.utils import load_html

from articles.skip_rules import MIN_WORDS, NOTICE, word_count

LOGGER = logging.getLogger(__name__)

# PHP's error messages as its html_errors setting prints them into a page:
# "<br />\n<b>Warning</b>:  Use of undefined constant ... in <b>/path/file.php</b> on line
# <b>928</b><br />", and the same in the extracted text without the tags.
PHP_ERROR_LEVELS = r"(?:Warning|Notice|Deprecated|Strict Standards|Fatal error|Parse error)"
PHP_ERROR_MARKUP = re.compile(
    rf"(?:<br\s*/?>\s*)?<b>{PHP_ERROR_LEVELS}</b>:[^<]*?(?:<b>[^<]*</b>[^<]*?)?"
    r"on line <b>\d+</b>(?:<br\s*/?>)?",
    re.IGNORECASE,
)
PHP_ERROR_TEXT = re.compile(rf"^{PHP_ERROR_LEVELS}: .* on line \d+$", re.MULTILINE)
# Consent banners name themselves: id="eu-cookie-law", class="cookie-notice", "gdpr-consent".
CONSENT_NAME = re.compile(r"cookie|consent|gdpr", re.IGNORECASE)
# A banner is short; an element so named with more words wraps the page ("has-cookie-bar").
BANNER_MAX_WORDS = 150


def shows_notice(text: str) -> bool:
    """Whether the text carries PHP error messages, or is a short consent or login notice."""
    if PHP_ERROR_TEXT.search(text):
        return True
    return word_count(text) < MIN_WORDS and bool(NOTICE.search(text))


def without_notices(page: str) -> tuple[str, HtmlElement | None]:
    """The page without PHP error messages and consent banners, as HTML and as a tree; the
    tree is None where the page without them does not parse."""
    try:
        tree = load_html(PHP_ERROR_MARKUP.sub("", page))
    except Exception:  # lxml gives up on some broken pages, as in extract_article
        LOGGER.debug("the page without its notices does not parse", exc_info=True)
        tree = None
    if tree is None:
        return page, None
    banners = [
        element
        for element in tree.iter()
        if isinstance(element.tag, str)
        and element.tag not in {"html", "head", "body"}
        and CONSENT_NAME.search(f"{element.get('id', '')} {element.get('class', '')}")
        and word_count(element.text_content()) <= BANNER_MAX_WORDS
    ]
    for banner in banners:
        banner.drop_tree()  # its tail text stays; one inside another goes with it
    LOGGER.debug("page without %d consent elements and PHP errors", len(banners))
    return tostring(tree, encoding="unicode"), tree
