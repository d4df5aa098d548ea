"""A fact-checker on the fixture site, and news articles that repeat the claims it checked.

`/factcheck/feed.xml` lists four fact-check pages (three with ClaimReview JSON-LD, one with
microdata); `/claims-news/feed.xml` lists three ordinary articles: one repeats a checked false
claim nearly word for word, one is named in another false claim's `appearance` list, and one
matches no claim. Appearance URLs are absolute on the running site, so pages are built per
request from `site.url`. Every page is also a full article page, so a crawler stores it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from html import escape
from typing import Any

from tests.newssite import feeds, pages
from tests.newssite.content import FixtureArticle
from tests.newssite.responses import RSS, Response, html
from tests.newssite.site import NewsSite

FACTCHECK_FEED_PATH = "/factcheck/feed.xml"
CLAIMS_NEWS_FEED_PATH = "/claims-news/feed.xml"
FACT_CHECKER_NAME = "Fixture Fact Check"
FIRST_ID = 950_001  # article ids for images and comment counts, clear of the site's others

BLEACH_CLAIM = "Drinking bleach cures the common cold."
EIFFEL_CLAIM = "The Eiffel Tower will be dismantled and moved to Las Vegas in 2031."
HONEY_CLAIM = "Honey stored in a sealed jar can stay edible for thousands of years."
LIBRARY_CLAIM = "The city's public libraries lent more e-books than printed books last year."

TEXT_MATCH_PATH = "/claims-news/2024/03/doctors-warn-against-viral-cold-cures.html"
URL_MATCH_PATH = "/claims-news/2024/03/paris-tower-to-be-shipped-across-the-atlantic.html"
NO_MATCH_PATH = "/claims-news/2024/03/allotment-waiting-list-reaches-record-length.html"


@dataclass(frozen=True)
class FactCheckPage:
    """One fact-check page: the claim, who made it, and the rating in words and as a number."""

    path: str
    title: str
    claim: str
    rating_words: str
    rating_value: int  # on PolitiFact's six steps: 1 = Pants on Fire, 6 = True
    rating: str  # what factchecks.ratings.normalise_rating should give
    claimant: str
    published: datetime
    section: str
    paragraphs: tuple[str, ...]
    claimant_type: str = "Organization"  # schema.org type: who or what made the claim
    appearance_paths: tuple[str, ...] = ()  # on this site, made absolute per request
    external_appearances: tuple[str, ...] = ()
    microdata: bool = False


@dataclass(frozen=True)
class ClaimsNewsArticle:
    """An ordinary news article, and the checked claim it should be matched to (or None)."""

    path: str
    title: str
    author: str
    published: datetime
    section: str
    paragraphs: tuple[str, ...]
    matches: str | None


def _at(day: int, hour: int) -> datetime:
    return datetime(2024, 3, day, hour, 0, tzinfo=UTC)


FACT_CHECKS: tuple[FactCheckPage, ...] = (
    FactCheckPage(
        path="/factcheck/2024/03/drinking-bleach-does-not-cure-colds.html",
        title="Fact check: Drinking bleach does not cure the common cold",
        claim=BLEACH_CLAIM,
        rating_words="False",
        rating_value=2,
        rating="false",
        claimant="Social media posts",
        published=_at(5, 9),
        section="health",
        external_appearances=("https://social.example/posts/884120",),
        paragraphs=(
            "Posts circulating on several social media platforms this week tell readers that a "
            "few sips of household bleach will clear up a cold within a day. The advice is false "
            "and dangerous, according to doctors and poison specialists we contacted.",
            "Bleach is a corrosive chemical made to disinfect surfaces. Swallowing it can burn the "
            "mouth, throat and stomach, and poison centres report dozens of calls every winter "
            "from people who drank cleaning products after reading similar claims online. It does "
            "nothing to the viruses that cause colds, which multiply inside the cells lining the "
            "nose and throat.",
            '"There is no safe dose of bleach to drink, and there is no cure for the common cold," '
            "said Dr Helen Marsh, an emergency physician who has treated several patients for "
            'chemical burns this season. "Rest, fluids and time are what help."',
            "Most colds clear up on their own within seven to ten days. Anyone who has swallowed a "
            "cleaning product should contact a poison centre or the emergency services at once.",
            "Our ruling: the claim that drinking bleach cures the common cold is wrong and can do "
            "serious harm. We rate it False.",
        ),
    ),
    FactCheckPage(
        path="/factcheck/2024/03/the-eiffel-tower-is-not-moving-to-las-vegas.html",
        title="Fact check: The Eiffel Tower is not moving to Las Vegas",
        claim=EIFFEL_CLAIM,
        rating_words="Pants on Fire!",
        rating_value=1,
        rating="false",
        claimant="Viral video",
        published=_at(6, 11),
        section="culture",
        appearance_paths=(URL_MATCH_PATH,),
        external_appearances=("https://video.example/watch?v=eiffel2031",),
        paragraphs=(
            "A video shared widely this month says that the Eiffel Tower will be taken apart and "
            "rebuilt in Las Vegas in 2031. It shows construction cranes beside the tower and a "
            "voice-over describing a secret sale of the monument to a casino company.",
            "The company that runs the tower said in a statement that no such sale has ever been "
            "discussed and that the monument belongs to the City of Paris, which cannot sell it. "
            "The cranes in the footage were filmed during routine repainting work, a job carried "
            "out roughly every seven years.",
            "Las Vegas already has a half-scale copy of the tower on its main boulevard, which "
            "opened in 1999. Officials there said they had received no request to take delivery "
            "of the original, which contains about 7,300 tonnes of iron.",
            '"This story is pure invention," a spokesperson for the operator said. "The tower is '
            'not going anywhere."',
            "Our ruling: nothing supports the claim, and the video's own footage shows painters, "
            "not demolition crews. We rate it Pants on Fire.",
        ),
    ),
    FactCheckPage(
        path="/factcheck/2024/03/can-honey-stay-edible-for-thousands-of-years.html",
        title="Fact check: Can honey really stay edible for thousands of years?",
        claim=HONEY_CLAIM,
        rating_words="Mostly True",
        rating_value=5,
        rating="mostly_true",
        claimant="Kitchen tips page",
        published=_at(7, 14),
        section="science",
        external_appearances=("https://social.example/posts/990431",),
        paragraphs=(
            "A popular post claims that honey stored in a sealed jar can stay edible for "
            "thousands of years. The claim largely holds up, though it needs some caveats.",
            "Honey contains very little water and a great deal of sugar, which draws moisture out "
            "of bacteria and moulds and stops them from growing. Bees also add an enzyme that "
            "produces small amounts of hydrogen peroxide, and honey itself is mildly acidic. "
            "Together these properties make it one of the few foods that does not spoil when it "
            "is kept away from air and moisture.",
            "Archaeologists have reported finding pots of honey in ancient tombs that were still "
            "recognisable as honey after several thousand years. Food scientists we spoke to "
            "cautioned that very old honey changes colour and flavour, and that honey left open "
            "can absorb water from the air and ferment.",
            '"Sealed and dry, honey lasts an extraordinarily long time," said Dr Amir Haddad, a '
            'food chemist. "Whether you would want to eat it is another question."',
            "Our ruling: the claim is sound but leaves out the conditions it depends on. We rate "
            "it Mostly True.",
        ),
    ),
    FactCheckPage(
        path="/factcheck/2024/03/did-libraries-lend-more-e-books-than-printed-books.html",
        title="Fact check: Did the city's libraries lend more e-books than printed books?",
        claim=LIBRARY_CLAIM,
        rating_words="Half True",
        rating_value=4,
        rating="mixed",
        claimant="Janet Orr",
        claimant_type="Person",
        published=_at(8, 16),
        section="politics",
        external_appearances=("https://council.example/meetings/2024-02-27/minutes",),
        microdata=True,
        paragraphs=(
            "Speaking at a council meeting last month, Councillor Janet Orr said the city's public "
            "libraries lent more e-books than printed books last year, and argued that money "
            "should move from branch buildings to digital services.",
            "Figures published by the library service show that 1.21 million e-books and "
            "audiobooks were borrowed last year, compared with 1.18 million printed books. But "
            "audiobooks make up about a third of the digital total. Counting e-books alone, "
            "printed books were borrowed far more often.",
            "The library service also noted that printed loans were counted once per item, while "
            "some digital loans were counted again each time a reader renewed a title, which "
            "inflates the digital figure slightly.",
            '"Digital lending has grown quickly, and that deserves attention," said Paul Menon, '
            'who manages the service. "But most of our readers still take home a paper book."',
            "Our ruling: the totals are right, but the claim leaves out that the digital figure "
            "includes audiobooks. We rate it Half True.",
        ),
    ),
)

CLAIMS_NEWS: tuple[ClaimsNewsArticle, ...] = (
    ClaimsNewsArticle(
        path=TEXT_MATCH_PATH,
        title="Doctors warn against viral cold cures as winter illnesses peak",
        author="Nadia Kerr",
        published=_at(9, 8),
        section="health",
        matches=BLEACH_CLAIM,
        paragraphs=(
            "Doctors in the city have warned residents not to trust home remedies spread online "
            "after a rise in hospital visits linked to dangerous cold treatments. Drinking bleach "
            "cures the common cold, a viral post claims.",
            "Emergency departments reported more than forty cases of chemical burns and poisoning "
            "over the past month, most of them among adults who had tried treatments recommended "
            "in social media videos. Several patients needed to stay in hospital overnight.",
            '"We are seeing people who were simply trying to get better faster and ended up far '
            'more ill," said Dr Sarah Lind, who leads the emergency team at the central hospital. '
            '"Colds are unpleasant, but they pass on their own."',
            "Health officials said the best way to recover from a cold was to rest, drink plenty "
            "of fluids and stay at home to avoid passing the infection on. Pharmacists can advise "
            "on medicines that ease symptoms such as a sore throat or a blocked nose.",
            "The poison information service said anyone who has swallowed a household chemical "
            "should call for help immediately rather than wait for symptoms to appear.",
        ),
    ),
    ClaimsNewsArticle(
        path=URL_MATCH_PATH,
        title="Paris tower to be shipped across the Atlantic, insiders say",
        author="Colin Barrow",
        published=_at(10, 12),
        section="culture",
        matches=EIFFEL_CLAIM,
        paragraphs=(
            "The most famous landmark in Paris will be taken down piece by piece and rebuilt on "
            "the Las Vegas Strip early in the next decade, according to insiders quoted in a video "
            "that has been watched millions of times.",
            "The video claims that a casino group has quietly agreed to buy the iron lattice tower "
            "from the French capital and that cranes seen beside the monument this spring are "
            "preparing for the move. The narrator says each of its 18,000 parts will be numbered, "
            "packed into shipping containers and sent across the ocean.",
            "Supporters of the plan say the landmark would attract even more visitors in the "
            "desert city than it does at home. Critics say the idea would break the heart of "
            "France and leave a gap on the skyline that could never be filled.",
            '"Paris will never be the same again," one viewer wrote under the video, which has '
            "been shared across several platforms. Others called for a petition to keep the "
            "tower where it stands.",
            "The video does not name the casino group or give a source for the sale, and no "
            "documents about the deal have been published.",
        ),
    ),
    ClaimsNewsArticle(
        path=NO_MATCH_PATH,
        title="Allotment waiting list reaches record length",
        author="Ruth Okafor",
        published=_at(11, 7),
        section="world",
        matches=None,
        paragraphs=(
            "The waiting list for allotments along the river has reached its longest in twenty "
            "years, with more than 600 households hoping for a plot, the parks department said "
            "on Tuesday.",
            "Demand for growing space rose sharply during the pandemic and has not fallen since. "
            "Each plot usually changes hands only when a tenant gives it up, and some gardeners "
            "have kept the same patch of ground for decades.",
            '"People want to grow their own vegetables, spend time outdoors and meet their '
            'neighbours," said Margaret Doyle, who chairs the allotment association. "We simply '
            'do not have enough land to go round."',
            "The council is considering splitting larger plots in two and opening a new site on "
            "unused land beside the railway, which could provide another eighty plots by next "
            "spring. A consultation on the plans will open later this month.",
            "Residents who join the list now can expect to wait about four years, the department "
            "said, although shorter waits are likely at the new site if it goes ahead.",
        ),
    ),
)

# What tests check against: claim -> normalised rating, and news path -> the claim it repeats.
CLAIM_RATINGS: dict[str, str] = {page.claim: page.rating for page in FACT_CHECKS}
FACTCHECK_PATHS: tuple[str, ...] = tuple(page.path for page in FACT_CHECKS)
NEWS_MATCHES: dict[str, str | None] = {article.path: article.matches for article in CLAIMS_NEWS}


def _fixture_article(
    site: NewsSite, number: int, page: FactCheckPage | ClaimsNewsArticle, author: str
) -> FixtureArticle:
    """The site's article record for a page whose paragraphs are written out here."""
    return FixtureArticle(
        url=site.url + page.path,
        path=page.path,
        title=page.title,
        authors=[author],
        published=page.published,
        language="en",
        id=FIRST_ID + number,
        section=page.section,
        tags=[page.section],
        story={},
        text_seed="",
    )


