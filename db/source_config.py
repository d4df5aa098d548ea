"""A source's configured part, with the defaults every layer uses: declared once, here.

`crawler.sources.Source` extends it with what only the crawler needs; the `sources` table's
column defaults and the sources file's defaults are read from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# "factcheck": a fact-checker, whose ClaimReview markup becomes claims; its own articles are
# never matched with the claims they review.
CATEGORIES = (
    "wire", "broadsheet", "broadcaster", "tabloid", "satire", "blog", "factcheck", "other",
)  # fmt: skip


@dataclass(frozen=True)
class SourceConfig:
    """Where a source's articles are listed, which languages it writes, how often to look.

    `start_urls` is set only for an ad-hoc crawl of URLs (`fakewatch crawl URL`): its row
    lists them as feeds and is never scheduled.
    """

    name: str
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    homepage: str | None = None
    interval_seconds: int = 3600
    min_interval_seconds: int = 300
    max_interval_seconds: int = 86400
    allowed_domains: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("en",)
    enabled: bool = True
    # What kind of outlet it is (CATEGORIES): a label in metrics, a grouping in `stats`.
    category: str = "other"
    start_urls: tuple[str, ...] = field(default=(), compare=False)

    @property
    def kind(self) -> str:
        """`feed`, `sitemap`, `site`, a `+`-joined mix, or `url` for an ad-hoc crawl."""
        kinds = [k for k, v in (("feed", self.feeds), ("sitemap", self.sitemaps),
                                ("site", self.homepage)) if v]  # fmt: skip
        return "+".join(kinds) or "url"

    @property
    def scheduled(self) -> bool:
        """Whether the daemon crawls it: enabled and not an ad-hoc crawl."""
        return self.enabled and not self.start_urls
