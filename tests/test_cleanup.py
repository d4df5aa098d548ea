"""Text cleaning and the skip rules, and that crawl and training judge text the same way."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from articles.cleaning import clean_text
from articles.extraction import ExtractedArticle, extract_article
from articles.skip_rules import (
    CORPUS_RULES,
    MIN_WORDS,
    REASONS,
    SkipRules,
    reason_label,
    skip_reason,
)
from classifier.corpus.cleanup import clean_corpus
from crawler.articles import page_to_record
from crawler.items import ListingHint, PageItem
from crawler.sources import Source
from db.queries import ArticleRecord

PAGES = Path(__file__).parent / "fixtures" / "pages"
BASE = "https://gazette.example/news/2024/03/"

ENGLISH = (
    "The city council voted on Tuesday evening to turn the disused warehouse district along "
    "the river into a public park. Under the plan, the old loading docks will become a "
    "promenade with trees, benches and a small café. Supporters said the park would give the "
    "crowded eastern neighbourhoods their first large green space. Opponents argued that the "
    "money would be better spent on repairing roads and schools. Construction is due to begin "
    "next spring if no legal challenges are filed."
)
GERMAN = (
    "Der Stadtrat hat am Mittwoch beschlossen, in den kommenden drei Jahren mehr als zwanzig "
    "Kilometer neue Radwege in der Innenstadt zu bauen. Die Wege sollen vom Autoverkehr "
    "getrennt werden und die wichtigsten Schulen, Bahnhöfe und Einkaufsstraßen miteinander "
    "verbinden. Kritiker befürchten, dass durch den Umbau viele Parkplätze wegfallen. Die "
    "Kosten von rund acht Millionen Euro werden zur Hälfte vom Land übernommen."
)


def article(text: str, **fields: object) -> ExtractedArticle:
    """An extracted article with the given text and otherwise empty metadata."""
    base = ExtractedArticle(
        title="t",
        text=text,
        authors=(),
        published=None,
        language=None,
        top_image=None,
        canonical_url=None,
        extractor="fakewatch",
    )
    return replace(base, **fields)


def verdict(
    extracted: ExtractedArticle, *, languages: tuple[str, ...] = ("en",), min_words: int = MIN_WORDS
) -> str | None:
    """The crawler's judgement of an extracted page (as in `crawler.articles`)."""
    return skip_reason(
        extracted.text,
        SkipRules(languages=languages, min_words=min_words),
        url=extracted.canonical_url,
        declared_language=extracted.language,
        declared_article=extracted.declares_article,
    )


def test_reasons_table_is_small_and_stable() -> None:
    assert list(REASONS) == ["empty", "link_only", "too_short", "not_article", "language"]
    assert all(description for description in REASONS.values())


@pytest.mark.parametrize(
    ("reason", "label"),
    [("empty", "empty"), ("language:de", "language"), ("not_article", "not_article")],
)
def test_reason_labels_are_table_keys(reason: str, label: str) -> None:
    assert reason_label(reason) == label
    assert label in REASONS


def test_every_returned_reason_is_in_the_table() -> None:
    for name in PAGES.glob("*.html"):
        extracted = extract_article(name.read_bytes(), BASE + name.stem)
        reason = verdict(extracted)
        assert reason is None or reason_label(reason) in REASONS, (name, reason)


@pytest.mark.parametrize("text", ["", "   \n\t  ", "\u200b\n"])
def test_empty(text: str) -> None:
    assert verdict(article(text.replace("\u200b", " "))) == "empty"


def test_link_only_long_tokens() -> None:
    links = " ".join(f"https://example.org/archive/{i}/download-file.pdf" for i in range(60))
    assert verdict(article(links)) == "link_only"


def test_link_only_short_tokens() -> None:
    assert verdict(article(" ".join(["a", "b", "on", "|", "x"] * 30))) == "link_only"


