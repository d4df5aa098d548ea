"""Related links at the edges of a body text: lines that are exactly a link's text on the page.

trafilatura sometimes keeps a "related stories" list, a breadcrumb or a section link before or
after the story. Such a line is a link's whole text somewhere on the page (its anchor), which a
paragraph of the story almost never is, or a short label and one ("Read more: ..."). Only the
first and last lines are judged, so a link quoted inside the story stays. On trafilatura_eval
this drops 10 of 288 boilerplate snippets for 2 of 2,790 story snippets, and the label 4 more
for 1 more (see BENCHMARKS.md).
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

WHITESPACE = re.compile(r"\s+")
# List markers and table rules trafilatura puts before a line.
LINE_MARKERS = "-\u2022*| \t"
# A short label before a link: "Read more: ", "Related: ", "See also: ".
LINK_LABEL = re.compile(r"^\w+(?: \w+){0,2}: ")


def without_edge_links(text: str, tree: HtmlElement) -> str:
    """The text without leading and trailing lines that are a link's whole text on the page."""
    lines = text.split("\n")
    if len(lines) < 2:
        return text
    anchors = {_normalised(a.text_content()) for a in tree.iter("a")}
    anchors.discard("")
    first, last = 0, len(lines)
    while last - first > 1 and _is_link(lines[last - 1], anchors):
        last -= 1
    while last - first > 1 and _is_link(lines[first], anchors):
        first += 1
    return "\n".join(lines[first:last]).strip()


def _is_link(line: str, anchors: set[str]) -> bool:
    """A link's whole text, perhaps after a short label, or a blank line (between paragraphs)."""
    normalised = _normalised(line.strip(LINE_MARKERS))
    return not normalised or LINK_LABEL.sub("", normalised) in anchors or normalised in anchors


def _normalised(text: str) -> str:
    return WHITESPACE.sub(" ", text).strip()
