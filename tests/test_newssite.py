"""The fixture news site itself: feeds, sitemaps, articles, validators and every fault route."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import socket
import time
import urllib.error
import urllib.request
import urllib.robotparser
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from email.message import Message
from email.utils import format_datetime
from typing import Any

import pytest

from tests.newssite import NewsSite, serve_news_site
from tests.newssite.faults import PRIVATE_LINKS
from tests.newssite.site import FAULT_PAGES

feedparser: Any = pytest.importorskip("feedparser")

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(
    url: str, headers: dict[str, str] | None = None, method: str = "GET", timeout: float = 5
) -> tuple[int, Message, bytes]:
    """Status, headers and body of one request, without following redirects."""
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture(scope="module")
def site() -> Iterator[NewsSite]:
    with serve_news_site(articles=30, seed=1, slow_seconds=0.3, huge_bytes=400_000) as running:
        yield running


@pytest.fixture
def fresh_site() -> Iterator[NewsSite]:
    with serve_news_site(articles=12, seed=2, slow_seconds=0.3, huge_bytes=200_000) as running:
        yield running


def xml_of(site: NewsSite, path: str) -> ET.Element:
    status, _, body = fetch(site.url + path)
    assert status == 200, path
    return ET.fromstring(body)


def test_large_site_feeds_list_the_newest_100() -> None:
    with serve_news_site(articles=2000) as big:
        assert len(big.articles) == 2000
        parsed = feedparser.parse(fetch(big.url + "/feeds/rss.xml")[2])
        assert len(parsed.entries) == 100
        assert parsed.entries[0].title == big.articles[-1].title


def test_rss_lists_every_article_newest_first_with_real_world_link_noise(site: NewsSite) -> None:
    status, headers, body = fetch(site.url + "/feeds/rss.xml")
    assert status == 200 and headers["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(body).find("channel")
    assert channel is not None
    links = [item.findtext("link") or "" for item in channel.iter("item")]
    assert len(links) == len(site.articles) == 30
    clean = [link.split("?")[0].split("#")[0].removesuffix("/") for link in links]
    assert clean == [a.url for a in reversed(site.articles)]
    assert any("?utm_source=rss&utm_medium=feed" in link for link in links)
    assert any(link.endswith("#comments") for link in links)
    assert sum(link.endswith(".html/") for link in links) == 1
    parsed = feedparser.parse(body)
    assert not parsed.bozo and parsed.version == "rss20"


@pytest.mark.parametrize(
    ("path", "version"), [("/feeds/atom.xml", "atom10"), ("/feeds/rdf.xml", "rss10")]
)
def test_atom_and_rdf_feeds_parse_with_clean_links(site: NewsSite, path: str, version: str) -> None:
    parsed = feedparser.parse(fetch(site.url + path)[2])
    assert not parsed.bozo and parsed.version == version
    assert [e.link for e in parsed.entries] == [a.url for a in reversed(site.articles)]


def test_sitemaps_cover_every_article_once(site: NewsSite) -> None:
    index = xml_of(site, "/sitemap_index.xml")
    locs = [loc.text or "" for loc in index.iter(f"{SM}loc")]
    assert [loc.removeprefix(site.url) for loc in locs] == [
        "/sitemaps/articles-1.xml.gz",
        "/sitemaps/articles-2.xml",
        "/sitemaps/news.xml",
    ]
    status, headers, packed = fetch(locs[0])
    assert status == 200 and packed[:2] == b"\x1f\x8b" and "gzip" in headers["Content-Type"]
    first = [e.text or "" for e in ET.fromstring(gzip.decompress(packed)).iter(f"{SM}loc")]
    second = [e.text or "" for e in xml_of(site, "/sitemaps/articles-2.xml").iter(f"{SM}loc")]
    assert first and second and not set(first) & set(second)
    assert sorted(first + second) == sorted(a.url for a in site.articles)
    news = xml_of(site, "/sitemaps/news.xml")
    titles = [e.text for e in news.iter(f"{NEWS}title")]
    assert titles == [a.title for a in reversed(site.articles)]


def test_conditional_get_and_add_articles(fresh_site: NewsSite) -> None:
    url = fresh_site.url + "/feeds/rss.xml"
    status, headers, body = fetch(url)
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert status == 200 and etag.startswith('"') and not etag.startswith("W/")
    assert fetch(url, {"If-None-Match": etag})[0] == 304
    assert fetch(url, {"If-Modified-Since": modified})[0] == 304
    assert fetch(url, {"If-None-Match": '"other"', "If-Modified-Since": modified})[0] == 200
    added = fresh_site.add_articles(3)
    assert len(fresh_site.articles) == 15 and fresh_site.articles[-3:] == added
    status, headers, new_body = fetch(url, {"If-None-Match": etag})
    assert status == 200 and headers["ETag"] != etag and new_body != body
    assert fetch(url, {"If-Modified-Since": modified})[0] == 200
    newest = feedparser.parse(new_body).entries[0]
    assert newest.title == added[-1].title
    locs = [e.text for e in xml_of(fresh_site, "/sitemaps/articles-2.xml").iter(f"{SM}loc")]
    first = gzip.decompress(fetch(fresh_site.url + "/sitemaps/articles-1.xml.gz")[2])
    assert added[-1].url in first.decode() and len(locs) == 7


def test_robots_txt_disallows_private_and_names_the_sitemap(site: NewsSite) -> None:
    status, headers, body = fetch(site.url + "/robots.txt")
    text = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert "User-agent: *" in text and "Disallow: /private/" in text
    assert f"Sitemap: {site.url}/sitemap_index.xml" in text
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(text.splitlines())
    assert not robots.can_fetch("fakewatch", site.faults["robots_disallowed"])
    assert robots.can_fetch("fakewatch", site.articles[0].url)


def test_article_page_carries_metadata_and_boilerplate(site: NewsSite) -> None:
    article = site.articles[4]
    status, _, body = fetch(article.url + "?utm_source=x")
    page = body.decode()
    assert status == 200 and '<html lang="en">' in page and '<meta charset="utf-8">' in page
    assert f'<link rel="canonical" href="{article.url}">' in page
    assert 'property="og:title"' in page and 'property="og:image"' in page
    assert f'content="{article.published.isoformat()}"' in page
    assert f'<meta name="author" content="{", ".join(article.authors)}">' in page
    for boilerplate in ("<nav", "breadcrumbs", "Share this article", "Related stories",
                        "Comments (", "All rights reserved", "cookies"):  # fmt: skip
        assert boilerplate in page
    assert 250 <= len(article.text.split()) <= 900
    assert len(article.paragraphs) >= 3
    slash = fetch(article.url + "/")[2].decode()
    assert f'<link rel="canonical" href="{article.url}">' in slash
    assert article.published.tzinfo is not None and article.language == "en"


def test_listing_pages_link_to_articles_and_are_not_articles(site: NewsSite) -> None:
    home = fetch(site.url + "/")[2].decode()
    assert sum(a.path in home for a in site.articles) == 20
    for link in ("/section/world", "/about", "/login", "/tag/"):
        assert link in home
    world = fetch(site.faults["section_page"])[2].decode()
    assert all(a.path in world for a in site.articles if a.section == "world")
    for path in ("/about", "/login", "/tag/world", "/author/x"):
        assert fetch(site.url + path)[0] == 200
    assert fetch(site.url + "/no/such/page")[0] == 404


def test_texts_are_distinct_deterministic_english() -> None:
    langid = pytest.importorskip("py3langid")
    with serve_news_site(articles=300, seed=7) as first:
        texts = [a.text for a in first.articles]
        titles = [a.title for a in first.articles]
    assert len({hashlib.sha256(t.encode()).digest() for t in texts}) == 300
    assert all(250 <= len(t.split()) <= 900 for t in texts)
    assert all(langid.classify(t)[0] == "en" for t in texts[:50])
    with serve_news_site(articles=5, seed=7) as again, serve_news_site(articles=5, seed=8) as other:
        assert [a.text for a in again.articles] == texts[:5]
        assert [a.title for a in again.articles] == titles[:5]
        assert [a.text for a in other.articles] != texts[:5]


def test_syndicated_copies_share_text_but_not_url(site: NewsSite) -> None:
    parsed = feedparser.parse(fetch(site.url + "/feeds/syndicated.xml")[2])
    assert [e.link for e in parsed.entries] == [c.url for c in site.syndicated]
    assert len(site.syndicated) == 5
    copy = site.syndicated[0]
    page = fetch(copy.url)[2].decode()
    assert f'<link rel="canonical" href="{copy.url}">' in page
    assert copy.text == copy.original.text and copy.url != copy.original.url
    assert all(p in page for p in copy.original.paragraphs)


def test_faults_feed_lists_every_fault_page(site: NewsSite) -> None:
    parsed = feedparser.parse(fetch(site.url + "/feeds/faults.xml")[2])
    assert {e.link for e in parsed.entries} == {site.url + p for p in FAULT_PAGES.values()}
    assert set(FAULT_PAGES) <= set(site.faults)
    assert all(url.startswith(site.url + "/") for url in site.faults.values())


def test_fault_feeds(site: NewsSite) -> None:
    with pytest.raises(ET.ParseError):
        ET.fromstring(fetch(site.faults["malformed_feed"])[2])
    empty = feedparser.parse(fetch(site.faults["empty_feed"])[2])
    assert not empty.bozo and empty.version == "rss20" and empty.entries == []
    status, headers, body = fetch(site.faults["html_feed"])
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert body.lstrip().startswith(b"<!DOCTYPE html>")
    private = ET.fromstring(fetch(site.faults["private_feed"])[2])
    assert tuple(item.findtext("link") for item in private.iter("item")) == PRIVATE_LINKS


def test_volatile_feed_changes_validators_every_time(site: NewsSite) -> None:
    url = site.faults["volatile_feed"]
    _, first, body = fetch(url)
    status, second, again = fetch(url, {"If-None-Match": first["ETag"]})
    assert status == 200 and first["ETag"] != second["ETag"] and body == again


def test_error_and_redirect_faults(site: NewsSite) -> None:
    assert fetch(site.faults["not_found"])[0] == 404
    assert fetch(site.faults["server_error"])[0] == 500
    status, headers, _ = fetch(site.faults["redirect_loop"])
    assert status == 302 and headers["Location"] == site.url + "/loop/b"
    assert fetch(site.url + "/loop/b")[1]["Location"] == site.url + "/loop/a"
    url, hops = site.faults["redirect_chain"], 0
    while (answer := fetch(url))[0] == 302:
        url, hops = answer[1]["Location"], hops + 1
    assert hops == 3 and url == site.fault_articles["redirect_target"].url
    assert b'rel="canonical"' in answer[2]
    assert fetch(site.faults["redirect_chain_long"])[1]["Location"].endswith("/redirect/chain/29")


def test_non_html_and_huge_faults(site: NewsSite) -> None:
    status, headers, pdf = fetch(site.faults["pdf"])
    assert headers["Content-Type"] == "application/pdf" and pdf.startswith(b"%PDF-")
    _, headers, jpeg = fetch(site.faults["image"])
    assert headers["Content-Type"] == "image/jpeg" and jpeg[:3] == b"\xff\xd8\xff"
    status, headers, huge = fetch(site.faults["huge"])
    assert status == 200 and int(headers["Content-Length"]) == len(huge) == 400_000
    assert b"</article>" in huge and huge.rstrip().endswith(b"</html>")
    _, headers, chunked = fetch(site.faults["huge_chunked"])
    assert headers["Transfer-Encoding"] == "chunked" and len(chunked) == 400_000


def test_charset_faults(site: NewsSite) -> None:
    _, headers, latin1 = fetch(site.faults["latin1"])
    assert headers["Content-Type"] == "text/html; charset=ISO-8859-1"
    assert b"caf\xe9" in latin1 and b"<meta charset" not in latin1
    assert "caf\u00e9" in site.fault_articles["latin1"].text
    _, headers, cp1252 = fetch(site.faults["cp1252"])
    assert headers["Content-Type"] == "text/html" and b"charset=" not in cp1252
    assert b"<meta charset" not in cp1252
    assert b"\x80" in cp1252 and b"\x93" in cp1252 and b"\x92" in cp1252
    with pytest.raises(UnicodeDecodeError):
        cp1252.decode("utf-8")
    _, headers, moji = fetch(site.faults["mojibake"])
    assert "don\u00e2\u20ac\u2122t" in moji.decode("utf-8")
    assert "don\u2019t" in site.fault_articles["mojibake"].text


def test_non_article_faults(site: NewsSite) -> None:
    german = fetch(site.faults["german"])[2].decode()
    assert '<html lang="de">' in german and "Bundesregierung" in german
    links = fetch(site.faults["link_only"])[2].decode()
    assert links.count("<a ") > 60
    empty = fetch(site.faults["empty_page"])[2].decode()
    assert "<body>\n</body>" in empty
    assert fetch(site.faults["robots_disallowed"])[0] == 200


def test_retry_after_faults(fresh_site: NewsSite) -> None:
    status, headers, _ = fetch(fresh_site.faults["ratelimit"])
    assert status == 429 and headers["Retry-After"] == "1"
    assert fetch(fresh_site.faults["ratelimit"])[0] == 200
    statuses = [fetch(fresh_site.faults["unavailable"]) for _ in range(3)]
    assert [s[0] for s in statuses] == [503, 503, 200] and statuses[0][1]["Retry-After"] == "1"
    fresh_site.reset_faults()
    assert fetch(fresh_site.faults["ratelimit"])[0] == 429


def test_slow_page_waits_slow_seconds(site: NewsSite) -> None:
    started = time.perf_counter()
    assert fetch(site.faults["slow"])[0] == 200
    assert time.perf_counter() - started >= 0.3
    with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
        fetch(site.faults["slow"], timeout=0.1)


def test_set_down_answers_503_or_resets(fresh_site: NewsSite) -> None:
    fresh_site.set_down(True)
    assert fetch(fresh_site.url + "/feeds/rss.xml")[0] == 503
    fresh_site.set_down(True, reset=True)
    with pytest.raises((ConnectionError, urllib.error.URLError, http.client.HTTPException)):
        fetch(fresh_site.url + "/")
    fresh_site.set_down(False)
    assert fetch(fresh_site.url + "/")[0] == 200


def test_requests_are_recorded(fresh_site: NewsSite) -> None:
    fetch(fresh_site.url + "/feeds/rss.xml?x=1", {"User-Agent": "fakewatch-test/1.0"})
    fetch(fresh_site.url + "/feeds/rss.xml", {"If-None-Match": '"abc"'}, method="HEAD")
    assert fresh_site.hits["/feeds/rss.xml"] == 2
    first, second = fresh_site.requests[-2:]
    assert first.path == "/feeds/rss.xml?x=1" and first.method == "GET"
    assert first.headers["user-agent"] == first.headers["User-Agent"] == "fakewatch-test/1.0"
    method, _, headers = second
    assert method == "HEAD" and headers.get("if-none-match") == '"abc"'
    fresh_site.clear_log()
    assert not fresh_site.hits and not fresh_site.requests


def test_keep_alive_serves_many_requests_on_one_connection(site: NewsSite) -> None:
    host, port = site.host.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    for n in range(300):
        connection.request("GET", site.articles[n % 30].path)
        response = connection.getresponse()
        assert response.status == 200 and response.read()
        assert not response.will_close, f"the server closed the connection after request {n}"
    connection.close()


def test_head_has_no_body_and_last_modified_is_an_http_date(site: NewsSite) -> None:
    status, headers, body = fetch(site.url + "/feeds/atom.xml", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0
    newest = site.articles[-1].published
    assert headers["Last-Modified"] == format_datetime(newest, usegmt=True)
