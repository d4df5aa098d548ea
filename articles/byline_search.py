"""trafilatura's byline search ("By ...", class="author"), in one pass over the page.

trafilatura's `extract_author` copies the page, prunes comments, sidebars, dates and figures
from the copy, then runs three XPath expressions over it, each testing a dozen attributes of
every element, some with EXSLT regular expressions that lxml answers in Python: on
trafilatura_eval it cost more than any other part of fakewatch's metadata (BENCHMARKS.md).
`find_byline` applies the same tests, with trafilatura's own patterns, to each element once
and copies nothing. Where the byline it would take has a pruned element inside it (whose
removal changes the text), it asks trafilatura itself. The answer is trafilatura's in every
case: `tests/test_byline_search.py` compares the two on pages made to exercise every rule and
on the golden pages, and on trafilatura_eval's 990 pages they agree on all of them.
The tests mirror trafilatura 2.3's `AUTHOR_XPATHS` and `AUTHOR_DISCARD_XPATHS`.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import extract_author
from trafilatura.utils import trim

AUTHOR_LENGTH_LIMIT = 120  # trafilatura's: a byline is longer than 2 and shorter than this

# First expression: specific and almost specific.
FIRST_TAGS = frozenset({"a", "address", "div", "link", "p", "span", "strong"})
FIRST_CLASS = re.compile("author-?name|AuthorName|authorName")
# Second: almost generic and generic.
SECOND_TAGS = frozenset({"a", "div", "h3", "h4", "p", "span"})
SECOND_CLASSES = frozenset({"byline", "username", "byl", "BBL"})
SECOND_ID = re.compile("author|zuozhe|bianji|xiaobian")
SECOND_CLASS = re.compile(
    "author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name"
)
# Third, the last resort: any element.
THIRD_ID = re.compile("[Aa]uthor")
THIRD_CLASS = re.compile("[Aa]uthor|screenname|writer|[Bb]yline")
# Pruned first: comments, sidebars, titles, dates, quotes, figures.
PRUNED_TAGS = frozenset({"a", "div", "section", "span"})
PRUNED_ID = re.compile("^comments|comment-?list|ProductReviews")
PRUNED_CLASS = re.compile(
    "^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|"
    "article-(?:share|support)|print|category|meta-date|meta-reviewer"
)
PRUNED_ALWAYS = frozenset({"time", "figure"})
# Every class or id any expression above selects contains one of these, and an element without
# them is selected only by its itemprop, rel, data-testid or data-component: a quick "no".
SELECTABLE = re.compile(
    "[Aa]uthor|byl|Byline|BBL|username|screenname|writer|zuozhe|bianji|xiaobian|channel-name|"
    "submitted-by|posted-by|journalist-name"
)


def find_byline(tree: HtmlElement) -> str | None:
    """The page's byline as trafilatura's `extract_author(tree)` finds it, or None."""
    pruned: set[HtmlElement] = set()
    found: tuple[list[HtmlElement], list[HtmlElement], list[HtmlElement]] = ([], [], [])
    rel_me = {rel.getparent() for rel in tree.iter("rel") if rel.text_content() == "me"}
    for element in tree.iter():
        tag = element.tag
        if not isinstance(tag, str):  # a comment or processing instruction
            continue
        attributes = element.attrib
        if tag in PRUNED_ALWAYS or (
            attributes and element is not tree and _pruned(tag, attributes)
        ):
            pruned.add(element)
        elif tag == "author" or element in rel_me or (attributes and _may_be_selected(attributes)):
            selections = _selections(tag, attributes, element in rel_me)
            for matches, selected in zip(found, selections, strict=True):
                if selected:
                    matches.append(element)
    for matches in found:
        for element in matches:
            if any(ancestor in pruned for ancestor in element.iterancestors()):
                continue  # gone with the pruned element
            if any(inner in pruned for inner in element.iterdescendants()):
                return extract_author(tree)  # its text changes when those are pruned
            content = trim(" ".join(element.itertext()))
            if content and 2 < len(content) < AUTHOR_LENGTH_LIMIT:
                return normalize_authors(None, content)
    return None


def _may_be_selected(attributes: dict[str, str]) -> bool:
    """False when no byline expression can select an element with these attributes."""
    return bool(
        SELECTABLE.search(attributes.get("class", ""))
        or SELECTABLE.search(attributes.get("id", ""))
        or "itemprop" in attributes
        or "rel" in attributes
        or "data-testid" in attributes
        or "data-component" in attributes
    )


def _pruned(tag: str, attributes: dict[str, str]) -> bool:
    """Whether trafilatura prunes this element (not the root) before its byline search."""
    if tag not in PRUNED_TAGS:
        return False
    element_id, classes = attributes.get("id", ""), attributes.get("class", "")
    return bool(
        element_id == "comments"
        or classes in {"comments", "title", "date"}
        or PRUNED_ID.search(element_id)
        or PRUNED_CLASS.search(classes)
        or "Figure" in attributes.get("data-component", "")
    )


def _selections(tag: str, attributes: dict[str, str], reads_rel_me: bool) -> tuple[bool, ...]:
    """Whether each of trafilatura's three byline expressions selects this element;
    `reads_rel_me`: it has a <rel> child reading "me" (trafilatura's `rel='me'`)."""
    element_id, classes = attributes.get("id", ""), attributes.get("class", "")
    itemprop_author = "author" in attributes.get("itemprop", "")
    first = tag == "author" or (
        tag in FIRST_TAGS
        and (
            attributes.get("rel") == "author"
            or element_id == "author"
            or classes == "author"
            or attributes.get("itemprop") == "author name"
            or reads_rel_me
            or attributes.get("data-testid") in {"AuthorCard", "AuthorURL"}
            or bool(FIRST_CLASS.search(classes))
        )
    )
    second = tag in SECOND_TAGS and bool(
        classes in SECOND_CLASSES
        or itemprop_author
        or SECOND_ID.search(element_id)
        or SECOND_CLASS.search(classes)
    )
    third = bool(
        "Byline" in attributes.get("data-component", "")
        or itemprop_author
        or THIRD_ID.search(element_id)
        or THIRD_CLASS.search(classes)
    )
    return first, second, third
