"""schema.org ClaimReview markup read from a fact-check page: JSON-LD, microdata and RDFa.

Fact-checkers publish each verdict as a `ClaimReview`: the claim, who made it and where it
appeared, the rating, the fact-checker and the date. A page may carry several reviews, in
any of the three syntaxes. extruct reads microdata and RDFa; JSON-LD blocks are parsed one
by one, so that one broken block costs only itself. Every malformed review is counted, never
raised: a fact-checker's markup is input from the open web.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final
from urllib.parse import urljoin

import extruct
import jstyleson
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from articles.json_ld import identified_nodes
from articles.metadata import parse_timestamp
from factchecks.ratings import Rating, normalise_rating

LOGGER = logging.getLogger(__name__)

SCHEMA_PREFIXES: Final = ("http://schema.org/", "https://schema.org/", "schema:")
LINK_PREFIXES: Final = ("http://", "https://", "//", "/", "./", "../", "?")
MAX_REVIEWS_PER_PAGE: Final = 50
MAX_APPEARANCES: Final = 20
MAX_CLAIM_CHARS: Final = 2_000
MAX_NAME_CHARS: Final = 200
MAX_URL_CHARS: Final = 2_000
MAX_DEPTH: Final = 12
CDATA_WRAPPER: Final = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")
XML_DECLARATION: Final = re.compile(r"^\s*<\?xml[^>]*\?>")
# Markers of each syntax: a page without them is not handed to that syntax's parser, so a
# parser's complaint about an unrelated part of a page is not a skipped review.
# (Open Graph tags use RDFa's `property=` too; a ClaimReview in RDFa needs `typeof=`.)
SYNTAX_MARKERS: Final = {"microdata": ("itemscope",), "rdfa": ("typeof=",)}

# Why a review was not kept; counted per page and per crawl.
SKIP_REASONS: Final[dict[str, str]] = {
    "malformed_markup": "a JSON-LD block that is not JSON, or microdata/RDFa a parser rejected",
    "no_claim": "a ClaimReview without the claim's text (claimReviewed)",
}


@dataclass(frozen=True)
class ClaimReview:
    """One fact-checker's verdict on one claim, as its page declares it."""

    claim: str
    review_url: str
    rating: Rating
    rating_words: str | None = None
    rating_value: str | None = None
    best_rating: str | None = None
    worst_rating: str | None = None
    fact_checker: str | None = None
    fact_checker_url: str | None = None
    reviewed_at: datetime | None = None
    language: str | None = None
    title: str | None = None
    claimant: str | None = None
    claimed_at: datetime | None = None
    appearances: tuple[str, ...] = ()


@dataclass
class ReviewsOnPage:
    """The reviews a page carries and how many markup items were skipped, by reason."""

    reviews: list[ClaimReview] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def claim_reviews(page: str, url: str, tree: HtmlElement | None = None) -> ReviewsOnPage:
    """Every ClaimReview on a decoded page, with the page URL for relative links.

    `tree`, the page already parsed by lxml, spares a second parse. A page that never says
    "ClaimReview" is answered at once: most pages a crawler reads are news, not fact-checks.
    """
    found = ReviewsOnPage()
    if "ClaimReview" not in page:
        return found
    nodes: list[dict[str, Any]] = []
    for block in _json_ld_blocks(page, tree):
        try:
            nodes.append(_parse_json_ld(block))
        except ValueError:
            found.skip("malformed_markup")
    # lxml refuses a str whose XML declaration names an encoding (XHTML pages).
    markup = XML_DECLARATION.sub("", page, count=1)
    for syntax, markers in SYNTAX_MARKERS.items():
        if not any(marker in markup for marker in markers):
            continue
        try:
            items = extruct.extract(markup, base_url=url, syntaxes=[syntax], uniform=True,
                                    errors="strict").get(syntax, [])  # fmt: skip
        except Exception:  # extruct and its parsers raise many kinds on bad markup
            LOGGER.debug("unreadable %s on %s", syntax, url, exc_info=True)
            found.skip("malformed_markup")
            continue
        nodes.extend(_compact_rdfa(items) if syntax == "rdfa" else items)
    seen: set[tuple[str, str]] = set()
    for node in _reviews_in(nodes, 0):
        review = _review(node, url)
        if review is None:
            found.skip("no_claim")
            continue
        key = (review.review_url, review.claim)
        if key not in seen and len(found.reviews) < MAX_REVIEWS_PER_PAGE:
            seen.add(key)  # the same review in JSON-LD and microdata is one review
            found.reviews.append(review)
    return found


def _json_ld_blocks(page: str, tree: HtmlElement | None) -> list[str]:
    if tree is None:
        try:
            tree = load_html(page)
        except Exception:  # lxml gives up on some broken pages
            return []
    if tree is None:
        return []
    scripts = tree.xpath('//script[contains(translate(@type, "JSONLD", "jsonld"), "ld+json")]')
    return [script.text_content() for script in scripts if "ClaimReview" in script.text_content()]


def _parse_json_ld(block: str) -> dict[str, Any]:
    """One JSON-LD block; comments, trailing commas and CDATA wrappers, which browsers
    forgive, allowed. References into the block's @graph ({"@id": ...}) are resolved."""
    text = CDATA_WRAPPER.sub("", block.strip().removeprefix("<!--").removesuffix("-->")) + "\n"
    try:
        data = json.loads(text)
    except ValueError:
        try:
            data = jstyleson.loads(text)
        except Exception as error:  # jstyleson raises ValueError and others alike
            raise ValueError(str(error)) from error
    data = {"@graph": data} if isinstance(data, list) else data
    if not isinstance(data, dict):  # valid JSON, but a bare value: no markup in it
        return {}
    return _resolved(data, identified_nodes(data), 0)


