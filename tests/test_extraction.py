"""Golden tests of article extraction on small hand-written pages, and on the shared eval set."""

from __future__ import annotations

import gzip
import json
import re
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest
from trafilatura.utils import load_html

from articles.backends import newspaper_reads
from articles.decoding import decode_html, preferred_codec, repair_mojibake
from articles.edge_links import without_edge_links
from articles.extraction import EXTRACTORS, ExtractedArticle, extract_article

PAGES = Path(__file__).parent / "fixtures" / "pages"
EVAL_DATA = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "extraction" / "trafilatura_eval"
)
BASE = "https://gazette.example/news/2024/03/"
WHITESPACE = re.compile(r"\s+")


def page(name: str) -> bytes:
    """The raw bytes of a fixture page."""
    return (PAGES / name).read_bytes()


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_article_metadata_and_text(extractor: str) -> None:
    article = extract_article(page("article_en.html"), BASE + "riverside", extractor=extractor)
    assert isinstance(article, ExtractedArticle)
    assert article.extractor == extractor
    assert article.title is not None and article.title.startswith(
        "Council approves new riverside park"
    )
    assert "disused warehouse district" in article.text
    assert "Subscribe to our newsletter" not in article.text
    assert "Log in" not in article.text
    assert article.authors == ("Jane Doe",)
    assert article.published is not None and article.published.tzinfo is not None
    assert article.published.date() == datetime(2024, 3, 5).date()
    assert article.language == "en"
    assert article.top_image == "https://gazette.example/img/park.jpg"
    assert article.canonical_url == "https://gazette.example/news/2024/03/riverside-park"


@pytest.mark.parametrize(
    ("url", "declared", "expected"),
    [
        # A template that names the home page as every page's canonical: not believed.
        ("https://party.example/basic-income-petition/", "https://party.example", None),
        ("https://party.example/news/story?id=4", "/", None),
        # The home page's own, and another story's address, are believed.
        ("https://party.example/", "https://party.example/", "https://party.example/"),
        ("https://party.example/?p=4", "/story-4/", "https://party.example/story-4/"),
    ],
)
def test_a_canonical_naming_the_home_page_holds_only_for_the_home_page(
    url: str, declared: str, expected: str | None
) -> None:
    html = f'<html><head><link rel="canonical" href="{declared}"></head><body></body></html>'
    assert extract_article(html, url).canonical_url == expected


def test_default_extractor_keeps_headline_and_exact_time() -> None:
    article = extract_article(page("article_en.html"), BASE + "riverside")
    assert article.extractor == "fakewatch"
    assert article.title == "Council approves new riverside park"
    assert article.published == datetime(2024, 3, 5, 13, 30, tzinfo=UTC)
    assert "\n\n" in article.text  # paragraphs kept


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_latin1_declared_page(extractor: str) -> None:
    article = extract_article(page("latin1.html"), BASE + "cafe", extractor=extractor)
    assert "Après deux années de travaux" in article.text
    assert "« Nous voulions garder l'âme du lieu »" in article.text
    assert article.title == "Le café de la gare rouvre"
    assert article.language == "fr"


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_cp1252_undeclared_page_keeps_curly_quotes(extractor: str) -> None:
    article = extract_article(page("cp1252_undeclared.html"), BASE + "storm", extractor=extractor)
    assert "The harbour master’s office closed the port" in article.text
    assert "“We can’t risk the ferries in this weather,”" in article.text
    assert "doubling the lines on their boats — some said" in article.text


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_mojibake_page_is_repaired(extractor: str) -> None:
    article = extract_article(page("mojibake.html"), BASE + "harbour", extractor=extractor)
    assert "harbour master’s office reopened the port" in article.text
    assert "â€" not in article.text


def test_german_page_is_german() -> None:
    article = extract_article(page("german.html"), BASE + "radwege")
    assert article.language == "de"
    assert "Radwege in der Innenstadt" in article.text


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_empty_page(extractor: str) -> None:
    article = extract_article(page("empty.html"), BASE + "empty", extractor=extractor)
    assert article.text == ""
    assert article.authors == ()


