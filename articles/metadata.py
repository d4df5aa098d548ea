"""Page metadata that complements the extractors: canonical URL, headline, full timestamps."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from articles.bylines import byline_names, json_ld_authors
from articles.json_ld import JsonLdArticle, json_ld_article
from articles.skip_rules import is_home_page

LOGGER = logging.getLogger(__name__)

WHITESPACE = re.compile(r"\s+")
JSON_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]{8,40})"')
JSON_LD_ANY_DATE = re.compile(r'"date(?:Published|Modified|Created)"\s*:\s*"([^"]{8,40})"')
# Separators between a headline and the site's name in <title> and og:title.
TITLE_SPLIT = re.compile(r"(\s+(?:[|\-\u2013\u2014\u203a\u00bb]|::|//)\s+)")
_ALPHANUMERIC = re.compile(r"[\W_]+")
MIN_HEADLINE_WORDS = 2

PUBLISHED_XPATHS = (
    '//meta[@property="article:published_time"]/@content',
    '//meta[@itemprop="datePublished"]/@content',
    '//*[@itemprop="datePublished"]/@datetime',
    '//meta[@name="parsely-pub-date"]/@content',
    '//meta[@name="sailthru.date"]/@content',
    '//meta[@name="dc.date.issued" or @name="DC.date.issued"]/@content',
    '//meta[@name="pubdate" or @name="publishdate" or @name="date"]/@content',
    "//article//time/@datetime",
)
# Other timestamps a page gives, read only for the UTC offset a naive published time lacks.
OFFSET_XPATHS = (
    '//meta[@property="article:modified_time"]/@content',
    '//meta[@property="og:updated_time"]/@content',
    '//meta[@itemprop="dateModified"]/@content',
    "//time/@datetime",
)
AUTHOR_XPATHS = (
    '//meta[@name="author" or @property="author"]/@content',
    '//meta[@property="article:author"]/@content',
    '//meta[@name="parsely-author" or @name="sailthru.author" or @name="byl"]/@content',
    '//meta[@name="dc.creator" or @name="DC.creator"]/@content',
    '//*[@itemprop="author"]//*[@itemprop="name"]//text()',
    '//a[@rel="author"]//text()',
)


@dataclass(frozen=True)
class PageMetadata:
    """What the page's head and markup declare about itself."""

    canonical_url: str | None
    html_lang: str | None
    title: str | None
    headlines: tuple[str, ...]
    authors: tuple[str, ...]
    published: datetime | None  # aware, in the page's own offset (UTC when it gives none)
    top_image: str | None
    # Names the site calls itself (og:site_name, application-name), its host's name and the
    # names learned from its source's other titles: the only parts a title loses.
    site_names: tuple[str, ...] = ()
    # The page says it is an article: og:type, article:published_time or a JSON-LD article.
    declares_article: bool = False


def _first(tree: HtmlElement, *xpaths: str) -> str | None:
    """First non-empty attribute value found by the XPaths, stripped."""
    for xpath in xpaths:
        for value in tree.xpath(xpath):
            value = str(value).strip()
            if value:
                return value
    return None


def believed_canonical(url: str, href: str | None) -> str | None:
    """The page's declared canonical URL, unless it names the site's home page for a page
    that is not one: a misconfigured template's claim, which would merge every story of the
    site into one URL and judge each by its home page's address."""
    canonical = _absolute(url, href)
    if canonical is not None and is_home_page(canonical) and not is_home_page(url):
        return None
    return canonical


def _absolute(base: str, href: str | None) -> str | None:
    """An absolute http(s) URL for href, resolved against the page URL."""
    if not href:
        return None
    try:
        absolute = urljoin(base, href)
    except ValueError:
        return None
    return absolute if absolute.startswith(("http://", "https://")) else None


