"""JSON-LD helpers shared by the readers of a page's structured data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 12
ARTICLE_TYPES = frozenset({
    "Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle",
    "OpinionNewsArticle", "ReviewNewsArticle", "BackgroundNewsArticle", "LiveBlogPosting",
    "SatiricalArticle", "ScholarlyArticle", "TechArticle", "Report",
})  # fmt: skip


@dataclass(frozen=True)
class JsonLdArticle:
    """The article object a page's JSON-LD declares, and the block's objects by @id."""

    node: dict[str, Any]
    by_id: dict[str, dict[str, Any]]


def json_ld_article(scripts: list[str]) -> JsonLdArticle | None:
    """The first JSON-LD block's article object (outermost first), or None when none declares one.

    A block that does not parse is passed over; the others still count.
    """
    for script in scripts:
        try:
            data = json.loads(script)
        except ValueError:
            continue
        article = next(_articles(data, 0), None)
        if article is not None:
            return JsonLdArticle(article, identified_nodes(data))
    return None


def node_types(node: dict[str, Any]) -> set[str]:
    """A node's @type names, without a schema.org prefix."""
    value = node.get("@type", [])
    return {str(t).rsplit("/", 1)[-1] for t in (value if isinstance(value, list) else [value])}


def identified_nodes(value: Any, depth: int = 0) -> dict[str, dict[str, Any]]:
    """Objects of a JSON-LD block that carry an @id and more, by id (the first of each id):
    what a bare reference such as {"@id": "#author"} points to."""
    found: dict[str, dict[str, Any]] = {}
    _collect(value, found, depth)
    return found


def _collect(value: Any, found: dict[str, dict[str, Any]], depth: int) -> None:
    if depth > MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            _collect(item, found, depth + 1)
    elif isinstance(value, dict):
        if isinstance(value.get("@id"), str) and len(value) > 1:
            found.setdefault(value["@id"], value)
        for item in value.values():
            _collect(item, found, depth + 1)


def _articles(value: Any, depth: int) -> Iterator[dict[str, Any]]:
    """Article objects, outermost first: a nested one (a related story) comes after its host."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            yield from _articles(item, depth + 1)
    elif isinstance(value, dict):
        if node_types(value) & ARTICLE_TYPES:
            yield value
            return  # its related items, parts and publisher are not the article
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            yield from _articles(value.get(key), depth + 1)
