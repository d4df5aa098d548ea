"""What one crawl saw: counts of each outcome and the errors, kept until the run is recorded."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from articles.site_names import SiteNames
from db.models import CrawlOutcome
from db.queries import MAX_RECORDED_ERRORS

LOGGER = logging.getLogger(__name__)
COUNT_FIELDS = (
    "pages_fetched",
    "articles_new",
    "articles_duplicate",
    "articles_skipped",
    "articles_failed",
    "articles_owed",
)
CLAIM_COUNTS = ("claims_found", "claims_new", "claims_skipped")
# What an article page can end as (a failure is counted by `error`).
ARTICLE_OUTCOMES = frozenset(
    {"articles_new", "articles_duplicate", "articles_updated", "articles_unchanged"}
)
# How a crawl's progress lines name its counts (a recrawl names its own).
CRAWL_LABELS = (
    ("articles_new", "stored"), ("articles_duplicate", "duplicate"),
    ("articles_skipped", "skipped"), ("articles_failed", "failed"),
)  # fmt: skip
# A progress line every this many article pages processed.
PROGRESS_EVERY = 100
# Article failures that a later crawl cannot mend: the link is wrong, refused, or gone.
FINAL_FAILURES = frozenset(
    {"http_404", "http_410", "blocked_url", "bad_url", "robots", "redirect_loop", "ignored"}
)


@dataclass
class CrawlReport:
    """Counts and errors of one crawl of one source."""

    source_name: str
    counts: Counter[str] = field(default_factory=Counter)
    skip_reasons: Counter[str] = field(default_factory=Counter)
    error_reasons: Counter[str] = field(default_factory=Counter)
    errors: list[dict[str, Any]] = field(default_factory=list)
    validators: dict[str, dict[str, str]] = field(default_factory=dict)
    # The source's names known before the crawl and learned from its titles during it.
    site_names: SiteNames = field(default_factory=SiteNames, repr=False, compare=False)
    listings_ok: int = 0
    listings_failed: int = 0
    # Why Scrapy closed the crawl: "finished", or "shutdown" (SIGTERM) and the like.
    close_reason: str = "finished"
    finished: bool = False  # the crawl has ended (whatever the reason)
    # Where progress lines go (a person at a terminal), if anywhere: each listing read, and
    # every PROGRESS_EVERY article pages processed.
    say: Callable[[str], None] | None = field(default=None, repr=False, compare=False)
    labels: tuple[tuple[str, str], ...] = field(default=CRAWL_LABELS, repr=False, compare=False)
    processed: int = 0
    started: float = field(default_factory=time.monotonic)

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] += n
        if name in ARTICLE_OUTCOMES:
            self._processed(n)

    def listing_read(self, what: str, url: str, found: str) -> None:
        """Tell how a feed, sitemap or page read went (`found`: "12 links, 3 to fetch")."""
        if self.say is not None:
            self.say(f"{self.source_name}: {what} {url}: {found}")

    def error(self, url: str, reason: str, message: str, *, listing: bool = False) -> None:
        """Record one failed page; `listing` marks a feed, sitemap or homepage that failed."""
        self.error_reasons[reason] += 1
        if listing:
            self.listings_failed += 1
        else:
            self.counts["articles_failed"] += 1
            if reason not in FINAL_FAILURES:  # a timeout, a 503, a locked database: try again
                self.counts["articles_owed"] += 1
            self._processed(1)
        LOGGER.warning("%s: %s %s: %s", self.source_name, reason, url, message)
        if len(self.errors) < MAX_RECORDED_ERRORS:
            self.errors.append({"url": url, "reason": reason, "message": message[:500]})

    def skipped(self, reason: str) -> None:
        self.skip_reasons[reason] += 1
        self.counts["articles_skipped"] += 1
        self._processed(1)

    def _processed(self, n: int) -> None:
        before, self.processed = self.processed, self.processed + n
        if self.say is None or before // PROGRESS_EVERY == self.processed // PROGRESS_EVERY:
            return
        rate = self.processed / max(time.monotonic() - self.started, 1e-3)
        counts = ", ".join(f"{self.counts[name]} {label}" for name, label in self.labels)
        self.say(f"{self.source_name}: {self.processed} pages: {counts} ({rate:.1f} pages/s)")

    def owe(self, n: int) -> None:
        """`n` listed articles left for a later crawl (the per-crawl limit was reached)."""
        self.counts["articles_owed"] += n

    def closed(self, reason: str) -> None:
        """Scrapy closed the crawl for `reason`; anything but "finished" stopped it short."""
        self.close_reason = reason
        self.finished = True
        if self.interrupted:
            self.error("-", "interrupted", f"the crawl was stopped ({reason}) before it ended",
                       listing=True)  # fmt: skip

    @property
    def interrupted(self) -> bool:
        return self.close_reason != "finished"

    @property
    def complete(self) -> bool:
        """True when nothing listed was left for later: the listings' validators may be kept,
        so that an unchanged listing is skipped next time. Otherwise the next crawl reads the
        listings again and fetches what is owed (what was stored is known and not fetched)."""
        return not self.interrupted and self.counts["articles_owed"] == 0

    @property
    def outcome(self) -> CrawlOutcome:
        """`failed` when no listing could be read, `partial` when anything failed or the crawl
        was stopped short, else `ok`."""
        if self.listings_ok == 0:
            return CrawlOutcome.FAILED
        if self.listings_failed or self.counts["articles_failed"] or self.interrupted:
            return CrawlOutcome.PARTIAL
        return CrawlOutcome.OK

    def row_counts(self) -> dict[str, Any]:
        """The values of this crawl's `crawl_runs` columns."""
        return {
            **{name: self.counts[name] for name in COUNT_FIELDS},
            "links_known": self.counts["articles_known"],
            "listings_unchanged": self.counts["listings_unchanged"],
            "skipped_by_reason": dict(self.skip_reasons),
            "errors_by_reason": dict(self.error_reasons),
        }

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary for `fakewatch crawl --json`."""
        return {
            "source": self.source_name,
            "outcome": self.outcome.value,
            **self.row_counts(),
            # Fact-check reviews read from the pages (ClaimReview markup).
            **{name: self.counts[name] for name in CLAIM_COUNTS},
            "errors": self.errors[:20],
        }
