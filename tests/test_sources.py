"""The sources file: valid files load; bad ones fail at load with the line and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.errors import SourcesFileError
from crawler.sources import load_sources, parse_interval, parse_sources
from fakewatch.settings import DEFAULT_SOURCES_FILE

GOOD = """
[[source]]
name = "wire"
feeds = ["https://wire.example/rss.xml", "https://wire.example/atom.xml"]
interval = "15m"
category = "wire"

[[source]]
name = "site"
homepage = "https://www.site.example/"
sitemaps = ["https://www.site.example/sitemap.xml.gz"]
languages = ["en", "de"]
allow_private = ["127.0.0.1/32"]
max_articles = 20
timezone = "Europe/Berlin"
"""


def test_good_file_loads_with_defaults() -> None:
    wire, site = parse_sources(GOOD, Path("s.toml"))
    assert wire.kind == "feed" and wire.interval_seconds == 900
    assert wire.allowed_domains == ("wire.example",)
    assert site.kind == "sitemap+site" and site.languages == ("en", "de")
    assert site.allow_private == ("127.0.0.1/32",) and site.max_articles == 20
    assert site.interval_seconds == 3600 and site.min_interval_seconds <= 3600
    assert site.timezone == "Europe/Berlin" and wire.timezone is None


def test_shipped_default_sources_are_valid_and_include_satire() -> None:
    sources = load_sources(DEFAULT_SOURCES_FILE)
    categories = {s.category for s in sources}
    assert {"wire", "broadcaster", "broadsheet", "satire"} <= categories
    assert any(s.name == "the-onion" for s in sources)


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ('[[source]]\nname = "a"\nfeeds = ["ftp://x.example/rss"]\n', 3, "not an http(s) URL"),
        (
            '[[source]]\nname = "a"\nfeeds = ["https://x/"]\n\n[[source]]\nname = "b"\n',
            5,
            "at least one",
        ),
        (
            '[[source]]\nname = "a"\nfeeds = ["https://x/"]\n[[source]]\nname = "a"\nfeeds = ["https://y/"]\n',
            4,
            "already used",
        ),
        ('[[source]]\nname = "Bad Name"\nfeeds = ["https://x/"]\n', 2, "lower-case"),
        ('[[source]]\nname = "a"\nfeeds = ["https://x/"]\ninterval = "soon"\n', 4, "interval"),
        ('[[source]]\nname = "a"\nfeeds = ["https://x/"]\nfeedz = []\n', 4, "unknown key 'feedz'"),
        ('[[source]]\nname = "a"\nfeeds = ["https://x/"\n', 3, "TOML"),
        ('[[source]]\nname = "a"\nfeeds = ["https://x:99999/rss"]\n', 3, "not a valid URL"),
        (
            '[[source]]\nname = "a"\nhomepage = "https://x/"\nallow_private = ["nonsense"]\n',
            4,
            "allow_private",
        ),
        (
            '[[source]]\nname = "a"\nhomepage = "https://x/"\ntimezone = "Berlin"\n',
            4,
            "IANA name such as 'Europe/Berlin'",
        ),
    ],
)
def test_bad_files_name_the_line_and_the_problem(text: str, line: int, problem: str) -> None:
    with pytest.raises(SourcesFileError) as caught:
        parse_sources(text, Path("sources.toml"))
    message = str(caught.value)
    assert message.startswith(f"sources.toml:{line}:"), message
    assert problem in message and "\n" not in message


def test_missing_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(SourcesFileError, match="FAKEWATCH_SOURCES"):
        load_sources(tmp_path / "absent.toml")


@pytest.mark.parametrize(
    ("value", "seconds"), [(90, 90), ("90s", 90), ("15m", 900), ("6h", 21600), ("1d", 86400)]
)
def test_intervals(value: object, seconds: int) -> None:
    assert parse_interval(value, "interval") == seconds
