"""The fixture news site's state: its articles, fault switches and the log of requests."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, NamedTuple

from tests.newssite.content import FIRST_PUBLISHED, FixtureArticle, make_article, slugify
from tests.newssite.faults import CP1252_PARAGRAPH, LATIN1_PARAGRAPH, MOJIBAKE_PARAGRAPH

FEED_ALL_UP_TO = 200  # feeds list every article up to this many, else the newest FEED_NEWEST
FEED_NEWEST = 100
SYNDICATED_COPIES = 5

# Fault pages by name (path relative to the site); feeds first, then pages.
FAULT_FEEDS = {
    "malformed_feed": "/feeds/malformed.xml",
    "empty_feed": "/feeds/empty.xml",
    "html_feed": "/feeds/html.xml",
    "private_feed": "/feeds/private.xml",
    "volatile_feed": "/feeds/volatile.xml",
}
FAULT_PAGES = {
    "not_found": "/status/404",
    "server_error": "/status/500",
    "slow": "/slow/article.html",
    "redirect_loop": "/loop/a",
    "redirect_chain": "/redirect/chain/3",
    "redirect_chain_long": "/redirect/chain/30",
    "pdf": "/files/report.pdf",
    "image": "/files/image.jpg",
    "huge": "/huge/article.html",
    "huge_chunked": "/huge/chunked.html",
    "latin1": "/charset/latin1.html",
    "cp1252": "/charset/cp1252.html",
    "mojibake": "/charset/mojibake.html",
    "cp1252_labelled_utf8": "/charset/cp1252-labelled-utf8.html",
    "utf8_labelled_utf16": "/charset/utf8-labelled-utf16.html",
    "gzip_bomb": "/huge/gzip-bomb.html",
    "link_only": "/pages/link-only.html",
    "german": "/pages/german.html",
    "empty_page": "/pages/empty.html",
    "section_page": "/section/world",
    "robots_disallowed": "/private/secret.html",
    "ratelimit": "/ratelimit/article.html",
    "unavailable": "/unavailable/article.html",
}
# Fault pages that are genuine English articles, with the paragraph each adds (if any).
FAULT_ARTICLES: dict[str, tuple[str, str | None]] = {
    "slow": ("/slow/article.html", None),
    "huge": ("/huge/article.html", None),
    "huge_chunked": ("/huge/chunked.html", None),
    "ratelimit": ("/ratelimit/article.html", None),
    "unavailable": ("/unavailable/article.html", None),
    "redirect_target": ("/redirect/target.html", None),
    "robots_disallowed": ("/private/secret.html", None),
    "latin1": ("/charset/latin1.html", LATIN1_PARAGRAPH),
    "cp1252": ("/charset/cp1252.html", CP1252_PARAGRAPH),
    "mojibake": ("/charset/mojibake.html", MOJIBAKE_PARAGRAPH),
    "cp1252_labelled_utf8": ("/charset/cp1252-labelled-utf8.html", CP1252_PARAGRAPH),
    "utf8_labelled_utf16": ("/charset/utf8-labelled-utf16.html", LATIN1_PARAGRAPH),
}
FAULT_ARTICLE_IDS = 900_001


@dataclass(frozen=True)
class SyndicatedCopy:
    """A wire copy of `original`: same body text, its own URL, canonical pointing to itself."""

    url: str
    path: str
    original: FixtureArticle

    @property
    def title(self) -> str:
        return self.original.title

    @property
    def text(self) -> str:
        return self.original.text


class RequestRecord(NamedTuple):
    """One request as the server saw it; `path` includes the query string."""

    method: str
    path: str
    headers: RequestHeaders


class RequestHeaders(dict[str, str]):
    """Request headers with case-insensitive lookup (keys stored Title-Cased)."""

    def __init__(self, items: Any = ()) -> None:
        super().__init__((k.title(), v) for k, v in dict(items).items())

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.title())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.title())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.title(), default)


class NewsSite:
    """A running fixture site: what it serves, what it was asked, and switches for faults."""

    def __init__(
        self, url: str, *, articles: int, seed: int, slow_seconds: float, huge_bytes: int
    ) -> None:
        self.url = url
        self.host = url.removeprefix("http://")
        self.seed = seed
        self.slow_seconds = slow_seconds
        self.huge_bytes = huge_bytes
        self.hits: Counter[str] = Counter()
        self.requests: list[RequestRecord] = []
        self.articles: list[FixtureArticle] = []  # oldest first; the newest is articles[-1]
        self.by_path: dict[str, FixtureArticle] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.version = 0  # bumped whenever the article list changes
        self.cache: dict[str, Any] = {}  # rendered listings of the current version
        self.page_cache: dict[str, bytes] = {}  # rendered article pages (never change)
        self.down = False
        self.down_reset = False
        self.fault_counts: Counter[str] = Counter()
        self._publish(articles)
        self.syndicated = self._syndicate()
        self.fault_articles = self._fault_articles()
        self.faults = {name: url + path for name, path in {**FAULT_FEEDS, **FAULT_PAGES}.items()}

    # -- the public switches -------------------------------------------------------------

    def add_articles(self, n: int) -> list[FixtureArticle]:
        """Publish `n` articles newer than all others; feeds, sitemaps and ETags change."""
        with self.lock:
            return self._publish(n)

    def set_down(self, down: bool, *, reset: bool = False) -> None:
        """While down, every request gets 503 (or, with `reset`, a reset connection)."""
        with self.lock:
            self.down, self.down_reset = down, reset

    def reset_faults(self) -> None:
        """Re-arm the one-shot faults (429 once, 503 twice) as if the server had restarted."""
        with self.lock:
            self.fault_counts.clear()

    def clear_log(self) -> None:
        """Forget recorded hits and requests."""
        with self.lock:
            self.hits.clear()
            self.requests.clear()

    # -- lookups -------------------------------------------------------------------------

    def newest(self, n: int | None = None) -> list[FixtureArticle]:
        """The newest `n` articles (all when `n` is None), newest first."""
        with self.lock:
            newest = self.articles[::-1]
        return newest if n is None else newest[:n]

    def feed_articles(self) -> list[FixtureArticle]:
        """What the feeds list: every article up to 200, else the newest 100; newest first."""
        newest = self.newest()
        return newest if len(newest) <= FEED_ALL_UP_TO else newest[:FEED_NEWEST]

    def article(self, path_or_url: str) -> FixtureArticle | None:
        """The article at a clean path or absolute URL, if there is one."""
        return self.by_path.get(path_or_url.removeprefix(self.url))

    def record(self, method: str, path: str, headers: Any) -> None:
        """Log one request (thread-safe)."""
        entry = RequestRecord(method, path, RequestHeaders(headers))
        with self.lock:
            self.hits[path.split("?", 1)[0].split("#", 1)[0]] += 1
            self.requests.append(entry)

    def take_fault(self, name: str) -> int:
        """Count a request to a one-shot fault route; returns how many came before it."""
        with self.lock:
            seen = self.fault_counts[name]
            self.fault_counts[name] += 1
            return seen

    # -- building ------------------------------------------------------------------------

    def _publish(self, n: int) -> list[FixtureArticle]:
        start = len(self.articles) + 1
        new = [make_article(self.seed, i, self.url) for i in range(start, start + n)]
        self.articles.extend(new)
        self.by_path.update((a.path, a) for a in new)
        self.version += 1
        self.cache = {}
        return new

    def _syndicate(self) -> list[SyndicatedCopy]:
        originals = self.articles[2::6][:SYNDICATED_COPIES]
        copies = []
        for article in originals:
            path = f"/wire/{slugify(article.title)}-{article.id}.html"
            copies.append(SyndicatedCopy(self.url + path, path, article))
        return copies

    def _fault_articles(self) -> dict[str, FixtureArticle]:
        articles = {}
        for offset, (name, (path, extra)) in enumerate(FAULT_ARTICLES.items()):
            article = make_article(
                self.seed,
                FAULT_ARTICLE_IDS + offset,
                self.url,
                path=path,
                published=FIRST_PUBLISHED - timedelta(days=1, hours=offset),
            )
            articles[name] = replace(article, extra_paragraph=extra)
        return articles
