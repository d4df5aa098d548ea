"""A fixture news site served over real HTTP on 127.0.0.1, for crawler and daemon tests.

    with serve_news_site(articles=30, seed=1) as site:
        site.url, site.articles, site.faults["slow"], site.hits[path], site.add_articles(3)

Modules: `content` (seeded English articles), `pages` (HTML), `feeds` (RSS/Atom/RDF and
sitemaps), `faults` (odd bytes and texts), `routes` and `fault_routes` (URL -> response),
`site` (state and switches), `server` (the threaded HTTP server). `python -m tests.newssite
--articles 2000 --port 8765` serves one until interrupted.
"""

from tests.newssite.content import FixtureArticle
from tests.newssite.server import serve_news_site
from tests.newssite.site import NewsSite, RequestRecord, SyndicatedCopy

__all__ = ["FixtureArticle", "NewsSite", "RequestRecord", "SyndicatedCopy", "serve_news_site"]
