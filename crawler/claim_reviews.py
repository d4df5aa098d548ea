"""Fact-checkers' verdicts on a crawled page: read its ClaimReview markup, store the claims.

Any page may carry reviews (fact-checkers' own, a newspaper's fact-check column); most carry
none, and a byte search answers for them before any parsing.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from articles.decoding import decode_html
from crawler.items import PageItem
from crawler.urls import canonical_url
from factchecks.review_markup import ReviewsOnPage, claim_reviews

MARKER = b"ClaimReview"


def page_reviews(page: PageItem) -> ReviewsOnPage:
    """The reviews on a downloaded page; an empty result for a page that has none."""
    if page.skip_reason or MARKER not in page.body:
        return ReviewsOnPage()
    return claim_reviews(decode_html(page.body, page.header_charset), page.final_url)


def review_rows(found: ReviewsOnPage) -> list[dict[str, Any]]:
    """Rows for `db.claims.upsert_claims`, URLs in the form articles are stored under, so
    that a review's `appearance` finds the stored article it names."""
    rows = []
    for review in found.reviews:
        row = dataclasses.asdict(review)
        row["review_url"] = canonical_url(review.review_url)
        row["appearances"] = list(dict.fromkeys(canonical_url(u) for u in review.appearances))
        rows.append(row)
    return rows