def test_too_short() -> None:
    assert verdict(article("A short note. It has a few words. Nothing more.")) == "too_short"
    assert verdict(article(ENGLISH), min_words=500) == "too_short"
    assert len(ENGLISH.split()) >= MIN_WORDS


def test_a_short_declared_article_is_kept_but_not_a_consent_notice_or_paywall_stub() -> None:
    report = (
        "The council met on Tuesday. It approved the new school budget by seven votes to two, "
        "after a debate about class sizes. Work on the extension starts in March."
    )  # 30 words: a local paper's brief
    assert verdict(article(report)) == "too_short"  # nothing declared: the 50-word minimum
    assert verdict(article(report, declares_article=True)) is None
    notice = (
        "This website uses cookies. By continuing to browse the site you agree to our use of "
        "cookies. Find out more about how we use them and how to control them in our policy."
    )
    stub = (
        "The council met on Tuesday to debate the budget. Subscribe now to read the whole "
        "story, or sign in if you already have an account with us today."
    )
    for text in (notice, stub):
        assert verdict(article(text, declares_article=True)) == "not_article"
    # Too short even for a declared article; and corpus rows are judged by the text alone.
    assert verdict(article("Breaking: the council approved it.", declares_article=True)) == (
        "too_short"
    )
    assert skip_reason(notice, CORPUS_RULES, declared_article=True) is None


def test_english_article_is_kept() -> None:
    assert verdict(article(ENGLISH, canonical_url=BASE + "park")) is None


def test_foreign_language_is_skipped_with_its_code() -> None:
    assert verdict(article(GERMAN)) == "language:de"
    assert verdict(article(GERMAN), languages=("de", "en")) is None
    assert verdict(article(GERMAN), languages=()) is None


def test_unsure_language_needs_the_page_declaration_to_agree() -> None:
    # Mostly English text with German words: never skipped on a weak verdict alone.
    mixed = ENGLISH + " Radwege Innenstadt Stadtrat."
    assert verdict(article(mixed, language="en")) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://gazette.example/",
        "https://gazette.example/tag/politics",
        "https://gazette.example/login",
        "https://gazette.example/category/sport/",
        "https://gazette.example/news/page/2",
    ],
)
def test_index_tag_and_login_urls_are_not_articles(url: str) -> None:
    assert verdict(article(ENGLISH, canonical_url=url)) == "not_article"


@pytest.mark.parametrize(
    "url",
    [
        "https://gazette.example/ideas/archive/2020/08/the-river-park-plan/615610/",
        "https://gazette.example/?p=2895",
        "https://gazette.example/topics/city/2024/03/park-vote/story.html",
    ],
)
def test_article_urls_under_index_words_are_articles(url: str) -> None:
    assert verdict(article(ENGLISH, canonical_url=url)) is None


# A brief: a dateline, a time and one long sentence; a story built around a list.
SHORT_REPORT = "\n\n".join(
    [
        "MILLTOWN",
        "Updated 22:40",
        "Firefighters put out a blaze at a bakery on Mill Street late on Tuesday night after "
        "neighbours saw smoke rising from the roof, and although no one was hurt the building "
        "is badly damaged, police said on Wednesday morning, adding that the cause of the fire "
        "is being investigated by the city fire marshal and that the street stays closed.",
    ]
)
LIST_STORY = "\n\n".join(
    [
        "Ten things to see at the harbour festival this weekend, from tall ships to food stalls.",
        *(f"Stall number {i} on the quay" for i in range(1, 11)),
        "Entry is free and the festival runs from Friday evening until Sunday afternoon.",
    ]
)


@pytest.mark.parametrize("text", [SHORT_REPORT, LIST_STORY], ids=["short-report", "list-story"])
def test_a_declared_article_is_not_judged_by_the_shape_of_its_text(text: str) -> None:
    assert verdict(article(text, declares_article=True)) is None
    # The same text on a page that declares nothing is judged by its shape.
    assert verdict(article(text)) == "not_article"


