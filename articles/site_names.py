"""A source's own name, learned from the titles of its pages.

Many sites end (or begin) every `<title>` with their name, "... | Daily Courier", without
declaring it in `og:site_name`. A title part set off by a separator that recurs on several
pages of one source, each with a different headline, is that source's name: a headline never
repeats that way, while a single page's " - " may be part of its headline ("Brexit - what
happens next"), which is why one page alone proves nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from articles.metadata import TITLE_SPLIT

# A part is the site's name once this many pages with different headlines carry it.
MIN_PAGES = 3
# Site names are short: a longer part is a headline or a kicker.
MAX_WORDS = 6
MAX_CHARACTERS = 60


class SiteNames:
    """The names one source's titles carry: those known from earlier crawls, and those learned
    from the titles `observe` is shown."""

    def __init__(self, known: Iterable[str] = ()) -> None:
        self.known: tuple[str, ...] = tuple(dict.fromkeys(n for n in known if n))
        self._headlines: defaultdict[str, set[str]] = defaultdict(set)
        self._learned: list[str] = []

    @property
    def names(self) -> tuple[str, ...]:
        """Every name of the source known so far (what a title may lose)."""
        return (*self.known, *self._learned)

    @property
    def learned(self) -> tuple[str, ...]:
        """The names learned during this crawl, in the order they were learned."""
        return tuple(self._learned)

    def observe(self, title: str | None) -> None:
        """Count the parts at the edges of one page's raw title (og:title or `<title>`)."""
        for part, rest in title_edges(title or ""):
            if part.casefold() in (n.casefold() for n in self.names):
                continue
            headlines = self._headlines[part]
            headlines.add(rest.casefold())
            if len(headlines) >= MIN_PAGES:
                self._learned.append(part)
                del self._headlines[part]


def title_edges(title: str) -> list[tuple[str, str]]:
    """(first or last part, the rest) for a title with separators; short parts only."""
    pieces = TITLE_SPLIT.split(title.strip())
    if len(pieces) < 3:
        return []
    first, last = pieces[0].strip(), pieces[-1].strip()
    candidates = [(last, "".join(pieces[:-2]).strip()), (first, "".join(pieces[2:]).strip())]
    return [(part, rest) for part, rest in candidates if _may_be_a_name(part) and rest]


def _may_be_a_name(part: str) -> bool:
    return bool(part) and len(part) <= MAX_CHARACTERS and len(part.split()) <= MAX_WORDS