def _resolved(value: Any, by_id: dict[str, Any], depth: int) -> Any:
    """A copy with each bare reference ({"@id": ...}) replaced by the object it names."""
    if depth > MAX_DEPTH:
        return value
    if isinstance(value, list):
        return [_resolved(item, by_id, depth + 1) for item in value]
    if isinstance(value, dict):
        if set(value) == {"@id"} and isinstance(value["@id"], str) and value["@id"] in by_id:
            return _resolved(by_id[value["@id"]], by_id, depth + 1)
        return {key: _resolved(item, by_id, depth + 1) for key, item in value.items()}
    return value


def _type_names(node: dict[str, Any]) -> set[str]:
    types = node.get("@type", [])
    names = types if isinstance(types, list) else [types]
    return {_short(str(name)) for name in names}


def _short(name: str) -> str:
    for prefix in SCHEMA_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _reviews_in(value: Any, depth: int) -> Iterator[dict[str, Any]]:
    """ClaimReview objects anywhere in parsed markup: in @graph, lists, or nested in others."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            yield from _reviews_in(item, depth + 1)
    elif isinstance(value, dict):
        if "ClaimReview" in _type_names(value):
            yield value
            return
        for item in value.values():
            yield from _reviews_in(item, depth + 1)


def _compact_rdfa(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """extruct's RDFa comes as expanded JSON-LD: resolve each ClaimReview's references."""
    by_id = {node.get("@id"): node for node in nodes if isinstance(node, dict)}

    def compact(node: dict[str, Any], depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {"@type": sorted(_type_names(node))}
        if isinstance(node.get("@id"), str) and not node["@id"].startswith("_:"):
            result["@id"] = node["@id"]  # the RDFa resource: a review's own URL
        for key, values in node.items():
            if key.startswith("@") or depth > MAX_DEPTH:
                continue
            items = [resolve(value, depth) for value in values if isinstance(value, dict)]
            result[_short(key)] = items[0] if len(items) == 1 else items
        return result

    def resolve(value: dict[str, Any], depth: int) -> Any:
        if "@value" in value:
            return value["@value"]
        target = by_id.get(value.get("@id"))
        if target is not None and target.get("@type") and target is not value:
            return compact(target, depth + 1)
        return value.get("@id")

    return [compact(node, 0) for node in nodes
            if isinstance(node, dict) and "ClaimReview" in _type_names(node)]  # fmt: skip


def _review(node: dict[str, Any], page_url: str) -> ClaimReview | None:
    claim = _text(node.get("claimReviewed"), MAX_CLAIM_CHARS)
    item = _first(node.get("itemReviewed"))
    if not claim and isinstance(item, dict):  # some put the claim's text on the item
        claim = _text(item.get("text") or item.get("name"), MAX_CLAIM_CHARS)
    if not claim:
        return None
    rating = _first(node.get("reviewRating"))
    rating = rating if isinstance(rating, dict) else {}
    words = _text(rating.get("alternateName") or rating.get("name"), MAX_NAME_CHARS)
    value, best, worst = (_text(rating.get(key), 40)
                          for key in ("ratingValue", "bestRating", "worstRating"))  # fmt: skip
    checker = _first(node.get("author")) or _first(node.get("publisher"))
    item = item if isinstance(item, dict) else {}
    return ClaimReview(
        claim=claim,
        review_url=_url(page_url, node.get("url") or node.get("@id")) or page_url,
        rating=normalise_rating(words, value, best, worst),
        rating_words=words,
        rating_value=value,
        best_rating=best,
        worst_rating=worst,
        fact_checker=_name(checker),
        fact_checker_url=_url(page_url, checker.get("url")) if isinstance(checker, dict) else None,
        reviewed_at=parse_timestamp(_text(node.get("datePublished"), 40)),
        language=_language(node.get("inLanguage")),
        title=_text(node.get("headline") or node.get("name"), MAX_NAME_CHARS * 2),
        claimant=_name(_first(item.get("author"))),
        claimed_at=parse_timestamp(_text(item.get("datePublished"), 40)),
        appearances=_appearances(item, page_url),
    )


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _text(value: Any, limit: int) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    if value is None or isinstance(value, dict | list | bool):
        return None
    text = " ".join(str(value).split())
    return text[:limit] or None


def _name(value: Any) -> str | None:
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("alternateName"), MAX_NAME_CHARS)
    return _text(value, MAX_NAME_CHARS)


def _language(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name")
    text = _text(value, 35)
    return text.lower() if text else None


def _url(base: str, value: Any) -> str | None:
    """An absolute http(s) URL from a link or a relative path; None for free text ("Facebook
    post") and blank RDF nodes."""
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("url") or value.get("@id")
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    if any(char.isspace() for char in value) or not value.startswith(LINK_PREFIXES):
        return None
    try:
        absolute = urljoin(base, value)
    except ValueError:
        return None
    if not absolute.startswith(("http://", "https://")) or len(absolute) > MAX_URL_CHARS:
        return None
    return absolute


def _appearances(item: dict[str, Any], page_url: str) -> tuple[str, ...]:
    """Where the claim appeared: `appearance`, `firstAppearance` and `sameAs`, as URLs."""
    urls: list[str] = []
    for key in ("appearance", "firstAppearance", "sameAs", "url"):
        values = item.get(key)
        for value in values if isinstance(values, list) else [values]:
            url = _url(page_url, value)
            if url and url not in urls and url != page_url:
                urls.append(url)
    return tuple(urls[:MAX_APPEARANCES])
