"""HTML pages of the fixture site, with the boilerplate a real news site wraps articles in."""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from urllib.parse import quote

from tests.newssite.content import SECTION_NAMES, FixtureArticle, slugify

SITE_NAME = "The Daily Fixture"
PADDING_MARK = "<!-- padding -->"


def _nav() -> str:
    items = ['<li><a href="/">Home</a></li>']
    items += [f'<li><a href="/section/{s}">{s.title()}</a></li>' for s in SECTION_NAMES]
    items += [
        '<li><a href="/about">About us</a></li>',
        '<li><a href="/login">Sign in</a></li>',
        '<li><a href="/subscribe">Subscribe</a></li>',
    ]
    return (
        '<header class="site-header">\n'
        f'<a class="logo" href="/">{SITE_NAME}</a>\n'
        '<form class="search" action="/search"><input name="q" placeholder="Search">'
        "<button>Search</button></form>\n"
        f'<nav class="main-nav"><ul>{"".join(items)}</ul></nav>\n'
        '<div class="ticker">Breaking: markets open higher | Weather: showers later | '
        '<a href="/live">Live coverage</a></div>\n'
        "</header>\n"
    )


def _footer() -> str:
    return (
        '<footer class="site-footer">\n'
        '<div class="newsletter"><h3>Get the morning briefing</h3>'
        "<p>Sign up for our free newsletter and never miss a story.</p>"
        '<form action="/newsletter"><input name="email"><button>Sign up</button></form></div>\n'
        '<ul class="footer-links"><li><a href="/about">About us</a></li>'
        '<li><a href="/contact">Contact</a></li><li><a href="/privacy">Privacy policy</a></li>'
        '<li><a href="/terms">Terms of use</a></li><li><a href="/cookies">Cookie settings</a>'
        '</li><li><a href="/feeds/rss.xml">RSS</a></li></ul>\n'
        '<p class="copyright">\u00a9 2024 Daily Fixture Media Ltd. All rights reserved. '
        "Registered in England and Wales.</p>\n"
        '<div class="cookie-notice">We use cookies to give you the best experience on our '
        "website. By continuing to browse you agree to our use of cookies. "
        '<button class="accept">Accept all</button> <a href="/cookies">Manage preferences</a>'
        "</div>\n</footer>\n"
    )


def _document(head: str, body: str, lang: str = "en", charset: str | None = "utf-8") -> str:
    meta = f'<meta charset="{charset}">\n' if charset else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n{meta}'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'{head}<link rel="stylesheet" href="/static/site.css">\n</head>\n'
        f"<body>\n{body}</body>\n</html>\n"
    )


def article_page(
    article: FixtureArticle,
    related: Sequence[FixtureArticle],
    *,
    canonical: str | None = None,
    site_name: str = SITE_NAME,
    charset: str | None = "utf-8",
    paragraphs: Sequence[str] | None = None,
    lang: str = "en",
) -> str:
    """A full article page; `canonical` defaults to the article's clean URL."""
    canonical = canonical or article.url
    body_paragraphs = paragraphs if paragraphs is not None else article.paragraphs
    description = body_paragraphs[0].split(". ", 1)[0] if body_paragraphs else ""
    base = article.url[: article.url.index("/", len("http://"))]
    title = escape(article.title)
    iso = article.published.isoformat()
    image = f"{base}/images/{article.id}.jpg"
    authors = ", ".join(article.authors)
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "datePublished": iso,
        "author": [{"@type": "Person", "name": a} for a in article.authors],
        "image": [image],
        "mainEntityOfPage": canonical,
    }
    head = (
        f"<title>{title} | {escape(site_name)}</title>\n"
        f'<meta name="description" content="{escape(description)}">\n'
        f'<meta name="author" content="{escape(authors)}">\n'
        f'<link rel="canonical" href="{escape(canonical)}">\n'
        '<meta property="og:type" content="article">\n'
        f'<meta property="og:title" content="{title}">\n'
        f'<meta property="og:url" content="{escape(canonical)}">\n'
        f'<meta property="og:image" content="{image}">\n'
        f'<meta property="og:site_name" content="{escape(site_name)}">\n'
        f'<meta property="article:published_time" content="{iso}">\n'
        f'<meta property="article:section" content="{article.section.title()}">\n'
        f'<script type="application/ld+json">{json.dumps(ld)}</script>\n'
    )
    byline = " and ".join(
        f'<a rel="author" href="/author/{slugify(a)}">{escape(a)}</a>' for a in article.authors
    )
    story = "\n".join(f"<p>{escape(p, quote=False)}</p>" for p in body_paragraphs)
    share_url = quote(canonical, safe="")
    related_items = "".join(f'<li><a href="{r.path}">{escape(r.title)}</a></li>' for r in related)
    body = (
        _nav() + '<main class="content">\n'
        '<nav class="breadcrumbs"><a href="/">Home</a> \u203a '
        f'<a href="/section/{article.section}">{article.section.title()}</a> \u203a '
        f"<span>{title}</span></nav>\n"
        '<article class="story">\n'
        f'<h1 class="headline">{title}</h1>\n'
        f'<p class="byline">By {byline}</p>\n'
        f'<p class="dateline"><time datetime="{iso}">'
        f"{article.published:%A %d %B %Y %H:%M} UTC</time></p>\n"
        f'<figure><img src="/images/{article.id}.jpg" alt="{title}">'
        "<figcaption>Photograph: Agency pictures</figcaption></figure>\n"
        f'<div class="story-body">\n{story}\n</div>\n'
        '<div class="share">Share this article: '
        f'<a href="/share/twitter?url={share_url}">Twitter</a> '
        f'<a href="/share/facebook?url={share_url}">Facebook</a> '
        f'<a href="/share/email?url={share_url}">Email</a></div>\n'
        f"</article>\n{PADDING_MARK}\n"
        '<aside class="related"><h2>Related stories</h2>'
        f"<ul>{related_items}</ul></aside>\n"
        f'<section class="comments-teaser"><h2>Comments ({article.id % 97})</h2>'
        '<p>Join the conversation. <a href="/login">Sign in</a> or '
        '<a href="/subscribe">subscribe</a> to comment on this story.</p></section>\n'
        "</main>\n" + _footer()
    )
    return _document(head, body, lang=lang, charset=charset)