@pytest.mark.parametrize(
    "html",
    [
        b"",
        b"   ",
        b"\x00\x01\x02<html>\x00</html>",
        b"\xff\xfe\x00<",
        "<p>only a fragment</p>",
        b"<html><body>" + b"<div>" * 5000 + b"deep" + b"</div>" * 5000 + b"</body></html>",
        "<html><body><p>control \x0b\x0c chars \ufffe</p></body></html>",
        b"not html at all \x80\x81",
        # Pages that send the text through the notice retry (articles.page_notices).
        "<b>Warning</b>:  Undefined index: id in <b>/var/www/a.php</b> on line <b>3</b>",
        b'<div class="cookie">' * 3000 + b"We use cookies." + b"</div>" * 3000,
    ],
)
@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_bad_pages_never_crash(html: str | bytes, extractor: str) -> None:
    article = extract_article(html, BASE + "bad", extractor=extractor)
    assert isinstance(article.text, str)


def test_unknown_extractor_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown extractor"):
        extract_article(page("article_en.html"), BASE, extractor="goose")


def test_decoding_prefers_valid_utf8_then_declared_then_windows_1252() -> None:
    assert decode_html("café".encode()) == "café"
    assert decode_html(b"\xef\xbb\xbf<p>caf\xc3\xa9</p>") == "<p>café</p>"
    declared = b'<meta charset="iso-8859-1"><p>caf\xe9 \x93quoted\x94</p>'
    assert "café “quoted”" in decode_html(declared)
    assert "“quoted”" in decode_html(b"<p>\x93quoted\x94 and it\x92s fine</p>")
    # UTF-8 with one truncated character stays UTF-8
    mostly = ("Zażółć gęślą jaźń " * 5).encode() + b"\xc3."
    assert decode_html(mostly).startswith("Zażółć gęślą jaźń")


def test_mojibake_repair_leaves_clean_text_alone() -> None:
    assert repair_mojibake("It\u00e2\u20ac\u2122s") == "It’s"
    assert repair_mojibake("Straße und Café") == "Straße und Café"


def test_newspaper_settings_are_offline_safe() -> None:
    from articles.backends import NEWSPAPER_OPTIONS, newspaper_article

    assert NEWSPAPER_OPTIONS["fetch_images"] is False
    article = newspaper_article(page("article_en.html").decode(), BASE + "riverside")
    assert article is not None
    assert article.config.fetch_images is False
    assert article.config.memoize_articles is False


def _f1(texts: list[str], annotations: list[dict]) -> float:
    """The eval README's micro-averaged F1 over whitespace-normalised substring containment."""
    tp = fp = fn = 0
    for text, truth in zip(texts, annotations, strict=True):
        extracted = WHITESPACE.sub(" ", text).strip()
        for snippet in truth["with"]:
            found = WHITESPACE.sub(" ", snippet).strip() in extracted
            tp, fn = tp + found, fn + (not found)
        fp += sum(WHITESPACE.sub(" ", s).strip() in extracted for s in truth["without"])
    return 2 * tp / (2 * tp + fp + fn)


