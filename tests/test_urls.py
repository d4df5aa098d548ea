"""URL rules: canonical forms for dedup and the private-address rule."""

from __future__ import annotations

import pytest

from common.addresses import allowed_networks
from crawler.errors import UnsafeUrlError
from crawler.urls import (
    blocked_address,
    canonical_url,
    in_domains,
    require_http_url,
)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("HTTP://News.Example.COM:80/World/Story/", "http://news.example.com/World/Story"),
        ("https://example.com:443/a?utm_source=rss&utm_medium=feed", "https://example.com/a"),
        ("https://example.com/a?id=7&fbclid=xyz#comments", "https://example.com/a?id=7"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://example.com", "https://example.com/"),
        ("http://127.0.0.1:8080/news/x.html/", "http://127.0.0.1:8080/news/x.html"),
    ],
)
def test_canonical_url(raw: str, canonical: str) -> None:
    assert canonical_url(raw) == canonical


def test_canonical_url_resolves_relative_links() -> None:
    assert canonical_url("../b.html#x", base="https://e.com/news/a/") == "https://e.com/news/b.html"


@pytest.mark.parametrize(
    "url", ["ftp://example.com/a", "file:///etc/passwd", "javascript:alert(1)", "https:///nohost"]
)
def test_only_http_urls_with_hosts(url: str) -> None:
    with pytest.raises(UnsafeUrlError):
        require_http_url(url)


@pytest.mark.parametrize("url", ["https://example.com:99999/a", "http://[::1/x", "http://[zz]/"])
def test_what_cannot_be_a_url_is_one_unsafe_url_error(url: str) -> None:
    with pytest.raises(UnsafeUrlError, match="not a valid URL"):
        require_http_url(url)
    with pytest.raises(UnsafeUrlError, match="not a valid URL"):
        canonical_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/x.html",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/a.html",
        "http://127.0.0.1:8000/",
        "http://192.168.1.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::127.0.0.1]/",  # IPv4-compatible
        "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of the metadata address
        "http://[2002:a00:1::1]/",  # 6to4 of 10.0.0.1
        "http://0.0.0.0/",
        "http://localhost/",
    ],
)
def test_private_loopback_link_local_and_metadata_addresses_are_blocked(url: str) -> None:
    assert blocked_address(url) is not None


def test_public_addresses_pass_and_allowed_networks_open_only_themselves() -> None:
    assert blocked_address("http://93.184.216.34/") is None
    loopback = allowed_networks(["127.0.0.1/32"])
    assert blocked_address("http://127.0.0.1:9/", loopback) is None
    assert blocked_address("http://10.0.0.1/", loopback) == "10.0.0.1"
    assert blocked_address("http://[::1]/", loopback) == "::1"
    assert blocked_address("http://10.0.0.1/", allowed_networks(True)) is None
    # An IPv6 address carrying an IPv4 one is judged, and allowed, by that IPv4 address.
    assert blocked_address("http://[::ffff:127.0.0.1]/", loopback) is None
    assert blocked_address("http://[::ffff:10.0.0.1]/", loopback) == "::ffff:a00:1"
    assert blocked_address("http://[64:ff9b::5db8:d822]/") is None  # NAT64 of a public one
    assert blocked_address("http://[2002:5db8:d822::1]/") is None


def test_domains() -> None:
    assert in_domains("https://www.bbc.co.uk/news/x", ("bbc.co.uk",))
    assert not in_domains("https://evilbbc.co.uk/news/x", ("bbc.co.uk",))
    assert in_domains("https://anything.example/", ())
