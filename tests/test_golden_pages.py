"""Golden pages: hand-written pages in the shape of real news sites, each with its expected output.

Each rule of extraction, the skip rules and the sitemap reader has one page in
tests/fixtures/golden: NAME.html (or NAME.xml for a sitemap) and NAME.json holding what must
come out of it. Title, authors, publication time, language and skip reason must match
exactly; `body_contains` snippets must be in the body text and `body_excludes` snippets
(menus, related links, credits, mojibake) must not, compared with whitespace collapsed.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from articles.extraction import extract_article
from articles.skip_rules import SkipRules, skip_reason
from crawler.sitemaps import parse_sitemap

GOLDEN = Path(__file__).parent / "fixtures" / "golden"
WHITESPACE = re.compile(r"\s+")
MAX_SITEMAP_BYTES = 10**6


def _cases(suffix: str) -> list[Any]:
    """(expected output, page path) for every golden page with this suffix, named by stem."""
    return [
        pytest.param(json.loads(expected.read_text(encoding="utf-8")), page, id=page.stem)
        for expected in sorted(GOLDEN.glob("*.json"))
        if (page := expected.with_suffix(suffix)).exists()
    ]


def _utc(value: datetime | None) -> str | None:
    """An ISO 8601 UTC timestamp ending in Z, as the golden files write them."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _normalised(text: str) -> str:
    return WHITESPACE.sub(" ", text).strip()


def _report(name: str, rule: str, mismatches: list[str]) -> str:
    return f"golden page {name} ({rule}):\n" + "\n".join(mismatches)


def test_every_golden_page_has_its_expected_output() -> None:
    pages = {p.stem for p in GOLDEN.iterdir() if p.suffix in {".html", ".xml"}}
    expected = {p.stem for p in GOLDEN.glob("*.json")}
    assert pages == expected, (
        f"pages without .json: {pages - expected}; .json without page: {expected - pages}"
    )


@pytest.mark.parametrize(("expected", "page"), _cases(".html"))
def test_golden_article_page(
    expected: dict[str, Any], page: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        article = extract_article(page.read_bytes(), expected["url"])
    reason = skip_reason(
        article.text,
        SkipRules(languages=tuple(expected["languages"])),
        url=article.canonical_url or expected["url"],  # as the crawler judges it
        declared_language=article.language,
        declared_article=article.declares_article,
    )
    found = {
        "title": article.title,
        "authors": list(article.authors),
        "published": _utc(article.published),
        "language": article.language,
        "declares_article": article.declares_article,
        "skip_reason": reason,
    }
    mismatches = [
        f"  {field}: expected {expected[field]!r}, found {value!r}"
        for field, value in found.items()
        if expected[field] != value
    ]
    text = _normalised(article.text)
    mismatches += [
        f"  body lacks {snippet!r}"
        for snippet in expected["body_contains"]
        if _normalised(snippet) not in text
    ]
    mismatches += [
        f"  body contains boilerplate {snippet!r}"
        for snippet in expected["body_excludes"]
        if _normalised(snippet) in text
    ]
    # A well-formed page extracts without a library failing on the way.
    mismatches += [f"  logged {rec.levelname}: {rec.getMessage()}" for rec in caplog.records]
    if any(line.startswith("  body") for line in mismatches):
        mismatches.append(f"  body text was:\n{article.text}")
    assert not mismatches, _report(page.name, expected["rule"], mismatches)


@pytest.mark.parametrize(("expected", "page"), _cases(".xml"))
def test_golden_sitemap(expected: dict[str, Any], page: Path) -> None:
    document = parse_sitemap(page.read_bytes(), expected["url"], max_size=MAX_SITEMAP_BYTES)
    found = [
        {"url": entry.url, "title": entry.title, "published": _utc(entry.modified)}
        for entry in document.entries
    ]
    mismatches = [] if document.is_index == expected["is_index"] else ["  is_index differs"]
    if found != expected["entries"]:
        mismatches += [
            f"  expected {want}\n     found {got}"
            for want, got in zip(expected["entries"], found, strict=False)
            if want != got
        ]
        if len(found) != len(expected["entries"]):
            mismatches.append(f"  expected {len(expected['entries'])} entries, found {len(found)}")
    assert not mismatches, _report(page.name, expected["rule"], mismatches)
