"""Deterministic English news articles for the fixture site, generated from a seed."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property

from tests.newssite import vocabulary as V

SECTION_NAMES: tuple[str, ...] = tuple(V.SECTIONS)
FIRST_PUBLISHED = datetime(2024, 3, 1, 6, 0, tzinfo=UTC)
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")
_DRAWN = re.compile(r"\{(other_\w+|number|percent)\}")


@dataclass(eq=False)
class FixtureArticle:
    """One article the site serves; `text` (paragraphs joined by blank lines) is built lazily."""

    url: str
    path: str
    title: str
    authors: list[str]
    published: datetime
    language: str
    id: int
    section: str
    tags: list[str]
    story: dict[str, str] = field(repr=False)
    text_seed: str = field(repr=False)
    extra_paragraph: str | None = field(default=None, repr=False)

    @cached_property
    def paragraphs(self) -> list[str]:
        """The body paragraphs, in order."""
        paragraphs = write_paragraphs(self.story, random.Random(self.text_seed))
        if self.extra_paragraph:
            paragraphs.insert(1, self.extra_paragraph)
        return paragraphs

    @property
    def text(self) -> str:
        """The body text exactly as the page shows it (paragraphs joined by blank lines)."""
        return "\n\n".join(self.paragraphs)

    @property
    def summary(self) -> str:
        """The first sentence of the article, for feed descriptions."""
        first = self.paragraphs[0]
        end = first.find(". ")
        return first if end < 0 else first[: end + 1]


def slugify(title: str, limit: int = 60) -> str:
    """A URL slug from a headline, cut at a word boundary."""
    slug = _SLUG_JUNK.sub("-", title.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug


def published_at(article_id: int) -> datetime:
    """Publication time of article `article_id`: every ~3 h, strictly increasing with the id."""
    jitter = (article_id * 7919) % 90
    return FIRST_PUBLISHED + timedelta(hours=3 * article_id, minutes=-jitter)


def make_article(
    seed: int,
    article_id: int,
    base_url: str,
    path: str | None = None,
    published: datetime | None = None,
) -> FixtureArticle:
    """Article `article_id` of the site for `seed`; `path` overrides the dated news URL."""
    rng = random.Random(f"{seed}:{article_id}")
    section = SECTION_NAMES[article_id % len(SECTION_NAMES)]
    story = _story(rng, section)
    title = _headline(rng, story)
    published = published or published_at(article_id)
    if path is None:
        path = f"/news/{published:%Y/%m/%d}/{slugify(title)}-{article_id}.html"
    authors = [_full_name(rng)]
    if rng.random() < 0.3:
        authors.append(_full_name(rng))
    return FixtureArticle(
        url=base_url + path,
        path=path,
        title=title,
        authors=authors,
        published=published,
        language="en",
        id=article_id,
        section=section,
        tags=[section, slugify(story["topic"])],
        story=story,
        text_seed=f"{seed}:{article_id}:text",
    )


def _full_name(rng: random.Random) -> str:
    return f"{rng.choice(V.FIRST_NAMES)} {rng.choice(V.LAST_NAMES)}"


def _story(rng: random.Random, section: str) -> dict[str, str]:
    """The people, place and topic one article is about, so its sentences agree."""
    words = V.SECTIONS[section]
    city, country = rng.choice(V.PLACES)
    first, last = rng.choice(V.FIRST_NAMES), rng.choice(V.LAST_NAMES)
    return {
        "section": section,
        "topic": rng.choice(words["topics"]),
        "org": rng.choice(words["orgs"]),
        "role": rng.choice(words["roles"]),
        "things": rng.choice(words["things"]),
        "city": city,
        "country": country,
        "person_full": f"{first} {last}",
        "person_short": last,
    }


def _headline(rng: random.Random, story: dict[str, str]) -> str:
    slots = {
        "Org": _cap(story["org"]),
        "org": story["org"],
        "topic": story["topic"],
        "Topic": _cap(story["topic"]),
        "things": story["things"],
        "Things": _cap(story["things"]),
        "react": rng.choice(V.REACTIONS),
        "City": story["city"],
        "city": story["city"],
        "country": story["country"],
        "Country": _cap(story["country"]),
        "Role": _cap(story["role"]),
        "Surname": story["person_short"],
        "month": rng.choice(V.MONTHS),
        "number": f"{rng.randrange(2, 95) * 100:,}",
        "Number": f"{rng.randrange(2, 95) * 100:,}",
    }
    return rng.choice(V.HEADLINE_PATTERNS).format_map(slots)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


_DRAWS: dict[str, Callable[[random.Random], str]] = {
    "said": lambda rng: rng.choice(V.SAID),
    "weekday": lambda rng: rng.choice(V.WEEKDAYS),
    "month": lambda rng: rng.choice(V.MONTHS),
    "number": lambda rng: f"{rng.randrange(12, 9800):,}",
    "percent": lambda rng: str(rng.randrange(3, 71)),
    "small": lambda rng: rng.choice(("two", "three", "four", "five", "six")),
    "year": lambda rng: str(rng.randrange(2009, 2023)),
    "currency": lambda rng: rng.choice(V.CURRENCIES),
}


class _Slots(dict[str, str]):
    """Template slots: the story's fixed ones, plus fresh random ones drawn on demand."""

    def __init__(self, story: dict[str, str], rng: random.Random) -> None:
        super().__init__(story)
        self.rng = rng
        topic = story["topic"]
        self["org_cap"] = _cap(story["org"])
        self["Things"] = _cap(story["things"])
        self["the_topic"] = f"the {topic}"
        self["person_role"] = f"{story['person_full']}, the {story['role']},"
        self.quotes = list(V.QUOTES)

    def __missing__(self, key: str) -> str:
        rng = self.rng
        if key == "a_topic":
            prefix = rng.choice(("a new phase of", "plans linked to", "a major change to"))
            return f"{prefix} the {self['topic']}"
        if key in ("other_city", "other_country"):
            city, country = rng.choice(V.PLACES)
            return city if key == "other_city" else country
        if key == "other_full":
            return _full_name(rng)
        if key == "other_role":
            return rng.choice(V.SECTIONS[self["section"]]["roles"])
        if key == "quote":  # drawn without replacement: no quote twice in one article
            return self.quotes.pop(rng.randrange(len(self.quotes)))
        return _DRAWS[key](rng)


def write_paragraphs(story: dict[str, str], rng: random.Random) -> list[str]:
    """Paragraphs of one article: a lead, body paragraphs, a closing line; 250-900 words."""
    slots = _Slots(story, rng)
    target = rng.randrange(260, 800)
    # Only templates with freshly drawn slots may appear twice, so no sentence repeats verbatim.
    pool = list(V.BODY_SENTENCES) + [t for t in V.BODY_SENTENCES if _DRAWN.search(t)]
    rng.shuffle(pool)
    lead = [rng.choice(V.LEAD_SENTENCES).format_map(slots)]
    lead.append(pool.pop().format_map(slots))
    paragraphs = [" ".join(lead)]
    words = len(paragraphs[0].split())
    while words < target and pool:
        sentences = [
            pool.pop().format_map(slots) for _ in range(min(rng.randrange(2, 5), len(pool)))
        ]
        paragraph = " ".join(sentences)
        if words + len(paragraph.split()) > 860:
            break
        paragraphs.append(paragraph)
        words += len(paragraph.split())
    paragraphs.append(rng.choice(V.CLOSING_SENTENCES).format_map(slots))
    return paragraphs
