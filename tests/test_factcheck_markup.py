"""ClaimReview markup read from fact-check pages: fixture pages of real-world shapes, and
broken ones, each with the reviews and skips it must give.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from trafilatura.utils import load_html

from factchecks.review_markup import ClaimReview, ReviewsOnPage, claim_reviews

FIXTURES = Path(__file__).parent / "fixtures" / "factchecks"
POLITIFACT_URL = (
    "https://www.politifact.com/factchecks/2024/mar/04/dana-whitfield/"
    "no-wind-turbines-have-not-killed-more-people-than-n/"
)
SNOPES_URL = "https://www.snopes.com/fact-check/grocery-chain-cash-ban/"
FULL_FACT_URL = "https://fullfact.org/health/gp-appointments-claims/"
CHECK_DESK_URL = "https://checkdesk.example/fact-check/2024/03/council-gas-stove-ban/"
REUTERS_URL = "https://www.reuters.com/fact-check/cycling-commuters-2024-03-14/"
WAPO_URL = "https://www.washingtonpost.com/politics/2024/03/12/mayor-crime-halved/"
LEAD_STORIES_URL = (
    "https://leadstories.com/hoax-alert/2024/03/"
    "fact-check-video-does-not-show-shark-on-flooded-highway.html"
)
AP_URL = "https://apnews.com/article/fact-check-rainwater-tax-4f1c2a"


def utc(day: str, time: str = "00:00") -> datetime:
    """An aware UTC datetime from "2024-03-04" and "21:30"."""
    return datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=UTC)


def read(name: str, url: str) -> ReviewsOnPage:
    """The reviews on fixture page `name`, as if fetched from `url`."""
    return claim_reviews((FIXTURES / f"{name}.html").read_text(encoding="utf-8"), url)


# What all reviews of one fact-checker share; each review replaces the rest.
FULL_FACT = ClaimReview(
    claim="",
    review_url=FULL_FACT_URL,
    rating="other",
    fact_checker="Full Fact",
    fact_checker_url="https://fullfact.org/",
    reviewed_at=utc("2024-02-09"),
    language="en-gb",
)
CORRECTIV = ClaimReview(
    claim="",
    review_url="",
    rating="other",
    best_rating="6",
    worst_rating="1",
    fact_checker="CORRECTIV.Faktencheck",
    fact_checker_url="https://correctiv.org/faktencheck/",
    language="de",
)

# Fixture page -> (the URL it is read as coming from, the reviews on it, the skips counted).
GOLDEN: dict[str, tuple[str, list[ClaimReview], dict[str, int]]] = {
    "politifact_graph": (
        POLITIFACT_URL,
        [
            ClaimReview(
                claim="Wind turbines kill more people every year than nuclear power plants "
                "have in their entire history.",
                review_url=POLITIFACT_URL,
                rating="false",
                rating_words="Pants on Fire!",
                rating_value="1",
                best_rating="6",
                worst_rating="1",
                fact_checker="PolitiFact",
                fact_checker_url="https://www.politifact.com/",
                reviewed_at=utc("2024-03-04", "21:30"),
                language="en",
                title="No, wind turbines have not killed more people than nuclear power",
                claimant="Dana Whitfield",
                claimed_at=utc("2024-02-27"),
                appearances=(  # the mailto: appearance is dropped
                    "https://www.facebook.com/danawhitfield/videos/1234567890123456/",
                    "https://x.com/DanaWhitfield/status/1762531047386214400",
                ),
            )
        ],
        {},
    ),
    "snopes_list": (
        SNOPES_URL,
        [
            ClaimReview(
                claim="A national grocery chain will stop accepting cash at all of its stores "
                "from April 1, 2024.",
                review_url=SNOPES_URL,  # written as a relative URL
                rating="false",
                rating_words="False",
                rating_value="1",
                best_rating="5",
                worst_rating="1",
                fact_checker="Snopes",
                fact_checker_url="https://www.snopes.com",
                reviewed_at=utc("2024-01-18"),
                title="Did a Grocery Chain Ban Cash Payments Nationwide?",
                claimant="Social media users",
                claimed_at=utc("2024-01-12"),
                appearances=(  # CreativeWork objects; the page's own URL is not an appearance
                    "https://www.facebook.com/groups/savingmoms/posts/901122334455/",
                    "https://www.tiktok.com/@dealsdaily/video/7324411230967123456",
                ),
            )
        ],
        {},
    ),
    "fullfact_multi": (
        FULL_FACT_URL,
        [
            replace(
                FULL_FACT,
                claim="GP appointments fell by a quarter last year.",
                rating="false",
                rating_words="This is incorrect. The figures show appointments rose by 2% over "
                "the year, to 29 million a month.",
                claimant="Martin Hale",
                claimed_at=utc("2024-02-05"),
                appearances=(
                    "https://hansard.parliament.uk/commons/2024-02-05/debates/ABC123/Health",
                ),
            ),
            replace(
                FULL_FACT,
                claim="Half of patients wait more than two weeks to see a GP.",
                rating="mixed",
                rating_words="Missing context. The survey asked only about non-urgent "
                "appointments booked in advance.",
                claimant="Patients First campaign",
                appearances=("https://www.patientsfirst.example/news/waiting-times",),
            ),
            replace(
                FULL_FACT,
                claim="You can be fined for missing a GP appointment.",
                rating="other",  # "not correct" is neither read as "correct" nor guessed
                rating_words="That is not correct. No NHS practice in England can charge "
                "patients for a missed appointment.",
                claimant="Facebook posts",
                appearances=("https://www.facebook.com/photo/?fbid=10229876543210987",),
            ),
        ],
        {},
    ),
    "microdata_only": (
        CHECK_DESK_URL + "?utm_source=rss",
        [
            ClaimReview(
                claim="The city council voted to ban gas stoves in all existing homes.",
                review_url=CHECK_DESK_URL,  # relative href, resolved against the page
                rating="mostly_false",
                rating_words="Mostly False",
                rating_value="2",
                best_rating="5",
                worst_rating="1",
                fact_checker="Check Desk",
                fact_checker_url="https://checkdesk.example/",
                reviewed_at=utc("2024-03-11", "09:15"),
                language="en",
                title="Fact Check: Did the city council vote to ban gas stoves?",
                claimant="Rick Dorsey",
                claimed_at=utc("2024-03-07"),
                appearances=(
                    "https://www.instagram.com/p/C4dkQ8wLm2x/",
                    "https://www.youtube.com/watch?v=q3T7xYz9LkA",
                ),
            )
        ],
        {},
    ),
    "rdfa_only": (
        REUTERS_URL,
        [
            ClaimReview(
                claim="More people cycle to work in the capital than did before the pandemic.",
                review_url=REUTERS_URL,
                rating="mixed",
                rating_words="Missing context",
                fact_checker="Reuters Fact Check",
                fact_checker_url="https://www.reuters.com/fact-check/",
                reviewed_at=utc("2024-03-14", "11:05"),
                language="en",
                title="Are more people cycling to work than before the pandemic?",
                claimant="Priya Natarajan",
                appearances=(
                    "https://www.linkedin.com/posts/"
                    "priya-natarajan_cycling-activity-7173001122334455667-AbCd",
                ),
            )
        ],
        {},
    ),
    "broken_jsonld": (
        WAPO_URL,
        [
            ClaimReview(
                claim="Crime in the city has halved since I took office.",
                review_url=WAPO_URL,
                rating="false",
                rating_words="Four Pinocchios",
                rating_value="1",
                best_rating="4",
                worst_rating="1",
                fact_checker="The Washington Post",
                fact_checker_url="https://www.washingtonpost.com",
                reviewed_at=utc("2024-03-12", "05:00"),
                title="The mayor's claim that crime halved is not backed by the data",
                claimant="Mayor Lena Forsberg",
                appearances=("https://www.youtube.com/watch?v=ZxQ8rT2vBn4",),
            )
        ],
        {"malformed_markup": 1},  # the cut-off block beside it
    ),
    "lenient_jsonld": (
        LEAD_STORIES_URL,
        [
            ClaimReview(
                claim="A video shows a shark swimming on a flooded highway after the storm.",
                review_url=LEAD_STORIES_URL,
                rating="false",
                rating_words="Altered Video",
                rating_value="1",
                best_rating="5",
                worst_rating="1",
                fact_checker="Lead Stories",
                fact_checker_url="https://leadstories.com/",
                reviewed_at=utc("2024-03-02", "18:47:11"),
                title="Fact Check: Video Does NOT Show Shark Swimming On Flooded Highway",
                claimant="X users",
                appearances=("https://x.com/stormwatcher_88/status/1763912345678901234",),
            )
        ],
        {},
    ),
    "afp_factuel_fr": (
        "https://factuel.afp.com/doc.afp.com.34LK9QZ",
        [
            ClaimReview(
                claim="Le gouvernement a annoncé la suppression des tickets-restaurant à partir "
                "de 2025.",
                review_url="https://factuel.afp.com/doc.afp.com.34LK9QZ",
                rating="false",
                rating_words="Faux",
                rating_value="1",
                best_rating="5",
                worst_rating="1",
                fact_checker="AFP Factuel",
                fact_checker_url="https://factuel.afp.com/",
                reviewed_at=utc("2024-03-08", "16:42"),
                language="fr",
                title="Non, le gouvernement n'a pas annoncé la fin des tickets-restaurant en 2025",
                claimant="Sources multiples",
                claimed_at=utc("2024-03-05"),
                appearances=("https://www.facebook.com/100064523412345/posts/pfbid02AbCdEfGh",),
            )
        ],
        {},
    ),
    "correctiv_de": (
        "https://correctiv.org/faktencheck/2024/02/20/nein-bargeld-wird-nicht-abgeschafft/",
        [
            replace(
                CORRECTIV,
                claim="Bargeld wird in Deutschland zum Jahresende abgeschafft.",
                review_url="https://correctiv.org/faktencheck/2024/02/20/"
                "nein-bargeld-wird-nicht-abgeschafft/",
                rating="false",
                rating_words="Falsch",
                rating_value="1",
                reviewed_at=utc("2024-02-20", "13:03"),
                claimant="Telegram-Kanal",
                appearances=("https://t.me/example_kanal/48213",),
            )
        ],
        {},
    ),
    "correctiv_teilweise_de": (
        "https://correctiv.org/faktencheck/2024/01/30/strompreise-verdopplung-teilweise-falsch/",
        [
            replace(
                CORRECTIV,
                claim="Die Strompreise haben sich seit 2021 für alle Haushalte verdoppelt.",
                review_url="https://correctiv.org/faktencheck/2024/01/30/"
                "strompreise-verdopplung-teilweise-falsch/",
                rating="mixed",
                rating_words="Teilweise falsch",
                rating_value="3",
                reviewed_at=utc("2024-01-30", "09:20"),
                claimant="Bernd Kessler",
                appearances=("https://www.facebook.com/bernd.kessler.777/posts/4412233",),
            )
        ],
        {},
    ),
    "newtral_es": (
        "https://www.newtral.es/paro-juvenil-mitad-fact-check/20240301/",
        [
            ClaimReview(
                claim="El paro juvenil ha bajado a la mitad en solo un año.",
                review_url="https://www.newtral.es/paro-juvenil-mitad-fact-check/20240301/",
                rating="mixed",
                rating_words="Engañoso",
                rating_value="3",
                best_rating="5",
                worst_rating="1",
                fact_checker="Newtral",
                fact_checker_url="https://www.newtral.es/",
                reviewed_at=utc("2024-03-01", "11:00"),
                language="es",
                claimant="Lucía Herrero",
                claimed_at=utc("2024-02-28"),
                appearances=(
                    "https://www.rtve.es/play/videos/los-desayunos/entrevista-lucia-herrero/7012345/",
                ),
            )
        ],
        {},
    ),
    "no_claim": (
        "https://verifydesk.example/checks/2024/03/round-up/",
        [
            ClaimReview(  # the claim's text on the item, not in claimReviewed
                claim="The river bridge will close for two years from May.",
                review_url="https://verifydesk.example/checks/2024/03/round-up/#bridge-closure",
                rating="mixed",
                rating_words="Misleading",
                fact_checker="Verify Desk",
                reviewed_at=utc("2024-03-15"),
                claimant="Community Facebook group",
            )
        ],
        {"no_claim": 1},  # the review of the tax letters, which never says what was claimed
    ),
    "news_no_review": ("https://coastalcourier.example/2024/03/ferry-late-sailings", [], {}),
    "numeric_only": (
        "https://truthmeter.example/2024/03/school-lunch-prices",
        [
            ClaimReview(
                claim="School lunch prices have tripled in the district since 2020.",
                review_url="https://truthmeter.example/2024/03/school-lunch-prices",
                rating="mostly_false",  # 2 on 1..5
                rating_value="2",
                best_rating="5",
                worst_rating="1",
                fact_checker="Truth Meter",
                reviewed_at=utc("2024-03-06"),
                claimant="Gary Lindqvist",
            )
        ],
        {},
    ),
    "duplicate_syntaxes": (
        AP_URL,
        [
            ClaimReview(  # in JSON-LD and again in microdata: one review
                claim="The state will tax homeowners for collecting rainwater from July.",
                review_url=AP_URL,
                rating="false",
                rating_words="False",
                fact_checker="AP News",
                reviewed_at=utc("2024-03-13", "20:11"),
                appearances=("https://www.facebook.com/share/p/rainwatertax/",),
            )
        ],
        {},
    ),
}


# -- ClaimReview markup --------------------------------------------------------------------


def test_every_fixture_page_has_golden_reviews() -> None:
    assert sorted(path.stem for path in FIXTURES.glob("*.html")) == sorted(GOLDEN)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_fixture_page_gives_its_golden_reviews_and_skips(name: str) -> None:
    url, reviews, skipped = GOLDEN[name]
    found = read(name, url)
    assert found.reviews == reviews
    assert found.skipped == skipped


@pytest.mark.parametrize("name", ["politifact_graph", "microdata_only", "fullfact_multi"])
def test_a_parsed_tree_gives_the_same_reviews(name: str) -> None:
    url = GOLDEN[name][0]
    page = (FIXTURES / f"{name}.html").read_text(encoding="utf-8")
    assert claim_reviews(page, url, tree=load_html(page)) == claim_reviews(page, url)


def test_fixture_pages_use_only_the_syntax_they_are_named_after() -> None:
    microdata = (FIXTURES / "microdata_only.html").read_text(encoding="utf-8")
    rdfa = (FIXTURES / "rdfa_only.html").read_text(encoding="utf-8")
    assert "ld+json" not in microdata and "typeof=" not in microdata and "itemscope" in microdata
    assert "ld+json" not in rdfa and "itemscope" not in rdfa and 'typeof="ClaimReview"' in rdfa
    both = (FIXTURES / "duplicate_syntaxes.html").read_text(encoding="utf-8")
    assert "ld+json" in both and both.count("ClaimReview") == 2


def test_several_reviews_on_one_page_keep_their_own_claims_and_ratings() -> None:
    found = read("fullfact_multi", FULL_FACT_URL)
    assert [(r.claim[:20], r.rating) for r in found.reviews] == [
        ("GP appointments fell", "false"),
        ("Half of patients wai", "mixed"),
        ("You can be fined for", "other"),
    ]


def test_relative_urls_resolve_and_non_http_appearances_are_dropped() -> None:
    page = (FIXTURES / "politifact_graph.html").read_text(encoding="utf-8")
    assert "mailto:press@" in page
    (review,) = claim_reviews(page, POLITIFACT_URL).reviews
    assert all(url.startswith("https://") for url in review.appearances)
    (review,) = read("microdata_only", CHECK_DESK_URL + "?utm_source=rss").reviews
    assert (review.review_url, review.fact_checker_url) == (
        CHECK_DESK_URL,
        "https://checkdesk.example/",
    )


def test_same_review_in_json_ld_and_microdata_is_counted_once() -> None:
    found = read("duplicate_syntaxes", AP_URL)
    assert len(found.reviews) == 1 and found.skipped == {}


def _page(head: str = "", body: str = "") -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Check</title>'
        f"{head}</head><body><p>A page about a claim.</p>{body}</body></html>"
    )


def _json_ld(text: str) -> str:
    return f'<script type="application/ld+json">{text}</script>'


@pytest.mark.parametrize(
    ("page", "skipped"),
    [
        ("", {}),
        ("ClaimReview", {}),
        ("\x00\x01ClaimReview<<<>>>\ufffd", {}),
        (_page(_json_ld('"ClaimReview"')), {}),
        (_page(_json_ld('[1, "ClaimReview", null, {"@type": 7}]')), {}),
        (_page(_json_ld('{"@type": "ClaimReview", "claimReviewed": {"a": 1}}')), {"no_claim": 1}),
        (_page(_json_ld('{"@type": "ClaimReview", "claimReviewed": "   "}')), {"no_claim": 1}),
        (_page(_json_ld('{"@type": "ClaimReview", "claimReviewed": "x"')), {"malformed_markup": 1}),
        (_page(_json_ld("{'@type': 'ClaimReview'}")), {"malformed_markup": 1}),
    ],
)
def test_broken_markup_is_counted_never_raised(page: str, skipped: dict[str, int]) -> None:
    found = claim_reviews(page, "https://example.org/checks/1")
    assert found.reviews == [] and found.skipped == skipped


def test_microdata_a_parser_rejects_is_counted_never_raised() -> None:
    page = (FIXTURES / "microdata_only.html").read_text(encoding="utf-8")
    broken = page.replace("https://www.youtube.com/watch?v=q3T7xYz9LkA", "http://[::1/")
    found = claim_reviews(broken, CHECK_DESK_URL)
    assert found.reviews == [] and set(found.skipped) == {"malformed_markup"}


def test_odd_values_give_a_review_with_what_could_be_read() -> None:
    review_markup = {
        "@type": "ClaimReview",
        "claimReviewed": "  The   claim\n text. ",
        "url": "http://[::1",
        "datePublished": "yesterday",
        "inLanguage": {"@type": "Language", "name": "English", "alternateName": "EN"},
        "itemReviewed": {
            "appearance": ["http://[bad", "javascript:alert(1)", 42, None, "//cdn.example/x"],
        },
        # an empty custom field, as PHP's json_encode writes it
        "reviewRating": {"ratingValue": "n/a", "bestRating": "x", "alternateName": False},
    }
    page = _page(_json_ld(json.dumps(review_markup)))
    (review,) = claim_reviews(page, "https://example.org/checks/1").reviews
    assert review.claim == "The claim text."
    assert review.review_url == "https://example.org/checks/1"
    assert review.reviewed_at is None and review.language == "en"
    assert (review.rating_words, review.rating) == (None, "other")
    assert review.appearances == ("https://cdn.example/x",)


def test_a_page_that_never_says_claimreview_is_answered_at_once() -> None:
    page = (FIXTURES / "news_no_review.html").read_text(encoding="utf-8")
    assert "ClaimReview" not in page
    assert claim_reviews(page, "https://coastalcourier.example/") == ReviewsOnPage()


# Shapes that once failed, each with its input.


def test_json_ld_in_a_cdata_wrapper_is_read() -> None:
    page = (FIXTURES / "lenient_jsonld.html").read_text(encoding="utf-8")
    wrapped = page.replace(
        '<script type="application/ld+json">', '<script type="application/ld+json">\n//<![CDATA['
    ).replace("}\n</script>", "}\n//]]>\n</script>")
    assert wrapped.count("CDATA") == 1 and "//]]>" in wrapped
    found = claim_reviews(wrapped, LEAD_STORIES_URL)
    assert found.skipped == {} and found.reviews == GOLDEN["lenient_jsonld"][1]


def test_an_xhtml_page_with_an_xml_declaration_keeps_its_microdata() -> None:
    page = (FIXTURES / "microdata_only.html").read_text(encoding="utf-8")
    found = claim_reviews('<?xml version="1.0" encoding="UTF-8"?>\n' + page, CHECK_DESK_URL)
    assert found.reviews == GOLDEN["microdata_only"][1] and found.skipped == {}


def test_an_rdfa_review_url_is_its_resource() -> None:
    page = (FIXTURES / "rdfa_only.html").read_text(encoding="utf-8")
    json_ld = _json_ld(
        json.dumps(
            {
                "@context": "https://schema.org",
                "@type": "ClaimReview",
                "url": REUTERS_URL,
                "claimReviewed": GOLDEN["rdfa_only"][1][0].claim,
                "reviewRating": {"@type": "Rating", "alternateName": "Missing context"},
            }
        )
    )
    found = claim_reviews(page.replace("</head>", json_ld + "</head>"), REUTERS_URL + "?ref=rss")
    assert [review.review_url for review in found.reviews] == [REUTERS_URL]


def test_a_graph_reference_names_the_fact_checker() -> None:
    organisation = "https://checkyourfact.example/#organization"
    graph = [
        {
            "@type": "Organization",
            "@id": organisation,
            "name": "Check Your Fact",
            "url": "https://checkyourfact.example/",
        },
        {
            "@type": "ClaimReview",
            "url": "https://checkyourfact.example/2024/03/x/",
            "claimReviewed": "A claim.",
            "author": {"@id": organisation},
            "reviewRating": {"@type": "Rating", "alternateName": "False"},
        },
    ]
    page = _page(_json_ld(json.dumps({"@context": "https://schema.org", "@graph": graph})))
    (review,) = claim_reviews(page, "https://checkyourfact.example/2024/03/x/").reviews
    assert review.fact_checker == "Check Your Fact"


def test_a_free_text_appearance_is_not_made_a_url() -> None:
    page = _page(
        _json_ld(
            '{"@type": "ClaimReview", "claimReviewed": "A claim.", '
            '"itemReviewed": {"@type": "Claim", "appearance": ["Facebook post", '
            '"https://social.example/p/1"]}}'
        )
    )
    (review,) = claim_reviews(page, "https://example.org/checks/1").reviews
    assert review.appearances == ("https://social.example/p/1",)


def test_a_broken_link_outside_any_review_is_no_skip() -> None:
    page = (FIXTURES / "microdata_only.html").read_text(encoding="utf-8")
    page = page.replace("</article>", '</article><footer><a href="http://[::1">x</a></footer>')
    found = claim_reviews(page, CHECK_DESK_URL)
    assert found.reviews == GOLDEN["microdata_only"][1] and found.skipped == {}
