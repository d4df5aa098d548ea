"""The fixture site's fact-checker, over HTTP: its pages carry their reviews, and its news
articles repeat only the claims they are meant to.
"""

from __future__ import annotations

import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest

from articles.extraction import extract_article
from articles.skip_rules import skip_reason
from factchecks.review_markup import claim_reviews
from tests.newssite import NewsSite, serve_news_site
from tests.newssite import factchecker as checker

# -- the fixture site's fact-checker -------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Iterator[NewsSite]:
    with serve_news_site(articles=3, seed=1) as running:
        yield running


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.status == 200, url
        return str(response.read().decode("utf-8"))


def feed_links(site: NewsSite, path: str) -> list[str]:
    return [
        item.findtext("link") or "" for item in ET.fromstring(get(site.url + path)).iter("item")
    ]


def test_fact_check_pages_carry_their_reviews_over_http(site: NewsSite) -> None:
    links = feed_links(site, checker.FACTCHECK_FEED_PATH)
    assert sorted(links) == sorted(site.url + path for path in checker.FACTCHECK_PATHS)
    read_ratings = {}
    for url in links:
        page = get(url)
        found = claim_reviews(page, url)
        (review,) = found.reviews
        assert found.skipped == {} and review.review_url == url
        assert review.fact_checker == checker.FACT_CHECKER_NAME and review.language == "en"
        read_ratings[review.claim] = review.rating
        if review.claim == checker.EIFFEL_CLAIM:
            assert site.url + checker.URL_MATCH_PATH in review.appearances
    assert read_ratings == checker.CLAIM_RATINGS
    assert sum("itemscope" in get(url) for url in links) == 1  # one page in microdata


def test_appearance_urls_point_at_the_sites_own_news_articles(site: NewsSite) -> None:
    news = feed_links(site, checker.CLAIMS_NEWS_FEED_PATH)
    assert sorted(news) == sorted(site.url + path for path in checker.NEWS_MATCHES)
    appearing = {
        url: review.claim
        for check in checker.FACT_CHECKS
        for review in claim_reviews(get(site.url + check.path), site.url + check.path).reviews
        for url in review.appearances
        if url.startswith(site.url)
    }
    assert appearing == {site.url + checker.URL_MATCH_PATH: checker.EIFFEL_CLAIM}


@pytest.mark.parametrize("path", [c.path for c in checker.FACT_CHECKS] + list(checker.NEWS_MATCHES))
def test_every_page_is_an_article_the_crawler_keeps(site: NewsSite, path: str) -> None:
    article = extract_article(get(site.url + path), site.url + path)
    assert article.title and article.published and article.canonical_url == site.url + path
    assert len(article.text.split()) >= 150
    assert skip_reason(article.text, url=article.canonical_url) is None


def test_claims_news_repeat_only_the_claims_they_are_meant_to(site: NewsSite) -> None:
    for path, claim in checker.NEWS_MATCHES.items():
        text = extract_article(get(site.url + path), site.url + path).text.casefold()
        repeated = [c for c in checker.CLAIM_RATINGS if c.casefold().rstrip(".") in text]
        if path == checker.TEXT_MATCH_PATH:
            assert repeated == [claim] == [checker.BLEACH_CLAIM]
        else:  # the URL match is certain by its URL alone: its text paraphrases the claim
            assert repeated == [] and "eiffel" not in text
    assert checker.NEWS_MATCHES[checker.URL_MATCH_PATH] == checker.EIFFEL_CLAIM
    assert checker.NEWS_MATCHES[checker.NO_MATCH_PATH] is None
    assert checker.CLAIM_RATINGS[checker.BLEACH_CLAIM] == "false"
    assert checker.CLAIM_RATINGS[checker.EIFFEL_CLAIM] == "false"
