"""Site discovery: which links on a homepage lead to articles, and which feeds it advertises."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from parsel import Selector

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
DATE_IN_PATH = re.compile(r"/(19|20)\d{2}[/-](0?[1-9]|1[0-2])([/-]|$)")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+){3,}", re.IGNORECASE)
ARTICLE_ID = re.compile(r"(?:-|/|_|article|story|id=)\d{5,}")
NOT_ARTICLE = re.compile(
    r"/(tag|tags|topic|topics|category|categories|section|author|authors|about|contact|login|"
    r"signin|sign-in|register|subscribe|account|search|privacy|terms|cookies|help|feed|rss|"
    r"video|videos|gallery|galleries|podcasts?|newsletters?|live|page)(/|$)",
    re.IGNORECASE,
)
NOT_PAGE_SUFFIX = re.compile(
    r"\.(jpe?g|png|gif|webp|svg|pdf|zip|mp3|mp4|css|js|xml|json|ico)$", re.IGNORECASE
)


def advertised_feeds(html: str, base_url: str) -> list[str]:
    """Feed URLs a page announces with `<link rel="alternate" type="application/rss+xml">`."""
    selector = Selector(text=html)
    feeds = []
    for link in selector.css("link[rel~=alternate][href]"):
        if (link.attrib.get("type") or "").lower() in FEED_TYPES:
            feeds.append(urljoin(base_url, link.attrib["href"]))
    return list(dict.fromkeys(feeds))


def page_links(html: str, base_url: str) -> list[str]:
    """Absolute targets of the page's `<a href>` links, in page order, without repeats."""
    selector = Selector(text=html)
    links = (urljoin(base_url, href.strip()) for href in selector.css("a::attr(href)").getall())
    return list(dict.fromkeys(links))


def looks_like_article(url: str) -> bool:
    """A URL shaped like an article: a date, a long slug or a numeric id, and no index path."""
    try:
        path = urlsplit(url).path
    except ValueError:  # a broken IPv6 literal: not a link to follow
        return False
    if path in ("", "/") or NOT_ARTICLE.search(path) or NOT_PAGE_SUFFIX.search(path):
        return False
    return bool(DATE_IN_PATH.search(path) or SLUG.search(path) or ARTICLE_ID.search(path))
