"""RecrawlSpider: downloads stored articles again, under the same rules as every crawl."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import scrapy

from crawler.spiders.news import NewsSpider


class RecrawlSpider(NewsSpider):
    """Fetches the given article URLs (no listings); the recrawl pipeline updates their rows."""

    name = "fakewatch-recrawl"

    def __init__(self, article_ids: dict[str, int], **kwargs: Any) -> None:
        super().__init__(limit=len(article_ids), **kwargs)
        self.article_ids = article_ids

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.article_ids:
            yield scrapy.Request(
                url, callback=self.parse_article, errback=self.article_failed,
                meta={"article_url": url}, dont_filter=True,
            )  # fmt: skip