def test_a_declared_article_on_an_index_url_is_still_an_index() -> None:
    page = article(ENGLISH, canonical_url="https://gazette.example/tag/politics")
    assert verdict(replace(page, declares_article=True)) == "not_article"


def test_a_story_with_short_paragraphs_keeps_most_words_in_sentences() -> None:
    # Most lines are short (subheads, a quote), but most words are in sentences.
    lines = [ENGLISH, "The vote", ENGLISH, "What happens next", ENGLISH, "Reactions", "In brief"]
    assert verdict(article("\n\n".join(lines))) is None


JAPANESE = (
    "東京都は火曜日、川沿いの古い倉庫街を大きな公園に作り変える計画を発表した。"
    "計画では、古い荷積み場が木々やベンチのある遊歩道になる。"
    "賛成する住民は、混み合った東部の地域に初めて広い緑地ができると話した。"
    "反対する人々は、その予算を道路や学校の修理に使うべきだと主張している。"
    "工事は法的な異議がなければ来年の春に始まる予定だ。"
)
THAI = (
    "สภาเมืองลงมติเมื่อวันอังคารให้เปลี่ยนย่านโกดังเก่าริมแม่น้ำเป็นสวนสาธารณะ "
    "ตามแผนท่าเรือเก่าจะกลายเป็นทางเดินเล่นที่มีต้นไม้และม้านั่ง "
    "ผู้สนับสนุนกล่าวว่าสวนจะเป็นพื้นที่สีเขียวแห่งแรกของย่านตะวันออกที่แออัด "
    "ฝ่ายคัดค้านเห็นว่าควรนำเงินไปซ่อมถนนและโรงเรียนแทน "
    "การก่อสร้างจะเริ่มในฤดูใบไม้ผลิหน้าหากไม่มีการฟ้องร้อง"
)


@pytest.mark.parametrize("text", [JAPANESE, THAI], ids=["japanese", "thai"])
def test_unspaced_scripts_are_counted_in_characters(text: str) -> None:
    assert verdict(article(text), languages=()) is None
    # Far fewer characters than MIN_WORDS words: too short, not a link list.
    assert verdict(article(text[:60]), languages=()) == "too_short"


def test_a_few_pasted_urls_do_not_make_a_story_a_link_list() -> None:
    url = "https://gazette.example/wp-content/uploads/2021/01/logo-1030x568-1-300x165.png"
    assert verdict(article(ENGLISH + " " + " ".join([url] * 6))) is None
    assert verdict(article("\n".join([url] * 60))) == "link_only"


def test_text_without_sentences_is_not_an_article() -> None:
    headlines = "\n\n".join(
        f"Headline number {i} about the city and its council" for i in range(12)
    )
    assert verdict(article(headlines)) == "not_article"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("article_en.html", None),
        ("cp1252_undeclared.html", None),
        ("mojibake.html", None),
        ("german.html", "language:de"),
        ("latin1.html", "language:fr"),
        ("link_only.html", "link_only"),
        ("index.html", "not_article"),
        ("empty.html", "empty"),
    ],
)
def test_golden_pages(name: str, reason: str | None) -> None:
    extracted = extract_article((PAGES / name).read_bytes(), BASE + Path(name).stem)
    assert verdict(extracted, min_words=40) == reason


def test_clean_text_collapses_whitespace_and_keeps_paragraphs() -> None:
    raw = "  First   line\twith\u00a0spaces \n\n\n  Second paragraph.\r\nThird  "
    assert clean_text(raw) == "First line with spaces\n\nSecond paragraph.\n\nThird"


def test_clean_text_strips_markup_entities_and_invisible_characters() -> None:
    raw = "Fish &amp; chips<br/> cost&nbsp;£5 <span class='x'>today</span>\u200b\u00ad.\x07"
    assert clean_text(raw) == "Fish & chips cost £5 today ."


