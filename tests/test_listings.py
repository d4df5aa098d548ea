"""Feeds, sitemaps and homepages: what the spider reads article links from."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.discovery import advertised_feeds, looks_like_article, page_links
from crawler.feeds import FeedError, parse_feed
from crawler.sitemaps import SitemapError, parse_sitemap

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>First</title><link>https://n.example/a-story-about-things</link>
<pubDate>Tue, 03 Nov 2026 10:00:00 GMT</pubDate><author>ann@n.example (Ann)</author></item>
<item><title>No link</title></item></channel></rss>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>T</title><entry><title>A</title><link rel="alternate" href="https://n.example/atom-entry"/>
<id>urn:x</id><updated>2026-11-03T10:00:00Z</updated><author><name>Bo</name></author></entry></feed>"""
RDF = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
xmlns="http://purl.org/rss/1.0/"><channel rdf:about="x"><title>T</title></channel>
<item rdf:about="https://n.example/rdf-item"><title>R</title><link>https://n.example/rdf-item</link></item>
</rdf:RDF>"""


def test_rss_atom_and_rdf_entries() -> None:
    (rss,) = parse_feed(RSS, "u")
    assert rss.url == "https://n.example/a-story-about-things" and rss.title == "First"
    assert rss.published is not None and rss.published.year == 2026
    (atom,) = parse_feed(ATOM, "u")
    assert atom.url == "https://n.example/atom-entry" and atom.authors == ("Bo",)
    (rdf,) = parse_feed(RDF, "u")
    assert rdf.url == "https://n.example/rdf-item"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<!DOCTYPE html><html><body>Hello</body></html>", "not_a_feed"),
        (b"<?xml version='1.0'?><rss version='2.0'><channel><item><title>x</ti", "malformed_feed"),
        (b"<?xml version='1.0'?><catalog><book/></catalog>", "not_a_feed"),
    ],
)
def test_bad_feeds_raise_a_reason(body: bytes, reason: str) -> None:
    with pytest.raises(FeedError) as caught:
        parse_feed(body, "https://n.example/feed")
    assert caught.value.reason == reason


def test_empty_feed_has_no_entries() -> None:
    assert parse_feed(b"<rss version='2.0'><channel><title>T</title></channel></rss>", "u") == []


def test_feed_entities_are_not_expanded_and_long_fields_are_cut() -> None:
    value = "A" * 4400  # "safe" to feedparser: a plain string; a thousand references a title
    items = "".join(
        f"<item><title>{'&a;' * 1000}</title><link>https://n.example/{i}</link>"
        f"<author>{'B' * 5000}</author></item>"
        for i in range(3)
    )
    body = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "{value}">\n'
        f"<!ENTITY b '>{value}'>\n]>\n"
        f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
    ).encode()
    entries = parse_feed(body, "https://n.example/feed")
    assert [e.url for e in entries] == [f"https://n.example/{i}" for i in range(3)]
    assert all(e.title is not None and e.title.startswith("&a;&a;") for e in entries)
    assert all(len(e.title or "") <= 1000 and "AAAA" not in (e.title or "") for e in entries)
    assert all(len(name) <= 200 for e in entries for name in e.authors)
    long_title = b"<rss version='2.0'><channel><item><title>" + b"word " * 1000
    long_title += b"</title><link>https://n.example/x</link></item></channel></rss>"
    assert len(parse_feed(long_title, "u")[0].title or "") == 1000


SITEMAP = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://n.example/old</loc><lastmod>2025-01-01</lastmod></url>
<url><loc>https://n.example/new</loc><news:news><news:publication><news:name>N</news:name>
</news:publication><news:publication_date>2026-11-03T10:00:00Z</news:publication_date>
<news:title>New story</news:title></news:news></url></urlset>"""


