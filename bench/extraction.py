"""Extraction benchmark: newspaper4k, trafilatura and fakewatch's extractor on trafilatura_eval.

Usage: python bench/extraction.py [--limit N] [--data DIR]

Body text: the evaluation set's README metric, whitespace-normalised substring containment of
"with" (should be found) and "without" (should not) snippets, micro-averaged.
Metadata: title, authors and date against the pages' annotations, for the three side by side
(trafilatura's with a metadata pass of its own, untimed; see `metadata_table`).
Skips: fakewatch's skip rules (any language) on every page, all of which the set annotates
with body text, and on the fixture news site's index pages, all of which should be skipped.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import re
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from articles.backends import newspaper_article  # noqa: E402
from articles.extraction import extract_article  # noqa: E402
from articles.skip_rules import SkipRules, skip_reason  # noqa: E402
from bench.machine import describe  # noqa: E402

LOGGER = logging.getLogger(__name__)
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "extraction" / "trafilatura_eval"
WHITESPACE = re.compile(r"\s+")
LIBRARIES = ("newspaper4k", "trafilatura", "htmldate", "lxml", "py3langid", "ftfy")
HEADER = (
    "| extractor | P | R | accuracy | F1 | TP / FP / FN / TN | empty | errors "
    "| pages/s wall | pages/CPU-s |"
)

# What each extractor gave per page: (title, authors, published) for the metadata table.
Metadata = tuple[str | None, tuple[str, ...], datetime | date | None]
Extractor = Callable[[bytes, str], str | None]
NAME_SPLIT = re.compile(r"\s*(?:;|,|/|&|\bund\b|\band\b)\s*", re.IGNORECASE)
BYLINE_WORD = re.compile(r"^(?:von|by)\s+", re.IGNORECASE)
EDGE_PUNCTUATION = "\"'\u201c\u201d\u201e\u00ab\u00bb.:!? "
# Offsets run from UTC-12 to UTC+14: a UTC instant within this reach of a local day can be on it.
EARLIEST_OFFSET, LATEST_OFFSET = timedelta(hours=-12), timedelta(hours=14)


@dataclass
class Score:
    """Snippet counts and timings of one extractor over the pages."""

    name: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    empty: int = 0
    errors: int = 0
    cpu_s: float = 0.0
    wall_s: float = 0.0
    pages: int = 0
    failures: list[str] = field(default_factory=list)

    def ratio(self, num: float, den: float) -> float:
        """num/den, or 0 when den is 0."""
        return num / den if den else 0.0

    def row(self) -> str:
        """One table row: P, R, accuracy, F1, counts, empty pages and speeds."""
        precision = self.ratio(self.tp, self.tp + self.fp)
        recall = self.ratio(self.tp, self.tp + self.fn)
        accuracy = self.ratio(self.tp + self.tn, self.tp + self.fp + self.fn + self.tn)
        f1 = self.ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)
        return (
            f"| {self.name} | {precision:.3f} | {recall:.3f} | {accuracy:.3f} | {f1:.3f} | "
            f"{self.tp} / {self.fp} / {self.fn} / {self.tn} | {self.empty} | {self.errors} | "
            f"{self.ratio(self.pages, self.wall_s):.1f} | "
            f"{self.ratio(self.pages, self.cpu_s):.1f} |"
        )


def normalise(text: str) -> str:
    """Collapse whitespace runs to one space and strip, as the metric does."""
    return WHITESPACE.sub(" ", text).strip()


def load_pages(data: Path, limit: int | None) -> list[tuple[str, str, bytes, dict]]:
    """(id, url, raw bytes, annotation) for the first `limit` pages in id order."""
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[:limit] if limit else sorted(truth)
    return [
        (
            page_id,
            truth[page_id]["url"],
            gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes()),
            truth[page_id],
        )
        for page_id in ids
    ]


class Recorder:
    """Keeps what an extractor found on each page, for the metadata and skip tables."""

    def __init__(self) -> None:
        self.metadata: dict[str, Metadata] = {}
        self.skips: dict[str, str | None] = {}


NEWSPAPER = Recorder()
FAKEWATCH = Recorder()


def run_newspaper(html: bytes, url: str) -> str | None:
    """newspaper4k alone: Article(url, fetch_images=False).download(input_html).parse()."""
    article = newspaper_article(html.decode("utf-8", errors="replace"), url)
    if article is None:
        return None
    published = article.publish_date if isinstance(article.publish_date, datetime) else None
    NEWSPAPER.metadata[url] = (article.title, tuple(article.authors), published)
    return article.text


def run_trafilatura(html: bytes, url: str) -> str | None:
    """trafilatura alone, as the README calls it: extract(html, include_comments=False)."""
    try:
        return trafilatura.extract(html, include_comments=False)
    except Exception:
        LOGGER.warning("trafilatura failed on %s", url, exc_info=True)
        return None


def run_fakewatch(html: bytes, url: str) -> str | None:
    """fakewatch's default extractor, with all its metadata, and its skip rules (any language)."""
    article = extract_article(html, url)
    FAKEWATCH.metadata[url] = (article.title, article.authors, article.published)
    FAKEWATCH.skips[url] = skip_reason(
        article.text,
        SkipRules(languages=()),
        url=article.canonical_url or url,  # as the crawler judges it
        declared_article=article.declares_article,
    )
    return article.text