def test_clean_text_keeps_text_that_only_looks_like_markup() -> None:
    assert clean_text("Edit <config files> when a < b > c") == "Edit <config files> when a < b > c"


def test_clean_text_normalises_unicode() -> None:
    assert clean_text("Cafe\u0301") == "Café"
    assert clean_text("") == ""


LINKS = " ".join(f"https://gazette.example/section/{n}/long-link-slug-here" for n in range(40))
SHORT_ENGLISH = "Markets closed higher. Oil fell."


def crawled_story(text: str, hint: ListingHint | None = None) -> ArticleRecord:
    """What the crawler stores for a page whose article holds `text`, a sentence a paragraph."""
    paragraphs = "".join(f"<p>{sentence}.</p>" for sentence in text.split(". ") if sentence)
    page = PageItem(
        url=BASE + "story",
        final_url=BASE + "story",
        body=f"<html><body><article>{paragraphs}</article></body></html>".encode(),
        content_type="text/html",
        header_charset="utf-8",
        hint=hint or ListingHint(),
    )
    source = Source(name="gazette", allowed_domains=("gazette.example",))
    return page_to_record(page, source, 1, "trafilatura")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        (LINKS, "link_only"),
        (GERMAN, "language"),
        (ENGLISH, None),
    ],
)
def test_training_cleanup_and_crawler_agree(text: str, reason: str | None) -> None:
    record = crawled_story(text)
    crawled = None if record.status_reason is None else reason_label(record.status_reason)
    corpus = pd.DataFrame({"title": ["A headline"], "text": [text], "label": [0]})
    kept, report = clean_corpus(corpus)
    assert crawled == reason
    assert report.dropped == ({} if reason is None else {reason: 1})
    assert len(kept) == (1 if reason is None else 0)


def test_corpus_rules_keep_short_claims_that_a_crawl_would_skip() -> None:
    corpus = pd.DataFrame({"title": [""], "text": [SHORT_ENGLISH], "label": [1]})
    kept, _ = clean_corpus(corpus)
    assert len(kept) == 1
    assert skip_reason(SHORT_ENGLISH) == "too_short"


def test_titles_and_authors_lose_control_characters_at_extraction() -> None:
    hint = ListingHint(title="\x1b]0;owned\x07Big\x00 news\t today", authors=("\x1b[2JAnn",))
    record = crawled_story(ENGLISH, hint)
    assert record.title == "]0;ownedBig news today" and record.authors == ("[2JAnn",)


def test_a_story_whose_canonical_names_the_home_page_keeps_its_own_url() -> None:
    paragraphs = "".join(f"<p>{sentence}.</p>" for sentence in ENGLISH.split(". ") if sentence)
    body = (
        '<html><head><link rel="canonical" href="https://gazette.example/">'
        f"</head><body><article>{paragraphs}</article></body></html>"
    )
    page = PageItem(url=BASE + "story", final_url=BASE + "story", body=body.encode(),
                    content_type="text/html", header_charset="utf-8")  # fmt: skip
    source = Source(name="gazette", allowed_domains=("gazette.example",))
    record = page_to_record(page, source, 1, "trafilatura")
    # Neither stored under the home page's address nor skipped as one.
    assert record.url == BASE + "story" and record.status_reason is None


def test_a_redirect_to_another_sites_story_is_not_recorded_as_an_alias() -> None:
    page = PageItem(
        url=BASE + "story",
        final_url="https://victim.example/news/story",
        body=b"<html><body><article><p>" + ENGLISH.encode() + b"</p></article></body></html>",
        content_type="text/html",
        header_charset="utf-8",
        alias_urls=("https://victim.example/news/story", BASE + "story?from=rss"),
    )
    source = Source(name="gazette", allowed_domains=("gazette.example",))
    record = page_to_record(page, source, 1, "trafilatura")
    assert record.url == BASE + "story"
    assert record.alias_urls == (BASE + "story?from=rss",)  # the victim's URL stays unknown