def parse_timestamp(value: str | None) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 date or timestamp; naive ones are taken as UTC."""
    parsed = _parse_local(value)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _parse_local(value: str | None) -> datetime | None:
    """An ISO 8601 date or timestamp as written: aware when it gives an offset, else naive."""
    if not value:
        return None
    value = value.strip().replace("Z", "+00:00") if value.strip().endswith("Z") else value.strip()
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        try:
            return datetime.combine(date.fromisoformat(value[:10]), time())
        except ValueError:
            return None


def _published(tree: HtmlElement, zone: tzinfo | None) -> datetime | None:
    """The first publication timestamp the page declares, in its own offset.

    Meta tags, microdata and JSON-LD are read in that order. A local time without an offset
    takes the offset another timestamp on the page declares (a modified time, a <time>
    element), else the source's time zone `zone`; only when neither is known is it UTC.
    """
    declared = [str(value) for xpath in PUBLISHED_XPATHS for value in tree.xpath(xpath)]
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        declared.extend(JSON_LD_DATE.findall(script))
    stamps = [stamp for stamp in map(_parse_local, declared) if stamp is not None]
    if not stamps:
        return None
    first = stamps[0]
    if first.tzinfo is not None:
        return first
    others = [str(v) for xpath in OFFSET_XPATHS for v in tree.xpath(xpath)]
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        others.extend(JSON_LD_ANY_DATE.findall(script))
    candidates = [*stamps, *map(_parse_local, others)]
    offset = next((c.tzinfo for c in candidates if c is not None and c.tzinfo is not None), None)
    return first.replace(tzinfo=offset or zone or UTC)


def _authors(
    tree: HtmlElement, article: JsonLdArticle | None, site_names: tuple[str, ...]
) -> tuple[str, ...]:
    """Author names from the JSON-LD article object, else meta tags, microdata or rel=author."""
    from_json_ld = json_ld_authors(article, site_names) if article is not None else []
    if from_json_ld:
        return tuple(from_json_ld)
    for xpath in AUTHOR_XPATHS:
        found = [
            name for value in tree.xpath(xpath) for name in byline_names(str(value), site_names)
        ]
        if found:
            return tuple(dict.fromkeys(found))
    return ()


def page_metadata(
    tree: HtmlElement, url: str, zone: tzinfo | None = None, known_site_names: tuple[str, ...] = ()
) -> PageMetadata:
    """Read canonical URL, language, headlines, publication time and image from a parsed page.

    `zone` is the source's time zone, for a local time the page gives no offset for;
    `known_site_names`, names its source was seen to carry in its titles (`SiteNames`).
    """
    canonical = _first(
        tree, '//link[@rel="canonical"]/@href', '//meta[@property="og:url"]/@content'
    )
    image = _first(
        tree,
        '//meta[@property="og:image"]/@content',
        '//meta[@property="og:image:url"]/@content',
        '//meta[@name="twitter:image"]/@content',
    )
    lang = _first(
        tree, "/html/@lang", "/html/@xml:lang", '//meta[@http-equiv="content-language"]/@content'
    )
    headlines = tuple(
        text
        for text in (WHITESPACE.sub(" ", h1.text_content()).strip() for h1 in tree.iter("h1"))
        if text
    )
    title = _first(tree, '//meta[@property="og:title"]/@content') or next(
        (WHITESPACE.sub(" ", t.text_content()).strip() for t in tree.iter("title")), None
    )
    declared_names = (
        _first(tree, '//meta[@property="og:site_name"]/@content'),
        _first(tree, '//meta[@name="application-name"]/@content'),
    )
    site_names = tuple(
        name for name in (*declared_names, *_host_names(url), *known_site_names) if name
    )
    scripts = [str(s) for s in tree.xpath('//script[@type="application/ld+json"]/text()')]
    article = json_ld_article(scripts)
    og_type = _first(tree, '//meta[@property="og:type"]/@content') or ""
    return PageMetadata(
        canonical_url=believed_canonical(url, canonical),
        html_lang=lang.split("-")[0].split("_")[0].lower()[:3] if lang else None,
        title=title or None,
        headlines=headlines[:3],
        authors=_authors(tree, article, site_names),
        published=_published(tree, zone),
        top_image=_absolute(url, image),
        site_names=site_names,
        declares_article=article is not None
        or og_type.strip().lower() == "article"
        or bool(tree.xpath('//meta[@property="article:published_time"]/@content')),
    )


def _host_names(url: str) -> tuple[str, ...]:
    """ "stern.de" and "stern" for https://www.stern.de/...: how a site may name itself."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    if not host:
        return ()
    return (host, host.split(".")[0])


def refine_title(
    title: str | None, headlines: tuple[str, ...], site_names: tuple[str, ...] = ()
) -> str | None:
    """The headline, without the site's name that <title> and og:title often carry.

    A part of the title set off by a separator (" | ", " - ", ...) is dropped only when it is
    known to be the site's (its og:site_name, application-name or host name). When the
    page's own <h1> is the title's first or last part, the h1 is the headline and the rest
    decoration. Otherwise the title is kept whole: an inner dash is not a site name.
    """
    if not title or _is_site_name(title, site_names):
        return headlines[0] if headlines else (title or None)
    pieces = TITLE_SPLIT.split(title.strip())  # part, separator, part, ...
    while len(pieces) > 1 and _is_site_name(pieces[-1], site_names):
        pieces = pieces[:-2]
    while len(pieces) > 1 and _is_site_name(pieces[0], site_names):
        pieces = pieces[2:]
    parts = pieces[::2]
    if len(parts) > 1:
        for headline in headlines:
            if len(headline.split()) >= MIN_HEADLINE_WORDS and headline.casefold() in (
                parts[0].strip().casefold(),
                parts[-1].strip().casefold(),
            ):
                return headline
    return "".join(pieces).strip()


def _is_site_name(text: str, site_names: tuple[str, ...]) -> bool:
    folded = _ALPHANUMERIC.sub("", text.casefold())
    return bool(folded) and any(folded == _ALPHANUMERIC.sub("", n.casefold()) for n in site_names)