def listing_page(
    heading: str, articles: Sequence[FixtureArticle], *, more: str | None = None
) -> str:
    """An index page (homepage, section, tag, author): headlines linking to articles."""
    items = "\n".join(
        f'<li class="teaser"><a class="section-label" href="/section/{a.section}">'
        f'{a.section.title()}</a> <a class="headline" href="{a.path}">{escape(a.title)}</a> '
        f'<time datetime="{a.published.isoformat()}">{a.published:%d %b %Y}</time></li>'
        for a in articles
    )
    tags = " ".join(
        f'<a href="/tag/{t}">{t.replace("-", " ")}</a>'
        for t in sorted({a.tags[1] for a in articles})
    )
    older = (
        f'<p class="pagination"><a rel="next" href="{more}">Older stories</a></p>\n' if more else ""
    )
    body = (
        _nav()
        + f'<main class="content">\n<h1>{escape(heading)}</h1>\n<ul class="stories">\n{items}\n'
        f'</ul>\n{older}<div class="tags">Trending: {tags}</div>\n</main>\n' + _footer()
    )
    head = f"<title>{escape(heading)} | {SITE_NAME}</title>\n"
    return _document(head, body)


def plain_page(heading: str, paragraphs: Sequence[str], *, lang: str = "en") -> str:
    """A non-article page such as About or Sign in."""
    text = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    head = f"<title>{escape(heading)} | {SITE_NAME}</title>\n"
    body = _nav() + f'<main class="content">\n<h1>{escape(heading)}</h1>\n{text}\n</main>\n'
    return _document(head, body + _footer(), lang=lang)


def login_page() -> str:
    """The sign-in form: not an article."""
    head = f"<title>Sign in | {SITE_NAME}</title>\n"
    form = (
        '<main class="content"><h1>Sign in</h1><form method="post" action="/login">'
        '<label>Email <input name="email" type="email"></label>'
        '<label>Password <input name="password" type="password"></label>'
        '<button type="submit">Sign in</button></form>'
        '<p><a href="/register">Create an account</a> | <a href="/reset">Forgot password?</a>'
        "</p></main>\n"
    )
    return _document(head, _nav() + form + _footer())


def link_only_page() -> str:
    """A page that is a list of links and short words, with no prose."""
    letters = " ".join(f'<a href="/az/{c}">{c.upper()}</a>' for c in "abcdefghijklmnopqrstuvwxyz")
    numbers = " ".join(f'<a href="/az/page/{n}">{n}</a>' for n in range(1, 41))
    short = " ".join(("Go", "Up", "Top", "Map", "A-Z", "TV", "FM", "UK", "US", "EU", "Q&A"))
    paragraphs = [letters, numbers, short, letters, numbers]
    body = _nav() + (
        '<main class="content"><h1>A to Z</h1><article class="index">'
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</article></main>\n"
        + _footer()
    )
    return _document(f"<title>A-Z | {SITE_NAME}</title>\n", body)


def empty_page() -> str:
    """A page with a title and nothing in its body."""
    return _document(f"<title>Untitled | {SITE_NAME}</title>\n", "")
