"""Extraction benchmark: newspaper4k, trafilatura and fakewatch's extractor on trafilatura_eval.

Usage: python bench/extraction.py [--limit N] [--data DIR]

The metric is the evaluation set's README: whitespace-normalised substring containment of
"with" (should be found) and "without" (should not) snippets, micro-averaged.
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from articles.backends import newspaper_article  # noqa: E402
from articles.extraction import extract_article  # noqa: E402
from bench.machine import describe  # noqa: E402

LOGGER = logging.getLogger(__name__)
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "extraction" / "trafilatura_eval"
WHITESPACE = re.compile(r"\s+")
LIBRARIES = ("newspaper4k", "trafilatura", "htmldate", "lxml", "py3langid", "ftfy")
HEADER = (
    "| extractor | P | R | accuracy | F1 | TP / FP / FN / TN | empty | errors "
    "| pages/s wall | pages/CPU-s |"
)

Extractor = Callable[[bytes, str], str | None]


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

    def ratio(self, num: int, den: int) -> float:
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


def run_newspaper(html: bytes, url: str) -> str | None:
    """newspaper4k alone: Article(url, fetch_images=False).download(input_html).parse()."""
    article = newspaper_article(html.decode("utf-8", errors="replace"), url)
    return article.text if article is not None else None


def run_trafilatura(html: bytes, url: str) -> str | None:
    """trafilatura alone, as the README calls it: extract(html, include_comments=False)."""
    try:
        return trafilatura.extract(html, include_comments=False)
    except Exception:
        LOGGER.warning("trafilatura failed on %s", url, exc_info=True)
        return None


def run_fakewatch(html: bytes, url: str) -> str | None:
    """fakewatch's default extractor, with all its metadata."""
    return extract_article(html, url).text


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
    return 0


if __name__ == "__main__":
    sys.exit(main())