def trafilatura_metadata(pages: list[tuple[str, str, bytes, dict]]) -> dict[str, Metadata]:
    """trafilatura's own title, author and date (bare_extraction with metadata), per page URL."""
    found: dict[str, Metadata] = {}
    for _, url, html, _ in pages:
        try:
            document = trafilatura.bare_extraction(html, url=url, with_metadata=True)
        except Exception:
            continue
        if document is None or isinstance(document, dict):
            continue
        authors = tuple(NAME_SPLIT.split(document.author)) if document.author else ()
        day = _day(document.date)
        found[url] = (document.title, authors, day)
    return found


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _text_key(value: str | None) -> str:
    """Case, spacing and quotes at the ends do not count."""
    return normalise(value or "").strip(EDGE_PUNCTUATION).casefold()


def _name_keys(value: Any) -> frozenset[str]:
    """A set of normalised names from an annotation (a string or list) or an extractor's list."""
    names = value if isinstance(value, list | tuple) else NAME_SPLIT.split(str(value or ""))
    keys = (_text_key(BYLINE_WORD.sub("", normalise(str(name)))) for name in names)
    return frozenset(key for key in keys if key)


def _date_right(found: datetime | date | None, annotated: str) -> bool:
    """A day is right when it is the annotated day; a UTC timestamp when the local day it was in
    somewhere (UTC-12 to UTC+14) is the annotated day."""
    day = _day(annotated)
    if found is None or day is None:
        return False
    if not isinstance(found, datetime):
        return found == day
    if found.tzinfo is None:
        return found.date() == day
    start = datetime(day.year, day.month, day.day, tzinfo=found.tzinfo)
    return start - LATEST_OFFSET <= found < start + timedelta(days=1) - EARLIEST_OFFSET


def metadata_table(
    pages: list[tuple[str, str, bytes, dict]], found: dict[str, dict[str, Metadata]]
) -> list[str]:
    """Markdown rows: how often each extractor's title, authors and date match the annotation."""
    annotated = {
        field: [p for p in pages if p[3].get(field)] for field in ("title", "author", "date")
    }
    rows = [
        f"| extractor | title right (of {len(annotated['title'])}) "
        f"| authors right (of {len(annotated['author'])}) "
        f"| date right (of {len(annotated['date'])}) |",
        "| --- | --- | --- | --- |",
    ]
    for name, by_url in found.items():
        empty: Metadata = (None, (), None)
        title = sum(
            _text_key(by_url.get(url, empty)[0]) == _text_key(truth["title"])
            for _, url, _, truth in annotated["title"]
        )
        authors = sum(
            _name_keys(by_url.get(url, empty)[1]) == _name_keys(truth["author"])
            for _, url, _, truth in annotated["author"]
        )
        dates = sum(
            _date_right(by_url.get(url, empty)[2], truth["date"])
            for _, url, _, truth in annotated["date"]
        )
        rows.append(f"| {name} | {title} | {authors} | {dates} |")
    return rows


def skip_summary(pages: list[tuple[str, str, bytes, dict]]) -> list[str]:
    """fakewatch's skip reasons on the eval pages, each skipped page listed."""
    reasons = Counter(FAKEWATCH.skips.get(url) or "kept" for _, url, _, _ in pages)
    lines = [f"skip rules on {len(pages)} pages annotated with body text: {dict(reasons)}"]
    lines += [
        f"    {FAKEWATCH.skips[url]}: {url}" for _, url, _, _ in pages if FAKEWATCH.skips.get(url)
    ]
    return lines