def _claim_review(site: NewsSite, check: FactCheckPage) -> dict[str, Any]:
    """The ClaimReview of one fact-check as JSON-LD (PolitiFact's shape, 1 = worst of 6)."""
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": site.url + check.path,
        "datePublished": check.published.isoformat(),
        "headline": check.title,
        "inLanguage": "en",
        "claimReviewed": check.claim,
        "author": {"@type": "Organization", "name": FACT_CHECKER_NAME, "url": site.url + "/"},
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": check.claimant_type, "name": check.claimant},
            "appearance": [site.url + p for p in check.appearance_paths]
            + list(check.external_appearances),
        },
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": check.rating_value,
            "bestRating": 6,
            "worstRating": 1,
            "alternateName": check.rating_words,
        },
    }


def _microdata(site: NewsSite, check: FactCheckPage) -> str:
    """The same ClaimReview as microdata, shown as the verdict box above the story."""
    appearances = [site.url + p for p in check.appearance_paths] + list(check.external_appearances)
    links = "".join(f'<link itemprop="appearance" href="{escape(u)}">' for u in appearances)
    return (
        '<aside class="verdict" itemscope itemtype="https://schema.org/ClaimReview">\n'
        f'<link itemprop="url" href="{escape(site.url + check.path)}">'
        f'<meta itemprop="datePublished" content="{check.published.isoformat()}">'
        '<meta itemprop="inLanguage" content="en">'
        '<span itemprop="author" itemscope itemtype="https://schema.org/Organization">'
        f'<meta itemprop="name" content="{FACT_CHECKER_NAME}">'
        f'<link itemprop="url" href="{escape(site.url)}/"></span>\n'
        f'<p>Claim: <q itemprop="claimReviewed">{escape(check.claim)}</q></p>\n'
        '<p itemprop="itemReviewed" itemscope itemtype="https://schema.org/Claim">Made by '
        f'<span itemprop="author" itemscope itemtype="https://schema.org/{check.claimant_type}">'
        f'<span itemprop="name">{escape(check.claimant)}</span></span>{links}</p>\n'
        '<p itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating">Our rating: '
        f'<strong itemprop="alternateName">{escape(check.rating_words)}</strong>'
        f'<meta itemprop="ratingValue" content="{check.rating_value}">'
        '<meta itemprop="bestRating" content="6"><meta itemprop="worstRating" content="1"></p>\n'
        "</aside>\n"
    )