def test_sitemaps_plain_gzip_and_index() -> None:
    document = parse_sitemap(gzip.compress(SITEMAP), "u.xml.gz", max_size=10**6)
    assert not document.is_index
    assert [e.url for e in document.entries] == ["https://n.example/new", "https://n.example/old"]
    assert document.entries[0].title == "New story"
    index = parse_sitemap(
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>https://n.example/s1.xml.gz</loc></sitemap></sitemapindex>",
        "i.xml",
        max_size=10**6,
    )
    assert index.is_index and index.entries[0].url == "https://n.example/s1.xml.gz"


def test_sitemap_bombs_and_non_sitemaps_are_refused() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 2_000_000 + b"</urlset>")
    with pytest.raises(SitemapError):
        parse_sitemap(bomb, "bomb.xml.gz", max_size=100_000)
    with pytest.raises(SitemapError):
        parse_sitemap(b"<html><body>no</body></html>", "x.xml", max_size=10**6)


def test_homepage_links_and_feeds() -> None:
    html = """<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml">
    </head><body><a href="/news/2026/11/03/big-story.html">x</a><a href="/about">About</a>
    <a href="/tag/politics">tag</a><a href="https://n.example/world/a-long-story-slug-here">y</a>
    </body></html>"""
    assert advertised_feeds(html, "https://n.example/") == ["https://n.example/rss.xml"]
    articles = [u for u in page_links(html, "https://n.example/") if looks_like_article(u)]
    assert articles == [
        "https://n.example/news/2026/11/03/big-story.html",
        "https://n.example/world/a-long-story-slug-here",
    ]


def test_an_entity_amplified_feed_parses_within_a_memory_bound(tmp_path: Path) -> None:
    """The reported attack at full size: 100 titles of 1,000 references to a 4.4 KB entity
    (a 4.5 MB feed that grew a crawl to 1.86 GB). Parsed in a child held to 600 MB."""
    import subprocess
    import sys

    value = "A" * 4400
    items = "".join(
        f"<item><title>{'&a;' * 1000}</title><link>https://n.example/{i}</link></item>"
        for i in range(100)
    )
    feed = tmp_path / "amplified.xml"
    feed.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "{value}">\n]>\n'
        f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>',
        encoding="utf-8",
    )
    script = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (600 * 2**20, 600 * 2**20))\n"
        "from crawler.feeds import parse_feed\n"
        "entries = parse_feed(open(sys.argv[1], 'rb').read(), 'u')\n"
        "print(len(entries), max(len(e.title or '') for e in entries))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(feed)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-1000:]
    assert result.stdout.split() == ["100", "1000"]


MEDIA_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"
        xmlns:video="http://www.google.com/schemas/sitemap-video/1.1">
  <url>
    <loc>https://news.example/2024/03/flood-defences</loc>
    <image:image>
      <image:loc>https://news.example/img/flood.jpg</image:loc>
      <image:title>Sandbags piled outside a bakery on Quay Street</image:title>
    </image:image>
    <video:video>
      <video:title>Drone footage of the river at its peak</video:title>
      <video:publication_date>2024-03-14T18:00:00+00:00</video:publication_date>
    </video:video>
    <news:news>
      <news:title>Town votes for new flood defences</news:title>
      <news:publication_date>2024-03-12T09:30:00+00:00</news:publication_date>
    </news:news>
  </url>
  <url>
    <loc>https://news.example/2024/03/photo-essay</loc>
    <lastmod>2024-03-11T08:00:00Z</lastmod>
    <image:image><image:title>A caption, not a headline</image:title></image:image>
  </url>
</urlset>"""


def test_image_and_video_titles_and_dates_are_not_article_metadata() -> None:
    document = parse_sitemap(MEDIA_SITEMAP, "media.xml", max_size=10**6)
    by_url = {entry.url: entry for entry in document.entries}
    flood = by_url["https://news.example/2024/03/flood-defences"]
    assert flood.title == "Town votes for new flood defences"
    assert flood.modified == datetime(2024, 3, 12, 9, 30, tzinfo=UTC)
    essay = by_url["https://news.example/2024/03/photo-essay"]
    assert essay.title is None and essay.modified == datetime(2024, 3, 11, 8, 0, tzinfo=UTC)
