"""RSS 2.0, Atom, RSS 1.0 (RDF) feeds and XML sitemaps of the fixture site."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

from tests.newssite.content import FixtureArticle
from tests.newssite.pages import SITE_NAME


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed: `link` is exactly what the feed publishes (tracking junk and all)."""

    title: str
    link: str
    summary: str
    published: datetime
    guid: str
    author: str = ""


def items_for(articles: Sequence[FixtureArticle], *, messy: bool = False) -> list[FeedItem]:
    """Feed items for articles, newest first as given; `messy` adds real-world link noise."""
    items = []
    for index, article in enumerate(articles):
        link = article.url
        if messy:
            if article.id % 3 == 0:
                link += "?utm_source=rss&utm_medium=feed"
            if article.id % 5 == 0:
                link += "#comments"
            if index == 2:
                link = article.url + "/"
        items.append(
            FeedItem(
                title=article.title,
                link=link,
                summary=article.summary,
                published=article.published,
                guid=article.url,
                author=", ".join(article.authors),
            )
        )
    return items


def rss(site_url: str, title: str, items: Sequence[FeedItem], self_path: str) -> str:
    """An RSS 2.0 document."""
    entries = "".join(
        "<item>\n"
        f"<title>{escape(i.title)}</title>\n<link>{escape(i.link)}</link>\n"
        f"<description>{escape(i.summary)}</description>\n"
        f"<pubDate>{format_datetime(i.published)}</pubDate>\n"
        f'<guid isPermaLink="false">{escape(i.guid)}</guid>\n'
        + (f"<dc:creator>{escape(i.author)}</dc:creator>\n" if i.author else "")
        + "</item>\n"
        for i in items
    )
    built = format_datetime(items[0].published) if items else "Fri, 01 Mar 2024 00:00:00 GMT"
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
        f"<title>{escape(title)}</title>\n<link>{site_url}/</link>\n"
        f"<description>Latest news from {SITE_NAME}</description>\n<language>en-gb</language>\n"
        f"<lastBuildDate>{built}</lastBuildDate>\n"
        f'<atom:link href="{site_url}{self_path}" rel="self" type="application/rss+xml"/>\n'
        f"{entries}</channel>\n</rss>\n"
    )


def atom(site_url: str, items: Sequence[FeedItem]) -> str:
    """An Atom 1.0 document."""
    entries = "".join(
        "<entry>\n"
        f'<title>{escape(i.title)}</title>\n<link rel="alternate" href={quoteattr(i.link)}/>\n'
        f"<id>{escape(i.guid)}</id>\n<published>{i.published.isoformat()}</published>\n"
        f"<updated>{i.published.isoformat()}</updated>\n"
        f"<author><name>{escape(i.author or SITE_NAME)}</name></author>\n"
        f"<summary>{escape(i.summary)}</summary>\n</entry>\n"
        for i in items
    )
    updated = items[0].published.isoformat() if items else "2024-03-01T00:00:00+00:00"
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n'
        f"<title>{SITE_NAME}</title>\n<id>{site_url}/</id>\n<updated>{updated}</updated>\n"
        f'<link rel="alternate" href="{site_url}/"/>\n'
        f'<link rel="self" href="{site_url}/feeds/atom.xml"/>\n{entries}</feed>\n'
    )


def rdf(site_url: str, items: Sequence[FeedItem]) -> str:
    """An RSS 1.0 (RDF) document."""
    seq = "".join(f"<rdf:li rdf:resource={quoteattr(i.link)}/>\n" for i in items)
    entries = "".join(
        f"<item rdf:about={quoteattr(i.link)}>\n<title>{escape(i.title)}</title>\n"
        f"<link>{escape(i.link)}</link>\n<description>{escape(i.summary)}</description>\n"
        f"<dc:date>{i.published.isoformat()}</dc:date>\n</item>\n"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f'<channel rdf:about="{site_url}/feeds/rdf.xml">\n<title>{SITE_NAME}</title>\n'
        f"<link>{site_url}/</link>\n<description>Latest news</description>\n"
        f"<items><rdf:Seq>\n{seq}</rdf:Seq></items>\n</channel>\n{entries}</rdf:RDF>\n"
    )


def sitemap_index(site_url: str, parts: Sequence[tuple[str, datetime | None]]) -> str:
    """A sitemap index listing `(path, lastmod)` child sitemaps."""
    entries = "".join(
        f"<sitemap><loc>{site_url}{path}</loc>"
        + (f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else "")
        + "</sitemap>\n"
        for path, lastmod in parts
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}</sitemapindex>\n"
    )


def urlset(articles: Sequence[FixtureArticle]) -> str:
    """A plain sitemap of article URLs."""
    entries = "".join(
        f"<url><loc>{escape(a.url)}</loc><lastmod>{a.published.isoformat()}</lastmod>"
        "<changefreq>never</changefreq></url>\n"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}</urlset>\n"
    )


def news_sitemap(articles: Sequence[FixtureArticle]) -> str:
    """A Google News sitemap (`xmlns:news`)."""
    entries = "".join(
        f"<url><loc>{escape(a.url)}</loc><news:news><news:publication>"
        f"<news:name>{SITE_NAME}</news:name><news:language>en</news:language>"
        f"</news:publication><news:publication_date>{a.published.isoformat()}"
        f"</news:publication_date><news:title>{escape(a.title)}</news:title>"
        "</news:news></url>\n"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
        f"{entries}</urlset>\n"
    )


def malformed_feed(site_url: str) -> str:
    """An RSS document with a bare ampersand, cut off inside its first item: not XML at all."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>\n'
        f"<title>Broken & feed</title><link>{site_url}/</link>\n"
        "<item><title>Half an item</title><description>This feed stops in the middle of <b>an"
    )