def _fact_check_page(site: NewsSite, check: FactCheckPage) -> Response:
    article = _fixture_article(site, FACT_CHECKS.index(check), check, FACT_CHECKER_NAME)
    page = pages.article_page(article, [], paragraphs=check.paragraphs)
    if check.microdata:
        story = '<div class="story-body">'
        page = page.replace(story, _microdata(site, check) + story, 1)
    else:
        block = json.dumps(_claim_review(site, check)).replace("</", "<\\/")
        script = f'<script type="application/ld+json">{block}</script>\n'
        page = page.replace("</head>", script + "</head>", 1)
    return html(page.replace(pages.PADDING_MARK, ""))


def _news_page(site: NewsSite, article: ClaimsNewsArticle) -> Response:
    number = len(FACT_CHECKS) + CLAIMS_NEWS.index(article)
    fixture = _fixture_article(site, number, article, article.author)
    page = pages.article_page(fixture, [], paragraphs=article.paragraphs)
    return html(page.replace(pages.PADDING_MARK, ""))


def _feed(
    site: NewsSite, title: str, path: str, entries: list[tuple[str, str, str, datetime]]
) -> Response:
    """An RSS feed of (path, title, first paragraph, published) entries, newest first."""
    items = [
        feeds.FeedItem(name, site.url + p, lead.split(". ", 1)[0] + ".", when, site.url + p)
        for p, name, lead, when in sorted(entries, key=lambda entry: entry[3], reverse=True)
    ]
    return Response(200, feeds.rss(site.url, title, items, path).encode(), RSS)


def _factcheck_feed(site: NewsSite) -> Response:
    entries = [(c.path, c.title, c.paragraphs[0], c.published) for c in FACT_CHECKS]
    return _feed(site, FACT_CHECKER_NAME, FACTCHECK_FEED_PATH, entries)


def _claims_news_feed(site: NewsSite) -> Response:
    entries = [(a.path, a.title, a.paragraphs[0], a.published) for a in CLAIMS_NEWS]
    return _feed(site, "Claims in the news", CLAIMS_NEWS_FEED_PATH, entries)


EXACT: dict[str, Callable[[NewsSite], Response]] = {
    FACTCHECK_FEED_PATH: _factcheck_feed,
    CLAIMS_NEWS_FEED_PATH: _claims_news_feed,
    **{check.path: partial(_fact_check_page, check=check) for check in FACT_CHECKS},
    **{article.path: partial(_news_page, article=article) for article in CLAIMS_NEWS},
}
