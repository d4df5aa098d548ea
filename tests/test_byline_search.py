"""The one-pass byline search gives trafilatura's `extract_author` answer on every page.

Each case is a page built around one rule of trafilatura 2.3's byline expressions or of its
pruning, with the byline both must find (None where none is). Then every page fixture of
this repository, and trafilatura_eval's 990 pages where the shared data is present.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from lxml.html import HtmlElement
from trafilatura.metadata import extract_author
from trafilatura.utils import load_html

from articles.byline_search import find_byline
from tests.conftest import shared_path

FIXTURES = Path(__file__).parent / "fixtures"
NAME = "Jane Roe"


def _page(body: str, html_attributes: str = "") -> HtmlElement:
    tree = load_html(
        f"<html {html_attributes}><head><title>A story</title></head><body>"
        f"<h1>A story</h1>{body}<p>The story's first paragraph, long enough to be one.</p>"
        "</body></html>"
    )
    assert tree is not None
    return tree


CASES = {
    # The first expression: specific attributes on a few kinds of element, and <author>.
    "rel author": (f'<a rel="author" href="/jane">{NAME}</a>', NAME),
    "id author": (f'<div id="author">{NAME}</div>', NAME),
    "class author exactly": (f'<span class="author">{NAME}</span>', NAME),
    "itemprop author name": (f'<p itemprop="author name">{NAME}</p>', NAME),
    "rel child reading me": (f"<span><rel>me</rel> {NAME}</span>", f"Me {NAME}"),
    "data-testid": (f'<div data-testid="AuthorCard">{NAME}</div>', NAME),
    "class authorName": (f'<strong class="meta authorName">{NAME}</strong>', NAME),
    "author element": (f"<author>{NAME}</author>", NAME),
    # The second: generic classes and ids on more kinds of element.
    "class byline": (f'<h3 class="byline">By {NAME}</h3>', NAME),
    "class BBL": (f'<p class="BBL">{NAME}</p>', NAME),
    "itemprop contains author": (f'<div itemprop="creator author">{NAME}</div>', NAME),
    "id contains author": (f'<span id="post-author-7">{NAME}</span>', NAME),
    "id zuozhe": (f'<span id="zuozhe">{NAME}</span>', NAME),
    "class journalist-name": (f'<h4 class="journalist-name">{NAME}</h4>', NAME),
    "class posted-by": (f'<p class="entry posted-by">Posted by {NAME}</p>', NAME),
    # The third: any element.
    "data-component Byline": (f'<em data-component="Byline">{NAME}</em>', NAME),
    "id Author": (f'<td id="Author1">{NAME}</td>', NAME),
    "class writer": (f'<em class="writer">{NAME}</em>', NAME),
    "class Byline": (f'<li class="ArticleByline">{NAME}</li>', NAME),
    # Nothing a byline expression selects.
    "class bylaw": (f'<em class="bylaw">{NAME}</em>', None),
    "wrong element for an exact class": (f'<em class="author">{NAME}</em>', NAME),
    "no attributes": (f"<p>By {NAME}</p>", None),
    # Order: the first expression wins over an earlier element the third selects.
    "expression order": (f'<em class="writer">Kim Poe</em><a rel="author">{NAME}</a>', NAME),
    # Length: two characters or fewer, or 120 and more, are no byline; the next one is.
    "too short, then one": (
        f'<span class="author">JR</span><span class="author">{NAME}</span>',
        NAME,
    ),
    "too long": (f'<span class="author">{"word " * 30}</span>', None),
    # Pruned before the search: comments, sidebars, dates, figures, with what is inside them.
    "inside comments": (f'<section id="comments"><a rel="author">{NAME}</a></section>', None),
    "inside sidebar": (
        f'<div class="right sidebar"><span class="author">{NAME}</span></div>',
        None,
    ),
    "inside time": (f'<time><span class="author">{NAME}</span></time>', None),
    "inside figure": (f'<figure><span class="author">{NAME}</span></figure>', None),
    "inside Figure component": (
        f'<div data-component="FigureCaption"><span class="author">{NAME}</span></div>',
        None,
    ),
    "Figure component on another element": (
        f'<aside data-component="FigureCaption"><span class="author">{NAME}</span></aside>',
        NAME,
    ),
    "pruned itself": (f'<span class="meta-date author">{NAME}</span>', None),
    "class exactly title": (f'<div class="title"><span class="author">{NAME}</span></div>', None),
    # A pruned element inside the byline changes its text (trafilatura answers then).
    "figure inside the byline": (
        f'<div class="author">{NAME}<figure>Photo: Kim Poe</figure></div>',
        NAME,
    ),
}


@pytest.mark.parametrize(("body", "expected"), CASES.values(), ids=CASES.keys())
def test_each_rule_finds_what_trafilatura_finds(body: str, expected: str | None) -> None:
    tree = _page(body)

    assert extract_author(tree) == expected  # the case tests the rule it is named for
    assert find_byline(tree) == expected


def test_the_root_is_never_pruned() -> None:
    tree = _page(f'<span class="author">{NAME}</span>', 'class="sidebar" id="comments"')

    assert find_byline(tree) == extract_author(tree) == NAME


def test_the_page_is_left_as_it_was() -> None:
    tree = _page(f'<div class="author">By {NAME}<time>12 May</time></div><figure>A</figure>')
    before = len(list(tree.iter()))

    find_byline(tree)

    assert len(list(tree.iter())) == before


@pytest.mark.parametrize(
    "page", sorted(FIXTURES.rglob("*.html")), ids=lambda path: str(path.relative_to(FIXTURES))
)
def test_fixture_pages_agree(page: Path) -> None:
    tree = load_html(page.read_bytes().decode("utf-8", errors="replace"))
    if tree is None:
        pytest.skip(f"{page.name} does not parse")

    assert find_byline(tree) == extract_author(tree)


def test_trafilatura_eval_pages_agree() -> None:
    data = shared_path("data", "extraction", "trafilatura_eval")
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    disagreeing, found = [], 0
    for page_id in sorted(truth):
        html = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes())
        tree = load_html(html)
        if tree is None:
            continue
        ours = find_byline(tree)
        found += ours is not None
        if ours != extract_author(tree):
            disagreeing.append(page_id)

    assert not disagreeing
    assert found > 400  # bylines are found on most pages, not on none
