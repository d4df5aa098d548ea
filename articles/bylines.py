"""Who wrote an article: person names from the page's JSON-LD article object and its bylines.

Pages name many people and things: related articles' authors, the publisher, the photo agency,
the site itself. Only the article object's own `author` is read from JSON-LD (references into
its `@graph` followed); organisations, photo agencies, e-mail addresses, URLs, slugs and the
site's own name are dropped; a list is split at its separators, but a name that is the site's
("The Globe and Mail") is dropped before it could be split into two.
"""

from __future__ import annotations

import re
from typing import Any

from articles.json_ld import JsonLdArticle, node_types

ORGANISATION_TYPES = frozenset({
    "Organization", "NewsMediaOrganization", "Corporation", "EducationalOrganization",
    "CollegeOrUniversity", "GovernmentOrganization", "NGO", "OnlineBusiness",
})  # fmt: skip
# Bylines that credit an agency or a desk, not a person.
NOT_PEOPLE = re.compile(
    r"\b(?:getty|images|shutterstock|reuters|associated press|afp|epa|dpa|pa media|"
    r"press association|staff|newsroom|editors?|editorial|desk|team|agency|agencies|"
    r"news|media|wire|university|universität|ltd|inc|gmbh|llc)\b",
    re.IGNORECASE,
)
BYLINE_PREFIX = re.compile(r"^(?:by|von|par|por|di|door|av)\s+", re.IGNORECASE)
LIST_SPLIT = re.compile(r"\s*[;,|]\s*")
NAME_SPLIT = re.compile(r"\s*(?:\band\b|\bund\b|&)\s*")
SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)+$")
WHITESPACE = re.compile(r"\s+")
ALPHANUMERIC = re.compile(r"[\W_]+")
MAX_AUTHOR_WORDS = 5


def json_ld_authors(article: JsonLdArticle, site_names: tuple[str, ...]) -> list[str]:
    """Person names among the JSON-LD article object's own authors (references followed)."""
    names: list[str] = []
    for author in _listed(article.node.get("author")):
        if isinstance(author, dict) and set(author) == {"@id"}:
            author = article.by_id.get(author["@id"], author)
        names.extend(_author_names(author, site_names))
    return list(dict.fromkeys(names))


def byline_names(value: str, site_names: tuple[str, ...]) -> list[str]:
    """Person names from a byline: "By A and B" gives A and B; the site's own name gives none."""
    value = BYLINE_PREFIX.sub("", WHITESPACE.sub(" ", value).strip())
    if not value or value.startswith(("http://", "https://", "/")):
        return []
    if _is_site_name(value, site_names):  # before splitting: "The Globe and Mail"
        return []
    return _split(value, site_names)


def _split(value: str, site_names: tuple[str, ...]) -> list[str]:
    """Names at list separators, then at "and" / "&" up to an organisation's "The ..." name."""
    names: list[str] = []
    for item in LIST_SPLIT.split(value):
        if _is_site_name(item, site_names):
            continue
        for part in NAME_SPLIT.split(item.strip(" .")):
            if part.startswith("The "):  # an organisation's name runs to the item's end
                break
            names.append(part.strip(" ."))
    return [
        name
        for name in names
        if name
        and len(name.split()) <= MAX_AUTHOR_WORDS
        and not _not_a_name(name)
        and not _is_site_name(name, site_names)
    ]


def _not_a_name(text: str) -> bool:
    """An e-mail address, a URL, a slug, digits, or an agency's or desk's credit."""
    return bool(
        "@" in text
        or text.startswith(("http://", "https://", "/", "www."))
        or SLUG.match(text)
        or text.isdigit()
        or text.startswith("The ")  # "The Globe", half of "The Globe & Mail": not a person
        or NOT_PEOPLE.search(text)
        or re.search(r"\.(?:com|org|net|de|fr|co\.uk|uk)\b", text, re.IGNORECASE)
    )


def _is_site_name(text: str, site_names: tuple[str, ...]) -> bool:
    folded = ALPHANUMERIC.sub("", text.casefold())
    return bool(folded) and any(folded == ALPHANUMERIC.sub("", n.casefold()) for n in site_names)


def _author_names(author: Any, site_names: tuple[str, ...]) -> list[str]:
    if isinstance(author, str):
        return byline_names(author, site_names)
    if not isinstance(author, dict) or node_types(author) & ORGANISATION_TYPES:
        return []
    name = author.get("name")
    if isinstance(name, list):
        name = name[0] if name else None
    return byline_names(name, site_names) if isinstance(name, str) else []


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