def test_fakewatch_is_no_worse_than_trafilatura_on_shared_eval_pages() -> None:
    if not (EVAL_DATA / "ground-truth.json").is_file():
        pytest.skip(f"shared extraction eval set not found at {EVAL_DATA}")
    import trafilatura

    truth = json.loads((EVAL_DATA / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[:50]
    raw = [gzip.decompress((EVAL_DATA / "html" / f"{i}.html.gz").read_bytes()) for i in ids]
    annotations = [truth[i] for i in ids]
    ours = [extract_article(html, truth[i]["url"]).text for i, html in zip(ids, raw, strict=True)]
    theirs = [trafilatura.extract(html, include_comments=False) or "" for html in raw]
    assert _f1(ours, annotations) >= _f1(theirs, annotations)


TITLED_PAGE = """<html><head><title>{title}</title>{head}</head><body><article>
<h1>{h1}</h1><p>{body}</p></article></body></html>"""
BODY = " ".join(["The council met to discuss the river, the bridge and the new park."] * 12)


@pytest.mark.parametrize(
    ("title", "head", "h1", "expected"),
    [
        # An inner dash is part of the headline; only the declared site name goes.
        ("Brexit - what happens next | Daily Example",
         '<meta property="og:site_name" content="Daily Example">', "Brexit explained",
         "Brexit - what happens next"),
        # Without a known site name nothing is cut.
        ("Stars react - and fans are furious", "", "Gallery", "Stars react - and fans are furious"),
        # The host's own name counts as the site's.
        ("Liverpool verliert bei Everton - NEWS.EXAMPLE", "", "Liverpool",
         "Liverpool verliert bei Everton"),
        # The page's h1 as the title's first part: the rest is decoration.
        ("Council approves riverside park | The Gazette", "", "Council approves riverside park",
         "Council approves riverside park"),
        # A title that is only the site's name gives way to the h1.
        ("Daily Example", '<meta property="og:site_name" content="Daily Example">',
         "Bridge reopens after repairs", "Bridge reopens after repairs"),
    ],
)  # fmt: skip
def test_titles_lose_only_the_sites_own_name(title: str, head: str, h1: str, expected: str) -> None:
    html = TITLED_PAGE.format(title=title, head=head, h1=h1, body=BODY)
    article = extract_article(html.encode(), "https://news.example/2024/03/story")
    assert article.title == expected


@pytest.mark.parametrize(
    ("proposed", "expected"),
    [("cp775", "cp1252"), ("cp850", "cp1252"), ("mac-roman", "cp1252"), ("cp1250", "cp1252"),
     ("cp1251", "cp1251"), ("shift_jis", "shift_jis")],
)  # fmt: skip
def test_a_rare_code_page_gives_way_to_windows_1252(proposed: str, expected: str) -> None:
    undeclared = "<p>Here\u2019s what the council said.</p>".encode("cp1252")
    assert preferred_codec(proposed, undeclared) == expected
    assert "Here\u2019s" in decode_html(undeclared)


def test_a_rare_code_page_stays_when_windows_1252_cannot_read_the_bytes() -> None:
    assert preferred_codec("cp775", b"\x81\x8d\x8f\x90\x9d") == "cp775"  # undefined in cp1252


AUTHORED_PAGE = """<html><head><title>Harbour plan approved</title>{head}
<script type="application/ld+json">{json_ld}</script></head><body><article>
<h1>Harbour plan approved</h1><p>{body}</p></article></body></html>"""


@pytest.mark.parametrize(
    ("json_ld", "head", "expected"),
    [
        # The article's own authors; not the related story's, the publisher or the breadcrumbs.
        ({"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Harbour plan",
          "author": [{"@type": "Person", "name": "Ana Ruiz"},
                     {"@type": "Organization", "name": "Getty Images"}],
          "publisher": {"@type": "Organization", "name": "The Harbour Times"},
          "hasPart": [{"@type": "NewsArticle", "author": {"@type": "Person", "name": "Tom Bell"}}],
          "relatedLink": {"@type": "BreadcrumbList", "name": "News"}},
         "", ("Ana Ruiz",)),
        # A Yoast-style graph: the author is a reference to a Person node.
        ({"@context": "https://schema.org", "@graph": [
            {"@type": "Person", "@id": "#p1", "name": "Jan Novak"},
            {"@type": "Organization", "@id": "#org", "name": "Example Daily"},
            {"@type": "Article", "author": {"@id": "#p1"}, "publisher": {"@id": "#org"}}]},
         "", ("Jan Novak",)),
        # The site's name as the byline is no person, and is not split at its "and".
        ({"@type": "NewsArticle", "author": "The Globe and Mail"},
         '<meta property="og:site_name" content="The Globe and Mail">', ()),
        # On another site: an organisation after a person is dropped whole, not split ("Mail").
        ({"@type": "NewsArticle",
          "author": ["Kelly Grant, The Globe and Mail", "Jane Smith and The Canadian Press"]},
         "", ("Kelly Grant", "Jane Smith")),
        # E-mail addresses, slugs, URLs and agency credits are dropped; lists are split.
        ({"@type": "NewsArticle",
          "author": "By Maria Lopez and Sam Ode, maria@news.example, jane-doe, "
                    "https://news.example/staff, AFP"},
         "", ("Maria Lopez", "Sam Ode")),
    ],
)  # fmt: skip
def test_authors_come_from_the_article_object_and_are_people(
    json_ld: dict[str, object], head: str, expected: tuple[str, ...]
) -> None:
    html = AUTHORED_PAGE.format(head=head, json_ld=json.dumps(json_ld), body=BODY)
    article = extract_article(html.encode(), "https://news.example/2024/03/harbour")
    assert article.authors == expected


DATED_PAGE = """<html><head><title>Night vote on the harbour plan</title>{head}</head><body>
<article><h1>Night vote on the harbour plan</h1><p>{body}</p>{extra}</article></body></html>"""


@pytest.mark.parametrize(
    ("head", "extra", "expected"),
    [
        # A local time without an offset takes the offset the page declares elsewhere.
        ('<meta property="article:published_time" content="2024-03-06T00:30:00">'
         '<meta property="article:modified_time" content="2024-03-06T09:00:00+01:00">', "",
         datetime(2024, 3, 5, 23, 30, tzinfo=UTC)),
        ('<meta property="article:published_time" content="2024-03-06T08:15:00">',
         '<p>Updated <time datetime="2024-03-06T10:00:00+02:00">10:00</time></p>',
         datetime(2024, 3, 6, 6, 15, tzinfo=UTC)),
        # Just after local midnight: the UTC day is the day before; the time is kept.
        ('<meta property="article:published_time" content="2024-03-06T00:30:00+02:00">', "",
         datetime(2024, 3, 5, 22, 30, tzinfo=UTC)),
        # No offset anywhere: UTC, as before.
        ('<meta property="article:published_time" content="2024-03-06T08:15:00">', "",
         datetime(2024, 3, 6, 8, 15, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_a_local_time_keeps_the_pages_offset(head: str, extra: str, expected: datetime) -> None:
    html = DATED_PAGE.format(head=head, extra=extra, body=BODY)
    article = extract_article(html.encode(), "https://news.example/2024/03/06/harbour-vote")
    assert article.published == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        # Summer in Berlin is UTC+2, winter UTC+1: the zone, not a fixed offset.
        ('<meta property="article:published_time" content="2024-07-06T08:15:00">',
         datetime(2024, 7, 6, 6, 15, tzinfo=UTC)),
        ('<meta property="article:published_time" content="2024-01-06T00:30:00">',
         datetime(2024, 1, 5, 23, 30, tzinfo=UTC)),
        # The page's own offset elsewhere wins over the source's zone.
        ('<meta property="article:published_time" content="2024-07-06T08:15:00">'
         '<meta property="article:modified_time" content="2024-07-06T09:00:00-04:00">',
         datetime(2024, 7, 6, 12, 15, tzinfo=UTC)),
        # A declared offset is never replaced.
        ('<meta property="article:published_time" content="2024-07-06T08:15:00+00:00">',
         datetime(2024, 7, 6, 8, 15, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_a_local_time_takes_the_sources_time_zone(head: str, expected: datetime) -> None:
    html = DATED_PAGE.format(head=head, extra="", body=BODY)
    url = "https://news.example/city/harbour-vote"
    article = extract_article(html.encode(), url, timezone="Europe/Berlin")
    assert article.published == expected


def test_related_links_at_the_edges_of_the_body_are_dropped() -> None:
    tree = load_html(
        "<html><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        "<p>The council voted. See <a href='/p'>the park plan</a>.</p>"
        "<aside><a href='/a'>Bakery fire on Mill Street</a><a href='/b'>Harbour festival opens</a>"
        "</aside></body></html>"
    )
    body = "\n".join(
        [
            "World",
            "The council voted. See the park plan.",
            "",
            "the park plan",
            "Later, the mayor spoke.",
            "- Bakery fire on Mill Street",
            "Harbour festival opens",
        ]
    )
    # Only edge lines go; a link's text inside the story stays.
    assert without_edge_links(body, tree) == "\n".join(body.split("\n")[1:5])
    assert without_edge_links("World", tree) == "World"  # never the whole text


def test_newspaper4k_is_not_called_where_it_lacks_the_languages_tokenizer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    if newspaper_reads("ja"):
        pytest.skip("tinysegmenter is installed here: newspaper4k can read Japanese")
    brief = "東京都は火曜日、川沿いの倉庫街を公園に作り変える計画を発表した。"
    html = (
        '<html lang="ja-JP"><head><title>公園計画</title></head><body><article>'
        f"<h1>公園計画</h1><p>{brief}</p></article></body></html>"
    )
    with caplog.at_level("WARNING"):
        fallback = extract_article(html.encode(), "https://news.example/ja/park")
        alone = extract_article(
            html.encode(), "https://news.example/ja/park", extractor="newspaper"
        )
    assert brief in fallback.text and fallback.language == "ja"
    assert alone.text == "" and alone.title == "公園計画"
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