def fixture_index_pages() -> list[str]:
    """fakewatch's verdict on every index page of the fixture news site (all should be skipped)."""
    from tests.newssite.content import slugify
    from tests.newssite.routes import SECTION_NAMES, respond
    from tests.newssite.site import NewsSite

    site = NewsSite("http://127.0.0.1:8000", articles=300, seed=1, slow_seconds=0, huge_bytes=1)
    paths = ["/", "/index.html", "/search", "/login", "/pages/link-only.html"]
    paths += [f"/section/{name}" for name in SECTION_NAMES]
    paths += [f"/section/{name}/page/2" for name in SECTION_NAMES]
    paths += [f"/tag/{tag}" for tag in sorted({t for a in site.articles for t in a.tags})]
    paths += [
        f"/author/{slug}"
        for slug in sorted({slugify(name) for a in site.articles for name in a.authors})
    ]
    verdicts: Counter[str] = Counter()
    kept = []
    for path in paths:
        response = respond(site, "GET", path, {})
        if response.status != 200:
            continue
        article = extract_article(response.body, site.url + path)
        reason = skip_reason(
            article.text,
            SkipRules(),
            url=article.canonical_url or site.url + path,
            declared_article=article.declares_article,
        )
        verdicts[reason or "kept"] += 1
        if reason is None:
            kept.append(path)
    stories = []
    for story in site.articles:
        article = extract_article(respond(site, "GET", story.path, {}).body, story.url)
        url = article.canonical_url or story.url
        reason = skip_reason(article.text, url=url, declared_article=article.declares_article)
        stories.append(reason)
    return [
        f"fixture site: {sum(verdicts.values())} index pages: {dict(verdicts)}"
        + (f"; kept: {', '.join(kept)}" if kept else ""),
        f"fixture site: {len(stories)} stories: {dict(Counter(r or 'kept' for r in stories))}",
    ]


def score(name: str, extractor: Extractor, pages: list[tuple[str, str, bytes, dict]]) -> Score:
    """Run one extractor over every page, counting snippets and CPU and wall time."""
    result = Score(name)
    for page_id, url, html, truth in pages:
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            text = extractor(html, url) or ""
        except Exception as error:  # a crash counts as an empty extraction
            result.errors += 1
            result.failures.append(f"{page_id}: {type(error).__name__}: {error}")
            text = ""
        result.cpu_s += time.process_time() - cpu
        result.wall_s += time.perf_counter() - wall
        result.pages += 1
        extracted = normalise(text)
        result.empty += not extracted
        for snippet in truth["with"]:
            if normalise(snippet) in extracted:
                result.tp += 1
            else:
                result.fn += 1
        for snippet in truth["without"]:
            if normalise(snippet) in extracted:
                result.fp += 1
            else:
                result.tn += 1
    return result


def machine() -> str:
    """CPU model, cores, load, Python and library versions, in a few lines."""
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return f"machine: {describe(LIBRARIES)}\nload average {load}"


def main(argv: list[str] | None = None) -> int:
    """Score the three extractors side by side and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages (by id)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="trafilatura_eval folder")
    args = parser.parse_args(argv)
    if not (args.data / "ground-truth.json").is_file() or not (args.data / "html").is_dir():
        print(
            f"extraction data not found at {args.data}: it ships with the shared data "
            "(../shared/data/extraction/trafilatura_eval); pass --data DIR to point at a copy",
            file=sys.stderr,
        )
        return 2
    logging.basicConfig(level=logging.ERROR)
    logging.disable(logging.WARNING)  # libraries log a warning per odd page
    warnings.simplefilter("ignore")
    pages = load_pages(args.data, args.limit)
    # Warm each library up (imports, models, caches) outside the timed runs.
    for extractor in (run_newspaper, run_trafilatura, run_fakewatch):
        extractor(pages[0][2], pages[0][1])
    print(machine())
    print(
        f"pages: {len(pages)}, snippets: with {sum(len(p[3]['with']) for p in pages)}, "
        f"without {sum(len(p[3]['without']) for p in pages)}; one process, each page once\n"
    )
    print(HEADER)
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    runs = (
        ("newspaper4k (Article.parse, fetch_images=False)", run_newspaper),
        ("trafilatura (extract, include_comments=False)", run_trafilatura),
        ("fakewatch (extract_article, with metadata)", run_fakewatch),
    )
    for name, extractor in runs:
        result = score(name, extractor, pages)
        print(result.row(), flush=True)
        for failure in result.failures[:5]:
            print(f"    error {failure}")
    print()
    found = {
        "newspaper4k": NEWSPAPER.metadata,
        "trafilatura (bare_extraction, with_metadata)": trafilatura_metadata(pages),
        "fakewatch": FAKEWATCH.metadata,
    }
    print("\n".join(metadata_table(pages, found)))
    print()
    print("\n".join(skip_summary(pages)))
    print("\n".join(fixture_index_pages()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
